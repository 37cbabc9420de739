"""The archive of review versions: every set of inputs ever ingested, kept with checksums.

Each ingest of a review (its text, ``references.bib`` and claims) becomes a numbered version.
The archive keeps the files, so that any version can be rebuilt exactly, and says who made
it, when, and from what.  Layout under the archive root (``<store>/versions``)::

    <review-id>/<n>/version.json          who, when, origin, checksums
    <review-id>/<n>/review.<ext>          the inputs the version is built from ...
    <review-id>/<n>/references.bib
    <review-id>/<n>/review.claims.yaml    (optional)
    <review-id>/<n>/manifest.toml         the review's manifest, and its venues file,
    <review-id>/<n>/venues.yaml           as they were for this version
    <review-id>/<n>/uploads/<name>        ... and, for an upload, the bytes received
    <review-id>/<n>/queue.json            an editor's decisions on suggested claims

A version folder is also a folder that ``evkg diff`` reads.  A version is written under a
``.partial`` name and renamed once complete, so a crash never leaves half a version.  Which
versions are *published* is decided by the store (see :mod:`kg.library.full`), not here.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.manifest import ReviewManifest, parse_manifest
from ingest.review_files import SUFFIXES
from ingest.safe_files import exclusive_lock, write_atomically

BIBLIOGRAPHY = "references.bib"
CLAIMS = "review.claims.yaml"
# The review's own details and its journals' peer-review judgements, as they were for this
# version: an older version is rebuilt with them, never with today's.
MANIFEST = "manifest.toml"
VENUES = "venues.yaml"
TEXT_STEM = "review"
_VERSION_ID = re.compile(r"^(?:(?P<review>[a-z0-9][a-z0-9-]{1,80})[/@])?v(?P<number>[0-9]{1,6})$")


class ArchiveError(ValueError):
    """A version that does not exist or cannot be written."""


def sha256(data: bytes) -> str:
    """The checksum recorded for every archived file."""
    return hashlib.sha256(data).hexdigest()


def current_user() -> str:
    """Who runs a command-line ingest: ``EVKG_EDITOR``, else the login name."""
    name = os.environ.get("EVKG_EDITOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. an anonymous container user
        return "unknown"


@dataclass(frozen=True)
class VersionRecord:
    """One archived version of one review."""

    review_id: str
    number: int
    folder: Path
    origin: str  # "project" (the files named by the review's manifest) or "upload"
    created_by: str
    created_at: str
    files: Mapping[str, str]  # input file name -> sha256
    uploads: Mapping[str, str] = field(default_factory=dict)  # name as received -> sha256
    note: str = ""
    published_at: str | None = None  # informational; the store says what is published

    @property
    def id(self) -> str:
        """The version's id as people write it: ``v3``."""
        return f"v{self.number}"

    @property
    def qualified_id(self) -> str:
        """The id with its review: ``clinks-2021-peer-mentoring/v3``."""
        return f"{self.review_id}/v{self.number}"

    @property
    def text(self) -> Path | None:
        """The version's review text, when it has one."""
        names = [n for n in self.files if Path(n).stem == TEXT_STEM and n != CLAIMS]
        return self.folder / names[0] if names else None

    @property
    def bibliography(self) -> Path:
        """The version's reference list."""
        return self.folder / BIBLIOGRAPHY

    @property
    def claims(self) -> Path | None:
        """The version's claims file, when it has one."""
        return self.folder / CLAIMS if CLAIMS in self.files else None

    def to_json(self) -> dict[str, Any]:
        """What ``version.json`` holds."""
        return {
            "review": self.review_id,
            "number": self.number,
            "origin": self.origin,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "files": dict(self.files),
            "uploads": dict(self.uploads),
            "note": self.note,
            "published_at": self.published_at,
        }

    def manifest(self, manifest: ReviewManifest) -> ReviewManifest:
        """The version's own manifest (else ``manifest``), its inputs in this version's folder."""
        if MANIFEST in self.files:
            archived, _ = parse_manifest(self.folder / MANIFEST, self.folder)
            if archived is not None and archived.review_id == manifest.review_id:
                manifest = archived
        return replace(
            manifest,
            bibliography=self.bibliography,
            text=self.text,
            text_env=None,
            claims=self.claims,
            venues=self.folder / VENUES if VENUES in self.files else manifest.venues,
        )


