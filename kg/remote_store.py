"""The library on a triple-store server (``EVKG_STORE``) instead of the embedded store.

The server holds what an embedded build holds, in named graphs beside each other:

- every named graph of the library under its own IRI (``…/graph/<review>/v<n>/claims``);
- per build, ``urn:evkg:snapshot:<build>``: the union of that build's current public graphs,
  which queries read as their default graph (the embedded store's default graph);
- per build, ``urn:evkg:build:<build>``: its ``build.json``;
- ``urn:evkg:store``: which build is current, one triple.

A publish writes the graphs whose content changed (each graph's digest is kept in the build's
record), then the new snapshot and record, and only then moves the ``current`` triple, with an
update that succeeds only if the pointer still names the build this publish started from.
Readers choose a build once per request and pass its snapshot as ``default-graph-uri``, so a
request never mixes two builds' answers, and web workers keep no state of their own: any
number of them can read one server.  See ``docs/deployment.md``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import StoreError
from kg.sparql_client import Endpoint, EndpointTimeout, Term, iter_quads, to_term
from kg.store import KEEP_BUILDS, PRIVATE_SUFFIX, STORE_FORMAT, GraphStore, Row, load_query
from kg.terms import iter_ox_quads

STORE_GRAPH = "urn:evkg:store"
_CURRENT = ox.NamedNode("urn:evkg:current")
_INFO = ox.NamedNode("urn:evkg:buildInfo")
_CURRENT_QUERY = f"""
SELECT ?build ?info WHERE {{
  GRAPH <{STORE_GRAPH}> {{ <{STORE_GRAPH}> {_CURRENT} ?build }}
  GRAPH ?build {{ ?build {_INFO} ?info }}
}}"""


def snapshot_graph(build_id: str) -> str:
    """The graph that holds one build's current snapshot (the default graph of its queries)."""
    return f"urn:evkg:snapshot:{build_id}"


def record_graph(build_id: str) -> str:
    """The graph (and node) that records one build's ``build.json``."""
    return f"urn:evkg:build:{build_id}"


def current_remote(endpoint: Endpoint) -> tuple[str, dict[str, Any]] | None:
    """The current build's id and record, or None before the first publish."""
    _, rows = endpoint.select(_CURRENT_QUERY)
    if not rows:
        return None
    build = rows[0]["build"]["value"].removeprefix("urn:evkg:build:")
    try:
        info: dict[str, Any] = json.loads(base64.b64decode(rows[0]["info"]["value"]))
    except ValueError as exc:
        raise StoreError(f"the record of build {build} on the SPARQL server is damaged") from exc
    return build, info


