"""The mention grammar (ingest.citations) and resolution (ingest.resolve) on our fixtures."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.audit import audit_review, format_report
from ingest.bibtex import parse_bibtex, parse_bibtex_string
from ingest.citations import AuthorCount, Mention, iter_mentions, unread_brackets
from ingest.resolve import Resolver, Status
from ingest.review import parse_review
from tests.conftest import DATA

REVIEW = DATA / "review" / "mini-review.md"
BIB = DATA / "review" / "mini-review.bib"


def mentions(sentence: str) -> list[Mention]:
    return list(iter_mentions(sentence))


# Every form of the grammar, in our own fixture, pinned exactly.
EXPECTED = [
    ("Abbott, 2015", "abbott2015", None),
    ("Baker, Chen & Dunn, 2017", "baker2017", None),
    ("Evans, 2016", "evans2016", None),
    ("Fischer, 2018", "fischer2018", None),
    ("Garcia, 2019", "garcia2019", None),
    ("Hughes et al., 2020: 45", "hughes2020", "45"),
    ("Ito et al, 2014, p. 9", "ito2014", "9"),
    ("Jensen and Kaur, 2012, pp. 4-6", "jensen2012", "4\u20136"),
    ("Lee and colleagues (2021)", "lee2021", None),
    ("Abbott, 2015", "abbott2015", None),
    ("Martin Ortega et al. (2019)", "martinortega2019", None),
    ("Novak & O'Brien (2014)", "novak2014", None),
    ("HM Inspectorate of Testing (2019: 7)", "hmit2019", "7"),
    ("Patel (2012)", "patel2012", None),
    ("Patel (2016)", "patel2016", None),
    ("Quinn, 2008a", "quinn2008first", None),
    ("Roberts, 2015", "roberts2015", None),
    ("Tanaka et al., 2020: 287", "tanaka2020", "287"),
    ("Quinn (2008b)", "quinn2008mentors", None),
    ("Underwood, n.d.", "underwood", None),
    ("Vance, in press", "vance", None),
    ("MIB, 2016: 12", "mib2016", "12"),
    ("Department of Testing [DoT], 2011", "dot2011", None),
    ("DoT, 2011", "dot2011", None),
    ("Muller (2013)", "muller2013", None),
    ("\u00d6zt\u00fcrk (2017)", "ozturk2017", None),
    ("Kim, 2020", "kim2020alone", None),
    ("Kim et al., 2020", "kim2020team", None),
    ("Young, 2010", None, None),
    ("Walker, 2018", None, None),
]


def test_the_fixture_review_resolves_exactly_as_expected() -> None:
    audit = audit_review(parse_review(REVIEW), parse_bibtex(BIB))
    found = [(m.mention.cited_as, m.resolution.key, m.mention.page) for m in audit.mentions]
    assert found == EXPECTED
    assert [w["cited_as"] for w in audit.unresolved_works()] == [["Young, 2010"]]
    [ambiguous] = audit.of_status(Status.AMBIGUOUS)
    assert ambiguous.resolution.candidates == ("walker2018a", "walker2018b")
    assert audit.uncited == ["xu2011"]


def test_secondary_citations() -> None:
    quinn, roberts = mentions("Earlier (Quinn, 2008a, cited in Roberts, 2015).")
    assert (quinn.family, quinn.year, quinn.cited_in) == ("Quinn", "2008a", "Roberts, 2015")
    assert (roberts.family, roberts.year, roberts.cited_in) == ("Roberts", "2015", None)
    [work] = mentions("It was plain (Harriott, in Buck et al., 2020: 287).")
    assert (work.family, work.count, work.year, work.page, work.quoted_person) == (
        "Buck",
        AuthorCount.MANY,
        "2020",
        "287",
        "Harriott",
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Text (Buck, 2017; Portillo, Goldberg & Taxman, 2017).",
            [("Buck", "1", "2017", None), ("Portillo", "3+", "2017", None)],
        ),
        ("Duvnjak and colleagues (2021) studied it.", [("Duvnjak", "2+", "2021", None)]),
        ("Reingle Gonzalez et al. (2019) found it.", [("Reingle Gonzalez", "3+", "2019", None)]),
        ("Hucklesby & Wincup (2014) found it.", [("Hucklesby", "2", "2014", None)]),
        (
            "HM Chief Inspector of Prisons (2019: 7) said.",
            [("HM Chief Inspector of Prisons", "1", "2019", "7")],
        ),
        ("Smith (2012, 2016) wrote.", [("Smith", "1", "2012", None), ("Smith", "1", "2016", None)]),
        ("Text (Smith, 2012, p. 9).", [("Smith", "1", "2012", "9")]),
        ("Text (Smith, 2012, pp. 4\u20136).", [("Smith", "1", "2012", "4\u20136")]),
        ("Text (Smith and Jones, 2012: 45).", [("Smith", "2", "2012", "45")]),
        ("Text (Perrin et al, 2018).", [("Perrin", "3+", "2018", None)]),
        ("Text (Smith, n.d.).", [("Smith", "1", "n.d.", None)]),
        ("As Smith (2012) argues, it holds.", [("Smith", "1", "2012", None)]),
        ("Text (van Lenthe, 2019).", [("van Lenthe", "1", "2019", None)]),
        ("Text (Buck, 2020, page 178).", [("Buck", "1", "2020", "178")]),
        ("Text (Buck, 2020; 2021: 4).", [("Buck", "1", "2020", None), ("Buck", "1", "2021", "4")]),
        (
            "Text (i.e. Buck, 2020; eg Nixon, 2019).",
            [("Buck", "1", "2020", None), ("Nixon", "1", "2019", None)],
        ),
        (
            "Text (Smith, 2010; and Jones, 2012).",
            [("Smith", "1", "2010", None), ("Jones", "1", "2012", None)],
        ),
        ("Text (as Buck (2018) argues) holds.", [("Buck", "1", "2018", None)]),
    ],
    ids=[
        "group",
        "colleagues",
        "et-al-narrative",
        "ampersand-narrative",
        "organisation",
        "several-years",
        "p",
        "pp",
        "and",
        "et-al-no-dot",
        "nd",
        "sentence-starter",
        "particle",
        "page-word",
        "more-years-of-one-author",
        "ie-and-eg",
        "and-prefix",
        "narrative-inside-brackets",
    ],
)
def test_grammar(sentence: str, expected: list[tuple[str, str, str, str | None]]) -> None:
    got = [(m.family, m.count.value, m.year, m.page) for m in mentions(sentence)]
    assert got == expected


@pytest.mark.parametrize("prefix", ["see", "e.g.", "cf.", "see for example", "see also"])
def test_prefixes_are_kept_apart_from_the_name(prefix: str) -> None:
    [mention] = mentions(f"Text ({prefix} Buck, 2020).")
    assert (mention.prefix, mention.family, mention.cited_as) == (prefix, "Buck", "Buck, 2020")


@pytest.mark.parametrize(
    "sentence",
    [
        "A sample (n = 120) was drawn.",
        "It ran in (2 of 5 sites) only.",
        "The series runs (2020-2023) in full.",
        "During the evaluation period (2019) it was short.",
        "Schemes exist (see for example St Giles Trust; Sacro).",
        "Sessions vary (e.g. walks, football, a cafe) a lot.",
        "The pandemic (Covid-19) changed things.",
        "Numbers (45) and (p. 9) alone are not citations.",
    ],
    ids=[
        "n-equals",
        "sites",
        "year-range",
        "lowercase-before",
        "orgs-without-years",
        "examples",
        "covid",
        "bare-numbers",
    ],
)
def test_not_mentions(sentence: str) -> None:
    assert mentions(sentence) == []


# Property-based: citation groups built from random parts are parsed back exactly. ---------
surnames = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=10).map(
    lambda s: s.capitalize()
)
years = st.integers(min_value=1950, max_value=2029).map(str) | st.sampled_from(["n.d."])
suffixes = st.sampled_from(["", "a", "b"])
pages = st.none() | st.integers(min_value=1, max_value=999).map(str)
counts = st.sampled_from([1, 2, 3])


@st.composite
def citation(draw: st.DrawFn) -> tuple[str, tuple[str, str, str, str | None]]:
    names = [draw(surnames) for _ in range(draw(counts))]
    year = draw(years)
    year = year + draw(suffixes) if year[0].isdigit() else year
    page = draw(pages)
    if len(names) == 1:
        authors, count = names[0], "1"
    elif len(names) == 2:
        authors, count = f"{names[0]} {draw(st.sampled_from(['&', 'and']))} {names[1]}", "2"
    else:
        authors, count = f"{names[0]} {draw(st.sampled_from(['et al.', 'et al']))}", "3+"
    locator = "" if page is None else draw(st.sampled_from([f": {page}", f", p. {page}"]))
    return f"{authors}, {year}{locator}", (names[0], count, year, page)


@given(st.lists(citation(), min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_generated_groups_parse_back_exactly(
    group: list[tuple[str, tuple[str, str, str, str | None]]],
) -> None:
    sentence = "Mentoring helps (" + "; ".join(text for text, _ in group) + ")."
    parsed = mentions(sentence)
    assert [(m.family, m.count.value, m.year, m.page) for m in parsed] == [
        expected for _, expected in group
    ]
    assert [m.cited_as for m in parsed] == [text for text, _ in group]
    for mention in parsed:
        assert sentence[mention.start : mention.end] == mention.cited_as


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_random_text_never_crashes_the_parser(text: str) -> None:
    for mention in iter_mentions(text):
        assert 0 <= mention.start < mention.end <= len(text)


@given(st.text(alphabet="(); ,.&:-pe al1290ABCn", max_size=120))
@settings(max_examples=300, deadline=None)
def test_citation_like_noise_never_crashes(text: str) -> None:
    list(iter_mentions(text))


# Resolution: bad-input cases 11, 12 and 26 -------------------------------------------------
def resolve_one(bib: str, sentence: str) -> tuple[Status, str | None, tuple[str, ...], str]:
    [mention] = mentions(sentence)
    result = Resolver(parse_bibtex_string(bib).entries, [mention]).resolve(mention)
    return result.status, result.key, result.candidates, result.rule


BUCKS = """
@book{buck2020peer, author = {Buck, G.}, title = {Peer mentoring}, year = 2020}
@incollection{buck2020all, author = {Buck, G. and Harriott, P. and Ryan, K.},
  title = {All our justice}, booktitle = {A handbook}, year = 2020}
