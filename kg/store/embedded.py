"""The persistent embedded store (pyoxigraph on disk), built aside and swapped in atomically.

Layout under the store root::

    builds/<stamp>-<digest>/oxigraph/   one complete, never-modified store per build
    builds/<stamp>-<digest>/build.json  what was built, from what, and when
    current -> builds/<stamp>-<digest>   a symlink, replaced with os.replace (atomic)

A build writes into a fresh ``*.partial`` directory and only renames and points ``current``
at it once everything is on disk, so a failed or killed build leaves the previous store
serving.  Readers open a build read-only; nothing ever writes into a published build.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from ingest.safe_files import exclusive_lock, sync_folder
from kg.errors import StoreError
from kg.rdf.convert import iter_ox_quads, to_dataset
from kg.store.protocol import GraphStore, Row
from kg.store.record import BuildRecord
from kg.store.results import PUBLISHED, PublicAnswer, QueryDataset

KEEP_BUILDS = 3
# Bumped whenever the layout of a published build changes; older builds are refused on open.
# 3: the union of the public named graphs is the default graph
# 4: ... of the *current* ones only; older versions of a review keep their own named graphs
STORE_FORMAT = 4
# Named graphs whose IRI ends so hold the review's own words: read by the local pages only,
# never exported, never copied into the default graph, never visible to /sparql.
PRIVATE_SUFFIX = "/sentences"
WRITE_LOCK = ".write.lock"
# What answers read, precomputed by each publish beside its store (see kg.answers.index).
ANSWER_INDEX = "answers.json"


def current_build(root: Path) -> Path | None:
    """The directory that ``current`` points at, or None before the first build."""
    link = root / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / "oxigraph").is_dir() else None


Finisher = Callable[[GraphStore, Path], None]


def publish(
    dataset: Dataset,
    root: Path,
    info: Mapping[str, Any],
    current: Collection[str] | None = None,
    finish: Finisher | None = None,
) -> Path:
    """Write the dataset as a new build and make it current; returns the build directory.

    ``current`` names the graphs that answers read by default (the newest version of each
    review); every named graph is current when it is not given.  ``finish`` is given the new
    build, read-only, before it is swapped in, to write what is derived from it (see
    :mod:`kg.answers.index`).  One writer at a time: a second publish waits for the first.
    """
    root.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(root / WRITE_LOCK):
        return _publish(dataset, root, info, current, finish)


def _publish(
    dataset: Dataset,
    root: Path,
    info: Mapping[str, Any],
    current: Collection[str] | None,
    finish: Finisher | None,
) -> Path:
    names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
    chosen = set(names if current is None else current)

    def fill(folder: Path) -> tuple[int, list[str]]:
        store = ox.Store(str(folder))
        store.bulk_extend(iter_ox_quads(dataset))
        quads = len(store)
        # Queries read the default graph, which holds the union of the current named graphs
        # once.  Oxigraph's own union view repeats a triple per graph that holds it, and joins
        # over those repeats explode (see docs/benchmarks.md).
        store.bulk_extend(_union_of(dataset, {n for n in chosen if not n.endswith(PRIVATE_SUFFIX)}))
        store.flush()
        return quads, sorted(n for n in names if n in chosen)

    return publish_build(root, info, fill, finish)


Filler = Callable[[Path], tuple[int, list[str]]]


def publish_build(
    root: Path, info: Mapping[str, Any], fill: Filler, finish: Finisher | None = None
) -> Path:
    """Make a new build with ``fill`` and swap it in; the caller holds the write lock.

    ``fill`` gets the (new, empty) folder of the pyoxigraph store, writes the store there and
    returns its number of named-graph quads and its current graphs.  Everything after it is
    shared by every way of building: the answer index, ``build.json``, fsync, the swap.
    """
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{info.get('digest', 'x')[:8]}"
    partial = builds / f"{name}-{os.getpid()}.partial"
    final = builds / name
    attempt = 1
    while final.exists():  # several builds within one second
        attempt += 1
        final = builds / f"{name}-{attempt}"
    try:
        partial.mkdir(parents=True)
        quads, current = fill(partial / "oxigraph")
        gc.collect()
        if finish is not None:
            private = [n for n in current if n.endswith(PRIVATE_SUFFIX)]
            finish(
                EmbeddedStore(ox.Store.read_only(str(partial / "oxigraph")), partial, private),
                partial,
            )
            gc.collect()
        payload = {
            **info,
            "store_format": STORE_FORMAT,
            "quads": quads,
            "current_graphs": current,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        BuildRecord(payload).write(partial)
        sync_folder(partial / "oxigraph")
        partial.rename(final)
        sync_folder(builds)
        swap_current(root, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    prune(root)
    return final


def _union_of(dataset: Dataset, graphs: set[str]) -> Iterator[ox.Quad]:
    for quad in iter_ox_quads(dataset):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in graphs:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


def swap_current(root: Path, target: Path) -> None:
    """Point ``current`` at ``target`` in one atomic step."""
    tmp = root / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target.relative_to(root))
    tmp.replace(root / "current")
    sync_folder(root)


def prune(root: Path, keep: int = KEEP_BUILDS) -> None:
    """Delete old builds and leftovers of killed builds, never the current one.

    A server that has not yet noticed a newer build may still read the previous one, so the
    newest ``keep`` builds (at least two) are always kept.
    """
    keep = max(keep, 2)
    builds = root.resolve() / "builds"
    current = current_build(root)
    # Oldest first by modification time, not by name: a clock stepping back must not make
    # the newest build look oldest.  Paths are resolved so the current one is recognised.
    finished = sorted(
        (p.resolve() for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
        key=lambda p: p.stat().st_mtime_ns,
    )
    stale = [p for p in finished[:-keep] if p != current]
    stale += [p for p in builds.iterdir() if p.name.endswith(".partial") and _is_abandoned(p)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _is_abandoned(partial: Path) -> bool:
    """A partial build whose writer is gone (killed or crashed)."""
    pid = partial.name.rsplit("-", 1)[-1].removesuffix(".partial")
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def is_private(graph: object) -> bool:
    """A named graph that holds the review's own words."""
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(PRIVATE_SUFFIX)


