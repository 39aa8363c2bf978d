// The theory of change on screen: zoom, pan and fit (buttons, keyboard, pointer), and what the
// box or arrow pointed at or focused says, written out beside the diagram.
(function () {
  "use strict";
  var figure = document.querySelector("figure.diagram");
  var svg = figure && figure.querySelector("svg");
  if (!svg) return;
  svg.setAttribute("tabindex", "-1");  // the figure takes the focus; Tab goes on to its boxes and arrows
  var home = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  var view = home.slice();
  function show() { svg.setAttribute("viewBox", view.join(" ")); }
  function zoom(factor) {
    var cx = view[0] + view[2] / 2, cy = view[1] + view[3] / 2;
    // No further out than the whole diagram, no further in than a twentieth of it.
    var w = Math.min(home[2], Math.max(home[2] / 20, view[2] / factor));
    var h = w * home[3] / home[2];
    view = [cx - w / 2, cy - h / 2, w, h];
    show();
  }
  function move(dx, dy) { view[0] += dx * view[2]; view[1] += dy * view[3]; show(); }
  function fit() { view = home.slice(); show(); }
  var actions = { "in": function () { zoom(1.25); }, "out": function () { zoom(0.8); }, "fit": fit };
  document.querySelectorAll("[data-view]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.view](); });
  });
  var keys = { "+": actions["in"], "=": actions["in"], "-": actions.out, "0": fit,
               "ArrowLeft": function () { move(-0.1, 0); }, "ArrowRight": function () { move(0.1, 0); },
               "ArrowUp": function () { move(0, -0.1); }, "ArrowDown": function () { move(0, 0.1); } };
  figure.addEventListener("keydown", function (event) {
    var act = keys[event.key];
    if (act && !event.altKey && !event.ctrlKey && !event.metaKey) { act(); event.preventDefault(); }
  });
  var dragging = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.target.closest("a")) return;  // a box or an arrow: a click opens it
    dragging = { x: event.clientX, y: event.clientY };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    var box = svg.getBoundingClientRect();
    move(-(event.clientX - dragging.x) / box.width, -(event.clientY - dragging.y) / box.height);
    dragging = { x: event.clientX, y: event.clientY };
  });
  svg.addEventListener("pointerup", function () { dragging = null; });
  svg.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) return;  // a plain wheel scrolls the page
    zoom(event.deltaY < 0 ? 1.1 : 1 / 1.1);
    event.preventDefault();
  }, { passive: false });
  var detail = document.getElementById("diagram-detail");
  function tell(event) {
    var group = event.target.closest("g.node, g.edge");
    var title = group && group.querySelector("title");
    if (title && detail) detail.textContent = title.textContent;
  }
  svg.addEventListener("mouseover", tell);
  svg.addEventListener("focusin", tell);
  // A chain is of one outcome or of one priority: choosing one clears the other.
  var outcome = document.getElementById("outcome"), priority = document.getElementById("priority");
  if (outcome && priority) {
    outcome.addEventListener("change", function () { if (outcome.value) priority.value = ""; });
    priority.addEventListener("change", function () { if (priority.value) outcome.value = ""; });
  }
})();
