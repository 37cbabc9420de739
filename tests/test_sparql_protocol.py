"""The W3C SPARQL 1.1 Protocol tests, run over HTTP against `evkg serve`.

The cases are read from the W3C manifest in ``../shared/corpora/sparql11-protocol/`` (never
copied here).  Each case's requests are sent as written, byte for byte, to the production
server; two adaptations make them fit our data:

* the test suite's graphs (``.../data1.rdf`` ...) become graphs of our published build, and
  ``<dataN.rdf> a ?type`` becomes a resource typed in that graph only (``?typeN``: our graphs
  share no type, the W3C data share ``foaf:Document``);
* the endpoint path ``/sparql/`` becomes ``/sparql``.

Every case must end as ``OUTCOMES`` says, the table that ``docs/sparql-protocol.md`` shows.
A restriction by design (no updates, no ``FROM``) counts only when the refusal is a 4xx that
says why, and when the requests that follow it show that nothing changed.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from tests.conftest import CORPORA, corpus_file, running_server

CORPUS = CORPORA / "sparql11-protocol"
MANIFEST = CORPUS / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
THEIR_DATA = re.compile(r"http://kasei\.us/2009/09/sparql/data/data(\d)\.rdf")
THEIR_TYPED = re.compile(r"<http://kasei\.us/2009/09/sparql/data/data(\d)\.rdf> a \?type\b")

PASSED, UPDATE_REFUSED, FROM_REFUSED = "passed", "refused: read-only", "refused: no FROM"
# Every case of the manifest, and how it ends here (docs/sparql-protocol.md shows this table).
OUTCOMES = {
    "query_post_form": PASSED,
    "query_dataset_default_graphs_get": PASSED,
    "query_dataset_default_graphs_post": PASSED,
    "query_dataset_named_graphs_post": PASSED,
    "query_dataset_named_graphs_get": PASSED,
    "query_dataset_full": PASSED,
    "query_multiple_dataset": FROM_REFUSED,
    "query_get": PASSED,
    "query_content_type_select": PASSED,
    "query_content_type_ask": PASSED,
    "query_content_type_describe": PASSED,
    "query_content_type_construct": PASSED,
    "update_dataset_default_graph": UPDATE_REFUSED,
    "update_dataset_default_graphs": UPDATE_REFUSED,
    "update_dataset_named_graphs": UPDATE_REFUSED,
    "update_dataset_full": UPDATE_REFUSED,
    "update_post_form": UPDATE_REFUSED,
    "update_post_direct": UPDATE_REFUSED,
    "update_base_uri": UPDATE_REFUSED,
    "query_post_direct": PASSED,
    "bad_query_method": PASSED,
    "bad_multiple_queries": PASSED,
    "bad_query_wrong_media_type": PASSED,
    "bad_query_missing_form_type": PASSED,
    "bad_query_missing_direct_type": PASSED,
    "bad_query_non_utf8": PASSED,
    "bad_query_syntax": PASSED,
    "bad_update_get": PASSED,
    "bad_multiple_updates": PASSED,
    "bad_update_wrong_media_type": PASSED,
    "bad_update_missing_form_type": PASSED,
    "bad_update_non_utf8": PASSED,
    "bad_update_syntax": PASSED,
    "bad_update_dataset_conflict": PASSED,
}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass(frozen=True)
class Expected:
    statuses: frozenset[str]  # "2xx", "3xx", "4xx"
    form: str | None = None  # boolean | tabular | RDF
    boolean: bool | None = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    requests: tuple[Request, ...] = field(default_factory=tuple)


def read_manifest() -> list[Case]:
    """The manifest's cases, in its order, as plain records."""
    graph = Graph().parse(MANIFEST)
    manifest = next(graph.subjects(RDF.type, MF.Manifest))

    def listed(node: Node | None, predicate: URIRef) -> list[Any]:
        head = graph.value(node, predicate)
        return list(Collection(graph, head)) if head is not None else []

    cases = []
    for entry in listed(manifest, MF.entries):
        action = graph.value(entry, MF.action)
        requests = []
        for node in listed(action, HT.requests):
            body = graph.value(node, HT.body)
            encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8") if body else ""
            response = graph.value(node, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            form = graph.value(response, MF.expectedFormat)
            requests.append(
                Request(
                    method=str(graph.value(node, HT.methodName)),
                    path=str(graph.value(node, HT.absolutePath)),
                    headers=tuple(
                        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
                        for h in listed(node, HT.headers)
                    ),
                    body=(
                        str(graph.value(body, CNT.chars)).encode(encoding)
                        if body is not None
                        else None
                    ),
                    expected=Expected(
                        statuses=frozenset(
                            str(s).rsplit("StatusCode", 1)[1]
                            for s in graph.objects(response, MF.expectedStatus)
                        ),
                        form=str(form) if form is not None else None,
                        boolean=str(boolean) == "true" if boolean is not None else None,
                    ),
                )
            )
        cases.append(
            Case(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)), tuple(requests))
        )
    return cases


