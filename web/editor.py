"""The editor area: sign in, upload a new version, review it, confirm suggestions, publish.

Every page here needs a signed-in editor; every form carries a CSRF token (see
:mod:`web.auth`).  Uploads are checked for size, type and content before anything is kept,
and each one is archived byte for byte with its checksum (see :mod:`ingest.archive`).
Publishing builds the whole library aside and swaps it in atomically (see
:mod:`kg.library.full`): readers see the old version or the new one, never a mix.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from math import ceil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.utils import secure_filename

from ingest.archive import (
    CLAIMS,
    ArchiveError,
    VersionRecord,
    carried_over,
    is_text_name,
    review_details,
)
from ingest.claim_terms import SCHEMES, STANCES
from ingest.pipeline import read_manifests
from ingest.reference_formats import ReferenceFormatError, to_bibtex
from kg.config import Settings
from kg.errors import KGError
from kg.library.assembly import PublishOptions, archive_of
from kg.library.drafts import (
    VersionPublished,
    analyse,
    confirm,
    confirm_many,
    reject,
    reject_many,
    report_of,
    unconfirmed_losses,
)
from kg.library.full import library_lock, publish_version, published_versions, version_state
from kg.rdf.concepts import load_vocabulary
from web.auth import accounts, current_editor, editor_required, sign_in, sign_out
from web.store_access import app_settings
from web.throttle import LoginThrottle
from web.versions import DIFF_LABELS

bp = Blueprint("editor", __name__, url_prefix="/editor")

MB = 1024 * 1024
MAX_NAME = 80  # characters of an uploaded file's name that are kept
# What each upload field accepts, and how large it may be.
ALLOWED = {
    "text": (frozenset({".txt", ".md", ".docx", ".pdf"}), 8 * MB),
    "bibliography": (frozenset({".bib", ".ris", ".json"}), 2 * MB),
    "claims": (frozenset({".yaml", ".yml"}), 1 * MB),
}
MAX_NOTE = 500


def allow_uploads() -> None:
    """The upload form may send more than the rest of the site accepts.

    Registered on the app before the CSRF check, which is the first to read the form.
    """
    if request.endpoint == "editor.upload":
        request.max_content_length = int(current_app.config["EVKG_MAX_UPLOAD"])


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with a name and password made by ``evkg user add``."""
    error = None
    status = 200
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:200]
        password = request.form.get("password", "")
        throttle: LoginThrottle = current_app.extensions["evkg.login_throttle"]
        address = request.remote_addr or "unknown"
        wait = throttle.wait(name, address)
        if wait is not None:
            # Checked before the password is hashed: a flood costs the server almost nothing.
            seconds, why = wait
            # Trying again and again while told to wait counts too: that is what locks out.
            throttle.failed(name, address)
            later = ceil(seconds)
            page = render_template(
                "editor/login.html",
                error=f"Sign-in refused for now: {why}. Try again in {later} "
                f"second{'' if later == 1 else 's'}.",
                no_accounts=False,
            )
            return page, 429, {"Retry-After": str(later)}
        if accounts().verify(name, password):
            throttle.succeeded(name)
            sign_in(name)
            return redirect(_safe_next(request.args.get("next")))
        throttle.failed(name, address)
        error = "That name and password do not match an editor account."
        status = 401
    return render_template(
        "editor/login.html", error=error, no_accounts=not accounts().names()
    ), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session."""
    sign_out()
    return redirect(url_for("pages.home"))


@bp.get("/")
@editor_required
def dashboard() -> ResponseReturnValue:
    """Each review and its versions: current, published, or draft waiting for review."""
    config = app_settings()
    manifests, _ = read_manifests(config.reviews_dir, config.root)
    published = published_versions(config)
    archive = archive_of(config)
    rows = []
    for manifest in manifests:
        numbers = published.get(manifest.review_id, [])
        versions = []
        for record in reversed(archive.versions(manifest.review_id)):
            versions.append((record, version_state(record.number, numbers).value))
        rows.append((manifest, versions))
    throttle: LoginThrottle = current_app.extensions["evkg.login_throttle"]
    return render_template(
        "editor/dashboard.html",
        rows=rows,
        lockouts=throttle.notices,
        is_admin=accounts().is_admin(current_editor() or ""),
    )


@bp.route("/upload", methods=["GET", "POST"])
@editor_required
def upload() -> ResponseReturnValue:
    """Upload a new version of a review: its text, its reference list, and claims."""
    config = app_settings()
    manifests, _ = read_manifests(config.reviews_dir, config.root)
    ids = [m.review_id for m in manifests]
    if request.method == "GET":
        return render_template(
            "editor/upload.html", reviews=ids, selected=request.args.get("review")
        )
    review_id = request.form.get("review", "")
    if review_id not in ids:
        abort(400, description="Choose one of the reviews in the list.")
    manifest = next(m for m in manifests if m.review_id == review_id)
    published = published_versions(config).get(review_id, [])
    current = archive_of(config).get(review_id, max(published)) if published else None
    text = _read_upload("text", required=current is None or current.text is None)
    bib = _read_upload("bibliography", required=current is None)
    claims = _read_upload("claims", required=False)
    if current is not None and text is None and bib is None and claims is None:
        abort(400, description="Choose at least one file: the others are kept as they are.")
    # What is not uploaded is carried over from the current version, byte for byte.
    inputs = carried_over(current) if current is not None else {}
    uploads = {}
    if text is not None:
        inputs = {n: d for n, d in inputs.items() if not is_text_name(n)}
        inputs[f"review{Path(text[0]).suffix.lower()}"] = text[1]
        uploads[f"text-{text[0]}"] = text[1]
    if bib is not None:
        inputs["references.bib"] = _as_bibtex(*bib)
        uploads[f"bibliography-{bib[0]}"] = bib[1]
    if claims is not None:
        inputs[CLAIMS] = claims[1]
        uploads[f"claims-{claims[0]}"] = claims[1]
    inputs.update(review_details(current, manifest))
    note = " ".join(request.form.get("note", "").split())[:MAX_NOTE]
    editor = current_editor() or "unknown"
    record = archive_of(config).add(
        review_id, inputs, origin="upload", created_by=editor, note=note, uploads=uploads
    )
    analyse(config, record)
    kept = [
        label
        for label, given in (("text", text), ("reference list", bib), ("claims", claims))
        if given is None and current is not None
    ]
    carried = (
        f" The {' and the '.join(kept)} of {current.id} were kept." if kept and current else ""
    )
    flash(f"Uploaded {record.qualified_id}.{carried} Read the report below before you publish.")
    return redirect(url_for("editor.draft", review_id=review_id, number=record.number))


@bp.get("/drafts/<review_id>/<int:number>")
@editor_required
def draft(review_id: str, number: int) -> ResponseReturnValue:
    """The report on an uploaded version: check, suggestions, SHACL, and the diff."""
    config = app_settings()
    record = _record(config, review_id, number)
    report = report_of(config, record)
    published = published_versions(config).get(review_id, [])
    vocabulary = load_vocabulary()
    return render_template(
        "editor/draft.html",
        record=record,
        report=report,
        labels=DIFF_LABELS,
        published=record.number in published,
        stances=STANCES,
        changes=report.diff or {},
        schemes=SCHEMES,
        vocabulary_labels={scheme: vocabulary.labels(scheme) for scheme in SCHEMES},
    )


@bp.post("/drafts/<review_id>/<int:number>/suggestions/<suggestion>/confirm")
@editor_required
def confirm_suggestion(review_id: str, number: int, suggestion: str) -> ResponseReturnValue:
    """Confirm a suggested claim with a statement in the editor's own words."""
    statement, stance = request.form.get("statement", ""), request.form.get("stance", "")
    return _decide_on(
        review_id,
        number,
        lambda config, record, editor: confirm(
            config, record, suggestion, statement, stance, editor
        ),
        f"Confirmed the claim about {suggestion}.",
    )


