"""One editor's action on a draft, as every small form of the draft's report does it.

The action changes the draft only: a published version answers 409, a reason the action
refuses is shown on the report, and the editor goes back to the part of the report they
acted in.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ingest.archive import ArchiveError, VersionRecord
from kg.config import Settings
from kg.errors import KGError
from kg.library.assembly import archive_of
from kg.library.drafts import VersionPublished
from web.auth import current_editor
from web.store_access import app_settings

Action = Callable[[Settings, VersionRecord, str], str]
MAX_FIELD = 1_000  # characters kept of a form's field


def form_field(name: str) -> str:
    """A field of the posted form, trimmed and cut to :data:`MAX_FIELD`."""
    return request.form.get(name, "")[:MAX_FIELD].strip()


def act_on_draft(review_id: str, number: int, act: Action, anchor: str) -> ResponseReturnValue:
    """Run ``act`` (settings, draft, editor) -> what was done; back to ``#anchor``."""
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
    return redirect(url_for("editor.draft", review_id=review_id, number=number) + f"#{anchor}")
