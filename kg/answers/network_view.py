"""The network view's data, built with pyvis from the source-concept graph.

pyvis only shapes the nodes and edges here; its HTML template is never used (it loads from
CDNs and does not escape), and the browser draws the data with the vis-network copy that ships
inside the installed pyvis package.  Titles are plain text: the page's script sets them with
``textContent``, never as HTML.
"""

from __future__ import annotations

from typing import Any

from pyvis.network import Network

from kg.answers.knowledge import Knowledge
from kg.answers.network import source_concept_graph

COLOURS = {
    "source": "#505a5f",
    "mechanisms": "#1d70b8",
    "outcomes": "#00703c",
    "barriers": "#d4351c",
    "hinders": "#b58840",
    "enablers": "#f47738",
    "settings": "#4c2c92",
    "populations": "#912b88",
}


def network_data(knowledge: Knowledge) -> dict[str, Any]:
    """Nodes and edges of the sources and the concepts their claims are about."""
    graph = source_concept_graph(knowledge)
    net = Network(directed=False)
    kinds: dict[str, str] = {str(n): str(k) for n, k in graph.nodes(data="kind", default="source")}
    # Sources that no claim rests on are shown too, unlinked: that is worth seeing.
    kinds.update({key: "source" for key in knowledge.sources if key not in kinds})
    for node in sorted(kinds):
        kind = kinds[node]
        if kind == "source":
            source = knowledge.sources.get(node)
            label = f"{source.authors} ({source.year})" if source else node
            title = source.title if source else node
            link = f"/source/{node}"
        else:
            concept = knowledge.concepts.get(node)
            label = concept.label if concept else node
            title = f"{concept.scheme}: {concept.definition}" if concept else node
            link = "/concept/" + node.rsplit("/concept/", 1)[-1]
        net.add_node(
            node,
            label=label,
            title=title,
            group=kind,
            color=COLOURS.get(kind),
            shape="dot" if kind == "source" else "box",
            link=link,
        )
    for a, b in sorted(graph.edges()):
        net.add_edge(a, b)
    return {"nodes": net.nodes, "edges": net.edges, "kinds": list(COLOURS)}
