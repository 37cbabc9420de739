"""`evkg check` on the real review (read from ../shared, never copied): the exact audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from ingest.pipeline import ReviewInputs
from kg.build.dataset import build_dataset, canonical_source_iris
from kg.cli import main
from kg.rdf import ids
from kg.rdf.namespaces import EVKG
from kg.store.protocol import GraphStore
from tests.conftest import ROOT, needs_seed, seed_path

pytestmark = needs_seed

# Every in-text citation of the review, in reading order, with the reference it names.
# These are citations (names and years), not the review's prose.
EXPECTED = [
    ("Willoughby et al., 2013: 7", "willoughby2013mentoring"),
    ("Albertson & Fox, 2018", "albertson2018payment"),
    ("Sells et al., 2020", "sells2020peer"),
    ("The Social Innovation Partnership, 2012", "tsip2012wire"),
    ("Frontier Economics, 2009", "frontiereconomics2009st"),
    ("Buck, 2017", "buck2017wanted"),
    ("Kidd, 2011", "kidd2011first"),
    ("Nixon, 2020", "nixon2020giving"),
    ("Buck, 2017", "buck2017wanted"),
    ("Portillo, Goldberg & Taxman, 2017", "portillo2017mental"),
    ("Creaney, 2020", "creaney2020children"),
    ("Lopez-Humphreys & Teater, 2020", "lopezhumphreys2020inside"),
    ("Barrenger et al., 2019", "barrenger2019enacting"),
    ("Buck, 2019", "buck2019tug"),
    ("Lenkens et al., 2019", "lenkens2019experiential"),
    ("Pollack, 2004", None),
    ("Zdun, 2011", "zdun2011immigration"),
    ("Maruna, 2001", "maruna2001making"),
    ("Lopez-Humphreys & Teater, 2020", "lopezhumphreys2020inside"),
    ("Rumgay, 2004", "rumgay2004scripts"),
    ("Buck, 2020", "buck2020peer"),
    ("Buck, 2018", "buck2018core"),
    ("Farrall, 2013", None),
    ("Buck, 2019", "buck2019tug"),
    ("Buck, 2018", "buck2018core"),
    ("Worrall and Gelsthorpe, 2009", "worrall2009works"),
    ("Buck, 2017", "buck2017wanted"),
    ("Duvnjak and collagues (2021)", "duvnjak2021lived"),
    ("Reingle Gonzalez et al. (2019)", "reinglegonzalez2019value"),
    ("McLeod et al., 2020", "mcleod2020supporting"),
    ("Finnegan et al., 2010: 10", "finnegan2010models"),
    ("HMIP, 2016: 45", "hmip2016inspection"),
    ("Jalain & Grossi, 2020", "jalain2020take"),
    ("Buck, 2020", "buck2020peer"),
    ("Duvnjak et al., 2021", "duvnjak2021lived"),
    ("Buck, 2020", "buck2020peer"),
    ("Buck, 2019", "buck2019tug"),
    ("Buck et al., 2020: 287", "buck2020all"),
    ("Maruna, 2017", "maruna2017desistance"),
    ("Buck et al., 2020", "buck2020all"),
    ("Buck et al., 2020", "buck2020all"),
    ("Maruna, 2017", "maruna2017desistance"),
    ("Tomczak & Buck, 2019", "tomczak2019penal"),
    ("Hucklesby & Wincup (2014)", "hucklesby2014assistance"),
    ("Buck, 2020: 178", "buck2020peer"),
    ("Buck, 2014", "buck2014civic"),
    ("Buck, 2020: 111", "buck2020peer"),
    ("Buck & Jaffe, 2011", "buck2011volunteering"),
    ("Clinks and MBF, 2012", "clinks2012supporting"),
    ("HM Chief Inspector of Prisons (2019: 7)", "hmcip2019majesty"),
    ("Perrin et al, 2018", "perrin2018utility"),
    ("Corcoran, 2012", "corcoran2012careful"),
    ("Buck et al., 2020", "buck2020all"),
    ("Boyce et al., 2009", "boyce2009st"),
    ("Buck et al., 2015", None),
    ("Grossman and Rhodes (2002)", "grossman2002test"),
]


@pytest.fixture(scope="module")
def report(review_text: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    capture = tmp_path_factory.mktemp("check") / "out.json"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["check", str(seed_path()), "--bib", str(ROOT / "references.bib"), "--json"])
    capture.write_text(buffer.getvalue(), "utf-8")
    assert code == 1  # the review has citations without references: problems found
    data: dict[str, object] = json.loads(buffer.getvalue())
    return data


def test_every_citation_resolves_to_the_right_reference(report: dict[str, object]) -> None:
    mentions = report["mentions"]
    assert isinstance(mentions, list)
    assert [(m["cited_as"], m["key"]) for m in mentions] == EXPECTED
    for m in mentions:
        assert m["status"] == ("resolved" if m["key"] else "unresolved")
        assert set(m) >= {
            "cited_as",
            "key",
            "status",
            "candidates",
            "page",
            "section",
            "sentence",
            "start",
            "end",
            "rule",
        }


def test_the_exact_lists_of_problems(report: dict[str, object]) -> None:
    unresolved = report["unresolved"]
    assert isinstance(unresolved, list)
    assert [(w["cited_as"], w["family"], w["year"], w["sections"]) for w in unresolved] == [
        (["Pollack, 2004"], "Pollack", "2004", ["Moving away from crime"]),
        (["Farrall, 2013"], "Farrall", "2013", ["Moving away from crime"]),
        (["Buck et al., 2015"], "Buck", "2015", ["Overcoming problems"]),
    ]
    assert report["uncited"] == ["buck2017exploring"]
    assert report["ambiguous"] == []
    assert report["summary"] == {
        "mentions": 56,
        "resolved": 53,
        "unresolved": 3,
        "ambiguous": 0,
        "unresolved_works": 3,
        "references": 39,
        "cited_references": 38,
        "uncited_references": 1,
        "sentences": 88,
        "unreadable": 0,
    }


def test_spot_checks_with_pages_and_sections(report: dict[str, object]) -> None:
    mentions = report["mentions"]
    assert isinstance(mentions, list)
    by_text = {m["cited_as"]: m for m in mentions}
    hmip = by_text["HMIP, 2016: 45"]
    assert (hmip["page"], hmip["section"]) == ("45", "A bridge to engagement and employment")
    assert "abbreviation HMIP defined in the reference list" in hmip["rule"]
    harriott = by_text["Buck et al., 2020: 287"]
    assert (harriott["page"], harriott["quoted_person"], harriott["section"]) == (
        "287",
        "Harriott",
        "Working toward reform",
    )
    assert by_text["Buck, 2020: 178"]["page"] == "178"
    assert by_text["Buck, 2020: 111"]["section"] == "Overcoming problems"
    inspector = by_text["HM Chief Inspector of Prisons (2019: 7)"]
    assert inspector["page"] == "7" and "HM read as Her Majesty's" in inspector["rule"]
    assert "misspelt" in by_text["Duvnjak and collagues (2021)"]["rule"]
    text = seed_path().read_text("utf-8")
    assert "Willoughby et al., 2013: 7" in text


def test_the_readable_report_names_locations(
    review_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(seed_path()), "--bib", str(ROOT / "references.bib")]) == 1
    out = capsys.readouterr().out
    assert "Pollack, 2004  in Moving away from crime" in out
    assert "buck2017exploring" in out


def test_the_graph_has_one_mention_node_per_citation(
    review_text: str, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    [review] = project_reviews
    assert review.audit is not None
    dataset = build_dataset(project_reviews)
    graph = dataset.graph(ids.graph_iri(review.manifest.review_id, "text"))
    nodes = list(graph.subjects(RDF.type, EVKG.Mention))
    assert len(nodes) == len(EXPECTED) == 56
    iris = canonical_source_iris(review.bibliography)
    cited = {}
    for node in nodes:
        sentence = graph.value(node, EVKG.inSentence)
        assert (sentence, RDF.type, EVKG.Sentence) in graph
        # The words, from the reader's copy, sit apart in the private "sentences" graph.
        private = dataset.graph(ids.graph_iri(review.manifest.review_id, "sentences"))
        assert private.value(sentence, RDF.value) is not None
        source = graph.value(node, EVKG.cites)
        status = graph.value(node, EVKG.resolution)
        if source is None:
            assert status == Literal("unresolved")
        else:
            assert status == Literal("resolved")
            cited[str(graph.value(node, EVKG.citedAs))] = source
    assert cited["HMIP, 2016: 45"] == iris["hmip2016inspection"]
    assert cited["Grossman and Rhodes (2002)"] == iris["grossman2002test"]


def test_review_text_is_never_in_the_repository(review_text: str) -> None:
    sentences = [s.strip() for s in review_text.split(".") if len(s.strip()) > 90][:40]
    tracked = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and ".venv" not in p.parts
        and "var" not in p.parts
        and ".git" not in p.parts
        and p.suffix
        in {".py", ".md", ".toml", ".bib", ".ttl", ".trig", ".rq", ".txt", ".html", ".css", ".json"}
    ]
    for path in tracked:
        content = path.read_text("utf-8", errors="replace")
        assert not any(s in content for s in sentences), path


def test_the_reviews_words_never_leave_the_store(
    review_text: str, library_store: GraphStore, tmp_path: Path
) -> None:
    from kg.export import export

    store = library_store
    sentence = "Peer mentors can encourage self-confidence and hope for the future"
    assert sentence in review_text
    for fmt in ("ttl", "nq", "trig", "jsonld", "nt"):
        assert sentence not in export(store, fmt).decode("utf-8"), fmt
    query = (
        "SELECT ?v WHERE { { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v } "
        "UNION { GRAPH ?g { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v } } "
        'FILTER(CONTAINS(STR(?v), "hope for the future")) }'
    )
    answer = store.run_public_query(query, "select", seconds=20, row_cap=10)
    kind, payload = answer.kind, answer.payload
    assert kind == "select" and payload["rows"] == []
    # ...while the explorer on the reader's own machine still shows them.
    from kg.answers.review_view import review_sections

    text = " ".join(
        s.text for sec in review_sections(store) for p in sec.paragraphs for s in p.segments
    )
    assert sentence in text
