"""The per-app store handle, reached through an accessor rather than a global.

A new build is published by swapping the ``current`` pointer (see :mod:`kg.store`).  The app
notices the swap at the start of a request and opens the new build; a request already running
keeps the store it started with.  Each request therefore sees one build from start to end,
old or new, never a mix.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g

from kg.store import GraphStore, current_build


@dataclass
class StoreHolder:
    """The open store of an app, reopened when a new build becomes current."""

    root: Path
    store: GraphStore
    lock: threading.Lock

    def latest(self) -> GraphStore:
        """The store of the current build, opening it if it changed since last time."""
        build = current_build(self.root)
        if build is not None and build != self.store.build_dir:
            with self.lock:
                if build != self.store.build_dir:
                    self.store = GraphStore.open(self.root)
        return self.store


def init_app(app: Flask, root: Path) -> None:
    """Open the current build once, in the factory."""
    app.extensions["evkg.store"] = StoreHolder(root, GraphStore.open(root), threading.Lock())


def get_store() -> GraphStore:
    """The store for the current request, chosen once so that a request never mixes builds."""
    if "evkg_store" not in g:
        holder: StoreHolder = current_app.extensions["evkg.store"]
        g.evkg_store = holder.latest()
    store: GraphStore = g.evkg_store
    return store
