"""Evidence gap map data: mechanisms x outcomes, and barriers x what they hinder.

Each cell holds the claims that tag both concepts, split by stance, and their distinct
sources, so that an empty cell shows as a gap in the evidence rather than as missing data.
A claim that names an outcome but no mechanism (or barrier), or the other way round, is not
left out: it sits in a row "No mechanism named" (or a column "No outcome named"), so that,
say, the evidence that mentoring reduces reoffending shows even though it names no mechanism.

Barriers are set against what the review says they get in the way of (the ``hinders``
scheme: mentors' welfare, services lasting long enough, ...), not against outcomes: the
review names a barrier's effect on mentoring, almost never on an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.answers.knowledge import ConceptInfo, Knowledge


@dataclass
class Cell:
    """What the review says about one pair of concepts."""

    claims: dict[str, list[str]] = field(
        default_factory=lambda: {"supports": [], "challenges": [], "qualifies": []}
    )
    sources: set[str] = field(default_factory=set)
    # The same claims by IRI: an id is only unique within its review's claims file.
    claim_iris: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        """No claim links the two concepts."""
        return not any(self.claims.values())


@dataclass
class GapMap:
    """Rows x columns of cells."""

    rows: list[ConceptInfo]
    columns: list[ConceptInfo]
    cells: dict[tuple[str, str], Cell]

    def cell(self, row: str, column: str) -> Cell:
        """The cell for two concept IRIs (an empty one when nothing links them)."""
        return self.cells.get((row, column), Cell())

    def to_json(self) -> dict[str, Any]:
        """Rows, columns and the non-empty cells."""
        return {
            "rows": [{"id": c.iri, "label": c.label} for c in self.rows],
            "columns": [{"id": c.iri, "label": c.label} for c in self.columns],
            "cells": [
                {
                    "row": r,
                    "column": c,
                    "claims": cell.claims,
                    "claim_iris": cell.claim_iris,
                    "sources": sorted(cell.sources),
                    "distinct_sources": len(cell.sources),
                }
                for (r, c), cell in sorted(self.cells.items())
            ],
        }


NONE_NAMED = "urn:evkg:gap-map:none-named:"  # the IRI of a "no ... named" row or column


def none_named(scheme: str) -> ConceptInfo:
    """The row or column of claims that name no concept of ``scheme``."""
    singular = {
        "mechanisms": "mechanism",
        "barriers": "barrier",
        "outcomes": "outcome",
        "hinders": "thing hindered",
    }
    word = singular.get(scheme, scheme)
    return ConceptInfo(
        NONE_NAMED + scheme,
        scheme,
        f"No {word} named",
        f"Claims that name no {word}, but do name what the other side of the map shows.",
    )


# Each kind of row, and what it is set against.
COLUMNS_FOR = {"mechanisms": "outcomes", "barriers": "hinders"}


def is_none_named(iri: str) -> bool:
    """A "no ... named" row or column, not a concept."""
    return iri.startswith(NONE_NAMED)


def gap_map(knowledge: Knowledge, row_role: str = "mechanisms") -> GapMap:
    """The matrix of ``row_role`` against its columns (see ``COLUMNS_FOR``)."""
    column_role = COLUMNS_FOR[row_role]
    rows = [*_of_scheme(knowledge, row_role), none_named(row_role)]
    columns = [*_of_scheme(knowledge, column_role), none_named(column_role)]
    broader = _broader(knowledge) if column_role == "outcomes" else {}
    cells: dict[tuple[str, str], Cell] = {}
    for claim in knowledge.claims.values():
        tagged_columns = {
            o
            for tagged in claim.concepts.get(column_role, [])
            for o in broader.get(tagged, {tagged})
        }
        tagged_rows = claim.concepts.get(row_role, [])
        if not tagged_rows and not tagged_columns:
            continue  # about neither side of this map
        for row in tagged_rows or [rows[-1].iri]:
            for outcome in tagged_columns or {columns[-1].iri}:
                cell = cells.setdefault((row, outcome), Cell())
                cell.claims[claim.stance].append(claim.id)
                cell.claim_iris.append(claim.iri)
                cell.sources.update(claim.keys)
    return GapMap(rows, columns, cells)


def _of_scheme(knowledge: Knowledge, scheme: str) -> list[ConceptInfo]:
    return sorted(
        (c for c in knowledge.concepts.values() if c.scheme == scheme), key=lambda c: c.label
    )


def _broader(knowledge: Knowledge) -> dict[str, set[str]]:
    """Each outcome with the broader outcomes it counts towards (housing -> engagement)."""
    rows = knowledge.store.select("outcome_hierarchy")
    up: dict[str, set[str]] = {}
    for row in rows:
        up.setdefault(str(row["concept"]), {str(row["concept"])}).add(str(row["broader"]))
    return up
