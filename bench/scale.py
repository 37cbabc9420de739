"""``make bench SIZE=10k|100k|1M|2M``: our answer path beside rdflib and raw pyoxigraph.

One run, three contenders, on one synthetic library (``bench/library.py``) built by our own
pipeline:

- **ours**: the web app (``create_app``) answering ``/api/ask`` through Flask's test client,
  so parsing the question, finding concepts, claims, sources and profiles and writing JSON
  all count;
- **rdflib**: the current snapshot loaded into a plain ``rdflib.Graph`` and the same
  questions asked with rdflib's SPARQL (what a user would pick first);
- **pyoxigraph**: the same SPARQL on our published store (the store's own limit).

Each contender runs in its own process, so start-up and peak memory are its own.  It prints
a Markdown table, then one line of JSON with the figures the issue asks for.  Libraries are
kept under ``var/bench/<size>`` and built once per size and seed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"10k": 3, "100k": 31, "1M": 310, "2M": 620}  # reviews, about 3,200 quads each
COMMON = "hope"
RARE = "insider-knowledge"
SUPPORTS = """\
PREFIX evkg: <https://w3id.org/evkg/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?concept ?claim ?statement ?source ?title WHERE {
  ?tagged skos:broader* ?concept .
  ?claim evkg:mechanism ?tagged ; evkg:stance evkg:Supports ; evkg:statement ?statement ;
         evkg:evidence ?evidence .
  ?evidence evkg:source ?source .
  ?source dcterms:title ?title .
}"""
GAPMAP = """\
PREFIX evkg: <https://w3id.org/evkg/vocab#>
SELECT ?mechanism ?outcome (COUNT(DISTINCT ?source) AS ?sources) WHERE {
  ?claim evkg:mechanism ?mechanism ; evkg:outcome ?outcome ; evkg:evidence ?evidence .
  ?evidence evkg:source ?source .
} GROUP BY ?mechanism ?outcome"""
WHERE_CITED = """\
PREFIX evkg: <https://w3id.org/evkg/vocab#>
SELECT ?source ?claim WHERE { ?claim evkg:evidence ?evidence . ?evidence evkg:source ?source . }"""
CONCEPT = "https://w3id.org/evkg/concept/mechanism/"
# SHACL over the whole library takes longer than the default minute from about 2M triples on
# (every build still validates the current snapshot; see docs/benchmarks.md).
SHACL_SECONDS = 1800.0


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def build_library(size: str, seed: int) -> tuple[Path, float]:
    """The library for a size, built once; returns its folder and the build's seconds."""
    from bench.library import write_library
    from kg.answers.index import INDEX_FORMAT
    from kg.config import Settings
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project
    from kg.store.embedded import STORE_FORMAT

    root = ROOT / "var" / "bench" / f"{size}-seed{seed}"
    marker = root / "built.json"
    layout = f"store {STORE_FORMAT}, answers {INDEX_FORMAT}"
    if marker.is_file():
        built = json.loads(marker.read_text())
        if built.get("layout") == layout:
            return root, float(built["build_s"])
    shutil.rmtree(root, ignore_errors=True)
    write_library(root, SIZES[size], seed)
    settings = Settings(root, root / "reviews", root / "store", shacl_timeout=SHACL_SECONDS)
    started = time.perf_counter()
    build_project(settings, PublishOptions())
    build_s = time.perf_counter() - started
    marker.write_text(json.dumps({"build_s": build_s, "layout": layout}))
    return root, build_s


def _child(code: str, *args: str) -> dict[str, Any]:
    """Run a measurement in its own process; it prints one JSON object."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PRELUDE) + textwrap.dedent(code), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


# Every child program starts with this: its own peak memory, and a timer.
PRELUDE = """
    import json, sys, time
    def peak_mb():
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report
        # its parent's peak; VmHWM belongs to this process's own memory.
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0
    def samples(run, n):
        out = []
        for _ in range(n):
            t = time.perf_counter()
            run()
            out.append(time.perf_counter() - t)
        return out