CASES = read_manifest() if corpus_file("sparql11-protocol", "manifest.ttl") else []


@dataclass(frozen=True)
class OurData:
    """Where the W3C data's graphs and resources land in our published build."""

    graphs: dict[str, str]  # "0".."3" -> our graph IRI
    typed: dict[str, str]  # "1".."3" -> a resource typed only in that graph

    def text(self, text: str) -> str:
        text = THEIR_TYPED.sub(lambda m: f"<{self.typed[m[1]]}> a ?type{m[1]}", text)
        return THEIR_DATA.sub(lambda m: self.graphs[m[1]], text)

    def request(self, request: Request) -> Request:
        parts = urllib.parse.urlsplit(request.path)
        path = "/sparql" + (f"?{self.form(parts.query)}" if parts.query else "")
        body = request.body
        if body is not None and body == body.decode("utf-8", "replace").encode():
            text = body.decode("utf-8")
            looks_like_form = "=" in text and " " not in text.split("=", 1)[0]
            body = (self.form(text) if looks_like_form else self.text(text)).encode("utf-8")
        return replace(request, path=path, body=body)

    def form(self, encoded: str) -> str:
        pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True)
        return urllib.parse.urlencode(
            [(k, self.text(v)) for k, v in pairs], quote_via=urllib.parse.quote
        )


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def send(base: str, request: Request) -> Reply:
    """The request exactly as given: no header or body that the case does not name."""
    host = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=30)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value)
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        response = connection.getresponse()
        return Reply(response.status, response.getheader("Content-Type", ""), response.read())
    finally:
        connection.close()


def select_values(base: str, query: str) -> list[str]:
    reply = send(
        base,
        Request(
            "POST",
            "/sparql",
            (("Content-Type", "application/sparql-query"),),
            query.encode(),
            Expected(frozenset({"2xx"})),
        ),
    )
    assert reply.status == 200, reply.text
    bindings = json.loads(reply.body)["results"]["bindings"]
    return [next(iter(b.values()))["value"] for b in bindings]


@pytest.fixture(scope="module")
def server(built_store: Path, store_env: dict[str, str]) -> Iterator[str]:
    with running_server(built_store, store_env) as (base, _):
        yield base


