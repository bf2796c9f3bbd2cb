// Charts of the public views: reads the page's embedded JSON (#chart-data) and draws it with ECharts.
(function () {
  "use strict";
  var el = document.getElementById("chart");
  var src = document.getElementById("chart-data");
  if (!el || !src) { return; }
  if (typeof window.echarts === "undefined") { el.hidden = true; return; }
  var data = JSON.parse(src.textContent);
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var option;
  if (data.kind === "indicator") {
    var rows = data.rows.filter(function (r) { return r.target !== null || r.outcome !== null; });
    var names = rows.map(function (r) { return r.place; });
    option = {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: ["目标", "实际"], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { rotate: narrow ? 60 : 45, interval: 0, fontSize: 11 } },
      yAxis: { type: "value", name: data.unit || "", scale: data.unit === "%" },
      series: [
        { name: "目标", type: "bar", data: rows.map(function (r) { return r.target; }), itemStyle: { color: "#8fb3e0" },
          barMaxWidth: 28 },
        { name: "实际", type: "scatter", symbol: "diamond", symbolSize: 12, z: 3,
          data: rows.map(function (r) { return r.outcome; }), itemStyle: { color: "#b3261e" } }
      ]
    };
    el.style.height = (narrow ? 360 : 420) + "px";
  } else if (data.kind === "place") {
    var c = data.chart;
    if (!c.categories.length) { el.hidden = true; return; }
    var palette = ["#9ab8dc", "#4a7fc1", "#1f4e8c", "#0b2a55"];
    option = {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: c.series.map(function (s) { return s.year + " 年"; }), top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "%" },
      yAxis: { type: "category", data: c.categories, axisLabel: { fontSize: 11, width: narrow ? 110 : 220, overflow: "break" } },
      series: c.series.map(function (s, i) {
        return { name: s.year + " 年", type: "bar", data: s.values, itemStyle: { color: palette[i % palette.length] } };
      })
    };
    el.style.height = Math.max(240, 60 + c.categories.length * c.series.length * 22) + "px";
  } else if (data.kind === "series") {
    var years = data.rows.map(function (r) { return String(r.year); });
    var byYear = {};
    data.rows.forEach(function (r) { byYear[String(r.year)] = r; });
    option = {
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var r = byYear[items[0].axisValue] || {};
          var t = r.target_quote ? "目标：" + r.target_quote : "目标：—";
          var o = r.outturn_quote ? "统计公报：" + r.outturn_quote : "统计公报：—";
          return items[0].axisValue + " 年<br>" + t + "<br>" + o;
        }
      },
      legend: { data: ["统计公报", "预期目标"], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: years, axisLabel: { fontSize: 11 } },
      yAxis: { type: "value", name: "%", scale: true },
      series: [
        { name: "统计公报", type: "line", connectNulls: false, itemStyle: { color: "#1f4e8c" },
          data: data.rows.map(function (r) { return r.outturn_value; }) },
        { name: "预期目标", type: "scatter", symbol: "rect", symbolSize: 9, z: 3, itemStyle: { color: "#b3261e" },
          data: data.rows.map(function (r) { return r.target_value; }) }
      ]
    };
    el.style.height = (narrow ? 320 : 400) + "px";
  } else {
    return;
  }
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
