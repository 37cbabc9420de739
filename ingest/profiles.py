"""Source profiles: what kind of work each reference is, and how we know.

Every value carries its *basis*: the words of the reference list or the review it rests on,
or "editor's judgement" where a person decided.  Nothing is guessed: a study design that the
title does not name is ``not-stated``.

The rules, in order of trust:

- **Study design** from words in the title (``A Pilot Study`` -> ``pilot-study``), the first
  rule that matches winning (a protocol *for* a systematic review is a protocol).
- **Publication type** from the BibTeX entry type, refined by the design (an inspection
  report, a survey report, a seminar report, a protocol).
- **Peer review** for journal articles, by venue, from the editors' judgements in
  ``reviews/<id>.venues.yaml``; a journal the file does not mention, and anything that is
  not a journal article, is ``not stated``.
- **Country** from the title ("in Germany") or from a claim that says where the study was.
- **Settings and populations** from the curated claims that cite this source alone (a claim
  resting on several sources cannot say which of them the setting belongs to), and from the
  title (``women``, ``young people``, ``veterans``).
- **By the review's author**: a reference author with the same surname and a compatible
  first initial as one of the review's authors; the basis says it is a judgement on names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.appraisals import Appraisal
from ingest.bibrecords import BibEntry, Name, NameKind
from ingest.claims import Claim
from ingest.textclean import fold, strip_unsafe_characters

NOT_STATED = "not-stated"
# (pattern in the folded title, design). The first match wins.
DESIGN_RULES: tuple[tuple[str, str], ...] = (
    (r"\bprotocol\b", "protocol"),
    (r"\brandomi[sz]ed\b", "randomised-controlled-trial"),
    (r"\bsystematic (?:realist )?(?:literature )?review\b", "systematic-review"),
    (r"\bscoping review\b", "scoping-review"),
    (r"\b(?:thematic review|review of (?:existing )?evidence)\b", "evidence-review"),
    (r"\bpilot study\b", "pilot-study"),
    (r"\bqualitative (?:study|research)\b", "qualitative"),
    (r"\bparticipatory (?:\w+ )?research\b", "participatory-research"),
    (r"\beconomic (?:impact|analysis|evaluation)\b", "economic-evaluation"),
    (r"\bfirst-hand account\b", "first-hand-account"),
    (r"\bevaluation report\b|\ban evaluation\b|\bevaluation of\b", "evaluation"),
    (r"\binspection\b|\bchief inspector\b", "inspection"),
    (r"\bsurvey\b", "survey"),
    (r"\bseminar\b", "seminar-report"),
    (r"\bmapping\b", "mapping"),
)
DESIGNS = frozenset(d for _, d in DESIGN_RULES) | {NOT_STATED}
# Matched against the title as written: abbreviations only in capitals ("US", not "us").
COUNTRY_RULES: tuple[tuple[str, str], ...] = (
    (r"\b[Ee]ngland and [Ww]ales\b", "England and Wales"),
    (r"\b[Uu]nited [Kk]ingdom\b|\bUK\b", "United Kingdom"),
    (r"\bEngland\b", "England"),
    (r"\bScotland\b", "Scotland"),
    (r"\bGermany\b", "Germany"),
    (r"\bUSA?\b|\b[Uu]nited [Ss]tates\b", "United States"),
    (r"\bCanada\b", "Canada"),
    (r"\bAustralia\b", "Australia"),
)
SETTING_COUNTRIES = {"uk": "United Kingdom", "usa": "United States"}
TITLE_POPULATIONS: tuple[tuple[str, str], ...] = (
    (r"\bwomen\b|\bfemale\b", "women"),
    (r"\byoung people\b|\byouth\b|\bchildren'?s?\b|\badolescents\b", "young-people"),
    (r"\bveterans\b", "veterans"),
)


@dataclass(frozen=True)
class Valued:
    """A profile value and the basis for it."""

    value: str
    basis: str


@dataclass(frozen=True)
class SourceProfile:
    """What kind of work a reference is."""

    key: str
    publication_type: Valued
    design: Valued
    peer_reviewed: Valued  # "yes", "no" or "not stated"
    countries: tuple[Valued, ...]
    settings: tuple[Valued, ...]
    populations: tuple[Valued, ...]
    by_review_author: Valued  # "yes" or "no"
    appraisal: Appraisal | None = None  # the editors' own judgement, kept apart


def study_design(entry: BibEntry) -> Valued:
    """The design the title names, or ``not-stated``."""
    title = fold(entry.title or "")
    for pattern, design in DESIGN_RULES:
        found = re.search(pattern, title)
        if found:
            return Valued(design, f"title says '{_quote(entry.title or '', found)}'")
    return Valued(NOT_STATED, "neither the title nor the review names a study design")


def _quote(title: str, found: re.Match[str]) -> str:
    # fold() keeps one character per character for Latin text, so the span maps back.
    return title[found.start() : found.end()] if len(fold(title)) == len(title) else found[0]


def publication_type(entry: BibEntry, design: str) -> Valued:
    """A reader's name for the kind of publication, from the entry type and the design."""
    basis = f"BibTeX entry type '{entry.entry_type}'"
    if design == "protocol":
        return Valued("protocol", basis + "; the title says it is a protocol")
    if entry.entry_type == "article":
        return Valued("journal article", basis + f" in '{entry.get('journal')}'")
    if entry.entry_type == "book":
        return Valued("book", basis)
    if entry.entry_type in ("incollection", "inbook"):
        return Valued("book chapter", basis)
    if entry.entry_type in ("techreport", "report"):
        kind = {
            "inspection": "inspection report",
            "survey": "survey report",
            "seminar-report": "seminar report",
            "evaluation": "evaluation report",
            "economic-evaluation": "economic evaluation report",
        }.get(design, "report")
        article = "an" if kind[:1] in "aeiou" else "a"
        named = "" if kind == "report" else f"; the title names {article} {kind}"
        return Valued(kind, basis + named)
    return Valued("other", basis)


