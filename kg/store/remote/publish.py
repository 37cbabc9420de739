"""Publishing a built library to a SPARQL server (the layout is in :mod:`kg.store.remote.reader`).

A publish, holding the server's lease (:mod:`kg.store.remote.lease`) from start to end:

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

import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Collection, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import StoreError
from kg.rdf.convert import iter_ox_quads
from kg.rdf.ids import GRAPH_BASE
from kg.store.embedded import ANSWER_INDEX, KEEP_BUILDS, PRIVATE_SUFFIX, STORE_FORMAT
from kg.store.record import BuildRecord
from kg.store.remote.client import AnswerCut, Endpoint
from kg.store.remote.lease import LEASE, STORE_GRAPH, PublishLease
from kg.store.remote.reader import (
    CURRENT,
    INDEX_PART,
    REMOTE_LAYOUT,
    current_remote,
    index_graph,
    private_graph,
    read_record,
    record_graph,
    record_triples,
    snapshot_graph,
    split_parts,
)

LOG = logging.getLogger(__name__)


def graph_digest(triples: Sequence[ox.Triple]) -> str:
    """A digest of a graph's content that does not depend on the order of its triples."""
    digest = hashlib.sha256()
    for line in sorted(str(t) for t in triples):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


class _Source:
    """What a publish sends: the library's named graphs, and the unions of its current ones."""

    names: list[str]
    current: set[str]
    quads: int
    origin: str | None = None  # the local build it was read from, if any

    def triples(self, name: str) -> list[ox.Triple]:
        raise NotImplementedError

    def union(self, *, private: bool) -> list[ox.Triple]:
        """The current public graphs' union (the snapshot), or the current private ones'."""
        return sorted(
            {
                t
                for name in self.names
                if name in self.current and name.endswith(PRIVATE_SUFFIX) == private
                for t in self.triples(name)
            },
            key=str,
        )


class _DatasetSource(_Source):
    def __init__(self, dataset: Dataset, current: Collection[str] | None) -> None:
        self.graphs: dict[str, list[ox.Triple]] = {}
        for quad in iter_ox_quads(dataset):
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                raise StoreError("the library holds a blank node, which a remote store cannot keep")
            if isinstance(quad.graph_name, ox.NamedNode):
                self.graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
        self.names = sorted(self.graphs)
        self.current = set(self.names if current is None else current)
        self.quads = sum(len(t) for t in self.graphs.values())

    def triples(self, name: str) -> list[ox.Triple]:
        return self.graphs[name]


class _BuildSource(_Source):
    """A build of the embedded store (the build machine's working copy)."""

    def __init__(self, folder: Path, info: Mapping[str, Any]) -> None:
        self.store = ox.Store.read_only(str(folder / "oxigraph"))
        self.names = sorted(
            g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)
        )
        self.current = set(info.get("current_graphs", self.names))
        self.quads = int(info.get("quads", 0))
        self.origin = folder.name

    def triples(self, name: str) -> list[ox.Triple]:
        found = self.store.quads_for_pattern(None, None, None, ox.NamedNode(name))
        triples = [q.triple for q in found]
        if any(
            isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
            for t in triples
        ):
            raise StoreError(f"{name} holds a blank node, which a remote store cannot keep")
        return triples

    def union(self, *, private: bool) -> list[ox.Triple]:
        if private:
            return super().union(private=True)
        # The embedded build already holds the snapshot: its default graph.
        found = self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        return sorted((q.triple for q in found), key=str)


def publish_remote(
    endpoint: Endpoint,
    dataset: Dataset,
    info: Mapping[str, Any],
    current: Collection[str] | None = None,
    index: bytes | None = None,
) -> tuple[str, dict[str, Any]]:
    """Write the dataset to the server as a new build and make it current.

    ``index`` is the build's ``answers.json`` (:mod:`kg.answers.index`), kept on the server so
    that workers answer without asking it for whole-library results.  Returns the build id
    and its record.  If another publish holds the lease or moved the pointer meanwhile,
    nothing becomes current and a StoreError says so.
    """
    return _publish(endpoint, _DatasetSource(dataset, current), info, index)


