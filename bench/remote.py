"""``make bench-remote SIZE=… SERVER=oxigraph|virtuoso``: the library on a SPARQL server.

The same synthetic library as ``make bench`` (``bench/scale.py``), this time built onto a
real server started on 127.0.0.1 with a throwaway database (as the remote test suites do),
then read by a worker process exactly as ``make bench`` reads the embedded store:

- a full build onto the server, from a copy of the library's inputs with no working copy,
  then a second build with one review added: incremental on the build machine's working
  copy, and only the changed graphs, the new snapshot and the index are sent;
- a worker's start, its first answer (which fetches the build's answer index), the first
  question about each other concept, repeated questions, the gap map and "where is SOURCE
  cited", through the web app, each in its own process;
- the server's own memory is not counted (it is another process, on another machine in a
  real deployment).

It prints a Markdown summary and then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench.scale import OURS, SHACL_SECONDS, SIZES, _child, _stats, build_library


def _build_on(endpoint_env: dict[str, str], root: Path) -> float:
    """Seconds for `evkg build` of the library at ``root`` onto the server."""
    from kg.config import Settings
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project
    from kg.store.remote.client import Endpoint

    settings = Settings(
        root,
        root / "reviews",
        root / "store",
        shacl_timeout=SHACL_SECONDS,
        endpoint=Endpoint.from_env(endpoint_env),
    )
    started = time.perf_counter()
    build_project(settings, PublishOptions())
    return time.perf_counter() - started


def main() -> None:
    """Build onto a fresh server, measure a worker, print the summary and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--server", choices=("oxigraph", "virtuoso"), default="oxigraph")
    args = parser.parse_args()

    from bench.library import add_review
    from kg.answers.read_model import read_model
    from kg.store.embedded import EmbeddedStore
    from tests.sparql_servers import endpoint_env, sparql_server

    library, _ = build_library(args.size, args.seed)
    embedded = EmbeddedStore.open(library / "store")
    knowledge = read_model(embedded).knowledge
    cited = Counter(k for c in knowledge.claims.values() for k in c.keys if k.startswith("shared"))
    key = cited.most_common(1)[0][0]
    quads = len(embedded)
    del knowledge, embedded

    # A copy of the library's files without its embedded builds: the archive of versions
    # stays (it is where reviews' versions live); the first build is then a full one.
    scratch = library.with_name(library.name + "-remote")
    shutil.rmtree(scratch, ignore_errors=True)
    subprocess.run(["cp", "-al", str(library), str(scratch)], check=True)
    shutil.rmtree(scratch / "store" / "builds", ignore_errors=True)
    (scratch / "store" / "current").unlink(missing_ok=True)
    try:
        with sparql_server(args.server) as endpoint:
            env = endpoint_env(endpoint)
            build_s = _build_on(env, scratch)
            os.environ.update(env)
            worker = _child(OURS, str(scratch / "store"), str(args.repeat), key)
            add_review(scratch, args.seed)
            add_s = _build_on(env, scratch)
            for name in env:
                os.environ.pop(name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    warm, cold = _stats(worker["common"]), _stats(worker["cold"])
    print(
        f"Library {args.size} on the {args.server} server: {SIZES[args.size]} reviews, "
        f"{quads} quads; full build onto the server {build_s:.1f} s; adding one review "
        f"{add_s:.1f} s."
    )
    print(
        f"Worker: start {worker['startup_s']:.2f} s, first answer (fetches the answer index) "
        f"{worker['first_answer_s']:.2f} s; first question about each other concept p95 "
        f"{cold['p95_ms']:.1f} ms; repeated p95 {warm['p95_ms']:.1f} ms; gap map "
        f"{_stats(worker['gapmap'])['median_ms']:.0f} ms; where cited "
        f"{_stats(worker['cited'])['median_ms']:.1f} ms; peak RSS "
        f"{worker['peak_rss_mb']:.0f} MB."
    )
    print(
        json.dumps(
            {
                "size": args.size,
                "server": args.server,
                "quads": quads,
                "build_s": round(build_s, 1),
                "add_review_s": round(add_s, 1),
                "startup_s": round(worker["startup_s"], 3),
                "first_answer_s": round(worker["first_answer_s"], 3),
                "supports_p95_ms": round(max(warm["p95_ms"], cold["p95_ms"]), 2),
                "warm_supports_p95_ms": round(warm["p95_ms"], 2),
                "cold_supports_p95_ms": round(cold["p95_ms"], 2),
                "gapmap_ms": round(_stats(worker["gapmap"])["median_ms"], 1),
                "where_cited_ms": round(_stats(worker["cited"])["median_ms"], 2),
                "peak_rss_mb": round(worker["peak_rss_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
