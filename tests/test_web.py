"""The explorer's first page, through Flask's client and through the real WSGI server."""

from __future__ import annotations

import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ingest.pipeline import ingest_reviews
from kg.build.dataset import build_dataset
from kg.store.embedded import publish
from tests.conftest import DATA, copy_project, running_server


class PageParts(HTMLParser):
    """The tags, links and table rows of a page, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []  # what the page loads or links to on this site
        self.outside: list[str] = []  # links a reader may follow to another site
        self.keys: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        found = [v for k, v in attrs if k in ("href", "src") and v]
        if tag == "a" and found and found[0].startswith(("https://", "http://")):
            self.outside += found  # a DOI or a URL of the reference: followed, never loaded
        else:
            self.links += found
        if tag == "tr" and values.get("data-key"):
            self.keys.append(str(values["data-key"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> PageParts:
    parts = PageParts()
    parts.feed(html)
    return parts


def test_home_lists_every_source_of_the_review(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    assert len(page.keys) == 39
    assert "buck2018core" in page.keys and "zdun2011immigration" in page.keys
    text = " ".join(page.text)
    assert "Peer mentoring in the criminal justice system" in text
    assert "The core conditions of peer mentoring" in text
    assert "39 sources" in text


def test_home_is_accessible_and_self_contained(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    page = parse(html)
    assert '<html lang="en-GB">' in html
    assert page.links[0] == "/static/style.css"
    assert "#main" in page.links  # the skip link
    assert {"caption", "th", "main", "h1"} <= set(page.tags)
    assert all(link.startswith(("/", "#")) for link in page.links), page.links
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    # No injected <base> may redirect links, and no form may post elsewhere.
    assert "base-uri 'none'" in policy and "form-action 'self'" in policy
    with client.get("/static/style.css") as stylesheet:
        assert stylesheet.status_code == 200
        assert b"focus" in stylesheet.data


@pytest.mark.embedded_only
def test_hostile_titles_are_shown_as_text(tmp_path: Path) -> None:
    from web import create_app

    project = copy_project(tmp_path / "p", DATA / "bad" / "10-hostile.bib")
    result = ingest_reviews(project / "reviews", project)
    publish(build_dataset(result.reviews), tmp_path / "store", {})
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(tmp_path / "store")})
    html = app.test_client().get("/").get_data(as_text=True)
    page = parse(html)
    assert not {"script", "svg", "img", "b"} & set(page.tags)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert '<script>alert("t")</script>' in " ".join(page.text)  # what the reader sees
    assert "\u202e" not in html


def test_evkg_serve_runs_the_explorer_under_waitress(
    built_store: Path, store_env: dict[str, str]
) -> None:
    with running_server(built_store, store_env) as (base, process):
        with urllib.request.urlopen(base + "/", timeout=5) as reply:
            body = reply.read().decode("utf-8")
            server_header = reply.headers.get("Server")
        assert len(parse(body).keys) == 39
        assert server_header == "waitress"
        process.terminate()
        output = process.communicate(timeout=10)[0].decode("utf-8", "replace")
    assert "serving the explorer" in output


def test_home_names_authors_as_citations_do(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    rows = {}
    for row in html.split("<tr data-key=")[1:]:
        key = row.split('"')[1]
        rows[key] = row.split("<td>")[1].split("</td>")[0]
    assert rows["buck2018core"] == "Buck"
    assert rows["hucklesby2014assistance"] == "Hucklesby and Wincup"
    assert rows["duvnjak2021lived"] == "Duvnjak et al."
    assert rows["clinks2012supporting"] == "Clinks and MBF"
    assert next(iter(rows)) == "albertson2018payment"


def test_behind_a_proxy_the_clients_address_and_scheme_are_the_forwarded_ones(
    built_store: Path, store_env: dict[str, str]
) -> None:
    from flask import request

    from web import create_app

    seen: dict[str, str] = {}
    for hops in (0, 1):
        app = create_app(
            {
                "TESTING": True,
                "EVKG_STORE_DIR": str(built_store),
                **store_env,
                "EVKG_PROXY_HOPS": hops,
            }
        )

        @app.get("/__who")
        def who() -> str:
            return f"{request.remote_addr} {request.scheme}"

        with app.test_client() as client:
            reply = client.get(
                "/__who",
                headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                environ_base={"REMOTE_ADDR": "10.0.0.2"},
            )
            seen[str(hops)] = reply.get_data(as_text=True)
    # Without a proxy, forwarded headers are anyone's words and are ignored.
    assert seen == {"0": "10.0.0.2 http", "1": "203.0.113.9 https"}
