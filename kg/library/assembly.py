"""What full and incremental builds share: reading versions, the publish gate and SHACL.

A build reads each review's listed versions from the archive (:func:`assemble`), refuses to
publish what has errors unless the editor accepts them (:func:`gate`), refuses two works that
share a key (:func:`key_clashes`) and validates what it made within a time limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, URIRef

from ingest.archive import Archive, ArchiveError, VersionRecord
from ingest.manifest import ReviewManifest
from ingest.pipeline import ReviewInputs, ingest_review
from ingest.problems import Problem, Severity
from kg.build.dataset import canonical_source_iris, latest_versions
from kg.config import Settings
from kg.errors import KGError, ProblemsFound
from kg.rdf import ids
from kg.rdf.concepts import Vocabulary
from kg.rdf.validate import ShapeResult, ValidationReport, load_shapes, validate_dataset


class ValidationTimeout(KGError):
    """SHACL validation ran past its time limit: nothing is published (fail closed)."""

    exit_code = 1


@dataclass(frozen=True)
class PublishOptions:
    """How strict a publish is."""

    accept_errors: bool = False  # publish the BibTeX entries that could be read
    strict: bool = False  # warnings block too
    bib_encoding: str | None = None


@dataclass(frozen=True)
class BuildRequest:
    """What a build is asked to publish: each review's versions, and which of them are new."""

    settings: Settings
    manifests: Sequence[ReviewManifest]
    versions: dict[str, list[int]]
    new: Mapping[str, VersionRecord]
    problems: list[Problem]  # found before building (in the manifests, say)
    options: PublishOptions
    vocabulary: Vocabulary


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
        # A dict keeps the first of each finding in order: linear, where `not in` on a list was
        # quadratic (a 100,000-entry upload grew the server past 8 GB).
        results = list(dict.fromkeys([*results, *report.results]))
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
                problems.append(key_clash(review, key, other[0]))
    return problems


def key_clash(review: ReviewInputs, key: str, other_review: str) -> Problem:
    """The error for a key of this review that names another work in ``other_review``."""
    return Problem(
        review.bibliography.path,
        None,
        Severity.ERROR,
        "library.key-clash",
        f"the key {key} names another work in {other_review}: give one of the two a key of its own",
        key,
    )


def gate(problems: list[Problem], reviews: list[ReviewInputs], options: PublishOptions) -> None:
    """Refuse to publish inputs with errors, unless the editor accepted the entries' errors."""
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
            f"{problem_lines(problems)}\nno entries could be read for {', '.join(empty)}: "
            "nothing was published and the previous store is untouched",
            problems,
        )
    if (errors and not options.accept_errors) or unacceptable or (options.strict and warnings):
        raise ProblemsFound(
            f"{problem_lines(problems)}\n{errors} error(s), {warnings} warning(s): nothing was "
            "published and the previous store is untouched. Fix the inputs, or pass "
            "--accept-errors to publish the entries that could be read.",
            problems,
        )
    if not reviews:
        raise ProblemsFound(problem_lines(problems) or "nothing to publish", problems)


def problem_lines(problems: Sequence[Problem]) -> str:
    """The problems, one a line, for an error message."""
    return "\n".join(str(p) for p in problems)


def refuse_failed_shacl(report: ValidationReport, options: PublishOptions) -> None:
    """Stop the publish when SHACL found violations (or, under ``--strict``, warnings)."""
    if report.violations or (options.strict and report.warnings):
        raise ProblemsFound(
            f"SHACL: {len(report.violations)} violation(s), {len(report.warnings)} warning(s): "
            "nothing was published and the previous store is untouched\n"
            + "\n".join(f"shacl {r}" for r in report.results),
            [_shacl_problem(r) for r in report.results],
        )


def _shacl_problem(result: Any) -> Problem:
    severity = Severity.ERROR if result.severity == "violation" else Severity.WARNING
    return Problem(
        "shacl",
        None,
        severity,
        "shacl",
        f"{result.focus} {result.path or ''}: {result.message}".replace("  ", " "),
    )


def review_summary(review: ReviewInputs) -> dict[str, Any]:
    """What ``build.json`` says about one review's newest version."""
    return {
        "id": review.manifest.review_id,
        "version": review.version.id if review.version else None,
        "sources": len(review.bibliography.entries),
        "bibliography": {
            "file": Path(review.bibliography.path).name,
            "sha256": review.bibliography.checksum,
        },
        "manifest": {"file": Path(review.manifest.path).name, "sha256": review.manifest.checksum},
    }
