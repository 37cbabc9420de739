"""Synthetic evidence library in N-Quads, shaped like the real evkg graph.

The seed review is far too small to tell embedded stores apart, so this module
makes libraries of any size with the same shape: reviews that cite sources,
sources with authors, journals and an rdf:Seq author list, and claims that cite
sources as evidence for a mechanism and an outcome.  Authors, shared sources and
concepts follow skewed (Zipf-like) frequencies so queries see realistic fan-out.
The output depends only on ``n_triples`` and ``seed``.
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

B = "https://w3id.org/evkg/"
BIBO = "http://purl.org/ontology/bibo/"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
CITO = "http://purl.org/spar/cito/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
EVKG = "https://w3id.org/evkg/vocab#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

MECHANISMS = (
    "hope", "agency", "social support", "self-efficacy", "meaning", "belonging",
    "coping", "optimism", "gratitude", "resilience", "mindfulness", "forgiveness",
)  # fmt: skip
OUTCOMES = (
    "wellbeing", "depression", "anxiety", "life satisfaction", "stress", "health",
    "academic performance", "loneliness", "burnout", "quality of life",
)  # fmt: skip
STANCES = ("supports", "challenges", "qualifies")
STANCE_WEIGHTS = (0.6, 0.25, 0.15)
SOURCE_TYPES = ("Article", "Book", "Report", "Chapter", "Document")
SOURCE_TYPE_WEIGHTS = (0.6, 0.12, 0.1, 0.12, 0.06)

COMMON_MECHANISM = f"{B}concept/mechanism/m0"
RARE_MECHANISM = f"{B}concept/mechanism/m{len(MECHANISMS) - 1}"
#: The most-shared pool source; the ``where_cited`` query binds to it.
POPULAR_SOURCE = f"{B}source/s0"

GIVEN = (
    "Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomás",
)  # fmt: skip
FAMILY = (
    "Smith", "Müller", "Garcia", "Chen", "Okafor", "Kowalski", "Nguyen", "Silva",
    "Johansson", "Rossi", "Kim", "Novak", "Haddad", "Dubois", "Tanaka", "Ibrahim",
    "Snyder", "Lopez", "Brown", "Ødegaard", "Patel", "Fischer", "Moreau", "Yilmaz",
)  # fmt: skip
WORDS = (
    "effects", "of", "hope", "on", "student", "wellbeing", "a", "meta-analysis",
    "longitudinal", "study", "adolescent", "coping", "social", "support", "and",
    "depressive", "symptoms", "randomized", "trial", "intervention", "positive",
    "psychology", "workplace", "burnout", "review", "systematic", "resilience",
    "among", "nurses", "cross-cultural", "evidence", "mindfulness", "training",
    "self-efficacy", "outcomes", "older", "adults", "in", "the", "role", "meaning",
    "life", "gratitude", "practice", "anxiety", "college", "students", "mediating",
)  # fmt: skip


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if datatype is not None:
        return f'"{escaped}"^^<{datatype}>'
    if lang is not None:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"'


def _zipf_cum_weights(n: int, exponent: float, shift: int = 1) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights: item k has weight 1 / (k + shift) ** exponent."""
    return list(itertools.accumulate(1.0 / (k + shift) ** exponent for k in range(n)))


@dataclass
class _Writer:
    """Collects quad lines and counts them."""

    lines: list[str] = field(default_factory=list)

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{_iri(s)} {_iri(p)} {o} {_iri(g)} .")


