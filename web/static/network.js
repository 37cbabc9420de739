// Draw the network from /network.json with the locally served vis-network.
// Titles become text nodes (textContent), so a hostile title can never run as HTML.
(function () {
  "use strict";
  var box = document.getElementById("network");
  if (!box || !window.vis) { return; }
  fetch(box.getAttribute("data-source"))
    .then(function (reply) { return reply.json(); })
    .then(function (data) {
      var plain = data.nodes.map(function (node) {
        var tip = document.createElement("div");
        tip.textContent = node.title;
        return { id: node.id, label: node.label, title: tip, group: node.group,
                 color: node.color, shape: node.shape, link: node.link };
      });
      var nodes = new vis.DataSet(plain);
      var edges = new vis.DataSet(data.edges.map(function (e, i) {
        return { id: i, from: e.from, to: e.to };
      }));
      var shown = {};
      data.kinds.forEach(function (k) { shown[k] = true; });
      var view = new vis.DataView(nodes, { filter: function (n) { return shown[n.group]; } });
      var network = new vis.Network(box, { nodes: view, edges: edges },
        { physics: { stabilization: { iterations: 150 } }, interaction: { hover: true } });
      network.on("doubleClick", function (params) {
        if (params.nodes.length) { window.location.href = nodes.get(params.nodes[0]).link; }
      });
      document.getElementById("filters").addEventListener("change", function (event) {
        shown[event.target.value] = event.target.checked;
        view.refresh();
      });
      box.setAttribute("data-ready", "true");
    });
}());