class RemoteGraphStore(GraphStore):
    """One published build on a SPARQL server, read through the protocol."""

    def __init__(self, endpoint: Endpoint, build_id: str, info: Mapping[str, Any]) -> None:
        # The embedded store's state is not used: every read goes to the server.
        self.endpoint = endpoint
        self.build_dir = None
        self._build_id = build_id
        self._record = dict(info)
        self._queries: dict[str, str] = {}
        self.versions: Mapping[str, int] = {}
        current = list(info.get("current_graphs", []))
        self._private_names = [g for g in current if g.endswith(PRIVATE_SUFFIX)]
        self._defaults = [snapshot_graph(build_id), *self._private_names]

    @classmethod
    def open_remote(cls, endpoint: Endpoint) -> RemoteGraphStore:
        """The server's current build; a clear error when there is none."""
        found = current_remote(endpoint)
        if found is None:
            raise StoreError(
                f"no build on the SPARQL server at {endpoint.shown}: run `evkg build` first"
            )
        build, info = found
        if info.get("store_format") != STORE_FORMAT:
            raise StoreError(
                f"the build on {endpoint.shown} was made by another version of "
                "evidence-graph: run `evkg build` again"
            )
        return cls(endpoint, build, info)

    @property
    def build_id(self) -> str:
        """The build's id on the server."""
        return self._build_id

    @property
    def info(self) -> dict[str, Any]:
        """The build's record (its ``build.json``)."""
        return dict(self._record)

    def graph_names(self) -> list[str]:
        """Every named graph of the build, private ones included."""
        return sorted(self._record.get("graphs", []))

    def public_graphs(self) -> list[str]:
        """The named graphs that ``/sparql`` may read."""
        return [g for g in self.graph_names() if not g.endswith(PRIVATE_SUFFIX)]

    def select(self, name: str, **bindings: str) -> list[Row]:
        """Run a prepared SELECT on the snapshot, with IRIs bound by VALUES."""
        query = self._queries.setdefault(name, load_query(name))
        variables, rows = self.endpoint.select(
            bind_values(query, bindings), default_graphs=self._defaults
        )
        return [{v: row[v]["value"] if v in row else None for v in variables} for row in rows]

    def quads(self, current_only: bool = False) -> Iterator[ox.Quad]:
        """Every public quad of the named graphs, or the current snapshot's triples."""
        if current_only:
            _, rows = self.endpoint.select(
                "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                default_graphs=[snapshot_graph(self._build_id)],
            )
            return iter_quads(rows)
        return self._quads_of(self.public_graphs())

    def _quads_of(self, graphs: Sequence[str]) -> Iterator[ox.Quad]:
        # One request per graph: a server's cap on rows per answer (Virtuoso's
        # ResultSetMaxRows) applies to one graph at a time, never to the whole library.
        for graph in graphs:
            _, rows = self.endpoint.select(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[graph]
            )
            yield from iter_quads(rows)

    def about(self, iri: str) -> list[ox.Triple]:
        """Every triple of the current snapshot whose subject is ``iri``."""
        query = bind_values("SELECT ?p ?o WHERE { ?s ?p ?o }", {"s": iri})
        _, rows = self.endpoint.select(query, default_graphs=[snapshot_graph(self._build_id)])
        subject = ox.NamedNode(iri)
        triples = []
        for row in rows:
            predicate, obj = to_term(row["p"]), to_term(row["o"])
            if isinstance(predicate, ox.NamedNode):
                triples.append(ox.Triple(subject, predicate, obj))
        return triples

    def snapshot(self, graphs: Collection[str], versions: Mapping[str, int]) -> GraphStore:
        """Another choice of versions, copied into memory once (see GraphStore.snapshot)."""
        view = ox.Store()
        private = [g for g in graphs if g.endswith(PRIVATE_SUFFIX)]
        view.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, q.graph_name)
            if q.graph_name in [ox.NamedNode(g) for g in private]
            else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in self._quads_of(sorted(graphs))
        )
        return GraphStore(view, None, private, versions, info=self._record, build_id=self._build_id)

    def run_public_query(
        self, query: str, kind: str, *, seconds: float, row_cap: int
    ) -> tuple[str, Any, bool]:
        """A vetted ``/sparql`` query, on the current snapshot and the public named graphs."""
        dataset = {
            "default_graphs": [snapshot_graph(self._build_id)],
            "named_graphs": self.public_graphs(),
            "timeout": seconds,
        }
        try:
            if kind == "ask":
                return "ask", self.endpoint.ask(query, **dataset), False  # type: ignore[arg-type]
            if kind in ("construct", "describe"):
                triples = self.endpoint.construct(query, **dataset)  # type: ignore[arg-type]
                lines = [f"{t} ." for t in triples[:row_cap]]
                return "graph", lines, len(triples) > row_cap
            variables, rows = self.endpoint.select(query, **dataset)  # type: ignore[arg-type]
        except EndpointTimeout as exc:
            # The connection is dropped; the server's own limit (Virtuoso's
            # MaxQueryExecutionTime, oxigraph serve --timeout-s) ends the query there.
            raise EndpointTimeout(
                f"the query took longer than {seconds:g} s and was abandoned"
            ) from exc
        except StoreError:
            return "error", "the server refused the query", False
        table: list[list[Term | None]] = [[row.get(v) for v in variables] for row in rows]
        payload = {"vars": variables, "rows": table[:row_cap]}
        return "select", payload, len(table) > row_cap

    def __len__(self) -> int:
        _, rows = self.endpoint.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            named_graphs=self.graph_names(),
        )
        return int(rows[0]["n"]["value"]) if rows else 0


def bind_values(query: str, bindings: Mapping[str, str]) -> str:
    """The query with each variable bound to an IRI by a VALUES block at the top of WHERE.

    The values are IRIs checked and written by pyoxigraph (``ox.NamedNode``), so nothing a
    user typed can change the query's shape; this is the protocol's form of the embedded
    store's ``substitutions``.
    """
    if not bindings:
        return query
    names = " ".join(f"?{name}" for name in bindings if name.isidentifier())
    if len(names.split()) != len(bindings):
        raise ValueError(f"not variable names: {sorted(bindings)}")
    values = " ".join(str(ox.NamedNode(iri)) for iri in bindings.values())
    where = query.find("WHERE {")
    if where < 0:
        raise ValueError("a prepared query without 'WHERE {' cannot be bound")
    cut = where + len("WHERE {")
    return f"{query[:cut]}\n  VALUES ({names}) {{ ({values}) }}{query[cut:]}"


