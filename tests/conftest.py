"""Shared fixtures: the project's real inputs, a store built from them, and the app."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ingest.pipeline import ReviewInputs, ingest_reviews
from ingest.problems import has_errors
from kg.build.dataset import build_dataset
from kg.rdf.concepts import Vocabulary, load_vocabulary
from kg.store.embedded import EmbeddedStore, publish
from kg.store.protocol import GraphStore
from kg.store.remote.client import Endpoint
from tests.sparql_servers import endpoint_env, sparql_server

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# EVKG_TEST_SERVER=virtuoso|oxigraph runs the suites against that SPARQL server (started for
# the session, see tests/sparql_servers.py) instead of the embedded store; tests marked
# ``embedded_only`` are then left out by `make test` (deselected, never skipped).
REMOTE = os.environ.get("EVKG_TEST_SERVER", "")


def seed_path() -> Path:
    """Where the review's text is: EVKG_REVIEW, else the shared copy beside the project."""
    default = ROOT.parent / "shared" / "seeds" / "000_a96ea5fb91576fb1.txt"
    return Path(os.environ.get("EVKG_REVIEW", default))


SEED_MISSING_REASON = (
    f"the review text is not at {seed_path()} (set EVKG_REVIEW); it is (c) Clinks and is "
    "not shipped with the project"
)
# Outside CI a missing copy skips these tests with the reason above; in CI it is a failure
# (see the `review_text` fixture), so no test is ever skipped there.
needs_seed = pytest.mark.skipif(not seed_path().is_file() and not IN_CI, reason=SEED_MISSING_REASON)


# Real-world material that others wrote (reference lists, the W3C protocol tests): read in
# place beside the project, never copied into it.
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus_file(*parts: str) -> Path:
    """A file of the shared corpora; outside CI a missing one skips the test, in CI it fails."""
    path = CORPORA.joinpath(*parts)
    if not path.is_file():
        message = f"the shared corpus file {path} is not there"
        if IN_CI:
            pytest.fail(f"CI=true but {message}")
        # Also at a module's top, where a module's cases are read from the file.
        pytest.skip(message, allow_module_level=True)
    return path


@pytest.fixture(scope="session")
def review_text() -> str:
    """The review's full text."""
    path = seed_path()
    if not path.is_file():
        pytest.fail(f"CI=true but {SEED_MISSING_REASON}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    """The concept vocabulary as shipped."""
    return load_vocabulary()


@pytest.fixture(scope="session")
def project_reviews(vocabulary: Vocabulary) -> tuple[ReviewInputs, ...]:
    """The project's own reviews, ingested from reviews/ and references.bib."""
    result = ingest_reviews(ROOT / "reviews", ROOT, vocabulary=vocabulary.concept_ids())
    assert not has_errors(result.problems), [str(p) for p in result.problems]
    assert all(r.bibliography.problems == () for r in result.reviews)
    return result.reviews


@pytest.fixture(scope="session")
def remote_endpoint() -> Iterator[Endpoint | None]:
    """The SPARQL server of a remote run, or None for the embedded store."""
    if not REMOTE:
        yield None
        return
    with sparql_server(REMOTE) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def store_env(remote_endpoint: Endpoint | None) -> dict[str, str]:
    """The EVKG_STORE* settings of this run (empty for the embedded store)."""
    return endpoint_env(remote_endpoint) if remote_endpoint else {}


@pytest.fixture(scope="session")
def built_store(
    tmp_path_factory: pytest.TempPathFactory,
    project_reviews: tuple[ReviewInputs, ...],
    vocabulary: Vocabulary,
    remote_endpoint: Endpoint | None,
) -> Path:
    """A store published from the project's inputs, as `evkg build` would.

    In a remote run the same dataset is published to the server as well, and the app, the
    CLI and :func:`library_store` read it from there.
    """
    root = tmp_path_factory.mktemp("store")
    dataset = build_dataset(project_reviews, vocabulary)
    publish(dataset, root, {"digest": "test"})
    if remote_endpoint is not None:
        # As `evkg build` publishes to a server: with the answer index workers read.
        from kg.answers.index import write_index
        from kg.config import Settings
        from kg.library.backend import publish_to

        working = tmp_path_factory.mktemp("working-copy")
        settings = replace(Settings.from_env({}), store_dir=working, endpoint=remote_endpoint)
        publish_to(settings, dataset, {"digest": "test"}, None, write_index)
    return root


@pytest.fixture(scope="session")
def library_store(built_store: Path, remote_endpoint: Endpoint | None) -> GraphStore:
    """The published project store, from wherever this run keeps it."""
    if remote_endpoint is not None:
        from kg.store.remote.reader import RemoteGraphStore

        return RemoteGraphStore.open_remote(remote_endpoint)
    return EmbeddedStore.open(built_store)


def copy_project(tmp_path: Path, bib: Path | None = None) -> Path:
    """A throwaway copy of the project's inputs, optionally with another bibliography.

    The copy reads the review's text from the same place as the project does. With another
    bibliography, the curated claims (which cite the real one's keys) are left out.
    """
    shutil.copytree(ROOT / "reviews", tmp_path / "reviews")
    for manifest in (tmp_path / "reviews").glob("*.toml"):
        text = manifest.read_text("utf-8").replace('text = "../', f'text = "{ROOT.parent}/')
        if bib is not None:
            text = "\n".join(line for line in text.splitlines() if not line.startswith("claims"))
        manifest.write_text(text + "\n", "utf-8")
    shutil.copy(bib or ROOT / "references.bib", tmp_path / "references.bib")
    return tmp_path


@pytest.fixture()
def app(built_store: Path, store_env: dict[str, str]) -> Flask:
    from web import create_app

    return create_app({"TESTING": True, "EVKG_STORE_DIR": str(built_store), **store_env})


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@contextlib.contextmanager
def running_server(
    store_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`evkg serve` (waitress) on a free loopback port, stopped on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "EVKG_STORE_DIR": str(store_dir), **(extra_env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.communicate(timeout=10)
