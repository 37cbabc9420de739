"""kg.build.dataset: the model, checked by isomorphism against a hand-checked expectation."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF

from ingest.pipeline import ReviewInputs, ingest_reviews
from kg.build.dataset import build_dataset
from kg.rdf import ids
from kg.rdf.namespaces import BIBO, CITO, EVKG
from tests.conftest import DATA

MINI = DATA / "mini"


def mini_dataset() -> Dataset:
    result = ingest_reviews(MINI / "reviews", MINI)
    assert result.problems == ()
    return build_dataset(result.reviews)


def content_graphs(dataset: Dataset) -> dict[str, Graph]:
    return {
        str(g.identifier): g
        for g in dataset.graphs()
        if len(g) and g.identifier != ids.provenance_graph_iri()
    }


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        raise AssertionError(
            "graphs differ\n--- only built:\n"
            + only_actual.serialize(format="nt")
            + "\n--- only expected:\n"
            + only_expected.serialize(format="nt")
        )


def test_mini_review_builds_exactly_the_expected_graphs() -> None:
    expected = Dataset()
    expected.parse(data=(MINI / "expected.trig").read_text("utf-8"), format="trig")
    built = content_graphs(mini_dataset())
    wanted = content_graphs(expected)
    assert sorted(built) == sorted(wanted)
    for name, graph in built.items():
        assert_isomorphic(graph, wanted[name])


def test_building_twice_gives_isomorphic_datasets(
    project_reviews: tuple[ReviewInputs, ...],
) -> None:
    first, second = build_dataset(project_reviews), build_dataset(project_reviews)
    names = {str(g.identifier) for g in first.graphs() if len(g)}
    assert names == {str(g.identifier) for g in second.graphs() if len(g)}
    for name in names:
        assert_isomorphic(first.graph(URIRef(name)), second.graph(URIRef(name)))


def test_no_blank_nodes_anywhere(project_reviews: tuple[ReviewInputs, ...]) -> None:
    dataset = build_dataset(project_reviews)
    for s, _, o, _ in dataset.quads((None, None, None, None)):
        assert isinstance(s, URIRef)
        assert not isinstance(o, BNode)


def test_provenance_records_each_input_by_checksum() -> None:
    dataset = mini_dataset()
    prov = dataset.graph(ids.provenance_graph_iri())
    [build] = prov.subjects(RDF.type, EVKG.Build)
    used = set(prov.objects(build, PROV.used))
    for name in ("mini.bib", "reviews/mini.toml"):
        digest = hashlib.sha256((MINI / name).read_bytes()).hexdigest()
        entity = ids.input_iri(digest)
        assert entity in used
        assert prov.value(entity, EVKG.sha256) == Literal(digest)
        assert prov.value(entity, DCTERMS.title) == Literal(Path(name).name)
    for part in ("review", "bibliography"):
        graph = ids.graph_iri("mini-review", part)
        assert prov.value(graph, PROV.wasGeneratedBy) == build


def test_every_reference_becomes_a_cited_source_with_authors_in_order(
    project_reviews: tuple[ReviewInputs, ...],
) -> None:
    dataset = build_dataset(project_reviews)
    [review] = project_reviews
    graph = dataset.graph(ids.graph_iri(review.manifest.review_id, "bibliography"))
    review_node = ids.review_iri(review.manifest.review_id)
    cited = set(graph.objects(review_node, CITO.cites))
    assert len(cited) == len(review.bibliography.entries) == 39
    for entry in review.bibliography.entries:
        source = ids.source_iri(entry)
        assert source in cited
        assert graph.value(source, EVKG.bibKey) == Literal(entry.key)
        assert str(graph.value(source, DCTERMS.title)) == entry.title
        seq = graph.value(source, BIBO.authorList)
        members = [graph.value(seq, URIRef(f"{RDF}_{i}")) for i in range(1, len(entry.authors) + 1)]
        names = [
            "et al." if m == EVKG.OmittedAuthors else str(graph.value(m, FOAF.name))
            for m in members
        ]
        assert names == [a.display for a in entry.authors], entry.key


def test_the_worked_example_in_docs_model_is_what_the_builder_makes() -> None:
    doc = (DATA.parent.parent / "docs" / "model.md").read_text("utf-8")
    example = doc.split("```turtle\n", 1)[1].split("```", 1)[0]
    documented = Graph().parse(data=example, format="turtle")
    built = mini_dataset().graph(ids.graph_iri("mini-review", "bibliography"))
    missing = [t for t in documented if t not in built]
    assert missing == []
    assert len(documented) > 20
