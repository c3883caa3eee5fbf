// Report charts (Apache ECharts, vendored under vendor/echarts): every element with data-chart holds the chart's
// option as JSON, written by the server (concord/reports/pages.py). No inline script: the CSP forbids it.
(function () {
  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-chart-ready")) { return; }
      var option;
      try { option = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.setAttribute("data-chart-ready", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  document.addEventListener("htmx:afterSwap", draw);
})();
