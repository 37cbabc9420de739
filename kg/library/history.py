"""The published versions of each review, as the graph records them (for pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.protocol import GraphStore


@dataclass
class VersionSummary:
    """One published version of a review."""

    review_id: str
    number: int
    origin: str
    created_at: str
    created_by: str
    note: str | None
    previous: int | None
    current: bool
    inputs: dict[str, str] = field(default_factory=dict)  # file name -> sha256

    @property
    def id(self) -> str:
        """``<review>/v<n>``, as ``?version=`` and ``evkg diff`` take it."""
        return f"{self.review_id}/v{self.number}"

    def to_json(self) -> dict[str, object]:
        """For the API."""
        return {
            "id": self.id,
            "review": self.review_id,
            "number": self.number,
            "origin": self.origin,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "note": self.note,
            "revision_of": f"{self.review_id}/v{self.previous}" if self.previous else None,
            "current": self.current,
            "inputs": self.inputs,
        }


def version_history(store: GraphStore) -> dict[str, list[VersionSummary]]:
    """Each review's versions, newest first."""
    inputs: dict[str, dict[str, str]] = {}
    for row in store.select("version_inputs"):
        inputs.setdefault(str(row["version"]), {})[str(row["name"])] = str(row["sha256"])
    history: dict[str, list[VersionSummary]] = {}
    for row in store.select("versions"):
        previous = row["previous"]
        summary = VersionSummary(
            review_id=str(row["reviewId"]),
            number=int(str(row["number"])),
            origin=str(row["origin"]),
            created_at=str(row["at"]),
            created_by=str(row["who"]),
            note=row["comment"],
            previous=int(previous.rsplit("/", 1)[-1]) if previous else None,
            current=row["current"] == row["version"],
            inputs=inputs.get(str(row["version"]), {}),
        )
        history.setdefault(summary.review_id, []).append(summary)
    return history
