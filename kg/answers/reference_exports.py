"""Reference lists for reference managers: BibTeX, RIS and CSL-JSON, from the read model.

Each is written from the sources' CSL-JSON items (:attr:`kg.answers.read_model.ReadModel.items`),
which are built once per store, so that a whole bibliography is written in milliseconds.
Only what the reference list gave is written: no field is filled in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ingest.bibtex_writer import entry, names

# CSL types -> BibTeX entry types and RIS reference types.
_BIBTEX_TYPES = {
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
}
_RIS_TYPES = {"article-journal": "JOUR", "book": "BOOK", "chapter": "CHAP", "report": "RPRT"}


def _people(item: dict[str, Any], role: str) -> list[str]:
    return [
        p["literal"]
        if "literal" in p
        else ", ".join(x for x in (p.get("family"), p.get("given")) if x)
        for p in item.get(role, [])
    ]


def _year(item: dict[str, Any]) -> str:
    parts = item.get("issued", {}).get("date-parts", [[None]])
    return str(parts[0][0]) if parts and parts[0] and parts[0][0] else ""


def to_bibtex(items: Iterable[dict[str, Any]]) -> str:
    """BibTeX entries, one per item, keyed by the bib keys."""
    written = []
    for item in items:
        kind = _BIBTEX_TYPES.get(item.get("type", ""), "misc")
        container = {"article": "journal", "incollection": "booktitle"}.get(kind, "")
        people = {role: names(_people(item, role)) for role in ("author", "editor")}
        fields = [
            ("author", people["author"]),
            ("editor", people["editor"]),
            ("title", item.get("title", "")),
            ("year", _year(item)),
            (container, item.get("container-title", "")) if container else ("", ""),
            ("series", item.get("collection-title", "")),
            ("volume", item.get("volume", "")),
            ("number", item.get("issue", "")),
            ("pages", item.get("page", "").replace("\u2013", "--")),
            ("institution" if kind == "techreport" else "publisher", item.get("publisher", "")),
            ("address", item.get("publisher-place", "")),
            ("doi", item.get("DOI", "")),
            ("url", item.get("URL", "")),
        ]
        written.append(entry(kind, item["id"], [(n, v) for n, v in fields if n]))
    return "\n".join(written)


def to_ris(items: Iterable[dict[str, Any]]) -> str:
    """RIS records, one per item, as Zotero, Mendeley and EndNote import them."""
    lines: list[str] = []
    for item in items:
        lines.append(f"TY  - {_RIS_TYPES.get(item.get('type', ''), 'GEN')}")
        lines.append(f"ID  - {item['id']}")
        lines.append(f"TI  - {_one_line(item.get('title', ''))}")
        lines += [f"AU  - {_one_line(p)}" for p in _people(item, "author")]
        lines += [f"A2  - {_one_line(p)}" for p in _people(item, "editor")]
        if _year(item):
            lines.append(f"PY  - {_year(item)}")
        pages = item.get("page", "").replace("--", "\u2013").split("\u2013")
        for tag, value in (
            ("T2", item.get("container-title", "")),
            ("T3", item.get("collection-title", "")),
            ("VL", item.get("volume", "")),
            ("IS", item.get("issue", "")),
            ("SP", pages[0] if pages[0] else ""),
            ("EP", pages[1] if len(pages) > 1 else ""),
            ("PB", item.get("publisher", "")),
            ("CY", item.get("publisher-place", "")),
            ("DO", item.get("DOI", "")),
            ("UR", item.get("URL", "")),
        ):
            if value:
                lines.append(f"{tag}  - {_one_line(value)}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def to_csl_json(items: Iterable[dict[str, Any]]) -> str:
    """CSL-JSON, as citeproc and Zotero read it."""
    return json.dumps(
        [{k: v for k, v in item.items() if k != "year-suffix"} for item in items],
        indent=2,
        ensure_ascii=False,
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
