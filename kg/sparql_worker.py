"""Run one vetted SPARQL query in a child process that the parent can kill at its deadline.

pyoxigraph cannot interrupt a running query from Python, so a runaway query is stopped by
ending the process that runs it; the web server's own threads keep serving.  This module
imports nothing heavy, so a new process starts quickly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from typing import Any

Term = dict[str, str]


def _term(term: Any) -> Term | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    result = {"type": "literal", "value": term.value}
    if term.language:
        result["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        result["datatype"] = term.datatype.value
    return result


def evaluate(store_path: str, query: str, row_cap: int) -> dict[str, Any]:
    """Run a query; the result as a JSON-ready dict: kind, payload, truncated, or an error."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(store_path)
        # Only the public graphs: the review's own words stay out of reach (kg.store).
        public = [g for g in store.named_graphs() if not g.value.endswith("/sentences")]
        results = store.query(query, default_graph=ox.DefaultGraph(), named_graphs=public)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows: list[list[Term | None]] = []
            truncated = False
            for solution in results:
                if len(rows) == row_cap:
                    truncated = True
                    break
                rows.append([_term(solution[v]) for v in variables])
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
    except Exception as exc:
        # Only the kind of error goes back: the message could carry another server's reply.
        return {"kind": "error", "payload": type(exc).__name__, "truncated": False}


@cache
def _no_network() -> tuple[str, ...]:
    """A prefix that runs a command with no network (a new, empty network namespace).

    Where user namespaces are not available the guard in :mod:`kg.sparql_guard` is the only
    defence; where they are, a query that slipped past it still could not reach anything.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    return (unshare, "-rn") if probe.returncode == 0 else ()


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


def run_with_deadline(
    store_path: str, query: str, *, seconds: float, row_cap: int
) -> tuple[str, Any, bool]:
    """Evaluate in a fresh process (``python -m kg.sparql_worker``); kill it at the deadline."""
    process = subprocess.Popen(
        [*_no_network(), sys.executable, "-m", "kg.sparql_worker", store_path, str(row_cap)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, _ = process.communicate(query.encode("utf-8"), timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise QueryTimeout(f"the query took longer than {seconds:g} s and was stopped") from exc
    if process.returncode != 0:
        return "error", "worker failed", False  # its stderr could carry data: not sent on
    result = json.loads(out)
    return str(result["kind"]), result["payload"], bool(result["truncated"])


def main() -> None:
    """Child side: the query on stdin, one JSON object on stdout."""
    store_path, row_cap = sys.argv[1], int(sys.argv[2])
    query = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.write(json.dumps(evaluate(store_path, query, row_cap)))


if __name__ == "__main__":
    main()
