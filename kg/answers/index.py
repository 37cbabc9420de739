"""What answers read, computed when a build is published and kept beside its store.

Loading :class:`kg.answers.knowledge.Knowledge` through SPARQL takes seconds on a library of
hundreds of reviews, and formatting every Harvard reference with citeproc longer still.  So a
publish computes them once and writes ``answers.json`` in the build's folder, before the build is
swapped in; a server then loads that file instead.

The index is made of one **shard** per review (``shards/<review>.json``: the knowledge of that
review's current version, read from its own graphs, with its references formatted but not yet
lettered), merged in the order of the reviews' ids.  A build that adds or changes one review
computes that review's shard and takes the others from the previous build unchanged (see
:mod:`kg.library.incremental`), and the merge gives the same index as a full build would.  The files
are a cache of the store: they hold nothing the store does not, and a build without them (an
older version's snapshot, a store built by hand) is read through SPARQL as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ingest.safe_files import write_atomically
from kg.answers.knowledge import Knowledge
from kg.answers.references import csl_items, letter_references, render_items
from kg.rdf import ids
from kg.store.embedded import ANSWER_INDEX, PRIVATE_SUFFIX
from kg.store.protocol import GraphStore

INDEX = ANSWER_INDEX
SHARDS = "shards"
# 2: concepts' claims in the claims' order; 3: mentions name their review;
# 4: merged from one shard per review; 5: claims' certainty; 6: references in British quotes
INDEX_FORMAT = 6


def review_graphs(
    graph_names: Iterable[str], versions: Mapping[str, int] | None = None
) -> dict[str, list[str]]:
    """For each review, the graphs its knowledge is read from.

    They are its newest version's graphs (or those of the version ``versions`` names for
    it), its description and the vocabulary.
    """
    names = list(graph_names)
    newest: dict[str, int] = {}
    for name in names:
        review_id, number = ids.graph_version(name)
        if review_id is not None and number is not None:
            newest[review_id] = max(number, newest.get(review_id, 0))
    newest.update({r: n for r, n in (versions or {}).items() if r in newest})
    vocabulary = str(ids.vocabulary_graph_iri())
    chosen: dict[str, list[str]] = {}
    for review_id, number in sorted(newest.items()):
        own = [n for n in names if ids.graph_version(n) == (review_id, number)]
        shared = [str(ids.graph_iri(review_id, "review")), vocabulary]
        chosen[review_id] = sorted(own) + [n for n in shared if n in names]
    return chosen


def review_shard(store: GraphStore, review_id: str, graphs: list[str]) -> dict[str, Any]:
    """The knowledge and references of one review, from its own graphs only."""
    versions = {review_id: ids.graph_version(graphs[0])[1] or 0}
    view = store.snapshot(graphs, versions)
    knowledge = Knowledge(view)
    items = csl_items(view)
    return {
        "format": INDEX_FORMAT,
        "review": review_id,
        "version": versions[review_id],
        "graphs": graphs,
        **knowledge.to_json(),
        "items": items,
        "rendered": render_items(items),
    }


def merge_shards(shards: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One index from the reviews' shards, in the order of the reviews' ids.

    A source that several reviews cite is described by the first of them (its profile holds
    every review's values); its reference is lettered (2012a, 2012b) across the library.
    """
    ordered = sorted(shards, key=lambda s: str(s["review"]))
    concepts: dict[str, Any] = {}
    claims: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    mentions: list[Any] = []
    by_concept: dict[str, list[str]] = {}
    items: dict[str, Any] = {}
    rendered: dict[str, str] = {}
    for shard in ordered:
        for concept in shard["concepts"]:
            concepts.setdefault(concept["iri"], concept)
        for claim in shard["claims"]:
            claims.setdefault(claim["iri"], claim)
        for source in shard["sources"]:
            held = sources.setdefault(
                source["key"],
                {**source, "profile": {k: list(v) for k, v in source["profile"].items()}},
            )
            if held is not source:
                for facet, values in source["profile"].items():
                    kept = held["profile"].setdefault(facet, [])
                    kept.extend(v for v in values if v not in kept)
        mentions.extend(shard["mentions"])
        for concept, found in shard["by_concept"].items():
            kept_claims = by_concept.setdefault(concept, [])
            kept_claims.extend(c for c in found if c not in kept_claims)
        for item in shard["items"]:
            if item["id"] not in items:
                items[item["id"]] = item
                rendered[item["id"]] = shard["rendered"][item["id"]]
    return {
        "format": INDEX_FORMAT,
        "concepts": list(concepts.values()),
        "claims": list(claims.values()),
        "sources": list(sources.values()),
        "mentions": mentions,
        "by_concept": by_concept,
        "references": letter_references(list(items.values()), rendered),
    }


