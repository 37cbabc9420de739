"""The library on a triple-store server (``EVKG_STORE``) instead of the embedded store.

The server holds what an embedded build holds, in named graphs beside each other:

- every named graph of the library under its own IRI (``…/graph/<review>/v<n>/claims``);
- per build, ``urn:evkg:snapshot:<build>``: the union of that build's current public graphs,
  which queries read as their default graph (the embedded store's default graph);
- per build, ``urn:evkg:private:<build>``: the union of its current private graphs (the
  review's sentences), read beside the snapshot and never by ``/sparql``;
- per build, ``urn:evkg:build:<build>``: its ``build.json``;
- per distinct answer index, ``urn:evkg:index:<sha256>``: the precomputed answers
  (:mod:`kg.answers.index`), gzipped, in parts;
- ``urn:evkg:store``: which build is current (one triple), and the lease of a publish
  under way (:mod:`kg.store.remote.lease`).

Readers choose a build once per request and read only that build's own graphs (its snapshot,
private snapshot and index), so a request never mixes two builds' answers, even while a
publish is rewriting data graphs; and web workers keep no state of their own: any number of
them can read one server.  Publishing is in :mod:`kg.store.remote.publish`; see
``docs/deployment.md``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import StoreError
from kg.rdf.convert import to_dataset
from kg.store.embedded import PRIVATE_SUFFIX, STORE_FORMAT, EmbeddedStore, load_query
from kg.store.protocol import Row
from kg.store.record import BuildRecord
from kg.store.remote.client import AnswerCut, Endpoint, EndpointTimeout, Term, iter_quads, to_term
from kg.store.remote.lease import STORE_GRAPH
from kg.store.results import PUBLISHED, PublicAnswer, QueryDataset

LOG = logging.getLogger(__name__)

# The arrangement of graphs on the server described above; a build recorded under another
# layout is refused with advice to build again.
REMOTE_LAYOUT = 3
INDEX_PART = ox.NamedNode("urn:evkg:indexPart")
PART_CHARS = 8_000
CURRENT = ox.NamedNode("urn:evkg:current")
INFO = ox.NamedNode("urn:evkg:buildInfo")
_CURRENT_QUERY = f"""
SELECT ?build ?info WHERE {{
  GRAPH <{STORE_GRAPH}> {{ <{STORE_GRAPH}> {CURRENT} ?build }}
  GRAPH ?build {{ ?build {INFO} ?info }}
}}"""


def snapshot_graph(build_id: str) -> str:
    """The graph that holds one build's current snapshot (the default graph of its queries)."""
    return f"urn:evkg:snapshot:{build_id}"


def private_graph(build_id: str) -> str:
    """The graph that holds one build's current private graphs (the reviews' sentences)."""
    return f"urn:evkg:private:{build_id}"


def record_graph(build_id: str) -> str:
    """The graph (and node) that records one build's ``build.json``."""
    return f"urn:evkg:build:{build_id}"


def index_graph(digest: str) -> str:
    """The graph that holds the answer index whose JSON has this SHA-256."""
    return f"urn:evkg:index:{digest}"


def current_remote(endpoint: Endpoint) -> tuple[str, dict[str, Any]] | None:
    """The current build's id and record, or None before the first publish."""
    _, rows = endpoint.select(_CURRENT_QUERY)
    if not rows:
        return None
    build = rows[0]["build"]["value"].removeprefix("urn:evkg:build:")
    return build, _decode_record(build, [row["info"]["value"] for row in rows])


def read_record(endpoint: Endpoint, build_id: str) -> dict[str, Any] | None:
    """The record of one build on the server, current or not; None if it is gone."""
    node = ox.NamedNode(record_graph(build_id))
    _, rows = endpoint.select(
        f"SELECT ?info WHERE {{ {node} {INFO} ?info }}", default_graphs=[node.value]
    )
    return _decode_record(build_id, [row["info"]["value"] for row in rows]) if rows else None


