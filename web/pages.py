"""HTML pages.  Views stay thin: ask the store, render an autoescaped template."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ingest.claim_terms import SCHEMES, STANCES
from kg.answers.answer import answer, page_of, pages_of
from kg.answers.evidence import APPRAISED
from kg.answers.gapmap import gap_map, is_none_named
from kg.answers.knowledge import SourceInfo, citation_authors
from kg.answers.network_view import (
    COLOURS,
    KIND_NAMES,
    VIEWS,
    centrality_table,
    neighbours,
    network_data,
)
from kg.answers.review_view import (
    review_outline,
    review_sections,
    sentence_locators,
    sources_of,
)
from kg.library.review_details import ReviewDetails, review_details
from kg.rdf.concepts import CONCEPT_BASE, SCHEME_SEGMENTS, load_vocabulary
from kg.rdf.namespaces import BASE
from web.negotiation import negotiated_format, rdf_response
from web.store_access import answers_model, asked_question, get_store, knowledge

bp = Blueprint("pages", __name__)

_TYPE_LABELS = {
    "article": "Journal article",
    "book": "Book",
    "incollection": "Book chapter",
    "inbook": "Book chapter",
    "techreport": "Report",
    "report": "Report",
    "misc": "Other",
}
EXAMPLES = (
    "does peer mentoring reduce reoffending?",
    "what supports hope",
    "what challenges short-term funding",
    "how does trust lead to housing",
    "where is Buck 2018 cited",
)
PAGE_SIZE = 25  # claims of each stance on one answer page


def authors_short(source: dict[str, str | None]) -> str:
    """The authors of a row of ``list_sources`` as a citation names them."""
    return citation_authors(
        source.get("firstFamily"), source.get("secondFamily"), int(source.get("authorCount") or 0)
    )


@bp.get("/")
def home() -> str:
    """The question box, examples, counts, and each review's reference list."""
    store = get_store()
    reviews = []
    for review in store.select("list_reviews"):
        sources = sources_of(store, str(review["review"]))
        for source in sources:
            source["typeLabel"] = _TYPE_LABELS.get(source["entryType"] or "", "Other")
            source["yearText"] = source["year"] or source["yearLabel"] or "n.d."
            source["authorsShort"] = authors_short(source)
        reviews.append({**review, "sources": sources})
    k = knowledge()
    counts = {"claims": len(k.claims), "sources": len(k.sources), "concepts": len(k.concepts)}
    return render_template("home.html", reviews=reviews, examples=EXAMPLES, counts=counts)


@bp.get("/ask")
def ask() -> str:
    """The answer to a question, with its evidence and the other side beside it."""
    question = asked_question()
    if not question:
        return render_template("home_redirect.html", examples=EXAMPLES)
    k = knowledge()
    result = answer(question, k)
    references = answers_model().references
    page = request.args.get("page", "1")
    pages = pages_of(result, PAGE_SIZE)
    # ASCII digits only ("²" is a digit to str.isdigit()); a page past the end shows the last.
    page_number = min(int(page), pages) if re.fullmatch(r"[0-9]{1,6}", page) else 1
    page_number = max(page_number, 1)
    shown = page_of(result, page_number, PAGE_SIZE)
    keys = sorted({key for group in shown.values() for c in group for key in c.keys})
    years = dict(
        sorted(Counter(k.sources[s].year for s in result.profile.sources if s in k.sources).items())
    )
    return render_template(
        "answer.html",
        result=result,
        shown=shown,
        page=page_number,
        pages=pages,
        first=(page_number - 1) * PAGE_SIZE + 1,
        knowledge=k,
        keys=keys,
        references=references,
        concept_path=concept_path,
        years=years,
    )


@bp.app_template_filter("plain")
def plain(value: object) -> str:
    """A stored value in plain words: concepts by their labels, never slugs or booleans."""
    text = str(value)
    if text.startswith(CONCEPT_BASE):
        concept = knowledge().concepts.get(text)
        return concept.label if concept is not None else text.rsplit("/", 1)[-1].replace("-", " ")
    return {"true": "yes", "false": "no"}.get(text, text.replace("-", " "))


