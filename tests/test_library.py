"""A library of several reviews: answers count every review's claims, and say how many."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.library import COMMON_CONCEPT, write_library
from kg.answers import answer
from kg.config import Settings
from kg.knowledge import Knowledge
from kg.library import PublishOptions, build_project
from kg.store import GraphStore
from kg.vocabulary import CONCEPT_BASE


def test_claims_with_the_same_id_in_different_reviews_are_all_counted(tmp_path: Path) -> None:
    # Every synthetic review numbers its claims c0, c1, ...: ids repeat across reviews.
    write_library(tmp_path, reviews=3, seed=7)
    settings = Settings(tmp_path, tmp_path / "reviews", tmp_path / "store")
    build_project(settings, PublishOptions())
    expected = set()
    for path in sorted((tmp_path / "reviews").glob("*.claims.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for claim in data["claims"]:
            if COMMON_CONCEPT in claim.get("mechanisms", []):
                expected.add((data["review"], claim["id"]))
    knowledge = Knowledge.of(GraphStore.open(settings.store_dir))
    about = knowledge.claims_about(f"{CONCEPT_BASE}mechanism/{COMMON_CONCEPT}")
    assert {(c.iri.rsplit("/", 2)[-2], c.id) for c in about} == expected
    assert len({review for review, _ in expected}) == 3
    result = answer(f"what supports {COMMON_CONCEPT}", knowledge)
    assert result.summary.startswith("3 reviews cite ")
    assert sum(len(group) for group in result.claims.values()) == len(expected)
