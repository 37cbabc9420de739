"""Convert RDF terms between rdflib (used to build and serialise) and pyoxigraph (the store).

Going term by term avoids a text round trip, and with it rdflib's deprecated N-Quads paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.rdf.namespaces import PREFIXES

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def from_ox(term: object) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            # RDF 1.1: a plain literal *is* an xsd:string, but rdflib compares them as unequal.
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def iter_ox_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """Every quad of an rdflib dataset, for pyoxigraph's bulk loader."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph_id = getattr(g, "identifier", g)
        graph: OxTerm | ox.DefaultGraph = ox.DefaultGraph()
        if graph_id is not None and graph_id != DATASET_DEFAULT_GRAPH_ID:
            graph = to_ox(graph_id)
        subject, predicate = to_ox(s), to_ox(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise TypeError(f"not a valid triple: {s!r} {p!r}")
        if isinstance(graph, ox.Literal):
            raise TypeError(f"not a valid graph name: {graph_id!r}")
        yield ox.Quad(subject, predicate, to_ox(o), graph)


def to_dataset(quads: Iterable[ox.Quad]) -> Dataset:
    """pyoxigraph quads as an rdflib dataset, with our prefixes bound."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    for quad in quads:
        graph_name = quad.graph_name
        graph = dataset.default_graph
        if not isinstance(graph_name, ox.DefaultGraph):
            name = from_ox(graph_name)
            assert isinstance(name, URIRef | BNode)  # noqa: S101 - pyoxigraph guarantees it
            graph = dataset.graph(name)
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    """All triples of all named graphs in one graph, with our prefixes."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
