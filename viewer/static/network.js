// The network view: data from the page's JSON block, drawn by vis-network; labels are text, never HTML.
(function () {
  "use strict";
  var element = document.getElementById("network");
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var title = document.createElement("span");
    title.textContent = n.title;  // a DOM text node: a label cannot become markup
    return { id: n.id, label: n.label, title: title, color: data.colours[n.group], url: n.url, shape: "box", font: { color: "#ffffff" } };
  }));
  var network = new vis.Network(element, { nodes: nodes, edges: new vis.DataSet(data.edges) }, {
    edges: { arrows: "to", color: "#5b6770" },
    physics: { stabilization: { iterations: 200 } },
    interaction: { hover: true, keyboard: true }
  });
  network.on("click", function (event) {
    if (event.nodes.length) { window.location.href = nodes.get(event.nodes[0]).url; }
  });
  document.getElementById("network-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = document.getElementById("find").value.toLowerCase();
    var found = data.nodes.filter(function (n) { return n.title.toLowerCase().indexOf(wanted) !== -1; });
    if (found.length) {
      network.selectNodes([found[0].id]);
      network.focus(found[0].id, { scale: 1.2, animation: true });
    }
  });
}());
