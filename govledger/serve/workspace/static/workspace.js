// 督查工作台: the dashboard charts (ECharts, data from #dashboard-data) and small form helpers. No inline scripts (CSP).
(function () {
  "use strict";

  // 「退回」 needs a reason: make the note required only when that button is pressed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[type=submit]") : null;
    if (!button || !button.form) { return; }
    var needs = button.getAttribute("data-needs");
    Array.prototype.forEach.call(button.form.querySelectorAll("[data-required-by]"), function (field) {
      field.required = false;
      field.removeAttribute("data-required-by");
    });
    if (needs && button.form.elements[needs]) {
      var field = button.form.elements[needs];
      field.required = true;
      field.setAttribute("data-required-by", "1");
    }
  });

  var src = document.getElementById("dashboard-data");
  if (!src || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(src.textContent);
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var charts = [];

  var burnEl = document.getElementById("burnup-chart");
  if (burnEl && data.burnup && data.burnup.months) {
    var b = data.burnup;
    var burn = window.echarts.init(burnEl, null, { renderer: "canvas" });
    burn.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: ["计划完成", "实际完成", "任务总数"], top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: b.months, boundaryGap: false, axisLabel: { fontSize: narrow ? 10 : 12 } },
      yAxis: { type: "value", name: "任务数", minInterval: 1 },
      series: [
        { name: "计划完成", type: "line", data: b.planned, step: false, symbol: "circle", symbolSize: 6,
          lineStyle: { type: "dashed", width: 2 }, itemStyle: { color: "#8c8c8c" } },
        { name: "实际完成", type: "line", data: b.done, symbol: "diamond", symbolSize: 9, connectNulls: false,
          lineStyle: { width: 3 }, itemStyle: { color: "#389e0d" } },
        { name: "任务总数", type: "line", data: b.total, symbol: "none", lineStyle: { width: 1, type: "dotted" },
          itemStyle: { color: "#1677ff" } }
      ]
    });
    charts.push(burn);
  }

  var statusEl = document.getElementById("status-chart");
  if (statusEl && data.statuses) {
    var st = window.echarts.init(statusEl, null, { renderer: "canvas" });
    st.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.statuses.map(function (s) { return s.label; }) },
      series: [{
        type: "bar", barMaxWidth: 28,
        label: { show: true, position: "right" },
        data: data.statuses.map(function (s) { return { value: s.count, itemStyle: { color: s.colour } }; })
      }]
    });
    charts.push(st);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
