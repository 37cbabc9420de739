"""Real SPARQL servers for the remote-store suites: Virtuoso and the Oxigraph server.

Each starts on 127.0.0.1 at free ports with a database in a temporary folder, and is stopped
(and its folder deleted) when the suite ends.  ``make test`` runs the query and web suites
once against each (``EVKG_TEST_SERVER=virtuoso|oxigraph``); Virtuoso comes from Debian's
``virtuoso-opensource`` (installed by ``scripts/ensure-system-deps``), the Oxigraph server
from PyPI's ``oxigraph`` (a test dependency).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from kg.store.remote.client import Endpoint

SERVERS = ("virtuoso", "oxigraph")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    ask = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the SPARQL server exited early:\n{log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(ask, timeout=2).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"the SPARQL server did not answer at {url} within {seconds:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = .

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
Charset = UTF-8

[SPARQL]
; Virtuoso's own default, kept so that the suites meet the cap a deployment meets: an
; answer longer than this must be an error (AnswerCut), never silently shorter.
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


@contextlib.contextmanager
def virtuoso(folder: Path) -> Iterator[Endpoint]:
    """Virtuoso 7 (Debian's build) with a fresh database; anonymous updates allowed."""
    binary = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if binary is None or isql is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_for(base + "/sparql", process, 120, log)
        # A throwaway database on loopback: the anonymous SPARQL user may write to it.
        grant = (
            "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        )
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grant}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Endpoint(base + "/sparql", base + "/sparql", base + "/sparql-graph-crud")
    finally:
        _stop(process)


@contextlib.contextmanager
def oxigraph(folder: Path) -> Iterator[Endpoint]:
    """The Oxigraph server (``oxigraph serve``) with a fresh on-disk database."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        raise RuntimeError("the Oxigraph server is not installed: pip install oxigraph")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "serve",
                "--location",
                str(folder / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                "60",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/query", process, 60, log)
        yield Endpoint(base + "/query", base + "/update", base + "/store")
    finally:
        _stop(process)


@contextlib.contextmanager
def sparql_server(kind: str) -> Iterator[Endpoint]:
    """One of :data:`SERVERS`, running until the block ends."""
    if kind not in SERVERS:
        raise ValueError(f"unknown SPARQL server {kind!r}: choose one of {', '.join(SERVERS)}")
    folder = Path(tempfile.mkdtemp(prefix=f"evkg-{kind}-"))
    try:
        with (virtuoso if kind == "virtuoso" else oxigraph)(folder) as endpoint:
            yield endpoint
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def endpoint_env(endpoint: Endpoint) -> dict[str, str]:
    """The environment that points the CLI or the app at ``endpoint``."""
    env = {"EVKG_STORE": endpoint.query_url, "EVKG_STORE_UPDATE": endpoint.update_url}
    if endpoint.graph_store_url:
        env["EVKG_STORE_GSP"] = endpoint.graph_store_url
    return env
