"""Publish the library: every review's published versions, built, validated and swapped in.

Which versions are published is what the current build says (``build.json``, key
``versions``), so a publish that dies before its swap leaves that list, and the store,
exactly as they were.  The version archive (:mod:`ingest.archive`) keeps every version's
files; a build reads them from there, never from wherever they first came.

Two ways in:

- ``evkg build``: the files that each review's manifest names become a new version when they
  changed since that manifest's last version, and it is published with the others;
- an editor's publish (web or ``evkg publish``): one uploaded draft joins the published ones.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any

from rdflib import Dataset

from ingest.archive import ArchiveError, VersionRecord, current_user
from ingest.manifest import ReviewManifest
from ingest.pipeline import (
    missing_bibliography,
    read_manifests,
    review_text_path,
)
from ingest.problems import Problem
from ingest.safe_files import exclusive_lock
from kg.answers.index import write_index
from kg.build.dataset import (
    build_dataset,
    input_digest,
    latest_versions,
    review_checksums,
    software_version,
)
from kg.config import Settings
from kg.errors import InputError, ProblemsFound, StoreError
from kg.library.assembly import (
    BuildRequest,
    LibraryBuild,
    PublishOptions,
    archive_of,
    assemble,
    current_graph_names,
    gate,
    key_clashes,
    problem_lines,
    refuse_failed_shacl,
    review_summary,
    validate_snapshots,
)
from kg.library.backend import Published, current_info, publish_to, send_build
from kg.library.incremental import build_increment, previous_build
from kg.rdf.concepts import Vocabulary, load_vocabulary
from kg.rdf.validate import (
    shapes_checksum,
)
from kg.store.record import BuildRecord

LOG = logging.getLogger(__name__)


def published_versions(settings: Settings) -> dict[str, list[int]]:
    """Each review's published version numbers, as the current build records them.

    Before the first build (or when the store was deleted) the archive's own notes of what
    was published are the fallback, so the library can be rebuilt from the archive alone.
    """
    found = BuildRecord(current_info(settings) or {}).versions
    if found is not None:
        return found
    archive = archive_of(settings)
    return {
        review: [r.number for r in archive.versions(review) if r.published_at]
        for review in archive.reviews()
    }


class VersionState(StrEnum):
    """Where an archived version stands."""

    CURRENT = "current"  # the newest published version: what answers read
    PUBLISHED = "published"  # published before, shown with ?version=
    DRAFT = "draft"  # uploaded, not published


def version_state(number: int, published: Sequence[int]) -> VersionState:
    """The state of version ``number`` of a review whose published versions are ``published``."""
    if number not in published:
        return VersionState.DRAFT
    return VersionState.CURRENT if number == max(published) else VersionState.PUBLISHED


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """A failed write (a full disk, a read-only folder) is a clean StoreError, not a crash."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise StoreError(
            f"could not write{where}: {exc.strerror or exc}. Nothing was published and the "
            "previous store is untouched"
        ) from exc


LIBRARY_LOCK = ".library.lock"


@contextlib.contextmanager
def library_lock(settings: Settings) -> Iterator[None]:
    """One writer of the library at a time: from reading what is published to the swap.

    Publishing, building, and editing a draft (confirming a suggestion) all hold it, so two
    publishes cannot each start from the same published list and drop the other's version,
    and a draft cannot change while it is being built.
    """
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(settings.store_dir / LIBRARY_LOCK):
        yield


def build_project(settings: Settings, options: PublishOptions) -> tuple[LibraryBuild, Published]:
    """``evkg build``: archive changed project files as new versions, then publish."""
    with library_lock(settings):
        with _writing():
            built, published = _build_project(settings, options)
        _note_published(settings, built)
    return built, published


def _build_project(settings: Settings, options: PublishOptions) -> tuple[LibraryBuild, Published]:
    manifests, problems = read_manifests(settings.reviews_dir, settings.root)
    if not manifests:
        raise ProblemsFound(problem_lines(problems) or "no review manifests were found", problems)
    archive = archive_of(settings)
    versions = published_versions(settings)
    new: dict[str, VersionRecord] = {}
    who = current_user()
    for manifest in manifests:
        if manifest.uploads_only:
            continue  # its versions are editors' uploads, published one by one
        if not manifest.bibliography.is_file():
            problems.append(missing_bibliography(manifest))
            continue
        record = archive.record_project_version(manifest, review_text_path(manifest), who)
        numbers = versions.setdefault(manifest.review_id, [])
        if record.number not in numbers:
            numbers.append(record.number)
            new[manifest.review_id] = record
    return _build_and_publish(settings, manifests, versions, new, problems, options)


