"""Gap map cells and network projections of the seed review's claims."""

from __future__ import annotations

import pytest

from kg.answers.gapmap import NONE_NAMED, gap_map
from kg.answers.knowledge import Knowledge
from kg.answers.network import (
    author_graph,
    central_sources,
    co_citation_graph,
    mechanism_outcome_graph,
)
from kg.answers.read_model import read_model
from kg.rdf.concepts import CONCEPT_BASE
from kg.store.protocol import GraphStore
from tests.conftest import needs_seed

pytestmark = needs_seed

MECH, OUT, BAR, HINDERS = (
    CONCEPT_BASE + s + "/" for s in ("mechanism", "outcome", "barrier", "hinders")
)


@pytest.fixture(scope="module")
def knowledge(library_store: GraphStore, review_text: str) -> Knowledge:
    return read_model(library_store).knowledge


def test_a_cell_holds_its_claims_by_stance_and_distinct_sources(knowledge: Knowledge) -> None:
    cell = gap_map(knowledge).cell(MECH + "hope", OUT + "desistance")
    assert len(cell.claims["supports"]) == 5 and cell.claims["challenges"] == []
    assert cell.sources == {
        "barrenger2019enacting",
        "buck2017wanted",
        "buck2019tug",
        "kidd2011first",
        "lopezhumphreys2020inside",
        "maruna2001making",
        "worrall2009works",
        "zdun2011immigration",
    }


def test_an_empty_cell_is_a_gap(knowledge: Knowledge) -> None:
    grid = gap_map(knowledge)
    assert grid.cell(MECH + "hope", OUT + "housing").is_gap
    # 12 mechanisms and 14 outcomes, each with its "no ... named" row or column.
    assert len(grid.rows) == 13 and len(grid.columns) == 15


def test_a_narrower_outcome_counts_towards_its_broader_one(knowledge: Knowledge) -> None:
    cell = gap_map(knowledge).cell(
        MECH + "connecting-to-services", OUT + "engagement-with-services"
    )
    assert "reinglegonzalez2019value" in cell.sources  # tagged housing, mental health, ...


def test_barriers_are_set_against_what_they_hinder(knowledge: Knowledge) -> None:
    grid = gap_map(knowledge, "barriers")
    assert len(grid.rows) == 9
    assert [c.label for c in grid.columns][-1] == "No thing hindered named"
    cell = grid.cell(BAR + "punitive-settings", HINDERS + "peer-values")
    assert set(cell.claims["challenges"]) == {
        "mentors-asked-to-inform",
        "punitive-settings-distort-mentoring",
    }
    welfare = grid.cell(BAR + "unsafe-environments", HINDERS + "mentor-welfare")
    assert {"prisons-are-unsafe", "harm-to-mentors"} <= set(welfare.claims["challenges"])
    # Every barrier claim the review makes sits in a named column but the recommendation,
    # which names barriers it answers, not something they hinder.
    unnamed = {
        claim
        for (row, column), cell in grid.cells.items()
        if column == NONE_NAMED + "hinders"
        for claim in cell.claims["supports"] + cell.claims["challenges"]
    }
    assert unnamed == {"commission-for-the-long-term"}


def test_evidence_that_names_no_mechanism_is_on_the_map(knowledge: Knowledge) -> None:
    cell = gap_map(knowledge).cell(NONE_NAMED + "mechanisms", OUT + "reduced-reoffending")
    assert {"sells2020peer", "tsip2012wire", "frontiereconomics2009st"} <= cell.sources


def test_networks(knowledge: Knowledge) -> None:
    paths = mechanism_outcome_graph(knowledge)
    assert paths.has_edge(MECH + "connecting-to-services", OUT + "housing")
    co = co_citation_graph(knowledge)
    assert co.has_edge("sells2020peer", "tsip2012wire")
    assert not co.has_edge("sells2020peer", "zdun2011immigration")
    assert central_sources(knowledge, 1)[0][0] == "buck2020peer"
    assert author_graph(knowledge).has_edge("Hucklesby", "Wincup")


def test_every_view_of_the_network_is_laid_out_and_linked(knowledge: Knowledge) -> None:
    from kg.answers.network_view import VIEWS, centrality_table, neighbours, network_data

    for view in VIEWS:
        data = network_data(knowledge, view)
        assert data["nodes"] and all("x" in n and "y" in n and n["color"] for n in data["nodes"])
        ids = {n["id"] for n in data["nodes"]}
        assert all(e["from"] in ids and e["to"] in ids for e in data["edges"]), view
    concepts = network_data(knowledge, "concepts")
    # Kinds in columns: every source left of every concept.
    xs: dict[str, list[float]] = {n["group"]: [] for n in concepts["nodes"]}
    for n in concepts["nodes"]:
        xs[n["group"]].append(n["x"])
    assert max(xs["source"]) < min(xs["mechanisms"]) < min(xs["outcomes"])
    linked = neighbours(concepts)
    assert len(linked[MECH + "hope"]) == 8  # the sources of "what supports hope"
    top = centrality_table(knowledge)
    assert top[0][0] == "buck2020peer" and top[0][3] > 0
