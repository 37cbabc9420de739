"""Edit a draft's claim in a form, with the review's sentence beside it.

See :mod:`kg.library.claim_editing`; only drafts change, and the report is made again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ingest.archive import ArchiveError, VersionRecord
from ingest.claim_terms import SCHEMES, STANCES
from ingest.hedges import CERTAINTIES
from kg.errors import InputError
from kg.library.assembly import archive_of
from kg.library.claim_editing import ClaimEdit, edit_claim
from kg.library.drafts import VersionPublished, report_of
from kg.library.full import published_versions
from kg.rdf.concepts import load_vocabulary
from web.auth import current_editor, editor_required
from web.store_access import app_settings

bp = Blueprint("editor_claims", __name__, url_prefix="/editor/drafts")
MAX_FIELD = 2_000


def _draft(review_id: str, number: int) -> VersionRecord:
    config = app_settings()
    try:
        record = archive_of(config).get(review_id, number)
    except ArchiveError:
        abort(404, description=f"{review_id} has no version v{number}")
    if number in published_versions(config).get(review_id, []):
        abort(409, description=f"{record.qualified_id} is published and can no longer change.")
    return record


@bp.route("/<review_id>/<int:number>/claims/<claim_id>", methods=["GET", "POST"])
@editor_required
def claim(review_id: str, number: int, claim_id: str) -> ResponseReturnValue:
    """The form for one claim; saving it changes the draft and makes its report again."""
    record = _draft(review_id, number)
    vocabulary = load_vocabulary()
    known = vocabulary.concept_ids()
    report = report_of(app_settings(), record)
    shown = next((c for c in report.claims if c["id"] == claim_id), None)
    if shown is None:
        abort(404, description=f"{record.qualified_id} has no claim {claim_id!r}")
    values = {
        "statement": shown["statement"],
        "stance": shown["stance"],
        "certainty": shown["certainty"],
        "concepts": shown["concepts"],
        "evidence": "\n".join(shown["evidence"]),
    }
    error = None
    if request.method == "POST":
        concepts = {s: request.form.getlist(s)[:50] for s in SCHEMES}
        values = {
            "statement": request.form.get("statement", "")[:MAX_FIELD],
            "stance": request.form.get("stance", ""),
            "certainty": request.form.get("certainty", ""),
            "concepts": concepts,
            "evidence": request.form.get("evidence", "")[:MAX_FIELD],
        }
        edit = ClaimEdit(
            statement=values["statement"],
            stance=values["stance"],
            concepts={s: ids for s, ids in concepts.items() if ids},
            evidence=values["evidence"].splitlines()[:50],
            certainty=values["certainty"],
        )
        try:
            edit_claim(app_settings(), record, claim_id, edit, known, current_editor() or "?")
        except VersionPublished as exc:
            abort(409, description=str(exc))
        except InputError as exc:
            error = str(exc)
        else:
            flash(f"Saved the claim {claim_id}. Its checks are in the report below.")
            return redirect(url_for("editor.draft", review_id=review_id, number=number) + "#claims")
    labels = {scheme: vocabulary.labels(scheme) for scheme in SCHEMES}
    return render_template(
        "editor/claim.html",
        record=record,
        claim=shown,
        values=values,
        labels=labels,
        stances=STANCES,
        certainties=CERTAINTIES,
        error=error,
    ), (400 if error else 200)