def publish_version(
    settings: Settings, record: VersionRecord, options: PublishOptions
) -> tuple[LibraryBuild, Published]:
    """Publish one archived version (an editor's draft) beside the published ones."""
    with library_lock(settings):
        manifests, problems = read_manifests(settings.reviews_dir, settings.root)
        if record.review_id not in {m.review_id for m in manifests}:
            raise InputError(f"no manifest describes the review {record.review_id!r}")
        # Read again under the lock: the draft may have changed since the caller looked.
        record = archive_of(settings).get(record.review_id, record.number)
        versions = published_versions(settings)
        numbers = versions.setdefault(record.review_id, [])
        if record.number in numbers:
            raise InputError(f"{record.qualified_id} is already published")
        if numbers and record.number < max(numbers):
            raise InputError(
                f"{record.qualified_id} is older than the published v{max(numbers)}: upload it "
                "again to make it the newest version"
            )
        numbers.append(record.number)
        with _writing():
            built, published = _build_and_publish(
                settings, manifests, versions, {record.review_id: record}, problems, options
            )
        _note_published(settings, built)
    return built, published


def _note_published(settings: Settings, built: LibraryBuild) -> None:
    """After the swap: note in each new version's record that it is published.

    The store already says so; this note only lets the library be rebuilt from the archive
    alone.  A failure here is logged, never reported as a failed publish.
    """
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    archive = archive_of(settings)
    noted = []
    for record in built.new:
        try:
            noted.append(archive.mark_published(record, when))
        except (OSError, ArchiveError) as exc:
            LOG.warning("published %s, but could not note it in the archive: %s", record, exc)
            noted.append(record)
    built.new = noted


def _build_and_publish(
    settings: Settings,
    manifests: Sequence[ReviewManifest],
    versions: dict[str, list[int]],
    new: Mapping[str, VersionRecord],
    problems: list[Problem],
    options: PublishOptions,
) -> tuple[LibraryBuild, Published]:
    vocabulary = load_vocabulary()
    request = BuildRequest(settings, manifests, versions, new, problems, options, vocabulary)
    previous = previous_build(
        settings, vocabulary, manifests, new, options.strict, options.bib_encoding
    )
    if previous is not None:
        made = build_increment(request, previous)
        built = LibraryBuild(
            made.reviews,
            made.problems,
            Dataset(),
            BuildRecord.read(made.path).current_graphs,
            made.report,
            versions,
            list(new.values()),
        )
        return built, send_build(settings, made.path, unchanged_since=previous.folder.name)
    reviews, found = assemble(settings, manifests, versions, vocabulary, options)
    problems = problems + found + key_clashes(reviews)
    gate(problems, reviews, options)
    dataset = build_dataset(reviews, vocabulary)
    report = validate_snapshots(dataset, reviews, settings, new)
    refuse_failed_shacl(report, options)
    current = current_graph_names(dataset, reviews)
    built = LibraryBuild(reviews, problems, dataset, current, report, versions, list(new.values()))
    info = {
        **_summary(built, vocabulary),
        "shapes_checksum": shapes_checksum(settings.shapes),
        "bib_encoding": options.bib_encoding,
    }
    published = publish_to(settings, dataset, info, current, write_index)
    return built, published


def _summary(built: LibraryBuild, vocabulary: Vocabulary) -> dict[str, Any]:
    by_review: dict[str, list[str]] = {}
    for review in built.reviews:
        by_review.setdefault(review.manifest.review_id, []).extend(review_checksums(review))
    checksums = [vocabulary.checksum] + [c for cs in by_review.values() for c in cs]
    latest = latest_versions(built.reviews)
    return {
        "digest": input_digest(checksums),
        "software_version": software_version(),
        # What a later build that adds or changes one review needs to go on from this one
        # (kg.library.incremental): every input's checksum by review, the vocabulary and the shapes.
        "input_checksums": {k: sorted(v) for k, v in sorted(by_review.items())},
        "vocabulary_checksum": vocabulary.checksum,
        "build_kind": "full",
        "versions": {k: sorted(v) for k, v in sorted(built.versions.items()) if v},
        "reviews": [
            review_summary(r) for r in sorted(latest.values(), key=lambda r: r.manifest.review_id)
        ],
        "problems": [p.to_json() for p in built.problems],
        "shacl": [vars(r) for r in built.shacl.results],
        "graphs": sorted(str(g.identifier) for g in built.dataset.graphs() if len(g)),
    }
