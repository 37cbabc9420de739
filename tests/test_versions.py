"""Versions: each ingest is kept in its own graphs, linked to the last, and stays readable."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, PROV, XSD

from ingest.diff import diff_versions, read_version
from kg.cli import main
from kg.config import Settings
from kg.errors import ProblemsFound
from kg.library.assembly import PublishOptions, archive_of
from kg.library.full import build_project
from kg.rdf import ids
from kg.rdf.convert import union_graph
from kg.rdf.namespaces import EVKG
from kg.store.embedded import EmbeddedStore, current_build
from tests.tiny_project import MANIFEST, REVIEW, V1, V2, make_tiny_project
from web import create_app

TRUE = Literal(True)


@pytest.fixture()
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The tiny review built once from v1's files, then again after they became v2's."""
    monkeypatch.setenv("EVKG_EDITOR", "tester")
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    for path in V2.iterdir():
        shutil.copy(path, settings.root / "inputs" / path.name)
    build_project(settings, PublishOptions())
    return settings


@pytest.fixture()
def client(two_versions: Settings) -> FlaskClient:
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(two_versions.store_dir)})
    return app.test_client()


def test_an_unchanged_rebuild_makes_no_new_version(tmp_path: Path) -> None:
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    build_project(settings, PublishOptions())
    assert [r.id for r in archive_of(settings).versions(REVIEW)] == ["v1"]


def test_each_version_records_who_when_what_and_the_one_it_revises(
    two_versions: Settings,
) -> None:
    dataset = EmbeddedStore.open(two_versions.store_dir).to_dataset()
    v1, v2 = ids.version_iri(REVIEW, 1), ids.version_iri(REVIEW, 2)
    assert (v2, PROV.wasRevisionOf, v1) in dataset.graph(ids.graph_iri(REVIEW, "versions"))
    union = union_graph(dataset)
    assert (v1, PROV.wasRevisionOf, None) not in union
    assert (ids.review_iri(REVIEW), EVKG.currentVersion, v2) in union
    editor = union.value(v2, PROV.wasAttributedTo)
    assert union.value(editor, FOAF.nick) == Literal("tester")
    when = union.value(v2, PROV.generatedAtTime)
    assert isinstance(when, Literal) and when.datatype == XSD.dateTime
    # Every input is named with the checksum of the bytes the version was built from.
    recorded = {
        str(union.value(entity, URIRef("http://purl.org/dc/terms/title"))): str(
            union.value(entity, EVKG.sha256)
        )
        for entity in union.objects(v2, PROV.wasDerivedFrom)
    }
    assert recorded == {
        "references.bib": hashlib.sha256((V2 / "references.bib").read_bytes()).hexdigest(),
        "review.md": hashlib.sha256((V2 / "review.md").read_bytes()).hexdigest(),
        "review.claims.yaml": hashlib.sha256((V2 / "review.claims.yaml").read_bytes()).hexdigest(),
        # The review's own details are kept with each version, as they were then.
        "manifest.toml": hashlib.sha256(MANIFEST.encode()).hexdigest(),
    }
    for number in (1, 2):
        graph = ids.graph_iri(REVIEW, "claims", number)
        assert (None, EVKG.claimId, None) in EmbeddedStore.open(
            two_versions.store_dir
        ).to_dataset().graph(graph)
        assert (graph, EVKG.inVersion, ids.version_iri(REVIEW, number)) in union


def test_answers_show_the_current_version_and_any_older_one_on_request(
    client: FlaskClient,
) -> None:
    now = client.get("/ask", query_string={"q": "what supports hope"}).get_data(as_text=True)
    assert "Fox" in now and "Baker" not in now and "earlier version" not in now
    then = client.get(
        "/ask", query_string={"q": "what supports hope", "version": f"{REVIEW}/v1"}
    ).get_data(as_text=True)
    assert "Baker" in then and "Fox" not in then
    assert "earlier version" in then
    # Links from an older version's page stay in that version.
    assert f'href="/concept/mechanism/hope?version={REVIEW}/v1"' in then
    assert f"/ask/claims.csv?q=what+supports+hope&amp;version={REVIEW}/v1" in then
    assert client.get("/", query_string={"version": f"{REVIEW}/v9"}).status_code == 404
    assert client.get("/", query_string={"version": "v1; DROP"}).status_code == 404


def test_earlier_versions_stay_queryable_through_sparql(client: FlaskClient) -> None:
    def keys(query: str) -> set[str]:
        reply = client.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return {b["key"]["value"] for b in reply.get_json()["results"]["bindings"]}

    prefix = "PREFIX evkg: <https://w3id.org/evkg/vocab#>\n"
    current = keys(prefix + "SELECT ?key WHERE { ?s evkg:bibKey ?key }")
    older = keys(
        prefix + "SELECT ?key WHERE { GRAPH <https://w3id.org/evkg/graph/tiny-review/v1/"
        "bibliography> { ?s evkg:bibKey ?key } }"
    )
    assert "dean2019" in older and "fox2021" not in older
    assert "fox2021" in current and "dean2019" not in current


