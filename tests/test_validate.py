"""SHACL: our data conforms, odd years are warnings, broken data is a violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ingest.pipeline import ReviewInputs, ingest_reviews
from kg.build.dataset import build_dataset, new_dataset
from kg.cli import main
from kg.rdf.concepts import Vocabulary
from kg.rdf.namespaces import BIBO, EVKG
from kg.rdf.validate import ShapesError, load_shapes, validate_dataset
from tests.conftest import DATA, copy_project


def test_the_project_graph_conforms_without_findings(
    project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary
) -> None:
    report = validate_dataset(build_dataset(project_reviews, vocabulary))
    assert report.conforms
    assert report.results == ()


def test_missing_or_odd_years_are_shacl_warnings_not_violations(tmp_path: Path) -> None:
    project = copy_project(tmp_path, DATA / "bad" / "06-years.bib")
    report = validate_dataset(build_dataset(ingest_reviews(project / "reviews", project).reviews))
    assert report.conforms
    assert report.violations == ()
    undated = {r.focus.rsplit("/", 1)[-1].split("-")[0] for r in report.warnings}
    assert undated == {"nodate", "press", "some", "weird"}
    assert all(r.path == str(DCTERMS.issued) for r in report.warnings)


def test_a_broken_source_is_a_violation() -> None:
    dataset = new_dataset()
    graph = dataset.graph(URIRef("https://w3id.org/evkg/graph/t/bibliography"))
    source = URIRef("https://w3id.org/evkg/source/broken")
    graph.add((source, RDF.type, EVKG.Source))
    graph.add((source, EVKG.entryType, Literal("misc")))
    graph.add((source, BIBO.uri, Literal("javascript:alert(1)", datatype=XSD.anyURI)))
    report = validate_dataset(dataset)
    assert not report.conforms
    paths = {r.path for r in report.violations}
    assert paths == {str(EVKG.bibKey), str(BIBO.uri)}


def test_missing_or_empty_shapes_fail_hard(tmp_path: Path) -> None:
    with pytest.raises(ShapesError, match="cannot read"):
        load_shapes(tmp_path / "nope.ttl")
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing\n", "utf-8")
    with pytest.raises(ShapesError, match="empty"):
        load_shapes(empty)


def test_validate_command_exit_codes(
    built_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("EVKG_STORE_DIR", str(built_store))
    assert main(["validate"]) == 0
    assert "0 violation(s), 0 warning(s)" in capsys.readouterr().out
    assert main(["validate", "--shapes", str(tmp_path / "missing.ttl")]) == 3
