"""Which BibTeX fields become which standard properties: one table for building and export.

Fields not named here (apart from the structured ones that :mod:`kg.build.dataset` models as
nodes: journal, booktitle, publisher, institution) are kept verbatim as ``evkg:BibField``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.rdf.namespaces import BIBO, EVKG

# Each becomes a plain literal of its property.
LITERAL_FIELDS: dict[str, URIRef] = {
    "volume": BIBO.volume,
    "number": BIBO.issue,
    "pages": BIBO.pages,
    "doi": BIBO.doi,
    "isbn": BIBO.isbn,
    "edition": BIBO.edition,
    "note": SKOS.note,
    "address": EVKG.placeOfPublication,
    "series": EVKG.seriesTitle,
    "shortauthor": EVKG.shortAuthor,
}
# The link to a work, typed xsd:anyURI.
URL_FIELD, URL_PROPERTY = "url", BIBO.uri
# Every field read back from its property, for export.
FIELD_PROPERTIES: dict[str, URIRef] = {**LITERAL_FIELDS, URL_FIELD: URL_PROPERTY}
# Written back exactly as stored: LaTeX escaping would break an identifier.
VERBATIM_FIELDS = frozenset({"url", "doi"})
