"""The network views' data, laid out with networkx and shaped with pyvis.

Four views of the evidence (see :mod:`kg.answers.network`):

* **concepts**: sources and the concepts their claims are about;
* **co-citation**: sources cited in one sentence or one claim together;
* **authors**: first authors and the co-authors they wrote with;
* **paths**: mechanisms leading to outcomes.

Each is laid out here, once, so that the drawing is readable from the start: kinds stand in
columns (sources, then each scheme) where a view has kinds, otherwise on a circle.  The
browser draws it with the vis-network copy that ships inside pyvis (pyvis's own HTML
template is never used: it loads from CDNs and does not escape).  Titles are plain
text: the page's script sets them with ``textContent``, never as HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
from pyvis.network import Network

from kg.answers.knowledge import Knowledge
from kg.answers.network import (
    author_graph,
    central_sources,
    co_citation_graph,
    mechanism_outcome_graph,
    source_concept_graph,
)

COLOURS = {
    "source": "#505a5f",
    "mechanisms": "#1d70b8",
    "outcomes": "#00703c",
    "barriers": "#d4351c",
    "hinders": "#b58840",
    "enablers": "#f47738",
    "settings": "#4c2c92",
    "populations": "#912b88",
    "author": "#505a5f",
}
# What each kind of node is, in the legend's words.
KIND_NAMES = {
    "source": "Source (a work in the reference list)",
    "mechanisms": "Mechanism: how mentoring works",
    "outcomes": "Outcome: what it changes",
    "barriers": "Barrier",
    "hinders": "What a barrier hinders",
    "enablers": "Enabler or recommendation",
    "settings": "Setting",
    "populations": "Population",
    "author": "Author",
}
VIEWS = {
    "concepts": "Sources and the concepts they support",
    "co-citation": "Sources cited together",
    "authors": "Authors and co-authors",
    "paths": "How mechanisms lead to outcomes",
}
SCALE = 900  # the drawing's size in vis-network's units


@dataclass(frozen=True)
class Node:
    """One node, as the drawing, the legend and the table show it."""

    id: str
    label: str
    kind: str
    title: str
    link: str | None


def network_data(knowledge: Knowledge, view: str = "concepts") -> dict[str, Any]:
    """Nodes (with their positions), edges, and the kinds a view shows."""
    graph, nodes = _view(knowledge, view)
    positions = _layout(graph, nodes, view)
    net = Network(directed=view == "paths")
    for node in sorted(nodes.values(), key=lambda n: n.label.casefold()):
        x, y = positions[node.id]
        net.add_node(
            node.id,
            label=node.label,
            title=node.title,
            group=node.kind,
            color=COLOURS.get(node.kind, "#505a5f"),
            shape="dot" if node.kind in ("source", "author") else "box",
            link=node.link,
            x=round(float(x) * SCALE, 1),
            y=round(float(y) * SCALE, 1),
        )
        # pyvis leaves out a colour given beside a group; the drawing needs it.
        net.nodes[-1]["color"] = COLOURS.get(node.kind, "#505a5f")
    for a, b in sorted(graph.edges()):
        if a in nodes and b in nodes:
            net.add_edge(a, b)
    kinds = [k for k in COLOURS if any(n.kind == k for n in nodes.values())]
    names = {k: KIND_NAMES[k] for k in kinds}
    return {"nodes": net.nodes, "edges": net.edges, "kinds": kinds, "view": view, "names": names}


def neighbours(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each node's linked nodes, by label: the table's "Linked to" column."""
    by_id = {n["id"]: n for n in data["nodes"]}
    found: dict[str, list[dict[str, Any]]] = {n["id"]: [] for n in data["nodes"]}
    for edge in data["edges"]:
        found[edge["from"]].append(by_id[edge["to"]])
        found[edge["to"]].append(by_id[edge["from"]])
    return {k: sorted(v, key=lambda n: str(n["label"]).casefold()) for k, v in found.items()}


def centrality_table(knowledge: Knowledge, top: int = 10) -> list[tuple[str, str, float, int]]:
    """Which sources carry the review: (key, citation, centrality, claims resting on it)."""
    rows = []
    for key, score in central_sources(knowledge, top):
        source = knowledge.sources.get(key)
        claims = sum(1 for c in knowledge.claims.values() if key in c.keys)
        label = f"{source.authors} ({source.year})" if source else key
        rows.append((key, label, round(score, 3), claims))
    return rows


def _view(knowledge: Knowledge, view: str) -> tuple[nx.Graph[str], dict[str, Node]]:
    if view == "co-citation":
        graph: nx.Graph[str] = co_citation_graph(knowledge)
        graph.add_nodes_from(knowledge.sources)
        return graph, {k: _source(knowledge, k) for k in graph.nodes}
    if view == "authors":
        graph = author_graph(knowledge)
        return graph, {a: Node(a, a, "author", f"Author: {a}", None) for a in graph.nodes}
    if view == "paths":
        paths = mechanism_outcome_graph(knowledge)
        return paths, {c: _concept(knowledge, c) for c in paths.nodes}
    graph = source_concept_graph(knowledge)
    # Sources that no claim rests on are shown too, unlinked: that is worth seeing.
    graph.add_nodes_from((k for k in knowledge.sources if k not in graph), kind="source")
    nodes = {
        n: _source(knowledge, n) if str(kind) == "source" else _concept(knowledge, n)
        for n, kind in graph.nodes(data="kind", default="source")
    }
    return graph, nodes


def _source(knowledge: Knowledge, key: str) -> Node:
    source = knowledge.sources.get(key)
    label = f"{source.authors} ({source.year})" if source else key
    return Node(key, label, "source", source.title if source else key, f"/source/{key}")


def _concept(knowledge: Knowledge, iri: str) -> Node:
    concept = knowledge.concepts.get(iri)
    label = concept.label if concept else iri.rsplit("/", 1)[-1]
    title = concept.definition if concept else ""
    kind = concept.scheme if concept else "mechanisms"
    return Node(iri, label, kind, title, "/concept/" + iri.rsplit("/concept/", 1)[-1])


def _layout(
    graph: nx.Graph[str], nodes: dict[str, Node], view: str
) -> dict[str, tuple[float, float]]:
    """Kinds in columns where the view has kinds; else a circle; always the same.

    Our own arithmetic, not networkx's layouts (they need numpy); the browser's physics then
    only tidy it.  Coordinates run from -1 to 1.
    """
    ordered = sorted(nodes.values(), key=lambda n: n.label.casefold())
    if view not in ("concepts", "paths"):
        count = max(len(ordered), 1)
        return {
            n.id: (math.cos(2 * math.pi * i / count), math.sin(2 * math.pi * i / count))
            for i, n in enumerate(ordered)
        }
    order = [k for k in COLOURS if any(n.kind == k for n in ordered)]
    columns: dict[str, list[Node]] = {k: [n for n in ordered if n.kind == k] for k in order}
    tallest = max(len(c) for c in columns.values())
    placed = {}
    for x, kind in enumerate(order):
        column = columns[kind]
        for y, node in enumerate(column):
            placed[node.id] = (
                (x / max(len(order) - 1, 1)) * 2 - 1,
                ((y - (len(column) - 1) / 2) / max(tallest - 1, 1)) * 2,
            )
    return placed
