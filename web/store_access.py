"""The per-app store handle, reached through an accessor rather than a global."""

from __future__ import annotations

from flask import current_app

from kg.store import GraphStore


def get_store() -> GraphStore:
    """The store that ``create_app`` opened for this app."""
    store: GraphStore = current_app.extensions["evkg.store"]
    return store
