"""Write BibTeX entries from plain values, escaped so that BibTeX reads back what was given.

Used where a reference comes from somewhere else than a ``.bib`` file: an editor's short form,
a RIS or CSL-JSON export.  Values are plain Unicode text; the characters BibTeX treats
specially are escaped, so that "Smith & Jones {2020}" is read back as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_SPECIAL = re.compile(r"([{}&%$#_])")
_VERBATIM = frozenset({"url", "doi"})


def escape(value: str) -> str:
    """A plain value as BibTeX text."""
    text = " ".join(value.split()).replace("\\", "\\textbackslash{}")
    return _SPECIAL.sub(r"\\\1", text)


def names(people: Iterable[str]) -> str:
    """Names ("Last, First" or an organisation) joined as BibTeX joins them.

    A name without a comma is an organisation or a single name: it is braced whole, so that
    BibTeX does not split it into first and last names.
    """
    written = []
    for person in people:
        person = " ".join(person.split())
        if not person:
            continue
        written.append(escape(person) if "," in person else "{" + escape(person) + "}")
    return " and ".join(written)


def entry(entry_type: str, key: str, fields: Sequence[tuple[str, str]]) -> str:
    """One ``@type{key, field = {value}, ...}`` entry; empty values are left out.

    ``author`` and ``editor`` values are taken as already joined (see :func:`names`); ``url``
    and ``doi`` are written as they are.
    """
    body = []
    for name, value in fields:
        if not value or not value.strip():
            continue
        if name in ("author", "editor"):
            text = value
        elif name in _VERBATIM:
            text = value.strip().replace("{", "").replace("}", "")
        else:
            text = escape(value)
        body.append(f"  {name} = {{{text}}}")
    return f"@{entry_type}{{{key},\n" + ",\n".join(body) + "\n}\n"


def make_key(family: str, year: str, title: str, taken: set[str]) -> str:
    """A readable key (``buck2017wanted``), unique among ``taken`` (which it joins)."""

    def ascii_word(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", plain.lower())

    words = [ascii_word(w) for w in title.split()]
    skip = {"a", "an", "the", "on", "of", "in", "and", "for", "to"}
    first = next((w for w in words if w and w not in skip), "")
    base = f"{ascii_word(family) or 'ref'}{ascii_word(year)[:4]}{first}" or "ref"
    key, n = base, 1
    while key.casefold() in {t.casefold() for t in taken}:
        n += 1
        key = f"{base}{n}"
    taken.add(key)
    return key