@lru_cache(maxsize=1)
def _vocabulary_labels() -> dict[str, str]:
    """The shared vocabulary's labels, by "scheme/id" and by id alone."""
    vocabulary = load_vocabulary()
    labels = {}
    for scheme in SCHEMES:
        for concept_id, label in vocabulary.labels(scheme):
            labels[f"{scheme}/{concept_id}"] = label
            labels.setdefault(concept_id, label)
    return labels


@bp.app_template_filter("concept_name")
def concept_name(value: object) -> str:
    """A concept as a diff names it ("mechanisms/hope", "hope x desistance"), in words."""
    labels = _vocabulary_labels()

    def one(text: str) -> str:
        return labels.get(text) or text.rsplit("/", 1)[-1].replace("-", " ")

    return " \u00d7 ".join(one(part) for part in str(value).split(" x "))  # a times sign


def concept_path(iri: str) -> str:
    """The explorer's path of a concept page, from its IRI (in the version being viewed)."""
    segment, _, concept_id = iri.removeprefix(CONCEPT_BASE).partition("/")
    return url_for("pages.concept", segment=segment, concept_id=concept_id)


@bp.get("/concept/<segment>/<concept_id>")
def concept(segment: str, concept_id: str) -> ResponseReturnValue:
    """A concept: its definition, its claims by stance, and what it is linked with."""
    if segment not in SCHEME_SEGMENTS.values():
        abort(404)
    k = knowledge()
    info = k.concepts.get(f"{CONCEPT_BASE}{segment}/{concept_id}")
    if info is None:
        abort(404)
    fmt = negotiated_format()
    if fmt:
        return rdf_response(info.iri, fmt)
    claims = k.claims_about(info.iri)
    grouped = {s: [c for c in claims if c.stance == s] for s in STANCES}
    related = sorted(
        {
            other
            for c in claims
            for concepts in c.concepts.values()
            for other in concepts
            if other != info.iri
        }
    )
    return render_template(
        "concept.html",
        concept=info,
        grouped=grouped,
        knowledge=k,
        related=[k.concepts[r] for r in related if r in k.concepts],
        concept_path=concept_path,
    )


@bp.get("/source/<key>")
def source(key: str) -> ResponseReturnValue:
    """A source: its reference, profile with bases, where it is cited, and its claims."""
    k = knowledge()
    info = k.sources.get(key)
    if info is None:
        abort(404)
    fmt = negotiated_format()
    if fmt:
        return rdf_response(info.iri, fmt)
    claims = [c for c in k.claims.values() if key in c.keys]
    mentions = [m for m in k.mentions if m.key == key]
    sentences = {m.place for m in mentions}
    same_sentence = {m.key for m in k.mentions if m.place in sentences and m.key} - {key}
    same_claim = {other for c in claims for other in c.keys} - {key}

    def listed(keys: set[str]) -> list[SourceInfo]:
        return sorted((k.sources[c] for c in keys if c in k.sources), key=_by_citation)

    model = answers_model()
    item = model.items.get(key, {})
    links = [
        (label, url)
        for label, url in (
            (f"DOI {item['DOI']}", f"https://doi.org/{item['DOI']}")
            if item.get("DOI")
            else ("", ""),
            (item.get("URL", ""), item.get("URL", "")),
        )
        if url.startswith(("https://", "http://"))
    ]
    profile = sorted(
        ((f, vs) for f, vs in info.profile.items() if not f.startswith(APPRAISED)),
        key=lambda pair: (FACET_ORDER.index(pair[0]) if pair[0] in FACET_ORDER else 99, pair[0]),
    )
    return render_template(
        "source.html",
        source=info,
        claims=claims,
        mentions=mentions,
        reference=model.references.get(key),
        knowledge=k,
        profile=profile,
        facet_names=FACET_NAMES,
        links=links,
        cited_with=listed(same_claim),
        same_sentence=listed(same_sentence),
        appraisal=[(f, vs) for f, vs in info.profile.items() if f.startswith(APPRAISED)],
    )


# A source's profile, in this order and in these words.
FACET_NAMES = {
    "publication-type": "Type of work",
    "peer-reviewed": "Peer reviewed",
    "study-design": "Study design",
    "setting": "Settings",
    "population": "Populations",
    "by-review-author": "By the review's own author",
}
FACET_ORDER = list(FACET_NAMES)


def _by_citation(source: SourceInfo) -> tuple[str, str]:
    return (source.authors.casefold(), source.year)


