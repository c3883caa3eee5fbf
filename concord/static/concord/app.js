// Concord's own script (the Content-Security-Policy allows no inline scripts): behaviour wired by data attributes.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
});
// a "tick all" box: data-tick-all="NAME" ticks or clears every checkbox named NAME in its form
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!el || !el.hasAttribute || !el.hasAttribute("data-tick-all")) { return; }
  var scope = el.form || document;
  scope.querySelectorAll('input[type=checkbox][name="' + el.getAttribute("data-tick-all") + '"]').forEach(function (box) {
    box.checked = el.checked;
  });
});
