"""HTML pages.  Views stay thin: ask the store, render an autoescaped template."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.store_access import get_store

bp = Blueprint("pages", __name__)

_TYPE_LABELS = {
    "article": "Journal article",
    "book": "Book",
    "incollection": "Book chapter",
    "inbook": "Book chapter",
    "techreport": "Report",
    "report": "Report",
    "misc": "Other",
}


def authors_short(source: dict[str, str | None]) -> str:
    """Authors as a Harvard citation names them: Buck; Hucklesby and Wincup; Duvnjak et al."""
    first = source.get("firstFamily") or "Not stated"
    count = int(source.get("authorCount") or 0)
    if count >= 3 or (count == 2 and not source.get("secondFamily")):
        return f"{first} et al."
    if count == 2:
        return f"{first} and {source['secondFamily']}"
    return first


@bp.get("/")
def home() -> str:
    """The reviews in the store, each with its reference list."""
    store = get_store()
    reviews = []
    for review in store.select("list_reviews"):
        sources = store.select("list_sources", review=str(review["review"]))
        for source in sources:
            source["typeLabel"] = _TYPE_LABELS.get(source["entryType"] or "", "Other")
            source["yearText"] = source["year"] or source["yearLabel"] or "n.d."
            source["authorsShort"] = authors_short(source)
        reviews.append({**review, "sources": sources})
    return render_template("home.html", reviews=reviews)
