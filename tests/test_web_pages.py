"""The explorer's pages through Flask's test client: every route, 404s, escaping, no CDN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ingest.pipeline import ingest_reviews
from kg.build.dataset import build_dataset
from kg.rdf.concepts import load_vocabulary
from kg.store.embedded import publish
from tests.conftest import DATA, copy_project, needs_seed
from tests.test_web import parse
from web.pages import FACET_NAMES


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ask?q=what+supports+hope",
        "/ask",
        "/concept/mechanism/hope",
        "/source/buck2018core",
        "/audit",
        "/gap-map",
    ],
)
def test_every_page_renders_self_contained(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    assert page.links and all(link.startswith(("/", "#")) for link in page.links)
    assert all(link.startswith("https://") for link in page.outside)
    assert "h1" in page.tags and "main" in page.tags


@pytest.mark.parametrize(
    "path",
    ["/source/nosuchkey", "/concept/mechanism/telepathy", "/concept/planet/hope", "/nowhere"],
)
def test_unknown_things_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@needs_seed
def test_the_answer_page_leads_with_the_plain_sentence_and_both_sides(
    client: FlaskClient, review_text: str
) -> None:
    html = client.get("/ask?q=does+peer+mentoring+reduce+reoffending%3F").get_data(as_text=True)
    text = " ".join(parse(html).text)
    assert "The review cites 3 sources for reduced reoffending" in text
    assert "Supporting claims (1)" in text and "Qualifying claims (1)" in text
    assert "Challenging claims (0)" in text  # an empty side is said, not hidden
    assert "Sells et al., 2020" in text
    assert "How we understood your question" in text


@needs_seed
def test_the_source_page_shows_reference_profile_and_citations(
    client: FlaskClient, review_text: str
) -> None:
    text = " ".join(parse(client.get("/source/hmip2016inspection").get_data(as_text=True)).text)
    assert (
        "Her Majesty's Inspectorate of Probation and Her Majesty's Inspectorate of Prisons"
        " (2016)" in text
    )
    assert "HMIP, 2016: 45" in text and "p. 45" in text
    assert "title says 'inspection'" in text


@needs_seed
def test_the_audit_page_lists_the_problems(client: FlaskClient, review_text: str) -> None:
    text = " ".join(parse(client.get("/audit").get_data(as_text=True)).text)
    for citation in ("Pollack, 2004", "Farrall, 2013", "Buck et al., 2015"):
        assert citation in text
    assert "Exploring peer mentoring" in text  # the one reference never cited


def test_the_gap_map_is_an_accessible_table(client: FlaskClient) -> None:
    html = client.get("/gap-map").get_data(as_text=True)
    page = parse(html)
    assert page.tags.count("caption") == 2
    text = " ".join(page.text)
    assert "Mechanisms against outcomes (distinct sources)" in text
    assert "Barriers against what they hinder (distinct sources)" in text
    # The barriers' table is filled, not a column of "no outcome named".
    assert "Mentors' safety and welfare" in text and "Prisoner transfers" in text
    assert 'class="gap"' in html and "gap</span>" in html


def test_case_16_a_hostile_question_is_shown_as_text(client: FlaskClient) -> None:
    html = client.get(
        "/ask?q=%22%29+%7D+UNION+%7B+%3Fs+%3Fp+%3Fo+%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    ).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.embedded_only
def test_case_10_hostile_titles_stay_inert_on_source_pages(tmp_path: Path) -> None:
    from web import create_app

    project = copy_project(tmp_path / "p", DATA / "bad" / "10-hostile.bib")
    vocabulary = load_vocabulary()
    result = ingest_reviews(project / "reviews", project, vocabulary=vocabulary.concept_ids())
    publish(build_dataset(result.reviews, vocabulary), tmp_path / "store", {})
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path / "store")})
    with app.test_client() as client:
        for path in ("/", "/source/hostile2020", "/audit", "/gap-map"):
            html = client.get(path).get_data(as_text=True)
            assert not {"script", "svg", "img"} & set(parse(html).tags), path


@needs_seed
def test_the_review_page_shows_its_structure_not_its_text(
    client: FlaskClient, review_text: str
) -> None:
    # The review is (c) Clinks, all rights reserved: its manifest allows quotations only.
    html = client.get("/review").get_data(as_text=True)
    assert html.count('class="cite"') == 53
    assert html.count('class="cite-unresolved"') == 3
    assert 'href="/source/hmip2016inspection">HMIP, 2016: 45</a>' in html
    assert "Evaluations give some indication that peer mentoring can lower reoffending." in html
    sentences = [s.strip() for s in review_text.split(".") if len(s.strip()) > 80]
    assert sentences and not [s for s in sentences if s in html]
    api = client.get("/api/review").get_json()
    assert api["display"] == "quotations"
    assert not [s for s in sentences if s in json.dumps(api)]


@needs_seed
def test_a_claim_page_quotes_its_one_sentence_with_its_source(
    client: FlaskClient, review_text: str
) -> None:
    html = client.get("/claim/clinks-2021-peer-mentoring/mentoring-reduces-reoffending").get_data(
        as_text=True
    )
    assert "<blockquote>" in html and html.count("<blockquote>") == 1
    caption = html.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]
    assert "Gillian Buck (2021) Peer mentoring in the criminal justice system. Clinks." in caption
    assert "Moving away from crime, paragraph 1, sentence 2" in caption


@pytest.mark.embedded_only
def test_a_review_whose_licence_allows_it_is_shown_in_full(tmp_path: Path) -> None:
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project
    from tests.tiny_project import make_tiny_project
    from web import create_app

    settings = make_tiny_project(tmp_path)
    manifest = next(settings.reviews_dir.glob("*.toml"))
    manifest.write_text(manifest.read_text("utf-8") + 'text_display = "full"\n', "utf-8")
    build_project(settings, PublishOptions())
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(settings.store_dir)})
    with app.test_client() as client:
        html = client.get("/review").get_data(as_text=True)
        assert "Trust helps people find housing" in html  # our own invented review's words
        assert isinstance(client.get("/api/review").get_json(), list)


@pytest.mark.embedded_only
def test_the_review_page_is_absent_without_the_text(tmp_path: Path) -> None:
    from web import create_app

    project = copy_project(tmp_path / "p", DATA / "bad" / "06-years.bib")
    manifest = next((project / "reviews").glob("*.toml"))
    manifest.write_text(
        "\n".join(
            line for line in manifest.read_text("utf-8").splitlines() if not line.startswith("text")
        ),
        "utf-8",
    )
    result = ingest_reviews(project / "reviews", project)
    publish(build_dataset(result.reviews), tmp_path / "store", {})
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path / "store")})
    with app.test_client() as client:
        reply = client.get("/review")
        assert reply.status_code == 404
        # The message as written, its first letter raised and one full stop: "8 MB" stays so.
        html = reply.get_data(as_text=True)
        assert "The review&#39;s text is not available on this server." in html
        assert "server.." not in html


def test_a_source_page_speaks_plainly_in_a_fixed_order_and_links_its_doi(
    client: FlaskClient,
) -> None:
    page = parse(client.get("/source/buck2018core").get_data(as_text=True))
    text = " ".join(page.text)
    rows = [t.strip() for t in page.text if t.strip() in FACET_NAMES.values()]
    assert rows == [n for n in FACET_NAMES.values() if n in rows]  # the fixed order
    assert rows[:3] == ["Type of work", "Peer reviewed", "Study design"]
    assert "not-stated" not in text and "true" not in page.text
    assert "https://chesterrep.openrepository.com/handle/10034/620483" in page.outside
    assert "In the same claims" in text and "In the same sentence of the review" in text
    other = parse(client.get("/source/sells2020peer").get_data(as_text=True))
    assert "/source/tsip2012wire" in other.links  # cited in one sentence with it


def test_the_audit_links_each_problem_to_its_place_in_the_review(client: FlaskClient) -> None:
    html = client.get("/audit").get_data(as_text=True)
    page = parse(html)
    places = [link for link in page.links if link.startswith("/review#sentence-")]
    assert len(places) >= 3  # Pollack, Farrall, Buck et al. 2015
    assert "paragraph" in " ".join(page.text)  # the locator, not a bare sentence number
    assert "1 reference is never cited." in " ".join(" ".join(page.text).split())
    # All rights reserved: the review's words are not shown in the audit.
    assert "<q>" not in html
    review = client.get("/review").get_data(as_text=True)
    for place in places:
        assert f'id="{place.split("#")[1]}"' in review
