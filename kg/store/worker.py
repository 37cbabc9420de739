"""Run vetted SPARQL queries in child processes that the parent can kill at a deadline.

pyoxigraph cannot interrupt a running query from Python, so a runaway query is stopped by
ending the process that runs it; the web server's own threads keep serving.  Starting a
process per query capped ``/sparql`` at about 25 requests a second, so a few processes are
kept warm per published build (:class:`WorkerPool`), each with the store open: a query that
finishes in time leaves its process ready for the next, and one that does not is killed with
it and replaced.  Each process runs without a network where the system allows it.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
from functools import cache
from typing import IO, Any

from kg.store.results import PUBLISHED, PublicAnswer, QueryDataset, Term, term_json


@cache
def _opened(store_path: str) -> tuple[Any, list[Any]]:
    """The build's store, opened once per process, and its public named graphs."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    # Only the public graphs: the review's own words stay out of reach (kg.store.embedded).
    public = [g for g in store.named_graphs() if not g.value.endswith("/sentences")]
    return store, public


def evaluate(
    store_path: str,
    query: str,
    row_cap: int,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> dict[str, Any]:
    """Run a query; the result as a JSON-ready dict: kind, payload, truncated, or an error.

    ``default_graphs`` and ``named_graphs`` name the dataset (see
    :class:`kg.store.results.QueryDataset`); only public graphs are ever read.
    """
    import pyoxigraph as ox

    try:
        store, public = _opened(store_path)
        default: Any = ox.DefaultGraph()
        named = public
        if default_graphs is not None or named_graphs is not None:
            allowed = {g.value for g in public}
            default = [ox.NamedNode(g) for g in default_graphs or () if g in allowed]
            named = [ox.NamedNode(g) for g in named_graphs or () if g in allowed]
        results = store.query(query, default_graph=default, named_graphs=named)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows: list[list[Term | None]] = []
            truncated = False
            for solution in results:
                if len(rows) == row_cap:
                    truncated = True
                    break
                rows.append([term_json(solution[v]) for v in variables])
            return {
                "kind": "select",
                "payload": {"vars": variables, "rows": rows},
                "truncated": truncated,
            }
        if isinstance(results, ox.QueryBoolean):
            return {"kind": "ask", "payload": bool(results), "truncated": False}
        triples: list[str] = []
        truncated = False
        for triple in results:
            if len(triples) == row_cap:
                truncated = True
                break
            triples.append(str(triple) + " .")
        return {"kind": "graph", "payload": triples, "truncated": truncated}
    except SyntaxError as exc:
        # Our own parser's word on the query's text: safe, and what its author needs.
        return {"kind": "error", "payload": f"not a SPARQL query: {exc}", "truncated": False}
    except Exception as exc:
        # Only the kind of error goes back: the message could carry another server's reply.
        return {"kind": "error", "payload": type(exc).__name__, "truncated": False}


@cache
def _no_network() -> tuple[str, ...]:
    """A prefix that runs a command with no network (a new, empty network namespace).

    Where user namespaces are not available the guard in :mod:`kg.store.guard` is the only
    defence; where they are, a query that slipped past it still could not reach anything.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    return (unshare, "-rn") if probe.returncode == 0 else ()


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


# Processes kept warm per build; more queries at once wait for one (up to their deadline).
POOL_SIZE = 2
_MAX_LINE = 256 * 1024 * 1024  # a worker's answer is capped by rows; this guards the parent


class _Worker:
    """One child process with the store open, answering one JSON line per query."""

    def __init__(self, store_path: str) -> None:
        self.process = subprocess.Popen(
            [*_no_network(), sys.executable, "-m", "kg.store.worker", store_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # could carry data: never read
        )
        self._pending = b""
        self.broken = False  # its output can no longer be trusted to start at an answer

    def ask(
        self, query: str, row_cap: int, deadline: float, dataset: QueryDataset
    ) -> dict[str, Any] | None:
        """The worker's answer, or None if the deadline passed first.

        After None the worker is still busy with the query and must be stopped.
        """
        stdin = self.process.stdin
        assert stdin is not None  # noqa: S101
        line = (
            json.dumps(
                {
                    "query": query,
                    "row_cap": row_cap,
                    "default_graphs": dataset.default_graphs,
                    "named_graphs": dataset.named_graphs,
                }
            )
            + "\n"
        )
        try:
            stdin.write(line.encode("utf-8"))
            stdin.flush()
        except OSError:
            self.broken = True
            return {"kind": "error", "payload": "worker failed", "truncated": False}
        answer = self._read_line(deadline)
        if answer is None:
            return None
        if not answer:
            self.broken = True
            return {"kind": "error", "payload": "worker failed", "truncated": False}
        result: dict[str, Any] = json.loads(answer)
        return result

    def _read_line(self, deadline: float) -> bytes | None:
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None  # noqa: S101
        fd = stdout.fileno()
        chunks = [self._pending]
        size = len(self._pending)
        # poll, not select: a busy server's descriptors may be numbered past select's 1,024.
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while b"\n" not in chunks[-1]:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b""  # the worker died
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_LINE:
                return b""
        data = b"".join(chunks)
        line, _, self._pending = data.partition(b"\n")
        if self._pending:
            self.broken = True  # more than one answer to one question: never trust it again
        return line

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class WorkerPool:
    """Warm query processes for one published build's store."""

    def __init__(self, store_path: str, size: int = POOL_SIZE) -> None:
        self.store_path = store_path
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._closed = False

    def run(
        self, query: str, *, seconds: float, row_cap: int, dataset: QueryDataset = PUBLISHED
    ) -> PublicAnswer:
        """Evaluate within ``seconds`` (waiting for a free process counts too)."""
        deadline = time.monotonic() + seconds
        if not self._slots.acquire(timeout=seconds):
            raise QueryTimeout(f"the query could not start within {seconds:g} s")
        try:
            worker = self._take()
            try:
                result = worker.ask(query, row_cap, deadline, dataset)
            except BaseException:
                worker.stop()
                raise
            if result is None:
                worker.stop()
                raise QueryTimeout(f"the query took longer than {seconds:g} s and was stopped")
            self._give_back(worker)
        finally:
            self._slots.release()
        return PublicAnswer(result["kind"], result["payload"], bool(result["truncated"]))

    def close(self) -> None:
        """Stop the idle processes; busy ones stop when their query ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                worker.stop()
        return _Worker(self.store_path)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.alive and not worker.broken and not self._closed:
                self._idle.append(worker)
                return
        worker.stop()


_pools: dict[str, WorkerPool] = {}
_pools_lock = threading.Lock()


def run_with_deadline(
    store_path: str,
    query: str,
    *,
    seconds: float,
    row_cap: int,
    dataset: QueryDataset = PUBLISHED,
) -> PublicAnswer:
    """Evaluate on a warm process for this store; stop it at the deadline.

    Pools of builds other than the newest two are closed as a new build is queried, so a
    process never keeps an old build open for long.
    """
    with _pools_lock:
        pool = _pools.get(store_path)
        if pool is None:
            pool = _pools[store_path] = WorkerPool(store_path)
            for old in list(_pools)[:-2]:
                _pools.pop(old).close()
    return pool.run(query, seconds=seconds, row_cap=row_cap, dataset=dataset)


def main() -> None:
    """Child side: one JSON query per line on stdin, one JSON answer per line on stdout."""
    store_path = sys.argv[1]
    for line in sys.stdin.buffer:
        request = json.loads(line)
        answer = evaluate(
            store_path,
            request["query"],
            int(request["row_cap"]),
            request.get("default_graphs"),
            request.get("named_graphs"),
        )
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
