"""Fix a draft's unmatched citations in place: choose the reference, add it, or mark it seen.

See :mod:`kg.library.citation_fixes`.  Each action changes the draft only (a published
version cannot change) and sends the editor back to its report, which is made again.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ingest.archive import ArchiveError, VersionRecord
from kg.config import Settings
from kg.errors import KGError
from kg.library.assembly import archive_of
from kg.library.citation_fixes import (
    ShortForm,
    add_reference,
    mark_not_in_list,
    resolve_citation,
    short_form_entry,
)
from kg.library.drafts import VersionPublished
from web.auth import current_editor, editor_required
from web.store_access import app_settings

bp = Blueprint("editor_citations", __name__, url_prefix="/editor/drafts")
MAX_FIELD = 1_000


def _field(name: str) -> str:
    return request.form.get(name, "")[:MAX_FIELD].strip()


def _written() -> list[str]:
    """The ways one citation is written (a hidden field each), as the report grouped them."""
    return [c[:MAX_FIELD].strip() for c in request.form.getlist("cited_as")][:20]


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
    return redirect(url_for("editor.draft", review_id=review_id, number=number) + "#citations")


@bp.post("/<review_id>/<int:number>/citations/resolve")
@editor_required
def resolve(review_id: str, number: int) -> ResponseReturnValue:
    """The citation means this reference of the list (the editors' judgement)."""
    cited_as, key = _written(), _field("key")

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        resolve_citation(config, record, cited_as, key, editor)
        return f"“{' / '.join(cited_as)}” now resolves to {key}, by your judgement."

    return _act(review_id, number, act)


@bp.post("/<review_id>/<int:number>/citations/seen")
@editor_required
def seen(review_id: str, number: int) -> ResponseReturnValue:
    """The citation has been looked at: the reference list does not have it."""
    cited_as = _written()

    def act(config: Settings, record: VersionRecord, editor: str) -> str:
        mark_not_in_list(config, record, cited_as, editor)
        return f"“{' / '.join(cited_as)}” is marked as seen: not in the reference list."

    return _act(review_id, number, act)


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
                    key=_field("key"),
                    authors=_field("authors"),
                    year=_field("year"),
                    title=_field("title"),
                    kind=_field("kind"),
                    container=_field("container"),
                    publisher=_field("publisher"),
                    url=_field("url"),
                )
            )
        updated, key = add_reference(config, record, entry, editor)
        if cited_as:
            resolve_citation(config, updated, cited_as, key, editor)
            return f"Added {key} to the reference list; “{' / '.join(cited_as)}” resolves to it."
        return f"Added {key} to the reference list."

    return _act(review_id, number, act)
