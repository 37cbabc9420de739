"""Downloads, and entities as RDF by content negotiation.

An answer's sources as BibTeX or a Harvard list, its claims as CSV, a printable evidence brief,
and the whole dataset in each RDF format.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template

from kg.answers.answer import answer
from kg.export import RDF_FORMATS, export, to_bibtex
from kg.library.review_details import review_details
from kg.rdf import ids
from web.negotiation import MEDIA_TYPES
from web.store_access import answers_model, asked_question, current_store, get_store, knowledge

bp = Blueprint("exports", __name__)


def _question() -> str:
    question = asked_question()
    if not question:
        abort(400, "give a question: ?q=...")
    return question


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: CSV injection).

    A cell that starts with "=", "+", "-", "@", a tab or a carriage return is shown as text by
    a leading apostrophe.
    """
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


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
    references = answers_model().references
    lines = sorted(references[k] for k in _answer_keys() if k in references)
    return _download("\n\n".join(lines) + "\n", "text/plain", "references.txt")


@bp.get("/ask/claims.csv")
def answer_csv() -> Response:
    """The claims of an answer, one row per claim."""
    k = knowledge()
    result = answer(_question(), k)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["stance", "statement", "sources", "pages", "unresolved", "locator", "status", "see also"]
    )
    for stance, claims in result.claims.items():
        for claim in claims:
            items = [e for e in claim.evidence.values() if not e.by_editors]
            row = [
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
                "; ".join(claim.see_also),
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return _download(buffer.getvalue(), "text/csv", "claims.csv")


@bp.get("/ask/brief")
def brief() -> str:
    """A one-page evidence brief, with its own print stylesheet."""
    k = knowledge()
    result = answer(_question(), k)
    references = answers_model().references
    keys = sorted({key for group in result.claims.values() for c in group for key in c.keys})
    reviews = {ids.claim_review(c.iri) for group in result.claims.values() for c in group}
    details = [d for d in review_details(get_store()) if d.review_id in reviews or not reviews]
    return render_template(
        "brief.html",
        result=result,
        knowledge=k,
        references=[references[x] for x in keys if x in references],
        reviews=details,
        built_at=str(get_store().info.get("built_at", "")),
        profile=result.profile,
        grey_share=_share(result.profile.grey, len(result.profile.sources)),
    )


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}" if whole else "none"


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
