"""Compare the embedded RDF stores we could ship: load time, memory and query latency.

Every (candidate, query) pair runs in a fresh child process (``--child NAME --query Q``)
that loads the data and then runs that one query: peak RSS and the first ("cold") run
are not polluted by anything else, and a runaway query is killed after ``--timeout``
without losing the other measurements.  All candidates answer the same SPARQL text;
values are bound through the engine's own API (rdflib ``initBindings``, pyoxigraph
``substitutions``), never formatted into the query.

    python -m bench.stores --nquads /tmp/syn100k.nq --label syn100k --repeat 20 --json
    python -m bench.stores --size 100k          # generate the synthetic library first
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.synthetic import COMMON_MECHANISM, POPULAR_SOURCE, RARE_MECHANISM, generate

# The synthetic library has one version per review, so every named graph is current.
MATERIALISE_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

ROOT = Path(__file__).resolve().parent.parent

PREFIXES = """\
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX evkg: <https://w3id.org/evkg/vocab#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# pyoxigraph only substitutes variables that the SELECT clause projects, so bound
# variables (?concept, ?source) are projected too.
# Shared sources are described in every review graph that cites them, and Oxigraph's
# union default graph keeps one copy per graph (rdflib's does not), so the queries use
# GROUP BY / DISTINCT to return the same rows on every store.
LIST_SOURCES = """
SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?y) AS ?year) (MIN(?n) AS ?firstAuthor)
WHERE {
  ?source a evkg:Source .
  OPTIONAL { ?source dcterms:title ?t }
  OPTIONAL { ?source dcterms:issued ?y }
  OPTIONAL { ?source bibo:authorList/rdf:_1/foaf:name ?n }
}
GROUP BY ?source
ORDER BY ?title ?source
"""

SUPPORTS = """
SELECT DISTINCT ?concept ?claim ?source ?title ?year
WHERE {
  ?claim evkg:mechanism ?concept ;
         evkg:stance evkg:supports ;
         cito:citesAsEvidence ?source .
  ?source dcterms:title ?title ;
          dcterms:issued ?year .
}
ORDER BY ?claim ?title
"""

GAPMAP = """
SELECT ?mechanism ?mechanismLabel ?outcome ?outcomeLabel (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  ?claim evkg:mechanism ?mechanism ;
         evkg:outcome ?outcome ;
         cito:citesAsEvidence ?source .
  ?mechanism skos:prefLabel ?mechanismLabel .
  ?outcome skos:prefLabel ?outcomeLabel .
}
GROUP BY ?mechanism ?mechanismLabel ?outcome ?outcomeLabel
ORDER BY ?mechanismLabel ?outcomeLabel
"""

WHERE_CITED = """
SELECT DISTINCT ?source ?kind ?citer ?title
WHERE {
  { ?citer cito:cites ?source .
    BIND ("review" AS ?kind)
    OPTIONAL { ?citer dcterms:title ?title } }
  UNION
  { ?citer cito:citesAsEvidence ?source .
    BIND ("claim" AS ?kind) }
}
ORDER BY ?kind ?citer
"""


@dataclass(frozen=True)
class Query:
    """One benchmark query: SPARQL text plus IRIs bound to some of its variables."""

    name: str
    sparql: str
    bindings: Mapping[str, str] = field(default_factory=dict)


QUERIES: tuple[Query, ...] = (
    Query("list_sources", PREFIXES + LIST_SOURCES),
    Query("supports_common", PREFIXES + SUPPORTS, {"concept": COMMON_MECHANISM}),
    Query("supports_rare", PREFIXES + SUPPORTS, {"concept": RARE_MECHANISM}),
    Query("gapmap", PREFIXES + GAPMAP),
    Query("where_cited", PREFIXES + WHERE_CITED, {"source": POPULAR_SOURCE}),
)


@dataclass
class QueryResult:
    """Latency of one query on one candidate, in milliseconds (None when it timed out)."""

    name: str
    rows: int | None = None
    cold_ms: float | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    timeout_s: float | None = None


@dataclass
class ChildResult:
    """What one child process measured: a load, then one query cold and warm."""

    triples: int
    load_s: float
    reopen_s: float | None
    disk_mb: float | None
    peak_rss_mb: float
    query: QueryResult

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChildResult:
        """Rebuild from the child's JSON."""
        return cls(**{**data, "query": QueryResult(**data["query"])})


@dataclass
class CandidateResult:
    """One candidate over all queries: loads are medians, peak RSS the maximum."""

    candidate: str
    triples: int
    load_s: float
    reopen_s: float | None
    peak_rss_mb: float
    disk_mb: float | None
    queries: list[QueryResult]


Runner = Callable[[Query], int]
"""Runs a query once, consuming every row, and returns the number of rows."""


@dataclass
class Loaded:
    """A candidate after loading: its size, timings and how to run a query on it."""

    triples: int
    load_s: float
    run: Runner
    reopen_s: float | None = None
    disk_mb: float | None = None


