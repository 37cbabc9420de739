"""Latency of each question form on the seed graph, median and p95.

The answer path is question -> concepts -> claims -> sources -> profile; the gap map and the
first (cold) load are timed too.

Usage: ``python -m bench.answers [--store var/store] [--repeat 50]`` after ``evkg build``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from kg.answers.answer import answer, to_json
from kg.answers.gapmap import gap_map
from kg.answers.read_model import read_model
from kg.store.embedded import EmbeddedStore

QUESTIONS = {
    "what supports X": "what supports hope",
    "what challenges X": "what challenges short-term funding",
    "X -> Y": "how does trust lead to housing",
    "where is SOURCE cited": "where is Buck et al. 2020 cited",
    "what does SOURCE support": "what does Grossman and Rhodes 2002 support",
    "bare X (typo)": "rolemodel",
    "no match": "what supports astrology",
}


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    """Print a Markdown table and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="var/store")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    started = time.perf_counter()
    store = EmbeddedStore.open(Path(args.store))
    knowledge = read_model(store).knowledge
    cold_ms = (time.perf_counter() - started) * 1000
    results: dict[str, dict[str, float]] = {}

    def run(name: str) -> object:
        if name == "gap map":
            return gap_map(knowledge).to_json()
        return to_json(answer(QUESTIONS[name], knowledge), knowledge)

    for name in [*QUESTIONS, "gap map"]:
        run(name)  # warm
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            run(name)
            times.append((time.perf_counter() - t) * 1000)
        results[name] = {
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(_p95(times), 2),
        }
    print(f"open store and load knowledge (cold): {cold_ms:.1f} ms\n")
    print("| question form | median ms | p95 ms |\n|---|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['median_ms']} | {r['p95_ms']} |")
    print(json.dumps({"cold_ms": round(cold_ms, 1), "forms": results}))


if __name__ == "__main__":
    main()
