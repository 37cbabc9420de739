"""Which store a process reads and publishes to: the embedded one, or a SPARQL server.

``EVKG_STORE`` (an endpoint URL) chooses a server (:mod:`kg.store.remote.reader`); without it the
embedded store under ``EVKG_STORE_DIR`` is used (:mod:`kg.store.embedded`).  The CLI and the web app
both come here, so they can never disagree about where the library is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset

from kg.config import Settings
from kg.store.embedded import EmbeddedStore, Finisher, current_build, publish
from kg.store.protocol import GraphStore
from kg.store.record import BuildRecord
from kg.store.remote.client import Endpoint


@dataclass(frozen=True)
class Published:
    """Where a publish went and what its ``build.json`` says."""

    location: str
    info: dict[str, Any]
    path: Path | None = None  # the build's folder in the embedded store (the working copy)


def open_store(settings: Settings) -> GraphStore:
    """The current build, read-only."""
    if settings.endpoint is not None:
        from kg.store.remote.reader import RemoteGraphStore

        return RemoteGraphStore.open_remote(settings.endpoint)
    return EmbeddedStore.open(settings.store_dir)


def current_build_id(store_dir: Path, endpoint: Endpoint | None) -> str | None:
    """The id of the current build (cheap: one file look-up or one small query)."""
    if endpoint is not None:
        from kg.store.remote.reader import current_remote

        found = current_remote(endpoint)
        return found[0] if found else None
    build = current_build(store_dir)
    return build.name if build is not None else None


def current_info(settings: Settings) -> dict[str, Any] | None:
    """The current build's ``build.json``, or None before the first build."""
    if settings.endpoint is not None:
        from kg.store.remote.reader import current_remote

        found = current_remote(settings.endpoint)
        return found[1] if found else None
    build = current_build(settings.store_dir)
    if build is None:
        return None
    record = BuildRecord.read_or_none(build)
    return record.as_dict() if record is not None else None


def publish_to(
    settings: Settings,
    dataset: Dataset,
    info: Mapping[str, Any],
    current: Collection[str] | None,
    finish: Finisher | None = None,
) -> Published:
    """Publish a built library where the settings say; ``finish`` writes its answer index.

    For a server, the build goes first to the embedded store under ``store_dir``, the build
    machine's working copy: its answer index is exactly an embedded build's, and the next
    build can go on from it incrementally (:func:`send_build`).  Readers use the server only.
    """
    path = publish(dataset, settings.store_dir, info, current, finish)
    return send_build(settings, path)


def send_build(settings: Settings, path: Path, unchanged_since: str | None = None) -> Published:
    """A build published to the embedded store, sent on to the server if there is one.

    ``unchanged_since``: the local build an incremental build started from (see
    :func:`kg.store.remote.publish.publish_remote_build`).
    """
    if settings.endpoint is not None:
        from kg.store.remote.publish import publish_remote_build

        build_id, record = publish_remote_build(settings.endpoint, path, unchanged_since)
        return Published(f"{settings.endpoint.shown} (build {build_id})", record, path)
    return Published(str(path), BuildRecord.read(path).as_dict(), path)
