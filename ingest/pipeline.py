"""Run the ingesters in order for every review manifest.  It knows the order, not the details."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.appraisals import load_appraisals
from ingest.archive import VersionRecord
from ingest.audit import SEEN_NOT_IN_LIST, Audit, audit_review
from ingest.bibrecords import Bibliography
from ingest.citation_judgements import load_citation_judgements
from ingest.claims import ClaimSet, check_claims, parse_claims
from ingest.manifest import ReviewManifest, parse_manifest
from ingest.problems import Problem, Severity
from ingest.profiles import SourceProfile, load_venues, profile_records
from ingest.reference_formats import read_reference_list
from ingest.resolve import Status
from ingest.review import locator_index, parse_review
from ingest.review_concepts import ReviewConcepts, load_review_concepts, merged_ids
from ingest.review_files import ReviewFileError


@dataclass(frozen=True)
class ReviewInputs:
    """Everything read for one review."""

    manifest: ReviewManifest
    bibliography: Bibliography
    audit: Audit | None = None  # None when the review's text is not available here
    claims: ClaimSet | None = None
    profiles: Mapping[str, SourceProfile] = field(default_factory=dict)
    venues_checksum: str | None = None
    version: VersionRecord | None = None  # None for inputs read outside the version archive
    # Concepts this review's editors added to the vocabulary (or merged into it).
    concepts: ReviewConcepts = field(default_factory=ReviewConcepts)


@dataclass(frozen=True)
class IngestResult:
    """The reviews that could be read, and every problem met on the way."""

    reviews: tuple[ReviewInputs, ...]
    problems: tuple[Problem, ...]


def ingest_reviews(
    reviews_dir: Path,
    root: Path,
    *,
    bib_encoding: str | None = None,
    vocabulary: Mapping[str, set[str]] | None = None,
) -> IngestResult:
    """Read every ``*.toml`` manifest in ``reviews_dir`` and the inputs each one names."""
    manifests, problems = read_manifests(reviews_dir, root)
    reviews: list[ReviewInputs] = []
    for manifest in manifests:
        if manifest.uploads_only:
            continue  # no files of its own: its versions are in the archive
        review, review_problems = ingest_review(
            manifest, review_text_path(manifest), bib_encoding=bib_encoding, vocabulary=vocabulary
        )
        problems.extend(review_problems)
        if review is not None:
            reviews.append(review)
    return IngestResult(tuple(reviews), tuple(problems))


def read_manifests(reviews_dir: Path, root: Path) -> tuple[list[ReviewManifest], list[Problem]]:
    """Every readable manifest in ``reviews_dir``, and the problems with the others."""
    paths = sorted(reviews_dir.glob("*.toml"))
    if not paths:
        problem = Problem(
            str(reviews_dir),
            None,
            Severity.ERROR,
            "manifest.none",
            "no review manifests (*.toml) found",
        )
        return [], [problem]
    manifests: list[ReviewManifest] = []
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    for path in paths:
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
        manifests.append(manifest)
    return manifests, problems


def ingest_review(
    manifest: ReviewManifest,
    text: Path | None,
    *,
    bib_encoding: str | None = None,
    vocabulary: Mapping[str, set[str]] | None = None,
    version: VersionRecord | None = None,
) -> tuple[ReviewInputs | None, list[Problem]]:
    """Read one review's inputs: its bibliography, its text (from ``text``) and its claims."""
    if not manifest.bibliography.is_file():
        return None, [missing_bibliography(manifest)]
    problems: list[Problem] = []
    bibliography = read_reference_list(manifest.bibliography, encoding=bib_encoding)
    problems.extend(bibliography.problems)
    audit, text_problems = _read_text(manifest, text, bibliography)
    problems.extend(text_problems)
    concepts = load_review_concepts(manifest.venues, vocabulary)
    problems.extend(concepts.problems)
    if vocabulary is not None:
        vocabulary = merged_ids(vocabulary, concepts.ids())
    claims, claim_problems = _read_claims(manifest, bibliography, audit, vocabulary)
    problems.extend(claim_problems)
    profiles = profile_records(
        bibliography.entries,
        claims.claims if claims is not None else (),
        manifest.authors,
        load_venues(manifest.venues),
    )
    appraisals, appraisal_problems = load_appraisals(
        manifest.venues, {e.key for e in bibliography.entries}
    )
    problems.extend(appraisal_problems)
    profiles = {
        key: replace(profile, appraisal=appraisals.get(key)) for key, profile in profiles.items()
    }
    venues_checksum = (
        hashlib.sha256(manifest.venues.read_bytes()).hexdigest()
        if manifest.venues is not None and manifest.venues.is_file()
        else None
    )
    review = ReviewInputs(
        manifest, bibliography, audit, claims, profiles, venues_checksum, version, concepts
    )
    return review, problems


