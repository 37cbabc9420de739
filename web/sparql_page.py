"""``/sparql`` for people: the form, and results as a table in the page.

A browser asks for HTML first, so it gets this page; a SPARQL client asks for a results
format and gets exactly that (see :mod:`web.sparql`).  IRIs of our own concepts, claims and
sources link to their pages; other http(s) IRIs link out; nothing else is ever a link.
Every result can also be downloaded in each format the protocol offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import render_template, request, url_for

from kg.rdf.concepts import CONCEPT_BASE
from kg.rdf.namespaces import BASE
from kg.store.results import term_json
from web.store_access import knowledge

# ?format= for a download link (not part of the protocol; clients negotiate with Accept).
DOWNLOADS = {
    "select": [("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV")],
    "ask": [("json", "JSON"), ("xml", "XML")],
    "graph": [("ttl", "Turtle"), ("nt", "N-Triples"), ("rdfxml", "RDF/XML"), ("jsonld", "JSON-LD")],
}
FORMAT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


@dataclass(frozen=True)
class Cell:
    """One value of a result, as the page shows it."""

    text: str
    link: str | None = None
    kind: str = "literal"  # uri | bnode | literal
    note: str = ""  # a literal's language or datatype


def wants_html() -> bool:
    """A browser's request: it names text/html, and likes it at least as much as the rest."""
    accept = request.accept_mimetypes
    if not any(value == "text/html" for value, _ in accept) or request.args.get("format"):
        return False
    return accept.quality("text/html") >= max(
        (accept.quality(t) for t in FORMAT_TYPES.values()), default=0
    )


def page(query: str | None, examples: Any, **shown: Any) -> str:
    """The form, with the query, and the results or the error when there are any."""
    return render_template("sparql.html", examples=examples, query=query, **shown)


def results(query: str, examples: Any, kind: str, payload: Any, truncated: bool) -> str:
    """The page for one query's results."""
    sources = {s.iri: s.key for s in knowledge().sources.values()}
    downloads = [
        (label, url_for("sparql.sparql") + "?" + urlencode({"query": query, "format": fmt}))
        for fmt, label in DOWNLOADS["graph" if kind == "graph" else kind]
    ]
    if kind == "ask":
        return page(query, examples, kind=kind, boolean=bool(payload), downloads=downloads)
    if kind == "graph":
        variables = ["subject", "predicate", "object"]
        data = "\n".join(payload).encode("utf-8")
        rows = [
            [
                _cell(term_json(t.subject), sources),
                _cell(term_json(t.predicate), sources),
                _cell(term_json(t.object), sources),
            ]
            for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        ]
    else:
        variables = payload["vars"]
        rows = [[_cell(term, sources) for term in row] for row in payload["rows"]]
    return page(
        query,
        examples,
        kind=kind,
        variables=variables,
        rows=rows,
        truncated=truncated,
        downloads=downloads,
    )


def _cell(term: dict[str, str] | None, sources: dict[str, str]) -> Cell:
    if term is None:
        return Cell("")
    value = term["value"]
    if term["type"] == "bnode":
        return Cell(f"_:{value}", kind="bnode")
    if term["type"] == "uri":
        return Cell(value, _link(value, sources), "uri")
    note = term.get("xml:lang") or term.get("datatype", "").rsplit("#", 1)[-1]
    return Cell(value, note=note)


def _link(iri: str, sources: dict[str, str]) -> str | None:
    """Our page for one of our IRIs; the IRI itself for another http(s) one; else none."""
    if iri.startswith(CONCEPT_BASE):
        segment, _, concept_id = iri.removeprefix(CONCEPT_BASE).partition("/")
        if concept_id and "/" not in concept_id:
            return url_for("pages.concept", segment=segment, concept_id=concept_id)
    if iri in sources:
        return url_for("pages.source", key=sources[iri])
    claim = BASE + "claim/"
    if iri.startswith(claim):
        review_id, _, claim_id = iri.removeprefix(claim).partition("/")
        if claim_id and "/" not in claim_id:
            return url_for("pages.claim", review_id=review_id, claim_id=claim_id)
    if iri.startswith(("https://", "http://")):
        return iri
    return None
