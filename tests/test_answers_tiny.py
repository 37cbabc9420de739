"""Answers, the gap map and the networks on our own tiny review, which needs no copy of Clinks's.

The same modules are pinned against the real review in ``test_answers`` and
``test_gapmap_network``; those need its text, these run everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.answers.answer import answer
from kg.answers.gapmap import gap_map
from kg.answers.knowledge import Knowledge
from kg.answers.network import co_citation_graph, mechanism_outcome_graph
from kg.answers.read_model import read_model
from kg.library.assembly import PublishOptions
from kg.library.full import build_project
from kg.rdf.concepts import CONCEPT_BASE
from kg.store.embedded import EmbeddedStore
from tests.tiny_project import make_tiny_project

MECH, OUT, BAR = (CONCEPT_BASE + s + "/" for s in ("mechanism", "outcome", "barrier"))


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    settings = make_tiny_project(Path(tmp_path_factory.mktemp("tiny")))
    build_project(settings, PublishOptions())
    return read_model(EmbeddedStore.open(settings.store_dir)).knowledge


def _sources(question: str, knowledge: Knowledge) -> dict[str, set[str]]:
    result = answer(question, knowledge)
    return {s: {k for c in cs for k in c.keys} for s, cs in result.claims.items() if cs}


def test_what_supports_a_mechanism(knowledge: Knowledge) -> None:
    assert _sources("what supports hope", knowledge) == {"supports": {"abbott2015", "baker2017"}}


def test_a_barrier_shows_what_challenges(knowledge: Knowledge) -> None:
    assert _sources("what about insecure funding", knowledge) == {"challenges": {"dean2019"}}


def test_how_does_x_lead_to_y(knowledge: Knowledge) -> None:
    result = answer("how does trust lead to housing", knowledge)
    assert {c.id for cs in result.claims.values() for c in cs} == {"trust-housing"}


def test_where_is_a_source_cited(knowledge: Knowledge) -> None:
    result = answer("where is Cole 2018 cited", knowledge)
    assert [m.id for m in result.understanding.subject] == ["cole2018"]
    assert [m.section for m in result.mentions] == ["Findings"]


def test_nothing_matches_says_so(knowledge: Knowledge) -> None:
    result = answer("what supports astrology", knowledge)
    assert not any(result.claims.values())
    assert result.summary == "The review says nothing about astrology."


def test_the_gap_map_cells(knowledge: Knowledge) -> None:
    grid = gap_map(knowledge)
    assert grid.cell(MECH + "hope", OUT + "desistance").sources == {"abbott2015", "baker2017"}
    assert grid.cell(MECH + "trust", OUT + "housing").claims["supports"] == ["trust-housing"]
    assert grid.cell(MECH + "trust", OUT + "desistance").is_gap


def test_the_networks(knowledge: Knowledge) -> None:
    paths = mechanism_outcome_graph(knowledge)
    assert paths.has_edge(MECH + "hope", OUT + "desistance")
    assert paths.has_edge(MECH + "trust", OUT + "housing")
    assert not paths.has_edge(MECH + "trust", OUT + "desistance")
    co = co_citation_graph(knowledge)
    assert co.has_edge("abbott2015", "baker2017") and not co.has_edge("abbott2015", "cole2018")
