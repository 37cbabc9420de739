"""Write SPARQL results in the formats of the SPARQL 1.1 Protocol.

SELECT: JSON, XML, CSV, TSV. ASK: JSON, XML. CONSTRUCT/DESCRIBE: Turtle, N-Triples, RDF/XML,
JSON-LD.  When the
row cap cut the results short, JSON says so in ``"truncated": true`` and every format gets the
``X-EVKG-Truncated`` header from the caller: never a silent partial result.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox


@dataclass(frozen=True)
class QueryDataset:
    """The dataset a ``/sparql`` request names (``default-graph-uri``, ``named-graph-uri``).

    None for both: the published snapshot as the default graph, every public graph named.
    Otherwise exactly what was named, as the SPARQL 1.1 Protocol says: the default graph is
    the union of the ``default-graph-uri`` graphs (empty if none), the named graphs are the
    ``named-graph-uri`` graphs (none if none).
    """

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


# The service's own dataset: the published snapshot, every public graph named.
PUBLISHED = QueryDataset()


@dataclass(frozen=True)
class PublicAnswer:
    """The answer to a ``/sparql`` query, from whichever store evaluated it.

    ``kind`` is "select" (``payload``: ``{"vars": [...], "rows": [[term or None, ...]]}``),
    "ask" (a bool), "graph" (N-Triples lines) or "error" (the kind of error only: a message
    could carry another server's reply).  ``truncated``: the row cap cut it short.
    """

    kind: Literal["select", "ask", "graph", "error"]
    payload: Any
    truncated: bool = False


# Media type -> format, the first of each table being what a client that accepts anything gets.
ASK_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
SELECT_TYPES = {
    **ASK_TYPES,
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class UnwritableGraph(ValueError):
    """A graph that the asked-for syntax cannot express (RDF/XML needs a local name)."""


Term = dict[str, str]


def term_json(term: Any) -> Term | None:
    """A pyoxigraph term as the SPARQL results JSON writes it (None for an unbound one)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    result = {"type": "literal", "value": term.value}
    if term.language:
        result["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        result["datatype"] = term.datatype.value
    return result


def select_json(payload: dict[str, Any], truncated: bool) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {v: t for v, t in zip(payload["vars"], row, strict=True) if t is not None}
        for row in payload["rows"]
    ]
    return json.dumps(
        {
            "head": {"vars": payload["vars"]},
            "results": {"bindings": bindings},
            "truncated": truncated,
        }
    )


def ask_json(value: bool) -> str:
    """An ASK result as JSON."""
    return json.dumps({"head": {}, "boolean": value})


def select_xml(payload: dict[str, Any]) -> str:
    """SPARQL Query Results XML."""
    out = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
    ]
    out += [f"<variable name={quoteattr(v)}/>" for v in payload["vars"]]
    out += ["</head>", "<results>"]
    for row in payload["rows"]:
        out.append("<result>")
        for var, term in zip(payload["vars"], row, strict=True):
            if term is None:
                continue
            out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def ask_xml(value: bool) -> str:
    """An ASK result as XML."""
    return (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
    )


def _xml_term(term: dict[str, str]) -> str:
    value = escape(term["value"])
    if term["type"] == "uri":
        return f"<uri>{value}</uri>"
    if term["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    attrs = ""
    if "xml:lang" in term:
        attrs = f" xml:lang={quoteattr(term['xml:lang'])}"
    elif "datatype" in term:
        attrs = f" datatype={quoteattr(term['datatype'])}"
    return f"<literal{attrs}>{value}</literal>"


def select_csv(payload: dict[str, Any], tab: bool = False) -> str:
    """CSV (plain values) or TSV (terms in SPARQL syntax)."""
    buffer = io.StringIO()
    if tab:
        buffer.write("\t".join(f"?{v}" for v in payload["vars"]) + "\n")
        for row in payload["rows"]:
            buffer.write("\t".join(_tsv_term(t) for t in row) + "\n")
        return buffer.getvalue()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(payload["vars"])
    for row in payload["rows"]:
        writer.writerow([_csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term: dict[str, str] | None) -> str:
    # The results CSV format keeps a blank node's label with "_:" so it is not read as a name.
    if term is None:
        return ""
    return f"_:{term['value']}" if term["type"] == "bnode" else term["value"]


def _tsv_term(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    literal = json.dumps(term["value"], ensure_ascii=False).replace("\t", "\\t")
    if "xml:lang" in term:
        return f"{literal}@{term['xml:lang']}"
    if "datatype" in term:
        return f"{literal}^^<{term['datatype']}>"
    return literal


def graph_text(lines: list[str], fmt: str) -> str:
    """CONSTRUCT/DESCRIBE results as N-Triples, Turtle, RDF/XML or JSON-LD.

    Raises :class:`UnwritableGraph` when the syntax cannot express the graph.
    """
    ntriples = "\n".join(lines) + ("\n" if lines else "")
    if fmt == "nt":
        return ntriples
    triples = list(ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    try:
        written = ox.serialize(triples, format=_GRAPH_FORMATS[fmt])
    except (ValueError, OSError) as exc:
        raise UnwritableGraph(
            f"this graph cannot be written as {fmt}: {exc}; ask for text/turtle instead"
        ) from exc
    return (written or b"").decode("utf-8")
