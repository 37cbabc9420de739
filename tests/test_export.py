"""kg.export: every format parses, independent parsers agree, and nothing is lost."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pybtex.database import parse_string as pybtex_parse_string
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF

from ingest.bibrecords import BibEntry
from ingest.bibtex import parse_bibtex, parse_bibtex_string
from kg.export import export
from kg.rdf.namespaces import BIBO, EVKG
from kg.store.embedded import EmbeddedStore
from kg.store.protocol import GraphStore
from tests.conftest import IN_CI, ROOT


@pytest.fixture(scope="module")
def store(library_store: GraphStore) -> GraphStore:
    return library_store


@pytest.fixture(scope="module")
def references() -> tuple[BibEntry, ...]:
    return parse_bibtex(ROOT / "references.bib").entries


def rapper() -> str:
    found = shutil.which("rapper")
    if found is None:
        # `make test` installs raptor2-utils; a missing checker must fail, never pass quietly.
        pytest.fail(
            "rapper (Debian raptor2-utils) is not installed: run `make system-deps`"
            + (" (CI=true)" if IN_CI else "")
        )
    return found


@pytest.mark.parametrize(
    ("fmt", "syntax"), [("ttl", "turtle"), ("nt", "ntriples"), ("trig", "trig"), ("nq", "nquads")]
)
def test_raptor_accepts_each_export_with_every_triple(
    store: GraphStore, tmp_path: Path, fmt: str, syntax: str
) -> None:
    path = tmp_path / f"graph.{fmt}"
    path.write_bytes(export(store, fmt))
    result = subprocess.run(
        [rapper(), "-i", syntax, "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    [count] = re.findall(r"returned (\d+) triples", result.stderr)
    quads = list(store.quads())
    expected = len({q.triple for q in quads}) if fmt in ("ttl", "nt") else len(quads)
    assert int(count) == expected


def test_turtle_holds_every_source_with_title_year_and_authors_in_order(
    store: GraphStore, references: tuple[BibEntry, ...]
) -> None:
    graph = Graph()
    graph.parse(data=export(store, "ttl").decode("utf-8"), format="turtle")
    by_key = {str(k): s for s, k in graph.subject_objects(EVKG.bibKey)}
    assert set(by_key) == {e.key for e in references}
    for entry in references:
        source = by_key[entry.key]
        assert str(graph.value(source, DCTERMS.title)) == entry.title
        assert entry.year is not None
        assert str(graph.value(source, DCTERMS.issued)) == str(entry.year.value)
        seq = graph.value(source, BIBO.authorList)
        names = []
        for position in range(1, len(entry.authors) + 1):
            member = graph.value(seq, URIRef(f"{RDF}_{position}"))
            names.append(
                "et al." if member == EVKG.OmittedAuthors else str(graph.value(member, FOAF.name))
            )
        assert names == [a.display for a in entry.authors], entry.key
        assert graph.value(seq, URIRef(f"{RDF}_{len(entry.authors) + 1}")) is None


def test_jsonld_and_trig_round_trip_to_the_same_dataset(store: GraphStore) -> None:
    original = store.to_dataset()
    for fmt, syntax in (("jsonld", "json-ld"), ("trig", "trig")):
        data = export(store, fmt).decode("utf-8")
        if fmt == "jsonld":
            assert isinstance(json.loads(data), list)
        parsed = Dataset()
        parsed.parse(data=data, format=syntax)
        names = {g.identifier for g in original.graphs() if len(g)}
        assert names == {g.identifier for g in parsed.graphs() if len(g)}
        for name in names:
            assert isomorphic(original.graph(name), parsed.graph(name)), (fmt, name)


def _comparable(entry: BibEntry) -> tuple[object, ...]:
    return (
        entry.key,
        entry.entry_type,
        entry.title,
        entry.year,
        [(a.kind, a.family, a.first, a.jr) for a in entry.authors],
        [(a.kind, a.family, a.first) for a in entry.editors],
        dict(entry.fields),
    )


def test_bibtex_export_rebuilt_from_the_graph_loses_nothing(
    store: GraphStore, references: tuple[BibEntry, ...]
) -> None:
    text = export(store, "bib").decode("utf-8")
    again = parse_bibtex_string(text, source="export.bib")
    assert [str(p) for p in again.problems] == []
    theirs = {e.key: _comparable(e) for e in again.entries}
    assert theirs == {e.key: _comparable(e) for e in references}
    # A second, independent parser reads the same keys from it.
    assert set(pybtex_parse_string(text, "bibtex").entries.keys()) == set(theirs)


@pytest.mark.embedded_only
def test_hostile_text_survives_export_as_text(tmp_path: Path) -> None:
    from ingest.pipeline import ingest_reviews
    from kg.build.dataset import build_dataset
    from kg.store.embedded import publish
    from tests.conftest import DATA, copy_project

    project = copy_project(tmp_path / "p", DATA / "bad" / "10-hostile.bib")
    result = ingest_reviews(project / "reviews", project)
    publish(build_dataset(result.reviews), tmp_path / "store", {})
    hostile_store = EmbeddedStore.open(tmp_path / "store")
    again = parse_bibtex_string(export(hostile_store, "bib").decode("utf-8"))
    titles = {e.key: e.title for e in again.entries}
    assert titles["hostile2020"] == (
        '<script>alert("t")</script> and "><svg onload=alert(2)> evil title'
    )
