"""Downloads, and entities as RDF by content negotiation.

An answer's sources as BibTeX or a Harvard list, its claims as CSV, a printable evidence brief,
and the whole dataset in each RDF format.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from kg.answers.answer import answer
from kg.answers.references import harvard
from kg.export import RDF_FORMATS, export, to_bibtex
from kg.rdf.namespaces import BASE, PREFIXES
from kg.store.embedded import GraphStore
from web.pages import MAX_QUESTION, knowledge
from web.store_access import current_store, get_store

bp = Blueprint("exports", __name__)

MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
}


def _question() -> str:
    question = (request.args.get("q") or "").strip()[:MAX_QUESTION]
    if not question:
        abort(400, "give a question: ?q=...")
    return question


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/ask/references.bib")
def answer_bibtex() -> Response:
    """The sources of an answer, as BibTeX rebuilt from the graph."""
    keys = _answer_keys()
    entries = to_bibtex(get_store().to_dataset(current_only=True)).split("\n@")
    chosen = [
        e if e.startswith("@") else "@" + e
        for e in entries
        if e.split("{", 1)[-1].split(",", 1)[0] in keys
    ]
    return _download("\n".join(chosen), "application/x-bibtex", "references.bib")


@bp.get("/ask/references.txt")
def answer_harvard() -> Response:
    """The sources of an answer as a Harvard reference list, alphabetical."""
    references = harvard(get_store())
    lines = sorted(references[k] for k in _answer_keys() if k in references)
    return _download("\n\n".join(lines) + "\n", "text/plain", "references.txt")


@bp.get("/ask/claims.csv")
def answer_csv() -> Response:
    """The claims of an answer, one row per claim."""
    k = knowledge()
    result = answer(_question(), k)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["stance", "statement", "sources", "pages", "unresolved", "locator", "status"])
    for stance, claims in result.claims.items():
        for claim in claims:
            items = list(claim.evidence.values())
            writer.writerow(
                [
                    stance,
                    claim.statement,
                    "; ".join(
                        f"{k.sources[e.key].authors} ({k.sources[e.key].year})"
                        for e in items
                        if e.key and e.key in k.sources
                    ),
                    "; ".join(f"{e.key}: {e.page}" for e in items if e.page),
                    "; ".join(e.unresolved for e in items if e.unresolved),
                    claim.locator or "",
                    claim.status,
                ]
            )
    return _download(buffer.getvalue(), "text/csv", "claims.csv")


@bp.get("/ask/brief")
def brief() -> str:
    """A one-page evidence brief, with its own print stylesheet."""
    k = knowledge()
    result = answer(_question(), k)
    references = harvard(get_store())
    keys = sorted({key for group in result.claims.values() for c in group for key in c.keys})
    return render_template(
        "brief.html",
        result=result,
        knowledge=k,
        references=[references[x] for x in keys if x in references],
    )


def _answer_keys() -> set[str]:
    result = answer(_question(), knowledge())
    return {key for group in result.claims.values() for c in group for key in c.keys}


@bp.get("/data/<fmt>")
def dataset(fmt: str) -> Response:
    """The whole built dataset in one RDF format.

    The dumps are of the published build, whatever ``?version=`` says: the quad formats carry
    every version's graphs, and the triple formats the current snapshot.
    """
    if fmt not in RDF_FORMATS:
        abort(404)
    return _download(
        export(current_store(), fmt).decode("utf-8"), MEDIA_TYPES[fmt], f"evidence-graph.{fmt}"
    )


def describe(store: GraphStore, iri: str, fmt: str) -> str:
    """Every triple about one entity (as subject), in an RDF format."""
    triples = set(store.about(iri))
    if not triples:
        abort(404)
    return (
        ox.serialize(sorted(triples, key=str), format=RDF_FORMATS[fmt], prefixes=PREFIXES) or b""
    ).decode("utf-8")


def negotiated_format() -> str | None:
    """The RDF format a client asked for (``?format=`` or ``Accept``), or None for HTML."""
    asked = request.args.get("format")
    if asked:
        if asked not in ("ttl", "jsonld", "nt", "html"):
            abort(406)
        return None if asked == "html" else asked
    offered = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    return {
        "text/turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/n-triples": "nt",
    }.get(best or "text/html")


def rdf_response(iri: str, fmt: str) -> Response:
    """An entity as RDF, with the right media type."""
    body = describe(get_store(), iri, fmt)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Vary"] = "Accept"
    return response


__all__ = ["BASE", "bp", "negotiated_format", "rdf_response"]
