"""Add a review in the browser: its details become an uploads-only manifest.

The manifest (``reviews/<id>.toml``) names no files: every version of the review comes from
an editor's upload, published like any other (see :mod:`ingest.manifest`).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ingest.manifest import TEXT_DISPLAYS, manifest_text, parse_manifest
from ingest.pipeline import read_manifests
from ingest.safe_files import exclusive_lock, write_atomically
from ingest.textclean import strip_unsafe_characters
from web.auth import editor_required
from web.store_access import app_settings

bp = Blueprint("editor_reviews", __name__, url_prefix="/editor/reviews")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")


def _clean(name: str, limit: int = 300) -> str:
    return " ".join(strip_unsafe_characters(request.form.get(name, ""))[0].split())[:limit]


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new() -> ResponseReturnValue:
    """The form for a new review; saving it makes its manifest, then the first upload."""
    error = None
    values = {
        k: _clean(k) for k in ("id", "title", "authors", "year", "publisher", "licence", "display")
    }
    if request.method == "POST":
        config = app_settings()
        authors = [
            " ".join(a.split())
            for a in strip_unsafe_characters(request.form.get("authors", ""))[0].splitlines()
            if a.strip()
        ][:50]
        manifests, _ = read_manifests(config.reviews_dir, config.root)
        display = values["display"] or "quotations"
        if not _ID.match(values["id"]):
            error = "the id is lowercase letters, digits and hyphens, like topic-2026-review"
        elif values["id"] in {m.review_id for m in manifests}:
            error = f"there is a review {values['id']!r} already"
        elif not values["title"] or not authors:
            error = "a review needs its title and at least one author (or organisation)"
        elif not re.fullmatch(r"(19|20)\d\d", values["year"]):
            error = "the year is four digits, such as 2026"
        elif display not in TEXT_DISPLAYS:
            error = f"what may be shown is one of {', '.join(TEXT_DISPLAYS)}"
        else:
            text = manifest_text(
                values["id"],
                values["title"],
                authors,
                int(values["year"]),
                values["publisher"],
                values["licence"],
                display,
            )
            path = config.reviews_dir / f"{values['id']}.toml"
            with exclusive_lock(config.reviews_dir / ".manifests.lock"):
                if path.exists():
                    abort(409, description=f"{path.name} exists already")
                write_atomically(path, text)
            manifest, problems = parse_manifest(path, config.root)
            if manifest is None:  # never expected: the text was made to be valid
                path.unlink()
                abort(500, description="; ".join(p.message for p in problems))
            flash(f"Added the review {values['id']}. Upload its first version.")
            return redirect(url_for("editor.upload", review=values["id"]))
    return render_template(
        "editor/new_review.html", values=values, displays=TEXT_DISPLAYS, error=error
    ), (400 if error else 200)