"""

OURS = """
    started = time.perf_counter()
    from web import create_app
    app = create_app({"EVKG_STORE_DIR": sys.argv[1], "TESTING": True})
    client = app.test_client()
    startup = time.perf_counter() - started
    def ask(path, query):
        def run():
            reply = client.get(path, query_string=query)
            assert reply.status_code == 200, reply.status_code
        return run
    t = time.perf_counter()
    client.get("/api/ask", query_string={"q": "what supports hope"})
    first = time.perf_counter() - t
    repeat = int(sys.argv[2])
    out = {"startup_s": startup, "first_answer_s": first}
    # Cold: the first question about each other concept, before anything about it is kept.
    from kg.rdf.concepts import load_vocabulary
    ids = load_vocabulary().concept_ids()
    out["cold"] = []
    for concept in sorted((ids["mechanisms"] | ids["outcomes"]) - {"hope"}):
        question = "what supports " + concept.replace("-", " ")
        out["cold"] += samples(ask("/api/ask", {"q": question}), 1)
    out["common"] = samples(ask("/api/ask", {"q": "what supports hope"}), repeat)
    out["rare"] = samples(ask("/api/ask", {"q": "what supports insider knowledge"}), repeat)
    out["gapmap"] = samples(ask("/api/gap-map", {}), max(3, repeat // 10))
    out["cited"] = samples(ask("/api/ask", {"q": f"where is {sys.argv[3]} cited"}), repeat)
    out["peak_rss_mb"] = peak_mb()
    print(json.dumps(out))
"""

# The SPARQL contenders: each defines load() and query(text, bindings), then this runs.
SPARQL_RUN = """
    started = time.perf_counter()
    load()
    loaded = time.perf_counter() - started
    supports, gapmap, cited, concept, source, repeat = sys.argv[2:8]
    repeat = int(repeat)
    def ask(text, bindings):
        return lambda: query(text, bindings)
    out = {"load_s": loaded}
    out["common"] = samples(ask(supports, {"concept": concept + "hope"}), repeat)
    out["rare"] = samples(ask(supports, {"concept": concept + "insider-knowledge"}), repeat)
    out["gapmap"] = samples(ask(gapmap, {}), max(1, repeat // 3))
    out["cited"] = samples(ask(cited, {"source": source}), repeat)
    out["peak_rss_mb"] = peak_mb()
    print(json.dumps(out))
"""

RDFLIB = """
    from rdflib import Graph, URIRef
    graph = Graph()
    def load():
        graph.parse(sys.argv[1], format="nt")
    def query(text, bindings):
        list(graph.query(text, initBindings={k: URIRef(v) for k, v in bindings.items()}))
"""

OXIGRAPH = """
    import pyoxigraph as ox
    stores = []
    def load():
        stores.append(ox.Store.read_only(sys.argv[1]))
    def query(text, bindings):
        subs = {ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()}
        list(stores[0].query(text, substitutions=subs))
"""


def add_one_review(root: Path, seed: int) -> float:
    """Seconds to add one review to the library (on a hard-linked copy, left untouched)."""
    from bench.library import add_review
    from kg.config import Settings
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project

    scratch = root.with_name(root.name + "-add")
    shutil.rmtree(scratch, ignore_errors=True)
    # Published builds and archived versions are never modified in place, so a copy made of
    # hard links is safe to build on.
    subprocess.run(["cp", "-al", str(root), str(scratch)], check=True)
    add_review(scratch, seed)
    settings = Settings(
        scratch, scratch / "reviews", scratch / "store", shacl_timeout=SHACL_SECONDS
    )
    started = time.perf_counter()
    build_project(settings, PublishOptions())
    seconds = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)
    return seconds


def main() -> None:
    """Build (once), measure, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from kg.store.embedded import EmbeddedStore, current_build

    root, build_s = build_library(args.size, args.seed)
    store_dir = root / "store"
    store = EmbeddedStore.open(store_dir)
    quads = len(store)
    snapshot = root / "snapshot.nt"
    if not snapshot.is_file():
        import pyoxigraph as ox

        current = (q.triple for q in store.quads(current_only=True))
        ox.serialize(current, output=str(snapshot), format=ox.RdfFormat.N_TRIPLES)
    triples = sum(1 for _ in store.quads(current_only=True))
    # The shared source that most claims cite, for "where is SOURCE cited".
    from collections import Counter

    from kg.answers.read_model import read_model

    knowledge = read_model(store).knowledge
    gc.collect()
    gc.freeze()  # as the web app does once a build's answers are loaded
    cited = Counter(k for c in knowledge.claims.values() for k in c.keys if k.startswith("shared"))
    key = cited.most_common(1)[0][0]
    source = knowledge.sources[key].iri
    build = current_build(store_dir)
    assert build is not None
    queries = [SUPPORTS, GAPMAP, WHERE_CITED, CONCEPT, source, str(args.repeat)]
    ours = _child(OURS, str(store_dir), str(args.repeat), key)
    rdf_repeat = max(3, args.repeat // 10) if args.size in ("1M", "2M") else args.repeat
    rdflib = _child(RDFLIB + SPARQL_RUN, str(snapshot), *queries[:5], str(rdf_repeat))
    oxigraph = _child(OXIGRAPH + SPARQL_RUN, str(build / "oxigraph"), *queries)
    add_review_s = add_one_review(root, args.seed)

    rows = []
    for name, data, start in (
        ("ours (web app, /api/ask)", ours, ours["startup_s"]),
        ("rdflib Graph + SPARQL", rdflib, rdflib["load_s"]),
        ("pyoxigraph SPARQL (on disk)", oxigraph, oxigraph["load_s"]),
    ):
        common, rare = _stats(data["common"]), _stats(data["rare"])
        rows.append(
            f"| {name} | {start:.2f} | {common['median_ms']:.1f} / {common['p95_ms']:.1f} | "
            f"{rare['median_ms']:.1f} / {rare['p95_ms']:.1f} | "
            f"{_stats(data['gapmap'])['median_ms']:.0f} | "
            f"{_stats(data['cited'])['median_ms']:.1f} | {data['peak_rss_mb']:.0f} |"
        )
    print(
        f"Library {args.size}: {SIZES[args.size]} reviews, {quads} quads in named graphs, "
        f"{triples} triples in the current snapshot; full build {build_s:.1f} s; "
        f"adding one review {add_review_s:.1f} s."
    )
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}."
    )
    cold = _stats(ours["cold"])
    print(
        f"Ours, the first question about each of {len(ours['cold'])} other concepts (nothing "
        f"kept yet): median {cold['median_ms']:.1f} ms, p95 {cold['p95_ms']:.1f} ms."
    )
    print()
    print(
        "| contender | start or load (s) | supports common: median / p95 (ms) | "
        "supports rare: median / p95 (ms) | gap map (ms) | where cited (ms) | peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    # Kept answers make repeated questions cheap; the figure that counts is the slower of a
    # repeated question and the first question about each concept.
    warm_p95 = _stats(ours["common"])["p95_ms"]
    cold_p95 = _stats(ours["cold"])["p95_ms"]
    supports_p95 = max(warm_p95, cold_p95)
    rdflib_p95 = _stats(rdflib["common"])["p95_ms"]
    print(
        json.dumps(
            {
                "size": args.size,
                "triples": triples,
                "quads": quads,
                "startup_s": round(ours["startup_s"], 3),
                "first_answer_s": round(ours["first_answer_s"], 3),
                "supports_p95_ms": round(supports_p95, 2),
                "warm_supports_p95_ms": round(warm_p95, 2),
                "cold_supports_p95_ms": round(cold_p95, 2),
                "rare_supports_p95_ms": round(_stats(ours["rare"])["p95_ms"], 2),
                "rdflib_supports_p95_ms": round(rdflib_p95, 2),
                "oxigraph_supports_p95_ms": round(_stats(oxigraph["common"])["p95_ms"], 2),
                "ratio_vs_rdflib": round(rdflib_p95 / supports_p95, 1),
                "gapmap_ms": round(_stats(ours["gapmap"])["median_ms"], 1),
                "where_cited_ms": round(_stats(ours["cited"])["median_ms"], 2),
                "where_cited_source": f"{key} ({cited[key]} claims)",
                "peak_rss_mb": round(ours["peak_rss_mb"], 1),
                "rdflib_load_s": round(rdflib["load_s"], 2),
                "rdflib_peak_rss_mb": round(rdflib["peak_rss_mb"], 1),
                "build_s": round(build_s, 1),
                "add_review_s": round(add_review_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
