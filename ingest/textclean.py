"""Make untrusted text safe to keep: strip control and bidirectional-override characters.

Hostile markup such as ``<script>`` is deliberately *kept* as text; escaping it is the job of
every writer (Jinja, serialisers), and dropping it here would lose what the author typed.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embedding/override/isolate controls and the invisible direction marks can
# make a title display differently from what it contains (the "Trojan Source" trick).
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_SPACES = re.compile(r"\s+")


def strip_unsafe_characters(text: str) -> tuple[str, bool]:
    """Return the text without control or bidi characters, and whether anything was removed.

    Tabs and line breaks become spaces (they carry no meaning in a bibliographic field).
    """
    kept: list[str] = []
    removed = False
    for char in text:
        if char in "\t\n\r":
            kept.append(" ")
        elif char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            removed = True
        else:
            kept.append(char)
    return "".join(kept), removed


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and trim the ends."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Accent- and case-folded form for comparing names and titles."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def slugify(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII words joined by hyphens, for readable IRIs."""
    words = re.findall(r"[a-z0-9]+", fold(text).replace("'", ""))
    slug = "-".join(words)[:max_length].strip("-")
    return slug or "x"