@dataclass
class _Library:
    """Fixed pools (agents, journals, shared sources) and a running source counter."""

    rng: random.Random
    n_agents: int
    n_journals: int
    n_shared: int
    agent_cum: list[float] = field(init=False)
    journal_cum: list[float] = field(init=False)
    shared_cum: list[float] = field(init=False)
    next_source: int = field(init=False)
    describe_once: bool = False
    described: set[str] = field(default_factory=set)
    agent_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    journal_titles: dict[int, str] = field(default_factory=dict)
    source_cache: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    source_agents: dict[int, list[int]] = field(default_factory=dict)
    source_journal: dict[int, int] = field(default_factory=dict)

    def first_time(self, iri: str) -> bool:
        """Whether ``iri`` should be described (again) in the current review graph."""
        if not self.describe_once:
            return True
        if iri in self.described:
            return False
        self.described.add(iri)
        return True

    def __post_init__(self) -> None:
        self.agent_cum = _zipf_cum_weights(self.n_agents, 1.1, shift=10)
        self.journal_cum = _zipf_cum_weights(self.n_journals, 1.0)
        self.shared_cum = _zipf_cum_weights(self.n_shared, 0.8)
        self.next_source = self.n_shared

    def pick_agents(self, k: int) -> list[int]:
        picked = self.rng.choices(range(self.n_agents), cum_weights=self.agent_cum, k=k)
        return list(dict.fromkeys(picked))

    def agent_name(self, a: int) -> tuple[str, str]:
        if a not in self.agent_names:
            self.agent_names[a] = (self.rng.choice(GIVEN), self.rng.choice(FAMILY))
        return self.agent_names[a]

    def title(self, lo: int, hi: int) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(lo, hi))
        return " ".join(words).capitalize()

    def source(self, j: int) -> list[tuple[str, str, str]]:
        """The (s, p, o) triples of source j, made once so shared sources repeat exactly."""
        if j in self.source_cache:
            return self.source_cache[j]
        rng = self.rng
        s = f"{B}source/s{j}"
        kind = rng.choices(SOURCE_TYPES, weights=SOURCE_TYPE_WEIGHTS)[0]
        year = str(rng.randint(1960, 2024))
        authors = self.pick_agents(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8)))
        family = self.agent_name(authors[0])[1]
        seq = f"{s}/authors"
        t: list[tuple[str, str, str]] = [
            (s, f"{RDF}type", _iri(f"{BIBO}{kind}")),
            (s, f"{RDF}type", _iri(f"{EVKG}Source")),
            (s, f"{DCT}title", _lit(self.title(4, 12))),
            (s, f"{DCT}issued", _lit(year, f"{XSD}gYear")),
            (s, f"{EVKG}bibKey", _lit(f"{family.lower()}{year}s{j}")),
            (s, f"{BIBO}authorList", _iri(seq)),
            (seq, f"{RDF}type", _iri(f"{RDF}Seq")),
        ]
        for n, a in enumerate(authors, start=1):
            t.append((s, f"{DCT}creator", _iri(f"{B}agent/person/p{a}")))
            t.append((seq, f"{RDF}_{n}", _iri(f"{B}agent/person/p{a}")))
        if rng.random() < 0.6:
            t.append((s, f"{BIBO}doi", _lit(f"10.{rng.randint(1000, 9999)}/evkg.{j}")))
        if rng.random() < 0.2:
            t.append((s, f"{BIBO}uri", _lit(f"https://example.org/s{j}", f"{XSD}anyURI")))
        if kind == "Article":
            journal = rng.choices(range(self.n_journals), cum_weights=self.journal_cum)[0]
            self.source_journal[j] = journal
            t.append((s, f"{DCT}isPartOf", _iri(f"{B}journal/j{journal}")))
            if rng.random() < 0.8:
                first = rng.randint(1, 900)
                t.append((s, f"{BIBO}volume", _lit(str(rng.randint(1, 80)))))
                t.append((s, f"{BIBO}issue", _lit(str(rng.randint(1, 12)))))
                t.append((s, f"{BIBO}pages", _lit(f"{first}--{first + rng.randint(5, 30)}")))
        self.source_cache[j] = t
        self.source_agents[j] = authors
        return t

    def journal(self, k: int) -> list[tuple[str, str, str]]:
        if k not in self.journal_titles:
            self.journal_titles[k] = f"Journal of {self.title(1, 3)}"
        s = f"{B}journal/j{k}"
        return [
            (s, f"{RDF}type", _iri(f"{BIBO}Journal")),
            (s, f"{DCT}title", _lit(self.journal_titles[k])),
        ]

    def agent(self, a: int) -> list[tuple[str, str, str]]:
        given, family = self.agent_name(a)
        s = f"{B}agent/person/p{a}"
        return [
            (s, f"{RDF}type", _iri(f"{FOAF}Person")),
            (s, f"{FOAF}name", _lit(f"{given} {family}")),
            (s, f"{FOAF}familyName", _lit(family)),
            (s, f"{FOAF}givenName", _lit(given)),
        ]


def _vocabulary(w: _Writer) -> None:
    g = f"{B}graph/vocabulary"
    for prefix, labels in (("mechanism/m", MECHANISMS), ("outcome/o", OUTCOMES)):
        for k, label in enumerate(labels):
            c = f"{B}concept/{prefix}{k}"
            w.quad(c, f"{RDF}type", _iri(f"{SKOS}Concept"), g)
            w.quad(c, f"{SKOS}prefLabel", _lit(label, lang="en"), g)


