"""How long reference exports take: ``python -m bench.exports``.

It serves the project's published library (``make build``) with ``evkg serve`` (waitress) on
a free port of 127.0.0.1, asks each reference export once to warm it, then 20 times, and
prints the median and the slowest time of each, and one JSON line.  The goal is under 200 ms
for every export, the whole bibliography included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request

from bench.serving import ROOT, served

EXPORTS = [
    "/references.bib",
    "/references.ris",
    "/references.json",
    "/references.txt",
    "/references",
    "/ask/references.bib?q=what%20supports%20hope",
    "/ask/references.ris?q=what%20supports%20hope",
    "/ask/references.json?q=what%20supports%20hope",
    "/ask/references?q=what%20supports%20hope",
]


def _time(url: str) -> float:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"benchmarks stay on loopback: {url}")
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310 - loopback only
        reply.read()
    return time.perf_counter() - start


def main() -> None:
    """Serve, warm, time, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(ROOT / "var" / "store"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with served(args.store) as base:
        results = {}
        for path in EXPORTS:
            first = _time(base + path)
            times = [_time(base + path) for _ in range(args.repeat)]
            results[path] = {
                "first_ms": round(first * 1000, 1),
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
            }
            row = results[path]
            print(
                f"{path:50} first {row['first_ms']:7.1f} ms  median {row['median_ms']:6.1f} ms  "
                f"slowest {row['max_ms']:6.1f} ms"
            )
        print(json.dumps(results))


if __name__ == "__main__":
    main()
