"""A running app follows new builds, and no request ever sees a mix of two (case 21)."""

from __future__ import annotations

import threading
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.pipeline import ReviewInputs
from kg.build import build_dataset
from kg.store import publish
from kg.vocabulary import Vocabulary
from web import create_app

REVIEW = URIRef("https://w3id.org/evkg/review/clinks-2021-peer-mentoring")


def _publish_titled(
    root: Path, reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary, title: str
) -> None:
    dataset = build_dataset(reviews, vocabulary)
    graph = dataset.graph(URIRef("https://w3id.org/evkg/graph/clinks-2021-peer-mentoring/review"))
    graph.set((REVIEW, DCTERMS.title, Literal(title)))
    publish(dataset, root, {})


def test_the_app_serves_a_new_build_without_a_restart(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary
) -> None:
    _publish_titled(tmp_path, project_reviews, vocabulary, "Version one")
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path)})
    with app.test_client() as client:
        assert "Version one" in client.get("/").get_data(as_text=True)
        _publish_titled(tmp_path, project_reviews, vocabulary, "Version two")
        assert "Version two" in client.get("/").get_data(as_text=True)


def test_readers_during_publishes_never_see_a_mix(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary
) -> None:
    _publish_titled(tmp_path, project_reviews, vocabulary, "Version 0")
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path)})
    seen: list[tuple[str, int]] = []

    def read() -> None:
        # Bounded: a fixed number of requests, each reading the review's title and the
        # build's inputs through one store.
        with app.test_client() as client:
            for _ in range(40):
                data = client.get("/api/about").get_json()
                titles = {
                    row["title"]
                    for row in client.get(
                        "/api/ask", query_string={"q": "what supports hope"}
                    ).get_json()["sources"]
                }
                seen.append((str(sorted(titles)), len(data["inputs"])))

    reader = threading.Thread(target=read)
    reader.start()
    for n in (1, 2, 3):
        _publish_titled(tmp_path, project_reviews, vocabulary, f"Version {n}")
    reader.join(timeout=120)
    assert not reader.is_alive()
    assert len(seen) == 40
    assert {inputs for _, inputs in seen} == {seen[0][1]}  # every build answered whole
    assert {titles for titles, _ in seen} == {seen[0][0]}
    with app.test_client() as client:
        assert "Version 3" in client.get("/").get_data(as_text=True)
