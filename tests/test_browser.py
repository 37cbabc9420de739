"""The explorer in a real browser: Debian's Chromium driven by Playwright, against waitress.

Every page is checked with axe-core for serious or critical accessibility violations, and no
request may leave 127.0.0.1 (bad-input case 25: an air-gapped laptop).
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, Watched, browser
from tests.conftest import IN_CI, needs_seed, running_server

__all__ = ["browser"]  # a fixture, shared with the editor's browser test

pytestmark = [
    needs_seed,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not IN_CI,
        reason="Debian's chromium is not installed (make system-deps)",
    ),
]


@pytest.fixture(scope="module")
def server(built_store: Path, store_env: dict[str, str]) -> Iterator[str]:
    with running_server(built_store, store_env) as (base, _):
        yield base


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store built from the bibliography whose titles hold <script> and friends."""
    from ingest.pipeline import ingest_reviews
    from kg.build.dataset import build_dataset
    from kg.rdf.concepts import load_vocabulary
    from kg.store.embedded import publish
    from tests.conftest import DATA, copy_project

    root = tmp_path_factory.mktemp("hostile")
    project = copy_project(root / "p", DATA / "bad" / "10-hostile.bib")
    vocabulary = load_vocabulary()
    result = ingest_reviews(project / "reviews", project, vocabulary=vocabulary.concept_ids())
    publish(build_dataset(result.reviews, vocabulary), root / "store", {})
    yield from _serve(root / "store")


def _serve(built_store: Path) -> Iterator[str]:
    with running_server(built_store) as (base, _):
        yield base


def test_a_commissioner_asks_what_supports_hope(server: str, browser: object) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto(server + "/")
    page.get_by_label("Ask about the evidence").fill("what supports hope")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url("**/ask?q=what+supports+hope")
    summary = page.locator(".summary").inner_text()
    assert summary.startswith("The review cites 8 sources for hope")
    assert page.get_by_role("heading", name="Challenging claims (0)").is_visible()
    watched.shot("answer")
    assert watched.axe() == []
    assert watched.errors == [] and watched.foreign == []


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/source/buck2018core", "source"),
        ("/gap-map", "gap-map"),
        ("/concept/mechanism/hope", "concept"),
        ("/audit", "audit"),
        ("/about", "about"),
        ("/sparql", "sparql"),
    ],
)
def test_pages_are_accessible_and_local(server: str, browser: object, path: str, name: str) -> None:
    watched = Watched(browser)
    watched.page.goto(server + path)
    watched.shot(name)
    assert watched.axe() == []
    assert watched.errors == [] and watched.foreign == []


