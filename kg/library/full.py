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
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, URIRef

from ingest.archive import Archive, ArchiveError, VersionRecord, current_user
from ingest.manifest import ReviewManifest
from ingest.pipeline import (
    ReviewInputs,
    ingest_review,
    missing_bibliography,
    read_manifests,
    review_text_path,
)
from ingest.problems import Problem, Severity
from ingest.safe_files import exclusive_lock
from kg.answers.index import write_index
from kg.build.dataset import (
    build_dataset,
    canonical_source_iris,
    input_digest,
    latest_versions,
    review_checksums,
    software_version,
)
from kg.config import Settings
from kg.errors import InputError, KGError, ProblemsFound, StoreError
from kg.library.incremental import build_increment, previous_build
from kg.rdf import ids
from kg.rdf.concepts import Vocabulary, load_vocabulary
from kg.rdf.validate import (
    ShapeResult,
    ValidationReport,
    load_shapes,
    shapes_checksum,
    validate_dataset,
)
from kg.store.backend import Published, current_info, publish_to, send_build

LOG = logging.getLogger(__name__)


class ValidationTimeout(KGError):
    """SHACL validation ran past its time limit: nothing is published (fail closed)."""

    exit_code = 1


@dataclass(frozen=True)
class PublishOptions:
    """How strict a publish is."""

    accept_errors: bool = False  # publish the BibTeX entries that could be read
    strict: bool = False  # warnings block too
    bib_encoding: str | None = None


@dataclass
class LibraryBuild:
    """Everything one build read and made, before it is published."""

    reviews: list[ReviewInputs]
    problems: list[Problem]  # of the versions being published now
    dataset: Dataset
    current_graphs: list[str]
    shacl: ValidationReport
    versions: dict[str, list[int]]
    new: list[VersionRecord] = field(default_factory=list)


def archive_of(settings: Settings) -> Archive:
    """The version archive that belongs to a store."""
    return Archive(settings.store_dir / "versions")


def published_versions(settings: Settings) -> dict[str, list[int]]:
    """Each review's published version numbers, as the current build records them.

    Before the first build (or when the store was deleted) the archive's own notes of what
    was published are the fallback, so the library can be rebuilt from the archive alone.
    """
    data = current_info(settings) or {}
    if isinstance(data.get("versions"), dict):
        return {str(k): sorted(int(n) for n in v) for k, v in data["versions"].items()}
    archive = archive_of(settings)
    return {
        review: [r.number for r in archive.versions(review) if r.published_at]
        for review in archive.reviews()
    }


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
        raise ProblemsFound(_problem_lines(problems) or "no review manifests were found")
    archive = archive_of(settings)
    versions = published_versions(settings)
    new: dict[str, VersionRecord] = {}
    who = current_user()
    for manifest in manifests:
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


def assemble(
    settings: Settings,
    manifests: Sequence[ReviewManifest],
    versions: Mapping[str, Sequence[int]],
    vocabulary: Vocabulary,
    options: PublishOptions,
) -> tuple[list[ReviewInputs], list[Problem]]:
    """Read every listed version of every review; problems only for each review's newest."""
    archive = archive_of(settings)
    reviews: list[ReviewInputs] = []
    problems: list[Problem] = []
    for manifest in manifests:
        numbers = sorted(versions.get(manifest.review_id, ()))
        for number in numbers:
            try:
                record = archive.get(manifest.review_id, number)
            except ArchiveError as exc:
                problems.append(
                    Problem(manifest.path, None, Severity.ERROR, "version.missing", str(exc))
                )
                continue
            damaged = archive.verify(record)
            if damaged:
                problems.append(damaged_version(record, damaged))
                continue
            review, found = ingest_review(
                record.manifest(manifest),
                record.text,
                bib_encoding=options.bib_encoding,
                vocabulary=vocabulary.concept_ids(),
                version=record,
            )
            if number == numbers[-1]:
                problems.extend(found)
            if review is not None:
                reviews.append(review)
    return reviews, problems


