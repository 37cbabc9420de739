"""Plain records for a bibliography: names, years and entries, free of any parser types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from ingest.problems import Problem


class NameKind(StrEnum):
    """What a name in an author list stands for."""

    PERSON = "person"
    ORGANISATION = "organisation"
    # BibTeX's ``and others``, or an ellipsis in the reference list: authors left out here.
    OMITTED = "omitted"


@dataclass(frozen=True)
class Name:
    """One author or editor, split as BibTeX splits names (first, von, last, jr)."""

    kind: NameKind
    last: str = ""
    first: str = ""
    von: str = ""
    jr: str = ""

    @property
    def family(self) -> str:
        """The surname with its particle, e.g. ``van Lenthe``; an organisation's whole name."""
        return " ".join(p for p in (self.von, self.last) if p)

    @property
    def display(self) -> str:
        """The name as a reader expects it: ``F. J. van Lenthe``, ``Clinks``, ``et al.``."""
        if self.kind is NameKind.OMITTED:
            return "et al."
        return " ".join(p for p in (self.first, self.von, self.last, self.jr) if p)

    @property
    def bibtex(self) -> str:
        """The name in BibTeX's ``von Last, Jr, First`` form, organisations braced whole."""
        if self.kind is NameKind.OMITTED:
            return "others"
        if self.kind is NameKind.ORGANISATION:
            return "{" + self.last + "}"
        return ", ".join(p for p in (self.family, self.jr, self.first) if p)


OMITTED = Name(NameKind.OMITTED)

# A year, with a letter that tells two works of one year apart, or a whole ISO date.
_YEAR = re.compile(r"^(?P<year>\d{4})(?:-\d{2}(?:-\d{2})?)?(?P<suffix>[a-z]?)$")
_NO_DATE = {"n.d.", "nd", "n.d", "no date", "undated"}
_IN_PRESS = {"in press", "forthcoming"}


@dataclass(frozen=True)
class Year:
    """A publication year as a reference list gives it: a number, or an honest label."""

    value: int | None
    suffix: str = ""
    label: str = ""

    @property
    def text(self) -> str:
        """What a citation shows: ``2020``, ``2020a``, ``in press`` or ``n.d.``."""
        if self.value is None:
            return self.label or "n.d."
        return f"{self.value}{self.suffix}"

    @property
    def sort_key(self) -> tuple[int, str]:
        """Sorts undated and in-press works after dated ones without ever failing."""
        return (self.value if self.value is not None else 9999, self.suffix or self.label)

    @classmethod
    def parse(cls, raw: str | None) -> Year | None:
        """Read a BibTeX year field; None when it is not a year or a known label."""
        if raw is None:
            return None
        text = raw.strip()
        match = _YEAR.match(text)
        if match:
            return cls(int(match["year"]), match["suffix"])
        if text.casefold() in _NO_DATE:
            return cls(None, label="n.d.")
        if text.casefold() in _IN_PRESS:
            return cls(None, label="in press")
        return None


@dataclass(frozen=True)
class BibEntry:
    """One reference, decoded to Unicode, with its line in the file."""

    key: str
    entry_type: str
    line: int
    authors: tuple[Name, ...] = ()
    editors: tuple[Name, ...] = ()
    title: str | None = None
    year: Year | None = None
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, name: str) -> str | None:
        """Another field (journal, volume, url, doi, ...) or None when the list gives none."""
        return self.fields.get(name)

    @property
    def first_author(self) -> Name | None:
        """The first named author, if any."""
        return next((a for a in self.authors if a.kind is not NameKind.OMITTED), None)


@dataclass(frozen=True)
class Bibliography:
    """What a ``.bib`` file held: its entries in file order, and everything wrong with it."""

    path: str
    entries: tuple[BibEntry, ...]
    problems: tuple[Problem, ...]
    checksum: str
    duplicate_works: tuple[tuple[str, ...], ...] = ()
    # Keys of two sources that are versions of one work (a shared DOI, see ingest.bibtex).
    versions: tuple[tuple[str, str], ...] = ()

    def by_key(self) -> dict[str, BibEntry]:
        """Entries indexed by key."""
        return {e.key: e for e in self.entries}
