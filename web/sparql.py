"""The read-only SPARQL endpoint (SPARQL 1.1 Protocol), guarded before anything runs.

GET ``/sparql?query=...``, POST form-encoded ``query=...`` or POST ``application/sparql-query``.
Without a query it shows a form with examples.  It sets no cookies and needs no CSRF token,
because it changes nothing.  Each query runs in a child process with a time limit that really
stops it (see :mod:`kg.store.worker`), and results stop at a row cap with a truncation flag.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, Response, current_app, request

from kg.store.embedded import PRIVATE_SUFFIX
from kg.store.guard import RefusedQuery, check_query
from kg.store.remote.client import EndpointTimeout
from kg.store.results import (
    ASK_TYPES,
    GRAPH_TYPES,
    PUBLISHED,
    SELECT_TYPES,
    QueryDataset,
    UnwritableGraph,
    ask_json,
    ask_xml,
    graph_text,
    select_csv,
    select_json,
    select_xml,
)
from kg.store.worker import QueryTimeout
from web import sparql_page
from web.store_access import get_store

bp = Blueprint("sparql", __name__)
RETRY_AFTER = 5  # seconds, for a client told the endpoint is busy
# Relative IRIs in a query resolve against our own namespace, so that "<concept/...>" names
# our concepts, and the answer is the same whichever host name the endpoint was reached by.
BASE_IRI = "https://w3id.org/evkg/"
READ_ONLY = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) "
    "is not accepted here"
)


def init_app(app: Flask) -> None:
    """The endpoint's own slots: at most this many queries at once, the rest told to wait."""
    slots = int(app.config["EVKG_SPARQL_CONCURRENCY"])
    app.extensions["evkg.sparql_slots"] = threading.BoundedSemaphore(slots)


EXAMPLES = (
    (
        "Claims and their stance",
        "PREFIX evkg: <https://w3id.org/evkg/vocab#>\n"
        "SELECT ?claim ?statement ?stance WHERE {\n"
        "  ?claim a evkg:Claim ; evkg:statement ?statement ; evkg:stance ?stance .\n"
        "} LIMIT 20",
    ),
    (
        "Sources cited for hope",
        "PREFIX evkg: <https://w3id.org/evkg/vocab#>\n"
        "PREFIX cito: <http://purl.org/spar/cito/>\n"
        "SELECT DISTINCT ?key WHERE {\n"
        "  ?claim evkg:mechanism <https://w3id.org/evkg/concept/mechanism/hope> ;\n"
        "         cito:citesAsEvidence ?source .\n"
        "  ?source evkg:bibKey ?key .\n"
        "}",
    ),
)


def _error(status: int, message: str, query: str | None = None) -> Response:
    """A refusal: plain text for a client, the form with the message for a browser."""
    if query is not None:
        shown = message[:1].upper() + message[1:]
        return Response(sparql_page.page(query, EXAMPLES, error=shown), status=status)
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def sparql() -> Response | str:
    """One SPARQL 1.1 Protocol query operation."""
    if request.method not in ("GET", "HEAD", "POST"):
        refused = _error(405, "the SPARQL endpoint is read-only: it accepts GET, HEAD and POST")
        refused.headers["Allow"] = "GET, HEAD, POST"
        return refused
    query, problem = _query_from_request()
    html = sparql_page.wants_html()
    if problem:
        return _error(400, problem, query if html else None)
    if query is None:
        return sparql_page.page(None, EXAMPLES)
    try:
        checked = check_query(query)
    except RefusedQuery as exc:
        return _error(400, str(exc), query if html else None)
    dataset, problem = _dataset_from_request()
    if problem:
        return _error(400, problem, query if html else None)
    offered = _offered(checked.kind)
    asked = request.args.get("format")
    if asked is not None and asked not in sparql_page.FORMAT_TYPES:
        return _error(400, f"format is one of {', '.join(sparql_page.FORMAT_TYPES)}")
    if asked is not None and sparql_page.FORMAT_TYPES[asked] not in offered:
        return _error(406, f"this query's results come as one of: {', '.join(offered)}")
    if html:
        pass  # a browser: the page below
    elif (
        asked is None
        and "Accept" in request.headers
        and request.accept_mimetypes.best_match(offered) is None
    ):
        # Said before the query runs: nothing it could answer would be read.
        return _error(406, f"this query's results come as one of: {', '.join(offered)}")
    admitted: threading.BoundedSemaphore = current_app.extensions["evkg.sparql_slots"]
    if not admitted.acquire(blocking=False):
        # Its own bounded queue: a flood of queries never takes the threads that serve pages.
        busy = _error(503, "the SPARQL endpoint is busy: try again in a few seconds")
        busy.headers["Retry-After"] = str(RETRY_AFTER)
        return busy
    try:
        return _run(_with_base(checked.text), checked.kind, dataset, query if html else None)
    finally:
        admitted.release()


def _with_base(text: str) -> str:
    # On the query's first line, so that a parser's line numbers still match the user's text;
    # a BASE of the query's own, later in its prologue, takes precedence.
    return f"BASE <{BASE_IRI}> {text}"


