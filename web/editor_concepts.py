"""Decide on a draft's proposed concepts: accept, merge into the vocabulary, or reject.

See :mod:`kg.library.concept_decisions`.  Only drafts change; the report is made again.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ingest.archive import ArchiveError, VersionRecord
from kg.config import Settings
from kg.errors import KGError
from kg.library.assembly import archive_of
from kg.library.concept_decisions import accept_concept, merge_concept, reject_concept
from kg.library.drafts import VersionPublished
from web.auth import current_editor, editor_required
from web.store_access import app_settings

bp = Blueprint("editor_concepts", __name__, url_prefix="/editor/drafts")
MAX_FIELD = 1_000


def _field(name: str) -> str:
    return request.form.get(name, "")[:MAX_FIELD].strip()


def _act(
    review_id: str, number: int, act: Callable[[Settings, VersionRecord, str], str]
) -> ResponseReturnValue:
    config = app_settings()
    try:
        record = archive_of(config).get(review_id, number)
    except ArchiveError:
        abort(404, description=f"{review_id} has no version v{number}")
    try:
        done = act(config, record, current_editor() or "unknown")
    except VersionPublished as exc:
        abort(409, description=str(exc))
    except KGError as exc:
        flash(f"Nothing was changed: {exc}", "error")
    else:
        flash(done)
    return redirect(url_for("editor.draft", review_id=review_id, number=number) + "#concepts")


@bp.post("/<review_id>/<int:number>/concepts/accept")
@editor_required
def accept(review_id: str, number: int) -> ResponseReturnValue:
    """A new concept of this review, with the editor's definition."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        accept_concept(
            config,
            record,
            label=_field("label"),
            concept_id=_field("id"),
            scheme=_field("scheme"),
            definition=_field("definition"),
            alt_labels=_field("alt_labels").split(";")[:10],
            editor=editor,
        )
        return f"Accepted the concept “{_field('label')}”."

    return _act(review_id, number, act)


@bp.post("/<review_id>/<int:number>/concepts/merge")
@editor_required
def merge(review_id: str, number: int) -> ResponseReturnValue:
    """The proposal's words name a concept the vocabulary has."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        merge_concept(config, record, label=_field("label"), into=_field("into"), editor=editor)
        return f"“{_field('label')}” is now another name of {_field('into')}."

    return _act(review_id, number, act)


@bp.post("/<review_id>/<int:number>/concepts/reject")
@editor_required
def reject(review_id: str, number: int) -> ResponseReturnValue:
    """Not a concept."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        reject_concept(config, record, label=_field("label"), editor=editor)
        return f"Rejected “{_field('label')}”: it is not proposed again."

    return _act(review_id, number, act)