def _rdflib_runner(ds: rdflib.Dataset) -> Runner:
    from rdflib import URIRef

    def run(query: Query) -> int:
        bindings = {k: URIRef(v) for k, v in query.bindings.items()}
        return len(list(ds.query(query.sparql, initBindings=bindings)))

    return run


def _oxigraph_runner(store: pyoxigraph.Store, union: bool = True) -> Runner:
    import pyoxigraph as ox

    def run(query: Query) -> int:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        subs = {ox.Variable(k): ox.NamedNode(v) for k, v in query.bindings.items()}
        result = store.query(query.sparql, use_default_graph_as_union=union, substitutions=subs)
        assert isinstance(result, ox.QuerySolutions)
        return len([tuple(solution) for solution in result])

    return run


@contextmanager
def rdflib_memory(nquads: Path) -> Iterator[Loaded]:
    """rdflib's default in-memory store, queried by rdflib's SPARQL engine."""
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    start = time.perf_counter()
    ds.parse(str(nquads), format="nquads")
    load_s = time.perf_counter() - start
    yield Loaded(sum(1 for _ in ds.quads()), load_s, _rdflib_runner(ds))


def _oxigraph_on_disk(nquads: Path, materialise: bool) -> Iterator[Loaded]:
    """Bulk load into RocksDB, close, then reopen read-only as a server would."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="evkg-bench-") as tmp:
        path = Path(tmp) / "store"
        store = ox.Store(str(path))
        start = time.perf_counter()
        store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
        if materialise:
            store.update(MATERIALISE_UNION)
            store.flush()
        load_s = time.perf_counter() - start
        del store
        gc.collect()
        disk_mb = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
        start = time.perf_counter()
        store = ox.Store.read_only(str(path))
        reopen_s = time.perf_counter() - start
        run = _oxigraph_runner(store, union=not materialise)
        yield Loaded(len(store), load_s, run, reopen_s, disk_mb)


@contextmanager
def oxigraph_disk(nquads: Path) -> Iterator[Loaded]:
    """pyoxigraph on RocksDB, queried through Oxigraph's union view of the named graphs."""
    yield from _oxigraph_on_disk(nquads, materialise=False)


@contextmanager
def oxigraph_disk_materialised(nquads: Path) -> Iterator[Loaded]:
    """What `evkg build` does: the union copied once into the default graph at load time.

    Oxigraph's union default graph keeps a triple once per named graph that holds it (upstream
    issue 1919), which multiplies joins; a materialised default graph holds each triple once.
    """
    yield from _oxigraph_on_disk(nquads, materialise=True)


@contextmanager
def oxrdflib_store(nquads: Path) -> Iterator[Loaded]:
    """In-memory Oxigraph behind rdflib's API (the oxrdflib "Oxigraph" store plugin)."""
    import rdflib

    ds = rdflib.Dataset(store="Oxigraph", default_union=True)
    start = time.perf_counter()
    # "ox-nquads" hands the file to Oxigraph's own parser; transactional=False uses bulk_load.
    ds.parse(str(nquads), format="ox-nquads", transactional=False)
    load_s = time.perf_counter() - start
    yield Loaded(sum(1 for _ in ds.quads()), load_s, _rdflib_runner(ds))


CANDIDATES: dict[str, Callable[[Path], AbstractContextManager[Loaded]]] = {
    "rdflib-memory": rdflib_memory,
    "oxigraph-disk": oxigraph_disk,
    "oxigraph-disk-materialised": oxigraph_disk_materialised,
    "oxrdflib": oxrdflib_store,
}


