"""Entities as RDF: which format a client asked for, and the response that carries it."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, abort, request

from kg.export import RDF_FORMATS
from kg.rdf.namespaces import PREFIXES
from kg.store.protocol import GraphStore
from web.store_access import get_store

MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
}


def describe(store: GraphStore, iri: str, fmt: str) -> str:
    """Every triple about one entity (as subject), in an RDF format."""
    triples = set(store.about(iri))
    if not triples:
        abort(404)
    return (
        ox.serialize(sorted(triples, key=str), format=RDF_FORMATS[fmt], prefixes=PREFIXES) or b""
    ).decode("utf-8")


def negotiated_format() -> str | None:
    """The RDF format a client asked for (``?format=`` or ``Accept``), or None for HTML."""
    asked = request.args.get("format")
    if asked:
        if asked not in ("ttl", "jsonld", "nt", "html"):
            abort(406)
        return None if asked == "html" else asked
    offered = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    return {
        "text/turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/n-triples": "nt",
    }.get(best or "text/html")


def rdf_response(iri: str, fmt: str) -> Response:
    """An entity as RDF, with the right media type."""
    body = describe(get_store(), iri, fmt)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Vary"] = "Accept"
    return response
