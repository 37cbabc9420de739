"""Write what was built: RDF serialisations, and BibTeX rebuilt from the graph.

The BibTeX export reads the *graph*, not references.bib, so it shows exactly what the build
holds; a round trip (bib -> graph -> bib -> records) is tested to lose nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from kg.errors import InputError
from kg.rdf.bibfields import FIELD_PROPERTIES, VERBATIM_FIELDS
from kg.rdf.convert import union_graph
from kg.rdf.namespaces import BIBO, EVKG, PREFIXES
from kg.store.protocol import GraphStore

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
FORMATS = (*RDF_FORMATS, "bib")
# Turtle and N-Triples have no named graphs: they get the current snapshot (the union of the
# current graphs).  The quad formats carry every named graph, older versions included.
_TRIPLE_FORMATS = frozenset({"ttl", "nt"})


def export(store: GraphStore, fmt: str) -> bytes:
    """What the store holds, in one of :data:`FORMATS`."""
    if fmt == "bib":
        return to_bibtex(store.to_dataset(current_only=True)).encode("utf-8")
    if fmt not in RDF_FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items: list[ox.Triple] | list[ox.Quad]
    if fmt in _TRIPLE_FORMATS:
        items = sorted({q.triple for q in store.quads(current_only=True)}, key=str)
    else:
        items = sorted(store.quads(), key=str)
    return ox.serialize(items, format=RDF_FORMATS[fmt], prefixes=PREFIXES) or b""


def to_bibtex(dataset: Dataset) -> str:
    """One BibTeX entry per source key, in key order."""
    graph = union_graph(dataset)
    entries = []
    sources = {s for s in graph.subjects(RDF.type, EVKG.Source) if isinstance(s, URIRef)}
    for source in sorted(sources):
        for key in sorted(str(k) for k in graph.objects(source, EVKG.bibKey)):
            entries.append(_entry(graph, source, key))
    return "\n".join(sorted(entries, key=lambda e: e.split("{", 1)[1].lower()))


def _entry(graph: Graph, source: URIRef, key: str) -> str:
    entry_type = str(graph.value(source, EVKG.entryType) or "misc")
    fields: list[tuple[str, str]] = []
    authors = list(_names(graph, graph.value(source, BIBO.authorList)))
    if authors:
        fields.append(("author", " and ".join(authors)))
    title = graph.value(source, DCTERMS.title)
    if title is not None:
        fields.append(("title", _protect(str(title))))
    year = graph.value(source, DCTERMS.issued)
    label = graph.value(source, EVKG.yearLabel)
    suffix = graph.value(source, EVKG.yearSuffix)
    if year is not None:
        fields.append(("year", f"{year}{suffix or ''}"))
    elif label is not None:
        fields.append(("year", str(label)))
    for container in graph.objects(source, DCTERMS.isPartOf):
        field = "journal" if (container, RDF.type, BIBO.Journal) in graph else "booktitle"
        fields.append((field, _escape(str(graph.value(container, DCTERMS.title)))))
        editors = list(_names(graph, graph.value(container, BIBO.editorList)))
        if editors:
            fields.append(("editor", " and ".join(editors)))
    editors = list(_names(graph, graph.value(source, BIBO.editorList)))
    if editors:
        fields.append(("editor", " and ".join(editors)))
    for field, predicate in (("publisher", DCTERMS.publisher), ("institution", BIBO.issuer)):
        agent = graph.value(source, predicate)
        if agent is not None:
            fields.append((field, _escape(str(graph.value(agent, FOAF.name)))))
    for field, predicate in FIELD_PROPERTIES.items():
        value = graph.value(source, predicate)
        if value is not None:
            verbatim = field in VERBATIM_FIELDS
            fields.append((field, str(value) if verbatim else _escape(str(value))))
    for node in graph.objects(source, EVKG.bibField):
        fields.append(
            (str(graph.value(node, EVKG.fieldName)), _escape(str(graph.value(node, RDF.value))))
        )
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _names(graph: Graph, seq: object) -> Iterator[str]:
    if not isinstance(seq, URIRef):
        return
    position = 1
    while (member := graph.value(seq, URIRef(f"{RDF}_{position}"))) is not None:
        position += 1
        if member == EVKG.OmittedAuthors:
            yield "others"
        elif (member, RDF.type, FOAF.Organization) in graph:
            yield "{" + _escape(str(graph.value(member, FOAF.name))) + "}"
        else:
            parts = [
                graph.value(member, p) for p in (FOAF.familyName, EVKG.nameSuffix, FOAF.givenName)
            ]
            yield ", ".join(_escape(str(p)) for p in parts if p is not None)


_SPECIALS = str.maketrans(
    {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$", "{": r"\{", "}": r"\}"}
)


def _escape(text: str) -> str:
    return text.translate(_SPECIALS)


def _protect(title: str) -> str:
    """Brace the whole title: the graph holds the exact case that the list gives."""
    return "{" + _escape(title) + "}"