def missing_bibliography(manifest: ReviewManifest) -> Problem:
    """The error for a manifest whose bibliography is not there."""
    return Problem(
        manifest.path,
        None,
        Severity.ERROR,
        "manifest.missing-input",
        f"bibliography {manifest.bibliography} does not exist",
    )


def review_text_path(manifest: ReviewManifest) -> Path | None:
    """Where this review's text is read from: its variable if set, else the manifest's path."""
    override = os.environ.get(manifest.text_env) if manifest.text_env else None
    return Path(override) if override else manifest.text


def _read_text(
    manifest: ReviewManifest, path: Path | None, bibliography: Bibliography
) -> tuple[Audit | None, list[Problem]]:
    if path is None:
        return None, []
    if not path.is_file():
        hint = f" (set {manifest.text_env})" if manifest.text_env else ""
        return None, [
            Problem(
                manifest.path,
                None,
                Severity.WARNING,
                "review.text-missing",
                f"the review's text is not at {path}{hint}: its sentences and "
                "citations are left out of this build",
            )
        ]
    try:
        judgements = load_citation_judgements(manifest.venues)
        audit = audit_review(parse_review(path), bibliography, judgements)
    except ReviewFileError as exc:
        return None, [Problem(str(path), None, Severity.ERROR, "review.unreadable", str(exc))]
    return audit, _audit_problems(audit, str(path))


def _read_claims(
    manifest: ReviewManifest,
    bibliography: Bibliography,
    audit: Audit | None,
    vocabulary: Mapping[str, set[str]] | None,
) -> tuple[ClaimSet | None, list[Problem]]:
    if manifest.claims is None:
        return None, []
    if not manifest.claims.is_file():
        return None, [
            Problem(
                manifest.path,
                None,
                Severity.ERROR,
                "manifest.missing-input",
                f"claims file {manifest.claims} does not exist",
            )
        ]
    claims = parse_claims(manifest.claims)
    problems = list(claims.problems)
    sentence_at = locator_index(audit.review) if audit is not None else None
    cited_at: dict[int, set[str]] = {}
    for item in audit.mentions if audit is not None else ():
        name = item.resolution.key or f"unresolved: {item.mention.cited_as}"
        cited_at.setdefault(item.sentence.index, set()).add(name)
    texts = (
        {s.index: audit.review.sentence_text(s) for s in audit.review.sentences}
        if audit is not None
        else None
    )
    problems += check_claims(
        claims, [e.key for e in bibliography.entries], vocabulary, sentence_at, cited_at, texts
    )
    return claims, problems


def _audit_problems(audit: Audit, path: str) -> list[Problem]:
    problems = []
    for work in audit.unresolved_works():
        seen = work["reason"] == SEEN_NOT_IN_LIST
        problems.append(
            Problem(
                path,
                None,
                Severity.WARNING,
                "cite.unresolved-seen" if seen else "cite.unresolved",
                f"{' / '.join(work['cited_as'])} has no reference "
                f"(in {', '.join(work['sections'])})"
                + ("; the editors have seen it: it is not in the reference list" if seen else ""),
            )
        )
    for item in audit.of_status(Status.AMBIGUOUS):
        problems.append(
            Problem(
                path,
                None,
                Severity.WARNING,
                "cite.ambiguous",
                f"{item.mention.cited_as} could be {', '.join(item.resolution.candidates)}",
            )
        )
    for bracket in audit.unreadable:
        problems.append(
            Problem(
                path,
                None,
                Severity.WARNING,
                "cite.unreadable",
                f"{bracket.text} holds a year but could not be read as a citation "
                f"(in {bracket.section}, sentence {bracket.sentence}): check its form",
            )
        )
    for key in audit.uncited:
        problems.append(
            Problem(
                path,
                None,
                Severity.WARNING,
                "cite.uncited",
                f"reference {key} is never cited in the text",
                key,
            )
        )
    return problems
