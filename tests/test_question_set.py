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
        ("does it cure addiction", "cure"),
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