def parse_version_id(text: str) -> tuple[str | None, int] | None:
    """``v3`` or ``<review>/v3`` (or ``<review>@v3``) as (review or None, 3); else None."""
    match = _VERSION_ID.match(text.strip())
    if match is None:
        return None
    return match["review"], int(match["number"])


class Archive:
    """The versions of every review, under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def versions(self, review_id: str) -> list[VersionRecord]:
        """Every complete version of a review, oldest first."""
        folder = self.root / review_id
        if not folder.is_dir():
            return []
        records = []
        for child in folder.iterdir():
            if child.name.isdigit() and (child / "version.json").is_file():
                records.append(self._read(child))
        return sorted(records, key=lambda r: r.number)

    def reviews(self) -> list[str]:
        """The reviews that have at least one version."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def get(self, review_id: str, number: int) -> VersionRecord:
        """One version; :class:`ArchiveError` when there is no such version."""
        folder = self.root / review_id / str(number)
        if not (folder / "version.json").is_file():
            raise ArchiveError(f"{review_id} has no version v{number}")
        return self._read(folder)

    def discard(self, record: VersionRecord) -> Path:
        """Put a draft aside (``<review>/discarded/<n>-<time>``); returns where it went.

        Kept rather than deleted, so that nothing an editor uploaded is lost; the caller
        makes sure the version was never published.
        """
        aside = self.root / record.review_id / "discarded"
        aside.mkdir(parents=True, exist_ok=True)
        target = aside / f"{record.number}-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}"
        with exclusive_lock(self.root / record.review_id / ".lock"):
            record.folder.replace(target)
        return target

    def find(self, version_id: str) -> VersionRecord:
        """A version by id: ``v3`` when the archive holds one review, else ``<review>/v3``."""
        parsed = parse_version_id(version_id)
        if parsed is None:
            raise ArchiveError(f"{version_id!r} is not a version id such as v2 or <review>/v2")
        review_id, number = parsed
        if review_id is None:
            reviews = self.reviews()
            if len(reviews) != 1:
                raise ArchiveError(
                    f"{version_id!r} is ambiguous: name the review, e.g. "
                    f"{(reviews or ['<review>'])[0]}/v{number}"
                )
            review_id = reviews[0]
        return self.get(review_id, number)

    def add(
        self,
        review_id: str,
        inputs: Mapping[str, bytes],
        *,
        origin: str,
        created_by: str,
        note: str = "",
        uploads: Mapping[str, bytes] | None = None,
    ) -> VersionRecord:
        """Archive a new version; ``inputs`` maps file names (``references.bib``, ...) to bytes."""
        if BIBLIOGRAPHY not in inputs:
            raise ArchiveError("a version needs a references.bib")
        for name in inputs:
            if name not in (BIBLIOGRAPHY, CLAIMS, MANIFEST, VENUES) and not is_text_name(name):
                raise ArchiveError(f"{name!r} is not an input a version can hold")
        review_folder = self.root / review_id
        review_folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(review_folder / ".lock"):
            number = max((r.number for r in self.versions(review_id)), default=0) + 1
            partial = review_folder / f"{number}.partial-{os.getpid()}"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                partial.mkdir()
                for name, data in inputs.items():
                    write_atomically(partial / name, data)
                if uploads:
                    (partial / "uploads").mkdir()
                    for name, data in uploads.items():
                        write_atomically(partial / "uploads" / name, data)
                record = VersionRecord(
                    review_id=review_id,
                    number=number,
                    folder=review_folder / str(number),
                    origin=origin,
                    created_by=created_by,
                    created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    files={name: sha256(data) for name, data in sorted(inputs.items())},
                    uploads={n: sha256(d) for n, d in sorted((uploads or {}).items())},
                    note=note,
                )
                write_atomically(partial / "version.json", _dump(record.to_json()))
                partial.rename(record.folder)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
        return record

    def record_project_version(
        self, manifest: ReviewManifest, text: Path | None, created_by: str
    ) -> VersionRecord:
        """The version for the files a manifest names: the last one if unchanged, else new.

        They are compared with the last version made from the project's files, so an
        editor's upload is never replaced by a rebuild of unchanged project files, and files
        put back as they were in an older version make a new version (the newest wins).
        """
        inputs = project_inputs(manifest, text)
        checksums = {name: sha256(data) for name, data in inputs.items()}
        made = [r for r in self.versions(manifest.review_id) if r.origin == "project"]
        if made and dict(made[-1].files) == checksums:
            return made[-1]
        return self.add(
            manifest.review_id,
            inputs,
            origin="project",
            created_by=created_by,
            note=f"the files named by {Path(manifest.path).name}",
        )

    def replace_claims(self, record: VersionRecord, text: str) -> VersionRecord:
        """Rewrite a draft's claims file (an editor confirmed a suggestion); keeps checksums."""
        return self.replace_input(record, CLAIMS, text.encode("utf-8"))

    def replace_input(self, record: VersionRecord, name: str, data: bytes) -> VersionRecord:
        """Rewrite one input of a draft (the editor changed it in the browser).

        Only the inputs a version holds (the reference list, claims, judgements): never a
        path of the caller's choosing.  The caller makes sure the version is a draft.
        """
        if name not in (BIBLIOGRAPHY, CLAIMS, VENUES):
            raise ArchiveError(f"{name!r} cannot be changed in place")
        with exclusive_lock(record.folder.parent / ".lock"):
            fresh = self._read(record.folder)  # never write back a stale record
            write_atomically(record.folder / name, data)
            updated = replace(fresh, files={**fresh.files, name: sha256(data)})
            write_atomically(record.folder / "version.json", _dump(updated.to_json()))
        return updated

    def mark_published(self, record: VersionRecord, when: str) -> VersionRecord:
        """Note in the version's record when it was published (the store is the authority)."""
        with exclusive_lock(record.folder.parent / ".lock"):
            updated = replace(self._read(record.folder), published_at=when)
            write_atomically(record.folder / "version.json", _dump(updated.to_json()))
        return updated

    def verify(self, record: VersionRecord) -> list[str]:
        """Files whose bytes no longer match their recorded checksum."""
        return [
            name
            for name, checksum in record.files.items()
            if not (record.folder / name).is_file()
            or sha256((record.folder / name).read_bytes()) != checksum
        ]

    def _read(self, folder: Path) -> VersionRecord:
        try:
            data = json.loads((folder / "version.json").read_text("utf-8"))
            return VersionRecord(
                review_id=str(data["review"]),
                number=int(data["number"]),
                folder=folder,
                origin=str(data["origin"]),
                created_by=str(data["created_by"]),
                created_at=str(data["created_at"]),
                files=dict(data["files"]),
                uploads=dict(data.get("uploads") or {}),
                note=str(data.get("note") or ""),
                published_at=data.get("published_at"),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{folder}: unreadable version.json ({exc})") from exc


def project_inputs(manifest: ReviewManifest, text: Path | None) -> dict[str, bytes]:
    """The files a manifest names, under the names a version folder gives them."""
    inputs: dict[str, bytes] = {
        BIBLIOGRAPHY: manifest.bibliography.read_bytes(),
        MANIFEST: Path(manifest.path).read_bytes(),
    }
    if text is not None and text.is_file():
        inputs[TEXT_STEM + text.suffix.lower()] = text.read_bytes()
    if manifest.claims is not None and manifest.claims.is_file():
        inputs[CLAIMS] = manifest.claims.read_bytes()
    if manifest.venues is not None and manifest.venues.is_file():
        inputs[VENUES] = manifest.venues.read_bytes()
    return inputs


def review_details(record: VersionRecord | None, manifest: ReviewManifest) -> dict[str, bytes]:
    """The manifest and venues an upload carries over: the current version's, else the project's."""
    if record is not None and MANIFEST in record.files:
        details = {MANIFEST: (record.folder / MANIFEST).read_bytes()}
        if VENUES in record.files:
            details[VENUES] = (record.folder / VENUES).read_bytes()
        return details
    details = {MANIFEST: Path(manifest.path).read_bytes()}
    if manifest.venues is not None and manifest.venues.is_file():
        details[VENUES] = manifest.venues.read_bytes()
    return details


def carried_over(record: VersionRecord) -> dict[str, bytes]:
    """A version's inputs (text, reference list, claims), as a new version starts from them."""
    return {
        name: (record.folder / name).read_bytes()
        for name in record.files
        if name in (BIBLIOGRAPHY, CLAIMS) or is_text_name(name)
    }


def is_text_name(name: str) -> bool:
    """A version's review text (``review.md``, ``review.docx``, ...)."""
    path = Path(name)
    return path.stem == TEXT_STEM and path.suffix.lower() in SUFFIXES


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