def damaged_version(record: VersionRecord, damaged: Sequence[str]) -> Problem:
    """The error for an archived version whose files no longer match their checksums."""
    return Problem(
        str(record.folder),
        None,
        Severity.ERROR,
        "version.checksum",
        f"{record.qualified_id}: {', '.join(damaged)} no longer match their recorded checksums",
    )


def current_graph_names(dataset: Dataset, reviews: Sequence[ReviewInputs]) -> list[str]:
    """The graphs answers read by default: shared ones and each review's newest version."""
    chosen = {
        review_id: r.version.number
        for review_id, r in latest_versions(reviews).items()
        if r.version is not None
    }
    return snapshot_graph_names((str(g.identifier) for g in dataset.graphs() if len(g)), chosen)


def snapshot_graph_names(graphs: Any, chosen: Mapping[str, int]) -> list[str]:
    """Of ``graphs``, the shared ones and, for each review, those of its chosen version."""
    picked = []
    for name in graphs:
        review_id, number = ids.graph_version(name)
        if number is None or chosen.get(review_id or "") == number:
            picked.append(name)
    return sorted(picked)


def validate_snapshots(
    dataset: Dataset,
    reviews: Sequence[ReviewInputs],
    settings: Settings,
    new: Mapping[str, VersionRecord] | None = None,
) -> ValidationReport:
    """SHACL on the current snapshot and on each new version's (``new``: review -> version).

    Older versions were checked when they were published.  Missing or unreadable shapes are
    a hard failure; so is running past the time limit.
    """
    shapes = load_shapes(settings.shapes)
    names = [str(g.identifier) for g in dataset.graphs() if len(g)]
    current = {
        k: r.version.number for k, r in latest_versions(reviews).items() if r.version is not None
    }
    choices = [current]
    for review_id, record in (new or {}).items():
        if current.get(review_id) != record.number:
            choices.append({**current, review_id: record.number})
    deadline = time.monotonic() + settings.shacl_timeout
    results: list[ShapeResult] = []
    for choice in choices:
        snapshot = Dataset()
        for name in snapshot_graph_names(names, choice):
            graph = dataset.graph(URIRef(name))
            target = snapshot.graph(URIRef(name))
            for triple in graph:
                target.add(triple)
        report = validate_within(snapshot, shapes, deadline - time.monotonic())
        results.extend(r for r in report.results if r not in results)
    return ValidationReport(
        not any(r.severity == "violation" for r in results),
        tuple(sorted(results, key=lambda r: (r.severity, r.focus, r.path or ""))),
    )


def validate_within(dataset: Dataset, shapes: Any, seconds: float) -> ValidationReport:
    """SHACL with a time limit: past it, a ValidationTimeout (nothing is published)."""
    outcome: list[ValidationReport | BaseException] = []

    def run() -> None:
        try:
            outcome.append(validate_dataset(dataset, shapes))
        except BaseException as exc:
            outcome.append(exc)

    # A daemon thread: a validation that never ends cannot keep the process alive.
    worker = threading.Thread(target=run, daemon=True, name="shacl")
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive() or not outcome:
        raise ValidationTimeout(
            "SHACL validation ran past its time limit (EVKG_SHACL_TIMEOUT): nothing was "
            "published and the previous store is untouched"
        )
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _build_and_publish(
    settings: Settings,
    manifests: Sequence[ReviewManifest],
    versions: dict[str, list[int]],
    new: Mapping[str, VersionRecord],
    problems: list[Problem],
    options: PublishOptions,
) -> tuple[LibraryBuild, Published]:
    vocabulary = load_vocabulary()
    previous = previous_build(
        settings, vocabulary, manifests, new, options.strict, options.bib_encoding
    )
    if previous is not None:
        reviews, problems, report, _, path = build_increment(
            settings, manifests, versions, new, problems, options, vocabulary, previous
        )
        info = _read_info(path)
        built = LibraryBuild(
            reviews,
            problems,
            Dataset(),
            info["current_graphs"],
            report,
            versions,
            list(new.values()),
        )
        return built, send_build(settings, path, unchanged_since=previous[0].name)
    reviews, found = assemble(settings, manifests, versions, vocabulary, options)
    problems = problems + found + key_clashes(reviews)
    _gate(problems, reviews, options)
    dataset = build_dataset(reviews, vocabulary)
    report = validate_snapshots(dataset, reviews, settings, new)
    if report.violations or (options.strict and report.warnings):
        raise ProblemsFound(
            f"SHACL: {len(report.violations)} violation(s), {len(report.warnings)} warning(s): "
            "nothing was published and the previous store is untouched\n"
            + "\n".join(f"shacl {r}" for r in report.results)
        )
    current = current_graph_names(dataset, reviews)
    built = LibraryBuild(reviews, problems, dataset, current, report, versions, list(new.values()))
    info = {
        **_summary(built, vocabulary),
        "shapes_checksum": shapes_checksum(settings.shapes),
        "bib_encoding": options.bib_encoding,
    }
    published = publish_to(settings, dataset, info, current, write_index)
    return built, published


