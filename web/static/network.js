// Draw a view of the network from /network.json with the locally served vis-network.
// Kinds stand in columns (or, where a view has no kinds, on a circle), laid out again for the
// nodes shown whenever a filter changes; nothing moves while someone reads.  Titles and
// details become text nodes (textContent), so a hostile title can never run as HTML.
(function () {
  "use strict";
  var box = document.getElementById("network");
  if (!box || !window.vis) { return; }
  var details = document.getElementById("details-body");

  function text(tag, value) {
    var element = document.createElement(tag);
    element.textContent = value;
    return element;
  }

  fetch(box.getAttribute("data-source"))
    .then(function (reply) { return reply.json(); })
    .then(function (data) {
      var byId = {};
      var plain = data.nodes.map(function (node) {
        byId[node.id] = node;
        return { id: node.id, label: node.label, title: text("div", node.title), kind: node.group,
                 color: { background: node.color, border: node.color }, shape: node.shape,
                 font: { color: node.shape === "box" ? "#ffffff" : "#1b1b1b" },
                 link: node.link, x: node.x, y: node.y };
      });
      var nodes = new vis.DataSet(plain);
      var edges = new vis.DataSet(data.edges.map(function (e, i) {
        return { id: i, from: e.from, to: e.to };
      }));
      var shown = {};
      data.kinds.forEach(function (k) { shown[k] = true; });
      var view = new vis.DataView(nodes, { filter: function (n) { return shown[n.kind]; } });
      var network = new vis.Network(box, { nodes: view, edges: edges }, {
        nodes: { font: { size: 16 }, margin: 6, size: 10, scaling: { label: { drawThreshold: 3 } } },
        edges: { color: { color: "#b1b4b6", highlight: "#1d4f91" }, smooth: false,
                 arrows: { to: { enabled: data.view === "paths" } } },
        physics: false,
        interaction: { hover: true, keyboard: false, tooltipDelay: 200 }
      });
      var layouts = 0;
      var kindOrder = data.kinds;

      // Columns by kind, at most ROWS a column, for the nodes shown; a circle for a view
      // without kinds.  The same arithmetic as the server's first layout.
      var ROWS = 20, COLUMN = 320, ROW = 44;
      function layOut() {
        var ids = view.getIds().slice().sort(function (a, b) {
          return String(byId[a].label).localeCompare(String(byId[b].label));
        });
        var moves = [];
        if (data.view === "concepts" || data.view === "paths") {
          var x = 0;
          kindOrder.forEach(function (kind) {
            var column = ids.filter(function (id) { return byId[id].group === kind; });
            for (var i = 0; i < column.length; i += 1) {
              moves.push({ id: column[i], x: (x + Math.floor(i / ROWS)) * COLUMN,
                           y: (i % ROWS) * ROW });
            }
            x += Math.ceil(column.length / ROWS);
          });
        } else {
          var radius = Math.max(300, ids.length * 18);
          ids.forEach(function (id, i) {
            var angle = 2 * Math.PI * i / Math.max(ids.length, 1);
            moves.push({ id: id, x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
          });
        }
        nodes.update(moves);
        network.fit({ animation: false });
        // Readable first: never so far out that a label is under about 12 px; the first
        // columns are shown, and the rest is a drag or a scroll away.
        var READABLE = 0.75;
        if (network.getScale() < READABLE && moves.length) {
          var first = moves[0];
          network.moveTo({ scale: READABLE, animation: false,
                           position: { x: first.x + box.clientWidth / (2 * READABLE) - 120,
                                       y: first.y + box.clientHeight / (2 * READABLE) - 40 } });
        }
        layouts += 1;
        box.setAttribute("data-layouts", String(layouts));
        box.setAttribute("data-ready", "true");
      }
      layOut();

      // Keyboard: arrow keys move through the shown nodes by name; Enter shows the details.
      var current = -1;
      function order() {
        return view.getIds().slice().sort(function (a, b) {
          return String(byId[a].label).localeCompare(String(byId[b].label));
        });
      }
      function show(id) {
        var node = byId[id];
        details.textContent = "";
        details.appendChild(text("strong", node.label));
        details.appendChild(text("p", (data.names || {})[node.group] || node.group));
        if (node.title) { details.appendChild(text("p", node.title)); }
        if (node.link) {
          var open = text("a", "Open its page");
          open.href = node.link;
          var p = document.createElement("p");
          p.appendChild(open);
          details.appendChild(p);
        }
        var linked = network.getConnectedNodes(id).filter(function (other) {
          return shown[byId[other].group];
        });
        details.appendChild(text("p", "Linked to " + linked.length + ":"));
        var list = document.createElement("ul");
        linked.sort(function (a, b) { return String(byId[a].label).localeCompare(String(byId[b].label)); })
          .forEach(function (other) {
            var item = document.createElement("li");
            if (byId[other].link) {
              var a = text("a", byId[other].label);
              a.href = byId[other].link;
              item.appendChild(a);
            } else { item.textContent = byId[other].label; }
            list.appendChild(item);
          });
        details.appendChild(list);
      }
      network.on("click", function (params) {
        if (params.nodes.length) { show(params.nodes[0]); }
      });
      box.addEventListener("keydown", function (event) {
        var ids = order();
        if (!ids.length) { return; }
        if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].indexOf(event.key) >= 0) {
          var step = (event.key === "ArrowRight" || event.key === "ArrowDown") ? 1 : -1;
          current = (current + step + ids.length) % ids.length;
          network.selectNodes([ids[current]]);
          network.focus(ids[current], { scale: 1.2, animation: false });
          event.preventDefault();
        } else if (event.key === "Enter" && current >= 0) {
          show(ids[current]);
          event.preventDefault();
        }
      });

      // Filters: hide a kind, and the rest are laid out again.
      document.getElementById("filters").addEventListener("change", function (event) {
        shown[event.target.value] = event.target.checked;
        view.refresh();
        current = -1;
        layOut();
      });
      box.evkgNetwork = network;  // for the browser tests
    });
}());
