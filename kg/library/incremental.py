"""A build that adds or changes some reviews without rebuilding the rest of the library.

A full build reads every version of every review, builds every graph, validates the whole
snapshot and writes a new store: minutes on a library of hundreds of reviews.  When only some
reviews have new versions, and nothing else that a build depends on changed (the software, the
vocabulary, the shapes), this module makes the same store from the previous one:

1. only the changed reviews are read and built (every version of each: a few);
2. SHACL checks them with the vocabulary and what other reviews say about the sources they
   share (so a shared work given two titles is still caught);
3. the previous store is copied with hard links (``Store.backup``), their graphs replaced, the
   PROV record carried over to the new build's IRI, and the default graph (the union of the
   current graphs) patched: their old triples leave unless another current graph holds them;
4. the answer index is merged from the reviews' shards, only the changed ones computed again.

The result is the store a full build would make from the same archive; ``tests/test_library``
compares the two graph by graph.  Whenever a precondition fails the caller builds in full.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Dataset, Graph, URIRef

from ingest.archive import VersionRecord
from ingest.manifest import ReviewManifest
from ingest.pipeline import ReviewInputs
from ingest.problems import Problem, Severity
from kg.answers.index import write_index
from kg.build.dataset import (
    build_dataset,
    build_provenance,
    canonical_source_iris,
    input_digest,
    latest_versions,
    review_checksums,
    software_version,
)
from kg.config import Settings
from kg.library.assembly import (
    BuildRequest,
    archive_of,
    assemble,
    damaged_version,
    gate,
    key_clash,
    key_clashes,
    refuse_failed_shacl,
    review_summary,
    validate_within,
)
from kg.rdf import ids
from kg.rdf.concepts import Vocabulary
from kg.rdf.convert import from_ox, iter_ox_quads
from kg.rdf.namespaces import CITO, EVKG
from kg.rdf.validate import ShapeResult, ValidationReport, shapes_checksum
from kg.store.embedded import PRIVATE_SUFFIX, STORE_FORMAT, current_build, publish_build
from kg.store.record import BuildRecord
from kg.store.remote.client import Endpoint

LOG = logging.getLogger(__name__)
_DEFAULT = ox.DefaultGraph()


def previous_build(
    settings: Settings,
    vocabulary: Vocabulary,
    manifests: Sequence[ReviewManifest],
    new: Mapping[str, VersionRecord],
    strict: bool = False,
    bib_encoding: str | None = None,
) -> PreviousBuild | None:
    """The current build, if a build of ``new`` may go on from it; else None (build in full).

    A strict build, and one after a build that published errors (``--accept-errors``), read
    every review again: what was accepted then must be judged again now.
    """
    if strict:
        return None
    folder = current_build(settings.store_dir)
    if folder is None or not (folder / "answers.json").is_file():
        return None
    if settings.endpoint is not None and not _server_holds(settings.endpoint, folder.name):
        return None
    built = BuildRecord.read_or_none(folder)
    if built is None:
        return None
    published = built.versions
    same = (
        built.store_format == STORE_FORMAT
        and built.get("software_version") == software_version()
        and built.get("vocabulary_checksum") == vocabulary.checksum
        and built.get("shapes_checksum") == shapes_checksum(settings.shapes)
        # The unchanged reviews' bibliographies were read in the previous build's encoding.
        and built.get("bib_encoding") == bib_encoding
        and built.input_checksums is not None
        and published is not None
    )
    if not same or published is None or built.published_errors:
        return None
    if set(published) - {m.review_id for m in manifests}:
        return None  # a review left the library: only a full build drops it
    for review_id, record in new.items():
        if record.number <= max(published.get(review_id, [0])):
            return None  # only a newer version of a review (or a new review) goes on
    return PreviousBuild(folder, built)


def _server_holds(endpoint: Endpoint, local_build: str) -> bool:
    """Whether the server's current build was sent from this local build.

    If another machine published since, the working copy is behind the server, and only a
    full build makes the server's library again from the inputs.
    """
    from kg.store.remote.reader import current_remote

    found = current_remote(endpoint)
    return found is not None and found[1].get("local_build") == local_build


@dataclass(frozen=True)
class PreviousBuild:
    """The published build that an incremental build goes on from."""

    folder: Path
    record: BuildRecord


@dataclass(frozen=True)
class Increment:
    """What an incremental build made: the changed reviews, their problems and the build."""

    reviews: list[ReviewInputs]
    problems: list[Problem]
    report: ValidationReport
    path: Path


@dataclass(frozen=True)
class _GraphPlan:
    """Which named graphs the new build writes, drops from the snapshot, and reads by default."""

    written: dict[str, Graph]  # every graph of the changed reviews, by name
    leaving: set[str]  # graphs of an older version that leave the current snapshot
    current: list[str]  # the new build's current graphs


def build_increment(request: BuildRequest, previous: PreviousBuild) -> Increment:
    """Publish the changed reviews on top of the previous build."""
    changed = sorted(request.new)
    old = ox.Store.read_only(str(previous.folder / "oxigraph"))
    reviews, problems = _read_changed(request, old, changed)
    checksums = {
        k: v for k, v in (previous.record.input_checksums or {}).items() if k not in changed
    }
    for review in reviews:
        checksums.setdefault(review.manifest.review_id, []).extend(review_checksums(review))
    digest = input_digest(
        [request.vocabulary.checksum] + [c for cs in checksums.values() for c in cs]
    )
    part = _build_part(reviews, request.vocabulary, old, previous.record, digest)
    plan = _plan_graphs(previous.record, part, reviews, changed)
    report = _validate(old, part, plan.written, plan.current, changed, request.settings)
    refuse_failed_shacl(report, request.options)
    del old
    info = _summary(
        previous.record, reviews, problems, report, request.versions, digest, checksums, plan
    )
    path = publish_build(
        request.settings.store_dir,
        info,
        lambda target: _fill(target, previous, part, plan),
        lambda store, target: write_index(store, target, reuse=previous.folder),
    )
    return Increment(reviews, problems, report, path)


def _read_changed(
    request: BuildRequest, old: ox.Store, changed: Sequence[str]
) -> tuple[list[ReviewInputs], list[Problem]]:
    """Read the changed reviews, and stop at the problems that block a publish."""
    ours = [m for m in request.manifests if m.review_id in changed]
    reviews, found = assemble(
        request.settings, ours, request.versions, request.vocabulary, request.options
    )
    problems = request.problems + found + key_clashes(reviews) + _clashes(old, reviews)
    problems += _damaged_versions(request.settings, request.versions, changed)
    if changed or any(p.severity is Severity.ERROR for p in problems):
        gate(problems, reviews, request.options)
    return reviews, problems


def _build_part(
    reviews: list[ReviewInputs],
    vocabulary: Vocabulary,
    old: ox.Store,
    before: BuildRecord,
    digest: str,
) -> Dataset:
    """The changed reviews' graphs, and the build's PROV record carried over to its new IRI."""
    part = build_dataset(reviews, None)
    build_iri = ids.build_iri(digest)
    provenance = ids.provenance_graph_iri()
    part.remove_graph(part.graph(provenance))
    new_provenance = part.graph(provenance)
    old_build = ids.build_iri(before.digest)
    for quad in old.quads_for_pattern(None, None, None, ox.NamedNode(str(provenance))):
        triple = _renamed(quad.triple, str(old_build), str(build_iri))
        new_provenance.add(
            (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))
        )
    build_provenance(new_provenance, reviews, vocabulary, build=build_iri)
    return part


def _plan_graphs(
    before: BuildRecord, part: Dataset, reviews: list[ReviewInputs], changed: Sequence[str]
) -> _GraphPlan:
    newest = {
        r.manifest.review_id: r.version.number
        for r in latest_versions(reviews).values()
        if r.version
    }

    def is_newest(name: str) -> bool:
        review_id, number = ids.graph_version(name)
        return number is None or number == newest.get(review_id or "")

    leaving = {
        g for g in before.current_graphs if ids.graph_version(g)[0] in changed and not is_newest(g)
    }
    written = {str(g.identifier): g for g in part.graphs() if len(g)}
    current = sorted((set(before.current_graphs) - leaving) | {n for n in written if is_newest(n)})
    return _GraphPlan(written, leaving, current)


def _fill(
    target: Path, previous: PreviousBuild, part: Dataset, plan: _GraphPlan
) -> tuple[int, list[str]]:
    """The new store: the previous one copied with hard links, the changed graphs replaced."""
    ox.Store.read_only(str(previous.folder / "oxigraph")).backup(str(target))
    store = ox.Store(str(target))
    quads = previous.record.quads
    replaced: list[ox.Triple] = []
    for name in sorted(plan.written):
        node = ox.NamedNode(name)
        if store.contains_named_graph(node):
            held = [q.triple for q in store.quads_for_pattern(None, None, None, node)]
            quads -= len(held)
            if name in previous.record.current_graphs and not name.endswith(PRIVATE_SUFFIX):
                replaced.extend(held)
            store.remove_graph(node)
    for name in plan.leaving:
        if not name.endswith(PRIVATE_SUFFIX):
            node = ox.NamedNode(name)
            replaced.extend(q.triple for q in store.quads_for_pattern(None, None, None, node))
    additions = [q for q in iter_ox_quads(part) if isinstance(q.graph_name, ox.NamedNode)]
    store.extend(additions)
    _patch_default_graph(store, replaced, additions, plan.current)
    store.flush()
    return quads + len(additions), plan.current


def _patch_default_graph(
    store: ox.Store, replaced: list[ox.Triple], additions: list[ox.Quad], current: list[str]
) -> None:
    """The default graph is the union of the current public graphs: keep it so.

    A triple that left stays there only if a current graph still holds it.
    """
    public_now = {n for n in current if not n.endswith(PRIVATE_SUFFIX)}
    for triple in set(replaced):
        holders = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        if not any(
            isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in public_now
            for q in holders
        ):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, _DEFAULT))
    store.extend(
        ox.Quad(q.subject, q.predicate, q.object, _DEFAULT)
        for q in additions
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in public_now
    )


def _damaged_versions(
    settings: Settings, versions: Mapping[str, Sequence[int]], changed: Sequence[str]
) -> list[Problem]:
    """The unchanged reviews are not read again, but their archived files are still checked."""
    from ingest.archive import ArchiveError

    archive = archive_of(settings)
    problems = []
    for review_id, numbers in sorted(versions.items()):
        if review_id in changed:
            continue  # read in full, and checked, by assemble()
        for number in numbers:
            try:
                record = archive.get(review_id, number)
                damaged = archive.verify(record)
            except ArchiveError as exc:
                problems.append(
                    Problem(review_id, None, Severity.ERROR, "version.missing", str(exc))
                )
                continue
            if damaged:
                problems.append(damaged_version(record, damaged))
    return problems


def _renamed(triple: ox.Triple, old: str, new: str) -> ox.Triple:
    def swap(term: Any) -> Any:
        return ox.NamedNode(new) if isinstance(term, ox.NamedNode) and term.value == old else term

    return ox.Triple(swap(triple.subject), triple.predicate, swap(triple.object))


def _clashes(store: ox.Store, reviews: Sequence[ReviewInputs]) -> list[Problem]:
    """``library.key-clash`` against the reviews already published (see kg.library.full)."""
    problems = []
    for review in latest_versions(reviews).values():
        # Only the review's own older version may have used the key for another work.
        mine = {str(ids.review_iri(review.manifest.review_id))}
        for key, iri in canonical_source_iris(review.bibliography).items():
            for quad in store.quads_for_pattern(
                None, ox.NamedNode(str(EVKG.bibKey)), ox.Literal(key), _DEFAULT
            ):
                if not isinstance(quad.subject, ox.NamedNode) or quad.subject.value == str(iri):
                    continue
                citing = {
                    q.subject.value
                    for q in store.quads_for_pattern(
                        None, ox.NamedNode(str(CITO.cites)), quad.subject, _DEFAULT
                    )
                    if isinstance(q.subject, ox.NamedNode)
                }
                others = sorted(citing - mine)
                if others:
                    problems.append(key_clash(review, key, others[0].rsplit("/", 1)[-1]))
    return problems


def _validate(
    store: ox.Store,
    part: Dataset,
    written: Mapping[str, Any],
    current: Sequence[str],
    changed: Sequence[str],
    settings: Settings,
) -> ValidationReport:
    """SHACL on the changed reviews' current graphs and what they rest on.

    That is the vocabulary, and what the rest of the library says about the sources they cite.
    """
    from kg.rdf.validate import load_shapes

    shapes = load_shapes(settings.shapes)
    snapshot = Dataset()
    for name in current:
        if name in written:
            target = snapshot.graph(URIRef(name))
            for triple in written[name]:
                target.add(triple)
    others = {n for n in current if n not in written and ids.graph_version(n)[0] not in changed}
    context = [ox.NamedNode(str(ids.vocabulary_graph_iri()))]
    quads = [q for g in context for q in store.quads_for_pattern(None, None, None, g)]
    seen: set[str] = set()
    frontier = [
        str(s)
        for name in written
        if name.endswith("/bibliography")
        for s in written[name].subjects(RDF.type, EVKG.Source)
    ]
    for _ in range(2):  # the source, its author list, the people in it
        following = []
        for subject in frontier:
            if subject in seen:
                continue
            seen.add(subject)
            for quad in store.quads_for_pattern(ox.NamedNode(subject), None, None, None):
                if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in others:
                    quads.append(quad)
                    if isinstance(quad.object, ox.NamedNode):
                        following.append(quad.object.value)
        frontier = following
    for quad in quads:
        graph = snapshot.graph(URIRef(quad.graph_name.value))  # type: ignore[union-attr]
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    deadline = time.monotonic() + settings.shacl_timeout
    return validate_within(snapshot, shapes, deadline - time.monotonic())


def _summary(
    before: BuildRecord,
    reviews: Sequence[ReviewInputs],
    problems: Sequence[Problem],
    report: ValidationReport,
    versions: Mapping[str, Sequence[int]],
    digest: str,
    checksums: Mapping[str, list[str]],
    plan: _GraphPlan,
) -> dict[str, Any]:
    changed = {r.manifest.review_id for r in reviews}
    summaries = {r["id"]: r for r in before.reviews if r["id"] not in changed}
    for review in latest_versions(reviews).values():
        summaries[review.manifest.review_id] = review_summary(review)
    kept_problems = [
        p
        for p in before.problems
        if not any(f"/versions/{r}/" in str(p.get("file", "")) for r in changed)
    ]
    kept_shacl = [
        r
        for r in before.get("shacl", [])
        if not any(f"/{r_id}/" in str(r.get("focus", "")) for r_id in changed)
    ]
    new_shacl = [vars(r) for r in report.results if isinstance(r, ShapeResult)]
    return {
        **{
            k: v for k, v in before.data.items() if k not in ("built_at", "quads", "current_graphs")
        },
        "digest": digest,
        "versions": {k: sorted(v) for k, v in sorted(versions.items()) if v},
        "reviews": [summaries[k] for k in sorted(summaries)],
        "problems": _distinct(kept_problems + [p.to_json() for p in problems]),
        "shacl": _distinct(kept_shacl + new_shacl),
        "graphs": sorted(set(before.graphs) | set(plan.written)),
        "input_checksums": {k: sorted(v) for k, v in sorted(checksums.items())},
        "build_kind": "incremental",
        # What a server needs sent again (kg.store.remote.publish); the rest it already holds.
        "changed_graphs": sorted(plan.written),
    }


def _distinct(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items in order, each once.

    Problems found again (say, in every manifest read) must not pile up from one incremental
    build to the next.
    """
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for item in items:
        key = json.dumps(item, sort_keys=True, default=str)  # linear, unlike `not in` a list
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
