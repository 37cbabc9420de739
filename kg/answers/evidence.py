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

from ingest.hedges import CERTAINTIES, CERTAINTY_WORDS
from kg.answers.knowledge import ClaimInfo, Knowledge
from kg.rdf import ids

# The facets of an editors' appraisal (kg.build.profiles), apart from what the review states.
APPRAISED = "appraised-"
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
    certainties: dict[str, int] = field(default_factory=dict)  # the review's hedges, by claim
    design_stated: int = 0  # sources whose design the title or the review states
    appraised: int = 0  # sources the editors appraised
    stated_or_appraised: int = 0  # sources with a stated design, an appraisal, or both

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
            "certainty": self.certainties,
            "design": {
                "stated": self.design_stated,
                "appraised_by_editors": self.appraised,
                "neither": len(self.sources) - self.stated_or_appraised,
            },
            "by_review_author": len(self.by_review_author),
            "by_review_author_keys": self.by_review_author,
            "unresolved_citations": self.unresolved,
            "reviews": self.reviews,
        }


@dataclass(frozen=True)
class SourceFacts:
    """What a profile counts about one source, read once from its profile values."""

    peer_reviewed: bool
    grey: bool
    design: str
    kind: str
    year: int | None
    settings: tuple[str, ...]
    populations: tuple[str, ...]
    by_review_author: bool
    appraised: bool = False  # the editors appraised it (facets "appraised-...")


def facts_of(knowledge: Knowledge) -> dict[str, SourceFacts]:
    """Each source's facts, worked out once per build and kept with its knowledge.

    An answer about a common concept in a large library counts thousands of sources; reading
    each one's profile values again for every question was most of its time.
    """
    cached = getattr(knowledge, "_facts", None)
    if isinstance(cached, dict):
        return cached
    facts = {
        key: SourceFacts(
            peer_reviewed=s.first("peer-reviewed") == "yes",
            grey=s.first("publication-type") in GREY_TYPES,
            design=s.first("study-design", "not-stated"),
            kind=s.first("publication-type"),
            year=int(s.year[:4]) if s.year[:4].isdigit() else None,
            settings=tuple(v for v, _ in s.profile.get("setting", [])),
            populations=tuple(v for v, _ in s.profile.get("population", [])),
            by_review_author=s.first("by-review-author") == "true",
            appraised=any(f.startswith(APPRAISED) for f in s.profile),
        )
        for key, s in knowledge.sources.items()
    }
    knowledge._facts = facts  # type: ignore[attr-defined]
    return facts


MAX_PROFILES = 1024


def profile_of(claims: Iterable[ClaimInfo], knowledge: Knowledge) -> EvidenceProfile:
    """The profile of the sources that a set of claims rests on.

    A build never changes, so each profile is worked out once and kept with the build's
    knowledge (the most recent :data:`MAX_PROFILES`): asking again about a concept of a large
    library costs a lookup, not a count over thousands of sources.
    """
    claims = list(claims)
    memo: dict[frozenset[str], EvidenceProfile] = knowledge.__dict__.setdefault("_profiles", {})
    key = frozenset(c.iri for c in claims)
    with knowledge.lock:
        found = memo.get(key)
    if found is None:
        found = _profile(claims, knowledge)
        with knowledge.lock:
            memo[key] = found
            while len(memo) > MAX_PROFILES:
                memo.pop(next(iter(memo)))
    return found


def _profile(claims: list[ClaimInfo], knowledge: Knowledge) -> EvidenceProfile:
    keys = sorted({k for c in claims for k in c.keys})
    unresolved = sorted({e.unresolved for c in claims for e in c.evidence.values() if e.unresolved})
    known = facts_of(knowledge)
    facts = [known[k] for k in keys if k in known]
    sentences = {c.sentence for c in claims if c.sentence}
    mentions = sum(1 for key in keys for m in knowledge.mentions_of(key) if m.sentence in sentences)
    peer = sum(f.peer_reviewed for f in facts)
    grey = sum(f.grey for f in facts)
    years = [f.year for f in facts if f.year is not None]
    return EvidenceProfile(
        sources=keys,
        mentions=mentions,
        peer_reviewed=peer,
        grey=grey,
        other=len(facts) - peer - grey,
        designs=dict(Counter(f.design for f in facts)),
        types=dict(Counter(f.kind for f in facts)),
        settings=dict(Counter(v for f in facts for v in f.settings)),
        populations=dict(Counter(v for f in facts for v in f.populations)),
        year_range=(min(years), max(years)) if years else None,
        by_review_author=[k for k in keys if k in known and known[k].by_review_author],
        unresolved=unresolved,
        reviews=len({ids.claim_review(c.iri) for c in claims}) or 1,
        certainties=dict(Counter(c.certainty for c in claims if c.certainty)),
        design_stated=sum(f.design != "not-stated" for f in facts),
        appraised=sum(f.appraised for f in facts),
        stated_or_appraised=sum(f.design != "not-stated" or f.appraised for f in facts),
    )


def plural(n: int, word: str) -> str:
    """A count with its noun: 1 source, 2 sources."""
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
        parts.append(plural(profile.peer_reviewed, "peer-reviewed article"))
    if profile.grey:
        parts.append(plural(profile.grey, "report") + " (grey literature)")
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
    sentence = f"{who} {plural(n, 'source')} for {topic}"
    sentence += f": {', '.join(parts)}." if parts else "."
    if n:
        sentence += f" {authored}"
    sentence += strength_sentence(profile.certainties)
    if profile.unresolved:
        sentence += (
            f" {plural(len(profile.unresolved), 'citation')} "
            "({}) {} no entry in the reference list.".format(
                "; ".join(profile.unresolved), "has" if len(profile.unresolved) == 1 else "have"
            )
        )
    return sentence


def strength_sentence(certainties: dict[str, int]) -> str:
    """How sure the review is, in its own hedges, as one short sentence (or nothing).

    "It hedges: “some indication” (1 claim), “can” (2 claims)." or "It says so without a
    hedge."  The hedges come in the order of :data:`ingest.hedges.CERTAINTIES`.
    """
    hedged = [(c, certainties[c]) for c in CERTAINTIES if c != "stated" and c in certainties]
    stated = certainties.get("stated", 0)
    if not hedged and not stated:
        return ""
    if not hedged:
        return " It says so without a hedge."
    listed = ", ".join(f"{CERTAINTY_WORDS[c]} ({plural(n, 'claim')})" for c, n in hedged)
    tail = f"; {plural(stated, 'claim')} without one" if stated else ""
    return f" It hedges: {listed}{tail}."
