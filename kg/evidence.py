"""The evidence profile of an answer: it describes the evidence, it does not judge it.

For a set of claims: how many distinct sources and in-text citations; peer-reviewed, grey or
other; the study designs; settings and populations; the year range; how many sources the
review's own author wrote; and the citations that have no reference.  Every count can be
traced to source profiles, whose values each carry their basis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.knowledge import ClaimInfo, Knowledge

GREY_TYPES = frozenset(
    {
        "report",
        "evaluation report",
        "inspection report",
        "survey report",
        "seminar report",
        "economic evaluation report",
    }
)


@dataclass
class EvidenceProfile:
    """Counts that describe the evidence behind an answer."""

    sources: list[str]
    mentions: int
    peer_reviewed: int
    grey: int
    other: int
    designs: dict[str, int]
    types: dict[str, int]
    settings: dict[str, int]
    populations: dict[str, int]
    year_range: tuple[int, int] | None
    by_review_author: list[str]
    unresolved: list[str] = field(default_factory=list)
    reviews: int = 1  # how many reviews the claims come from

    def to_json(self) -> dict[str, object]:
        """The profile as `evkg query --json` prints it."""
        return {
            "distinct_sources": len(self.sources),
            "mentions": self.mentions,
            "peer_reviewed": self.peer_reviewed,
            "grey_literature": self.grey,
            "other": self.other,
            "publication_types": self.types,
            "study_designs": self.designs,
            "settings": self.settings,
            "populations": self.populations,
            "year_range": list(self.year_range) if self.year_range else None,
            "by_review_author": len(self.by_review_author),
            "by_review_author_keys": self.by_review_author,
            "unresolved_citations": self.unresolved,
            "reviews": self.reviews,
        }


def profile_of(claims: Iterable[ClaimInfo], knowledge: Knowledge) -> EvidenceProfile:
    """The profile of the sources that a set of claims rests on."""
    claims = list(claims)
    keys = sorted({k for c in claims for k in c.keys})
    unresolved = sorted({e.unresolved for c in claims for e in c.evidence.values() if e.unresolved})
    sources = [knowledge.sources[k] for k in keys if k in knowledge.sources]
    sentences = {c.sentence for c in claims if c.sentence}
    mentions = sum(1 for key in keys for m in knowledge.mentions_of(key) if m.sentence in sentences)
    peer = sum(1 for s in sources if s.first("peer-reviewed") == "yes")
    grey = sum(1 for s in sources if s.first("publication-type") in GREY_TYPES)
    years = [int(s.year[:4]) for s in sources if s.year[:4].isdigit()]
    return EvidenceProfile(
        sources=keys,
        mentions=mentions,
        peer_reviewed=peer,
        grey=grey,
        other=len(sources) - peer - grey,
        designs=dict(Counter(s.first("study-design", "not-stated") for s in sources)),
        types=dict(Counter(s.first("publication-type") for s in sources)),
        settings=dict(Counter(v for s in sources for v, _ in s.profile.get("setting", []))),
        populations=dict(Counter(v for s in sources for v, _ in s.profile.get("population", []))),
        year_range=(min(years), max(years)) if years else None,
        by_review_author=[s.key for s in sources if s.first("by-review-author") == "true"],
        unresolved=unresolved,
        reviews=len({review_of(c.iri) for c in claims}) or 1,
    )


def review_of(claim_iri: str) -> str:
    """The review a claim belongs to (its IRI is ``claim/<review>/<id>``)."""
    return claim_iri.rsplit("/", 2)[-2]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_sentence(profile: EvidenceProfile, topic: str) -> str:
    """One plain sentence a commissioner can read in ten seconds."""
    n = len(profile.sources)
    who = "The review cites" if profile.reviews <= 1 else f"{profile.reviews} reviews cite"
    author = "the review's author" if profile.reviews <= 1 else "the reviews' own authors"
    if n == 0 and not profile.unresolved:
        return f"{who} no sources for {topic}."
    parts = []
    if profile.peer_reviewed:
        parts.append(_plural(profile.peer_reviewed, "peer-reviewed article"))
    if profile.grey:
        parts.append(_plural(profile.grey, "report") + " (grey literature)")
    if profile.other:
        parts.append(
            f"{profile.other} other (books, chapters or articles whose review status is not stated)"
        )
    own = len(profile.by_review_author)
    authored = (
        f"None is by {author}."
        if own == 0
        else f"{own} of them {'is' if own == 1 else 'are'} by {author}."
    )
    sentence = f"{who} {_plural(n, 'source')} for {topic}"
    sentence += f": {', '.join(parts)}." if parts else "."
    if n:
        sentence += f" {authored}"
    if profile.unresolved:
        sentence += (
            f" {_plural(len(profile.unresolved), 'citation')} "
            "({}) {} no entry in the reference list.".format(
                "; ".join(profile.unresolved), "has" if len(profile.unresolved) == 1 else "have"
            )
        )
    return sentence
