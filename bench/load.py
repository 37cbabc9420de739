"""A load test of the production server on loopback: ``python -m bench.load --size 100k``.

It serves a library built by ``bench/scale.py`` with ``evkg serve`` (waitress) on a free port
of 127.0.0.1, then drives it with ``wrk`` (Debian's package) from a second process, one
endpoint at a time, each for a bounded time with a fixed number of connections: the answer
page, the answer API, and ``/sparql``.  A small Lua script makes wrk cycle through questions
about 17 concepts (the server starts cold, so the first of each is answered from scratch).
It prints requests per second, median and p99 latency and the number of errors (non-2xx
answers and socket errors), then one JSON line.  Traffic goes to 127.0.0.1 only, and every
run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CONCEPTS = (
    "hope", "trust", "role modelling", "reduced isolation", "motivation to change",
    "self belief", "empathy and care", "insider knowledge", "connecting to services",
    "desistance", "housing", "compliance", "engagement with services", "health and wellbeing",
    "education training employment", "consciousness raising", "challenged stereotypes",
)  # fmt: skip
# Each endpoint cycles through questions about every concept above, so that most requests
# are not the same question again.
ENDPOINTS = {
    "answer page": [f"/ask?q={quote('what supports ' + c)}" for c in CONCEPTS],
    "answer API": [f"/api/ask?q={quote('what supports ' + c)}&per_page=20" for c in CONCEPTS],
    # One query: through wrk's Lua request hook, some SPARQL requests reached the server cut
    # short and were refused (400), which would count as the endpoint's errors.
    "sparql": [
        "/sparql?query="
        + quote(
            "PREFIX evkg: <https://w3id.org/evkg/vocab#> SELECT ?c WHERE { ?c a evkg:Claim }"
            " LIMIT 20"
        )
    ],
}
ROTATE = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests per second, median and p99 latency, and errors, from ``wrk --latency``."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"\b50%\s+(\S+)", output)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"\b99%\s+(\S+)", output)[1])  # type: ignore[index]
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx[1]) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return {"rps": rate, "p50_ms": p50, "p99_ms": p99, "requests": requests, "errors": errors}


def _get(url: str) -> None:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"load tests stay on loopback: {url}")
    urllib.request.urlopen(url, timeout=30).close()  # noqa: S310 - loopback http only, checked above


def main() -> None:
    """Serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    store = ROOT / "var" / "bench" / f"{args.size}-seed{args.seed}" / "store"
    if not (store / "current").exists():
        sys.exit(f"no library at {store}: run `make bench SIZE={args.size}` first")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port),
         "--threads", str(args.threads), "--store", str(store)],
        cwd=ROOT,
        env={**os.environ, "EVKG_STORE_DIR": str(store)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    try:
        for _ in range(200):
            try:
                _get(base + ENDPOINTS["answer API"][0])
                break
            except OSError:
                time.sleep(0.1)
        for name, paths in ENDPOINTS.items():
            script = Path(tempfile.mkdtemp()) / "rotate.lua"
            script.write_text(ROTATE % ", ".join(json.dumps(p) for p in paths), "utf-8")
            target = ["-s", str(script), base + "/"] if len(paths) > 1 else [base + paths[0]]
            run = subprocess.run(
                ["wrk", "--latency", "-t", "2", "-c", str(args.connections),
                 "-d", f"{args.seconds}s", "--timeout", "10s", *target],
                capture_output=True, text=True, check=True, timeout=args.seconds + 60,
            )  # fmt: skip
            shutil.rmtree(script.parent, ignore_errors=True)
            try:
                results[name] = parse_wrk(run.stdout)
            except (TypeError, AttributeError) as exc:
                raise RuntimeError(f"cannot read wrk's report:\n{run.stdout}") from exc
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"Load on {args.size}: wrk, {args.connections} connections, {args.seconds} s per "
        f"endpoint; waitress with {args.threads} threads; {os.cpu_count()} cores shared."
    )
    print()
    print("| endpoint | requests/s | p50 (ms) | p99 (ms) | requests | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['requests']:.0f} | {r['errors']:.0f} |"
        )
    print()
    print(json.dumps({"size": args.size, **{k.replace(" ", "_"): v for k, v in results.items()}}))


if __name__ == "__main__":
    main()