def _decode_record(build_id: str, parts: list[str]) -> dict[str, Any]:
    # A record this version cannot read (damaged, or written in another layout) is not an
    # error here: readers refuse the build with advice, and the next publish replaces it.
    try:
        info: dict[str, Any] = json.loads(join_parts(parts))
    except (ValueError, OSError, EOFError, zlib.error):
        LOG.warning("the record of build %s on the SPARQL server is unreadable", build_id)
        return {"unreadable": True}
    return info


def record_triples(build_id: str, record: Mapping[str, Any]) -> list[ox.Triple]:
    """A build's record graph: its ``build.json``, in parts."""
    node = ox.NamedNode(record_graph(build_id))
    return split_parts(node, INFO, json.dumps(record).encode("utf-8"))


def split_parts(node: ox.NamedNode, predicate: ox.NamedNode, data: bytes) -> list[ox.Triple]:
    """Bytes as triples of short literals (gzipped, base64, numbered), undone by join_parts.

    Virtuoso 7.2 guesses a graph-store PUT's type from its content, whatever its Content-Type
    says, and refused N-Triples with base64 literals of 30,000 characters and more as plain
    text; 10,000 passed.  So no literal of ours is longer than ``PART_CHARS``.
    """
    packed = base64.b64encode(gzip.compress(data, mtime=0)).decode("ascii")
    return [
        ox.Triple(node, predicate, ox.Literal(f"{n:06d}:{packed[at : at + PART_CHARS]}"))
        for n, at in enumerate(range(0, max(len(packed), 1), PART_CHARS))
    ]


def join_parts(parts: list[str]) -> bytes:
    """The bytes that split_parts cut up (raises ValueError or OSError if damaged)."""
    ordered = sorted(parts)
    return gzip.decompress(base64.b64decode("".join(p.partition(":")[2] for p in ordered)))


