// The theory of change on screen: drawn at its own size, so that its words are as large as they were
// set; zoom (buttons, keyboard, ctrl and the wheel), move (scroll, drag, arrow keys), fit or back to
// actual size; and what the box or arrow pointed at or focused says, written out beside the diagram.
(function () {
  "use strict";
  var figure = document.querySelector("figure.diagram");
  var svg = figure && figure.querySelector("svg");
  if (!svg) return;
  svg.setAttribute("tabindex", "-1");  // the figure takes the focus; Tab goes on to its boxes and arrows
  // Its own size in CSS pixels (Graphviz gives it in points), and the zoom from it.
  var width = svg.width.baseVal.value, height = svg.height.baseVal.value;
  var scale = 1;
  function show(next) {
    // The point at the middle of the frame stays there.
    var middle = (figure.scrollLeft + figure.clientWidth / 2) / scale;
    scale = Math.min(4, Math.max(0.1, next));
    svg.style.width = width * scale + "px";
    svg.style.height = height * scale + "px";
    figure.scrollLeft = middle * scale - figure.clientWidth / 2;
  }
  // Fit: the whole diagram in the frame and the window, smaller than its own size if need be; the reader's choice, never the first view.
  function fit() { show(Math.min(1, figure.clientWidth / width, window.innerHeight * 0.85 / height)); }
  function move(dx) { figure.scrollLeft += dx * figure.clientWidth; }
  var actions = { "in": function () { show(scale * 1.25); }, "out": function () { show(scale * 0.8); },
                  "actual": function () { show(1); }, "fit": fit };
  document.querySelectorAll("[data-view]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.view](); });
  });
  var keys = { "+": actions["in"], "=": actions["in"], "-": actions.out, "0": actions.actual,
               "ArrowLeft": function () { move(-0.1); }, "ArrowRight": function () { move(0.1); } };
  figure.addEventListener("keydown", function (event) {
    var act = keys[event.key];
    if (act && !event.altKey && !event.ctrlKey && !event.metaKey) { act(); event.preventDefault(); }
  });
  // A mouse drags the diagram about; a finger scrolls it as any page is scrolled.
  var dragging = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "mouse" || event.target.closest("a")) return;  // a box or an arrow: a click opens it
    dragging = { x: event.clientX, y: event.clientY };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    figure.scrollLeft -= event.clientX - dragging.x;
    window.scrollBy(0, dragging.y - event.clientY);
    dragging = { x: event.clientX, y: event.clientY };
  });
  svg.addEventListener("pointerup", function () { dragging = null; });
  svg.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) return;  // a plain wheel scrolls the page
    show(event.deltaY < 0 ? scale * 1.1 : scale / 1.1);
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
})();
