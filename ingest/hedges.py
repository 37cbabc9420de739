"""The review's hedges: the words with which it says how sure it is of a claim.

A claim records the review's certainty as one of :data:`CERTAINTIES`, "stated" when the
sentence makes it without a hedge.  :func:`hedges_in` finds the hedges of a text, so that a
build can warn when a statement is firmer than the review's own sentence (see
:func:`ingest.claims.check_claims`).
"""

from __future__ import annotations

import re

# From the most tentative to the plainest; each with the words that show it.
_HEDGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("some indication", re.compile(r"\bsome (?:indication|evidence|suggestion)s?\b")),
    ("may", re.compile(r"\b(?:may|might|could|possibly|perhaps|potentially)\b")),
    ("can", re.compile(r"\bcan\b")),
    ("sometimes", re.compile(r"\b(?:sometimes|in some cases|at times|some of the time)\b")),
    ("often", re.compile(r"\b(?:often|frequently|commonly|tend(?:s|ed)? to|usually)\b")),
    ("suggests", re.compile(r"\b(?:suggests?|suggested|appears? to|seems? to|indicates?)\b")),
)
CERTAINTIES: tuple[str, ...] = (*(name for name, _ in _HEDGES), "stated")
# How an answer puts each certainty in a sentence.
CERTAINTY_WORDS = {
    "some indication": "“some indication”",
    "may": "“may”",
    "can": "“can”",
    "sometimes": "“sometimes”",
    "often": "“often”",
    "suggests": "“suggests”",
    "stated": "stated without a hedge",
}


def hedges_in(text: str) -> list[str]:
    """The certainties a text's hedges show, in the order of :data:`CERTAINTIES`."""
    lowered = text.lower()
    return [name for name, pattern in _HEDGES if pattern.search(lowered)]


def claim_certainty(
    statement: str, given: str | None, sentence: str | None
) -> tuple[str | None, str]:
    """A claim's certainty and what it rests on.

    ``given`` is the editors' reading (the claims file's ``certainty``), which wins: a
    sentence may hedge another of its clauses.  Otherwise the hedge that both the review's
    sentence and our statement use, or "stated" when the sentence has none.  Without the
    review's text, only our statement's own hedge can be told.
    """
    words = _words(sentence) if sentence is not None else {}
    if given is not None:
        said = f": it says {words[given]}" if given in words else ""
        return given, f"the editors' reading of the review's sentence{said}"
    if sentence is not None:
        kept = [h for h in hedges_in(sentence) if h in hedges_in(statement)]
        if kept:
            return kept[0], f"the review's sentence says {words[kept[0]]}"
        if not words:
            return "stated", "the review's sentence has no hedge"
        return None, "the review's sentence hedges, and the claim does not say which way"
    own = hedges_in(statement)
    if own:
        return own[0], "our statement keeps the review's hedge (the review's text is not at hand)"
    return None, "not known: the review's text is not at hand"


def _words(text: str) -> dict[str, str]:
    """For each certainty a text shows, the words that show it, quoted."""
    found = {}
    for name, pattern in _HEDGES:
        match = pattern.search(text.lower())
        if match:
            found[name] = f"“{match.group(0)}”"
    return found