def _read_info(path: Path) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads((path / "build.json").read_text("utf-8"))
    return data


def key_clashes(reviews: Sequence[ReviewInputs]) -> list[Problem]:
    """Errors for a bib key that two reviews use for two different works.

    Answers and pages find a source by its key across the whole library, so such a pair would
    be shown as one work; until sources are told apart by review, the build refuses it.
    """
    used: dict[str, tuple[str, URIRef]] = {}
    problems = []
    for review in latest_versions(reviews).values():
        for key, iri in canonical_source_iris(review.bibliography).items():
            other = used.setdefault(key, (review.manifest.review_id, iri))
            if other[1] != iri:
                problems.append(
                    Problem(
                        review.bibliography.path,
                        None,
                        Severity.ERROR,
                        "library.key-clash",
                        f"the key {key} names another work in {other[0]}: give one of the two "
                        "a key of its own",
                        key,
                    )
                )
    return problems


def _gate(problems: list[Problem], reviews: list[ReviewInputs], options: PublishOptions) -> None:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    # --accept-errors lets an editor publish the *entries* that could be read; an input that
    # could not be read at all (a review text, a manifest) is never published in part.
    unacceptable = [
        p for p in problems if p.severity is Severity.ERROR and not p.code.startswith("bib.")
    ]
    empty = sorted(
        {
            r.manifest.review_id
            for r in latest_versions(reviews).values()
            if not r.bibliography.entries
        }
    )
    if empty:
        raise ProblemsFound(
            f"{_problem_lines(problems)}\nno entries could be read for {', '.join(empty)}: "
            "nothing was published and the previous store is untouched"
        )
    if (errors and not options.accept_errors) or unacceptable or (options.strict and warnings):
        raise ProblemsFound(
            f"{_problem_lines(problems)}\n{errors} error(s), {warnings} warning(s): nothing was "
            "published and the previous store is untouched. Fix the inputs, or pass "
            "--accept-errors to publish the entries that could be read."
        )
    if not reviews:
        raise ProblemsFound(_problem_lines(problems) or "nothing to publish")


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
            {
                "id": r.manifest.review_id,
                "version": r.version.id if r.version else None,
                "sources": len(r.bibliography.entries),
                "bibliography": {
                    "file": Path(r.bibliography.path).name,
                    "sha256": r.bibliography.checksum,
                },
                "manifest": {"file": Path(r.manifest.path).name, "sha256": r.manifest.checksum},
            }
            for r in sorted(latest.values(), key=lambda r: r.manifest.review_id)
        ],
        "problems": [p.to_json() for p in built.problems],
        "shacl": [vars(r) for r in built.shacl.results],
        "graphs": sorted(str(g.identifier) for g in built.dataset.graphs() if len(g)),
    }


def _problem_lines(problems: Sequence[Problem]) -> str:
    return "\n".join(str(p) for p in problems)
