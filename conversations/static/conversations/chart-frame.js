// The chart frame: draws a Plotly figure its parent (the chat page) posts to it. It runs in a
// sandboxed frame with no same-origin access: it reads only the message's data, and only from its
// parent window; the figure is data (traces and layout), never HTML.
(function () {
  "use strict";
  var TRACE_TYPES = ["bar", "scatter", "pie"];

  function clean(figure) {
    if (!figure || typeof figure !== "object" || !Array.isArray(figure.data) || figure.data.length > 20) return null;
    var data = figure.data.filter(function (trace) {
      return trace && typeof trace === "object" && TRACE_TYPES.indexOf(trace.type || "scatter") !== -1;
    });
    if (!data.length) return null;
    var layout = figure.layout && typeof figure.layout === "object" ? figure.layout : {};
    return { data: data, layout: Object.assign({}, layout, { autosize: true }) };
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "chart") return;
    var figure = clean(event.data.figure);
    var box = document.getElementById("chart");
    var error = document.getElementById("chart-error");
    if (!figure) {
      error.textContent = event.data.invalidText || "This chart cannot be drawn.";
      error.hidden = false;
      window.parent.postMessage({ type: "chart.failed" }, "*");
      return;
    }
    box.setAttribute("aria-label", String(event.data.title || ""));
    window.Plotly.newPlot(box, figure.data, figure.layout, { responsive: true, displaylogo: false })
      .then(function () { window.parent.postMessage({ type: "chart.drawn" }, "*"); });
  });
  window.parent.postMessage({ type: "chart.ready" }, "*");
})();
