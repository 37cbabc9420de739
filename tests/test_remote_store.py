"""The library on a real SPARQL server (EVKG_STORE): faithful, atomic, and the CLI agrees.

Each test here starts its own server (the run's kind, or the Oxigraph server in the embedded
run), so it may publish libraries of its own without disturbing the session's store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from ingest.pipeline import ReviewInputs, ingest_reviews
from kg.build.dataset import build_dataset
from kg.cli import main
from kg.errors import StoreError
from kg.library.backend import open_store
from kg.rdf.concepts import Vocabulary, load_vocabulary
from kg.store.embedded import EmbeddedStore, publish
from kg.store.remote.client import Endpoint
from kg.store.remote.publish import publish_remote
from kg.store.remote.reader import RemoteGraphStore, current_remote, snapshot_graph
from tests.conftest import DATA, REMOTE, copy_project
from tests.sparql_servers import endpoint_env, sparql_server
from tests.tiny_project import make_tiny_project

KIND = REMOTE or "oxigraph"


@pytest.fixture(scope="module")
def server() -> Iterator[Endpoint]:
    with sparql_server(KIND) as endpoint:
        yield endpoint


def _hostile(tmp_path: Path) -> Dataset:
    project = copy_project(tmp_path / "p", DATA / "bad" / "10-hostile.bib")
    vocabulary = load_vocabulary()
    result = ingest_reviews(project / "reviews", project, vocabulary=vocabulary.concept_ids())
    return build_dataset(result.reviews, vocabulary)


def _graphs(dataset: Dataset) -> dict[str, object]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def test_hostile_text_comes_back_from_the_server_as_it_went_in(
    server: Endpoint, tmp_path: Path
) -> None:
    dataset = _hostile(tmp_path)
    publish(dataset, tmp_path / "embedded", {"digest": "h"})
    publish_remote(server, dataset, {"digest": "h"})
    remote = RemoteGraphStore.open_remote(server)
    embedded = EmbeddedStore.open(tmp_path / "embedded")
    # Every public graph, and the current snapshot, is the same graph on both stores:
    # <script> titles, right-to-left marks, language tags, years and booleans included.
    ours, theirs = _graphs(embedded.to_dataset()), _graphs(remote.to_dataset())
    assert ours.keys() == theirs.keys() and ours
    for name, graph in ours.items():
        assert isomorphic(graph, theirs[name]), name  # type: ignore[arg-type]
    assert isomorphic(
        embedded.to_dataset(current_only=True).default_graph,
        remote.to_dataset(current_only=True).default_graph,
    )
    # The app escapes what the server returns, as it does for the embedded store.
    from web import create_app

    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path), **endpoint_env(server)})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_updates_without_a_graph_store_give_the_same_graphs(
    server: Endpoint, tmp_path: Path
) -> None:
    dataset = _hostile(tmp_path)
    plain = Endpoint(server.query_url, server.update_url, None)  # SPARQL Update only
    publish_remote(plain, dataset, {"digest": "u"})
    stored = _graphs(RemoteGraphStore.open_remote(plain).to_dataset())
    for name, graph in _graphs(dataset).items():
        if not name.endswith("/sentences"):
            assert isomorphic(graph, stored[name]), name  # type: ignore[arg-type]


def test_a_second_publish_sends_only_what_changed_and_keeps_three_builds(
    server: Endpoint, tmp_path: Path
) -> None:
    dataset = _hostile(tmp_path)
    first, _ = publish_remote(server, dataset, {"digest": "1"})
    sent: list[str] = []

    class Watching(Endpoint):
        def replace_graph(self, graph: str, triples: object, chunk: int = 250) -> None:
            sent.append(graph)
            super().replace_graph(graph, triples, chunk)  # type: ignore[arg-type]

    watching = Watching(server.query_url, server.update_url, server.graph_store_url)
    builds = [first] + [publish_remote(watching, dataset, {"digest": "n"})[0] for _ in range(3)]
    # Unchanged graphs are not sent again: only each build's snapshot and record.
    assert all(g.startswith("urn:evkg:") for g in sent)
    _, rows = server.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    names = {r["g"]["value"] for r in rows}
    assert snapshot_graph(builds[0]) not in names  # the oldest build was pruned
    assert {snapshot_graph(b) for b in builds[1:]} <= names
    assert current_remote(server) is not None and current_remote(server)[0] == builds[-1]  # type: ignore[index]


def test_a_publish_that_lost_the_race_changes_nothing(server: Endpoint, tmp_path: Path) -> None:
    from kg.store.remote.lease import PublishLease
    from kg.store.remote.publish import _move_current

    winner, _ = publish_remote(server, _hostile(tmp_path), {"digest": "w"})
    # Publishes that started before `winner` became current expect another pointer (or none).
    lease = PublishLease(server, "late")
    lease.acquire()
    try:
        for expected in ("an-older-build", None):
            with pytest.raises(StoreError, match="another publish"):
                _move_current(server, expected, "late", lease.literal)
            found = current_remote(server)
            assert found is not None and found[0] == winner
    finally:
        lease.release()
    # Without the lease the pointer does not move, even when it names the expected build.
    with pytest.raises(StoreError, match="another publish"):
        _move_current(server, winner, "late", lease.literal)
    assert current_remote(server)[0] == winner  # type: ignore[index]


def test_the_cli_builds_queries_and_lists_versions_on_the_server(
    server: Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_tiny_project(tmp_path)
    monkeypatch.chdir(settings.root)
    monkeypatch.setenv("EVKG_ROOT", str(settings.root))
    for name, value in endpoint_env(server).items():
        monkeypatch.setenv(name, value)
    assert main(["build", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["store"].startswith(server.shown)
    # The build machine keeps a working copy; readers need only the server.
    import shutil

    shutil.rmtree(settings.store_dir / "builds")
    (settings.store_dir / "current").unlink()
    assert main(["versions"]) == 0
    assert "v1" in capsys.readouterr().out
    from kg.config import Settings

    store = open_store(Settings.from_env())
    assert isinstance(store, RemoteGraphStore)
    assert store.info["versions"] == summary["versions"]
    assert main(["export", "--format", "ttl"]) == 0


def test_an_unreachable_server_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.sparql_servers import free_port

    monkeypatch.setenv("EVKG_STORE", f"http://127.0.0.1:{free_port()}/sparql")
    monkeypatch.setenv("EVKG_STORE_DIR", str(tmp_path / "store"))
    assert main(["query", "what supports hope"]) == 3
    assert "cannot reach the SPARQL server" in capsys.readouterr().err
    monkeypatch.setenv("EVKG_STORE", "file:///etc/passwd")
    assert main(["query", "what supports hope"]) == 3
    assert "not an http(s) URL" in capsys.readouterr().err


def test_sparql_on_the_server_never_reaches_the_reviews_words(
    server: Endpoint, tmp_path: Path
) -> None:
    from web import create_app

    dataset = _hostile(tmp_path)
    publish_remote(server, dataset, {"digest": "s"})
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path), **endpoint_env(server)})
    client = app.test_client()
    reply = client.get(
        "/sparql",
        query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status_code == 200
    graphs = {b["g"]["value"] for b in reply.get_json()["results"]["bindings"]}
    assert graphs and not any(g.endswith("/sentences") or g.startswith("urn:evkg:") for g in graphs)
    build = current_remote(server)[0]  # type: ignore[index]
    private = next(g for g in _graphs(dataset) if g.endswith("/sentences"))
    for graph in (private, f"urn:evkg:private:{build}", f"urn:evkg:build:{build}"):
        named = client.get(
            "/sparql",
            query_string={"query": f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert named.status_code in (200, 400), graph
        if named.status_code == 200:
            assert named.get_json()["results"]["bindings"] == [], graph
    ssrf = "SELECT ?x WHERE { BIND (bif:http_get('http://127.0.0.1:1/') AS ?x) }"
    assert client.get("/sparql", query_string={"query": ssrf}).status_code == 400
    refused = client.get(
        "/sparql", query_string={"query": "SELECT * FROM <urn:evkg:store> WHERE { ?s ?p ?o }"}
    )
    assert refused.status_code == 400
    ask = client.get(
        "/sparql",
        query_string={"query": "ASK { ?s a <https://w3id.org/evkg/vocab#Claim> }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.get_json()["boolean"] in (True, False)


def _watching(
    server: Endpoint, sent: list[str], fail_at: str | None = None, timeout: float = 120.0
) -> Endpoint:
    class Watching(Endpoint):
        def replace_graph(self, graph: str, triples: object, chunk: int = 250) -> None:
            if fail_at is not None and graph.startswith(fail_at):
                raise StoreError("the connection dropped")
            sent.append(graph)
            super().replace_graph(graph, triples, chunk)  # type: ignore[arg-type]

    return Watching(server.query_url, server.update_url, server.graph_store_url, timeout)


def test_one_publisher_at_a_time_and_a_failed_one_is_mended_by_the_next(
    server: Endpoint, tmp_path: Path
) -> None:
    from kg.store.remote.lease import PublishLease

    dataset = _hostile(tmp_path)
    first, _ = publish_remote(server, dataset, {"digest": "1"})
    reader = RemoteGraphStore.open_remote(server)
    sentences_before = reader.select("review_sentences")
    assert sentences_before
    # Another publish is writing: this one is refused before it writes anything.
    other = PublishLease(server, "someone-else")
    other.acquire()
    sent: list[str] = []
    with pytest.raises(StoreError, match=r"another publish \(build someone-else\)"):
        publish_remote(_watching(server, sent), dataset, {"digest": "2"})
    assert sent == [] and current_remote(server)[0] == first  # type: ignore[index]
    other.release()

    # A publish fails part-way, after rewriting a data graph in place.
    data_graphs = sorted(_graphs(dataset))
    private = next(g for g in data_graphs if g.endswith("/sentences"))
    server.replace_graph(private, [])  # what the failed publish left of the sentences
    with pytest.raises(StoreError, match="connection dropped"):
        publish_remote(_watching(server, sent, "urn:evkg:snapshot:"), dataset, {"digest": "3"})
    assert current_remote(server)[0] == first  # type: ignore[index]
    # Readers of the current build still read its own graphs, whole.
    assert RemoteGraphStore.open_remote(server).select("review_sentences") == sentences_before

    # Requests of the failed publish may still be running on the server: for a grace period
    # (twice the request timeout) nobody may break its lease.
    with pytest.raises(StoreError, match="stopped moments ago"):
        publish_remote(server, dataset, {"digest": "3b"})
    # Then the next publish breaks it and sends every graph again, so the graph the failed one
    # emptied is whole once more (its digest alone would have said "unchanged").
    import time

    time.sleep(4.1)
    sent.clear()
    publish_remote(_watching(server, sent, timeout=2.0), dataset, {"digest": "4"})
    assert set(data_graphs) <= set(sent)
    assert PublishLease(server, "x").found() == []
    stored = _graphs(RemoteGraphStore.open_remote(server).to_dataset())
    assert private not in stored  # private graphs are never dumped, but the server has it:
    _, rows = server.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[private]
    )
    assert int(rows[0]["n"]["value"]) == len(_graphs(dataset)[private])  # type: ignore[arg-type]


def test_what_no_kept_build_names_leaves_the_server(server: Endpoint, tmp_path: Path) -> None:
    dataset = _hostile(tmp_path)
    publish_remote(server, dataset, {"digest": "a"}, index=b'{"format": 0, "n": 1}')
    private = next(g for g in _graphs(dataset) if g.endswith("/sentences"))
    smaller = Dataset()
    for graph in dataset.graphs():
        if str(graph.identifier) != private:
            target = smaller.graph(graph.identifier)
            for triple in graph:
                target.add(triple)

    def on_server() -> set[str]:
        _, rows = server.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {r["g"]["value"] for r in rows}

    builds = [publish_remote(server, smaller, {"digest": "b"}, index=b'{"n": 2}')[0]]
    assert private in on_server()  # the previous build still names it
    builds += [publish_remote(server, smaller, {"digest": "b"}, index=b'{"n": 2}')[0]]
    builds += [publish_remote(server, smaller, {"digest": "b"}, index=b'{"n": 2}')[0]]
    # What a failed publish might have left: a new review's words and an index no record names.
    import pyoxigraph as ox

    from kg.rdf.ids import GRAPH_BASE

    orphan = GRAPH_BASE + "withdrawn-review/v1/sentences"
    note = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("urn:p"), ox.Literal("x"))
    for left_behind in (orphan, "urn:evkg:index:deadbeef"):
        server.replace_graph(left_behind, [note])
    server.replace_graph("https://example.org/not-ours", [note])
    builds += [publish_remote(server, smaller, {"digest": "b"}, index=b'{"n": 2}')[0]]
    builds = builds[-3:]
    left = on_server()
    assert orphan not in left and "urn:evkg:index:deadbeef" not in left
    assert "https://example.org/not-ours" in left  # another application's graph stays
    server.drop_graph("https://example.org/not-ours")
    # The review's words went with the last build that named them, as did its index.
    assert private not in left
    assert len([g for g in left if g.startswith("urn:evkg:index:")]) == 1
    assert {g for g in left if g.startswith("urn:evkg:build:")} == {
        f"urn:evkg:build:{b}" for b in builds
    }


def test_a_cut_answer_is_an_error_never_a_shorter_answer(server: Endpoint) -> None:
    import pyoxigraph as ox

    from kg.store.remote.client import AnswerCut

    graph = "https://example.org/graph/long"
    subject, predicate = ox.NamedNode("https://example.org/s"), ox.NamedNode("urn:p")
    triples = [ox.Triple(subject, predicate, ox.Literal(n)) for n in range(10_500)]
    server.replace_graph(graph, triples)
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    if KIND == "virtuoso":  # capped at its default of 10,000 rows per answer
        with pytest.raises(AnswerCut, match=r"cut an answer at 10000 rows.*ResultSetMaxRows"):
            server.select(query, default_graphs=[graph])
        _, rows, cap = server.select_partial(query, default_graphs=[graph])
        assert cap == 10_000 and len(rows) == 10_000
    else:  # the Oxigraph server has no such cap
        _, rows = server.select(query, default_graphs=[graph])
        assert len(rows) == 10_500
    server.drop_graph(graph)


def test_the_server_keeps_the_answer_index_an_embedded_build_writes(
    server: Endpoint,
    tmp_path: Path,
    project_reviews: tuple[ReviewInputs, ...],
    vocabulary: Vocabulary,
) -> None:
    from dataclasses import replace

    from kg.answers.index import read_index, write_index
    from kg.answers.read_model import read_model
    from kg.config import Settings
    from kg.library.backend import publish_to

    dataset = build_dataset(project_reviews, vocabulary)
    local = publish(dataset, tmp_path / "embedded", {"digest": "i"}, None, write_index)
    expected = read_index(local)
    assert expected is not None and expected["claims"]
    for endpoint in (server, Endpoint(server.query_url, server.update_url, None)):
        settings = replace(Settings.from_env({}), store_dir=tmp_path / "working", endpoint=endpoint)
        publish_to(settings, dataset, {"digest": "i"}, None, write_index)
        remote = RemoteGraphStore.open_remote(endpoint)
        assert remote.answer_index() == expected
        # Answers come from it: the same claims as the embedded build's, in the same order.
        assert list(read_model(remote).knowledge.claims) == [c["iri"] for c in expected["claims"]]
    # A library's index runs to megabytes: it goes in many parts, and comes back whole.
    import base64
    import os

    from kg.answers.index import INDEX_FORMAT

    large = {"format": INDEX_FORMAT, "noise": base64.b64encode(os.urandom(300_000)).decode()}
    for endpoint in (server, Endpoint(server.query_url, server.update_url, None)):
        publish_remote(endpoint, dataset, {"digest": "l"}, index=json.dumps(large).encode())
        assert RemoteGraphStore.open_remote(endpoint).answer_index() == large


def test_adding_a_review_on_a_server_sends_only_what_changed_and_equals_a_full_build(
    server: Endpoint, tmp_path: Path
) -> None:
    import shutil
    from dataclasses import replace

    from bench.library import add_review, write_library
    from kg.answers.index import read_index
    from kg.config import Settings
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project
    from kg.store.embedded import current_build

    root = tmp_path / "lib"
    write_library(root, reviews=3, seed=5)
    sent: list[str] = []
    watching = _watching(server, sent)
    settings = Settings(root, root / "reviews", root / "store", endpoint=watching)
    _, first = build_project(settings, PublishOptions())
    assert first.info["build_kind"] == "full"
    added = add_review(root, seed=5)
    sent.clear()
    _, second = build_project(settings, PublishOptions())
    assert second.info["build_kind"] == "incremental"
    # Only the new review's graphs and those every build rewrites went to the server.
    data = [g for g in sent if not g.startswith("urn:evkg:")]
    assert data and all(f"/{added}/" in g or "/graph/provenance" in g for g in data), data

    # The same archive built in full, on the embedded store.
    full = Settings(root, root / "reviews", tmp_path / "full")
    shutil.copytree(settings.store_dir / "versions", full.store_dir / "versions")
    build_project(replace(full, endpoint=None), PublishOptions())
    remote = RemoteGraphStore.open_remote(server)
    embedded = EmbeddedStore.open(full.store_dir)
    ours, theirs = _graphs(embedded.to_dataset()), _graphs(remote.to_dataset())
    assert ours.keys() == theirs.keys()
    for name, graph in ours.items():
        assert isomorphic(graph, theirs[name]), name  # type: ignore[arg-type]
    assert isomorphic(
        embedded.to_dataset(current_only=True).default_graph,
        remote.to_dataset(current_only=True).default_graph,
    )
    folder = current_build(full.store_dir)
    assert folder is not None and remote.answer_index() == read_index(folder)


def test_a_pointer_that_moved_before_an_error_keeps_its_build(
    server: Endpoint, tmp_path: Path
) -> None:
    dataset = _hostile(tmp_path)
    publish_remote(server, dataset, {"digest": "p"})

    class LostAnswer(Endpoint):
        def update(self, text: str) -> None:
            super().update(text)
            if "urn:evkg:current" in text and "INSERT" in text:
                raise StoreError("the connection dropped after the update was sent")

    lossy = LostAnswer(server.query_url, server.update_url, server.graph_store_url)
    build, _ = publish_remote(lossy, dataset, {"digest": "q"})
    # The server made the build current; its graphs are whole, and the lease was let go.
    assert current_remote(server)[0] == build  # type: ignore[index]
    reader = RemoteGraphStore.open_remote(server)
    assert reader.select("review_sentences") and reader.answer_index() is None
    from kg.store.remote.lease import PublishLease

    assert PublishLease(server, "x").found() == []


def test_the_mark_of_a_failed_publish_survives_publishers_that_stop(
    server: Endpoint, tmp_path: Path
) -> None:
    from kg.store.remote.lease import PublishLease

    dataset = _hostile(tmp_path)
    publish_remote(server, dataset, {"digest": "m"})
    busy = PublishLease(server, "busy")
    busy.acquire()
    # Beside it, what a publish that failed part-way leaves: its lease, marked as run out.
    failed = PublishLease(server, "failed")
    failed._insert(failed._literal(0.0))
    with pytest.raises(StoreError, match="another publish"):
        publish_remote(server, dataset, {"digest": "n"})
    # The failed publish's mark is still there for the next publisher that goes on.
    assert any(h.until < 1 for h in busy.found())
    busy.release()
    sent: list[str] = []
    publish_remote(_watching(server, sent), dataset, {"digest": "o"})
    assert set(_graphs(dataset)) <= set(sent)  # every graph sent again
    assert PublishLease(server, "x").found() == []


def test_a_graph_with_a_very_long_literal_goes_in_whole(server: Endpoint) -> None:
    import base64
    import os

    import pyoxigraph as ox

    # Virtuoso's graph store took such a body for plain text and refused it; the client then
    # sends it by SPARQL Update instead.
    text = base64.b64encode(os.urandom(400_000)).decode()
    graph = "https://example.org/graph/long-literal"
    subject = ox.NamedNode("https://example.org/s")
    triple = ox.Triple(subject, ox.NamedNode("urn:p"), ox.Literal(text))
    server.replace_graph(graph, [triple])
    _, rows = server.select("SELECT ?o WHERE { ?s ?p ?o }", default_graphs=[graph])
    assert [row["o"]["value"] for row in rows] == [text]
    server.drop_graph(graph)


def test_a_record_this_version_cannot_read_is_replaced_by_the_next_publish(
    server: Endpoint, tmp_path: Path
) -> None:
    import base64

    import pyoxigraph as ox

    from kg.store.remote.reader import INFO, record_graph

    dataset = _hostile(tmp_path)
    old, _ = publish_remote(server, dataset, {"digest": "r"})
    # As an earlier layout wrote it: the whole record in one base64 literal.
    node = ox.NamedNode(record_graph(old))
    legacy = base64.b64encode(json.dumps({"digest": "r"}).encode()).decode()
    server.replace_graph(node.value, [ox.Triple(node, INFO, ox.Literal(legacy))])
    with pytest.raises(StoreError, match="another version of evidence-graph"):
        RemoteGraphStore.open_remote(server)
    new, _ = publish_remote(server, dataset, {"digest": "s"})
    reader = RemoteGraphStore.open_remote(server)
    assert reader.build_id == new and reader.select("review_sentences")
