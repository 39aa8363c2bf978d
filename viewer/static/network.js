// The network view: data from the page's JSON block, drawn by vis-network; labels are text, never HTML.
(function () {
  "use strict";
  var element = document.getElementById("network");
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var title = document.createElement("span");
    title.textContent = n.title;  // a DOM text node: a label cannot become markup
    // Long labels wrap inside a box of bounded width, so that boxes can keep apart.
    return { id: n.id, label: n.label, title: title, color: data.colours[n.group], url: n.url, shape: "box",
             font: { color: "#ffffff" }, widthConstraint: { maximum: 180 } };
  }));
  var network = new vis.Network(element, { nodes: nodes, edges: new vis.DataSet(data.edges) }, {
    edges: { arrows: "to", color: "#5b6770" },
    // Strong repulsion and overlap avoidance keep the labels apart; once settled, the layout stays put.
    physics: { solver: "barnesHut", barnesHut: { gravitationalConstant: -3000, centralGravity: 0.6, springLength: 130, avoidOverlap: 1 },
               stabilization: { iterations: 1000 } },
    interaction: { hover: true, keyboard: true },
    layout: { randomSeed: 1 }  // the same picture on every visit
  });
  network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); network.fit(); });
  element.network = network;  // for the browser tests, which check that no two boxes overlap
  network.on("click", function (event) {
    if (event.nodes.length) { window.location.href = nodes.get(event.nodes[0]).url; }
  });
  document.getElementById("network-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = document.getElementById("find").value.toLowerCase();
    var found = data.nodes.filter(function (n) { return n.title.toLowerCase().indexOf(wanted) !== -1; });
    var result = document.getElementById("network-found");
    result.textContent = "";
    if (!found.length) { result.textContent = "Nothing found."; return; }
    network.selectNodes([found[0].id]);
    network.focus(found[0].id, { scale: 1.2, animation: true });
    // The found node's page, one Enter away.
    var link = document.createElement("a");
    link.href = found[0].url;
    link.textContent = "Open " + found[0].title;
    result.appendChild(link);
    link.focus();
  });
}());
