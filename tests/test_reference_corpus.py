"""Real-world reference lists that others wrote: biblatex's and JabRef's own test files.

Each file of ``../shared/corpora/bibtex/`` (read in place) is read as an editor's upload would
be, and must give the counts below: entries, entries with a year, with authors, in a
container (a journal or a book), works found twice, and pairs of versions.  The counts were
checked against the files by hand (see ``docs/references.md``): a change in any of them is a
change in what editors see.  Each file must also build into a graph that meets every SHACL
shape, as a publish requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ingest.bibrecords import Bibliography
from ingest.bibtex import parse_bibtex
from ingest.problems import Severity
from kg.build.dataset import build_bibliography, canonical_source_iris, new_dataset
from kg.rdf import ids
from kg.rdf.validate import load_shapes, validate_dataset
from tests.conftest import corpus_file


@dataclass(frozen=True)
class Expected:
    entries: int
    dated: int
    with_authors: int
    in_container: int
    same_work: int
    versions: int


EXPECTED = {
    "biblatex-apa-test-references.bib": Expected(283, 224, 238, 57, 2, 1),
    "biblatex-examples.bib": Expected(92, 90, 81, 31, 3, 1),
    "bibtexparser-gbk_test.bib": Expected(1, 1, 1, 1, 0, 0),
    "jabref-authors.bib": Expected(212, 212, 209, 200, 0, 0),
    "jabref-complex.bib": Expected(20, 20, 20, 17, 0, 1),
    "jabref-crossref.bib": Expected(4, 4, 3, 3, 0, 0),
    "jabref-testjabref.bib": Expected(156, 156, 156, 48, 0, 0),
}
# The one file that is not UTF-8, and the encoding that reads it.
ENCODINGS = {"bibtexparser-gbk_test.bib": "gb18030"}


def read(name: str) -> Bibliography:
    return parse_bibtex(corpus_file("bibtex", name), encoding=ENCODINGS.get(name))


def counts(bib: Bibliography) -> Expected:
    return Expected(
        entries=len(bib.entries),
        dated=sum(1 for e in bib.entries if e.year is not None and e.year.value is not None),
        with_authors=sum(1 for e in bib.entries if e.authors),
        in_container=sum(1 for e in bib.entries if e.get("journal") or e.get("booktitle")),
        same_work=len(bib.duplicate_works),
        versions=len(bib.versions),
    )


def test_the_table_names_every_file_of_the_corpus() -> None:
    folder = corpus_file("bibtex", "README.md").parent
    assert sorted(p.name for p in folder.glob("*.bib")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_reads_as_counted(name: str) -> None:
    bib = read(name)
    assert counts(bib) == EXPECTED[name]
    assert not [p for p in bib.problems if p.severity is Severity.ERROR]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_builds_a_graph_that_meets_every_shape(name: str) -> None:
    bib = read(name)
    dataset = new_dataset()
    graph = dataset.graph(ids.graph_iri("corpus", "bibliography", 1))
    build_bibliography(graph, ids.review_iri("corpus"), bib)
    report = validate_dataset(dataset, load_shapes(None))
    assert not report.violations, report.violations[:3]
    # One source per work: keys of one work share it, versions and look-alikes do not.
    iris = canonical_source_iris(bib)
    assert len(set(iris.values())) == len(bib.entries) - sum(
        len(g) - 1 for g in bib.duplicate_works
    )


def test_biblatex_dates_journaltitle_and_location_are_read() -> None:
    entries = read("biblatex-examples.bib").by_key()
    article = entries["sigfridsson"]
    assert article.year is not None and article.year.value == 1998
    assert article.get("journal") == "Journal of Computational Chemistry"
    assert entries["gonzalez"].get("address") == "Tucson"
    # \hyphen is a hyphen, not nothing.
    assert entries["kastenholz"].title is not None
    assert "methodology-independent" in entries["kastenholz"].title


def test_upper_case_field_names_keep_their_authors() -> None:
    entries = read("biblatex-apa-test-references.bib").by_key()
    # AUTHOR = {...}, TITLE = {...}, DATE = {...}: every field is read.
    [author] = entries["10.3:46"].authors
    assert author.family == "Lewin"
    assert entries["10.3:46"].get("booktitle") == "The Complete Social Scientist"
    # A "%" line is a comment: the entry put aside there does not clash with the real one.
    assert "10.1:18" in entries


def test_crossref_fills_in_what_the_child_leaves_out() -> None:
    entries = read("jabref-crossref.bib").by_key()
    child = entries["DBLP:conf/wicsa/ZimmermannWKG15"]
    assert child.year is not None and child.year.value == 2015
    assert "WICSA 2015" in str(child.get("booktitle"))
    assert [e.family for e in child.editors][:2] == ["Bass", "Lago"]
    # The chapter keeps its own authors and title.
    assert child.title is not None and not child.title.startswith("12th Working")
    assert child.authors and child.authors[0].family != "Bass"
    incollection = read("biblatex-examples.bib").by_key()["westfahl:space"]
    assert incollection.get("booktitle") == "Space and Beyond"
    assert incollection.get("publisher") == "Greenwood"


def test_two_entries_sharing_a_doi_stay_two_sources_linked_as_versions() -> None:
    bib = read("jabref-complex.bib")
    [(one, other)] = bib.versions
    iris = canonical_source_iris(bib)
    assert iris[one] != iris[other]
    warning = next(p for p in bib.problems if p.code == "bib.shared-doi")
    assert one in warning.message and other in warning.message and "line" in warning.message
    by_key = bib.by_key()
    # Nothing of one is written on the other: titles and authors are their own.
    assert by_key[one].title != by_key[other].title
    dataset = new_dataset()
    graph = dataset.graph(ids.graph_iri("corpus", "bibliography", 1))
    build_bibliography(graph, ids.review_iri("corpus"), bib)
    from rdflib.namespace import DCTERMS

    assert (iris[one], DCTERMS.hasVersion, iris[other]) in graph
    assert len(set(graph.objects(iris[one], DCTERMS.title))) == 1


def test_latex_keeps_its_text() -> None:
    from ingest.bibtex import parse_bibtex_string

    title = (
        r"The \texttt{code} of \mbox{Foo} \& Bar & Baz $x^2$ "
        r"{\noopsort{a}}Zed \enquote{quoted} \citeauthor{kept}"
    )
    [entry] = parse_bibtex_string(f"@misc{{k, title = {{{title}}}, year = 2020}}").entries
    assert entry.title == "The code of Foo & Bar & Baz $x^2$ Zed “quoted” kept"
