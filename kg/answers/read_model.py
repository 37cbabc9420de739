"""What answers read from one build or view, loaded once and kept beside it.

A published build brings its answers precomputed (``answers.json``, see
:mod:`kg.answers.index`), in its folder or on its SPARQL server; a view of an older version
may bring an index computed for it; anything else is read through SPARQL.  Either way the
result never changes for that store, so it is kept here, keyed by the store, rather than on
the store itself: the store knows nothing about answers.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from kg.answers.index import INDEX_FORMAT
from kg.answers.knowledge import Knowledge
from kg.answers.references import csl_items, letter_references, render_items
from kg.store.protocol import GraphStore


class ReadModel:
    """The knowledge and the formatted references of one store."""

    def __init__(self, store: GraphStore, index: dict[str, Any] | None = None) -> None:
        self.store = store
        self._given = index
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] | None = None
        self._knowledge: Knowledge | None = None
        self._references: dict[str, str] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the knowledge has been read already."""
        return self._knowledge is not None

    @property
    def precomputed(self) -> dict[str, Any] | None:
        """The index given for a view, if any."""
        return self._given

    @property
    def knowledge(self) -> Knowledge:
        """Concepts, claims, sources and mentions."""
        if self._knowledge is None:
            with self._lock:
                if self._knowledge is None:
                    index = self._index()
                    knowledge = Knowledge(self.store, index)
                    if index is not None:
                        self._references = index["references"]
                    self._knowledge = knowledge
        return self._knowledge

    @property
    def references(self) -> dict[str, str]:
        """Every source's Harvard reference, as plain text, by bib key."""
        if self._references is None and (self._given is not None or not self.store.versions):
            # Loading a precomputed index brings the references with it.
            self.knowledge  # noqa: B018
        if self._references is None:
            items = list(self.items.values())  # read once, for the exports too (not under the lock)
            with self._lock:
                if self._references is None:
                    self._references = letter_references(items, render_items(items))
        return self._references

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        """Every source as CSL-JSON, by bib key: what exports and source pages link from."""
        if self._items is None:
            with self._lock:
                if self._items is None:
                    self._items = {item["id"]: item for item in csl_items(self.store)}
        return self._items

    def _index(self) -> dict[str, Any] | None:
        if self._given is not None:
            return self._given
        if self.store.versions:
            return None  # a view without an index of its own is read through SPARQL
        data = self.store.answer_index()
        return data if data is not None and data.get("format") == INDEX_FORMAT else None


_MODELS: weakref.WeakKeyDictionary[GraphStore, ReadModel] = weakref.WeakKeyDictionary()
_MODELS_LOCK = threading.Lock()


def read_model(store: GraphStore, index: dict[str, Any] | None = None) -> ReadModel:
    """The read model of a store, made on first use; ``index`` serves a view of a version."""
    with _MODELS_LOCK:
        model = _MODELS.get(store)
        if model is None:
            model = _MODELS[store] = ReadModel(store, index)
        return model
