"""What changed in the evidence between two versions of a review.

A version is a folder with the review's text (``.txt``, ``.md``, ``.docx`` or ``.pdf``), its
``references.bib`` and, optionally, a ``*.claims.yaml``.  The diff is semantic: references by
key and field, citations by section, claims by id, and what that means for each concept and
each cell of the gap map, so that an editor reads "hope lost a source", not a text diff.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.appraisals import Appraisal, load_appraisals
from ingest.audit import Audit, audit_review
from ingest.bibrecords import BibEntry
from ingest.bibtex import parse_bibtex
from ingest.citation_judgements import load_citation_judgements
from ingest.claims import Claim, check_claims, parse_claims
from ingest.problems import Problem, Severity
from ingest.resolve import Status
from ingest.review import locator_index, parse_review
from ingest.review_files import SUFFIXES, ReviewFileError


class VersionError(ValueError):
    """A folder that is not a readable review version."""


@dataclass(frozen=True)
class Version:
    """One version of a review, read from its folder."""

    path: Path
    entries: dict[str, BibEntry]
    audit: Audit | None
    claims: dict[str, Claim]
    appraisals: dict[str, Appraisal] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()  # found reading its reference list and claims


def read_version(folder: Path) -> Version:
    """Read a version folder; raises :class:`VersionError` with the reason."""
    if not folder.is_dir():
        raise VersionError(f"{folder}: not a folder")
    bib = folder / "references.bib"
    if not bib.is_file():
        raise VersionError(f"{folder}: no references.bib")
    bibliography = parse_bibtex(bib)
    texts = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUFFIXES and not p.name.endswith(".claims.yaml")
    )
    audit = None
    # The editors' judgements file, under its archived name or the project's.
    judgements_file = next(iter(sorted(folder.glob("*venues.yaml"))), None)
    if texts:
        try:
            audit = audit_review(
                parse_review(texts[0]), bibliography, load_citation_judgements(judgements_file)
            )
        except ReviewFileError as exc:
            raise VersionError(str(exc)) from exc
    claim_files = sorted(folder.glob("*.claims.yaml"))
    claim_set = parse_claims(claim_files[0]) if claim_files else None
    claims = {c.id: c for c in claim_set.claims} if claim_set is not None else {}
    problems: tuple[Problem, ...] = tuple(bibliography.problems)
    if claim_set is not None:
        at = locator_index(audit.review) if audit is not None else None
        problems += (
            *claim_set.problems,
            *check_claims(claim_set, list(bibliography.by_key()), None, at),
        )
    appraisals, _ = load_appraisals(judgements_file, set(bibliography.by_key()))
    return Version(folder, bibliography.by_key(), audit, claims, appraisals, problems)


def _appraisal_text(appraisal: Appraisal | None) -> str | None:
    if appraisal is None:
        return None
    parts = [appraisal.design or "design not given"]
    if appraisal.scale_name:
        parts.append(f"{appraisal.scale_name} level {appraisal.level}")
    return f"{'; '.join(parts)} (by {appraisal.by}, {appraisal.at})"


def _fields(entry: BibEntry) -> dict[str, str]:
    fields = dict(entry.fields)
    fields["entry_type"] = entry.entry_type
    fields["title"] = entry.title or ""
    fields["year"] = entry.year.text if entry.year else ""
    fields["authors"] = "; ".join(a.bibtex for a in entry.authors)
    return fields


def _citations(version: Version) -> Counter[tuple[str, str, str]]:
    """(section, citation as written, the key it resolves to or "unresolved") -> how often."""
    if version.audit is None:
        return Counter()
    return Counter(
        (m.section, m.mention.cited_as, m.resolution.key or str(m.resolution.status))
        for m in version.audit.mentions
    )


def _resolved(version: Version) -> dict[str, str]:
    """Each citation as written, with the key it resolves to (when it resolves)."""
    if version.audit is None:
        return {}
    return {
        m.mention.cited_as: m.resolution.key for m in version.audit.mentions if m.resolution.key
    }


def _unresolved(version: Version) -> set[str]:
    if version.audit is None:
        return set()
    return {m.mention.cited_as for m in version.audit.of_status(Status.UNRESOLVED)}


def _uncited(version: Version) -> set[str]:
    return set(version.audit.uncited) if version.audit is not None else set()


def _problems(version: Version) -> set[tuple[str, str, str]]:
    """A version's errors, by what they say rather than where (lines move between versions)."""
    return {
        (p.code, p.key or "", p.message) for p in version.problems if p.severity is Severity.ERROR
    }


def _reference(entry: BibEntry) -> dict[str, Any]:
    who = entry.first_author.family if entry.first_author else ""
    year = entry.year.text if entry.year else "n.d."
    return {"key": entry.key, "title": entry.title or "", "cited_as": f"{who} ({year})".strip()}


def _tagged(version: Version) -> set[str]:
    """Every concept some claim of the version is tagged with, as "scheme/id"."""
    return {
        f"{scheme}/{concept}"
        for claim in version.claims.values()
        for scheme, concepts in claim.concepts.items()
        for concept in concepts
    }