def test_the_versions_page_and_the_diff_page(client: FlaskClient) -> None:
    page = client.get("/versions").get_data(as_text=True)
    assert "v2 (current)" in page and "tester" in page
    assert f"/diff?old={REVIEW}/v1&amp;new={REVIEW}/v2" in page
    listed = client.get("/versions", query_string={"format": "json"}).get_json()[REVIEW]
    assert [v["id"] for v in listed] == [f"{REVIEW}/v2", f"{REVIEW}/v1"]
    assert listed[0]["revision_of"] == f"{REVIEW}/v1"
    diff = client.get(
        "/diff", query_string={"old": f"{REVIEW}/v1", "new": f"{REVIEW}/v2", "format": "json"}
    ).get_json()
    assert diff == diff_versions(read_version(V1), read_version(V2))
    html = client.get("/diff", query_string={"old": f"{REVIEW}/v1", "new": f"{REVIEW}/v2"})
    text = html.get_data(as_text=True)
    assert "Trusting relationships help people find somewhere to live." in text
    # Concepts by their names, not their ids.
    assert "Empathy and care <small>(mechanisms/empathy-and-care)</small>" in text
    assert "<strong>Hope \u00d7 Desistance</strong>" in text
    missing = client.get("/diff", query_string={"old": f"{REVIEW}/v1", "new": f"{REVIEW}/v5"})
    assert missing.status_code == 404


def test_diff_takes_published_version_ids(
    two_versions: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(two_versions.store_dir)]
    assert main(["diff", "v1", f"{REVIEW}/v2", "--json", *store]) == 1
    by_id = json.loads(capsys.readouterr().out)
    assert by_id == diff_versions(read_version(V1), read_version(V2))
    assert main(["diff", "v2", "v2", *store]) == 0
    capsys.readouterr()
    assert main(["diff", "v1", "v8", *store]) == 2
    assert "no version v8" in capsys.readouterr().err


def test_versions_command_lists_states(
    two_versions: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["versions", "--json", "--store", str(two_versions.store_dir)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["state"], r["created_by"]) for r in rows] == [
        (f"{REVIEW}/v1", "published", "tester"),
        (f"{REVIEW}/v2", "current", "tester"),
    ]


def test_the_library_rebuilds_from_the_archive_alone(two_versions: Settings) -> None:
    before = EmbeddedStore.open(two_versions.store_dir).to_dataset()
    shutil.rmtree(two_versions.store_dir / "builds")
    (two_versions.store_dir / "current").unlink()
    # v1's files are no longer in the project (it holds v2's): they come from the archive,
    # and the archive's notes say which versions were published.
    build_project(two_versions, PublishOptions())
    after = EmbeddedStore.open(two_versions.store_dir).to_dataset()
    graphs = {str(g.identifier) for g in before.graphs() if len(g)}
    assert graphs == {str(g.identifier) for g in after.graphs() if len(g)}
    for name in graphs:
        assert isomorphic(before.graph(URIRef(name)), after.graph(URIRef(name))), name


def test_a_damaged_archive_file_blocks_the_build(two_versions: Settings) -> None:
    serving = current_build(two_versions.store_dir)
    archived = archive_of(two_versions).get(REVIEW, 1).bibliography
    archived.write_text(archived.read_text("utf-8") + "\n% edited by hand\n", "utf-8")
    with pytest.raises(ProblemsFound, match="no longer match their recorded checksums"):
        build_project(two_versions, PublishOptions())
    assert current_build(two_versions.store_dir) == serving


def test_files_put_back_as_they_were_make_a_new_current_version(two_versions: Settings) -> None:
    for path in V1.iterdir():
        shutil.copy(path, two_versions.root / "inputs" / path.name)
    build_project(two_versions, PublishOptions())
    records = archive_of(two_versions).versions(REVIEW)
    assert [r.number for r in records] == [1, 2, 3]
    assert records[2].files == records[0].files  # the same files as v1, as a newer version
    assert "dean2019" in {
        row["key"] for row in EmbeddedStore.open(two_versions.store_dir).select("list_sources")
    }


def test_an_older_version_keeps_the_review_details_it_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVKG_EDITOR", "tester")
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    manifest = settings.reviews_dir / "tiny.toml"
    # The review's author turns out to be Abbott: only the new version may say so.
    manifest.write_text(MANIFEST.replace('["Writer, Wendy"]', '["Abbott, A."]'), "utf-8")
    build_project(settings, PublishOptions())
    dataset = EmbeddedStore.open(settings.store_dir).to_dataset()

    def by_author(number: int) -> set[str]:
        graph = dataset.graph(ids.graph_iri(REVIEW, "profiles", number))
        return {str(s) for s, o in graph.subject_objects(EVKG.byReviewAuthor) if o == TRUE}

    assert by_author(1) == set()
    assert len(by_author(2)) == 1


def test_editors_with_similar_names_are_different_people() -> None:
    names = ["alice.smith", "alice_smith", "alice-smith"]
    assert len({ids.editor_iri(name) for name in names}) == 3


def test_whole_dataset_dumps_ignore_a_version_view(client: FlaskClient) -> None:
    for fmt in ("trig", "nq", "ttl"):
        plain = client.get(f"/data/{fmt}").get_data()
        viewed = client.get(f"/data/{fmt}", query_string={"version": f"{REVIEW}/v1"}).get_data()
        assert plain and viewed == plain


def test_diff_refuses_an_id_that_is_also_a_folder_here(
    two_versions: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "here" / "v1").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "here")
    assert main(["diff", "v1", "v2", "--store", str(two_versions.store_dir)]) == 2
    assert "write ./v1 for the folder" in capsys.readouterr().err
