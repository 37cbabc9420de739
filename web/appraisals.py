"""The editors' appraisals of sources, in the browser: a list, and a form for each source.

Saving an appraisal makes a new draft of the review (see :mod:`kg.library.appraising`); the
editor reads its report and publishes it like an upload, so an appraisal is versioned and
reviewed like every other change.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ingest.appraisals import SCALES
from ingest.archive import VersionRecord
from ingest.pipeline import read_manifests
from kg.errors import InputError
from kg.library.appraising import FORM_FIELDS, appraise, current_record, sources_and_appraisals
from web.auth import current_editor, editor_required
from web.store_access import app_settings

bp = Blueprint("appraisals", __name__, url_prefix="/editor/appraisals")
MAX_FIELD = 1_000  # characters kept of each field


def _review_ids() -> list[str]:
    config = app_settings()
    manifests, _ = read_manifests(config.reviews_dir, config.root)
    return [m.review_id for m in manifests]


def _current(review_id: str) -> VersionRecord:
    if review_id not in _review_ids():
        abort(404, description=f"there is no review {review_id!r}")
    try:
        return current_record(app_settings(), review_id)
    except InputError as exc:
        abort(409, description=str(exc))


@bp.get("/<review_id>")
@editor_required
def sources(review_id: str) -> ResponseReturnValue:
    """Every source of the current version, appraised or not."""
    record = _current(review_id)
    entries, appraisals = sources_and_appraisals(record)
    return render_template(
        "editor/appraisals.html",
        record=record,
        entries=entries,
        appraisals=appraisals,
        scales=SCALES,
    )


@bp.route("/<review_id>/<key>", methods=["GET", "POST"])
@editor_required
def appraise_source(review_id: str, key: str) -> ResponseReturnValue:
    """The form for one source's appraisal; saving it makes a draft to review and publish."""
    record = _current(review_id)
    entries, appraisals = sources_and_appraisals(record)
    entry = next((e for e in entries if e.key == key), None)
    if entry is None:
        abort(404, description=f"{record.qualified_id} has no reference with key {key!r}")
    error = None
    values = {f: "" for f in FORM_FIELDS}
    if key in appraisals:
        old = appraisals[key]
        values.update(
            {f: "" if getattr(old, f) is None else str(getattr(old, f)) for f in FORM_FIELDS}
        )
    if request.method == "POST":
        values = {f: request.form.get(f, "")[:MAX_FIELD] for f in FORM_FIELDS}
        try:
            draft = appraise(app_settings(), review_id, key, values, current_editor() or "unknown")
        except InputError as exc:
            error = str(exc)
        else:
            flash(
                f"Saved the appraisal of {key} in a new draft, {draft.qualified_id}. "
                "Read its report, then publish it to show the appraisal."
            )
            return redirect(url_for("editor.draft", review_id=review_id, number=draft.number))
    return render_template(
        "editor/appraise.html",
        record=record,
        entry=entry,
        values=values,
        scales=SCALES,
        error=error,
        appraised=key in appraisals,
    ), (400 if error else 200)
