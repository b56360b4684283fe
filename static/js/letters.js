// The template editor: a field's "Insert" button puts it where the cursor was in the
// subject or the letter. Without this file the list is there to copy from.
document.addEventListener("DOMContentLoaded", function () {
  var last = document.querySelector("[data-merge-target]");
  if (!last) return;
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute("data-merge-target")) last = event.target;
  });
  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-insert");
      last.focus();
      last.setRangeText(text, last.selectionStart, last.selectionEnd, "end");
      last.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
});
