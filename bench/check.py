"""Time the citation audit (`evkg check`) on the seed review; the target is under 1 s.

Two numbers: the audit in-process (read, split, find, resolve, serialise JSON), repeated for a
median and p95, and the whole command in a fresh process, as an editor runs it (Python start-up
and imports included).  Usage::

    python -m bench.check [--review PATH] [--bib references.bib] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest.audit import audit_review
from ingest.bibtex import parse_bibtex
from ingest.review import parse_review

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_a96ea5fb91576fb1.txt"


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def time_in_process(review: Path, bib: Path, repeat: int) -> list[float]:
    """Seconds for each full audit, JSON included."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        audit = audit_review(parse_review(review), parse_bibtex(bib))
        json.dumps(audit.to_json())
        times.append(time.perf_counter() - started)
    return times


def time_command(review: Path, bib: Path, repeat: int) -> list[float]:
    """Seconds for each `evkg check --json` run in a new process."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "check", str(review), "--bib", str(bib), "--json"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Print a Markdown table, then one line of JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", default=os.environ.get("EVKG_REVIEW", str(SEED)))
    parser.add_argument("--bib", default=str(ROOT / "references.bib"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    review, bib = Path(args.review), Path(args.bib)
    inner = time_in_process(review, bib, args.repeat)
    outer = time_command(review, bib, max(3, args.repeat // 4))
    mentions = len(audit_review(parse_review(review), parse_bibtex(bib)).mentions)
    result = {
        "mentions": mentions,
        "audit_median_ms": round(statistics.median(inner) * 1000, 1),
        "audit_p95_ms": round(_p95(inner) * 1000, 1),
        "command_median_ms": round(statistics.median(outer) * 1000, 1),
        "command_max_ms": round(max(outer) * 1000, 1),
    }
    print("| measure | ms |\n|---|---|")
    for name, value in result.items():
        print(f"| {name} | {value} |")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
