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

// The action form: the FOI section only for FOI requests, the fixed time zone only when
// every letter arrives at the same moment. Without this file every field shows.
document.addEventListener("DOMContentLoaded", function showActionFormParts() {
  var form = document.querySelector("[data-action-form]");
  if (!form) return;
  function update() {
    var kind = form.elements.kind ? form.elements.kind.value : "";
    var policy = form.elements.zone_policy ? form.elements.zone_policy.value : "";
    form.querySelectorAll("[data-shown-for-kind]").forEach(function (part) {
      part.hidden = part.getAttribute("data-shown-for-kind") !== kind;
    });
    form.querySelectorAll("[data-shown-for-zone-policy]").forEach(function (field) {
      var group = field.closest(".field") || field;
      group.hidden = field.getAttribute("data-shown-for-zone-policy") !== policy;
    });
  }
  form.addEventListener("change", update);
  update();
});
