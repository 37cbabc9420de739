r"""Decide, before anything runs, whether a SPARQL request is one we will evaluate.

Read-only queries only: updates (INSERT, LOAD, DROP, ...) are refused; ``SERVICE`` (a
request to another server: SSRF) and dataset clauses (``FROM``) are refused too.

Nothing here parses the query.  A parser written in Python holds the interpreter while it
works, and a query made to be slow to parse (``1+1+...+1``, thousands of terms) held every
other request of the site with it.  So the checks here are linear scans of the text, and the
query is parsed where it runs: in a worker process that is killed at the deadline
(:mod:`kg.store.worker`), or by the SPARQL server itself.  Defence in depth:

1. ``\u``/``\U`` escapes are refused outright (write the character itself), so that no
   keyword can hide behind one;
2. the words SERVICE and FROM anywhere in the text, even inside a string or a comment, are
   refused, whatever a parser would make of them;
3. the query's form is read from its first keyword after the prologue (``PREFIX``,
   ``BASE``, comments): SELECT, ASK, CONSTRUCT or DESCRIBE, else it is refused;
4. the query runs in a process with no network at all, where the system allows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 20_000
_ESCAPE = re.compile(r"\\[uU]")
_SERVICE_WORD = re.compile(r"\bservice\b", re.IGNORECASE)
# A server's own extension functions can reach the network or the database (Virtuoso's
# bif:http_get, sql:...): refused by name, since rdflib parses them as ordinary calls.
_SERVER_BUILTINS = re.compile(r"\b(?:bif|sql)\s*:|openlinksw\.com/schemas/(?:bif|sql)", re.I)
_FROM_WORD = re.compile(r"\bfrom\b", re.IGNORECASE)
_KINDS = {"select": "select", "ask": "ask", "construct": "construct", "describe": "describe"}
# Before the query form: whitespace, comments, and PREFIX / BASE declarations.
_PROLOGUE = re.compile(r"(?:\s|#[^\n]*|(?i:prefix)\s+[^\s:]*:\s*<[^>]*>|(?i:base)\s*<[^>]*>)*")
_KEYWORD = re.compile(r"[A-Za-z]+")


class RefusedQuery(ValueError):
    """A query we will not run; the message says why, for a 400 response."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed: its text and its form."""

    text: str
    kind: str  # select | ask | construct | describe


def check_query(text: str) -> CheckedQuery:
    """Vet a query's text; raises :class:`RefusedQuery` with a reason.

    Linear in the length of the text, and parses nothing (see the module's docstring).
    """
    if len(text) > MAX_QUERY_CHARS:
        raise RefusedQuery(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if _ESCAPE.search(text):
        raise RefusedQuery("\\u and \\U escapes are not accepted here: write the character")
    if _SERVICE_WORD.search(text):
        raise RefusedQuery(
            "SERVICE (querying another server) is not allowed here, not even "
            "as a word in a string or a comment"
        )
    if _SERVER_BUILTINS.search(text):
        raise RefusedQuery("a server's own functions (bif:, sql:) are not allowed here")
    if _FROM_WORD.search(text):
        raise RefusedQuery(
            "FROM / FROM NAMED (loading other data) is not allowed here, not even as a word "
            "in a string or a comment; the dataset is the published graphs"
        )
    prologue = _PROLOGUE.match(text)
    keyword = _KEYWORD.match(text, prologue.end() if prologue else 0)
    kind = _KINDS.get(keyword.group(0).lower()) if keyword else None
    if kind is None:
        raise RefusedQuery(
            "this endpoint is read-only: it runs SELECT, ASK, CONSTRUCT and DESCRIBE "
            "queries, no updates"
        )
    return CheckedQuery(text, kind)
