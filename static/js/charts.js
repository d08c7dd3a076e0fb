/* Draws every chart of the page with ECharts (static/vendor/echarts).
   Each chart is a <div class="chart-box" data-chart="ID"> and its data a
   json_script element with that ID: {kind, unit, categories, series:[{name, values}]}.
   No inline script (CSP): this file is loaded with defer after echarts.min.js. */
(function () {
  "use strict";
  var palette = ["#1f4e8c", "#3fa34d", "#f0a202", "#c8553d", "#7a5195", "#2a9d8f"];

  function option(data) {
    var percent = data.unit === "%";
    var stacked = data.kind === "stacked";
    return {
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 36, bottom: 56 },
      xAxis: {
        type: "category",
        data: data.categories,
        axisLabel: { interval: 0, rotate: data.categories.length > 8 ? 40 : 0, fontSize: 11 }
      },
      yAxis: {
        type: "value",
        max: percent && stacked ? 100 : null,
        axisLabel: { formatter: percent ? "{value}%" : "{value}" }
      },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: data.kind === "line" ? "line" : "bar",
          stack: stacked ? "total" : undefined,
          data: s.values
        };
      })
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      el.setAttribute("data-chart-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
