"""Expand BibTeX ``@string`` macros, ``#`` concatenation and the month abbreviations.

bibtexparser 2.x only replaces a field whose *whole* value is one macro name, so
``journal = jn # " Part B"`` would stay as raw text.  This middleware runs first in our
parse stack, on the raw values (still carrying their ``{}``/``""`` enclosings), and rewrites
each field to a single braced value.  Undefined macros and cyclic ``@string`` definitions are
reported, and the macro's name is kept as text so that nothing the author typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from bibtexparser.library import Library
from bibtexparser.middlewares.middleware import LibraryMiddleware

_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip


@dataclass(frozen=True)
class MacroIssue:
    """A macro that could not be expanded, located by 0-based line as bibtexparser counts."""

    line: int | None
    key: str | None
    code: str
    message: str


def split_concatenation(raw: str) -> list[str]:
    """Split a raw BibTeX value on ``#`` outside braces and quotes."""
    parts: list[str] = []
    depth = 0
    in_quotes = False
    current: list[str] = []
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def _is_enclosed(part: str, opening: str, closing: str) -> bool:
    return len(part) >= 2 and part[0] == opening and part[-1] == closing


class ExpandStringMacros(LibraryMiddleware):
    """Resolve macros and concatenations in entries; collect what could not be resolved."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)
        self.issues: list[MacroIssue] = []
        self._raw: dict[str, tuple[str, int | None]] = {}
        self._resolved: dict[str, str] = {}

    @classmethod
    def metadata_key(cls) -> str:
        """Key under which bibtexparser records that this middleware ran."""
        return "evkg_expand_string_macros"

    def transform(self, library: Library) -> Library:
        """Rewrite every entry field and ``@string`` value as one braced, expanded value."""
        self._raw = {s.key.lower(): (str(s.value), s.start_line) for s in library.strings}
        self._resolved = {}
        for string in library.strings:
            expanded = self._expand_macro(string.key.lower(), (), string.start_line)
            string.value = "{" + expanded + "}"
        for entry in library.entries:
            for field in entry.fields:
                if not isinstance(field.value, str):
                    continue
                parts = split_concatenation(field.value)
                if len(parts) == 1 and _is_plain(parts[0]):
                    continue
                text = "".join(self._expand_part(p, (), field.start_line, entry.key) for p in parts)
                field.value = "{" + text + "}"
        return library

    def _expand_part(
        self, part: str, chain: tuple[str, ...], line: int | None, key: str | None
    ) -> str:
        if _is_enclosed(part, "{", "}") or _is_enclosed(part, '"', '"'):
            return part[1:-1]
        if part.isdigit():
            return part
        name = part.lower()
        if name in self._raw:
            return self._expand_macro(name, chain, line, key)
        if name in _MONTHS:
            return _MONTHS[name]
        self.issues.append(
            MacroIssue(line, key, "bib.undefined-macro", f"undefined @string macro '{part}'")
        )
        return part

    def _expand_macro(
        self, name: str, chain: tuple[str, ...], line: int | None, key: str | None = None
    ) -> str:
        if name in self._resolved:
            return self._resolved[name]
        if name in chain:
            cycle = " -> ".join((*chain, name))
            self.issues.append(
                MacroIssue(self._raw[name][1], key, "bib.cyclic-macro", f"cyclic @string: {cycle}")
            )
            return name
        raw, string_line = self._raw[name]
        text = "".join(
            self._expand_part(p, (*chain, name), string_line, key) for p in split_concatenation(raw)
        )
        self._resolved[name] = text
        return text


def _is_plain(part: str) -> bool:
    """A single enclosed or numeric value needs no expansion."""
    return _is_enclosed(part, "{", "}") or _is_enclosed(part, '"', '"') or part.isdigit()
