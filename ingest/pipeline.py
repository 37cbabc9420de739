"""Run the ingesters in order for every review manifest.  It knows the order, not the details."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.bibrecords import Bibliography
from ingest.bibtex import parse_bibtex
from ingest.manifest import ReviewManifest, parse_manifest
from ingest.problems import Problem, Severity


@dataclass(frozen=True)
class ReviewInputs:
    """Everything read for one review."""

    manifest: ReviewManifest
    bibliography: Bibliography


@dataclass(frozen=True)
class IngestResult:
    """The reviews that could be read, and every problem met on the way."""

    reviews: tuple[ReviewInputs, ...]
    problems: tuple[Problem, ...]


def ingest_reviews(
    reviews_dir: Path, root: Path, *, bib_encoding: str | None = None
) -> IngestResult:
    """Read every ``*.toml`` manifest in ``reviews_dir`` and the inputs each one names."""
    manifests = sorted(reviews_dir.glob("*.toml"))
    if not manifests:
        problem = Problem(
            str(reviews_dir),
            None,
            Severity.ERROR,
            "manifest.none",
            "no review manifests (*.toml) found",
        )
        return IngestResult((), (problem,))
    reviews: list[ReviewInputs] = []
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    for path in manifests:
        manifest, manifest_problems = parse_manifest(path, root)
        problems.extend(manifest_problems)
        if manifest is None:
            continue
        if manifest.review_id in seen_ids:
            problems.append(
                Problem(
                    str(path),
                    None,
                    Severity.ERROR,
                    "manifest.duplicate-id",
                    f"id {manifest.review_id!r} is also used by {seen_ids[manifest.review_id]}",
                )
            )
            continue
        seen_ids[manifest.review_id] = str(path)
        if not manifest.bibliography.is_file():
            problems.append(
                Problem(
                    str(path),
                    None,
                    Severity.ERROR,
                    "manifest.missing-input",
                    f"bibliography {manifest.bibliography} does not exist",
                )
            )
            continue
        bibliography = parse_bibtex(manifest.bibliography, encoding=bib_encoding)
        problems.extend(bibliography.problems)
        reviews.append(ReviewInputs(manifest, bibliography))
    return IngestResult(tuple(reviews), tuple(problems))
