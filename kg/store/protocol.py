"""What every store of a published build offers its readers, embedded or on a server.

Two implementations: :class:`kg.store.embedded.EmbeddedStore` (pyoxigraph on disk, and the
in-memory views of older versions) and :class:`kg.store.remote.reader.RemoteGraphStore` (a
SPARQL 1.1 server).  Everything above the store (answers, exports, pages) is written against
this protocol, and knows nothing of which one it reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Dataset

from kg.store.record import BuildRecord
from kg.store.results import PUBLISHED, PublicAnswer, QueryDataset

# A row of a prepared SELECT: each variable's value as text, None when unbound.
Row = dict[str, str | None]


class GraphStore(Protocol):
    """A read-only view of one published build, with prepared queries.

    The default graph is the current snapshot: the newest version of each review.  A
    :meth:`snapshot` shows another choice of versions the same way.
    """

    # The build's folder on this machine; None for a build read from a server.
    build_dir: Path | None
    # The versions shown, when this is a snapshot other than the current one.
    versions: Mapping[str, int]

    @property
    def build_id(self) -> str:
        """What tells this build from any other."""
        ...

    @property
    def info(self) -> dict[str, Any]:
        """The build's record (``build.json``) as a mapping."""
        ...

    @property
    def record(self) -> BuildRecord:
        """The build's record, typed."""
        ...

    def answer_index(self) -> dict[str, Any] | None:
        """The build's precomputed answers as written (:mod:`kg.answers.index` reads them)."""
        ...

    def run_public_query(
        self,
        query: str,
        kind: str,
        *,
        seconds: float,
        row_cap: int,
        dataset: QueryDataset = PUBLISHED,
    ) -> PublicAnswer:
        """A vetted ``/sparql`` query within a time limit and a row cap."""
        ...

    def graph_names(self) -> list[str]:
        """Every named graph of the build, private ones included."""
        ...

    def snapshot(self, graphs: Collection[str], versions: Mapping[str, int]) -> GraphStore:
        """A view whose default graph is the union of ``graphs``: another choice of versions."""
        ...

    def select(self, name: str, **bindings: str) -> list[Row]:
        """Run a prepared SELECT (``kg/store/queries/<name>.rq``) with IRIs bound by name."""
        ...

    def quads(self, current_only: bool = False) -> Iterator[ox.Quad]:
        """Every public quad of the named graphs, or only the current snapshot's triples."""
        ...

    def about(self, iri: str) -> list[ox.Triple]:
        """Every triple of the current snapshot whose subject is ``iri``."""
        ...

    def to_dataset(self, current_only: bool = False) -> Dataset:
        """The store copied into an rdflib Dataset, for serialisers and comparisons."""
        ...

    def __len__(self) -> int:
        """Every quad of the named graphs, private ones included."""
        ...