def publish_remote_build(
    endpoint: Endpoint, folder: Path, unchanged_since: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Send a build of the embedded store (with its answer index) to the server.

    ``unchanged_since`` names the local build an incremental build started from: if the
    server's current build was sent from that one, graphs the increment did not write keep
    the digests the server recorded for them, and are neither read nor sent again.
    """
    info = BuildRecord.read(folder).as_dict()
    index = folder / ANSWER_INDEX
    source = _BuildSource(folder, info)
    unchanged: set[str] = set()
    if unchanged_since is not None:
        unchanged = set(source.names) - set(info.get("changed_graphs", source.names))
    record_info = {k: v for k, v in info.items() if k not in ("built_at", "changed_graphs")}
    data = index.read_bytes() if index.is_file() else None
    return _publish(endpoint, source, record_info, data, (unchanged_since, unchanged))


class _Pointer(Enum):
    """Where the server's ``current`` pointer stands after a failed publish."""

    AT_THIS_BUILD = "at this build"
    ELSEWHERE = "elsewhere"
    UNKNOWN = "unknown"  # the server could not be asked


def _publish(
    endpoint: Endpoint,
    source: _Source,
    info: Mapping[str, Any],
    index: bytes | None,
    unchanged: tuple[str | None, Collection[str]] = (None, ()),
) -> tuple[str, dict[str, Any]]:
    """Send ``source`` as a new build.

    ``unchanged``: the local build an increment started from, and the graphs it left as
    they were.  If the server's current build was sent from that local build, those graphs
    keep the digests the server recorded, and are neither read nor sent again.
    """
    build_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"
    lease = PublishLease(endpoint, build_id)
    unsettled = lease.acquire()
    pointer_sent = False
    try:
        previous = current_remote(endpoint)
        before = previous[1] if previous else {}
        digests = _send_graphs(endpoint, lease, source, before, unsettled, unchanged)
        lease.renew_if_due()
        endpoint.replace_graph(snapshot_graph(build_id), source.union(private=False))
        endpoint.replace_graph(private_graph(build_id), source.union(private=True))
        index_digest = _write_index(endpoint, index, before) if index is not None else None
        record = _record(build_id, source, info, before, digests, index_digest)
        lease.renew_if_due()
        endpoint.replace_graph(record_graph(build_id), record_triples(build_id, record), chunk=8)
        pointer_sent = True
        _move_current(endpoint, previous[0] if previous else None, build_id, lease.literal)
    except BaseException as exc:
        if _recovered(endpoint, lease, build_id, pointer_sent, exc):
            return build_id, record
        raise
    try:
        _drop_unneeded(endpoint, record)
    except StoreError as exc:
        # The build is current; what is left over goes at the next publish.
        LOG.warning("cleaning up after build %s failed: %s", build_id, exc)
    finally:
        lease.release()
    return build_id, record


def _send_graphs(
    endpoint: Endpoint,
    lease: PublishLease,
    source: _Source,
    before: Mapping[str, Any],
    unsettled: bool,
    unchanged: tuple[str | None, Collection[str]],
) -> dict[str, str]:
    """Send each graph whose digest the server does not hold; every graph's digest."""
    # After a publish that failed part-way, neither the server's digests nor ours about it
    # can be trusted: everything is read and sent again.
    sent = {} if unsettled else dict(before.get("graph_digests", {}))
    since, untouched = unchanged
    # Read under the lease, so no other publish can change the record in between.
    holds = since is not None and before.get("local_build") == since
    trusted = set(untouched) & set(sent) if holds else set()
    digests = {}
    for name in source.names:
        if name in trusted:
            digests[name] = sent[name]
            continue
        triples = source.triples(name)
        digests[name] = graph_digest(triples)
        if sent.get(name) != digests[name]:
            lease.renew_if_due()
            endpoint.replace_graph(name, triples)
    return digests


def _record(
    build_id: str,
    source: _Source,
    info: Mapping[str, Any],
    before: Mapping[str, Any],
    digests: Mapping[str, str],
    index_digest: str | None,
) -> dict[str, Any]:
    """The new build's record on the server."""
    history = [build_id, *before.get("history", [])]
    return {
        **info,
        "store_format": STORE_FORMAT,
        "layout": REMOTE_LAYOUT,
        "quads": source.quads,
        "graphs": source.names,
        "current_graphs": sorted(n for n in source.names if n in source.current),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graph_digests": dict(digests),
        "answer_index": index_digest,
        "local_build": source.origin,
        "history": history[:KEEP_BUILDS],
    }


def _recovered(
    endpoint: Endpoint,
    lease: PublishLease,
    build_id: str,
    pointer_sent: bool,
    exc: BaseException,
) -> bool:
    """Clean up after a failed publish; True when the build became current all the same."""
    # Give the lease up first: the pointer moves only while it is held, so an update still
    # on its way to the server can no longer move it once this has been done.
    with contextlib.suppress(StoreError):
        lease.abandon()
    # The pointer may have moved before the failure (say, the answer to the update was
    # lost): then the new build is current, and its graphs must stay.
    pointer = _pointer(endpoint, build_id) if pointer_sent else _Pointer.ELSEWHERE
    if pointer is _Pointer.ELSEWHERE:
        # Cleaning up must not hide the failure itself (the server may be what failed).
        with contextlib.suppress(StoreError):
            for own in (snapshot_graph(build_id), private_graph(build_id)):
                endpoint.drop_graph(own)
            endpoint.drop_graph(record_graph(build_id))
    if pointer is _Pointer.AT_THIS_BUILD:
        # The pointer's move was this publish's last write: nothing of it is in flight.
        with contextlib.suppress(StoreError):
            lease.release()
        if isinstance(exc, Exception):
            LOG.warning("build %s is current though its publish reported: %s", build_id, exc)
            return True
    return False


def _write_index(endpoint: Endpoint, index: bytes, before: Mapping[str, Any]) -> str:
    """Keep the answer index on the server (once per distinct content); its digest."""
    digest = hashlib.sha256(index).hexdigest()
    if before.get("answer_index") == digest:
        return digest
    node = ox.NamedNode(index_graph(digest))
    endpoint.replace_graph(node.value, split_parts(node, INDEX_PART, index), chunk=8)
    return digest


def _pointer(endpoint: Endpoint, build_id: str) -> _Pointer:
    """Whether ``current`` names this build, as far as the server can say."""
    try:
        found = current_remote(endpoint)
    except StoreError:
        return _Pointer.UNKNOWN
    return (
        _Pointer.AT_THIS_BUILD if found is not None and found[0] == build_id else _Pointer.ELSEWHERE
    )


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


def _drop_unneeded(endpoint: Endpoint, record: Mapping[str, Any]) -> None:
    """Drop every graph of ours on the server that no kept build needs.

    The server is listed rather than only the build that just retired, so that what a failed
    publish left (a new review's graphs, its index) goes too.  Nothing is dropped unless
    every kept build's record could be read: a graph it names must never go.
    """
    history: list[str] = list(record["history"])
    needed = {STORE_GRAPH}
    for build in history:
        kept = read_record(endpoint, build)
        if kept is None or kept.get("unreadable"):
            LOG.warning("build %s has no readable record: nothing was cleaned up", build)
            return
        needed |= {snapshot_graph(build), private_graph(build), record_graph(build)}
        needed |= set(kept.get("graphs", []))
        if kept.get("answer_index"):
            needed.add(index_graph(str(kept["answer_index"])))
    ours = " || ".join(
        f"STRSTARTS(STR(?g), {ox.Literal(prefix)})" for prefix in ("urn:evkg:", GRAPH_BASE)
    )
    try:
        _, rows = endpoint.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER ({ours}) }}"
        )
    except AnswerCut:
        LOG.warning("the server would not list its graphs in full: nothing was cleaned up")
        return
    for graph in sorted({row["g"]["value"] for row in rows} - needed):
        endpoint.drop_graph(graph)
