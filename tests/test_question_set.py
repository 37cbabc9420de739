"""Questions in people's own words: our question set, each intent, filters and "nothing".

The set (``tests/data/questions/``) is scored as a whole; the tests below it use wordings
that are deliberately not in the set, so that the set is not all the understanding is
tested on.
"""

from __future__ import annotations

import pytest

from kg.answers.answer import answer
from kg.answers.knowledge import Knowledge
from kg.answers.read_model import read_model
from kg.store.protocol import GraphStore
from tests.conftest import needs_seed
from tests.question_set import score

pytestmark = needs_seed  # the claims' sentences are part of what the review talks about
REVIEW = "clinks-2021-peer-mentoring"


@pytest.fixture(scope="module")
def knowledge(library_store: GraphStore, review_text: str) -> Knowledge:
    return read_model(library_store).knowledge


def test_the_question_set_scores_at_least_95_percent(knowledge: Knowledge) -> None:
    scored = score(REVIEW, knowledge)
    misses = [s for s in scored if not s.right]
    report = "\n".join(f"{s.question!r}: expected {s.expected}, got {s.got}" for s in misses)
    assert len(scored) >= 80
    assert (len(scored) - len(misses)) / len(scored) >= 0.95, report
    # Whatever else is missed, an out-of-scope question never shows sources.
    assert not [s for s in misses if s.expected["nothing"]], report


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Has peer mentoring been shown to be effective?", "effectiveness"),
        ("what results do these schemes get", "effectiveness"),
        ("Are mentoring programmes any good?", "effectiveness"),
        ("Would funding peer mentors save the taxpayer money?", "cost"),
        ("is peer mentoring expensive", "cost"),
        ("what are the economic benefits", "cost"),
        ("What could be harmful about it?", "risks"),
        ("What are the drawbacks of using peer mentors?", "risks"),
        ("what problems come up", "risks"),
        ("what do the best schemes include", "success"),
        ("How do you design a good programme?", "success"),
        ("what recommendations does it make", "success"),
        ("what's in it for the mentors themselves?", "mentor-benefits"),
        ("Is being a peer mentor good for you?", "mentor-benefits"),
        ("What length of support does the review suggest?", "duration"),
        ("how many months should a mentee be supported", "duration"),
    ],
)
def test_each_intent_in_other_words(question: str, intent: str, knowledge: Knowledge) -> None:
    result = answer(question, knowledge)
    assert result.understanding.intent == intent
    assert any(result.claims.values()) and result.profile.sources
    assert "(s)" not in result.summary  # plain words, plurals right


@pytest.mark.parametrize(
    ("question", "intent", "filters"),
    [
        ("is it effective for women offenders", "effectiveness", {"women"}),
        ("risks of mentoring in custody", "risks", {"prison"}),
        ("does peer mentoring work with adolescents", "effectiveness", {"young-people"}),
    ],
)
def test_populations_and_settings_narrow_an_answer(
    question: str, intent: str, filters: set[str], knowledge: Knowledge
) -> None:
    result = answer(question, knowledge)
    assert result.understanding.intent == intent
    assert {f.id.rsplit("/", 1)[-1] for f in result.understanding.filters} == filters
    everything = answer(question.split(" for ")[0].split(" in ")[0].split(" with ")[0], knowledge)
    shown = {c.iri for group in result.claims.values() for c in group}
    assert shown < {c.iri for group in everything.claims.values() for c in group}


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Does hypnotherapy reduce reoffending?", "hypnotherapy"),
        ("What about tagging?", "tagging"),
        ("Is boxing effective?", "boxing"),
        ("does it cure addiction", "cure addiction"),
        # A phrase made with a word the review knows is still a new topic.
        ("Does it help the partners of veterans?", "partners of veterans"),
        ("victims of crime", "victims of crime"),
    ],
)
def test_the_review_says_nothing_about_it(question: str, said: str, knowledge: Knowledge) -> None:
    result = answer(question, knowledge)
    assert not any(result.claims.values()) and not result.profile.sources
    assert result.summary == f"The review says nothing about {said}."


def test_a_real_word_is_never_turned_into_another(knowledge: Knowledge) -> None:
    # "cure" looks like "care" (a label of empathy and care); "hoep" is no word at all.
    cured = answer("does mentoring cure people", knowledge).understanding
    assert not any("empathy" in m.id for m in cured.subject)
    assert [m.id.rsplit("/", 1)[-1] for m in answer("hoep", knowledge).understanding.subject] == [
        "hope"
    ]


