"""JSON for every page under /api, described by an OpenAPI document at /api/openapi.json."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from flask.typing import ResponseReturnValue

from ingest.claim_terms import STANCES
from kg.answers.answer import answer, pages_of, to_json
from kg.answers.gapmap import gap_map
from kg.answers.network_view import network_data
from kg.answers.review_view import review_outline, review_sections, sources_of
from kg.library.review_details import review_details
from kg.rdf.concepts import CONCEPT_BASE, SCHEME_SEGMENTS
from web.pages import text_shown_in_full
from web.store_access import answers_model, asked_question, get_store, knowledge

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/reviews")
def reviews() -> ResponseReturnValue:
    """The home page's data: each review with its reference list, and the counts."""
    store = get_store()
    k = knowledge()
    return jsonify(
        {
            "counts": {
                "claims": len(k.claims),
                "sources": len(k.sources),
                "concepts": len(k.concepts),
            },
            "reviews": [
                {**review, "sources": sources_of(store, str(review["review"]))}
                for review in store.select("list_reviews")
            ],
        }
    )


@bp.get("/review")
def review_text() -> ResponseReturnValue:
    """The review page's data: its text, or only its structure when its licence says so."""
    store = get_store()
    sections = review_sections(store)
    if not sections:
        abort(404, "the review's text is not available on this server")
    if not text_shown_in_full(review_details(store)):
        return jsonify(
            {
                "display": "quotations",
                "sections": [
                    {
                        "title": title,
                        "sentences": [
                            {
                                "locator": s.locator,
                                "citations": [vars(c) for c in s.citations],
                                "claims": [
                                    {"id": c.id, "statement": c.statement} for c in s.claims
                                ],
                            }
                            for s in sentences
                        ],
                    }
                    for title, sentences in review_outline(sections, knowledge())
                ],
            }
        )
    return jsonify(
        [
            {
                "title": s.title,
                "paragraphs": [[vars(seg) for seg in p.segments] for p in s.paragraphs],
            }
            for s in sections
        ]
    )


# Claims per stance in one answer: a common concept in a large library has thousands.
API_PAGE = 50
NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "²" is a digit to str.isdigit()
MAX_PAGE = 500


@bp.get("/ask")
def ask() -> ResponseReturnValue:
    """The answer to ?q=..., as `evkg query --json` prints it."""
    question = asked_question()
    if not question:
        abort(400, "give a question: ?q=...")
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", str(API_PAGE))
    if not (NUMBER.fullmatch(page) and NUMBER.fullmatch(per_page)) or not (
        1 <= int(per_page) <= MAX_PAGE and int(page) >= 1
    ):
        abort(400, f"page must be 1 or more and per_page 1 to {MAX_PAGE}")
    k = knowledge()
    result = answer(question, k)
    if int(page) > pages_of(result, int(per_page)):
        abort(404, f"the answer has {pages_of(result, int(per_page))} page(s)")
    return jsonify(to_json(result, k, int(page), int(per_page)))


@bp.get("/source/<key>")
def source(key: str) -> ResponseReturnValue:
    """A source with its reference, profile, citations and claims."""
    k = knowledge()
    info = k.sources.get(key)
    if info is None:
        abort(404, f"no source {key!r}")
    return jsonify(
        {
            "key": key,
            "title": info.title,
            "year": info.year,
            "authors": info.authors,
            "reference": answers_model().references.get(key),
            "profile": {
                f: [{"value": v, "basis": b} for v, b in values]
                for f, values in info.profile.items()
            },
            "mentions": [
                {
                    "cited_as": m.cited_as,
                    "page": m.page,
                    "section": m.section,
                    "sentence": m.sentence_index,
                }
                for m in k.mentions
                if m.key == key
            ],
            "claims": [c.id for c in k.claims.values() if key in c.keys],
            # By IRI too: a claim id is only unique within its review's claims file.
            "claim_iris": [c.iri for c in k.claims.values() if key in c.keys],
        }
    )


@bp.get("/concept/<segment>/<concept_id>")
def concept(segment: str, concept_id: str) -> ResponseReturnValue:
    """A concept with its definition, labels and claims by stance."""
    if segment not in SCHEME_SEGMENTS.values():
        abort(404, f"no scheme {segment!r}")
    k = knowledge()
    info = k.concepts.get(f"{CONCEPT_BASE}{segment}/{concept_id}")
    if info is None:
        abort(404, f"no concept {concept_id!r}")
    claims = k.claims_about(info.iri)
    return jsonify(
        {
            "id": info.iri,
            "label": info.label,
            "scheme": info.scheme,
            "definition": info.definition,
            "labels": sorted(info.labels),
            "claims": {s: [c.id for c in claims if c.stance == s] for s in STANCES},
            "claim_iris": {s: [c.iri for c in claims if c.stance == s] for s in STANCES},
        }
    )


@bp.get("/gap-map")
def gaps() -> ResponseReturnValue:
    """?rows=mechanisms (default, against outcomes) or barriers (against what they hinder)."""
    rows = request.args.get("rows", "mechanisms")
    if rows not in ("mechanisms", "barriers"):
        abort(400, "rows must be mechanisms or barriers")
    return jsonify(gap_map(knowledge(), rows).to_json())


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """Citations with no reference, and references never cited."""
    k = knowledge()
    cited = {m.key for m in k.mentions if m.key}
    return jsonify(
        {
            "unresolved": [
                {
                    "cited_as": m.cited_as,
                    "section": m.section,
                    "sentence": m.sentence_index,
                    "status": m.resolution,
                }
                for m in k.mentions
                if m.resolution != "resolved"
            ],
            "uncited": sorted(s.key for s in k.sources.values() if s.key not in cited),
            "mentions": len(k.mentions),
        }
    )


@bp.get("/network")
def network() -> ResponseReturnValue:
    """The network view's nodes and edges."""
    return jsonify(network_data(knowledge()))


@bp.get("/about")
def about() -> ResponseReturnValue:
    """What was built, from which inputs (with checksums)."""
    store = get_store()
    return jsonify({"build": store.info, "inputs": store.select("build_inputs")})


def _op(summary: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params or [],
            "responses": {"200": {"description": "JSON"}, "404": {"description": "Not found"}},
        }
    }


def _param(name: str, where: str = "path") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": "string"}}


@bp.get("/versions")
def versions() -> ResponseReturnValue:
    """Every published version of each review, newest first."""
    from kg.library.history import version_history

    history = version_history(get_store())
    return jsonify({k: [v.to_json() for v in vs] for k, vs in history.items()})


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "evidence-graph", "version": "1"},
            "paths": {
                "/api/reviews": _op("Reviews, their reference lists and counts"),
                "/api/versions": _op("Published versions of each review: who, when, inputs"),
                "/api/review": _op("The review's text with its citations (where available)"),
                "/api/ask": _op("Answer a question", [_param("q", "query")]),
                "/api/source/{key}": _op("A source", [_param("key")]),
                "/api/concept/{segment}/{concept_id}": _op(
                    "A concept", [_param("segment"), _param("concept_id")]
                ),
                "/api/gap-map": _op("Gap map data", [_param("rows", "query")]),
                "/api/audit": _op("Citation audit"),
                "/api/network": _op("Network data"),
                "/api/about": _op("Build and inputs"),
            },
        }
    )
