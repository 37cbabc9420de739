"""Understand a question: which form it takes, and which concepts or sources it is about.

Forms: "what supports X", "what challenges X" / "evidence against X", "how does X lead to Y"
/ "X -> Y", "where is SOURCE cited", "what does SOURCE support", and a bare "X" (an
overview).  X is matched to concepts in this order, and the answer says which rule matched:

1. a concept's label or alternative label, case- and accent-folded, found as a phrase in X;
2. the same after Snowball stemming ("inspires" finds "inspire");
3. a close spelling of a label (typos such as "hoep", "role-modeling", "rolemodel");
4. full-text search (SQLite FTS5) over the claims' statements and the review's sentences.

SOURCE is a bib key, a citation such as "Buck 2018" or "Buck et al. 2020", or words of a
title.  The question is only ever compared with labels and searched as text: it never
becomes part of a query.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from dataclasses import dataclass, field

from ingest.citations import AuthorCount, describe_authors
from ingest.textclean import fold
from kg.answers.knowledge import ConceptInfo, Knowledge, SourceInfo
from kg.answers.suggest import stems

MAX_QUESTION = 500

# A form's slot may be empty ("what supports"): understand() then says what is missing.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("path", re.compile(r"^how (?:does|do|can|might) ?(?P<x>.*?) ?lead to ?(?P<y>.*)$")),
    ("path", re.compile(r"^(?P<x>.*?)\s*(?:->|\u2192|=>)\s*(?P<y>.*)$")),
    ("cited", re.compile(r"^where (?:is|are|was) ?(?P<s>.*?) ?cited$")),
    ("source", re.compile(r"^what (?:does|do) (?P<s>.+?) (?:support|show|say)$")),
    (
        "challenges",
        re.compile(
            r"^(?:what|which)(?: evidence)? (?:challenges?|questions?|undermines?|is against)"
            r"(?: (?P<x>.*))?$"
        ),
    ),
    ("challenges", re.compile(r"^(?:evidence |what )?against(?: (?P<x>.*))?$")),
    ("supports", re.compile(r"^(?:what|which)(?: evidence)? (?:supports?|backs?)(?: (?P<x>.*))?$")),
)
_FILLER = re.compile(
    r"^(?:does|do|can|is|are|what about|tell me about|evidence (?:for|on|about)|"
    r"the evidence (?:for|on|about))\s+|\b(?:peer mentoring|mentoring|peer mentors?)\b",
)


@dataclass
class Match:
    """A concept or source the question was taken to mean, and why."""

    kind: str  # "concept" or "source"
    id: str
    label: str
    rule: str


@dataclass
class Understanding:
    """How a question was read."""

    question: str
    form: str  # supports | challenges | path | cited | source | overview
    subject: list[Match] = field(default_factory=list)
    target: list[Match] = field(default_factory=list)  # Y of "X -> Y"
    text_hits: list[str] = field(default_factory=list)  # claim IRIs found by full-text search
    did_you_mean: list[str] = field(default_factory=list)
    incomplete: bool = False  # the form was recognised but its subject is missing


def understand(question: str, knowledge: Knowledge) -> Understanding:
    """Read a question; never raises for odd input, it just finds nothing."""
    text = " ".join(question.split())[:MAX_QUESTION]
    plain = fold(text).strip(" ?!.")
    for form, pattern in _FORMS:
        found = pattern.match(plain)
        if not found:
            continue
        groups = {k: (v or "").strip() for k, v in found.groupdict().items()}
        if not all(groups.values()):
            # "what supports" with nothing after it: say what is missing, guess nothing.
            return Understanding(text, form, incomplete=True)
        if form in ("cited", "source"):
            return Understanding(text, form, subject=find_sources(groups["s"], knowledge))
        if form == "path":
            return Understanding(
                text,
                form,
                subject=find_concepts(groups["x"], knowledge),
                target=find_concepts(groups["y"], knowledge),
            )
        return _about(text, form, groups["x"], knowledge)
    sources = find_sources(plain, knowledge, strict=True)
    if sources:
        return Understanding(text, "source", subject=sources)
    return _about(text, "overview", plain, knowledge)


def _about(text: str, form: str, phrase: str, knowledge: Knowledge) -> Understanding:
    reading = Understanding(text, form, subject=find_concepts(phrase, knowledge))
    if not reading.subject and form == "overview":
        titled = find_sources(phrase, knowledge)
        if titled:
            return Understanding(text, "source", subject=titled)
    if not reading.subject:
        reading.text_hits = search_claims(phrase, knowledge)
        reading.did_you_mean = did_you_mean(phrase, knowledge)
    return reading


def find_concepts(phrase: str, knowledge: Knowledge) -> list[Match]:
    """Concepts named in a phrase, by the rules in the module docstring."""
    phrase = _FILLER.sub(" ", fold(phrase)).strip(" ?!.,")
    if not phrase:
        return []
    words = f" {' '.join(re.findall(r'[a-z0-9]+', phrase))} "
    stemmed = f" {' '.join(stems(phrase))} "
    found: dict[str, Match] = {}
    labels = sorted(_labels(knowledge), key=lambda item: -len(item[0]))
    for label, concept in labels:
        plain = f" {' '.join(re.findall(r'[a-z0-9]+', fold(label)))} "
        if plain.strip() and plain in words and concept.iri not in found:
            found[concept.iri] = Match("concept", concept.iri, concept.label, f"label '{label}'")
            words = words.replace(plain, " ")
    if found:
        return list(found.values())
    by_stem: dict[str, list[tuple[str, ConceptInfo]]] = {}
    for label, concept in labels:
        by_stem.setdefault(f" {' '.join(stems(label))} ", []).append((label, concept))
    for stem in sorted(by_stem, key=lambda s: (-len(s), s)):
        if not stem.strip() or stem not in stemmed:
            continue
        for label, concept in by_stem[stem]:
            found.setdefault(
                concept.iri,
                Match("concept", concept.iri, concept.label, f"word forms of '{label}'"),
            )
        # The longest match wins its words: "compliance with supervision" is not also
        # "supervision" (an enabler).
        stemmed = stemmed.replace(stem, " ")
    if found:
        return list(found.values())
    return _fuzzy(phrase, knowledge)


def _labels(knowledge: Knowledge) -> list[tuple[str, ConceptInfo]]:
    return [(label, c) for c in knowledge.concepts.values() for label in c.labels]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _fuzzy(phrase: str, knowledge: Knowledge) -> list[Match]:
    """Close spellings: the whole phrase against labels, squashed so hyphens do not matter."""
    squashed = {_squash(label): (label, c) for label, c in _labels(knowledge)}
    target = _squash(phrase)
    close = difflib.get_close_matches(target, list(squashed), n=1, cutoff=0.75)
    if not close:
        # A word of a longer question may carry the typo ("what supports hoep").
        for word in re.findall(r"[a-z]{4,}", phrase):
            close = difflib.get_close_matches(word, list(squashed), n=1, cutoff=0.75)
            if close:
                break
    if not close:
        return []
    label, concept = squashed[close[0]]
    return [Match("concept", concept.iri, concept.label, f"close spelling of '{label}'")]


def did_you_mean(phrase: str, knowledge: Knowledge) -> list[str]:
    """Labels that look a little like the phrase, for an honest empty answer."""
    labels = {fold(label): c.label for label, c in _labels(knowledge)}
    close = difflib.get_close_matches(fold(phrase), list(labels), n=3, cutoff=0.5)
    return list(dict.fromkeys(labels[c] for c in close))


def find_sources(text: str, knowledge: Knowledge, *, strict: bool = False) -> list[Match]:
    """Sources named by key, by citation ("Buck et al. 2020") or, unless strict, by title."""
    text = fold(text).strip(" ?!.\"'")
    by_key = {fold(k): s for k, s in knowledge.sources.items()}
    if text in by_key:
        source = by_key[text]
        return [Match("source", source.key, _cite(source), "bib key")]
    by_author = [
        s for s in knowledge.sources.values() if text in (fold(s.first_family), fold(s.authors))
    ]
    if by_author:
        return [
            Match("source", s.key, _cite(s), "first author")
            for s in sorted(by_author, key=lambda s: (s.year, s.key))
        ]
    cited = re.fullmatch(r"(?P<authors>.+?),?\s+\(?(?P<year>\d{4})[a-z]?\)?", text)
    if cited:
        family, count, _, _ = describe_authors(cited["authors"])
        hits = [
            s
            for s in knowledge.sources.values()
            if fold(s.first_family) == fold(family)
            and s.year == cited["year"]
            and _count_fits(count, s)
        ]
        if hits:
            return [Match("source", s.key, _cite(s), "first author and year") for s in hits]
    if strict:
        return []
    words = set(re.findall(r"[a-z]{4,}", text))
    scored = sorted(
        (
            (len(words & set(re.findall(r"[a-z]{4,}", fold(s.title)))), s)
            for s in knowledge.sources.values()
        ),
        key=lambda p: (-p[0], p[1].key),
    )
    best = [s for score, s in scored if score and score == scored[0][0]]
    if best and scored[0][0] >= max(1, len(words) // 2):
        return [Match("source", s.key, _cite(s), "words of the title") for s in best[:3]]
    return []


def _count_fits(count: AuthorCount, source: SourceInfo) -> bool:
    if count is AuthorCount.ONE:
        return source.author_count == 1
    if count is AuthorCount.TWO:
        return source.author_count == 2
    return source.author_count >= 2


def _cite(source: SourceInfo) -> str:
    return f"{source.authors} ({source.year})"


def search_claims(phrase: str, knowledge: Knowledge) -> list[str]:
    """Claim ids whose statement or sentence matches the words, by SQLite full-text search."""
    terms = re.findall(r"[a-z0-9]{3,}", fold(phrase))
    if not terms:
        return []
    index = _fts(knowledge)
    query = " OR ".join(f'"{t}"' for t in terms[:12])  # terms are [a-z0-9] only: inert in FTS
    rows = index.execute(
        "SELECT claim FROM claims WHERE claims MATCH ? ORDER BY rank LIMIT 20", (query,)
    ).fetchall()
    return [str(r[0]) for r in rows]


def _fts(knowledge: Knowledge) -> sqlite3.Connection:
    cached = getattr(knowledge, "_fts", None)
    if isinstance(cached, sqlite3.Connection):
        return cached
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.execute(
        "CREATE VIRTUAL TABLE claims USING fts5(claim UNINDEXED, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    connection.executemany(
        "INSERT INTO claims VALUES (?, ?)",
        [(c.iri, f"{c.statement} {c.sentence or ''}") for c in knowledge.claims.values()],
    )
    knowledge._fts = connection  # type: ignore[attr-defined]
    return connection