@bp.post("/drafts/<review_id>/<int:number>/suggestions/<suggestion>/reject")
@editor_required
def reject_suggestion(review_id: str, number: int, suggestion: str) -> ResponseReturnValue:
    """Set a suggested claim aside."""
    return _decide_on(
        review_id,
        number,
        lambda config, record, editor: reject(config, record, suggestion, editor),
        f"Rejected the suggestion about {suggestion}.",
    )


@bp.post("/drafts/<review_id>/<int:number>/suggestions")
@editor_required
def decide_suggestions(review_id: str, number: int) -> ResponseReturnValue:
    """Confirm, or reject, every ticked suggestion at once."""
    picked = request.form.getlist("pick")[:500]
    if request.form.get("decision") == "reject":
        return _decide_on(
            review_id,
            number,
            lambda config, record, editor: reject_many(config, record, picked, editor),
            f"Rejected {len(picked)} suggestion{'s' if len(picked) != 1 else ''}.",
        )
    items = [
        (s, request.form.get(f"statement-{s}", ""), request.form.get(f"stance-{s}", ""))
        for s in picked
    ]
    return _decide_on(
        review_id,
        number,
        lambda config, record, editor: confirm_many(config, record, items, editor),
        f"Confirmed {len(picked)} claim{'s' if len(picked) != 1 else ''}.",
    )


def _decide_on(
    review_id: str,
    number: int,
    decide: Callable[[Settings, VersionRecord, str], object],
    done: str,
) -> ResponseReturnValue:
    """Apply an editor's decision on a suggestion, then show the queue again."""
    config = app_settings()
    record = _editable(config, review_id, number)
    try:
        decide(config, record, current_editor() or "unknown")
    except VersionPublished as exc:
        abort(409, description=str(exc))
    except KGError as exc:
        flash(str(exc), "error")
    else:
        flash(done)
    return redirect(url_for("editor.draft", review_id=review_id, number=number) + "#queue")


