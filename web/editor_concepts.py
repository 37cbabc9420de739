"""Decide on a draft's proposed concepts: accept, merge into the vocabulary, or reject.

See :mod:`kg.library.concept_decisions`.  Only drafts change; the report is made again.
"""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from ingest.archive import VersionRecord
from kg.config import Settings
from kg.library.concept_decisions import accept_concept, merge_concept, reject_concept
from web.auth import editor_required
from web.editor_actions import act_on_draft, form_field

bp = Blueprint("editor_concepts", __name__, url_prefix="/editor/drafts")


@bp.post("/<review_id>/<int:number>/concepts/accept")
@editor_required
def accept(review_id: str, number: int) -> ResponseReturnValue:
    """A new concept of this review, with the editor's definition."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        accept_concept(
            config,
            record,
            label=form_field("label"),
            concept_id=form_field("id"),
            scheme=form_field("scheme"),
            definition=form_field("definition"),
            alt_labels=form_field("alt_labels").split(";")[:10],
            editor=editor,
        )
        return f"Accepted the concept “{form_field('label')}”."

    return act_on_draft(review_id, number, act, "concepts")


@bp.post("/<review_id>/<int:number>/concepts/merge")
@editor_required
def merge(review_id: str, number: int) -> ResponseReturnValue:
    """The proposal's words name a concept the vocabulary has."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        merge_concept(
            config, record, label=form_field("label"), into=form_field("into"), editor=editor
        )
        return f"“{form_field('label')}” is now another name of {form_field('into')}."

    return act_on_draft(review_id, number, act, "concepts")


@bp.post("/<review_id>/<int:number>/concepts/reject")
@editor_required
def reject(review_id: str, number: int) -> ResponseReturnValue:
    """Not a concept."""

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        reject_concept(config, record, label=form_field("label"), editor=editor)
        return f"Rejected “{form_field('label')}”: it is not proposed again."

    return act_on_draft(review_id, number, act, "concepts")
