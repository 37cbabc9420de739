"""What answers read, computed once when a build is published and kept beside its store.

Loading :class:`kg.knowledge.Knowledge` through SPARQL takes seconds on a library of hundreds
of reviews, and formatting every Harvard reference with citeproc longer still.  So a publish
does both once and writes the result as ``answers.json`` in the build's folder, before the
build is swapped in; a server then loads that file instead.  The file is a cache of the
store: it holds nothing the store does not, and a build without it (an older version's
snapshot, a store built by hand) is read through SPARQL as before.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ingest.safe_files import write_atomically
from kg.store import GraphStore

INDEX = "answers.json"
INDEX_FORMAT = 3  # 2: concepts' claims in the claims' order; 3: mentions name their review


def write_index(store: GraphStore, folder: Path) -> None:
    """Compute the knowledge and references of ``store`` and write them into ``folder``."""
    from kg.knowledge import Knowledge
    from kg.references import harvard

    knowledge = Knowledge(store)
    store._knowledge = knowledge  # type: ignore[attr-defined]  # harvard() need not load it again
    # Written field by field: asdict() cannot copy the defaultdicts these classes hold.
    data = {
        "format": INDEX_FORMAT,
        "concepts": [
            {
                "iri": c.iri,
                "scheme": c.scheme,
                "label": c.label,
                "definition": c.definition,
                "labels": sorted(c.labels),
            }
            for c in knowledge.concepts.values()
        ],
        "claims": [
            {
                "iri": c.iri,
                "id": c.id,
                "statement": c.statement,
                "stance": c.stance,
                "status": c.status,
                "locator": c.locator,
                "sentence": c.sentence,
                "concepts": dict(c.concepts),
                "evidence": {k: asdict(e) for k, e in c.evidence.items()},
            }
            for c in knowledge.claims.values()
        ],
        "sources": [
            {
                "key": s.key,
                "iri": s.iri,
                "title": s.title,
                "year": s.year,
                "authors": s.authors,
                "first_family": s.first_family,
                "author_count": s.author_count,
                "profile": dict(s.profile),
            }
            for s in knowledge.sources.values()
        ],
        "mentions": [asdict(m) for m in knowledge.mentions],
        "by_concept": knowledge.by_concept,
        "references": harvard(store),
    }
    write_atomically(folder / INDEX, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def read_index(folder: Path) -> dict[str, Any] | None:
    """The index of a build, or None when it has none (or one of another format)."""
    path = folder / INDEX
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data if data.get("format") == INDEX_FORMAT else None
