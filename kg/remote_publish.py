"""Publishing a built library to a SPARQL server (the layout is in :mod:`kg.remote_store`).

A publish, holding the server's lease (:mod:`kg.remote_lease`) from start to end:

1. writes the data graphs whose content changed since the current build (each graph's digest
   is kept in the build's record), or every graph after a publish that failed part-way;
2. writes the new build's own graphs: snapshot, private snapshot, answer index and record;
3. moves the ``current`` triple, by an update that succeeds only if the pointer still names
   the build this publish started from and the lease is still its own;
4. drops what no kept build needs any more: the oldest build's own graphs, its answer index
   if no other build shares it, and data graphs that no kept build names (so the text of a
   review taken out of the library leaves the server too).

Readers of the build that was current keep reading its own graphs throughout, so step 1
never shows them half a publish.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import secrets
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import StoreError
from kg.remote_lease import LEASE, STORE_GRAPH, PublishLease
from kg.remote_store import (
    CURRENT,
    INDEX_PART,
    REMOTE_LAYOUT,
    current_remote,
    index_graph,
    private_graph,
    read_record,
    record_graph,
    record_triple,
    snapshot_graph,
)
from kg.sparql_client import Endpoint
from kg.store import KEEP_BUILDS, PRIVATE_SUFFIX, STORE_FORMAT
from kg.terms import iter_ox_quads

# Base64 characters per triple of an answer index: small enough for an update's text when
# the server has no graph-store endpoint (Virtuoso compiles every INSERT DATA).
INDEX_PART_CHARS = 60_000


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
    index: bytes | None = None,
) -> tuple[str, dict[str, Any]]:
    """Write the dataset to the server as a new build and make it current.

    ``index`` is the build's ``answers.json`` (:mod:`kg.answer_index`), kept on the server so
    that workers answer without asking it for whole-library results.  Returns the build id
    and its record.  If another publish holds the lease or moved the pointer meanwhile,
    nothing becomes current and a StoreError says so.
    """
    graphs = _named_graphs(dataset)
    names = sorted(graphs)
    chosen = set(names if current is None else current)
    build_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"
    lease = PublishLease(endpoint, build_id)
    unsettled = lease.acquire()
    try:
        previous = current_remote(endpoint)
        before = previous[1] if previous else {}
        sent = {} if unsettled else dict(before.get("graph_digests", {}))
        digests = {}
        for name in names:
            digests[name] = graph_digest(graphs[name])
            if sent.get(name) != digests[name]:
                lease.renew_if_due()
                endpoint.replace_graph(name, graphs[name])
        lease.renew_if_due()
        _write_union(endpoint, snapshot_graph(build_id), graphs, chosen, private=False)
        _write_union(endpoint, private_graph(build_id), graphs, chosen, private=True)
        index_digest = _write_index(endpoint, index, before) if index is not None else None
        history = [build_id, *before.get("history", [])]
        record = {
            **info,
            "store_format": STORE_FORMAT,
            "layout": REMOTE_LAYOUT,
            "quads": sum(len(t) for t in graphs.values()),
            "graphs": names,
            "current_graphs": sorted(n for n in names if n in chosen),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "graph_digests": digests,
            "answer_index": index_digest,
            "history": history[:KEEP_BUILDS],
        }
        lease.renew_if_due()
        endpoint.replace_graph(record_graph(build_id), [record_triple(build_id, record)])
        _move_current(endpoint, previous[0] if previous else None, build_id, lease.literal)
    except BaseException:
        # Cleaning up must not hide the failure itself (the server may be what failed).
        with contextlib.suppress(StoreError):
            lease.abandon()
            for own in (snapshot_graph(build_id), private_graph(build_id), record_graph(build_id)):
                endpoint.drop_graph(own)
        raise
    try:
        _drop_unneeded(endpoint, record, history[KEEP_BUILDS:])
    finally:
        lease.release()
    return build_id, record


def _named_graphs(dataset: Dataset) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in iter_ox_quads(dataset):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise StoreError("the library holds a blank node, which a remote store cannot keep")
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return graphs


def _write_union(
    endpoint: Endpoint,
    target: str,
    graphs: Mapping[str, list[ox.Triple]],
    chosen: Collection[str],
    *,
    private: bool,
) -> None:
    union = {
        t
        for name, triples in graphs.items()
        if name in chosen and name.endswith(PRIVATE_SUFFIX) == private
        for t in triples
    }
    endpoint.replace_graph(target, sorted(union, key=str))


def _write_index(endpoint: Endpoint, index: bytes, before: Mapping[str, Any]) -> str:
    """Keep the answer index on the server (once per distinct content); its digest."""
    digest = hashlib.sha256(index).hexdigest()
    if before.get("answer_index") == digest:
        return digest
    packed = base64.b64encode(gzip.compress(index, mtime=0)).decode("ascii")
    node = ox.NamedNode(index_graph(digest))
    parts = [
        ox.Triple(node, INDEX_PART, ox.Literal(f"{n:06d}:{packed[at : at + INDEX_PART_CHARS]}"))
        for n, at in enumerate(range(0, len(packed), INDEX_PART_CHARS))
    ]
    endpoint.replace_graph(node.value, parts, chunk=1)
    return digest


def _move_current(
    endpoint: Endpoint, expected: str | None, build_id: str, lease: ox.Literal
) -> None:
    """Point ``current`` at the new build, only if it still names ``expected``.

    Each form was chosen because both Virtuoso 7.2 and Oxigraph evaluate it as the standard
    says (Virtuoso inserted regardless with ``OPTIONAL``/``BIND`` before the filter).
    """
    store = ox.NamedNode(STORE_GRAPH)
    new = ox.NamedNode(record_graph(build_id))
    pointer = f"GRAPH {store} {{ {store} {CURRENT} ?old }}"
    held = f"GRAPH {store} {{ {store} {LEASE} {lease} }}"
    if expected is None:
        endpoint.update(
            f"INSERT {{ GRAPH {store} {{ {store} {CURRENT} {new} }} }}\n"
            f"WHERE {{ {held} FILTER NOT EXISTS {{ {pointer} }} }}"
        )
    else:
        endpoint.update(
            f"DELETE {{ {pointer} }}\n"
            f"INSERT {{ GRAPH {store} {{ {store} {CURRENT} {new} }} }}\n"
            f"WHERE {{ {held} {pointer} FILTER (?old = {ox.NamedNode(record_graph(expected))}) }}"
        )
    _, rows = endpoint.select(f"SELECT ?old WHERE {{ {pointer} }}", named_graphs=[STORE_GRAPH])
    if [r["old"]["value"] for r in rows] != [new.value]:
        # Only a lease holder moves the pointer, so this is a writer that took no lease (an
        # older evidence-graph, or a hand-made update).  Take back only our own triple.
        if new.value in [r["old"]["value"] for r in rows]:
            endpoint.update(f"DELETE DATA {{ GRAPH {store} {{ {store} {CURRENT} {new} }} }}")
        raise StoreError(
            "another publish changed the SPARQL server's current build meanwhile: nothing "
            "was published; run the build again"
        )


def _drop_unneeded(endpoint: Endpoint, record: Mapping[str, Any], retired: list[str]) -> None:
    """Drop the retired builds' own graphs, and whatever no kept build names."""
    kept = [read_record(endpoint, b) for b in record["history"]]
    needed = {g for r in kept if r for g in r.get("graphs", [])}
    indexes = {r.get("answer_index") for r in kept if r}
    for old in retired:
        gone = read_record(endpoint, old)
        doomed = [snapshot_graph(old), private_graph(old), record_graph(old)]
        if gone is not None:
            doomed += sorted(set(gone.get("graphs", [])) - needed)
            if gone.get("answer_index") and gone["answer_index"] not in indexes:
                doomed.append(index_graph(gone["answer_index"]))
        for graph in doomed:
            endpoint.drop_graph(graph)
