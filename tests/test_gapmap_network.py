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

MECH, OUT, BAR = (CONCEPT_BASE + s + "/" for s in ("mechanism", "outcome", "barrier"))


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


def test_barrier_rows(knowledge: Knowledge) -> None:
    grid = gap_map(knowledge, "barriers")
    assert len(grid.rows) == 9
    # Barrier claims name no outcome: they are shown, not dropped.
    cell = grid.cell(BAR + "punitive-settings", NONE_NAMED + "outcomes")
    assert "mentors-asked-to-inform" in cell.claims["challenges"]
    assert sum(not c.is_gap for c in grid.cells.values()) >= 8


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
