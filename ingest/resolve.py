"""Resolve mentions to references, recording the rule that matched.

A mention matches a reference on three things, as Harvard citations are meant to be read:

1. the first author's family name (or the organisation's name), folded for case and accents,
   with "HM" read as "Her Majesty's", a leading "The" ignored, and abbreviations expanded,
   whether the reference list defines them (``shortauthor``, e.g. HMIP) or the text does
   (``Department of Health [DoH]``);
2. the year, including a suffix: "2008a" is the first, by title, of that author's works of
   2008 when the bibliography itself gives no suffixes (as Harvard assigns them);
3. the author-count class: one, two, or three or more ("et al.").

When two references fit equally, the mention is *ambiguous* and lists both: we never pick one
silently.  When only the author count disagrees and one reference fits, it is resolved and the
rule says so, so an editor can see every leap that was made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ingest.bibrecords import BibEntry, NameKind
from ingest.citations import AuthorCount, Mention
from ingest.textclean import fold


class Status(StrEnum):
    """What became of a mention."""

    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Resolution:
    """The reference a mention points to, or why there is none."""

    status: Status
    key: str | None
    candidates: tuple[str, ...]
    rule: str


def _name_key(name: str) -> str:
    folded = fold(name).replace("\u2019", "'").replace("&", " and ")
    folded = re.sub(r"^hm\b", "her majesty's", folded)
    folded = re.sub(r"^the\s+", "", folded)
    return " ".join(re.findall(r"[a-z0-9']+", folded))


def _count_class(entry: BibEntry) -> AuthorCount:
    if any(a.kind is NameKind.OMITTED for a in entry.authors) or len(entry.authors) >= 3:
        return AuthorCount.MANY
    return AuthorCount.TWO if len(entry.authors) == 2 else AuthorCount.ONE


def _count_fits(cited: AuthorCount, entry: BibEntry) -> bool:
    actual = _count_class(entry)
    if cited is AuthorCount.SEVERAL:
        return actual is not AuthorCount.ONE
    return cited is actual


class Resolver:
    """Matches mentions against one bibliography."""

    def __init__(self, entries: Sequence[BibEntry], mentions: Iterable[Mention] = ()) -> None:
        self._entries = list(entries)
        self._by_family: dict[str, list[BibEntry]] = {}
        self._short: dict[str, list[BibEntry]] = {}
        for entry in self._entries:
            first = entry.first_author
            if first is not None:
                self._by_family.setdefault(_name_key(first.family), []).append(entry)
            short = entry.get("shortauthor")
            if short:
                self._short.setdefault(short.casefold(), []).append(entry)
        self._suffixes = self._harvard_suffixes()
        # Abbreviations the text defines, e.g. "(Department of Health [DoH], 2011)".
        self._text_abbreviations = {
            m.defines_abbreviation.casefold(): m.family for m in mentions if m.defines_abbreviation
        }

    def _harvard_suffixes(self) -> dict[str, str]:
        """Suffix letters for works that would be cited alike, ordered by title.

        Works cite alike when they share first author, author-count class and year; Harvard
        tells them apart as 2008a, 2008b in title order.
        """
        groups: dict[tuple[str, AuthorCount, int], list[BibEntry]] = {}
        for family, entries in self._by_family.items():
            for entry in entries:
                if entry.year and entry.year.value is not None and not entry.year.suffix:
                    key = (family, _count_class(entry), entry.year.value)
                    groups.setdefault(key, []).append(entry)
        suffixes = {}
        for group in groups.values():
            if len(group) > 1:
                ordered = sorted(group, key=lambda e: fold(e.title or ""))
                for letter, entry in zip("abcdefghijklmnopqrstuvwxyz", ordered, strict=False):
                    suffixes[entry.key] = letter
        return suffixes

    def resolve(self, mention: Mention) -> Resolution:
        """Find the reference for one mention."""
        notes: list[str] = []
        candidates = self._by_name(mention, notes)
        if not candidates:
            return Resolution(Status.UNRESOLVED, None, (), "no reference by that author")
        dated = [e for e in candidates if self._year_fits(mention.year, e, notes)]
        if not dated:
            return Resolution(
                Status.UNRESOLVED, None, (), f"no reference by that author in {mention.year}"
            )
        counted = [e for e in dated if _count_fits(mention.count, e) and _second_fits(mention, e)]
        # An abbreviation or an organisation's whole name says nothing about author counts.
        abbreviated = any(n.startswith(("abbreviation", "the whole name")) for n in notes)
        if len(counted) == 1 or (abbreviated and len(dated) == 1):
            chosen = counted[0] if counted else dated[0]
            rule = "family name + year" + ("" if abbreviated else " + author count")
            _note_spelling(mention, chosen, notes)
            return Resolution(Status.RESOLVED, chosen.key, (chosen.key,), _rule(rule, notes))
        if len(counted) > 1:
            keys = tuple(e.key for e in counted)
            return Resolution(
                Status.AMBIGUOUS, None, keys, _rule("several references fit equally", notes)
            )
        if len(dated) == 1:
            _note_spelling(mention, dated[0], notes)
            cited = {"1": "one author", "2": "two authors", "3+": "et al.", "2+": "colleagues"}
            rule = (
                f"family name + year fit, but the citation names {cited[mention.count.value]} "
                f"and the reference has {len(dated[0].authors)}: it may be another work"
            )
            # Not resolved silently: an editor decides (the audit lists ambiguous citations).
            return Resolution(Status.AMBIGUOUS, None, (dated[0].key,), _rule(rule, notes))
        keys = tuple(e.key for e in dated)
        return Resolution(
            Status.AMBIGUOUS,
            None,
            keys,
            _rule("several references fit; the author count fits none", notes),
        )

    def _by_name(self, mention: Mention, notes: list[str]) -> list[BibEntry]:
        written = mention.family.strip()
        short = self._short.get(written.casefold())
        if short:
            notes.append(f"abbreviation {written} defined in the reference list")
            return short
        expanded = self._text_abbreviations.get(written.casefold())
        if expanded:
            notes.append(f"abbreviation {written} defined in the text as {expanded}")
            written = expanded
        whole = self._by_family.get(_name_key(mention.authors.replace("&", "and")), [])
        if (
            whole
            and mention.count is not AuthorCount.ONE
            and all(
                e.first_author is not None and e.first_author.kind is NameKind.ORGANISATION
                for e in whole
            )
        ):
            notes.append("the whole name is one organisation")
            return list(whole)
        found = self._by_family.get(_name_key(written), [])
        if found and re.search(r"\bcoll(?!eagues)[a-z]*gues$", mention.authors):
            notes.append("'and colleagues' misspelt in the text")
        return list(found)

    def _year_fits(self, cited: str, entry: BibEntry, notes: list[str]) -> bool:
        year = entry.year
        if cited in ("n.d.", "in press", "forthcoming"):
            label = year.label if year else "n.d."
            return year is None or (
                year.value is None
                and label in (cited, "n.d.")
                and (cited == label or cited == "forthcoming")
            )
        match = re.fullmatch(r"(\d{4})([a-z]?)", cited)
        if not match or year is None or year.value != int(match[1]):
            return False
        suffix = match[2]
        if not suffix:
            return True
        if year.suffix:
            return year.suffix == suffix
        if self._suffixes.get(entry.key) == suffix:
            notes.append(f"suffix {suffix} assigned by title, as Harvard does")
            return True
        return False


def _second_fits(mention: Mention, entry: BibEntry) -> bool:
    """For "Smith & Jones", the reference's second author must be Jones too."""
    if mention.count is not AuthorCount.TWO or len(entry.authors) != 2:
        return True
    named = [n for n in _NAMES.split(mention.authors) if n]
    if len(named) != 2:
        return True
    return _name_key(named[1]) == _name_key(entry.authors[1].family)


_NAMES = re.compile(r"\s*,\s*(?:&|and)\s+|\s+&\s+|\s+and\s+|\s*,\s+")


def _note_spelling(mention: Mention, entry: BibEntry, notes: list[str]) -> None:
    """Say how the name as written differs from the reference's, when it does."""
    if any(n.startswith(("abbreviation", "the whole name")) for n in notes) or (
        entry.first_author is None
    ):
        return
    written, listed = mention.family.strip(), entry.first_author.family
    if written.lower().startswith("hm "):
        notes.append("HM read as Her Majesty's")
    elif written.lower().startswith("the ") != listed.lower().startswith("the "):
        notes.append("leading 'The' ignored")
    elif written != listed:
        notes.append(f"name written {written!r}, listed as {listed!r} (accents and case folded)")


def _rule(base: str, notes: list[str]) -> str:
    return "; ".join([base, *dict.fromkeys(notes)])
