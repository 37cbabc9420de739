"""Reference lists in the formats reference managers export: RIS and CSL-JSON, besides BibTeX.

Zotero, Mendeley and EndNote export RIS; Zotero and Mendeley also export CSL-JSON.  Each is
turned into BibTeX text (see :mod:`ingest.bibtex_writer`) and read as a ``.bib`` is, so that
every later step, the archive's ``references.bib`` and every check included, is the same
whatever the editor brought.  Only what the export gives is kept: no field is guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rispy

from ingest.bibrecords import Bibliography
from ingest.bibtex import parse_bibtex, parse_bibtex_string
from ingest.bibtex_writer import entry, make_key, names
from ingest.problems import Problem, Severity

SUFFIXES = (".bib", ".ris", ".json")
MAX_REFERENCES = 5_000

# RIS reference types -> BibTeX entry types (anything else is @misc).
_RIS_TYPES = {
    "JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article",
    "EJOUR": "article", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "RPRT": "techreport",
    "GOVDOC": "techreport", "THES": "phdthesis", "CONF": "inproceedings",
    "CPAPER": "inproceedings", "ELEC": "online", "WEB": "online", "BLOG": "online",
}  # fmt: skip
# CSL types -> BibTeX entry types.
_CSL_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "report": "techreport", "thesis": "phdthesis",
    "paper-conference": "inproceedings", "webpage": "online", "post-weblog": "online",
}  # fmt: skip


class ReferenceFormatError(ValueError):
    """A file that is not the format its name says."""


def read_reference_list(path: Path, encoding: str | None = None) -> Bibliography:
    """A reference list in any of :data:`SUFFIXES`; problems as for BibTeX, never raised."""
    suffix = path.suffix.lower()
    if suffix not in (".ris", ".json"):
        return parse_bibtex(path, encoding=encoding)
    try:
        text = to_bibtex(path.read_bytes(), suffix)
    except ReferenceFormatError as exc:
        problem = Problem(str(path), None, Severity.ERROR, "refs.unreadable", str(exc))
        return Bibliography(str(path), (), (problem,), "")
    return parse_bibtex_string(text, source=str(path))


def to_bibtex(data: bytes, suffix: str) -> str:
    """RIS or CSL-JSON bytes as BibTeX text; raises ReferenceFormatError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceFormatError("the file is not UTF-8: export it again as UTF-8") from exc
    if suffix == ".ris":
        return ris_to_bibtex(text)
    if suffix == ".json":
        return csl_to_bibtex(text)
    raise ReferenceFormatError(f"{suffix} is not RIS (.ris) or CSL-JSON (.json)")


def ris_to_bibtex(text: str) -> str:
    """RIS (Zotero, Mendeley, EndNote) as BibTeX."""
    try:
        records = rispy.loads(text)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise ReferenceFormatError(f"not a RIS file: {exc}") from exc
    if not records:
        raise ReferenceFormatError("no references found: a RIS file has TY - ... ER - records")
    _check_count(records)
    taken: set[str] = set()
    return "\n".join(_ris_entry(r, taken) for r in records)


def csl_to_bibtex(text: str) -> str:
    """CSL-JSON (a list of items) as BibTeX."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ReferenceFormatError(f"not CSL-JSON: {exc}") from exc
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ReferenceFormatError("not CSL-JSON: expected a list of references")
    if not items:
        raise ReferenceFormatError("no references found in the CSL-JSON file")
    _check_count(items)
    taken: set[str] = set()
    return "\n".join(_csl_entry(i, taken) for i in items)


def _check_count(items: list[Any]) -> None:
    if len(items) > MAX_REFERENCES:
        raise ReferenceFormatError(
            f"{len(items)} references: a reference list may have at most {MAX_REFERENCES}"
        )


def _first(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = next((v for v in value if v), None)
        if value:
            return str(value).strip()
    return ""


def _ris_entry(record: dict[str, Any], taken: set[str]) -> str:
    kind = _RIS_TYPES.get(str(record.get("type_of_reference", "")).upper(), "misc")
    authors = [*record.get("authors", []), *record.get("first_authors", [])]
    editors = record.get("secondary_authors", []) if kind in ("incollection", "book") else []
    title = _first(record, "title", "primary_title")
    year = _first(record, "year", "publication_year", "date")[:4]
    container = _first(record, "secondary_title", "journal_name", "alternate_title3")
    pages = "--".join(p for p in (_first(record, "start_page"), _first(record, "end_page")) if p)
    family = authors[0].split(",")[0] if authors else title
    key = _key(_first(record, "id", "label"), family, year, title, taken)
    fields = [
        ("author", names(authors)),
        ("editor", names(editors)),
        ("title", title),
        ("year", year if year.isdigit() else ""),
        ("journal" if kind == "article" else "booktitle", container if kind != "book" else ""),
        ("volume", _first(record, "volume")),
        ("number", _first(record, "number")),
        ("pages", pages),
        ("institution" if kind == "techreport" else "publisher", _first(record, "publisher")),
        ("address", _first(record, "place_published")),
        ("doi", _first(record, "doi")),
        ("url", _first(record, "urls")),
    ]
    return entry(kind, key, fields)


def _key(given: str, family: str, year: str, title: str, taken: set[str]) -> str:
    """The export's own id when it makes a usable key, else one made from the reference."""
    usable = given and given.replace("-", "").replace("_", "").replace(":", "").isalnum()
    if usable and given.casefold() not in {t.casefold() for t in taken}:
        taken.add(given)
        return given
    return make_key(family, year, title, taken)


def _csl_names(people: Iterable[dict[str, Any]]) -> list[str]:
    written = []
    for person in people:
        if person.get("literal"):
            written.append(str(person["literal"]))
            continue
        family = " ".join(str(person.get(p, "")) for p in ("non-dropping-particle", "family"))
        given = str(person.get("given", "")).strip()
        written.append(f"{family.strip()}, {given}" if given else family.strip())
    return [w for w in written if w]


def _csl_year(item: dict[str, Any]) -> str:
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if parts and parts[0] and str(parts[0][0]).isdigit():
        return str(parts[0][0])
    literal = str(issued.get("literal", "")) if isinstance(issued, dict) else ""
    return literal[:4] if literal[:4].isdigit() else ""


def _csl_entry(item: dict[str, Any], taken: set[str]) -> str:
    kind = _CSL_TYPES.get(str(item.get("type", "")), "misc")
    authors = _csl_names(item.get("author") or [])
    editors = _csl_names(item.get("editor") or [])
    title = str(item.get("title") or "")
    year = _csl_year(item)
    family = authors[0].split(",")[0] if authors else title
    given = str(item.get("id") or "")
    if (
        given
        and given.replace("-", "").replace("_", "").replace(":", "").isalnum()
        and given.casefold() not in {t.casefold() for t in taken}
    ):
        key = given
        taken.add(key)
    else:
        key = make_key(family, year, title, taken)
    fields = [
        ("author", names(authors)),
        ("editor", names(editors)),
        ("title", title),
        ("year", year),
        ("journal" if kind == "article" else "booktitle", str(item.get("container-title") or "")),
        ("volume", str(item.get("volume") or "")),
        ("number", str(item.get("issue") or "")),
        ("pages", str(item.get("page") or "").replace("-", "--")),
        ("institution" if kind == "techreport" else "publisher", str(item.get("publisher") or "")),
        ("address", str(item.get("publisher-place") or "")),
        ("doi", str(item.get("DOI") or "")),
        ("url", str(item.get("URL") or "")),
    ]
    return entry(kind, key, fields)
