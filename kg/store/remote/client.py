"""A small client for a SPARQL 1.1 server: the query, update and graph-store protocols.

Only the standard library speaks HTTP here; terms come back as pyoxigraph terms so that the
rest of the project handles a remote store's answers exactly as the embedded store's.

Servers differ in small ways, and this module smooths the ones we met so that callers do
not see them (each was seen on Virtuoso 7.2; Oxigraph needs none):

- booleans come back as ``"1"``/``"0"`` in JSON results; they are read as ``true``/``false``;
- literals may be typed ``"typed-literal"`` (the 2005 JSON draft); read as ``"literal"``;
- an ASK may come back as a one-row table (``__ASK_RETVAL``) instead of ``"boolean"``;
- a graph-store PUT is typed by sniffing its content, not by its Content-Type, and graphs
  with very long literals were refused as plain text.  Our own long values are cut into short
  literals (``split_parts`` in :mod:`kg.store.remote.reader`); a library graph refused that way is
  sent again by SPARQL Update instead;
- an answer longer than the server's cap (``ResultSetMaxRows``, 10,000 by default) is cut
  short, said only by an ``X-SPARQL-MaxRows`` header.  A cut answer is an error here
  (:class:`AnswerCut`) unless the caller asked for a partial one: nothing is lost silently.
  Graph dumps (CONSTRUCT, graph-store GET) are cut without any header, so this project never
  reads a graph that way; it reads one SELECT per graph (see :mod:`kg.store.remote.reader`).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError

LOG = logging.getLogger(__name__)
JSON_RESULTS = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
_XSD = "http://www.w3.org/2001/XMLSchema#"
Term = dict[str, str]


class EndpointTimeout(StoreError):
    """The server did not answer within the time allowed."""


class AnswerCut(StoreError):
    """The server returned only the first rows of an answer (its per-answer row cap)."""

    def __init__(self, shown: str, cap: int) -> None:
        super().__init__(
            f"the SPARQL server at {shown} cut an answer at {cap} rows; raise its cap "
            "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)"
        )
        self.cap = cap


@dataclass(frozen=True)
class Endpoint:
    """Where a SPARQL server takes queries, updates and (optionally) whole graphs."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    timeout: float = 120.0

    @property
    def shown(self) -> str:
        """The query URL without credentials, for messages."""
        parts = urllib.parse.urlsplit(self.query_url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoint | None:
        """``EVKG_STORE`` (queries), ``EVKG_STORE_UPDATE``, ``EVKG_STORE_GSP``; None if unset."""
        query = env.get("EVKG_STORE", "").strip()
        if not query:
            return None
        for url in (query, env.get("EVKG_STORE_UPDATE", ""), env.get("EVKG_STORE_GSP", "")):
            if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise StoreError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
        return cls(
            query_url=query,
            update_url=env.get("EVKG_STORE_UPDATE", "").strip() or query,
            graph_store_url=env.get("EVKG_STORE_GSP", "").strip() or None,
            timeout=float(env.get("EVKG_STORE_TIMEOUT", "120")),
        )

    def select(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> tuple[list[str], list[dict[str, Term]]]:
        """A SELECT's variables and rows (unbound variables are absent from a row).

        An answer the server cut short raises :class:`AnswerCut`.
        """
        variables, rows, cap = self.select_partial(
            query, default_graphs=default_graphs, named_graphs=named_graphs, timeout=timeout
        )
        if cap is not None:
            raise AnswerCut(self.shown, cap)
        return variables, rows

    def select_partial(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> tuple[list[str], list[dict[str, Term]], int | None]:
        """A SELECT's variables and rows, and the server's row cap if it cut the answer."""
        data, cap = self._query_json(query, default_graphs, named_graphs, timeout)
        variables = [str(v) for v in data.get("head", {}).get("vars", [])]
        rows = [
            {name: normalise(term) for name, term in row.items()}
            for row in data.get("results", {}).get("bindings", [])
        ]
        return variables, rows, cap

    def ask(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> bool:
        """An ASK's answer."""
        data, _ = self._query_json(query, default_graphs, named_graphs, timeout)
        if "boolean" in data:
            return bool(data["boolean"])
        rows = data.get("results", {}).get("bindings", [])
        values = [term.get("value") for row in rows for term in row.values()]
        return bool(values) and values[0] in ("1", "true")

    def construct(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> list[ox.Triple]:
        """A CONSTRUCT or DESCRIBE's triples."""
        headers, body = self._post(
            self.query_url,
            _form(("query", query), default_graphs, named_graphs),
            "application/x-www-form-urlencoded",
            GRAPH_TYPES,
            timeout,
        )
        turtle = headers.get("Content-Type", "").startswith("text/turtle")
        fmt = ox.RdfFormat.TURTLE if turtle else ox.RdfFormat.N_TRIPLES
        return [q.triple for q in ox.parse(body, format=fmt)]

    def update(self, text: str) -> None:
        """Run a SPARQL update."""
        self._post(
            self.update_url,
            urllib.parse.urlencode({"update": text}).encode("utf-8"),
            "application/x-www-form-urlencoded",
            "*/*",
            None,
        )

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple], chunk: int = 250) -> None:
        """Make a named graph hold exactly ``triples``.

        With a graph-store endpoint this is one PUT of N-Triples; without, a DROP and INSERT
        DATA in chunks small enough for Virtuoso's compiler.  The terms are written by
        pyoxigraph's own serialiser, so no text of ours or a user's is spliced in unescaped.
        """
        name = ox.NamedNode(graph)
        if self.graph_store_url:
            body = ox.serialize(
                (ox.Quad(t.subject, t.predicate, t.object) for t in triples),
                format=ox.RdfFormat.N_TRIPLES,
            )
            url = _with_query(self.graph_store_url, {"graph": graph})
            try:
                self._request("PUT", url, body or b"", "application/n-triples", "*/*", None)
                return
            except StoreError as exc:
                if "unsupported type" not in str(exc):
                    raise
                LOG.warning("%s took %s for another type; sent by SPARQL Update", self.shown, graph)
            triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        self.update(f"DROP SILENT GRAPH {name}")
        batch: list[str] = []
        for triple in triples:
            batch.append(f"{triple.subject} {triple.predicate} {triple.object} .")
            if len(batch) == chunk:
                self.update(f"INSERT DATA {{ GRAPH {name} {{ {' '.join(batch)} }} }}")
                batch = []
        if batch:
            self.update(f"INSERT DATA {{ GRAPH {name} {{ {' '.join(batch)} }} }}")

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph (nothing happens when there is none)."""
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def _query_json(
        self,
        query: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        timeout: float | None,
    ) -> tuple[dict[str, Any], int | None]:
        headers, body = self._post(
            self.query_url,
            _form(("query", query), default_graphs, named_graphs),
            "application/x-www-form-urlencoded",
            JSON_RESULTS,
            timeout,
        )
        try:
            data: dict[str, Any] = json.loads(body)
        except ValueError as exc:
            raise StoreError(f"{self.shown} did not answer with SPARQL JSON results") from exc
        cap = headers.get("X-SPARQL-MaxRows")
        return data, int(cap) if cap and cap.strip().isdigit() else None

    def _post(
        self, url: str, body: bytes, content_type: str, accept: str, timeout: float | None
    ) -> tuple[Message, bytes]:
        return self._request("POST", url, body, content_type, accept, timeout)

    def _request(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        accept: str,
        timeout: float | None,
    ) -> tuple[Message, bytes]:
        parts = urllib.parse.urlsplit(url)
        headers = {"Content-Type": content_type, "Accept": accept}
        if parts.username is not None:
            # Credentials may ride in the URL (http://user:secret@host/sparql): sent as Basic
            # auth and kept out of every message below.
            user = urllib.parse.unquote(parts.username)
            login = f"{user}:{urllib.parse.unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        shown = urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=""))
        # http(s) only: from_env refuses any other scheme.
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # noqa: S310
                return response.headers, response.read()
        except urllib.error.HTTPError as exc:
            raise StoreError(
                f"the SPARQL server at {shown} answered {exc.code}: "
                f"{_said(exc.read(4000)) or exc.reason}"
            ) from exc
        except TimeoutError as exc:
            raise EndpointTimeout(f"the SPARQL server at {shown} did not answer in time") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise EndpointTimeout(
                    f"the SPARQL server at {shown} did not answer in time"
                ) from exc
            raise StoreError(f"cannot reach the SPARQL server at {shown}: {reason}") from exc


def _said(body: bytes) -> str:
    """What an error page says, as one short line (servers answer errors in HTML too)."""
    text = re.sub(r"<[^>]*>", " ", body.decode("utf-8", "replace"))
    return " ".join(text.split())[:300]


def _form(
    first: tuple[str, str], default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> bytes:
    pairs = [first]
    pairs += [("default-graph-uri", g) for g in default_graphs]
    pairs += [("named-graph-uri", g) for g in named_graphs]
    return urllib.parse.urlencode(pairs).encode("utf-8")


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urllib.parse.urlsplit(url)
    extra = urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit(
        parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra)
    )


def normalise(term: Mapping[str, str]) -> Term:
    """A SPARQL JSON term in the standard form, whatever the server's dialect."""
    kind = term.get("type", "literal")
    result: Term = {"type": "literal" if kind == "typed-literal" else kind, "value": term["value"]}
    datatype = term.get("datatype")
    if kind in ("literal", "typed-literal"):
        if term.get("xml:lang"):
            result["xml:lang"] = term["xml:lang"]
        elif datatype and datatype != _XSD + "string":
            result["datatype"] = datatype
            if datatype == _XSD + "boolean" and result["value"] in ("1", "0"):
                result["value"] = "true" if result["value"] == "1" else "false"
    return result


def to_term(term: Mapping[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A normalised SPARQL JSON term as a pyoxigraph term."""
    if term["type"] == "uri":
        return ox.NamedNode(term["value"])
    if term["type"] == "bnode":
        return ox.BlankNode(term["value"])
    if "xml:lang" in term:
        return ox.Literal(term["value"], language=term["xml:lang"])
    if "datatype" in term:
        return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))
    return ox.Literal(term["value"])


def iter_quads(rows: Iterable[Mapping[str, Term]]) -> Iterator[ox.Quad]:
    """Rows of ``?s ?p ?o ?g`` as quads (``?g`` unbound: the default graph)."""
    for row in rows:
        subject, predicate, obj = to_term(row["s"]), to_term(row["p"]), to_term(row["o"])
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            continue
        graph = to_term(row["g"]) if "g" in row else ox.DefaultGraph()
        if isinstance(graph, ox.Literal):
            continue
        yield ox.Quad(subject, predicate, obj, graph)
