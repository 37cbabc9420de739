"""The citation audit: every mention resolved against the bibliography, and what is left over.

An editor reads it for two lists: citations with no reference (*unresolved*, grouped by the
work they name) and references that the text never cites (*uncited*).  Ambiguous mentions
are listed apart, with their candidates, for the editor to settle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ingest.bibrecords import Bibliography
from ingest.citation_judgements import CitationJudgement, judgement_key
from ingest.citations import Mention, iter_mentions, unread_brackets
from ingest.resolve import Resolution, Resolver, Status
from ingest.review import ReviewText, Sentence
from ingest.textclean import fold


@dataclass(frozen=True)
class CitedMention:
    """A mention, where it is, and what it resolved to."""

    mention: Mention
    sentence: Sentence
    section: str
    resolution: Resolution

    def to_json(self) -> dict[str, Any]:
        """The fields that ``evkg check --json`` promises."""
        m, r = self.mention, self.resolution
        return {
            "cited_as": m.cited_as,
            "key": r.key,
            "status": str(r.status),
            "candidates": list(r.candidates),
            "page": m.page,
            "section": self.section,
            "sentence": self.sentence.index,
            "start": m.start,
            "end": m.end,
            "rule": r.rule,
            "narrative": m.narrative,
            "family": m.family,
            "year": m.year,
            "quoted_person": m.quoted_person,
            "cited_in": m.cited_in,
            "review_page": self.sentence.page,
        }


@dataclass(frozen=True)
class UnreadBracket:
    """Brackets holding a year that the citation grammar could not read as a citation."""

    text: str
    section: str
    sentence: int

    def to_json(self) -> dict[str, Any]:
        """For ``evkg check --json``."""
        return {"text": self.text, "section": self.section, "sentence": self.sentence}


@dataclass(frozen=True)
class Audit:
    """The result of checking one review against one bibliography."""

    review: ReviewText
    bibliography: Bibliography
    mentions: tuple[CitedMention, ...]
    # Never dropped in silence: a bracket with a year and no citation read is shown to editors.
    unreadable: tuple[UnreadBracket, ...] = field(default=())

    def of_status(self, status: Status) -> tuple[CitedMention, ...]:
        """Mentions with one status, in reading order."""
        return tuple(m for m in self.mentions if m.resolution.status is status)

    @property
    def cited_keys(self) -> set[str]:
        """Keys that at least one mention resolved to."""
        return {m.resolution.key for m in self.mentions if m.resolution.key}

    @property
    def uncited(self) -> list[str]:
        """References that no mention can mean, in the bibliography's order.

        A candidate of an ambiguous mention is not "uncited": it may well be the one meant.
        """
        cited = self.cited_keys | {
            key for m in self.of_status(Status.AMBIGUOUS) for key in m.resolution.candidates
        }
        return [e.key for e in self.bibliography.entries if e.key not in cited]

    def unresolved_works(self) -> list[dict[str, Any]]:
        """Unresolved mentions grouped by the work they name (family name, year, count)."""
        groups: dict[tuple[str, str, str], dict[str, Any]] = {}
        for item in self.of_status(Status.UNRESOLVED):
            m = item.mention
            group = groups.setdefault(
                (fold(m.family), m.year, m.count.value),
                {
                    "cited_as": [],
                    "family": m.family,
                    "authors": m.authors,
                    "count": m.count.value,
                    "year": m.year,
                    "sections": [],
                    "sentences": [],
                    "reason": item.resolution.rule,
                },
            )
            if m.cited_as not in group["cited_as"]:
                group["cited_as"].append(m.cited_as)
            if item.section not in group["sections"]:
                group["sections"].append(item.section)
            group["sentences"].append(item.sentence.index)
        return list(groups.values())

    @property
    def clean(self) -> bool:
        """Nothing for an editor to fix."""
        return not (
            self.of_status(Status.UNRESOLVED)
            or self.of_status(Status.AMBIGUOUS)
            or self.uncited
            or self.unreadable
        )

    def to_json(self) -> dict[str, Any]:
        """The audit as ``evkg check --json`` prints it."""
        return {
            "review": self.review.path,
            "bibliography": self.bibliography.path,
            "mentions": [m.to_json() for m in self.mentions],
            "unresolved": self.unresolved_works(),
            "uncited": self.uncited,
            "ambiguous": [m.to_json() for m in self.of_status(Status.AMBIGUOUS)],
            "unreadable": [u.to_json() for u in self.unreadable],
            "summary": {
                "mentions": len(self.mentions),
                "resolved": len(self.of_status(Status.RESOLVED)),
                "unresolved": len(self.of_status(Status.UNRESOLVED)),
                "ambiguous": len(self.of_status(Status.AMBIGUOUS)),
                "unresolved_works": len(self.unresolved_works()),
                "references": len(self.bibliography.entries),
                "cited_references": len(self.cited_keys),
                "uncited_references": len(self.uncited),
                "sentences": len(self.review.body_sentences()),
                "unreadable": len(self.unreadable),
            },
        }


SEEN_NOT_IN_LIST = "seen by the editors: not in the reference list"


def audit_review(
    review: ReviewText,
    bibliography: Bibliography,
    judgements: Mapping[str, CitationJudgement] | None = None,
) -> Audit:
    """Find, locate and resolve every mention in the review's body text.

    ``judgements`` are the editors' decisions on citations the list does not match (see
    :mod:`ingest.citation_judgements`); they apply only where the resolver found no single
    reference.
    """
    headings = {s.index: s.heading for s in review.sections}
    found = [
        (mention, sentence)
        for sentence in review.body_sentences()
        for mention in iter_mentions(review.text, sentence.start, sentence.end)
    ]
    resolver = Resolver(bibliography.entries, (m for m, _ in found))
    unreadable = tuple(
        UnreadBracket(text, headings.get(sentence.section, ""), sentence.index)
        for sentence in review.body_sentences()
        for text in unread_brackets(review.text, sentence.start, sentence.end)
    )
    keys = {e.key for e in bibliography.entries}

    def resolved(mention: Mention) -> Resolution:
        found = resolver.resolve(mention)
        decided = (judgements or {}).get(judgement_key(mention.cited_as))
        if found.status is Status.RESOLVED or decided is None:
            return found
        if decided.key is None:
            return replace(found, rule=SEEN_NOT_IN_LIST)
        if decided.key not in keys:
            return found  # a decision for a reference the list no longer holds: not applied
        rule = f"the editors' judgement ({decided.by}, {decided.at})"
        return Resolution(Status.RESOLVED, decided.key, (), rule)

    return Audit(
        review,
        bibliography,
        tuple(CitedMention(m, s, headings.get(s.section, ""), resolved(m)) for m, s in found),
        unreadable,
    )


def format_report(audit: Audit) -> str:
    """A readable report with locations, for the terminal."""
    summary = audit.to_json()["summary"]
    lines = [
        f"{audit.review.path}: {summary['mentions']} citations in {summary['sentences']} "
        f"sentences; {summary['resolved']} resolved, {summary['unresolved']} unresolved, "
        f"{summary['ambiguous']} ambiguous; {summary['cited_references']} of "
        f"{summary['references']} references cited.",
    ]
    unresolved = audit.unresolved_works()
    if unresolved:
        lines.append("")
        lines.append(f"Citations with no reference ({len(unresolved)} works):")
        for work in unresolved:
            lines.append(
                f"  {' / '.join(work['cited_as'])}  in {', '.join(work['sections'])} "
                f"(sentence {', '.join(map(str, work['sentences']))})"
            )
    ambiguous = audit.of_status(Status.AMBIGUOUS)
    if ambiguous:
        lines.append("")
        lines.append(f"Ambiguous citations ({len(ambiguous)}):")
        for item in ambiguous:
            lines.append(
                f"  {item.mention.cited_as}  in {item.section}, sentence "
                f"{item.sentence.index}: could be {', '.join(item.resolution.candidates)}"
            )
    if audit.uncited:
        lines.append("")
        lines.append(f"References never cited ({len(audit.uncited)}):")
        by_key = audit.bibliography.by_key()
        for key in audit.uncited:
            entry = by_key[key]
            first = entry.first_author.display if entry.first_author else "?"
            year = entry.year.text if entry.year else "n.d."
            lines.append(f"  {key}  ({first}, {year}, line {entry.line})")
    if audit.unreadable:
        lines.append("")
        lines.append(
            f"Brackets with a year that could not be read as a citation ({len(audit.unreadable)}):"
        )
        for bracket in audit.unreadable:
            lines.append(f"  {bracket.text}  in {bracket.section}, sentence {bracket.sentence}")
    if audit.clean:
        lines.append("Every citation resolves and every reference is cited.")
    return "\n".join(lines) + "\n"
