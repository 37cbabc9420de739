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

from ingest.pipeline import ingest_reviews
from kg.build import build_dataset
from kg.cli import main
from kg.errors import StoreError
from kg.remote_store import (
    RemoteGraphStore,
    current_remote,
    publish_remote,
    snapshot_graph,
)
from kg.sparql_client import Endpoint
from kg.store import GraphStore, publish
from kg.store_backend import open_store
from kg.vocabulary import load_vocabulary
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
    embedded = GraphStore.open(tmp_path / "embedded")
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
    from kg.remote_store import _move_current

    winner, _ = publish_remote(server, _hostile(tmp_path), {"digest": "w"})
    # Publishes that started before `winner` became current expect another pointer (or none).
    for expected in ("an-older-build", None):
        with pytest.raises(StoreError, match="another publish"):
            _move_current(server, expected, "late")
        found = current_remote(server)
        assert found is not None and found[0] == winner


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
    assert not (settings.store_dir / "current").exists()  # nothing went to the embedded store
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