def _p95(samples: Sequence[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def measure_query(run: Runner, query: Query, repeat: int) -> QueryResult:
    """Run ``query`` once cold and ``repeat`` more times; summarise the warm runs."""
    times: list[float] = []
    rows = 0
    for _ in range(repeat + 1):
        start = time.perf_counter()
        rows = run(query)
        times.append((time.perf_counter() - start) * 1000)
    warm = times[1:]
    return QueryResult(query.name, rows, times[0], statistics.median(warm), _p95(warm))


def run_child(name: str, query: Query, nquads: Path, repeat: int) -> ChildResult:
    """Load one candidate and time one query, in this process (meant to be a fresh child)."""
    with CANDIDATES[name](nquads) as loaded:
        result = measure_query(loaded.run, query, repeat)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return ChildResult(
        loaded.triples, loaded.load_s, loaded.reopen_s, loaded.disk_mb, peak_kib / 1024, result
    )


def spawn_child(
    name: str, query: Query, nquads: Path, repeat: int, timeout_s: float, tmp: Path
) -> ChildResult | None:
    """Run ``python -m bench.stores --child NAME --query Q``; None if it ran out of time.

    The child's TMPDIR is ``tmp``, so a killed child's store is still cleaned up by the parent.
    """
    cmd = [sys.executable, "-m", "bench.stores", "--child", name, "--query", query.name,
           "--nquads", str(nquads), "--repeat", str(repeat)]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env={**os.environ, "TMPDIR": str(tmp)},
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has already killed the child
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"{name}/{query.name} failed (exit {proc.returncode}):\n{proc.stderr}")
    return ChildResult.from_dict(json.loads(proc.stdout.splitlines()[-1]))


def measure_candidate(
    name: str, nquads: Path, repeat: int, timeout_s: float, tmp: Path
) -> CandidateResult:
    """One fresh child per query, so every cold run is a first query and a runaway is contained."""
    children: list[ChildResult] = []
    queries: list[QueryResult] = []
    for query in QUERIES:
        print(f"  {name} / {query.name} ...", file=sys.stderr, flush=True)
        child = spawn_child(name, query, nquads, repeat, timeout_s, tmp)
        if child is None:
            queries.append(QueryResult(query.name, timeout_s=timeout_s))
        else:
            children.append(child)
            queries.append(child.query)
    if not children:
        raise RuntimeError(f"{name}: every query timed out after {timeout_s} s")
    reopens = [c.reopen_s for c in children if c.reopen_s is not None]
    return CandidateResult(
        candidate=name,
        triples=children[0].triples,
        load_s=statistics.median(c.load_s for c in children),
        reopen_s=statistics.median(reopens) if reopens else None,
        peak_rss_mb=max(c.peak_rss_mb for c in children),
        disk_mb=children[0].disk_mb,
        queries=queries,
    )


def machine_info() -> dict[str, str]:
    """Versions and hardware, so numbers from different machines are not mixed up."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": models[0] if models else platform.processor(),
        "nproc": str(os.cpu_count()),
    }
    for dist in ("rdflib", "pyoxigraph", "oxrdflib"):
        info[dist] = importlib.metadata.version(dist)
    return info


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(label: str, repeat: int, results: Sequence[CandidateResult]) -> str:
    """Two tables: load and memory per candidate, then latency per query and candidate."""
    lines = [
        f"### {label} ({results[0].triples:,} quads, {repeat} warm runs per query)",
        "",
        "| candidate | quads | load s | reopen s | peak RSS MB | on disk MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.candidate} | {r.triples:,} | {_fmt(r.load_s, 2)} | {_fmt(r.reopen_s, 3)} "
            f"| {_fmt(r.peak_rss_mb)} | {_fmt(r.disk_mb)} |"
        )
    lines += [
        "",
        "| query | candidate | rows | cold ms | median ms | p95 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    warnings = []
    for i, query in enumerate(QUERIES):
        for r in results:
            q = r.queries[i]
            if q.timeout_s is not None:
                lines.append(f"| {q.name} | {r.candidate} | - | timeout > {q.timeout_s:g} s | | |")
                continue
            lines.append(
                f"| {q.name} | {r.candidate} | {q.rows} | {_fmt(q.cold_ms)} "
                f"| {_fmt(q.median_ms)} | {_fmt(q.p95_ms)} |"
            )
        counts = {r.candidate: r.queries[i].rows for r in results if r.queries[i].rows is not None}
        if len(set(counts.values())) > 1:
            warnings.append(f"**Row counts differ for {query.name}: {counts}**")
    return "\n".join([*lines, "", *warnings])


def _size(text: str) -> int:
    """Parse 100000, 100k or 1m."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(text[:-1] if scale > 1 else text) * scale


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = parser.add_mutually_exclusive_group(required=True)
    data.add_argument("--nquads", type=Path, help="N-Quads file to load")
    data.add_argument("--size", type=_size, help="generate a synthetic library (e.g. 100k)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --size")
    parser.add_argument("--label", help="name for this data set (default: from the data)")
    parser.add_argument("--repeat", type=int, default=30, help="warm runs per query (>= 1)")
    parser.add_argument(
        "--candidates", default=",".join(CANDIDATES), help="comma-separated subset to run"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds allowed per child (load + query)"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--child", choices=sorted(CANDIDATES), help=argparse.SUPPRESS)
    parser.add_argument("--query", choices=[q.name for q in QUERIES], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if args.child:
        query = next(q for q in QUERIES if q.name == args.query)
        result = run_child(args.child, query, args.nquads.resolve(), args.repeat)
        print(json.dumps(asdict(result)))
        return

    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CANDIDATES))
    if unknown:
        parser.error(f"unknown candidates: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="evkg-bench-") as tmp:
        if args.size is not None:
            nquads = Path(tmp) / f"synthetic-{args.size}-seed{args.seed}.nq"
            nquads.write_text(generate(args.size, args.seed), encoding="utf-8")
        else:
            nquads = args.nquads.resolve()
        results = [
            measure_candidate(n, nquads, args.repeat, args.timeout, Path(tmp)) for n in names
        ]
    label = args.label or nquads.stem
    info = machine_info()
    print(markdown(label, args.repeat, results))
    print("\n" + ", ".join(f"{k}: {v}" for k, v in info.items()))
    if args.json:
        report = {"label": label, "nquads": str(nquads), "repeat": args.repeat,
                  "timeout_s": args.timeout, "machine": info,
                  "results": [asdict(r) for r in results]}  # fmt: skip
        print(json.dumps(report))


if __name__ == "__main__":
    main()
