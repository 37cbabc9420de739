"""What a reader needs to name a review: title, authors, publisher, date, and the version read.

The evidence brief names the review it speaks for, the version and that version's date, so
that a page attached to a bid can be traced to exactly what it summarised.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.library.history import VersionSummary, version_history
from kg.store.protocol import GraphStore


@dataclass(frozen=True)
class ReviewDetails:
    """One review, as a citation and a brief name it."""

    review_id: str
    title: str
    authors: list[str]
    publisher: str | None
    year: str
    licence: str | None
    version: VersionSummary | None  # the version the store shows, when versions are recorded
    text_display: str = "quotations"  # what the licence lets us show (ingest.manifest)

    @property
    def citation(self) -> str:
        """The review as a short citation: authors (year) title. Publisher."""
        who = " and ".join(self.authors) if len(self.authors) <= 2 else f"{self.authors[0]} et al."
        by = f"{who} ({self.year}) " if who else f"({self.year}) "
        return f"{by}{self.title}.{f' {self.publisher}.' if self.publisher else ''}"


def review_details(store: GraphStore) -> list[ReviewDetails]:
    """Every review of the store, with the version of it that the store shows."""
    rows = store.select("review_details")
    history = version_history(store)
    found: dict[str, dict[str, object]] = {}
    authors: dict[str, dict[int, str]] = {}
    for row in rows:
        review_id = str(row["reviewId"])
        found.setdefault(
            review_id,
            {
                "title": str(row["title"]),
                "issued": str(row["issued"] or ""),
                "publisher": row["publisher"],
                "rights": row["rights"],
                "display": row["display"] or "quotations",
            },
        )
        if row["position"] and row["author"]:
            number = int(str(row["position"]).rsplit("_", 1)[-1])
            authors.setdefault(review_id, {})[number] = str(row["author"])
    details = []
    for review_id, data in sorted(found.items()):
        shown = store.versions.get(review_id)
        versions = history.get(review_id, [])
        version = next((v for v in versions if (v.number == shown if shown else v.current)), None)
        details.append(
            ReviewDetails(
                review_id,
                str(data["title"]),
                [authors[review_id][n] for n in sorted(authors.get(review_id, {}))],
                str(data["publisher"]) if data["publisher"] else None,
                str(data["issued"])[:4],
                str(data["rights"]) if data["rights"] else None,
                version,
                str(data["display"]),
            )
        )
    return details
