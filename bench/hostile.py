"""Hostile load on ``/sparql`` while readers use the site: ``python -m bench.hostile``.

It serves the project's published library (``make build``) with ``evkg serve`` (waitress,
its default threads) on a free port of 127.0.0.1.  Eight attacker threads send hostile
queries to ``/sparql`` for 20 s: an 8 KB ``FILTER(1+1+...)`` made to be slow to parse, and a
four-way cross product made to run for ever.  Meanwhile two readers fetch the home page and
``/api/ask`` one after the other.  It prints the readers' median and p99 latency, what the
attackers were answered, and one JSON line.  Traffic goes to 127.0.0.1 only; every loop stops
by itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from bench.serving import ROOT, served

HOSTILE = (
    "SELECT * WHERE { FILTER(" + "+".join(["1"] * 4000) + ") }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
)
READERS = {"home page": "/", "answer API": "/api/ask?q=what%20supports%20hope"}


def _fetch(url: str, data: bytes | None = None, timeout: float = 60) -> int:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"load tests stay on loopback: {url}")
    try:
        with urllib.request.urlopen(url, data=data, timeout=timeout) as reply:  # noqa: S310
            reply.read()
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def main() -> None:
    """Serve, attack, read, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(ROOT / "var" / "store"))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--attackers", type=int, default=8)
    args = parser.parse_args()
    with served(args.store, READERS["answer API"], wait=60) as base:
        stop = time.monotonic() + args.seconds
        answered: Counter[int] = Counter()
        latencies: dict[str, list[float]] = {name: [] for name in READERS}

        def attack(n: int) -> None:
            while time.monotonic() < stop:
                body = urllib.parse.urlencode({"query": HOSTILE[n % 2]}).encode()
                answered[_fetch(base + "/sparql", body)] += 1

        def read(name: str) -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                _fetch(base + READERS[name])
                latencies[name].append((time.perf_counter() - started) * 1000)

        threads = [threading.Thread(target=attack, args=(n,)) for n in range(args.attackers)]
        threads += [threading.Thread(target=read, args=(name,)) for name in READERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
    out: dict[str, object] = {"attackers": args.attackers, "seconds": args.seconds}
    for name, values in latencies.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))] if values else float("nan")
        median = statistics.median(values) if values else float("nan")
        print(f"{name}: {len(values)} requests, median {median:.1f} ms, p99 {p99:.1f} ms")
        out[name] = {
            "requests": len(values),
            "median_ms": round(median, 1),
            "p99_ms": round(p99, 1),
        }
    print(f"/sparql answered the attackers: {dict(sorted(answered.items()))}")
    out["sparql_statuses"] = dict(sorted(answered.items()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
