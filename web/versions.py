"""Pages about versions: the history of each review, and the diff between two versions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ingest.archive import Archive, ArchiveError, VersionRecord, parse_version_id
from ingest.diff import VersionError, diff_versions, read_version
from kg.library.assembly import archive_of
from kg.library.history import version_history
from web.store_access import app_settings, get_store, published_in

bp = Blueprint("versions", __name__)

DIFF_LABELS = {
    "references_added": "References added",
    "references_removed": "References removed",
    "references_changed": "References changed",
    "citations_added": "Citations added",
    "citations_removed": "Citations removed",
    "claims_added": "Claims added",
    "claims_removed": "Claims removed",
    "claims_restated": "Claims restated",
    "claims_support_changed": "Claims whose support changed",
    "new_unresolved_citations": "New citations with no reference",
    "new_uncited_references": "New references never cited",
    "citations_now_resolved": "Fixed: citations that now have a reference",
    "references_now_cited": "Fixed: references now cited",
    "problems_fixed": "Fixed: errors in the inputs",
    "concepts_dropped": "Concepts no claim is tagged with any more",
    "concepts_evidence_changed": "Concepts that gained or lost evidence",
    "gap_map_cells_changed": "Gap map cells that changed",
    "appraisals_changed": "Editors' appraisals made or changed",
}


def archive() -> Archive:
    """The version archive beside the app's store."""
    return archive_of(app_settings())


@lru_cache(maxsize=32)
def cached_diff(old: Path, new: Path) -> dict[str, list[dict[str, Any]]]:
    """A diff between two archived folders; published versions never change, so it keeps."""
    return diff_versions(read_version(old), read_version(new))


def published_record(text: str) -> VersionRecord:
    """A published version by its ``<review>/v<n>`` id, else 404."""
    review_id, number = parse_version_id(text) or (None, 0)
    if review_id is None:
        abort(404, description=f"{text!r} is not a version id such as <review>/v1")
    if number not in published_in(get_store()).get(review_id, []):
        abort(404, description=f"{text} is not a published version")
    try:
        return archive().get(review_id, number)
    except ArchiveError:
        abort(404, description=f"the files of {text} are not on this server")


@bp.get("/versions")
def versions() -> ResponseReturnValue:
    """Every published version of each review, with links to view and compare them."""
    history = version_history(get_store())
    if request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json":
        return jsonify({k: [v.to_json() for v in vs] for k, vs in history.items()})
    return render_template("versions.html", history=history)


@bp.get("/diff")
def diff() -> ResponseReturnValue:
    """What changed in the evidence between two published versions."""
    old_id, new_id = request.args.get("old", ""), request.args.get("new", "")
    if not old_id and not new_id:
        # No versions named: the list of versions, with its picker, is where to choose them.
        return redirect(url_for("versions.versions") + "#compare")
    old, new = published_record(old_id), published_record(new_id)
    try:
        changes = cached_diff(old.folder, new.folder)
    except VersionError as exc:
        abort(404, description=str(exc))
    if request.args.get("format") == "json":
        return jsonify(changes)
    return render_template(
        "diff.html", old=old, new=new, changes=changes, labels=DIFF_LABELS, editor=False
    )
