"""references.bib: clean under our parser, read alike by pybtex, faithful to the review's list."""

from __future__ import annotations

import re

import pytest
from pybtex.database import parse_file

from ingest.bibrecords import BibEntry, NameKind
from ingest.bibtex import normalised_title, parse_bibtex
from ingest.textclean import fold
from tests.conftest import ROOT, needs_seed

BIB = ROOT / "references.bib"
# Fixes of text-extraction artefacts, recorded in docs/references.md.
URL_FIXES = {
    "maruna2017desistance": ("\\$File", "$File"),
    "maruna2001making": ("226691359_ Shadd", "226691359_Shadd"),
}


@pytest.fixture(scope="module")
def entries() -> tuple[BibEntry, ...]:
    bib = parse_bibtex(BIB)
    assert [str(p) for p in bib.problems] == []
    return bib.entries


def test_references_bib_parses_without_problems(entries: tuple[BibEntry, ...]) -> None:
    assert len(entries) == 39
    assert len({e.key.casefold() for e in entries}) == 39
    for entry in entries:
        assert entry.title, entry.key
        assert entry.year is not None and entry.year.value is not None, entry.key
        assert entry.authors, entry.key


def test_pybtex_reads_the_same_entries(entries: tuple[BibEntry, ...]) -> None:
    other = parse_file(str(BIB), bib_format="bibtex")
    assert sorted(other.entries.keys()) == sorted(e.key for e in entries)
    for entry in entries:
        theirs = other.entries[entry.key]
        assert theirs.fields["year"] == str(entry.year.value if entry.year else "")
        first = theirs.persons["author"][0]
        surname = " ".join(first.prelast_names + first.last_names).replace("{", "").replace("}", "")
        ours = entry.authors[0]
        assert fold(surname) == fold(ours.family), entry.key
        assert len(theirs.persons["author"]) == len(entry.authors), entry.key


def _reference_list(text: str) -> list[str]:
    """The review's references, one paragraph each, between its heading and the back matter."""
    start = text.index("\nReferences\n")
    end = text.index("\nOur vision\n", start)
    return [line.strip() for line in text[start:end].splitlines()[2:] if line.strip()]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text.replace("'", ""))))


@needs_seed
def test_each_entry_matches_the_review_reference_list(
    entries: tuple[BibEntry, ...], review_text: str
) -> None:
    references = _reference_list(review_text)
    assert len(references) == len(entries)
    unmatched = list(references)
    for entry in entries:
        first = entry.authors[0]
        assert entry.year is not None
        year = f"({entry.year.value})"
        candidates = [
            ref
            for ref in unmatched
            if year in ref
            and _first_author_matches(ref[: ref.index(year)], first.family, first.kind)
            and _words(entry.title or "") in _words(ref)
        ]
        assert candidates, f"{entry.key}: no reference by {first.family} {year} with its title"
        unmatched.remove(candidates[0])
    assert unmatched == []


def _first_author_matches(head: str, family: str, kind: NameKind) -> bool:
    head = fold(head).strip()
    if kind is NameKind.ORGANISATION:
        return head.startswith(fold(family))
    return head.split(",")[0].strip() == fold(family)


@needs_seed
def test_every_url_and_doi_is_the_one_the_list_gives(
    entries: tuple[BibEntry, ...], review_text: str
) -> None:
    listed = review_text
    for key, (wrong, right) in URL_FIXES.items():
        assert wrong in listed, key
        listed = listed.replace(wrong, right)
    for entry in entries:
        for field in ("url", "doi"):
            value = entry.get(field)
            if value:
                assert value in listed, f"{entry.key}: {field} {value} is not in the list"


def test_title_normalisation_ignores_case_and_punctuation() -> None:
    assert normalised_title("Peer Mentoring: in Criminal Justice!") == normalised_title(
        "peer mentoring in criminal justice"
    )
