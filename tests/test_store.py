"""kg.store.embedded: publish aside, swap atomically, and never damage the store being served."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from ingest.pipeline import ReviewInputs
from kg.answers.review_view import sources_of
from kg.build.dataset import build_dataset
from kg.errors import StoreError
from kg.rdf.concepts import Vocabulary
from kg.store.embedded import EmbeddedStore, current_build, is_private, publish
from tests.conftest import ROOT


def keys_in(root: Path) -> set[str]:
    store = EmbeddedStore.open(root)
    [review] = store.select("list_reviews")
    return {str(r["key"]) for r in store.select("list_sources", review=str(review["review"]))}


def test_a_published_build_reopens_read_only_with_every_source(built_store: Path) -> None:
    store = EmbeddedStore.open(built_store)
    [review] = store.select("list_reviews")
    assert review["title"] == "Peer mentoring in the criminal justice system"
    rows = sources_of(store, str(review["review"]))
    assert len(rows) == 39
    by_key = {r["key"]: r for r in rows}
    assert by_key["buck2018core"]["title"] == "The core conditions of peer mentoring"
    assert by_key["buck2018core"]["year"] == "2018"
    assert by_key["reinglegonzalez2019value"]["firstFamily"] == "Reingle Gonzalez"
    assert by_key["hmip2016inspection"]["firstFamily"] == "Her Majesty's Inspectorate of Probation"
    assert by_key["hmip2016inspection"]["secondFamily"] == "Her Majesty's Inspectorate of Prisons"
    assert by_key["lenkens2019experiential"]["authorCount"] == "8"  # 7 named and "others"
    keys = [r["key"] for r in rows]
    assert keys[:2] == ["albertson2018payment", "barrenger2019enacting"]  # by family name
    assert store.info["quads"] == len(store)


def test_the_store_holds_exactly_what_was_built(
    built_store: Path, project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary
) -> None:
    built = build_dataset(project_reviews, vocabulary)
    stored = EmbeddedStore.open(built_store).to_dataset()
    # Everything but the review's own words, which are never read out of the store whole.
    names = {
        g.identifier
        for g in built.graphs()
        if len(g) and not is_private(ox.NamedNode(str(g.identifier)))
    }
    assert names == {g.identifier for g in stored.graphs() if len(g)}
    for name in names:
        assert isomorphic(built.graph(name), stored.graph(name)), name


def test_opening_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `evkg build` first"):
        EmbeddedStore.open(tmp_path)


class ExplodingDataset(Dataset):
    """A dataset that fails half-way through being written, as a full disk would."""

    def quads(self, *args: object, **kwargs: object) -> Iterator[Any]:  # type: ignore[override]
        yield from list(super().quads((None, None, None, None)))[:10]
        raise OSError("disk full")


def test_a_failed_publish_leaves_the_previous_build_serving(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    first = publish(build_dataset(project_reviews), tmp_path, {"digest": "one"})
    with pytest.raises(OSError, match="disk full"):
        exploding = ExplodingDataset()
        for s, p, o, g in build_dataset(project_reviews).quads((None, None, None, None)):
            exploding.graph(g).add((s, p, o))
        publish(exploding, tmp_path, {"digest": "two"})
    assert current_build(tmp_path) == first
    assert len(keys_in(tmp_path)) == 39
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.endswith(".partial")]


def test_a_build_killed_before_the_swap_leaves_the_previous_build(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    first = publish(build_dataset(project_reviews), tmp_path, {"digest": "one"})
    # A real SIGKILL, delivered at the worst moment: the new store is fully written and
    # only the pointer swap remains.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import kg.store.embedded
        from ingest.pipeline import ingest_reviews
        from kg.build.dataset import build_dataset
        kg.store.embedded.swap_current = lambda root, target: os.kill(os.getpid(), signal.SIGKILL)
        result = ingest_reviews(Path({str(ROOT / "reviews")!r}), Path({str(ROOT)!r}))
        kg.store.embedded.publish(build_dataset(result.reviews), Path({str(tmp_path)!r}), {{}})
    """)
    child = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert child.returncode == -signal.SIGKILL
    assert current_build(tmp_path) == first
    assert len(keys_in(tmp_path)) == 39
    # The next publish clears away what the killed one left behind.
    second = publish(build_dataset(project_reviews), tmp_path, {"digest": "two"})
    assert current_build(tmp_path) == second
    leftovers = [p for p in (tmp_path / "builds").iterdir() if p.name.endswith(".partial")]
    assert leftovers == []


def test_old_builds_are_pruned_but_the_current_one_is_kept(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    dataset = build_dataset(project_reviews)
    builds = [publish(dataset, tmp_path, {"digest": f"d{i}"}) for i in range(5)]
    remaining = sorted(p for p in (tmp_path / "builds").iterdir())
    assert builds[-1] in remaining and len(remaining) == 3
    assert current_build(tmp_path) == builds[-1]
    assert (tmp_path / "current").is_symlink()


def test_queries_see_each_triple_once_even_when_graphs_repeat_it(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    dataset = build_dataset(project_reviews)
    # The review's publisher (Clinks) is also an author in the bibliography: two graphs hold
    # the same triples about it.
    distinct = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    quads = sum(1 for _ in dataset.quads((None, None, None, None)))
    assert quads > len(distinct)
    publish(dataset, tmp_path, {})
    store = EmbeddedStore.open(tmp_path)
    [row] = store.select("count_triples")
    assert int(str(row["triples"])) == len(distinct)
    assert len(store) == quads  # exports and len() see the named graphs, not the union copy


def test_a_build_from_another_version_is_refused_with_advice(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...]
) -> None:
    build = publish(build_dataset(project_reviews), tmp_path, {})
    info = json.loads((build / "build.json").read_text("utf-8"))
    info["store_format"] = 1
    (build / "build.json").write_text(json.dumps(info), "utf-8")
    with pytest.raises(StoreError, match=r"another version.*run `evkg build` again"):
        EmbeddedStore.open(tmp_path)


def test_prune_keeps_the_current_build_with_a_relative_root(
    tmp_path: Path, project_reviews: tuple[ReviewInputs, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found in review: with a relative store path the current build was not recognised.
    monkeypatch.chdir(tmp_path)
    dataset = build_dataset(project_reviews)
    builds = [publish(dataset, Path("store"), {"digest": f"d{i}"}) for i in range(4)]
    assert current_build(Path("store")) is not None
    assert current_build(Path("store")) == builds[-1].resolve()
    assert builds[-1].exists()