def _concept_sources(version: Version) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for claim in version.claims.values():
        keys = {e.key for e in claim.evidence if e.key}
        for scheme, concepts in claim.concepts.items():
            for concept in concepts:
                found.setdefault(f"{scheme}/{concept}", set()).update(keys)
    return found


def _cells(version: Version) -> dict[str, set[str]]:
    cells: dict[str, set[str]] = {}
    for claim in version.claims.values():
        keys = {e.key for e in claim.evidence if e.key}
        for row_scheme, column_scheme in (("mechanisms", "outcomes"), ("barriers", "hinders")):
            for row in claim.concepts.get(row_scheme, ()):
                for column in claim.concepts.get(column_scheme, ()):
                    cells.setdefault(f"{row} x {column}", set()).update(keys)
    return cells


def diff_versions(old: Version, new: Version) -> dict[str, list[dict[str, Any]]]:
    """One list per kind of change; every item names the key, claim or concept concerned."""
    result: dict[str, list[dict[str, Any]]] = {}
    result["references_added"] = [
        _reference(new.entries[k]) for k in sorted(set(new.entries) - set(old.entries))
    ]
    result["references_removed"] = [
        _reference(old.entries[k]) for k in sorted(set(old.entries) - set(new.entries))
    ]
    changed = []
    for key in sorted(set(old.entries) & set(new.entries)):
        was, now = _fields(old.entries[key]), _fields(new.entries[key])
        fields = {
            f: {"old": was.get(f), "new": now.get(f)}
            for f in sorted(set(was) | set(now))
            if was.get(f) != now.get(f)
        }
        if fields:
            changed.append({"key": key, "fields": fields})
    result["references_changed"] = changed
    old_cites, new_cites = _citations(old), _citations(new)
    result["citations_added"] = [
        {"section": s, "cited_as": c, "resolves_to": k, "count": n}
        for (s, c, k), n in sorted((new_cites - old_cites).items())
    ]
    result["citations_removed"] = [
        {"section": s, "cited_as": c, "resolves_to": k, "count": n}
        for (s, c, k), n in sorted((old_cites - new_cites).items())
    ]
    result["claims_added"] = [
        {"claim": c, "statement": new.claims[c].statement}
        for c in sorted(set(new.claims) - set(old.claims))
    ]
    result["claims_removed"] = [
        {"claim": c, "statement": old.claims[c].statement}
        for c in sorted(set(old.claims) - set(new.claims))
    ]
    restated, support = [], []
    for cid in sorted(set(old.claims) & set(new.claims)):
        before, after = old.claims[cid], new.claims[cid]
        if before.statement != after.statement:
            restated.append({"claim": cid, "old": before.statement, "new": after.statement})
        old_keys = {e.key or f"unresolved: {e.unresolved}" for e in before.evidence}
        new_keys = {e.key or f"unresolved: {e.unresolved}" for e in after.evidence}
        if old_keys != new_keys or before.stance != after.stance:
            support.append(
                {
                    "claim": cid,
                    "sources_gained": sorted(new_keys - old_keys),
                    "sources_lost": sorted(old_keys - new_keys),
                    "stance": {"old": before.stance, "new": after.stance}
                    if before.stance != after.stance
                    else None,
                }
            )
    result["claims_restated"] = restated
    result["claims_support_changed"] = support
    result["new_unresolved_citations"] = [
        {"cited_as": c} for c in sorted(_unresolved(new) - _unresolved(old))
    ]
    result["new_uncited_references"] = [{"key": k} for k in sorted(_uncited(new) - _uncited(old))]
    # What the version fixed.
    now_resolved = _resolved(new)
    result["citations_now_resolved"] = [
        {"cited_as": c, "resolves_to": now_resolved[c]}
        for c in sorted(_unresolved(old) - _unresolved(new))
        if c in now_resolved
    ]
    result["references_now_cited"] = [
        {"key": k} for k in sorted((_uncited(old) - _uncited(new)) & set(new.entries))
    ]
    result["problems_fixed"] = [
        {"code": code, "key": key, "message": message}
        for code, key, message in sorted(_problems(old) - _problems(new))
    ]
    tagged_before, tagged_now = _tagged(old), _tagged(new)
    result["concepts_dropped"] = [
        {"concept": c} for c in sorted(tagged_before) if c not in tagged_now
    ]
    result["concepts_evidence_changed"] = _set_changes(
        _concept_sources(old), _concept_sources(new), "concept"
    )
    result["gap_map_cells_changed"] = _set_changes(_cells(old), _cells(new), "cell")
    result["appraisals_changed"] = [
        {
            "key": key,
            "old": _appraisal_text(old.appraisals.get(key)),
            "new": _appraisal_text(new.appraisals.get(key)),
        }
        for key in sorted(set(old.appraisals) | set(new.appraisals))
        if old.appraisals.get(key) != new.appraisals.get(key)
    ]
    return result


def _set_changes(
    old: dict[str, set[str]], new: dict[str, set[str]], name: str
) -> list[dict[str, Any]]:
    changes = []
    for item in sorted(set(old) | set(new)):
        before, after = old.get(item, set()), new.get(item, set())
        if before != after:
            changes.append(
                {
                    name: item,
                    "sources_gained": sorted(after - before),
                    "sources_lost": sorted(before - after),
                }
            )
    return changes