def write_index(store: GraphStore, folder: Path, reuse: Path | None = None) -> None:
    """Write each review's shard and the merged index into ``folder``.

    With ``reuse`` (the previous build's folder), a review whose graphs are the same as they
    were there keeps its shard from there instead of being read again.
    """
    shard_dir = folder / SHARDS
    shard_dir.mkdir(parents=True, exist_ok=True)
    names = store.graph_names()
    chosen = review_graphs(names)
    covered = {g for graphs in chosen.values() for g in graphs}
    unversioned = [
        n
        for n in names
        if n not in covered and _holds_review_data(n) and ids.graph_version(n)[0] is None
    ]
    if unversioned or not chosen:
        # Inputs read outside the archive have no versions: one shard of the whole store.
        items = csl_items(store)
        whole = {**Knowledge(store).to_json(), "review": "", "items": items}
        whole["rendered"] = render_items(items)
        write_atomically(folder / INDEX, _dump(merge_shards([whole])))
        return
    shards = []
    for review_id, graphs in chosen.items():
        shard = _reusable(reuse, review_id, graphs) if reuse is not None else None
        if shard is None:
            shard = review_shard(store, review_id, graphs)
        write_atomically(shard_dir / f"{review_id}.json", _dump(shard))
        shards.append(shard)
    write_atomically(folder / INDEX, _dump(merge_shards(shards)))


def version_index(store: GraphStore, review_id: str, number: int) -> dict[str, Any] | None:
    """The index of a view in which one review shows an older version.

    The other reviews' shards are the build's own; only this version's shard is computed
    (from its own few graphs), so the view needs no reading of the whole library through
    SPARQL.  None when the build keeps no shards (then the view reads the library itself).
    """
    if store.build_dir is None or not (store.build_dir / SHARDS).is_dir():
        return None
    chosen = review_graphs(store.graph_names(), {review_id: number})
    if review_id not in chosen:
        return None
    shards = []
    for other, graphs in chosen.items():
        if other == review_id:
            continue
        # Each other review's shard must be the one of its graphs in this build, or the
        # view would silently lack or misstate that review: then no index at all.
        shard = _reusable(store.build_dir, other, graphs)
        if shard is None:
            return None
        shards.append(shard)
    shards.append(review_shard(store, review_id, chosen[review_id]))
    return merge_shards(shards)


def _holds_review_data(name: str) -> bool:
    """A graph of one review's inputs (its bibliography, text, claims, profiles)."""
    return name.rsplit("/", 1)[-1] in ("bibliography", "text", "claims", "profiles") or (
        name.endswith(PRIVATE_SUFFIX)
    )


def _reusable(previous: Path, review_id: str, graphs: list[str]) -> dict[str, Any] | None:
    path = previous / SHARDS / f"{review_id}.json"
    if not path.is_file():
        return None
    shard: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if shard.get("format") != INDEX_FORMAT or shard.get("graphs") != graphs:
        return None
    return shard


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_index(folder: Path) -> dict[str, Any] | None:
    """The index of a build, or None when it has none (or one of another format)."""
    path = folder / INDEX
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data if data.get("format") == INDEX_FORMAT else None