def load_venues(path: Path | None) -> dict[str, Valued]:
    """The editors' judgements of which journals peer review (folded title -> yes/no)."""
    if path is None or not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    venues = {}
    for title, verdict in (data.get("journals") or {}).items():
        value = "yes" if verdict.get("peer_reviewed") else "no"
        basis = strip_unsafe_characters(str(verdict.get("basis")))[0]
        venues[fold(strip_unsafe_characters(str(title))[0])] = Valued(
            value, f"editor's judgement: {basis}"
        )
    return venues


def _initials_compatible(a: Name, b: Name) -> bool:
    first_a, first_b = fold(a.first)[:1], fold(b.first)[:1]
    return not first_a or not first_b or first_a == first_b


def by_review_author(entry: BibEntry, review_authors: Sequence[Name]) -> Valued:
    """Whether one of the review's authors is among the reference's authors."""
    for author in entry.authors:
        if author.kind is not NameKind.PERSON:
            continue
        for reviewer in review_authors:
            if fold(author.family) == fold(reviewer.family) and _initials_compatible(
                author, reviewer
            ):
                return Valued(
                    "yes",
                    f"editor's judgement on names: {author.bibtex} in the "
                    f"reference list and the review's author {reviewer.display} "
                    "share surname and initial",
                )
    return Valued("no", "no author shares the surname and initial of the review's author")


def profile_records(
    entries: Sequence[BibEntry],
    claims: Sequence[Claim],
    review_authors: Sequence[Name],
    venues: Mapping[str, Valued],
) -> dict[str, SourceProfile]:
    """A profile for every reference, from its entry, the claims that cite it and the venues."""
    profiles = {}
    for entry in entries:
        design = study_design(entry)
        citing = [c for c in claims if any(e.key == entry.key for e in c.evidence)]
        journal = entry.get("journal")
        if entry.entry_type == "article" and journal:
            peer = venues.get(
                fold(journal), Valued("not stated", "the editors have not judged this journal")
            )
        else:
            peer = Valued(
                "not stated",
                f"a {publication_type(entry, design.value).value}, not "
                "a journal article: nothing says how it was reviewed",
            )
        profiles[entry.key] = SourceProfile(
            key=entry.key,
            publication_type=publication_type(entry, design.value),
            design=design,
            peer_reviewed=peer,
            countries=_countries(entry, citing),
            settings=_from_claims(citing, "settings"),
            populations=_populations(entry, citing),
            by_review_author=by_review_author(entry, review_authors),
        )
    return profiles


def _countries(entry: BibEntry, citing: Sequence[Claim]) -> tuple[Valued, ...]:
    found: dict[str, Valued] = {}
    title = entry.title or ""
    for pattern, country in COUNTRY_RULES:
        match = re.search(pattern, title)
        if match and not any(country in c for c in found):
            found[country] = Valued(country, f"title says '{match[0]}'")
    for claim in _single_source(citing):
        for setting in claim.concepts.get("settings", ()):
            stated = SETTING_COUNTRIES.get(setting)
            if stated and stated not in found:
                found[stated] = Valued(stated, f"the review says so (claim {claim.id})")
    return tuple(found.values())


def _single_source(citing: Sequence[Claim]) -> list[Claim]:
    """Claims that rest on one reference only: only they say where *that* source was."""
    return [c for c in citing if len({e.key for e in c.evidence if e.key}) == 1]


def _from_claims(citing: Sequence[Claim], scheme: str) -> tuple[Valued, ...]:
    found: dict[str, Valued] = {}
    for claim in _single_source(citing):
        for concept in claim.concepts.get(scheme, ()):
            if concept in SETTING_COUNTRIES:
                continue
            found.setdefault(concept, Valued(concept, f"the review says so (claim {claim.id})"))
    return tuple(found.values())


def _populations(entry: BibEntry, citing: Sequence[Claim]) -> tuple[Valued, ...]:
    found = {v.value: v for v in _from_claims(citing, "populations")}
    title = fold(entry.title or "")
    for pattern, population in TITLE_POPULATIONS:
        match = re.search(pattern, title)
        if match and population not in found:
            found[population] = Valued(population, f"title says '{match[0]}'")
    return tuple(found.values())
