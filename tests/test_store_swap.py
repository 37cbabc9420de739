"""A running app follows new builds, and no request ever sees a mix of two (case 21)."""

from __future__ import annotations

import threading
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.pipeline import ReviewInputs
from kg.build.dataset import build_dataset
from kg.rdf.concepts import Vocabulary
from kg.store.embedded import publish
from web import create_app

REVIEW = URIRef("https://w3id.org/evkg/review/clinks-2021-peer-mentoring")


def _publish_titled(
    root: Path, reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary, title: str, n: int = 0
) -> None:
    """A build whose review title, input file names and build record all say which it is."""
    dataset = build_dataset(reviews, vocabulary)
    graph = dataset.graph(URIRef("https://w3id.org/evkg/graph/clinks-2021-peer-mentoring/review"))
    graph.set((REVIEW, DCTERMS.title, Literal(title)))
    provenance = dataset.graph(URIRef("https://w3id.org/evkg/graph/provenance"))
    for entity, name in list(provenance.subject_objects(DCTERMS.title)):
        provenance.set((entity, DCTERMS.title, Literal(f"{name}#{n}")))
    publish(dataset, root, {"digest": f"build-{n}"})


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
    _publish_titled(tmp_path, project_reviews, vocabulary, "Version 0", 0)
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path)})
    seen: list[tuple[int, set[int]]] = []
    done = threading.Event()

    def read() -> None:
        # Each request reads the build record (build.json) and the graph's PROV record, two
        # sources that a mixed state would disagree on.  Bounded: at most 20000 requests.
        with app.test_client() as client:
            for _ in range(20_000):
                data = client.get("/api/about").get_json()
                record = int(data["build"]["digest"].rsplit("-", 1)[1])
                graph = {int(row["file"].rsplit("#", 1)[1]) for row in data["inputs"]}
                seen.append((record, graph))
                if done.is_set() and record == 3:
                    return

    reader = threading.Thread(target=read)
    reader.start()
    for n in (1, 2, 3):
        _publish_titled(tmp_path, project_reviews, vocabulary, f"Version {n}", n)
    done.set()
    reader.join(timeout=120)
    assert not reader.is_alive()
    for record, graph in seen:
        assert graph == {record}, (record, graph)  # one build per request, never a mix
    records = [record for record, _ in seen]
    assert records == sorted(records)  # never back to an older build
    assert records[-1] == 3
    with app.test_client() as client:
        assert "Version 3" in client.get("/").get_data(as_text=True)
