"""The JSON API: one route per page, described by OpenAPI, errors as JSON."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import needs_seed, seed_path


def test_openapi_lists_every_api_route(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    # Every route the app serves under /api is in the spec, and nothing else is.
    assert client.application is not None
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"
    }
    assert served and served == set(spec["paths"])
    for path in spec["paths"]:
        concrete = (
            path.replace("{key}", "buck2018core")
            .replace("{segment}", "mechanism")
            .replace("{concept_id}", "hope")
        )
        query = {"q": "what supports hope"} if path == "/api/ask" else {}
        reply = client.get(concrete, query_string=query)
        # The review's own text is only there when the reader's copy was built in.
        expected = 404 if path == "/api/review" and not seed_path().is_file() else 200
        assert reply.status_code == expected, path
        assert reply.is_json


@needs_seed
def test_api_content(client: FlaskClient, review_text: str) -> None:
    answer = client.get("/api/ask", query_string={"q": "what supports trust"}).get_json()
    # Its one claim rests on a source the editors added; the review cites none there.
    assert answer["sources"] == []
    assert [c["see_also"] for c in answer["claims"]] == [["duvnjak2021lived"]]
    engagement = {"q": "what supports engagement with services"}
    answer = client.get("/api/ask", query_string=engagement).get_json()
    assert {s["key"] for s in answer["sources"]} == {
        "mcleod2020supporting",
        "reinglegonzalez2019value",
    }
    source = client.get("/api/source/hmip2016inspection").get_json()
    assert source["mentions"][0]["page"] == "45"
    audit = client.get("/api/audit").get_json()
    assert audit["uncited"] == ["buck2017exploring"]
    assert {m["cited_as"] for m in audit["unresolved"]} == {
        "Pollack, 2004",
        "Farrall, 2013",
        "Buck et al., 2015",
    }


def test_api_errors_are_json(client: FlaskClient) -> None:
    reply = client.get("/api/source/nosuchkey")
    assert reply.status_code == 404 and reply.is_json
    assert "nosuchkey" in reply.get_json()["message"]
    assert client.get("/api/ask").status_code == 400
    assert client.get("/api/gap-map", query_string={"rows": "planets"}).status_code == 400
