"""Decide, before anything runs, whether a SPARQL request is one we will evaluate.

Read-only queries only: updates (INSERT, LOAD, DROP, ...) do not parse as queries and are
refused; ``SERVICE`` (a request to another server: SSRF) and dataset clauses (``FROM``, which
rdflib would dereference) are refused too.  The check walks the parse tree, so the words inside
a string literal are not mistaken for clauses.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

MAX_QUERY_CHARS = 20_000
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


def check_query(text: str) -> CheckedQuery:
    """Parse and vet a query; raises :class:`RefusedQuery` with a reason."""
    if len(text) > MAX_QUERY_CHARS:
        raise RefusedQuery(f"the query is longer than {MAX_QUERY_CHARS} characters")
    try:
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
