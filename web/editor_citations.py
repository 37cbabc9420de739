"""Fix a draft's unmatched citations in place: choose the reference, add it, or mark it seen.

See :mod:`kg.library.citation_fixes`.  Each action changes the draft only (a published
version cannot change) and sends the editor back to its report, which is made again.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from ingest.archive import VersionRecord
from kg.config import Settings
from kg.library.citation_fixes import (
    ShortForm,
    add_reference,
    mark_not_in_list,
    resolve_citation,
    short_form_entry,
)
from web.auth import editor_required
from web.editor_actions import MAX_FIELD, act_on_draft, form_field

bp = Blueprint("editor_citations", __name__, url_prefix="/editor/drafts")


def _written() -> list[str]:
    """The ways one citation is written (a hidden field each), as the report grouped them."""
    return [c[:MAX_FIELD].strip() for c in request.form.getlist("cited_as")][:20]


@bp.post("/<review_id>/<int:number>/citations/resolve")
@editor_required
def resolve(review_id: str, number: int) -> ResponseReturnValue:
    """The citation means this reference of the list (the editors' judgement)."""
    cited_as, key = _written(), form_field("key")

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        resolve_citation(config, record, cited_as, key, editor)
        return f"“{' / '.join(cited_as)}” now resolves to {key}, by your judgement."

    return act_on_draft(review_id, number, act, "citations")


@bp.post("/<review_id>/<int:number>/citations/seen")
@editor_required
def seen(review_id: str, number: int) -> ResponseReturnValue:
    """The citation has been looked at: the reference list does not have it."""
    cited_as = _written()

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        mark_not_in_list(config, record, cited_as, editor)
        return f"“{' / '.join(cited_as)}” is marked as seen: not in the reference list."

    return act_on_draft(review_id, number, act, "citations")


@bp.post("/<review_id>/<int:number>/citations/add")
@editor_required
def add(review_id: str, number: int) -> ResponseReturnValue:
    """Add the missing reference (a BibTeX snippet or the short form), and use it."""
    cited_as = _written()
    snippet = request.form.get("snippet", "")[:10_000]

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        entry = snippet
        if not entry.strip():
            entry = short_form_entry(
                ShortForm(
                    key=form_field("key"),
                    authors=form_field("authors"),
                    year=form_field("year"),
                    title=form_field("title"),
                    kind=form_field("kind"),
                    container=form_field("container"),
                    publisher=form_field("publisher"),
                    url=form_field("url"),
                )
            )
        updated, key = add_reference(config, record, entry, editor)
        if cited_as:
            resolve_citation(config, updated, cited_as, key, editor)
            return f"Added {key} to the reference list; “{' / '.join(cited_as)}” resolves to it."
        return f"Added {key} to the reference list."

    return act_on_draft(review_id, number, act, "citations")