@bp.post("/drafts/<review_id>/<int:number>/publish")
@editor_required
def publish(review_id: str, number: int) -> ResponseReturnValue:
    """Publish the draft: build aside, validate, swap in; the old version serves until then."""
    config = app_settings()
    record = _editable(config, review_id, number)
    # The kept report: it is remade whenever the draft or the published version changes, and
    # the publish below checks the inputs and SHACL again itself.
    report = report_of(config, record)
    if report.blocking:
        flash("This version has errors; fix them and upload it again.", "error")
        return redirect(url_for("editor.draft", review_id=review_id, number=number))
    waiting = unconfirmed_losses(report, request.form.getlist("confirm"))
    if waiting:
        # Nothing the current version holds is dropped unless the editor names it.
        flash(
            f"Nothing was published: this version drops {len(waiting)} thing(s) that you have "
            "not confirmed. Tick each one you mean to drop, or upload what is missing.",
            "error",
        )
        return redirect(url_for("editor.draft", review_id=review_id, number=number) + "#losses")
    try:
        publish_version(config, record, PublishOptions())
    except KGError as exc:
        current_app.logger.error("publishing %s failed: %s", record.qualified_id, exc)
        flash(f"Nothing was published: {exc}", "error")
        return redirect(url_for("editor.draft", review_id=review_id, number=number))
    flash(f"Published {record.qualified_id}: it is now the current version.")
    return redirect(url_for("versions.versions"))


@bp.post("/drafts/<review_id>/<int:number>/discard")
@editor_required
def discard(review_id: str, number: int) -> ResponseReturnValue:
    """Put a draft aside: it leaves the list of versions, and its files are kept."""
    config = app_settings()
    with library_lock(config):
        record = _editable(config, review_id, number)
        archive_of(config).discard(record)
    flash(f"Discarded the draft {record.qualified_id}; its files are kept aside on the server.")
    return redirect(url_for("editor.dashboard"))


@bp.get("/versions/<review_id>/<int:number>/files/<name>")
@editor_required
def version_file(review_id: str, number: int, name: str) -> ResponseReturnValue:
    """One input file of a version, as it was archived, to start the next version from."""
    record = _record(app_settings(), review_id, number)
    if name not in record.files:  # only the version's own files: never a path
        abort(404, description=f"{record.qualified_id} has no file {name!r}")
    download = f"{review_id}-v{number}-{name}"
    return send_file(record.folder / name, as_attachment=True, download_name=download)


def _record(config: Settings, review_id: str, number: int) -> VersionRecord:
    try:
        return archive_of(config).get(review_id, number)
    except ArchiveError:
        abort(404, description=f"{review_id} has no version v{number}")


def _editable(config: Settings, review_id: str, number: int) -> VersionRecord:
    record = _record(config, review_id, number)
    if number in published_versions(config).get(review_id, []):
        abort(409, description=f"{record.qualified_id} is published and can no longer change.")
    return record


def _read_upload(field: str, *, required: bool) -> Any:
    """(sanitised name, bytes) of one upload field, after checking its size, type and content."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        if required:
            abort(400, description=f"Choose a file for “{field}”.")
        return None
    suffixes, limit = ALLOWED[field]
    # The name is only kept for the record: it never chooses where the file is written.
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in suffixes:
        abort(400, description=f"“{field}” must be one of: {', '.join(sorted(suffixes))}.")
    name = secure_filename(upload.filename) or "upload"
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    # Kept short: a name of thousands of characters is longer than a file system allows.
    name = stem[:MAX_NAME] + suffix
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        abort(413, description=f"“{field}” is larger than {limit // MB} MB.")
    if not data.strip():
        abort(400, description=f"“{field}” is empty.")
    if not _content_matches(suffix, data):
        abort(400, description=f"“{field}” does not contain what a {suffix} file should.")
    return name, data


def _as_bibtex(name: str, data: bytes) -> bytes:
    """A reference list as BibTeX: a RIS or CSL-JSON export is converted (kept as uploaded too)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".bib":
        return data
    try:
        return to_bibtex(data, suffix).encode("utf-8")
    except ReferenceFormatError as exc:
        abort(400, description=f"“{name}”: {exc}")


def _content_matches(suffix: str, data: bytes) -> bool:
    if suffix == ".pdf":
        return data.startswith(b"%PDF-")
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else.

    Browsers drop tabs and newlines and read a backslash as a slash, so a path holding any of
    those (or a space) could leave the site: it sends to the dashboard instead.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and not any(c.isspace() or c == "\\" for c in target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("editor.dashboard")
