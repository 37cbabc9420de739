"""The SPARQL endpoint: protocol, formats, and bad-input cases 14, 15, 17 and 18."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from werkzeug.test import TestResponse

from kg.store.embedded import EmbeddedStore
from kg.store.remote.reader import RemoteGraphStore
from tests.conftest import IN_CI
from tests.threads import run_at_once
from web import create_app

CLAIMS = (
    "PREFIX evkg: <https://w3id.org/evkg/vocab#> "
    "SELECT ?claim WHERE { ?claim a evkg:Claim } ORDER BY ?claim"
)


@pytest.fixture()
def sparql_app(built_store: Path, store_env: dict[str, str]) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "EVKG_STORE_DIR": str(built_store),
            **store_env,
            "EVKG_SPARQL_TIMEOUT": 3.0,
            "EVKG_SPARQL_ROWS": 100,
        }
    )


@pytest.fixture()
def sparql(sparql_app: Flask) -> Iterator[FlaskClient]:
    with sparql_app.test_client() as client:
        yield client


def test_select_in_every_results_format(sparql: FlaskClient) -> None:
    reply = sparql.get(
        "/sparql",
        query_string={"query": CLAIMS},
        headers={"Accept": "application/sparql-results+json"},
    )
    data = json.loads(reply.data)
    assert reply.status_code == 200 and data["head"]["vars"] == ["claim"]
    assert len(data["results"]["bindings"]) == 46 and data["truncated"] is False
    xml = sparql.get(
        "/sparql",
        query_string={"query": CLAIMS},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert xml.data.count(b"<result>") == 46
    table = sparql.post("/sparql", data={"query": CLAIMS}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(table.get_data(as_text=True))))
    assert rows[0] == ["claim"] and len(rows) == 47
    tsv = sparql.post(
        "/sparql",
        data=CLAIMS,
        content_type="application/sparql-query",
        headers={"Accept": "text/tab-separated-values"},
    )
    assert tsv.get_data(as_text=True).splitlines()[1].startswith("<https://w3id.org/evkg/claim/")


def test_ask_and_construct(sparql: FlaskClient) -> None:
    ask = sparql.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(ask.data)["boolean"] is True
    construct = sparql.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?r a <https://w3id.org/evkg/vocab#Review> }"},
        headers={"Accept": "text/turtle"},
    )
    graph = Graph().parse(data=construct.get_data(as_text=True), format="turtle")
    assert len(graph) == 1


def test_the_form_page_without_a_query(sparql: FlaskClient) -> None:
    page = sparql.get("/sparql")
    assert page.status_code == 200 and b"<form" in page.data
    assert "Set-Cookie" not in page.headers


class Listener:
    """A loopback server that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def post_watched(sparql: FlaskClient, query: str) -> tuple[TestResponse, int]:
    """POST a query whose "{port}" names a loopback listener; how many reached it."""
    listener = Listener()
    try:
        reply = sparql.post("/sparql", data={"query": query.replace("{port}", str(listener.port))})
        time.sleep(0.3)
    finally:
        listener.close()
    return reply, listener.connections


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE <http://169.254.169.254/latest/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE { ?s ?p ?o }", "FROM"),
        ("LOAD <http://127.0.0.1:{port}/data.ttl>", "no updates"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "no updates"),
        ("DROP ALL", "no updates"),
    ],
    ids=[
        "service-loopback",
        "service-metadata",
        "from-file",
        "from-named",
        "load",
        "insert",
        "drop",
    ],
)
def test_case_14_hostile_queries_are_refused_before_evaluation(
    sparql: FlaskClient, query: str, reason: str
) -> None:
    reply, connections = post_watched(sparql, query)
    assert reply.status_code == 400
    assert reason in reply.get_data(as_text=True)
    assert connections == 0  # no request left for the other server


def _noting(run: Callable[..., Any], running: threading.Event) -> Callable[..., Any]:
    """``run_public_query``, noting when a query with a cross product starts evaluating."""

    def noted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if "?j ?k ?l" in query:
            running.set()
        return run(self, query, *args, **kwargs)

    return noted


