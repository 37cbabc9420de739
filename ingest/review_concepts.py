"""Concepts that a review brings to the vocabulary, as its editors accepted them.

A review on a new topic needs words the shared vocabulary lacks.  ``evkg suggest`` and the
draft's report propose them; an editor accepts one (with a definition in their own words),
merges it into a concept the vocabulary has (its words become an alternative label there),
or rejects it.  The decisions live in the ``concepts`` section of the review's judgements
file, archived and versioned with the review::

    concepts:
      - id: victim-voice                 # accepted: a new concept of this review
        scheme: outcomes
        label: Victims' voice
        alt_labels: [being heard]
        definition: Victims say what the harm meant to them and are listened to.
        by: A. Editor
        at: 2026-12-02
      - label: remorse                   # merged into a concept the vocabulary has
        merge_into: mechanisms/motivation-to-change
        by: A. Editor
        at: 2026-12-02
      - label: court backlog             # rejected: not proposed again
        rejected: true
        by: A. Editor
        at: 2026-12-02

Accepted concepts are published as SKOS in the review version's own graph, so that a later
version can change them without touching the shared vocabulary.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.claim_terms import SCHEMES
from ingest.judgements_file import with_item
from ingest.problems import Problem, Severity
from ingest.textclean import fold, strip_unsafe_characters

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class NewConcept:
    """A concept a review's editors accepted."""

    id: str
    scheme: str
    label: str
    definition: str
    by: str
    at: str
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merge:
    """Words merged into a concept of the vocabulary, as one of its alternative labels."""

    label: str
    scheme: str
    concept_id: str
    by: str
    at: str


@dataclass(frozen=True)
class ReviewConcepts:
    """What the editors decided about a review's proposed concepts."""

    accepted: tuple[NewConcept, ...] = ()
    merged: tuple[Merge, ...] = ()
    rejected: frozenset[str] = frozenset()  # folded labels, not to be proposed again
    problems: tuple[Problem, ...] = ()

    def ids(self) -> dict[str, set[str]]:
        """The accepted concepts' ids by scheme."""
        found: dict[str, set[str]] = {}
        for concept in self.accepted:
            found.setdefault(concept.scheme, set()).add(concept.id)
        return found

    def decided(self) -> set[str]:
        """Folded labels already decided on (accepted, merged or rejected)."""
        words = {fold(c.label) for c in self.accepted}
        words |= {fold(a) for c in self.accepted for a in c.alt_labels}
        return words | {fold(m.label) for m in self.merged} | set(self.rejected)


def load_review_concepts(
    path: Path | None, known: Mapping[str, set[str]] | None = None
) -> ReviewConcepts:
    """The decisions in a judgements file; unusable ones become problems, not concepts."""
    if path is None or not path.is_file():
        return ReviewConcepts()
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return ReviewConcepts()  # the venues reader reports the file
    accepted: list[NewConcept] = []
    merged: list[Merge] = []
    rejected: set[str] = set()
    problems: list[Problem] = []

    def problem(number: int, message: str) -> None:
        problems.append(
            Problem(str(path), None, Severity.ERROR, "concepts.bad", f"concept {number}: {message}")
        )

    items = data.get("concepts") if isinstance(data, dict) else None
    for number, item in enumerate(items or [], start=1):
        if not isinstance(item, dict) or not item.get("label"):
            problem(number, "each concept needs at least a label")
            continue
        label, by, at = _safe(item["label"]), _safe(item.get("by", "")), _date(item.get("at"))
        if item.get("rejected"):
            rejected.add(fold(label))
        elif item.get("merge_into"):
            scheme, _, concept_id = str(item["merge_into"]).partition("/")
            if known is not None and concept_id not in known.get(scheme, set()):
                problem(number, f"merge_into {item['merge_into']!r} is not a concept")
                continue
            merged.append(Merge(label, scheme, concept_id, by, at))
        else:
            concept_id, scheme = str(item.get("id", "")), str(item.get("scheme", ""))
            definition = _safe(item.get("definition", ""))
            if not _ID.match(concept_id) or scheme not in SCHEMES or not definition:
                problem(number, "an accepted concept needs an id, a scheme and a definition")
                continue
            if known is not None and concept_id in known.get(scheme, set()):
                problem(number, f"{scheme}/{concept_id} is in the vocabulary already")
                continue
            alts = tuple(_safe(a) for a in item.get("alt_labels") or [] if str(a).strip())
            accepted.append(NewConcept(concept_id, scheme, label, definition, by, at, alts))
    return ReviewConcepts(tuple(accepted), tuple(merged), frozenset(rejected), tuple(problems))


def with_concept_decision(venues: str | None, decision: dict[str, Any]) -> str:
    """The judgements file's text with this decision, replacing one about the same label."""
    wanted = fold(str(decision["label"]))
    return with_item(
        venues, "concepts", decision, lambda old: fold(str(old.get("label"))) == wanted
    )


def merged_ids(*vocabularies: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Concept ids by scheme, from several sources together."""
    found: dict[str, set[str]] = {}
    for vocabulary in vocabularies:
        for scheme, ids in vocabulary.items():
            found.setdefault(scheme, set()).update(ids)
    return found


def _safe(value: object) -> str:
    return " ".join(strip_unsafe_characters(str(value))[0].split())


def _date(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value or "")
