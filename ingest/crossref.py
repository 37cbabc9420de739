"""Entries that inherit from others: BibTeX's ``crossref`` and biblatex's ``xdata``.

A chapter names its book with ``crossref = {book-key}`` and gives only what is its own; the
rest (the book's title as ``booktitle``, its editors, publisher, year) comes from the book.
What the entry gives itself always wins.  For a part of a book (``@incollection``,
``@inproceedings``, ...) the book's title becomes the ``booktitle`` and the book's authors
are not the chapter's.  ``xdata`` entries hold fields shared by several entries and are
copied whole.  A reference to an entry that the list does not hold is reported, and nothing
is inherited from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType

from ingest.bibrecords import BibEntry
from ingest.problems import ProblemLog, Severity

# Entry types that are part of a book or proceedings.
PART_TYPES = frozenset(
    {
        *("inbook", "incollection", "inproceedings", "bookinbook", "suppbook"),
        *("suppcollection", "suppperiodical", "inreference"),
    }
)
_LINK_FIELDS = ("xdata", "crossref")
_NEVER_INHERITED = frozenset({"crossref", "xdata", "ids", "entryset", "label", "shorthand"})


def inherit(entries: Iterable[BibEntry], report: ProblemLog) -> list[BibEntry]:
    """Every entry with what it inherits filled in, in the same order."""
    ordered = list(entries)
    by_key = {e.key.casefold(): e for e in ordered}
    done: dict[str, BibEntry] = {}

    def resolved(entry: BibEntry, chain: tuple[str, ...]) -> BibEntry:
        folded = entry.key.casefold()
        if folded in done:
            return done[folded]
        result = entry
        for link in _LINK_FIELDS:
            for target in _targets(entry.get(link)):
                parent = by_key.get(target.casefold())
                if parent is None:
                    report(
                        entry.line,
                        "bib.missing-crossref",
                        f"{link} names {target!r}, which is not in this reference list; "
                        "nothing is inherited from it",
                        entry.key,
                        Severity.WARNING,
                    )
                    continue
                if parent.key.casefold() in (*chain, folded):
                    report(
                        entry.line,
                        "bib.cyclic-crossref",
                        f"{link} to {parent.key!r} leads back to {entry.key!r}; not followed",
                        entry.key,
                        Severity.WARNING,
                    )
                    continue
                whole = resolved(parent, (*chain, folded))
                result = _take_from(result, whole, part=link == "crossref")
        done[folded] = result
        return result

    return [resolved(entry, ()) for entry in ordered]


def _targets(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def _take_from(child: BibEntry, parent: BibEntry, *, part: bool) -> BibEntry:
    fields = dict(child.fields)
    is_part = part and child.entry_type in PART_TYPES
    if is_part and parent.title and "booktitle" not in fields:
        fields["booktitle"] = parent.title
    for name, value in parent.fields.items():
        if name not in fields and name not in _NEVER_INHERITED:
            fields[name] = value
    return replace(
        child,
        fields=MappingProxyType(fields),
        title=child.title or (None if is_part else parent.title),
        year=child.year or parent.year,
        # A chapter's authors are its own; the book's authors wrote the book.
        authors=child.authors or (() if is_part else parent.authors),
        editors=child.editors or parent.editors,
    )