def test_case_15_a_runaway_query_is_stopped_while_others_are_served(
    sparql_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    results: dict[str, tuple[int, float, str]] = {}
    running = threading.Event()
    for store_class in (EmbeddedStore, RemoteGraphStore):
        monkeypatch.setattr(
            store_class, "run_public_query", _noting(store_class.run_public_query, running)
        )

    def run_slow() -> None:
        with sparql_app.test_client() as client:
            started = time.monotonic()
            reply = client.get("/sparql", query_string={"query": slow})
            results["slow"] = (
                reply.status_code,
                time.monotonic() - started,
                reply.get_data(as_text=True),
            )

    thread = threading.Thread(target=run_slow)
    thread.start()
    assert running.wait(timeout=30)  # the slow query is being evaluated
    with sparql_app.test_client() as client:
        fast = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert fast.status_code == 200 and "slow" not in results  # served while the slow one runs
    thread.join(timeout=30)
    status, seconds, text = results["slow"]
    assert status == 503 and "longer than 3 s" in text
    assert seconds < 10


@pytest.mark.embedded_only
def test_more_runaway_queries_than_warm_workers_leave_the_endpoint_serving(
    sparql_app: Flask,
) -> None:
    from kg.store.worker import POOL_SIZE

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    statuses: list[int] = []

    def run_slow() -> None:
        with sparql_app.test_client() as client:
            statuses.append(client.get("/sparql", query_string={"query": slow}).status_code)

    threads = [threading.Thread(target=run_slow) for _ in range(2 * POOL_SIZE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Each was stopped at its deadline, or could not start before it: none hangs.
    assert statuses == [503] * (2 * POOL_SIZE)
    # The stopped workers were replaced: ordinary queries are answered, and correctly.
    with sparql_app.test_client() as client:
        for _ in range(3):
            reply = client.get(
                "/sparql",
                query_string={"query": CLAIMS},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert reply.status_code == 200
            assert reply.get_json()["results"]["bindings"]


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("get", {"query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ("put", {"data": "ASK {}"}, 405),
        ("delete", {}, 405),
        ("post", {"data": "ASK {}", "content_type": "text/plain"}, 400),
        (
            "post",
            {"data": b"ASK { ?s ?p '\xff\xfe' }", "content_type": "application/sparql-query"},
            400,
        ),
        ("get", {"query_string": {"query": "ASK {}"}, "data": "body"}, 400),
        ("post", {"data": {"query": ["ASK {}", "ASK {}"]}}, 400),
        ("get", {"query_string": {"query": "SELECT * WHERE { ?s ?p "}}, 400),
    ],
    ids=[
        "two-queries",
        "put",
        "delete",
        "wrong-type",
        "not-utf8",
        "get-with-body",
        "two-form-queries",
        "syntax-error",
    ],
)
def test_case_17_protocol_misuse(
    sparql: FlaskClient, method: str, kwargs: dict[str, object], status: int
) -> None:
    assert getattr(sparql, method)("/sparql", **kwargs).status_code == status


def test_case_18_huge_results_are_capped_with_a_flag(sparql: FlaskClient) -> None:
    reply = sparql.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    data = json.loads(reply.data)
    assert len(data["results"]["bindings"]) == 100
    assert data["truncated"] is True
    assert reply.headers["X-EVKG-Truncated"] == "true"
    csv_reply = sparql.get(
        "/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert csv_reply.headers["X-EVKG-Truncated"] == "true"


@pytest.mark.parametrize(
    "query",
    [
        # rdflib decodes \u escapes before parsing, Oxigraph does not: the SERVICE clause
        # below is inside a string for one parser and live for the other.
        'SELECT * WHERE { BIND("\\u005c" AS ?x) SERVICE <http://127.0.0.1:{port}/internal> '
        '{?a ?b ?c} #" AS ?x)\n}',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:{port}/> in a comment",
        'SELECT * WHERE { ?s ?p "service" }',
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    ],
    ids=["escape-mismatch", "comment", "string", "escaped-keyword"],
)
def test_case_14_parser_disagreements_cannot_smuggle_a_service_call(
    sparql: FlaskClient, query: str
) -> None:
    reply, connections = post_watched(sparql, query)
    assert reply.status_code == 400
    assert connections == 0


@pytest.mark.embedded_only
def test_the_worker_has_no_network_where_the_system_allows(tmp_path: Path) -> None:
    from kg.store.worker import _no_network

    prefix = _no_network()
    if IN_CI:
        assert prefix, "CI runs as root with unshare available: the worker must be isolated"
    if prefix:
        probe = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-c",
                "import socket; socket.create_connection(('127.0.0.1', 9), 1)",
            ],
            capture_output=True,
            check=False,
        )
        assert probe.returncode != 0


def test_concepts_about_services_can_still_be_queried(sparql: FlaskClient) -> None:
    query = (
        "SELECT ?c WHERE { ?c <https://w3id.org/evkg/vocab#outcome> "
        "<https://w3id.org/evkg/concept/outcome/engagement-with-services> }"
    )
    reply = sparql.get("/sparql", query_string={"query": query})
    assert reply.status_code == 200
    assert json.loads(reply.data)["results"]["bindings"]


def test_queries_on_many_threads_at_once_are_all_answered(
    built_store: Path, store_env: dict[str, str]
) -> None:
    # Found under load: a query parser shared between server threads refused valid queries
    # at random places, or failed with a 500.  Nothing is parsed on the server's threads now;
    # with a slot for every thread, every query is answered.
    app = create_app(
        {
            "TESTING": True,
            "EVKG_STORE_DIR": str(built_store),
            **store_env,
            "EVKG_SPARQL_CONCURRENCY": 6,
        }
    )
    statuses: list[int] = []

    def ask() -> None:
        with app.test_client() as client:
            for _ in range(15):
                reply = client.get("/sparql", query_string={"query": CLAIMS})
                statuses.append(reply.status_code)

    run_at_once(ask)
    assert statuses == [200] * 90


def test_when_every_slot_is_taken_a_query_is_told_to_come_back(sparql_app: Flask) -> None:
    # The endpoint's own bounded queue: while its slots are held (say, by runaway queries),
    # the next query gets 503 with Retry-After at once, and the pages are still served.
    slots = sparql_app.extensions["evkg.sparql_slots"]
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        assert held == 2  # the default: one slot per warm worker process
        with sparql_app.test_client() as client:
            busy = client.get("/sparql", query_string={"query": CLAIMS})
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
            assert "busy" in busy.get_data(as_text=True)
            assert client.get("/").status_code == 200
    finally:
        for _ in range(held):
            slots.release()
    with sparql_app.test_client() as client:
        assert client.get("/sparql", query_string={"query": CLAIMS}).status_code == 200


def test_head_is_answered_like_get_and_a_refusal_says_what_is_allowed(
    sparql: FlaskClient,
) -> None:
    head = sparql.head("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"].startswith("application/sparql-results+json")
    refused = sparql.put("/sparql", data="ASK {}")
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, POST"
    assert "read-only" in refused.get_data(as_text=True)


def test_a_query_whose_results_nobody_could_read_gets_406(sparql: FlaskClient) -> None:
    refused = sparql.get("/sparql", query_string={"query": CLAIMS}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "application/sparql-results+json" in refused.get_data(as_text=True)
    # A browser's Accept (anything, at a lower weight) is still answered.
    browser = sparql.get(
        "/sparql",
        query_string={"query": CLAIMS},
        headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.status_code == 200


def test_the_dataset_a_request_names_is_the_one_queried(
    sparql: FlaskClient, built_store: Path
) -> None:
    from kg.store.embedded import EmbeddedStore

    names = EmbeddedStore.open(built_store).graph_names()
    claims = next(g for g in names if g.endswith("/claims"))
    bibliography = next(g for g in names if g.endswith("/bibliography"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def number(reply: TestResponse) -> int:
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return int(reply.get_json()["results"]["bindings"][0]["n"]["value"])

    everything = number(sparql.get("/sparql", query_string={"query": count}))
    one = number(sparql.get("/sparql", query_string={"query": count, "default-graph-uri": claims}))
    two = number(
        sparql.post("/sparql", data={"query": count, "default-graph-uri": [claims, bibliography]})
    )
    assert 0 < one < two < everything
    # Named graphs only: the default graph is empty, GRAPH ?g sees just those named.
    in_graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    reply = sparql.get("/sparql", query_string={"query": in_graphs, "named-graph-uri": claims})
    assert [b["g"]["value"] for b in reply.get_json()["results"]["bindings"]] == [claims]
    empty = {"query": count, "named-graph-uri": claims}
    assert number(sparql.get("/sparql", query_string=empty)) == 0
    # A graph the build does not publish, the review's own words included, is refused.
    for name in (
        "https://example.org/not-ours",
        next(g for g in names if g.endswith("/sentences")),
    ):
        refused = sparql.get("/sparql", query_string={"query": count, "default-graph-uri": name})
        assert refused.status_code == 400
        assert "is not a graph of the published build" in refused.get_data(as_text=True)


@pytest.mark.embedded_only  # Virtuoso refuses BNODE("x"); our data has no blank node to read
def test_blank_nodes_keep_their_marker_in_csv(sparql: FlaskClient) -> None:
    reply = sparql.get(
        "/sparql",
        query_string={"query": 'SELECT (BNODE("x") AS ?b) ("plain" AS ?v) {}'},
        headers={"Accept": "text/csv"},
    )
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
    assert rows[0] == ["b", "v"]
    assert rows[1][0].startswith("_:") and rows[1][1] == "plain"


@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "SELECT ?s { ?s ?p ?o } LIMIT 1"])
def test_a_client_taking_only_text_xml_gets_results_xml(sparql: FlaskClient, query: str) -> None:
    reply = sparql.get("/sparql", query_string={"query": query}, headers={"Accept": "text/xml"})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    assert b'<sparql xmlns="http://www.w3.org/2005/sparql-results#">' in reply.data


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_gets_the_results_as_a_table_with_links(sparql: FlaskClient) -> None:
    query = (
        "PREFIX evkg: <https://w3id.org/evkg/vocab#> "
        "SELECT ?claim ?concept WHERE { ?claim evkg:mechanism ?concept } ORDER BY ?claim LIMIT 5"
    )
    reply = sparql.get("/sparql", query_string={"query": query}, headers=BROWSER)
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    html = reply.get_data(as_text=True)
    assert '<table class="results">' in html and "5 rows" in html
    assert 'href="/claim/clinks-2021-peer-mentoring/' in html
    assert 'href="/concept/mechanism/' in html
    # Each format can be downloaded from the page.
    assert "format=csv" in html and "format=xml" in html
    csv_reply = sparql.get("/sparql", query_string={"query": query, "format": "csv"})
    assert csv_reply.mimetype == "text/csv"
    assert csv_reply.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    # A program asking for anything still gets the protocol's default, JSON.
    plain = sparql.get("/sparql", query_string={"query": query}, headers={"Accept": "*/*"})
    assert plain.mimetype == "application/sparql-results+json"


def test_a_browser_sees_a_refusal_in_the_page(sparql: FlaskClient) -> None:
    reply = sparql.post("/sparql", data={"query": "INSERT DATA { <a> <b> <c> }"}, headers=BROWSER)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert 'role="alert"' in html and "This endpoint is read-only" in html
    assert "INSERT DATA { &lt;a&gt; &lt;b&gt; &lt;c&gt; }" in html  # the query kept, escaped
    broken = sparql.get("/sparql", query_string={"query": "SELECT * {"}, headers=BROWSER)
    assert broken.status_code == 400 and "The query failed" in broken.get_data(as_text=True)