def load_query(name: str) -> str:
    """The text of ``kg/store/queries/<name>.rq``."""
    return files("kg.store").joinpath("queries", f"{name}.rq").read_text(encoding="utf-8")


class EmbeddedStore:
    """A read-only view of one published build on disk (or of a view in memory).

    The default graph is the current snapshot: the newest version of each review.  A
    :meth:`snapshot` shows another choice of versions the same way.
    """

    def __init__(
        self,
        store: ox.Store,
        build_dir: Path | None,
        private: Collection[str] | None = None,
        versions: Mapping[str, int] | None = None,
        *,
        info: Mapping[str, Any] | None = None,
        build_id: str | None = None,
    ) -> None:
        self._store = store
        # The build's folder; None for a view copied from a remote store (kg.store.remote.reader).
        self.build_dir = build_dir
        self._info_override = dict(info) if info is not None else None
        self._id = build_id
        self._queries: dict[str, str] = {}
        self._private = (
            [ox.NamedNode(g) for g in private]
            if private is not None
            else [g for g in store.named_graphs() if is_private(g)]
        )
        # The versions shown, when this is a snapshot other than the current one.
        self.versions: Mapping[str, int] = dict(versions or {})

    @classmethod
    def open(cls, root: Path) -> EmbeddedStore:
        """Open the current build read-only; a clear error when there is none."""
        build = current_build(root)
        if build is None:
            raise StoreError(f"no built graph under {root}: run `evkg build` first")
        try:
            record = BuildRecord.read(build)
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"the build at {build} has no readable build.json: run `evkg build` again"
            ) from exc
        if record.store_format != STORE_FORMAT:
            raise StoreError(
                f"the store at {build} was built by another version of evidence-graph: "
                "run `evkg build` again"
            )
        private = [g for g in record.current_graphs if g.endswith(PRIVATE_SUFFIX)]
        try:
            return cls(ox.Store.read_only(str(build / "oxigraph")), build, private)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {build}: {exc}") from exc

    @property
    def build_id(self) -> str:
        """What tells this build from any other (its folder's name)."""
        if self._id is not None:
            return self._id
        return self.build_dir.name if self.build_dir is not None else "memory"

    @property
    def info(self) -> dict[str, Any]:
        """The build's ``build.json``."""
        if self._info_override is not None:
            return dict(self._info_override)
        if self.build_dir is None:
            return {}
        return BuildRecord.read(self.build_dir).as_dict()

    @property
    def record(self) -> BuildRecord:
        """The build's record, typed."""
        return BuildRecord(self.info)

    def answer_index(self) -> dict[str, Any] | None:
        """The build's precomputed answers as written (:mod:`kg.answers.index` reads them)."""
        if self.versions or self.build_dir is None:
            return None
        path = self.build_dir / ANSWER_INDEX
        if not path.is_file():
            return None
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def run_public_query(
        self,
        query: str,
        kind: str,
        *,
        seconds: float,
        row_cap: int,
        dataset: QueryDataset = PUBLISHED,
    ) -> PublicAnswer:
        """A vetted ``/sparql`` query, in a child process that is killed at the deadline.

        ``kind`` is the query's form (select, ask, construct, describe).
        """
        from kg.store.worker import run_with_deadline

        if self.build_dir is None:
            raise StoreError("this view has no store on disk to query")
        return run_with_deadline(
            str(self.build_dir / "oxigraph"),
            query,
            seconds=seconds,
            row_cap=row_cap,
            dataset=dataset,
        )

    def graph_names(self) -> list[str]:
        """Every named graph of the build, private ones included."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def snapshot(self, graphs: Collection[str], versions: Mapping[str, int]) -> EmbeddedStore:
        """A view whose default graph is the union of ``graphs``: another choice of versions.

        It is copied into memory once (a review is a few thousand triples) so that its
        queries see each triple once, as they do on the current snapshot.
        """
        view = ox.Store()
        wanted = [ox.NamedNode(g) for g in graphs]
        view.bulk_extend(
            ox.Quad(
                q.subject,
                q.predicate,
                q.object,
                q.graph_name if is_private(g) else ox.DefaultGraph(),
            )
            for g in wanted
            for q in self._store.quads_for_pattern(None, None, None, g)
        )
        return EmbeddedStore(
            view,
            self.build_dir,
            [g.value for g in wanted if is_private(g)],
            versions,
            info=self._info_override,
            build_id=self._id,
        )

    def select(self, name: str, **bindings: str) -> list[Row]:
        """Run a prepared SELECT with IRIs bound by variable name; values come back as text."""
        query = self._queries.setdefault(name, load_query(name))
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()
        }
        solutions = self._store.query(
            query, substitutions=substitutions, default_graph=[ox.DefaultGraph(), *self._private]
        )
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError(f"the prepared query {name!r} returns no table of rows")
        names = [v.value for v in solutions.variables]
        return [{n: _text(row[n]) for n in names} for row in solutions]

    def quads(self, current_only: bool = False) -> Iterator[ox.Quad]:
        """Every public quad of the named graphs, or only the current snapshot's triples.

        The current snapshot comes from the default graph (the union of the current graphs),
        so its quads have no graph name.
        """
        if current_only:
            return iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return (
            q
            for q in self._store.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph) and not is_private(q.graph_name)
        )

    def about(self, iri: str) -> list[ox.Triple]:
        """Every triple of the current snapshot whose subject is ``iri``."""
        pattern = self._store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())
        return [q.triple for q in pattern]

    def to_dataset(self, current_only: bool = False) -> Dataset:
        """The store copied into an rdflib Dataset, for serialisers and comparisons."""
        return to_dataset(self.quads(current_only))

    def __len__(self) -> int:
        """Every quad of the named graphs, private ones included."""
        return sum(
            1
            for q in self._store.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        )


def _text(term: Any) -> str | None:
    if term is None:
        return None
    return str(term.value)
