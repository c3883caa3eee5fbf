/* The case page's forms refresh only their own panel (htmx): every POST form inside a panel of a page marked
   data-panels (the case page #case-page, the approvals page) is sent with htmx; the answer (the page again) gives
   back that panel, and the header, the status line (flash and the unlogged-call banner) and the activity log beside
   it, where the page has them. A panel the answer no longer holds (an arrangement decided on the approvals page)
   is removed. A refused form comes back with status 422, bound: what
   was typed stays, the errors stand beside the fields, and the first error is scrolled into view.
   A form marked data-nav (next case, release) replaces the whole page body without a reload (hx-boost). */
(function () {
  "use strict";
  if (!window.htmx) { return; }
  htmx.config.responseHandling = [
    {code: "204", swap: false},
    {code: "[23]..", swap: true},
    {code: "422", swap: true},
    {code: "[45]..", swap: false, error: true}
  ];
  // what one action may change beyond its own panel: any action the header, the status line, the activity log and
  // the menu's count of approvals; a call's disposition also a promise or a callback task. Nothing else is replaced,
  // so what is typed elsewhere stays.
  var SHARED = ["case-head", "live-status", "activities", "nav-approvals"];
  var ALSO = {"call": ["promises", "tasks"]};

  function panelOf(form) {
    var el = form.parentElement;
    while (el && !el.hasAttribute("data-panels")) {
      if (el.id && (el.hasAttribute("data-panel") || el.tagName === "SECTION")) { return el; }
      el = el.parentElement;
    }
    return null;
  }

  function wire(root) {
    var forms = [];
    if (root.matches && root.matches("form")) { forms.push(root); }
    if (root.querySelectorAll) { forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form"))); }
    forms.forEach(function (form) {
      if (form.dataset.wired || !form.closest("[data-panels]")) { return; }
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
      if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
      form.dataset.wired = "1";
      if (form.hasAttribute("data-nav")) {
        form.setAttribute("hx-boost", "true");
        form.setAttribute("hx-push-url", "true");
        htmx.process(form);
        return;
      }
      var panel = panelOf(form);
      if (!panel) { return; }
      form.setAttribute("hx-post", form.getAttribute("action") || location.pathname);
      form.setAttribute("hx-target", "#" + panel.id);
      form.setAttribute("hx-select", "#" + panel.id);
      form.setAttribute("hx-swap", "outerHTML");
      var oob = SHARED.concat(ALSO[panel.id] || []).filter(function (id) {
        return id !== panel.id && document.getElementById(id);
      });
      if (oob.length) { form.setAttribute("hx-select-oob", oob.map(function (id) { return "#" + id; }).join(",")); }
      htmx.process(form);
    });
  }

  htmx.onLoad(wire);
  // content that arrives inside a panel (the message preview) is wired once it has settled
  document.addEventListener("htmx:afterSettle", function () { wire(document.body); });

  // an answer that is not a page of panels (another page the action led to) is opened as a page of its own
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr, form = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!form || !form.dataset || form.dataset.wired !== "1" || form.hasAttribute("data-nav")) { return; }
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText.indexOf(" data-panels>") !== -1) { return; }
    evt.detail.shouldSwap = false;
    var url = xhr.responseURL ? new URL(xhr.responseURL) : null;
    var sent = new URL(form.getAttribute("hx-post"), location.href);
    if (url && url.pathname !== sent.pathname) { location.href = url.href; }
  });

  // after a swap: open the folded part holding an error and bring the first error into view
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var sel = elt && elt.getAttribute && elt.getAttribute("hx-target");
    var target = sel ? document.querySelector(sel) : null;
    if (!target) { return; }
    var errors = target.querySelectorAll(".errorlist, .field-error");
    errors.forEach(function (e) {
      var d = e.closest("details");
      while (d) { d.open = true; d = d.parentElement ? d.parentElement.closest("details") : null; }
    });
    if (errors.length) {
      errors[0].scrollIntoView({block: "center"});
      var field = errors[0].parentElement && errors[0].parentElement.querySelector("input:not([type=hidden]), select, textarea");
      if (field) { field.focus({preventScroll: true}); }
    }
  });
})();
