"""The per-app store handle, reached through an accessor rather than a global.

A new build is published by swapping the ``current`` pointer (see :mod:`kg.store.embedded`).
The app
notices the swap at the start of a request and opens the new build; a request already running
keeps the store it started with.  Each request therefore sees one build from start to end,
old or new, never a mix.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field

from flask import Flask, abort, current_app, g, request

from ingest.archive import parse_version_id
from kg.answers.index import version_index
from kg.answers.knowledge import Knowledge
from kg.answers.read_model import ReadModel, read_model
from kg.answers.understand import MAX_QUESTION
from kg.config import Settings
from kg.library.assembly import snapshot_graph_names
from kg.library.backend import current_build_id, open_store
from kg.store.protocol import GraphStore

MAX_SNAPSHOTS = 8
VIEW_BUDGET = 2_000_000  # quads, summed over the views of older versions kept at once


@dataclass
class StoreHolder:
    """The open store of an app, reopened when a new build becomes current."""

    settings: Settings
    store: GraphStore
    lock: threading.Lock
    snapshots: dict[tuple[str, str, int], GraphStore] = field(default_factory=dict)

    def latest(self) -> GraphStore:
        """The store of the current build, opening it if it changed since last time."""
        build = current_build_id(self.settings.store_dir, self.settings.endpoint)
        if build is not None and build != self.store.build_id:
            with self.lock:
                if build != self.store.build_id:
                    self.store = open_store(self.settings)
                    self.snapshots.clear()
                    # The old build's knowledge was frozen out of the collector's sight (see
                    # answers_model): let it be collected now that nothing new reads it.
                    gc.unfreeze()
        return self.store

    def version(self, store: GraphStore, review_id: str, number: int) -> GraphStore | None:
        """A published older version of one review beside the others' current ones."""
        published = published_in(store)
        if number not in published.get(review_id, []):
            return None
        if number == max(published[review_id]):
            return store
        key = (store.build_id, review_id, number)
        with self.lock:
            cached = self.snapshots.pop(key, None)
            if cached is not None:
                self.snapshots[key] = cached  # the most recently used is evicted last
        if cached is not None:
            return cached
        # Built outside the lock, so other requests (and noticing a new build) never wait
        # for it; two requests may build the same snapshot once each, which is harmless.
        chosen = {r: max(ns) for r, ns in published.items() if ns}
        chosen[review_id] = number
        graphs = snapshot_graph_names(store.graph_names(), chosen)
        view = store.snapshot(graphs, {review_id: number})
        read_model(view, version_index(store, review_id, number))
        with self.lock:
            kept = self.snapshots.setdefault(key, view)
            # A view is a copy of the whole library: keep as many as about two libraries'
            # worth of triples (eight of a small one, one of a large one), newest last.
            size = max(1, store.record.quads)
            while len(self.snapshots) > max(1, min(MAX_SNAPSHOTS, VIEW_BUDGET // size)):
                self.snapshots.pop(next(iter(self.snapshots)))
            return kept


def published_in(store: GraphStore) -> dict[str, list[int]]:
    """Each review's published version numbers in a build."""
    return store.record.versions or {}


def init_app(app: Flask, settings: Settings) -> None:
    """Open the current build once, in the factory (on a server when the settings name one)."""
    app.extensions["evkg.store"] = StoreHolder(settings, open_store(settings), threading.Lock())


def app_settings() -> Settings:
    """The settings the app was made with: where its store, reviews and project root are."""
    holder: StoreHolder = current_app.extensions["evkg.store"]
    return holder.settings


def get_store() -> GraphStore:
    """The store for the current request, chosen once so that a request never mixes builds.

    ``?version=<review>/v<n>`` shows an older published version of that review; an unknown
    or unpublished version is a 404, never a silent fallback to the current one.
    """
    if "evkg_store" not in g:
        holder: StoreHolder = current_app.extensions["evkg.store"]
        store = holder.latest()
        asked = request.args.get("version")
        if asked:
            parsed = parse_version_id(asked)
            review_id, number = parsed if parsed is not None else (None, 0)
            if review_id is None:
                abort(404, description=f"{asked!r} is not a version id such as <review>/v1")
            view = holder.version(store, review_id, number)
            if view is None:
                abort(404, description=f"{asked} is not a published version")
            g.evkg_version = asked if view is not store else None
            store = view
        g.evkg_store = store
    chosen: GraphStore = g.evkg_store
    return chosen


def current_store() -> GraphStore:
    """The published build itself, whatever ``?version=`` asks (for whole-dataset dumps)."""
    if "evkg_current" not in g:
        holder: StoreHolder = current_app.extensions["evkg.store"]
        g.evkg_current = holder.latest()
    store: GraphStore = g.evkg_current
    return store


def answers_model() -> ReadModel:
    """What answers read for the current request: the knowledge and references of its store."""
    store = get_store()
    model = read_model(store)
    if not model.loaded and not store.versions:
        model.knowledge  # noqa: B018
        # What was just loaded lives as long as the build: keep the collector from walking
        # it again and again (on a large library each full collection took tens of ms, the
        # tail of every latency).  A new build unfreezes first (StoreHolder.latest).  Views
        # of older versions come and go, so they are left to the collector.  A request still
        # reading the previous build when this runs freezes that build too; it is released
        # at the next publish's unfreeze, so at most one old build outlives its time.
        gc.collect()
        gc.freeze()
    return model


def knowledge() -> Knowledge:
    """What the pages read for the current request, loaded once per store."""
    return answers_model().knowledge


def asked_question() -> str:
    """The question of the request (``?q=``), trimmed to the length answers read."""
    return (request.args.get("q") or "").strip()[:MAX_QUESTION]


def viewed_version() -> str | None:
    """The older version this request shows, or None for the current one."""
    get_store()
    version: str | None = g.get("evkg_version")
    return version