def test_topic_and_title_words_never_name_a_source(knowledge: Knowledge) -> None:
    for question in (
        "is peer mentoring worth the value",
        "what does peer mentoring offer in the way of value",
        "peer mentoring",
    ):
        reading = answer(question, knowledge).understanding
        assert not [m for m in reading.subject if m.kind == "source"], question
    # Clearly about a source: a quoted title does name it.
    quoted = answer('"the value of lived experience"', knowledge).understanding
    assert [m.id for m in quoted.subject] == ["reinglegonzalez2019value"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # From an independent trial (40 questions by a tester who did not see our set): each
        # was misread before, and is pinned here by what it must be understood as.
        ("Anything on mentoring for ex-forces personnel?", {"concepts": {"veterans"}}),
        ("Why do mentoring projects fail?", {"intent": "risks"}),
        (
            "Does peer mentoring improve mental helth?",
            {"concepts": {"mental-health-support", "people-with-mental-health-needs"}},
        ),
        (
            "Does peer mentoring help people with drug or alcohol problems?",
            {"concepts": {"substance-use-support"}, "intent": None},
        ),
        (
            "Should we only accept mentees who are ready to change?",
            {"concepts": {"motivation-to-change"}},
        ),
        ("whats the role of empathy in mentorng relationships", {"concepts": {"empathy-and-care"}}),
        ("Which claims rely on Buck 2018?", {"sources": {"buck2018core"}}),
        ("What is Hucklesby and Wincup cited for?", {"sources": {"hucklesby2014assistance"}}),
        ("where does the review cite Grosman and Rhodes", {"sources": {"grossman2002test"}}),
        ("What does the review cite HMIP 2016 for?", {"sources": {"hmip2016inspection"}}),
    ],
)
def test_misreadings_found_by_an_independent_trial_stay_fixed(
    question: str, expected: dict[str, object], knowledge: Knowledge
) -> None:
    reading = answer(question, knowledge).understanding
    got = {
        "concepts": {m.id.rsplit("/", 1)[-1] for m in reading.subject if m.kind == "concept"},
        "sources": {m.id for m in reading.subject if m.kind == "source"},
        "intent": reading.intent,
    }
    assert {k: got[k] for k in expected} == expected


def test_the_citation_audit_is_a_question_too(knowledge: Knowledge) -> None:
    summary = answer(
        "Which citations could not be matched to the reference list?", knowledge
    ).summary
    assert summary == (
        "The review's text has 3 citations with no entry in the reference list: Pollack, 2004; "
        "Farrall, 2013; Buck et al., 2015. 1 reference is never cited: Buck et al. (2017)."
    )
    assert answer("is Smith 2019 cited anywhere", knowledge).summary == (
        "No source in the reference list matches “smith 2019”."
    )


def test_a_question_about_what_the_editors_judged_is_answered_from_the_data(
    knowledge: Knowledge,
) -> None:
    result = answer("What was added by the editors rather than the review?", knowledge)
    assert result.understanding.form == "judgement"
    assert "3 claims with sources the editors added as “see also”" in result.summary
    shown = {c.id for group in result.claims.values() for c in group}
    assert shown == {c.id for c in knowledge.claims.values() if c.see_also}
    # Never counted as the review's evidence: the answer's profile counts no source.
    assert not result.profile.sources


def test_how_long_counts_every_stance_and_names_them(knowledge: Knowledge) -> None:
    result = answer("how long should mentoring last?", knowledge)
    assert result.understanding.intent == "duration"
    shown = {c.id for group in result.claims.values() for c in group}
    assert {"short-mentoring-does-less-good", "commission-for-the-long-term"} <= shown
    assert "Of the claims, 1 claim supports it, 3 claims challenge it." in result.summary


def test_an_answer_with_claims_of_another_stance_only_says_so(knowledge: Knowledge) -> None:
    # Never "the review cites no sources", as if the review said nothing about it.
    summary = answer("what supports prisoner transfers", knowledge).summary
    assert summary.startswith("No claim of the review supports prisoner transfers directly.")
    assert "Of the claims, 1 claim challenges it." in summary
    assert "cites no sources" not in summary