class RemoteGraphStore:
    """One published build on a SPARQL server, read through the protocol."""

    def __init__(self, endpoint: Endpoint, build_id: str, info: Mapping[str, Any]) -> None:
        # Every read goes to the server.
        self.endpoint = endpoint
        self.build_dir: Path | None = None
        self._build_id = build_id
        self._record = dict(info)
        self._queries: dict[str, str] = {}
        self.versions: Mapping[str, int] = {}
        self._defaults = [snapshot_graph(build_id), private_graph(build_id)]

    @classmethod
    def open_remote(cls, endpoint: Endpoint) -> RemoteGraphStore:
        """The server's current build; a clear error when there is none."""
        found = current_remote(endpoint)
        if found is None:
            raise StoreError(
                f"no build on the SPARQL server at {endpoint.shown}: run `evkg build` first"
            )
        build, info = found
        if info.get("store_format") != STORE_FORMAT or info.get("layout") != REMOTE_LAYOUT:
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

    @property
    def record(self) -> BuildRecord:
        """The build's record, typed."""
        return BuildRecord(self._record)

    def to_dataset(self, current_only: bool = False) -> Dataset:
        """The build copied into an rdflib Dataset, for serialisers and comparisons."""
        return to_dataset(self.quads(current_only))

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
            try:
                # The build's own snapshot: no publish ever rewrites it.
                _, rows = self.endpoint.select(
                    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                    default_graphs=[snapshot_graph(self._build_id)],
                )
                return iter_quads(rows)
            except AnswerCut:
                LOG.info("the snapshot is longer than the server's row cap: read per graph")
            # The snapshot is the union of these graphs, each under the cap (or an error).
            # Unlike the snapshot, they may be rewritten by a publish under way.
            current = self._record.get("current_graphs", [])
            public = [g for g in current if not g.endswith(PRIVATE_SUFFIX)]
            triples = {q.triple for q in self._quads_of(public)}
            return (ox.Quad(t.subject, t.predicate, t.object) for t in sorted(triples, key=str))
        return self._quads_of(self.public_graphs())

    def _quads_of(self, graphs: Sequence[str]) -> Iterator[ox.Quad]:
        # One request per graph: a server's cap on rows per answer (Virtuoso's
        # ResultSetMaxRows) applies to one graph at a time; a graph above it is an error
        # (AnswerCut), never a silently shorter graph.
        for graph in graphs:
            _, rows = self.endpoint.select(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[graph]
            )
            yield from iter_quads(rows)

    def answer_index(self) -> dict[str, Any] | None:
        """The build's precomputed answers, fetched from the server (see kg.answers.index)."""
        digest = self._record.get("answer_index")
        if not digest:
            return None
        graph = index_graph(str(digest))
        _, rows = self.endpoint.select(
            f"SELECT ?part WHERE {{ {ox.NamedNode(graph)} {INDEX_PART} ?part }}",
            default_graphs=[graph],
        )
        try:
            text = join_parts([row["part"]["value"] for row in rows])
        except (ValueError, OSError, EOFError, zlib.error) as exc:
            raise StoreError(f"the answer index of build {self._build_id} is damaged") from exc
        if hashlib.sha256(text).hexdigest() != digest:
            raise StoreError(f"the answer index of build {self._build_id} is incomplete")
        data: dict[str, Any] = json.loads(text)
        return data

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

    def snapshot(self, graphs: Collection[str], versions: Mapping[str, int]) -> EmbeddedStore:
        """Another choice of versions, copied into memory once (see EmbeddedStore.snapshot)."""
        view = ox.Store()
        private = [g for g in graphs if g.endswith(PRIVATE_SUFFIX)]
        view.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, q.graph_name)
            if q.graph_name in [ox.NamedNode(g) for g in private]
            else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in self._quads_of(sorted(graphs))
        )
        return EmbeddedStore(
            view, None, private, versions, info=self._record, build_id=self._build_id
        )

    def run_public_query(
        self,
        query: str,
        kind: str,
        *,
        seconds: float,
        row_cap: int,
        dataset: QueryDataset = PUBLISHED,
    ) -> PublicAnswer:
        """A vetted ``/sparql`` query, on the current snapshot and the public named graphs."""
        named = {
            "default_graphs": [snapshot_graph(self._build_id)],
            "named_graphs": self.public_graphs(),
        }
        if dataset.default_graphs is not None or dataset.named_graphs is not None:
            public = set(self.public_graphs())
            named = {
                "default_graphs": [g for g in dataset.default_graphs or () if g in public],
                "named_graphs": [g for g in dataset.named_graphs or () if g in public],
            }
        # Never an empty list: a server may read "no graph named" as "every graph".
        request = {
            "default_graphs": named["default_graphs"] or ["urn:evkg:no-graph"],
            "named_graphs": named["named_graphs"] or ["urn:evkg:no-graph"],
            "timeout": seconds,
        }
        try:
            if kind == "ask":
                return PublicAnswer("ask", self.endpoint.ask(query, **request))  # type: ignore[arg-type]
            if kind in ("construct", "describe"):
                triples = self.endpoint.construct(query, **request)  # type: ignore[arg-type]
                lines = [f"{t} ." for t in triples[:row_cap]]
                return PublicAnswer("graph", lines, len(triples) > row_cap)
            variables, rows, cap = self.endpoint.select_partial(query, **request)  # type: ignore[arg-type]
        except EndpointTimeout as exc:
            # The connection is dropped; the server's own limit (Virtuoso's
            # MaxQueryExecutionTime, oxigraph serve --timeout-s) ends the query there.
            raise EndpointTimeout(
                f"the query took longer than {seconds:g} s and was abandoned"
            ) from exc
        except StoreError:
            return PublicAnswer("error", "the server refused the query")
        table: list[list[Term | None]] = [[row.get(v) for v in variables] for row in rows]
        payload = {"vars": variables, "rows": table[:row_cap]}
        # A server that cut the answer at its own cap has more rows than it sent.
        return PublicAnswer("select", payload, len(table) > row_cap or cap is not None)

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
