"""Reference lists as reference managers export them: RIS and CSL-JSON, besides BibTeX.

The two files in ``tests/data/reference_formats/`` were written by us in the form Zotero,
Mendeley and EndNote export (RIS tags, CSL-JSON items).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.reference_formats import (
    ReferenceFormatError,
    csl_to_bibtex,
    read_reference_list,
    ris_to_bibtex,
)
from tests.conftest import DATA

FORMATS = DATA / "reference_formats"


def test_a_ris_export_reads_as_its_bibtex_would() -> None:
    bib = read_reference_list(FORMATS / "zotero-export.ris")
    assert not bib.problems
    by_key = bib.by_key()
    assert list(by_key) == [
        "buck2018core",
        "buck2020peer",
        "example2019mentoring",
        "frontiereconomics2009economic",
    ]
    article = by_key["buck2018core"]
    assert article.entry_type == "article"
    assert article.get("journal") == "Criminology & Criminal Justice"
    assert article.get("doi") == "10.1177/1748895817699659"
    assert article.get("pages") == "190\u2013206"
    chapter = by_key["example2019mentoring"]
    assert [a.family for a in chapter.authors] == ["Example", "Sample"]
    assert [e.family for e in chapter.editors] == ["Editor"]
    assert chapter.get("booktitle") == "A Handbook of Examples"
    report = by_key["frontiereconomics2009economic"]
    # An organisation stays one name, not a first and a last name.
    assert [a.display for a in report.authors] == ["Frontier Economics"]
    assert report.get("url") == "https://example.org/report.pdf"


def test_a_csl_json_export_reads_as_its_bibtex_would() -> None:
    bib = read_reference_list(FORMATS / "mendeley-export.json")
    by_key = bib.by_key()
    assert list(by_key)[:2] == ["buck2018core", "vanlenthe"]
    book = by_key["vanlenthe"]
    assert book.authors[0].von == "van" and book.authors[0].last == "Lenthe"
    assert book.title == "A title with 50% off & more"
    assert book.year is not None and book.year.value == 2015
    report = next(e for e in bib.entries if e.entry_type == "techreport")
    assert [a.display for a in report.authors] == ["HM Inspectorate of Prisons"]
    # Nothing is guessed: the undated page stays undated, and says so.
    undated = next(e for e in bib.entries if e.entry_type == "online")
    assert undated.year is None
    assert [p.code for p in bib.problems] == ["bib.missing-year"]


@pytest.mark.parametrize(
    ("reader", "text", "said"),
    [
        (ris_to_bibtex, "", "no references found"),
        (ris_to_bibtex, "not ris at all", "no references found"),
        (csl_to_bibtex, "{not json", "not CSL-JSON"),
        (csl_to_bibtex, '"a string"', "expected a list"),
        (csl_to_bibtex, "[]", "no references found"),
    ],
)
def test_a_file_that_is_not_its_format_says_so(reader: object, text: str, said: str) -> None:
    with pytest.raises(ReferenceFormatError, match=said):
        reader(text)  # type: ignore[operator]


def test_an_unreadable_export_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "refs.json"
    broken.write_text("{not json", "utf-8")
    bib = read_reference_list(broken)
    assert bib.entries == () and bib.problems[0].code == "refs.unreadable"
