"""Graph views of the evidence (networkx): paths, co-citation, sources and concepts, authors.

All are projections of the claims and mentions already loaded by :class:`~kg.answers.knowledge.
Knowledge`; none adds a fact.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx

from kg.answers.knowledge import Knowledge


def mechanism_outcome_graph(knowledge: Knowledge) -> nx.DiGraph[str]:
    """Mechanism -> outcome edges, one per pair, weighted by the claims that link them."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for claim in knowledge.claims.values():
        for mechanism in claim.concepts.get("mechanisms", []):
            for outcome in claim.concepts.get("outcomes", []):
                if graph.has_edge(mechanism, outcome):
                    graph[mechanism][outcome]["claims"].append(claim.id)
                else:
                    graph.add_edge(mechanism, outcome, claims=[claim.id])
    for node in graph.nodes:
        concept = knowledge.concepts.get(node)
        graph.nodes[node]["label"] = concept.label if concept else node
    return graph


def co_citation_graph(knowledge: Knowledge) -> nx.Graph[str]:
    """Sources cited together in one sentence or one claim; weight = how often."""
    graph: nx.Graph[str] = nx.Graph()
    groups: list[set[str]] = [set(c.keys) for c in knowledge.claims.values()]
    by_sentence: dict[tuple[str, int], set[str]] = {}
    for mention in knowledge.mentions:
        if mention.key:
            by_sentence.setdefault(mention.place, set()).add(mention.key)
    groups += list(by_sentence.values())
    for group in groups:
        for a, b in combinations(sorted(group), 2):
            weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
            graph.add_edge(a, b, weight=weight + 1)
    return graph


def source_concept_graph(knowledge: Knowledge) -> nx.Graph[str]:
    """The bipartite graph of sources and the concepts their claims are about."""
    graph: nx.Graph[str] = nx.Graph()
    for claim in knowledge.claims.values():
        for key in claim.keys:
            graph.add_node(key, kind="source")
            for role, concepts in claim.concepts.items():
                for concept in concepts:
                    graph.add_node(concept, kind=role)
                    graph.add_edge(key, concept)
    return graph


def author_graph(knowledge: Knowledge) -> nx.Graph[str]:
    """First authors linked to the second authors they wrote with (as the list names them)."""
    graph: nx.Graph[str] = nx.Graph()
    for source in knowledge.sources.values():
        graph.add_node(source.first_family)
        parts = source.authors.split(" and ")
        if len(parts) == 2:
            graph.add_edge(parts[0], parts[1], source=source.key)
    return graph


def central_sources(knowledge: Knowledge, top: int = 10) -> list[tuple[str, float]]:
    """Which sources carry the review: degree centrality in the source-concept graph."""
    graph = source_concept_graph(knowledge)
    centrality = nx.degree_centrality(graph)
    sources = [(n, centrality[n]) for n, d in graph.nodes(data=True) if d.get("kind") == "source"]
    return sorted(sources, key=lambda p: (-p[1], p[0]))[:top]