"""


def test_case_12_author_count_tells_buck_from_buck_et_al() -> None:
    assert resolve_one(BUCKS, "x (Buck, 2020).")[1] == "buck2020peer"
    assert resolve_one(BUCKS, "x (Buck et al., 2020).")[1] == "buck2020all"


def test_case_12_two_single_author_works_of_one_year_are_ambiguous() -> None:
    two = BUCKS + "@article{buck2020b, author = {Buck, G.}, title = {Another}, year = 2020}"
    status, key, candidates, _ = resolve_one(two, "x (Buck, 2020).")
    assert (status, key, candidates) == (Status.AMBIGUOUS, None, ("buck2020peer", "buck2020b"))
    # Harvard letters (by title: "Another" < "Peer mentoring") settle it.
    assert resolve_one(two, "x (Buck, 2020a).")[1] == "buck2020b"
    assert resolve_one(two, "x (Buck, 2020b).")[1] == "buck2020peer"


def test_case_11_a_citation_with_no_reference_is_unresolved_with_its_reason() -> None:
    assert resolve_one(BUCKS, "x (Pollack, 2004).")[:2] == (Status.UNRESOLVED, None)
    status, _, _, rule = resolve_one(BUCKS, "x (Buck et al., 2015).")
    assert status is Status.UNRESOLVED and "2015" in rule


@pytest.mark.parametrize(
    ("bib", "sentence", "rule_part"),
    [
        (
            '@book{m, author={M{\\"u}ller, H.}, title={T}, year=2013}',
            "x (Muller, 2013).",
            "accents and case folded",
        ),
        (
            "@book{m, author={Muller, H.}, title={T}, year=2013}",
            "x (M\u00fcller, 2013).",
            "accents and case folded",
        ),
        (
            "@book{h, author={Hucklesby, A. and Wincup, E.}, title={T}, year=2014}",
            "x (Hucklesby and Wincup, 2014).",
            "author count",
        ),
        (
            "@book{p, author={Perrin, C. and Frost, A. and Ware, J.}, title={T}, year=2018}",
            "x (Perrin et al, 2018).",
            "author count",
        ),
        (
            "@techreport{h, author={{Her Majesty's Chief Inspector of Prisons}}, title={T}, "
            "year=2019}",
            "HM Chief Inspector of Prisons (2019: 7) said.",
            "HM read as",
        ),
        (
            "@techreport{h, author={{Her Majesty's Inspectorate of Probation} and {Her Majesty's "
            "Inspectorate of Prisons}}, shortauthor={HMIP}, title={T}, year=2016}",
            "x (HMIP, 2016: 45).",
            "abbreviation HMIP defined in the reference list",
        ),
    ],
    ids=[
        "accent-in-bib",
        "accent-in-text",
        "and-for-ampersand",
        "et-al-no-dot",
        "hm",
        "abbreviation-in-list",
    ],
)
def test_case_26_other_spellings_resolve_with_the_rule_recorded(
    bib: str, sentence: str, rule_part: str
) -> None:
    status, key, _, rule = resolve_one(bib, sentence)
    assert status is Status.RESOLVED and key is not None
    assert rule_part in rule


def test_a_surname_like_colleagues_is_a_surname() -> None:
    # Found by hypothesis: "and Collgues" is a second author, not "and colleagues".
    [mention] = mentions("Text (Aa and Collgues, 1950).")
    assert (mention.family, mention.count) == ("Aa", AuthorCount.TWO)
    [misspelt] = mentions("Duvnjak and collagues (2021) studied it.")
    assert misspelt.count is AuthorCount.SEVERAL


def test_a_surname_like_a_prefix_is_a_surname() -> None:
    # Found by hypothesis: "Cf & Aa" names two authors; only "cf." is a prefix.
    [mention] = mentions("Text (Cf & Aa, 1950).")
    assert (mention.family, mention.count, mention.prefix) == ("Cf", AuthorCount.TWO, None)
    [prefixed] = mentions("Text (cf. Maruna, 2001).")
    assert (prefixed.family, prefixed.prefix) == ("Maruna", "cf.")


def test_a_secondary_citation_without_a_year_keeps_the_primary_one() -> None:
    [only] = mentions("Text (Smith, 2001, cited in Jones).")
    assert (only.family, only.year, only.cited_in) == ("Smith", "2001", "Jones")


@pytest.mark.parametrize(
    ("sentence", "unread"),
    [
        ("Text (Smith 2010 as quoted somewhere).", ["(Smith 2010 as quoted somewhere)"]),
        ("Text (Buck, 2020). The study (2019) ran (2020-2023) with (n = 12).", []),
        ("Text (a 2019 survey; Buck, 2020).", []),
    ],
    ids=["unreadable", "not-citations", "read-part"],
)
def test_brackets_with_a_year_that_give_no_citation_are_reported(
    sentence: str, unread: list[str]
) -> None:
    assert list(unread_brackets(sentence)) == unread


def test_the_audit_warns_about_an_unreadable_citation(tmp_path: Path) -> None:
    review = tmp_path / "review.md"
    review.write_text("# R\n\n## Findings\n\nHope grows (Abbott 2015 and others).\n", "utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{abbott2015, author = {Abbott, A.}, title = {Hope}, year = {2015}}\n")
    audit = audit_review(parse_review(review), parse_bibtex(bib))
    assert [u.text for u in audit.unreadable] == ["(Abbott 2015 and others)"]
    assert not audit.clean
    assert "could not be read as a citation" in format_report(audit)


def test_a_long_run_of_odd_years_does_not_hang_the_parser() -> None:
    # Found in review: "2020pp." could be read two ways and this took 12 s for 256 chars.
    import time

    text = "(Buck, 2020" + ", 2020pp. 1" * 40 + " x)"
    started = time.perf_counter()
    list(iter_mentions(text))
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("x (Nixon et al., 2020).", Status.AMBIGUOUS),
        ("x (Buck & Tomczak, 2019).", Status.AMBIGUOUS),
        ("x (Buck & Smith, 2011).", Status.AMBIGUOUS),
        ("x (Buck & Jaffe, 2011).", Status.RESOLVED),
    ],
    ids=["et-al-for-one-author", "two-for-one", "wrong-second-author", "right-second-author"],
)
def test_found_in_review_near_misses_are_never_resolved_silently(
    sentence: str, status: Status
) -> None:
    bib = (
        "@article{nixon2020, author={Nixon, S.}, title={T}, year=2020}\n"
        "@article{buck2019, author={Buck, G.}, title={T}, year=2019}\n"
        "@techreport{buck2011, author={Buck, G. and Jaffe, M.}, title={T}, year=2011}\n"
    )
    assert resolve_one(bib, sentence)[0] is status


@pytest.mark.parametrize(
    "written", ["Mentoring & Befriending Foundation", "Mentoring and Befriending Foundation"]
)
def test_case_26_organisations_with_and_in_their_names(written: str) -> None:
    bib = (
        "@techreport{mbf2012, author={{Mentoring \\& Befriending Foundation}}, "
        "title={T}, year=2012}"
    )
    status, key, _, rule = resolve_one(bib, f"x ({written}, 2012).")
    assert (status, key) == (Status.RESOLVED, "mbf2012")
    assert "the whole name is one organisation" in rule
