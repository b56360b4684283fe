// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Take keyboard and screen-reader users straight to what needs fixing.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
