"""Compare the embedded RDF stores we could ship: load time, memory and query latency.

Each candidate runs in a fresh child process (``--child NAME``) so that its peak RSS
and its first ("cold") query are not polluted by another candidate.  All candidates
answer the same SPARQL text; values are bound through the engine's own binding API
(rdflib ``initBindings``, pyoxigraph ``substitutions``), never formatted into the query.

    python -m bench.stores --nquads var/syn100k.nq --label syn100k --repeat 20 --json
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

from bench.synthetic import COMMON_MECHANISM, POPULAR_SOURCE, RARE_MECHANISM

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT_S = 600

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
    """Latency of one query on one candidate, in milliseconds."""

    name: str
    rows: int
    cold_ms: float
    median_ms: float
    p95_ms: float


@dataclass
class CandidateResult:
    """Everything measured for one candidate in one child process."""

    candidate: str
    triples: int
    load_s: float
    reopen_s: float | None
    peak_rss_mb: float
    disk_mb: float | None
    queries: list[QueryResult]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CandidateResult:
        queries = [QueryResult(**q) for q in data.pop("queries")]
        return cls(**data, queries=queries)


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


def _oxigraph_runner(store: pyoxigraph.Store) -> Runner:
    import pyoxigraph as ox

    def run(query: Query) -> int:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        subs = {ox.Variable(k): ox.NamedNode(v) for k, v in query.bindings.items()}
        result = store.query(query.sparql, use_default_graph_as_union=True, substitutions=subs)
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


@contextmanager
def oxigraph_disk(nquads: Path) -> Iterator[Loaded]:
    """pyoxigraph on RocksDB: bulk load, close, then reopen read-only as a server would."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="evkg-bench-") as tmp:
        path = Path(tmp) / "store"
        store = ox.Store(str(path))
        start = time.perf_counter()
        store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
        load_s = time.perf_counter() - start
        del store
        gc.collect()
        disk_mb = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
        start = time.perf_counter()
        store = ox.Store.read_only(str(path))
        reopen_s = time.perf_counter() - start
        yield Loaded(len(store), load_s, _oxigraph_runner(store), reopen_s, disk_mb)


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


def run_child(name: str, nquads: Path, repeat: int) -> CandidateResult:
    """Measure one candidate in this process (meant to be a fresh child)."""
    with CANDIDATES[name](nquads) as loaded:
        queries = [measure_query(loaded.run, q, repeat) for q in QUERIES]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return CandidateResult(
        name, loaded.triples, loaded.load_s, loaded.reopen_s, peak_kib / 1024,
        loaded.disk_mb, queries,
    )  # fmt: skip


def spawn_child(name: str, nquads: Path, repeat: int) -> CandidateResult:
    """Run ``python -m bench.stores --child NAME`` and parse the JSON it prints."""
    cmd = [sys.executable, "-m", "bench.stores", "--child", name,
           "--nquads", str(nquads), "--repeat", str(repeat)]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed (exit {proc.returncode}):\n{proc.stderr}")
    return CandidateResult.from_dict(json.loads(proc.stdout.splitlines()[-1]))


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
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(label: str, repeat: int, results: Sequence[CandidateResult]) -> str:
    """Two tables: load/memory per candidate, then latency per query and candidate."""
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
            lines.append(
                f"| {q.name} | {r.candidate} | {q.rows} | {_fmt(q.cold_ms)} "
                f"| {_fmt(q.median_ms)} | {_fmt(q.p95_ms)} |"
            )
        counts = {r.candidate: r.queries[i].rows for r in results}
        if len(set(counts.values())) > 1:
            warnings.append(f"**Row counts differ for {query.name}: {counts}**")
    return "\n".join([*lines, "", *warnings])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nquads", type=Path, required=True, help="N-Quads file to load")
    parser.add_argument("--label", help="name for this data set (default: file stem)")
    parser.add_argument("--repeat", type=int, default=30, help="warm runs per query (>= 1)")
    parser.add_argument(
        "--candidates", default=",".join(CANDIDATES), help="comma-separated subset to run"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--child", choices=sorted(CANDIDATES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    nquads: Path = args.nquads.resolve()

    if args.child:
        print(json.dumps(asdict(run_child(args.child, nquads, args.repeat))))
        return

    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CANDIDATES))
    if unknown:
        parser.error(f"unknown candidates: {', '.join(unknown)}")
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(spawn_child(name, nquads, args.repeat))
    label = args.label or nquads.stem
    info = machine_info()
    print(markdown(label, args.repeat, results))
    print("\n" + ", ".join(f"{k}: {v}" for k, v in info.items()))
    if args.json:
        report = {"label": label, "nquads": str(nquads), "repeat": args.repeat,
                  "machine": info, "results": [asdict(r) for r in results]}  # fmt: skip
        print(json.dumps(report))


if __name__ == "__main__":
    main()
