"""A library of several reviews, and the answer index that a publish precomputes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from rdflib import URIRef

from bench.library import COMMON_CONCEPT, write_library
from kg.answers.answer import answer
from kg.answers.index import read_index
from kg.answers.knowledge import Knowledge
from kg.answers.network import co_citation_graph
from kg.answers.read_model import read_model
from kg.config import Settings
from kg.errors import ProblemsFound
from kg.library.assembly import PublishOptions
from kg.library.full import build_project
from kg.rdf.concepts import CONCEPT_BASE
from kg.store.embedded import EmbeddedStore
from tests.conftest import DATA
from tests.threads import run_at_once
from tests.tiny_project import make_tiny_project
from web import create_app


def test_claims_with_the_same_id_in_different_reviews_are_all_counted(tmp_path: Path) -> None:
    # Every synthetic review numbers its claims c0, c1, ...: ids repeat across reviews.
    write_library(tmp_path, reviews=3, seed=7)
    settings = Settings(tmp_path, tmp_path / "reviews", tmp_path / "store")
    build_project(settings, PublishOptions())
    expected = set()
    for path in sorted((tmp_path / "reviews").glob("*.claims.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for claim in data["claims"]:
            if COMMON_CONCEPT in claim.get("mechanisms", []):
                expected.add((data["review"], claim["id"]))
    knowledge = read_model(EmbeddedStore.open(settings.store_dir)).knowledge
    about = knowledge.claims_about(f"{CONCEPT_BASE}mechanism/{COMMON_CONCEPT}")
    assert {(c.iri.rsplit("/", 2)[-2], c.id) for c in about} == expected
    assert len({review for review, _ in expected}) == 3
    result = answer(f"what supports {COMMON_CONCEPT}", knowledge)
    assert result.summary.startswith("3 reviews cite ")
    assert sum(len(group) for group in result.claims.values()) == len(expected)


def _as_data(knowledge: Knowledge) -> dict[str, object]:
    return {
        "concepts": {
            k: (vars(v) | {"labels": sorted(v.labels)}) for k, v in knowledge.concepts.items()
        },
        "claims": {
            k: (
                vars(v)
                | {
                    "concepts": dict(v.concepts),
                    "evidence": {e: vars(item) for e, item in v.evidence.items()},
                }
            )
            for k, v in knowledge.claims.items()
        },
        "sources": {
            k: vars(v) | {"profile": {f: [tuple(x) for x in xs] for f, xs in v.profile.items()}}
            for k, v in knowledge.sources.items()
        },
        "mentions": [vars(m) for m in knowledge.mentions],
        "by_concept": knowledge.by_concept,
    }


def test_the_precomputed_answer_index_says_what_the_store_says(tmp_path: Path) -> None:
    settings = make_tiny_project(tmp_path)
    _, published = build_project(settings, PublishOptions())
    assert published.path is not None
    index = read_index(published.path)
    assert index is not None
    store = EmbeddedStore.open(settings.store_dir)
    from_store = Knowledge(store)  # through SPARQL
    from_index = Knowledge(store, index)
    assert _as_data(from_index) == _as_data(from_store)
    assert from_store.mentions and from_store.claims and from_store.by_concept
    assert index["references"] == read_model(EmbeddedStore.open(settings.store_dir)).references
    # A server reads the index: no SPARQL for answers.
    assert (
        read_model(EmbeddedStore.open(settings.store_dir)).knowledge.claims.keys()
        == from_store.claims.keys()
    )


@pytest.fixture(scope="module")
def library_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("library")
    write_library(root, reviews=3, seed=7)
    settings = Settings(root, root / "reviews", root / "store")
    build_project(settings, PublishOptions())
    return create_app({"TESTING": True, "EVKG_STORE_DIR": str(settings.store_dir)})


def test_answers_come_in_pages_that_add_up_to_every_claim(library_app: Flask) -> None:
    client = library_app.test_client()
    question = {"q": f"what supports {COMMON_CONCEPT}", "per_page": "10"}
    first = client.get("/api/ask", query_string=question).get_json()
    paging = first["paging"]
    assert paging["per_page"] == 10 and paging["pages"] > 2
    seen: list[str] = []
    for page in range(1, paging["pages"] + 1):
        data = client.get("/api/ask", query_string={**question, "page": str(page)}).get_json()
        assert data["summary"] == first["summary"] and data["paging"] == paging | {"page": page}
        by_stance: dict[str, int] = {}
        for claim in data["claims"]:
            by_stance[claim["stance"]] = by_stance.get(claim["stance"], 0) + 1
        assert all(n <= 10 for n in by_stance.values())
        cited = {s["key"] for c in data["claims"] for s in c["sources"] if s["key"]}
        assert {s["key"] for s in data["sources"]} == cited  # the page's sources only
        seen += [c["id"] + c["statement"] for c in data["claims"]]
    assert len(seen) == len(set(seen)) == paging["total_claims"]
    assert client.get("/api/ask", query_string={**question, "per_page": "0"}).status_code == 400


def test_the_answer_page_shows_one_page_of_claims_with_a_way_on(library_app: Flask) -> None:
    client = library_app.test_client()
    page = client.get("/ask", query_string={"q": f"what supports {COMMON_CONCEPT}"})
    text = page.get_data(as_text=True)
    assert text.count('class="claim') <= 3 * 25 + 3
    assert "More claims" in text and "Page 1 of" in text and "Claims 1\u201325 of" in text
    second = client.get(
        "/ask", query_string={"q": f"what supports {COMMON_CONCEPT}", "page": "2"}
    ).get_data(as_text=True)
    assert "Previous claims" in second and "Claims 26\u2013" in second


def test_two_reviews_may_not_use_one_key_for_two_works(tmp_path: Path) -> None:
    write_library(tmp_path, reviews=2, seed=7)
    theirs = re.findall(r"\{(r0s\d+),", (tmp_path / "bib" / "synthetic-00000.bib").read_text())
    bib = tmp_path / "bib" / "synthetic-00001.bib"
    ours = re.findall(r"\{(r1s\d+),", bib.read_text("utf-8"))[0]
    bib.write_text(bib.read_text("utf-8").replace(ours, theirs[0]), "utf-8")
    claims = tmp_path / "reviews" / "synthetic-00001.claims.yaml"
    claims.write_text(claims.read_text("utf-8").replace(ours, theirs[0]), "utf-8")
    settings = Settings(tmp_path, tmp_path / "reviews", tmp_path / "store")
    with pytest.raises(
        ProblemsFound, match=f"the key {theirs[0]} names another work in synthetic-00000"
    ):
        build_project(settings, PublishOptions())


def test_pages_past_the_end_and_odd_numbers(library_app: Flask) -> None:
    client = library_app.test_client()
    question = {"q": f"what supports {COMMON_CONCEPT}"}
    for odd in ("\u00b2", "0", "-1", "1" * 7):
        assert client.get("/api/ask", query_string={**question, "page": odd}).status_code == 400
        assert client.get("/api/ask", query_string={**question, "per_page": odd}).status_code == 400
        assert client.get("/ask", query_string={**question, "page": odd}).status_code == 200
    pages = client.get("/api/ask", query_string=question).get_json()["paging"]["pages"]
    beyond = client.get("/api/ask", query_string={**question, "page": str(pages + 1)})
    assert beyond.status_code == 404
    last = client.get("/ask", query_string={**question, "page": "99"}).get_data(as_text=True)
    assert "More claims" not in last and "Previous claims" in last


def test_answers_on_many_threads_at_once_are_the_answers_on_one(library_app: Flask) -> None:
    questions = [f"what supports {c}" for c in ("hope", "trust", "role modelling", "motivation")]
    questions += [f"what challenges {c}" for c in ("desistance", "housing", "compliance")]
    expected = {}
    with library_app.test_client() as client:
        for q in questions:
            expected[q] = client.get("/api/ask", query_string={"q": q}).get_json()
    failures: list[str] = []

    def ask_all() -> None:
        with library_app.test_client() as client:
            for _ in range(5):
                for q in questions:
                    reply = client.get("/api/ask", query_string={"q": q})
                    if reply.status_code != 200 or reply.get_json() != expected[q]:
                        failures.append(q)

    run_at_once(ask_all)
    assert failures == []


def test_citations_in_two_reviews_are_told_apart(tmp_path: Path) -> None:
    # Two reviews with texts: sentence numbers repeat across them, co-citation must not.
    settings = make_tiny_project(tmp_path)
    # Its own keys for the works both reference lists hold (the build refuses shared keys).
    bib = (DATA / "review" / "mini-review.bib").read_text("utf-8")
    for key in ("abbott2015", "baker2017"):
        bib = bib.replace("{" + key + ",", "{" + key + "other,")
    (tmp_path / "other.bib").write_text(bib, "utf-8")
    (tmp_path / "reviews" / "other.toml").write_text(
        'id = "other-review"\ntitle = "Another invented review"\nauthors = ["Else, Ed"]\n'
        'year = 2023\nbibliography = "other.bib"\n'
        f'text = "{DATA / "review" / "mini-review.md"}"\n',
        "utf-8",
    )
    build_project(settings, PublishOptions())
    knowledge = read_model(EmbeddedStore.open(settings.store_dir)).knowledge
    reviews = {m.review for m in knowledge.mentions}
    assert reviews == {"tiny-review", "other-review"}
    together = co_citation_graph(knowledge)
    tiny = {m.key for m in knowledge.mentions if m.review == "tiny-review" and m.key}
    other = {m.key for m in knowledge.mentions if m.review == "other-review" and m.key}
    for a, b in together.edges:
        assert {a, b} <= tiny or {a, b} <= other, (a, b)


def test_lists_of_claims_in_the_api_name_them_unambiguously(library_app: Flask) -> None:
    client = library_app.test_client()
    concept = client.get(f"/api/concept/mechanism/{COMMON_CONCEPT}").get_json()
    ids = [i for group in concept["claims"].values() for i in group]
    iris = [i for group in concept["claim_iris"].values() for i in group]
    assert len(ids) == len(iris) == len(set(iris)) > len(set(ids))  # ids repeat across reviews
    cells = client.get("/api/gap-map").get_json()["cells"]
    for cell in cells:
        assert (
            len(cell["claim_iris"])
            == len(set(cell["claim_iris"]))
            == sum(len(v) for v in cell["claims"].values())
        )


def _stores_agree(one: Path, other: Path) -> None:
    """Two stores hold the same graphs, default graph and answer index."""
    import json

    from rdflib.compare import isomorphic

    from kg.store.embedded import current_build

    first, second = EmbeddedStore.open(one), EmbeddedStore.open(other)
    assert first.graph_names() == second.graph_names()
    a, b = first.to_dataset(), second.to_dataset()
    for name in first.graph_names():
        if not name.endswith("/sentences"):
            assert isomorphic(a.graph(URIRef(name)), b.graph(URIRef(name))), name
    assert isomorphic(
        first.to_dataset(current_only=True).default_graph,
        second.to_dataset(current_only=True).default_graph,
    )
    folders = [current_build(one), current_build(other)]
    assert all(folders)
    index = [json.loads((f / "answers.json").read_text("utf-8")) for f in folders if f]
    assert index[0] == index[1]
    info = [json.loads((f / "build.json").read_text("utf-8")) for f in folders if f]
    for key in ("digest", "versions", "current_graphs", "graphs", "input_checksums", "quads"):
        assert info[0][key] == info[1][key], key
    # The same problems are on record, each once (their order follows the build's path).
    problems = [sorted(json.dumps(p, sort_keys=True) for p in i["problems"]) for i in info]
    assert problems[0] == problems[1]


def test_adding_and_changing_a_review_builds_on_the_previous_store_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    import shutil

    from bench.library import add_review

    root = tmp_path / "lib"
    write_library(root, reviews=3, seed=5)
    settings = Settings(root, root / "reviews", root / "store")
    _, first = build_project(settings, PublishOptions())
    assert first.info["build_kind"] == "full"
    # A fourth review joins the library...
    added = add_review(root, seed=5)
    _, second = build_project(settings, PublishOptions())
    assert second.info["build_kind"] == "incremental"
    assert second.info["versions"][added] == [1]
    once = Settings(root, root / "reviews", tmp_path / "once")
    shutil.copytree(settings.store_dir / "versions", once.store_dir / "versions")
    build_project(once, PublishOptions())
    _stores_agree(settings.store_dir, once.store_dir)
    # ...and another gets a second version: a claim dropped, a source retitled.
    claims = root / "reviews" / "synthetic-00001.claims.yaml"
    text = claims.read_text("utf-8")
    claims.write_text(text[: text.index("  - id: c3")], "utf-8")
    bib = root / "bib" / "synthetic-00001.bib"
    bib.write_text(bib.read_text("utf-8").replace("title = {", "title = {Revised: ", 1), "utf-8")
    _, third = build_project(settings, PublishOptions())
    assert third.info["build_kind"] == "incremental"
    assert third.info["versions"]["synthetic-00001"] == [1, 2]
    # The same archive built in full, in another store.
    full = Settings(root, root / "reviews", tmp_path / "full")
    shutil.copytree(settings.store_dir / "versions", full.store_dir / "versions")
    _, rebuilt = build_project(full, PublishOptions())
    assert rebuilt.info["build_kind"] == "full"
    _stores_agree(settings.store_dir, full.store_dir)
    # Answers on the incremental build see the new review and the new version.
    knowledge = read_model(EmbeddedStore.open(settings.store_dir)).knowledge
    assert any(f"/claim/{added}/" in iri for iri in knowledge.claims)
    assert not any("/claim/synthetic-00001/c3" in iri for iri in knowledge.claims)
    # A view of the older version answers from the build's shards and one new shard, as it
    # would from its own copy of the library through SPARQL.
    from kg.answers.index import version_index
    from kg.library.assembly import snapshot_graph_names

    store = EmbeddedStore.open(settings.store_dir)
    chosen = {r: max(ns) for r, ns in third.info["versions"].items()} | {"synthetic-00001": 1}
    view = store.snapshot(snapshot_graph_names(store.graph_names(), chosen), {"synthetic-00001": 1})
    index = version_index(store, "synthetic-00001", 1)
    assert index is not None
    from_shards, from_sparql = Knowledge(view, index), Knowledge(view)
    assert _as_data(from_shards) == _as_data(from_sparql)
    assert any("/claim/synthetic-00001/c3" in iri for iri in from_shards.claims)
    assert index["references"] == read_model(view).references
    # The app's views take that path, references first included (a reference list can be the
    # first thing asked of a view), and show the older version's titles.
    import threading

    from web.store_access import StoreHolder

    holder = StoreHolder(settings, store, threading.Lock())
    served = holder.version(store, "synthetic-00001", 1)
    assert served is not None
    model = read_model(served)
    assert model.precomputed is not None
    references = model.references
    assert references == index["references"]
    assert references is model.precomputed["references"]  # not read again through SPARQL
    assert not any("Revised: " in text for text in references.values())
    assert any("Revised: " in text for text in read_model(store).references.values())


def test_a_build_in_another_bibliography_encoding_reads_every_review_again(
    tmp_path: Path,
) -> None:
    from bench.library import add_review

    root = tmp_path / "lib"
    write_library(root, reviews=2, seed=7)
    settings = Settings(root, root / "reviews", root / "store")
    build_project(settings, PublishOptions(bib_encoding="cp1252"))
    add_review(root, seed=7)
    # The unchanged reviews were read as cp1252; read as UTF-8 now, they may differ.
    _, second = build_project(settings, PublishOptions())
    assert second.info["build_kind"] == "full"
    assert second.info["bib_encoding"] is None
    add_review(root, seed=7)
    _, third = build_project(settings, PublishOptions())
    assert third.info["build_kind"] == "incremental"
