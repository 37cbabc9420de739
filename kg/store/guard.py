r"""Decide, before anything runs, whether a SPARQL request is one we will evaluate.

Read-only queries only: updates (INSERT, LOAD, DROP, ...) do not parse as queries and are
refused; ``SERVICE`` (a request to another server: SSRF) and dataset clauses (``FROM``) are
refused too.

The parse tree comes from rdflib, but Oxigraph runs the query, and the two parsers need not
agree on every corner of the grammar: rdflib decodes ``\u`` escapes before it parses and
Oxigraph does not, so ``"\u005c" SERVICE ...`` hides a SERVICE clause inside what rdflib
reads as a string.  Defence in depth, therefore:

1. ``\u``/``\U`` escapes are refused outright (write the character itself);
2. the word SERVICE anywhere in the text, even inside a string or a comment, is refused,
   whatever either parser thinks of it;
3. the parse tree is checked for SERVICE, dataset clauses and the query form;
4. the query runs in a process with no network at all, where the system allows it
   (see :mod:`kg.store.worker`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

MAX_QUERY_CHARS = 20_000
_ESCAPE = re.compile(r"\\[uU]")
_SERVICE_WORD = re.compile(r"\bservice\b", re.IGNORECASE)
# A server's own extension functions can reach the network or the database (Virtuoso's
# bif:http_get, sql:...): refused by name, since rdflib parses them as ordinary calls.
_SERVER_BUILTINS = re.compile(r"\b(?:bif|sql)\s*:|openlinksw\.com/schemas/(?:bif|sql)", re.I)
_FORBIDDEN = {
    "ServiceGraphPattern": "SERVICE (querying another server) is not allowed here",
    "DatasetClause": "FROM / FROM NAMED (loading other data) is not allowed here",
}
_KINDS = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}


class RefusedQuery(ValueError):
    """A query we will not run; the message says why, for a 400 response."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed: its text and its form."""

    text: str
    kind: str  # select | ask | construct | describe


# Found under load: parsing on several server threads at once made valid queries fail at
# random places ("Expected SelectQuery at line 1, column 55") and sometimes raised.
_PARSER = threading.Lock()


def check_query(text: str) -> CheckedQuery:
    """Parse and vet a query; raises :class:`RefusedQuery` with a reason."""
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
    try:
        with _PARSER:  # rdflib's pyparsing grammar is shared state: one parse at a time
            parsed = parseQuery(text)
    except ParseBaseException as exc:
        raise RefusedQuery(
            "not a SPARQL query this endpoint runs (only SELECT, ASK, CONSTRUCT and DESCRIBE; "
            f"no updates): {exc.msg} at line {exc.lineno}, column {exc.col}"
        ) from exc
    except RecursionError as exc:
        raise RefusedQuery("the query is nested too deeply") from exc
    names = _names(parsed)
    for name, reason in _FORBIDDEN.items():
        if name in names:
            raise RefusedQuery(reason)
    kind = next((k for n, k in _KINDS.items() if n in names), None)
    if kind is None:
        raise RefusedQuery("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return CheckedQuery(text, kind)


def _names(node: object) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            found.add(item.name)
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or hasattr(item, "asList"):
            stack.extend(list(item))  # type: ignore[call-overload]
    return found
