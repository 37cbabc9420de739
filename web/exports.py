"""Downloads, and entities as RDF by content negotiation.

An answer's sources as BibTeX or a Harvard list, its claims as CSV, a printable evidence brief,
and the whole dataset in each RDF format.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template

from kg.answers.answer import answer
from kg.answers.reference_exports import to_bibtex, to_csl_json, to_ris
from kg.export import RDF_FORMATS, export
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


# The reference list in each format a reference manager reads: (media type, writer).
REFERENCE_FORMATS = {
    "bib": ("application/x-bibtex", to_bibtex),
    "ris": ("application/x-research-info-systems", to_ris),
    "json": ("application/vnd.citationstyles.csl+json", to_csl_json),
}


@bp.get("/references.<fmt>")
def bibliography(fmt: str) -> Response:
    """Every source of the library, as BibTeX, RIS, CSL-JSON or a Harvard list (.txt)."""
    return _references(sorted(answers_model().items), fmt, "references")


@bp.get("/references")
def bibliography_page() -> str:
    """Every source as a Harvard list, with a button that copies it."""
    return _harvard_page(sorted(answers_model().items), None)


@bp.get("/ask/references.<fmt>")
def answer_references(fmt: str) -> Response:
    """The sources of an answer, in the same formats."""
    return _references(sorted(_answer_keys()), fmt, "answer-references")


@bp.get("/ask/references")
def answer_references_page() -> str:
    """The sources of an answer as a Harvard list, with a button that copies it."""
    return _harvard_page(sorted(_answer_keys()), _question())


def _references(keys: list[str], fmt: str, name: str) -> Response:
    model = answers_model()
    if fmt == "txt":
        lines = _harvard(keys)
        return _download("\n\n".join(lines) + "\n", "text/plain", f"{name}.txt")
    if fmt not in REFERENCE_FORMATS:
        abort(404)
    mimetype, write = REFERENCE_FORMATS[fmt]
    items = [model.items[k] for k in keys if k in model.items]
    return _download(write(items), mimetype, f"{name}.{fmt}")


def _harvard(keys: list[str]) -> list[str]:
    references = answers_model().references
    return sorted((references[k] for k in keys if k in references), key=str.casefold)


def _harvard_page(keys: list[str], question: str | None) -> str:
    return render_template(
        "references.html", references=_harvard(keys), question=question, formats=REFERENCE_FORMATS
    )


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
