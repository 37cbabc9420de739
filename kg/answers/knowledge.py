"""What the answers need from the store, read once through prepared queries.

At the seed's size the whole of it is a few hundred rows and loads in milliseconds; a
library of many reviews would precompute these structures at build time instead.  Only
:meth:`Knowledge.claims_about` takes a value from the user (a concept IRI already resolved
from the vocabulary), and it is bound, never formatted into the query.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.claim_terms import ROLES, Stance
from kg.rdf import ids
from kg.store.protocol import GraphStore

# The local names of the stance terms (evkg:Supports, ...) and of the role properties.
STANCE_NAMES = {stance.value.capitalize(): stance.value for stance in Stance}
ROLE_NAMES = {role.singular: role.scheme for role in ROLES}


def citation_authors(first: str | None, second: str | None, count: int) -> str:
    """Authors as a Harvard citation names them: Buck; Hucklesby and Wincup; Duvnjak et al."""
    first = first or "Not stated"
    if count >= 3 or (count == 2 and not second):
        return f"{first} et al."
    if count == 2:
        return f"{first} and {second}"
    return first


@dataclass
class ConceptInfo:
    """A concept of the vocabulary."""

    iri: str
    scheme: str  # "mechanisms", "outcomes", ...
    label: str
    definition: str
    labels: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        """The concept's id, as claims files write it."""
        return self.iri.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        """As the answer index keeps it."""
        return {
            "iri": self.iri,
            "scheme": self.scheme,
            "label": self.label,
            "definition": self.definition,
            "labels": sorted(self.labels),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConceptInfo:
        """As :meth:`to_json` wrote it."""
        return cls(
            data["iri"], data["scheme"], data["label"], data["definition"], set(data["labels"])
        )


@dataclass
class EvidenceItem:
    """One reference (or unresolved citation) a claim rests on."""

    key: str | None
    page: str | None
    unresolved: str | None
    by_editors: bool = False  # "see also, added by the editors": never the review's evidence


@dataclass
class ClaimInfo:
    """A claim with everything an answer shows."""

    iri: str
    id: str
    statement: str
    stance: str
    status: str
    locator: str | None
    sentence: str | None
    concepts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[str, EvidenceItem] = field(default_factory=dict)
    certainty: str | None = None  # the review's hedge (ingest.hedges), None when not known
    certainty_basis: str = ""

    @property
    def see_also(self) -> list[str]:
        """The bib keys the editors added beside the review's evidence."""
        return [e.key for e in self.evidence.values() if e.key and e.by_editors]

    @property
    def keys(self) -> list[str]:
        """The bib keys of the review's resolved evidence (editors' additions left out).

        Worked out once: evidence is set on loading.
        """
        cached: list[str] | None = self.__dict__.get("_keys")
        if cached is None:
            cached = self.__dict__["_keys"] = [
                e.key for e in self.evidence.values() if e.key and not e.by_editors
            ]
        return cached

    def to_json(self) -> dict[str, Any]:
        """As the answer index keeps it."""
        return {
            "iri": self.iri,
            "id": self.id,
            "statement": self.statement,
            "stance": self.stance,
            "status": self.status,
            "locator": self.locator,
            "sentence": self.sentence,
            "concepts": dict(self.concepts),
            "evidence": {k: asdict(e) for k, e in self.evidence.items()},
            "certainty": self.certainty,
            "certainty_basis": self.certainty_basis,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClaimInfo:
        """As :meth:`to_json` wrote it."""
        claim = cls(
            iri=data["iri"],
            id=data["id"],
            statement=data["statement"],
            stance=data["stance"],
            status=data["status"],
            locator=data["locator"],
            sentence=data["sentence"],
            certainty=data["certainty"],
            certainty_basis=data["certainty_basis"],
        )
        claim.concepts.update(data["concepts"])
        claim.evidence = {k: EvidenceItem(**e) for k, e in data["evidence"].items()}
        return claim


@dataclass
class SourceInfo:
    """A source with its profile."""

    key: str
    iri: str
    title: str
    year: str
    authors: str  # as a citation names them: "Buck", "Hucklesby and Wincup", "Sells et al."
    first_family: str
    author_count: int
    profile: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def first(self, facet: str, default: str = "not stated") -> str:
        """The first value of a profile facet."""
        values = self.profile.get(facet)
        return values[0][0] if values else default

    def to_json(self) -> dict[str, Any]:
        """As the answer index keeps it."""
        return {
            "key": self.key,
            "iri": self.iri,
            "title": self.title,
            "year": self.year,
            "authors": self.authors,
            "first_family": self.first_family,
            "author_count": self.author_count,
            "profile": dict(self.profile),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceInfo:
        """As :meth:`to_json` wrote it."""
        source = cls(
            key=data["key"],
            iri=data["iri"],
            title=data["title"],
            year=data["year"],
            authors=data["authors"],
            first_family=data["first_family"],
            author_count=data["author_count"],
        )
        source.profile.update({k: [(v[0], v[1]) for v in vs] for k, vs in data["profile"].items()})
        return source


@dataclass
class MentionInfo:
    """An in-text citation."""

    cited_as: str
    key: str | None
    resolution: str
    page: str | None
    sentence_index: int
    sentence: str | None
    section: str
    review_page: str | None
    review: str = ""  # the review whose text it is in: sentence numbers are per review

    @property
    def place(self) -> tuple[str, int]:
        """Which sentence of which review."""
        return self.review, self.sentence_index


class Knowledge:
    """Concepts, claims, sources and mentions of a published build."""

    def __init__(self, store: GraphStore, index: dict[str, Any] | None = None) -> None:
        self.store = store
        self.lock = threading.Lock()  # guards the answers and profiles kept per build
        if index is not None:
            self._load(index)
            return
        self.concepts = self._concepts()
        self.claims = self._claims()
        self.sources = self._sources()
        self.mentions = self._mentions()
        self.by_concept: dict[str, list[str]] = self._by_concept()
        self._index_mentions()

    def claims_about(self, concept_iri: str) -> list[ClaimInfo]:
        """Claims tagged with a concept or a narrower one, from the concept index."""
        return [self.claims[iri] for iri in self.by_concept.get(concept_iri, ())]

    def mentions_of(self, key: str) -> list[MentionInfo]:
        """The in-text citations of one reference."""
        return self._mentions_by_key.get(key, [])

    def _by_concept(self) -> dict[str, list[str]]:
        # One query for every (concept, claim) pair, broader concepts included; by IRI, since
        # claim ids are only unique within one review's claims file.  Each list keeps the
        # claims' own order (the review's), as answers show them.
        pairs: dict[str, set[str]] = defaultdict(set)
        for row in self.store.select("claims_for_concept"):
            pairs[str(row["concept"])].add(str(row["claim"]))
        order = {iri: n for n, iri in enumerate(self.claims)}
        return {k: sorted(v, key=lambda iri: order.get(iri, 0)) for k, v in pairs.items()}

    def _index_mentions(self) -> None:
        self._mentions_by_key: dict[str, list[MentionInfo]] = defaultdict(list)
        for mention in self.mentions:
            if mention.key:
                self._mentions_by_key[mention.key].append(mention)

    def _load(self, index: dict[str, Any]) -> None:
        self.concepts = {c["iri"]: ConceptInfo.from_json(c) for c in index["concepts"]}
        self.claims = {c["iri"]: ClaimInfo.from_json(c) for c in index["claims"]}
        self.sources = {s["key"]: SourceInfo.from_json(s) for s in index["sources"]}
        self.mentions = [MentionInfo(**m) for m in index["mentions"]]
        self.by_concept = index["by_concept"]
        self._index_mentions()

    def to_json(self) -> dict[str, Any]:
        """What the answer index keeps of it (:mod:`kg.answers.index`)."""
        # Written by each class: asdict() cannot copy the defaultdicts they hold.
        return {
            "concepts": [c.to_json() for c in self.concepts.values()],
            "claims": [c.to_json() for c in self.claims.values()],
            "sources": [s.to_json() for s in self.sources.values()],
            "mentions": [asdict(m) for m in self.mentions],
            "by_concept": self.by_concept,
        }

    def _concepts(self) -> dict[str, ConceptInfo]:
        concepts: dict[str, ConceptInfo] = {}
        for row in self.store.select("concepts"):
            iri = str(row["concept"])
            scheme = str(row["scheme"]).rsplit("/", 1)[-1]
            concept = concepts.setdefault(
                iri, ConceptInfo(iri, scheme, str(row["prefLabel"]), str(row["definition"] or ""))
            )
            concept.labels.add(str(row["label"]))
        return concepts

    def _claims(self) -> dict[str, ClaimInfo]:
        claims: dict[str, ClaimInfo] = {}
        places: dict[str, int] = {}
        for row in self.store.select("claims_evidence"):
            iri = str(row["claim"])
            locator = (
                (
                    f"{row['section']}, paragraph {row['paragraph']}, sentence "
                    f"{row['sentenceNumber']}"
                )
                if row["section"]
                else None
            )
            claim = claims.setdefault(
                iri,
                ClaimInfo(
                    iri,
                    str(row["claimId"]),
                    str(row["statement"]),
                    STANCE_NAMES.get(str(row["stance"]).rsplit("#", 1)[-1], "supports"),
                    str(row["status"]),
                    locator,
                    row["sentenceText"],
                    certainty=row["certainty"],
                    certainty_basis=row["certaintyBasis"] or "",
                ),
            )
            if row["concept"]:
                role = ROLE_NAMES[str(row["role"]).rsplit("#", 1)[-1]]
                if row["concept"] not in claim.concepts[role]:
                    claim.concepts[role].append(str(row["concept"]))
            claim.evidence.setdefault(
                str(row["evidence"]),
                EvidenceItem(row["key"], row["page"], row["unresolved"], bool(row["byEditors"])),
            )
            if row["sentence"]:
                places[iri] = int(str(row["sentence"]).rsplit("/", 1)[-1])
        for claim in claims.values():
            claim.evidence = dict(
                sorted(claim.evidence.items(), key=lambda kv: int(kv[0].rsplit("/", 1)[-1]))
            )
        # The review's order: by review, then where in its text each claim is (claims with no
        # sentence after those with one), then by id.  Explicit, so that every store, and an
        # index merged from one shard per review, give claims in the same order.
        return dict(
            sorted(
                claims.items(),
                key=lambda kv: (ids.claim_review(kv[0]), places.get(kv[0], 1 << 30), kv[1].id),
            )
        )

    def _sources(self) -> dict[str, SourceInfo]:
        sources: dict[str, SourceInfo] = {}
        for row in self.store.select("source_profiles"):
            key = str(row["key"])
            count = int(row["authorCount"] or 0)
            first = str(row["firstFamily"] or "Not stated")
            authors = citation_authors(first, row["secondFamily"], count)
            source = sources.setdefault(
                key,
                SourceInfo(
                    key,
                    str(row["source"]),
                    str(row["title"] or "Untitled"),
                    str(row["year"] or row["yearLabel"] or "n.d."),
                    authors,
                    first,
                    count,
                ),
            )
            if row["facet"]:
                value = (str(row["value"]), str(row["basis"]))
                if value not in source.profile[str(row["facet"])]:
                    source.profile[str(row["facet"])].append(value)
        return sources

    def _mentions(self) -> list[MentionInfo]:
        found = [
            MentionInfo(
                str(r["citedAs"]),
                r["key"],
                str(r["resolution"]),
                r["page"],
                int(str(r["sentenceIndex"])),
                r["sentenceText"],
                str(r["section"]),
                r["reviewPage"],
                # Sentence IRIs read review/<review>/sentence/<n>.
                str(r["sentence"]).rsplit("/", 3)[-3],
            )
            for r in self.store.select("mentions")
        ]
        # Ties within a sentence come in no fixed order from a store: fix one.
        return sorted(found, key=lambda m: (m.review, m.sentence_index, m.cited_as, m.key or ""))