def test_the_network_draws_offline_with_no_errors(server: str, browser: object) -> None:
    watched = Watched(browser)
    page = watched.page
    # Case 25: every request that is not to this machine fails, as on an air-gapped laptop.
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(server) else route.abort(),
    )
    page.goto(server + "/network")
    page.wait_for_selector("#network[data-ready='true'] canvas", timeout=15000)
    # The legend names every kind, in words.
    legend = page.locator("#filters").inner_text()
    assert "Mechanism: how mentoring works" in legend and "Outcome: what it changes" in legend
    # The table twin: by name, with real links to each node's linked nodes.
    names = page.locator("table.network-table tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and len(names) > 60
    hope = page.locator("table.network-table tr[data-node$='/mechanism/hope']")
    assert hope.locator("td:nth-child(3) a[href^='/source/']").count() == 8  # its 8 sources
    # From the keyboard: focus the drawing, move to the first node by name, Enter for details.
    page.locator("#network").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    details = page.locator("#details")
    assert names[0] in details.inner_text()
    assert details.get_by_role("link", name="Open its page").count() == 1
    # A filter lays the rest out again: the concepts move into the sources' place.
    before = page.evaluate(
        "(() => { const n = document.getElementById('network').evkgNetwork; "
        "return n.getPositions(['https://w3id.org/evkg/concept/mechanism/hope']); })()"
    )
    page.uncheck("input[value='source']")
    page.wait_for_selector("#network[data-layouts='2']")
    after = page.evaluate(
        "(() => { const n = document.getElementById('network').evkgNetwork; "
        "return n.getPositions(['https://w3id.org/evkg/concept/mechanism/hope']); })()"
    )
    assert after != before
    watched.shot("network")
    # The other views draw too; the sources that carry the review are tabled.
    assert page.get_by_role("heading", name="Which sources carry the review").is_visible()
    for view in ("co-citation", "authors", "paths"):
        page.goto(server + f"/network?view={view}")
        page.wait_for_selector("#network[data-ready='true'] canvas", timeout=15000)
        assert page.locator("table.network-table tbody tr").count() > 5, view
    assert watched.errors == [] and watched.foreign == []
    assert watched.axe() == []


@pytest.mark.embedded_only
def test_case_10_script_titles_stay_inert_in_the_browser(
    hostile_server: str, browser: object
) -> None:
    watched = Watched(browser)
    page = watched.page
    dialogs: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    for path in ("/", "/source/hostile2020", "/network"):
        page.goto(hostile_server + path)
        if path == "/network":
            page.wait_for_selector("#network[data-ready='true'] canvas", timeout=15000)
    table = page.locator("table.network-table").inner_text()
    assert "<img src=x onerror=alert(1)>" in table  # a hostile author's name, shown as text
    page.goto(hostile_server + "/source/hostile2020")
    assert '<script>alert("t")</script>' in page.locator("main").inner_text()
    assert dialogs == []  # no alert() ever ran
    assert page.locator("script:not([src])").count() == 0
    assert watched.errors == [] and watched.foreign == []


def test_chromium_and_playwright_are_the_real_ones() -> None:
    assert shutil.which("chromium") == CHROMIUM


def test_a_real_sparql_client_queries_the_running_server(server: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(
        "PREFIX evkg: <https://w3id.org/evkg/vocab#> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a evkg:Claim }"
    )
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert result["results"]["bindings"][0]["n"]["value"] == "46"


def test_real_clients_get_the_dataset_they_name(server: str, built_store: Path) -> None:
    # Found by a protocol review: default-graph-uri and named-graph-uri were ignored, and
    # rdflib's SPARQLStore counted every triple of the library for one graph.
    import pyoxigraph as ox
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore.open(built_store)
    claims = next(g for g in store.graph_names() if g.endswith("/claims"))
    size = sum(
        1
        for q in store.quads()
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == claims
    )
    assert 0 < size < len(list(store.quads(current_only=True)))

    client = SPARQLWrapper(server + "/sparql")
    client.addDefaultGraph(claims)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert int(result["results"]["bindings"][0]["n"]["value"]) == size

    graph = Graph(SPARQLStore(server + "/sparql", returnFormat="json"), identifier=URIRef(claims))
    assert len(graph) == size


@pytest.mark.parametrize(
    ("question", "first"),
    [
        (
            "Is peer mentoring effective?",
            "The review cites 26 sources for what peer mentoring achieves",
        ),
        ("Does it save money?", "The review cites 3 sources for the costs and economic value"),
        ("Does electronic monitoring reduce crime?", "The review says nothing about electronic"),
    ],
)
def test_a_commissioner_reads_the_first_sentence(
    server: str, browser: object, question: str, first: str
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.get_by_label("Ask about the evidence").fill(question)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_load_state()
    summary = page.locator(".summary").inner_text()
    assert summary.startswith(first), summary
    assert "(s)" not in summary and "not-stated" not in summary
    # The other side is always said, even when it is nothing.
    assert "challenges it" in summary or "says nothing" in summary


def test_the_evidence_brief_prints_on_one_a4_page(
    server: str, browser: object, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/ask/brief?q=does+peer+mentoring+reduce+reoffending%3F")
    pdf = tmp_path / "brief.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # undo ligatures
    assert "The review cites 3 sources for reduced reoffending" in text
    # It names the review and its version, and says what challenges it, even when nothing.
    assert "Peer mentoring in the criminal justice system" in text and "Version" in text
    assert "Nothing in the review challenges it." in text
    assert "Grey literature" in text


EVERY_PAGE = [
    "/",
    "/ask?q=what+supports+hope",
    "/ask/brief?q=what+supports+hope",
    "/ask?q=how+does+hope+lead+to+desistance",
    "/source/buck2018core",
    "/source/hmip2016inspection",
    "/concept/mechanism/hope",
    "/claim/clinks-2021-peer-mentoring/hope-and-self-confidence",
    "/gap-map",
    "/network",
    "/review",
    "/audit",
    "/versions",
    "/sparql",
    "/about",
    "/editor/login",
]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_scrolls_sideways(server: str, browser: object, width: int) -> None:
    """A phone (390 px) and a laptop (1,280 px): every page fits its width."""
    watched = Watched(browser)
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for path in EVERY_PAGE:
        reply = page.goto(server + path)
        assert reply is not None and reply.status == 200, path
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    watched.shot(f"phone-{width}")
    assert wide == {}
    assert watched.errors == [] and watched.foreign == []


def test_every_page_is_accessible_on_a_phone(server: str, browser: object) -> None:
    watched = Watched(browser)
    watched.page.set_viewport_size({"width": 390, "height": 900})
    problems = []
    for path in EVERY_PAGE:
        watched.page.goto(server + path)
        problems += [f"{path}: {v}" for v in watched.axe()]
    assert problems == []


def test_sparql_results_are_a_table_in_the_page(server: str, browser: object) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto(server + "/sparql")
    page.get_by_role("button", name="Run").click()
    table = page.locator("table.results")
    table.wait_for()
    assert table.locator("tbody tr").count() == 20
    assert page.locator("table.results a[href^='/claim/']").count() == 20
    page.get_by_role("link", name="Sources cited for hope").click()
    page.wait_for_url("**/sparql?query=**")
    keys = page.locator("table.results tbody td").all_inner_texts()
    assert "maruna2001making" in keys and len(keys) == 8  # as "what supports hope" says
    page.get_by_label("Query").fill("SELECT * WHERE { SERVICE <http://example.org/> {} }")
    page.get_by_role("button", name="Run").click()
    assert "SERVICE" in page.get_by_role("alert").inner_text()
    watched.shot("sparql-results")
    assert watched.axe() == []
    # The refusal is a real 400, which Chromium logs; nothing else may go wrong.
    assert [e for e in watched.errors if "status of 400" not in e] == []
    assert watched.foreign == []


def test_the_references_of_an_answer_are_copied_with_one_button(
    server: str, browser: object
) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    try:
        page.goto(server + "/ask?q=what+supports+hope")
        page.get_by_role("link", name="The references (Harvard), to copy").click()
        page.wait_for_url("**/ask/references?**")
        page.get_by_role("button", name="Copy the references").click()
        page.get_by_role("status").filter(has_text="Copied 8 references.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.count("\n\n") == 7 and copied.startswith("Barrenger")
        assert "\u2018\u201cI wanted to feel the way they did\u201d" in copied
    finally:
        context.close()