@pytest.fixture(scope="module")
def ours(server: str) -> OurData:
    graphs = select_values(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")

    def graph(ending: str) -> str:
        return next(g for g in sorted(graphs) if g.endswith(ending))

    chosen = {
        "0": graph("/profiles"),
        "1": graph("/bibliography"),
        "2": graph("/claims"),
        "3": graph("/vocabulary"),
    }
    typed = {}
    for number in ("1", "2", "3"):
        only_here = (
            f"SELECT ?s WHERE {{ GRAPH <{chosen[number]}> {{ ?s a ?t }} FILTER NOT EXISTS "
            f"{{ GRAPH ?h {{ ?s a ?u }} FILTER (?h != <{chosen[number]}>) }} }} "
            "ORDER BY ?s LIMIT 1"
        )
        typed[number] = select_values(server, only_here)[0]
    return OurData(chosen, typed)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def boolean_of(reply: Reply) -> bool:
    if "json" in reply.content_type:
        value = json.loads(reply.body)["boolean"]
        assert isinstance(value, bool)
        return value
    root = ElementTree.fromstring(reply.body)  # noqa: S314  (our own server, in a test)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert found is not None
    return found.text == "true"


def check_reply(request: Request, reply: Reply) -> None:
    expected = request.expected
    assert status_class(reply.status) in expected.statuses, (reply.status, reply.text)
    if reply.status >= 400:
        # A refusal says why, in words: never an empty body or a bare status.
        assert len(reply.text.strip()) > 10, reply.text
        return
    media = reply.content_type.split(";")[0].strip()
    if expected.form == "boolean":
        assert media in BOOLEAN_TYPES, media
    elif expected.form == "tabular":
        assert media in TABULAR_TYPES, media
    elif expected.form == "RDF":
        assert media in RDF_TYPES, media
        Graph().parse(data=reply.body, format=RDF_TYPES[media])
    if expected.boolean is not None:
        assert boolean_of(reply) is expected.boolean


def is_update(request: Request) -> bool:
    query = urllib.parse.urlsplit(request.path).query
    body = (request.body or b"").decode("utf-8", "replace")
    return "sparql-update" in request.content_type or "update=" in query or "update=" in body


def test_every_case_of_the_manifest_has_an_outcome() -> None:
    assert [case.name for case in CASES] == list(OUTCOMES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_w3c_protocol_case(case: Case, server: str, ours: OurData) -> None:
    outcome = OUTCOMES[case.name]
    first, *rest = [ours.request(r) for r in case.requests]
    if outcome == PASSED:
        for request in (first, *rest):
            check_reply(request, send(server, request))
        return
    before = graph_sizes(server)
    refused = send(server, first)
    assert status_class(refused.status) == "4xx", (refused.status, refused.text)
    assert ("read-only" if outcome == UPDATE_REFUSED else "FROM") in refused.text
    assert graph_sizes(server) == before  # nothing changed
    for request in rest:
        # The case reads back what its update would have written: still answered, as a boolean.
        # (Its value is not checked: Virtuoso answers GRAPH <a graph not in the dataset> with
        # one empty solution, see docs/sparql-protocol.md.)
        assert not is_update(request)
        check_reply(
            replace(request, expected=replace(request.expected, boolean=None)),
            send(server, request),
        )


def graph_sizes(server: str) -> list[str]:
    return select_values(
        server,
        'SELECT (CONCAT(STR(?g), " ", STR(COUNT(*))) AS ?size) '
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if OUTCOMES[c.name] == PASSED and c.requests[0].expected.boolean],
    ids=lambda c: c.name,
)
def test_each_graph_a_request_names_is_one_it_needs(case: Case, server: str, ours: OurData) -> None:
    """The protocol's dataset is really used: drop any graph the query reads, and it fails.

    The W3C cases only look for ``true``, which a server that ignored the dataset
    parameters (and read every graph) would also give.
    """
    request = ours.request(case.requests[0])
    parts = urllib.parse.urlsplit(request.path)
    params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = next((v for k, v in params if k == "query"), (request.body or b"").decode())
    named = [
        (k, v)
        for k, v in params
        if k.endswith("graph-uri")
        and any(v == ours.graphs[n] and ours.typed.get(n, "") in query for n in ours.typed)
    ]
    for dropped in named:
        kept = [p for p in params if p != dropped]
        path = "/sparql?" + urllib.parse.urlencode(kept, quote_via=urllib.parse.quote)
        without = replace(request, path=path, expected=replace(request.expected, boolean=False))
        check_reply(without, send(server, without))


def test_relative_iris_resolve_against_our_namespace(server: str) -> None:
    construct = Request(
        "POST",
        "/sparql",
        (("Content-Type", "application/sparql-query"), ("Accept", "application/n-triples")),
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        Expected(frozenset({"2xx"}), "RDF"),
    )
    reply = send(server, construct)
    check_reply(construct, reply)
    subject = next(iter(Graph().parse(data=reply.body, format="nt").subjects()))
    assert subject == URIRef("https://w3id.org/evkg/s")


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_construct_in_every_rdf_syntax_says_the_same(server: str, media: str) -> None:
    query = (
        b"CONSTRUCT { ?c ?p ?o } WHERE { ?c a <https://w3id.org/evkg/vocab#Claim> ; ?p ?o } "
        b"ORDER BY ?c ?p ?o LIMIT 40"
    )

    def graph_as(accept: str) -> Graph:
        reply = send(
            server,
            Request(
                "POST",
                "/sparql",
                (("Content-Type", "application/sparql-query"), ("Accept", accept)),
                query,
                Expected(frozenset({"2xx"})),
            ),
        )
        assert reply.status == 200 and reply.content_type.startswith(accept), reply.text
        return Graph().parse(data=reply.body, format=RDF_TYPES[accept])

    from rdflib.compare import isomorphic

    reference = graph_as("application/n-triples")
    assert len(reference) == 40
    assert isomorphic(graph_as(media), reference)