def _review(w: _Writer, lib: _Library, i: int) -> None:
    rng = lib.rng
    r = f"{B}review/r{i}"
    g = f"{B}graph/r{i}/bibliography"
    n_sources = rng.randint(32, 48)
    n_shared = sum(rng.random() < 0.3 for _ in range(n_sources))
    shared = rng.choices(range(lib.n_shared), cum_weights=lib.shared_cum, k=n_shared)
    sources = list(dict.fromkeys(shared))
    while len(sources) < n_sources:
        sources.append(lib.next_source)
        lib.next_source += 1
    rng.shuffle(sources)

    creator = lib.pick_agents(1)[0]
    w.quad(r, f"{RDF}type", _iri(f"{BIBO}Document"), g)
    w.quad(r, f"{DCT}title", _lit(lib.title(6, 14)), g)
    w.quad(r, f"{DCT}creator", _iri(f"{B}agent/person/p{creator}"), g)
    agents = {creator}
    journals: set[int] = set()
    for j in sources:
        w.quad(r, f"{CITO}cites", _iri(f"{B}source/s{j}"), g)
        triples = lib.source(j)
        if lib.first_time(triples[0][0]):
            for s, p, o in triples:
                w.quad(s, p, o, g)
        agents.update(lib.source_agents[j])
        if j in lib.source_journal:
            journals.add(lib.source_journal[j])
    for a in sorted(agents):
        agent_triples = lib.agent(a)
        if lib.first_time(agent_triples[0][0]):
            for s, p, o in agent_triples:
                w.quad(s, p, o, g)
    for k in sorted(journals):
        journal_triples = lib.journal(k)
        if lib.first_time(journal_triples[0][0]):
            for s, p, o in journal_triples:
                w.quad(s, p, o, g)
    _claims(w, lib, i, sources)


def _claims(w: _Writer, lib: _Library, i: int, sources: Sequence[int]) -> None:
    rng = lib.rng
    g = f"{B}graph/r{i}/claims"
    mech_weights = [1.0 / (k + 1) ** 2 for k in range(len(MECHANISMS))]
    outcome_weights = [1.0 / (k + 1) ** 0.5 for k in range(len(OUTCOMES))]
    for k in range(rng.randint(20, 30)):
        c = f"{B}claim/r{i}/c{k}"
        stance = rng.choices(STANCES, weights=STANCE_WEIGHTS)[0]
        m = rng.choices(range(len(MECHANISMS)), weights=mech_weights)[0]
        o = rng.choices(range(len(OUTCOMES)), weights=outcome_weights)[0]
        w.quad(c, f"{RDF}type", _iri(f"{EVKG}Claim"), g)
        w.quad(c, f"{EVKG}stance", _iri(f"{EVKG}{stance}"), g)
        w.quad(c, f"{EVKG}mechanism", _iri(f"{B}concept/mechanism/m{m}"), g)
        w.quad(c, f"{EVKG}outcome", _iri(f"{B}concept/outcome/o{o}"), g)
        for j in rng.sample(list(sources), rng.randint(1, 3)):
            w.quad(c, f"{CITO}citesAsEvidence", _iri(f"{B}source/s{j}"), g)


def generate(n_triples: int, seed: int = 0, describe_once: bool = False) -> str:
    """N-Quads text of a synthetic library with roughly ``n_triples`` quads.

    Whole reviews are added until the count reaches ``n_triples``, so the result
    overshoots by less than one review (about 1,300 quads).  By default a source,
    author or journal is described again in every review graph that cites it, as
    the ingest does; ``describe_once`` describes each only in the first such graph.
    """
    est_reviews = max(1, n_triples // 1300 + 1)
    lib = _Library(
        rng=random.Random(seed),
        n_agents=max(200, est_reviews * 60),
        n_journals=max(30, est_reviews * 3),
        n_shared=max(20, est_reviews * 4),
        describe_once=describe_once,
    )
    w = _Writer()
    _vocabulary(w)
    i = 0
    while len(w.lines) < n_triples:
        _review(w, lib, i)
        i += 1
    return "\n".join(w.lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="target number of quads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument(
        "--describe-once",
        action="store_true",
        help="describe each source, author and journal in one graph only",
    )
    args = parser.parse_args(argv)
    text = generate(args.triples, args.seed, args.describe_once)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} quads to {args.out}")


if __name__ == "__main__":
    main()