@bp.get("/claim/<review_id>/<claim_id>")
def claim(review_id: str, claim_id: str) -> ResponseReturnValue:
    """One claim: its statement, stance, concepts, evidence and place in the review."""
    k = knowledge()
    iri = f"{BASE}claim/{review_id}/{claim_id}"
    info = k.claims.get(iri)
    if info is None:
        abort(404)
    fmt = negotiated_format()
    if fmt:
        return rdf_response(iri, fmt)
    concepts = [k.concepts[c] for cs in info.concepts.values() for c in cs if c in k.concepts]
    review = next((d for d in review_details(get_store()) if d.review_id == review_id), None)
    return render_template(
        "claim.html",
        claim=info,
        knowledge=k,
        concepts=concepts,
        concept_path=concept_path,
        review=review,
    )


@bp.get("/review")
def review() -> str:
    """The review, as far as its licence allows.

    Its text with every citation linked, or its structure (where the citations are, and the
    claims in our words) when the licence allows only quotations.
    """
    store = get_store()
    sections = review_sections(store)
    if not sections:
        abort(404, "the review's text is not available on this server")
    reviews = review_details(store)
    if text_shown_in_full(reviews):
        return render_template("review.html", sections=sections)
    return render_template(
        "review_outline.html", outline=review_outline(sections, knowledge()), reviews=reviews
    )


def text_shown_in_full(reviews: list[ReviewDetails]) -> bool:
    """Whether every review's licence lets its whole text be shown."""
    return bool(reviews) and all(r.text_display == "full" for r in reviews)


@bp.get("/audit")
def audit() -> str:
    """The citation audit: citations with no reference, and references never cited."""
    k = knowledge()
    unresolved = [m for m in k.mentions if m.resolution != "resolved"]
    cited = {m.key for m in k.mentions if m.key}
    uncited = [s for s in k.sources.values() if s.key not in cited]
    store = get_store()
    return render_template(
        "audit.html",
        unresolved=unresolved,
        uncited=uncited,
        total=len(k.mentions),
        has_text=bool(k.mentions),
        # Each problem's place, linked to the review page; its sentence only where the
        # review's licence lets the whole text be shown.
        locators=sentence_locators(review_sections(store)) if unresolved else {},
        show_text=text_shown_in_full(review_details(store)),
    )


@bp.get("/network")
def network() -> str:
    """A view of the evidence as a network.

    With its legend, a table of the same nodes, and the sources that carry the review.
    """
    view = _network_view()
    k = knowledge()
    data = network_data(k, view)
    return render_template(
        "network.html",
        data=data,
        nodes=sorted(data["nodes"], key=lambda n: str(n["label"]).casefold()),
        linked=neighbours(data),
        views=VIEWS,
        view=view,
        kind_names=KIND_NAMES,
        colours=COLOURS,
        central=centrality_table(k),
    )


@bp.get("/network.json")
def network_json() -> ResponseReturnValue:
    """The network's data for the page's script (never inlined into the HTML)."""
    return jsonify(network_data(knowledge(), _network_view()))


def _network_view() -> str:
    view = request.args.get("view", "concepts")
    if view not in VIEWS:
        abort(404, description=f"the views are: {', '.join(VIEWS)}")
    return view


@bp.get("/vendor/<name>")
def vendor(name: str) -> ResponseReturnValue:
    """vis-network, served from the copy inside the installed pyvis package."""
    files = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
    if name not in files:
        abort(404)
    data = resources.files("pyvis").joinpath("lib", "vis-9.1.2", name).read_bytes()
    response = Response(data, mimetype=files[name])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for this whatever the page says; answer with the SVG icon."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/about")
def about() -> str:
    """How the data was built, from what, and whose it is."""
    store = get_store()
    return render_template("about.html", info=store.info, inputs=store.select("build_inputs"))


@bp.get("/gap-map")
def gaps() -> str:
    """Mechanisms against outcomes and barriers against what they hinder, as tables."""
    k = knowledge()
    return render_template(
        "gapmap.html",
        maps=[
            ("Mechanisms", "outcomes", gap_map(k, "mechanisms")),
            ("Barriers", "what they hinder", gap_map(k, "barriers")),
        ],
        concept_path=concept_path,
        is_none_named=is_none_named,
    )
