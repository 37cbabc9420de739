"""References that an unmatched citation might have meant, best first.

"Buck et al., 2015" matches nothing, but the list has Buck et al. (2017), never cited: the
editor should be offered it.  A reference is a candidate when its first author's family name
is the citation's (or a close spelling of it); it ranks higher the nearer its year, when it
shares a co-author named in the citation, when its count of authors fits, and when the text
never cites it otherwise.  Each candidate says why it is offered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.bibrecords import BibEntry, NameKind
from ingest.citations import AuthorCount
from ingest.textclean import fold

MAX_CANDIDATES = 3
YEARS_APART = 5  # a year further off than this is no hint


@dataclass(frozen=True)
class Candidate:
    """A reference the citation may mean, and why."""

    key: str
    score: int
    reasons: tuple[str, ...]


def _folded(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", fold(name)))


def _year(text: str) -> int | None:
    found = re.match(r"\d{4}", text.strip())
    return int(found[0]) if found else None


def rank_candidates(
    family: str,
    year: str,
    authors: str,
    count: AuthorCount,
    entries: Iterable[BibEntry],
    uncited: Iterable[str] = (),
) -> list[Candidate]:
    """The likeliest references for a citation of ``family`` ``year`` (best first, at most 3)."""
    wanted = _folded(family)
    cited_year = _year(year)
    never_cited = set(uncited)
    written = set(_folded(authors).split())
    found = []
    for entry in entries:
        first = entry.first_author
        if first is None:
            continue
        theirs = _folded(first.family)
        reasons = []
        score = 0
        if theirs == wanted:
            score += 4
            reasons.append("same first author")
        elif difflib.SequenceMatcher(None, theirs, wanted).ratio() >= 0.8:
            score += 2
            reasons.append(f"first author spelt {first.family}")
        else:
            continue
        their_year = entry.year.value if entry.year else None
        if cited_year is not None and their_year is not None:
            apart = abs(their_year - cited_year)
            if apart > YEARS_APART:
                continue
            score += YEARS_APART - apart
            reasons.append("same year" if apart == 0 else f"{apart} year{'s' * (apart > 1)} apart")
        others = {
            _folded(a.family)
            for a in entry.authors[1:]
            if a.kind is not NameKind.OMITTED and _folded(a.family) in written
        }
        if others:
            score += 2 * len(others)
            reasons.append(f"co-author in common ({', '.join(sorted(others))})")
        if _count_fits(count, entry):
            score += 1
            reasons.append("number of authors fits")
        if entry.key in never_cited:
            score += 2
            reasons.append("never cited in the text")
        found.append(Candidate(entry.key, score, tuple(reasons)))
    found.sort(key=lambda c: (-c.score, c.key))
    return found[:MAX_CANDIDATES]


def _count_fits(count: AuthorCount, entry: BibEntry) -> bool:
    many = len(entry.authors) >= 3 or any(a.kind is NameKind.OMITTED for a in entry.authors)
    if count is AuthorCount.MANY:
        return many
    return len(entry.authors) == (2 if count is AuthorCount.TWO else 1) and not many