def graph_digest(triples: Sequence[ox.Triple]) -> str:
    """A digest of a graph's content that does not depend on the order of its triples."""
    digest = hashlib.sha256()
    for line in sorted(str(t) for t in triples):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def publish_remote(
    endpoint: Endpoint,
    dataset: Dataset,
    info: Mapping[str, Any],
    current: Collection[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Write the dataset to the server as a new build and make it current.

    Returns the build id and its record.  Graphs that did not change since the current build
    are not sent again.  If another publish moved the pointer meanwhile, nothing becomes
    current and a StoreError says so.
    """
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in iter_ox_quads(dataset):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise StoreError("the library holds a blank node, which a remote store cannot keep")
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    names = sorted(graphs)
    chosen = set(names if current is None else current)
    previous = current_remote(endpoint)
    before = previous[1] if previous else {}
    sent = dict(before.get("graph_digests", {}))
    build_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"
    digests = {}
    for name in names:
        digests[name] = graph_digest(graphs[name])
        if sent.get(name) != digests[name]:
            endpoint.replace_graph(name, graphs[name])
    union = {t for n in names if n in chosen and not n.endswith(PRIVATE_SUFFIX) for t in graphs[n]}
    endpoint.replace_graph(snapshot_graph(build_id), sorted(union, key=str))
    history = [build_id, *before.get("history", [])]
    record = {
        **info,
        "store_format": STORE_FORMAT,
        "quads": sum(len(t) for t in graphs.values()),
        "graphs": names,
        "current_graphs": sorted(n for n in names if n in chosen),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graph_digests": digests,
        "history": history[:KEEP_BUILDS],
    }
    node = ox.NamedNode(record_graph(build_id))
    encoded = base64.b64encode(json.dumps(record).encode("utf-8")).decode("ascii")
    endpoint.replace_graph(node.value, [ox.Triple(node, _INFO, ox.Literal(encoded))])
    _move_current(endpoint, previous[0] if previous else None, build_id)
    for old in history[KEEP_BUILDS:]:
        endpoint.drop_graph(snapshot_graph(old))
        endpoint.drop_graph(record_graph(old))
    return build_id, record


def _move_current(endpoint: Endpoint, expected: str | None, build_id: str) -> None:
    """Point ``current`` at the new build, only if it still names ``expected``.

    Each form was chosen because both Virtuoso 7.2 and Oxigraph evaluate it as the standard
    says (Virtuoso inserted regardless with ``OPTIONAL``/``BIND`` before the filter).
    """
    store = ox.NamedNode(STORE_GRAPH)
    new = ox.NamedNode(record_graph(build_id))
    pointer = f"GRAPH {store} {{ {store} {_CURRENT} ?old }}"
    if expected is None:
        endpoint.update(
            f"INSERT {{ GRAPH {store} {{ {store} {_CURRENT} {new} }} }}\n"
            f"WHERE {{ FILTER NOT EXISTS {{ {pointer} }} }}"
        )
    else:
        endpoint.update(
            f"DELETE {{ {pointer} }}\n"
            f"INSERT {{ GRAPH {store} {{ {store} {_CURRENT} {new} }} }}\n"
            f"WHERE {{ {pointer} FILTER (?old = {ox.NamedNode(record_graph(expected))}) }}"
        )
    _, rows = endpoint.select(f"SELECT ?old WHERE {{ {pointer} }}", named_graphs=[STORE_GRAPH])
    if [r["old"]["value"] for r in rows] != [new.value]:
        if new.value in [r["old"]["value"] for r in rows]:
            endpoint.update(f"DELETE DATA {{ GRAPH {store} {{ {store} {_CURRENT} {new} }} }}")
        endpoint.drop_graph(snapshot_graph(build_id))
        endpoint.drop_graph(record_graph(build_id))
        raise StoreError(
            "another publish changed the SPARQL server's current build meanwhile: nothing "
            "was published; run the build again"
        )