def _run(text: str, kind: str, dataset: QueryDataset, shown: str | None = None) -> Response:
    """Run the query; ``shown``: the query as the user wrote it, for a browser's page."""
    config = current_app.config
    try:
        answer = get_store().run_public_query(
            text,
            kind,
            seconds=float(config["EVKG_SPARQL_TIMEOUT"]),
            row_cap=int(config["EVKG_SPARQL_ROWS"]),
            dataset=dataset,
        )
    except (QueryTimeout, EndpointTimeout) as exc:
        return _error(503, str(exc), shown)
    if answer.kind == "error":
        return _error(400, f"the query failed: {answer.payload}", shown)
    if shown is not None:
        page = sparql_page.results(shown, EXAMPLES, answer.kind, answer.payload, answer.truncated)
        return Response(page, mimetype="text/html")
    return _respond(answer.kind, answer.payload, answer.truncated)


def _dataset_from_request() -> tuple[QueryDataset, str | None]:
    """The dataset the request names (SPARQL 1.1 Protocol), checked against the build.

    In the URL for GET and for a query sent as the body; in the form for a form POST.
    """
    source = (
        request.form if request.mimetype == "application/x-www-form-urlencoded" else request.args
    )
    defaults = source.getlist("default-graph-uri")
    named = source.getlist("named-graph-uri")
    if not defaults and not named:
        return PUBLISHED, None
    store = get_store()
    public = {g for g in store.graph_names() if not g.endswith(PRIVATE_SUFFIX)}
    unknown = [g for g in (*defaults, *named) if g not in public]
    if unknown:
        return PUBLISHED, (
            f"{unknown[0]} is not a graph of the published build; list them with "
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        )
    return QueryDataset(tuple(defaults), tuple(named)), None


def _query_from_request() -> tuple[str | None, str | None]:
    """The query text, None for the form page, or the reason the request is refused."""
    if request.method in ("GET", "HEAD"):
        if request.content_length:
            return None, "a GET request must not have a body"
        if "update" in request.args:
            return None, READ_ONLY
        queries = request.args.getlist("query")
        if len(queries) > 1:
            return None, "give one query parameter, not several"
        return (queries[0] if queries else None), None
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if mimetype == "application/sparql-update":
        return None, READ_ONLY
    if charset not in ("utf-8", "utf8"):
        return None, f"the request is in {charset}: the SPARQL Protocol takes UTF-8 only"
    if mimetype == "application/x-www-form-urlencoded":
        try:
            form = request.form
        except UnicodeDecodeError:
            return None, "the request body is not UTF-8"
        if "update" in form:
            return None, READ_ONLY
        queries = form.getlist("query")
        if len(queries) != 1:
            return None, "give exactly one query parameter"
        return queries[0], None
    if mimetype == "application/sparql-query":
        try:
            return request.get_data().decode("utf-8"), None
        except UnicodeDecodeError:
            return None, "the request body is not UTF-8"
    if not mimetype:
        return None, (
            "the request has no Content-Type: send application/sparql-query, or "
            "application/x-www-form-urlencoded with a query parameter"
        )
    return None, (
        f"unsupported content type {mimetype!r} for a SPARQL query: send "
        "application/sparql-query, or application/x-www-form-urlencoded"
    )


def _offered(kind: str) -> list[str]:
    """The media types a query of this form can be answered in (SPARQL 1.1 Protocol)."""
    if kind in ("construct", "describe", "graph"):
        return list(GRAPH_TYPES)
    return list(SELECT_TYPES) if kind == "select" else list(ASK_TYPES)


def _respond(kind: str, payload: object, truncated: bool) -> Response:
    offered = _offered(kind)
    best = request.accept_mimetypes.best_match(offered, default=offered[0]) or offered[0]
    asked = request.args.get("format")
    if asked in sparql_page.FORMAT_TYPES:
        best = sparql_page.FORMAT_TYPES[asked]  # a download link from the page
    if kind == "graph":
        assert isinstance(payload, list)  # noqa: S101
        try:
            body = graph_text(payload, GRAPH_TYPES[best])
        except UnwritableGraph as exc:
            return _error(406, str(exc))
    else:
        fmt = SELECT_TYPES[best]
        if kind == "ask":
            body = ask_xml(bool(payload)) if fmt == "xml" else ask_json(bool(payload))
        else:
            assert isinstance(payload, dict)  # noqa: S101
            body = {
                "json": lambda: select_json(payload, truncated),
                "xml": lambda: select_xml(payload),
                "csv": lambda: select_csv(payload),
                "tsv": lambda: select_csv(payload, tab=True),
            }[fmt]()
    # Answered in the very media type chosen, so a client that takes only text/xml gets it.
    response = Response(body, content_type=f"{best}; charset=utf-8")
    response.headers["X-EVKG-Truncated"] = "true" if truncated else "false"
    if asked in sparql_page.FORMAT_TYPES:
        response.headers["Content-Disposition"] = f'attachment; filename="results.{asked}"'

    response.headers["Vary"] = "Accept"
    return response
