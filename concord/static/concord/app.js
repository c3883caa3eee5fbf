// Concord's own script (the Content-Security-Policy allows no inline scripts): behaviour wired by data attributes.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
});
