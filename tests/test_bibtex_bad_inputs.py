"""Bad-input catalogue cases 1-8, 10 and 13 (../shared/design/BAD-INPUTS.md) for BibTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.bibrecords import NameKind
from ingest.bibtex import parse_bibtex, parse_bibtex_string
from ingest.problems import Severity
from kg.build.dataset import canonical_source_iris
from kg.rdf.ids import source_iri
from tests.conftest import DATA, corpus_file

BAD = DATA / "bad"


def codes(path: Path, **kwargs: str) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for problem in parse_bibtex(path, **kwargs).problems:
        found.setdefault(problem.code, []).append(problem.line)
    return found


# Case 1 -------------------------------------------------------------------------------------
def test_unclosed_brace_is_reported_with_its_line_and_the_rest_survive() -> None:
    bib = parse_bibtex(BAD / "01-unclosed-brace.bib")
    [failed] = [p for p in bib.problems if p.code == "bib.failed-block"]
    assert failed.severity is Severity.ERROR
    assert failed.line == 8
    assert "broken2020" in failed.message
    assert "line 14" in failed.message  # where the parser gave up, counted from 1
    assert [e.key for e in bib.entries] == ["first2019", "third2021"]


# Case 2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "keys", "lines", "survivors"),
    [
        ("02-duplicate-key.bib", {"buck2020"}, [1, 8], ["other2019"]),
        ("02-case-variant-keys.bib", {"K1", "k1"}, [1, 8], []),
    ],
    ids=["same-key-twice", "case-variants"],
)
def test_duplicate_keys_keep_neither_copy(
    fixture: str, keys: set[str], lines: list[int], survivors: list[str]
) -> None:
    bib = parse_bibtex(BAD / fixture)
    duplicates = [p for p in bib.problems if p.code == "bib.duplicate-key"]
    assert {p.key for p in duplicates} == keys
    assert sorted(p.line for p in duplicates if p.line) == lines
    assert all(p.severity is Severity.ERROR for p in duplicates)
    assert [e.key for e in bib.entries] == survivors
    # Nothing pretends the file was empty: the entries exist, they are in conflict.
    assert "bib.no-entries" not in {p.code for p in bib.problems}


# Case 3 -------------------------------------------------------------------------------------
def test_duplicate_field_reports_the_entry_and_field() -> None:
    bib = parse_bibtex(BAD / "03-duplicate-field.bib")
    [problem] = [p for p in bib.problems if p.code == "bib.duplicate-field"]
    assert (problem.key, problem.line, problem.severity) == ("twice2017", 1, Severity.ERROR)
    assert "year" in problem.message
    assert [e.key for e in bib.entries] == ["fine2017"]


def test_a_field_given_twice_in_two_cases_is_a_duplicate_too() -> None:
    bib = parse_bibtex_string(
        "@book{twice2018, title = {One}, Title = {Two}, year = {2018}}\n"
        "@book{fine2018, title = {Fine}, year = {2018}}\n"
    )
    [problem] = [p for p in bib.problems if p.code == "bib.duplicate-field"]
    assert (problem.key, problem.severity) == ("twice2018", Severity.ERROR)
    assert "title / Title" in problem.message
    assert [e.key for e in bib.entries] == ["fine2018"]


# Case 4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("04-empty.bib", "bib.empty", "empty"),
        ("04-not-bibtex.html", "bib.not-bibtex", "HTML"),
        ("04-not-bibtex.pdf", "bib.not-bibtex", "PDF"),
        ("04-no-entries.bib", "bib.no-entries", "no BibTeX entries"),
    ],
    ids=["empty", "html-error-page", "pdf", "prose-only"],
)
def test_not_bibtex_is_a_hard_error_never_zero_entries(fixture: str, code: str, words: str) -> None:
    bib = parse_bibtex(BAD / fixture)
    [problem] = bib.problems
    assert problem.code == code
    assert problem.severity is Severity.ERROR
    assert "no entries found" in problem.message and words in problem.message
    assert bib.entries == ()


def test_binary_file_is_not_bibtex(tmp_path: Path) -> None:
    path = tmp_path / "random.bib"
    path.write_bytes(bytes(range(256)) * 40)
    [problem] = parse_bibtex(path).problems
    assert problem.code == "bib.not-bibtex" and "binary" in problem.message


# Case 5 -------------------------------------------------------------------------------------
def test_a_chinese_file_is_offered_the_encoding_that_reads_it() -> None:
    # GBK, from bibtexparser's own tests: cp1252 would publish mojibake.
    gbk = corpus_file("bibtex", "bibtexparser-gbk_test.bib")
    [problem] = parse_bibtex(gbk).problems
    assert problem.code == "bib.encoding"
    assert "gb18030 (" in problem.message and "凯撒" in problem.message
    [entry] = parse_bibtex(gbk, encoding="gb18030").entries
    assert entry.key == "凯撒2013" and entry.get("journal") == "测试期刊"


def test_windows_1252_is_detected_and_can_be_re_decoded() -> None:
    path = BAD / "05-cp1252.bib"
    [problem] = parse_bibtex(path).problems
    assert problem.code == "bib.encoding" and problem.line == 2
    assert "--bib-encoding" in problem.message and "cp1252 (" in problem.message
    assert "Jürgen" in problem.message  # shows what the bytes would say
    redecoded = parse_bibtex(path, encoding="cp1252")
    assert redecoded.problems == ()
    [entry] = redecoded.entries
    assert [a.display for a in entry.authors] == ["Jürgen Müller", "José Señor"]
    assert entry.title == "Café culture \u2013 a study"


def test_bom_and_crlf_are_accepted_silently() -> None:
    bib = parse_bibtex(BAD / "05-bom-crlf.bib")
    assert bib.problems == ()
    [entry] = bib.entries
    assert entry.key == "muller2015"  # the BOM did not leak into the first key
    assert entry.line == 1
    assert entry.title == "Café culture \u2013 a study"


# Case 6 -------------------------------------------------------------------------------------
def test_missing_and_odd_years_are_kept_flagged_and_sortable() -> None:
    bib = parse_bibtex(BAD / "06-years.bib")
    entries = bib.by_key()
    assert set(entries) == {"noyear", "inpress", "nd", "suffixed", "weird"}
    assert entries["noyear"].year is None
    assert entries["inpress"].year is not None and entries["inpress"].year.text == "in press"
    assert entries["nd"].year is not None and entries["nd"].year.text == "n.d."
    suffixed = entries["suffixed"].year
    assert suffixed is not None and (suffixed.value, suffixed.suffix) == (2008, "a")
    weird = entries["weird"].year
    assert weird is not None and weird.text == "circa 1990s"  # kept, not dropped or invented
    flagged = {(p.code, p.key, p.severity) for p in bib.problems}
    assert flagged == {
        ("bib.missing-year", "noyear", Severity.WARNING),
        ("bib.bad-year", "weird", Severity.WARNING),
    }
    ordered = sorted(bib.entries, key=lambda e: e.year.sort_key if e.year else (9999, "~"))
    assert ordered[0].key == "suffixed"


# Case 7 -------------------------------------------------------------------------------------
def test_latex_names_decode_and_keep_organisations_whole() -> None:
    bib = parse_bibtex(BAD / "07-latex-names.bib")
    assert bib.problems == ()
    [entry] = bib.entries
    kinds = [a.kind for a in entry.authors]
    assert kinds == [NameKind.PERSON] * 2 + [NameKind.ORGANISATION] + [NameKind.PERSON] * 2 + [
        NameKind.OMITTED
    ]
    muller, christensen, who, fontaine, doe, _ = entry.authors
    assert (muller.last, muller.first) == ("Müller", "Hans")
    assert christensen.last == "Christensen"
    assert who.last == "World Health Organization"
    assert (fontaine.von, fontaine.last, fontaine.family) == ("de la", "Fontaine", "de la Fontaine")
    assert (doe.last, doe.jr, doe.first) == ("Doe", "Jr", "John")
    assert entry.authors[-1].display == "et al."
    assert entry.title == "Straßen, cafés and the UK & Europe"
    assert entry.get("journal") == "Revue d'Études"


# Case 8 -------------------------------------------------------------------------------------
def test_string_macros_concatenate_and_bad_macros_are_flagged() -> None:
    bib = parse_bibtex(BAD / "08-macros.bib")
    entries = bib.by_key()
    assert entries["concat2016"].get("journal") == "Journal of Criminal Justice Studies"
    assert entries["concat2016"].get("month") == "January"
    # The unresolved name is kept as text so nothing the author typed is lost.
    assert entries["undefined2016"].get("journal") == "nosuchmacro"
    found = {(p.code, p.line) for p in bib.problems}
    assert ("bib.undefined-macro", 17) in found
    assert any(code == "bib.cyclic-macro" for code, _ in found)
    cyclic = next(p for p in bib.problems if p.code == "bib.cyclic-macro")
    assert "loopa" in cyclic.message and "loopb" in cyclic.message


# Case 10 ------------------------------------------------------------------------------------
def test_hostile_text_is_kept_as_text_and_controls_are_stripped() -> None:
    bib = parse_bibtex(BAD / "10-hostile.bib")
    entries = bib.by_key()
    hostile = entries["hostile2020"]
    assert hostile.title is not None
    assert '<script>alert("t")</script>' in hostile.title
    assert '"><svg onload=alert(2)>' in hostile.title
    assert "\u202e" not in hostile.title and "\u202c" not in hostile.title
    assert hostile.authors[1].last == "Null"  # the NUL is gone, the name is not
    assert hostile.get("url") is None  # javascript: is not a link we keep
    assert entries["safeurl2020"].get("url") == "https://example.org/a%20b?x=1&y=$2"
    found = {p.code for p in bib.problems}
    assert {"bib.control-characters", "bib.bad-url"} <= found


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u2066", "\u200f", "\x07", "\x1b"],
    ids=["rlo", "lri", "rlm", "bell", "escape"],
)
def test_each_invisible_control_is_stripped(char: str) -> None:
    bib = parse_bibtex_string(f"@misc{{k, title = {{a{char}b}}, year = 2020}}")
    assert bib.entries[0].title == "ab"


# Case 13 ------------------------------------------------------------------------------------
def test_same_work_under_two_keys_becomes_one_source_keeping_both_keys() -> None:
    bib = parse_bibtex(BAD / "13-duplicate-works.bib")
    assert bib.duplicate_works == (("buck2020", "buck2020peer"), ("duvnjak2021", "duvnjak2021how"))
    iris = canonical_source_iris(bib)
    assert iris["buck2020"] == iris["buck2020peer"]
    assert iris["duvnjak2021"] == iris["duvnjak2021how"]
    assert iris["buck2020"] != iris["duvnjak2021"]
    warnings = [p for p in bib.problems if p.code == "bib.duplicate-work"]
    assert len(warnings) == 2 and all(p.severity is Severity.WARNING for p in warnings)


def test_same_work_in_two_review_versions_gets_the_same_iri() -> None:
    old = parse_bibtex_string(
        "@book{buck2020, author={Buck, G.}, title={Peer Mentoring in Criminal Justice},"
        " year={2020}}"
    )
    new = parse_bibtex_string(
        "@book{buck2020peer, author={Buck, Gillian}, title={Peer mentoring in criminal "
        "justice}, publisher={Routledge}, year={2020}}"
    )
    assert source_iri(old.entries[0]) == source_iri(new.entries[0])


def test_a_reference_list_past_the_limits_is_refused_with_its_reason(tmp_path: Path) -> None:
    from ingest.bibtex import MAX_ENTRIES, MAX_FIELD_CHARS, parse_bibtex

    many = tmp_path / "many.bib"
    many.write_text(
        "".join(
            f"@book{{k{n}, title = {{T{n}}}, year = {{2020}}}}\n" for n in range(MAX_ENTRIES + 1)
        ),
        "utf-8",
    )
    refused = parse_bibtex(many)
    assert refused.entries == ()
    assert [p.code for p in refused.problems] == ["bib.too-many-entries"]
    assert f"at most {MAX_ENTRIES}" in refused.problems[0].message

    long = tmp_path / "long.bib"
    long.write_text(
        "@book{fine, title = {Fine}, year = {2020}}\n"
        f"@book{{huge, title = {{{'x' * (MAX_FIELD_CHARS + 1)}}}, year = {{2020}}}}\n",
        "utf-8",
    )
    read = parse_bibtex(long)
    assert [e.key for e in read.entries] == ["fine"]  # the rest is kept
    assert [(p.code, p.key) for p in read.problems] == [("bib.field-too-long", "huge")]
