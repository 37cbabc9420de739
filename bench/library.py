"""A synthetic library of reviews, written as the *inputs* our ingesters read.

``bench/synthetic.py`` writes N-Quads to compare stores.  This module writes what an editor
would: per review a manifest (``reviews/<id>.toml``), a reference list (BibTeX), claims
(YAML, with concepts from our own vocabulary) and a venues file, so that the whole pipeline
(ingest, build, SHACL, publish, answers, pages) runs on it unchanged.  Its shape follows the
seed review: about 40 references, of which about 30% come from a pool that many reviews
share, and about 45 claims, each with 1-3 references and 1-4 concepts.  Concepts are drawn
with skewed (Zipf-like) weights, so "hope" is common and some concepts are rare.  The same
``reviews`` and ``seed`` always give the same files.

The reviews have no text: they are made up, and a text would only add private sentence
graphs that answers do not read.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path

from kg.rdf.concepts import load_vocabulary

SHARED_POOL = 2000
SHARED_SHARE = 0.3
REFERENCES = 40
CLAIMS = 45
FAMILY = (
    "Smith", "Müller", "Garcia", "Chen", "Okafor", "Kowalski", "Nguyen", "Silva", "Rossi",
    "Johansson", "Kim", "Novak", "Haddad", "Dubois", "Tanaka", "Ibrahim", "Brown", "Patel",
)  # fmt: skip
GIVEN = ("Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Kofi")
JOURNALS = (
    "Journal of Offender Rehabilitation", "Probation Journal", "Prison Service Journal",
    "Criminology & Criminal Justice", "Journal of Community Psychology",
)  # fmt: skip
WORDS = (
    "peer", "mentoring", "prison", "probation", "desistance", "hope", "trust", "study",
    "evaluation", "support", "women", "young", "people", "recovery", "employment", "housing",
)  # fmt: skip
STANCES = ("supports", "challenges", "qualifies")
#: The concept most claims are about, and one that few are: the benchmark's two questions.
COMMON_CONCEPT = "hope"
RARE_CONCEPT = "insider-knowledge"


def _zipf(items: Sequence[str], rng: random.Random, first: str | None = None) -> str:
    ordered = ([first] if first else []) + [i for i in items if i != first]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(ordered))]
    return rng.choices(ordered, weights)[0]


def _reference(rng: random.Random, key: str, shared: int | None) -> str:
    # A shared source is the same work in every review that cites it: same DOI, same title.
    local = random.Random(shared) if shared is not None else rng
    authors = " and ".join(
        f"{local.choice(FAMILY)}, {local.choice(GIVEN)}" for _ in range(local.randint(1, 4))
    )
    title = " ".join(local.choice(WORDS) for _ in range(local.randint(4, 9))).capitalize()
    year = local.randint(1995, 2024)
    fields = [f"  author = {{{authors}}}", f"  title = {{{title}}}", f"  year = {{{year}}}"]
    if local.random() < 0.7:
        fields.append(f"  journal = {{{local.choice(JOURNALS)}}}")
        fields.append(f"  volume = {{{local.randint(1, 60)}}}")
        fields.append(f"  pages = {{{local.randint(1, 200)}--{local.randint(201, 400)}}}")
        entry_type = "article"
    else:
        fields.append("  publisher = {Synthetic Press}")
        entry_type = "book" if local.random() < 0.5 else "techreport"
        if entry_type == "techreport":
            fields.append("  institution = {Synthetic Institute}")
    if shared is not None:
        fields.append(f"  doi = {{10.5555/shared.{shared}}}")
    return f"@{entry_type}{{{key},\n" + ",\n".join(fields) + "\n}\n"


def write_review(root: Path, index: int, seed: int, concepts: dict[str, list[str]]) -> str:
    """Write one review's files under ``root``; returns its id."""
    rng = random.Random(f"{seed}/{index}")
    review_id = f"synthetic-{index:05d}"
    keys = []
    bib = []
    for n in range(REFERENCES):
        shared = rng.randrange(SHARED_POOL) if rng.random() < SHARED_SHARE else None
        key = f"r{index}s{n}" if shared is None else f"shared{shared}"
        if key in keys:
            continue
        keys.append(key)
        bib.append(_reference(rng, key, shared))
    (root / "bib").mkdir(parents=True, exist_ok=True)
    (root / "bib" / f"{review_id}.bib").write_text("\n".join(bib), "utf-8")
    lines = [f"review: {review_id}", "claims:"]
    for n in range(CLAIMS):
        stance = rng.choices(STANCES, (0.6, 0.25, 0.15))[0]
        lines.append(f"  - id: c{n}")
        lines.append(f"    statement: Synthetic claim {n} of review {index}.")
        lines.append(f"    stance: {stance}")
        lines.append(f"    mechanisms: [{_zipf(concepts['mechanisms'], rng, COMMON_CONCEPT)}]")
        lines.append(f"    outcomes: [{_zipf(concepts['outcomes'], rng)}]")
        if stance == "challenges":
            lines.append(f"    barriers: [{_zipf(concepts['barriers'], rng)}]")
        if rng.random() < 0.5:
            lines.append(f"    settings: [{_zipf(concepts['settings'], rng)}]")
        evidence = rng.sample(keys, rng.randint(1, 3))
        lines.append(f"    evidence: [{', '.join(evidence)}]")
        lines.append(f"    at: Findings, paragraph {n // 3 + 1}, sentence {n % 3 + 1}")
        lines.append("    status: confirmed")
    claims = root / "reviews" / f"{review_id}.claims.yaml"
    claims.parent.mkdir(parents=True, exist_ok=True)
    claims.write_text("\n".join(lines) + "\n", "utf-8")
    (root / "reviews" / f"{review_id}.toml").write_text(
        f'id = "{review_id}"\n'
        f'title = "Synthetic review {index}"\n'
        f'authors = ["{rng.choice(FAMILY)}, {rng.choice(GIVEN)}"]\n'
        f"year = {2010 + index % 15}\n"
        f'publisher = "Synthetic Press"\n'
        f'bibliography = "bib/{review_id}.bib"\n'
        f'claims = "reviews/{review_id}.claims.yaml"\n'
        f'venues = "venues.yaml"\n',
        "utf-8",
    )
    return review_id


def _concepts() -> dict[str, list[str]]:
    vocabulary = load_vocabulary().concept_ids()
    return {scheme: sorted(ids) for scheme, ids in vocabulary.items()}


def add_review(root: Path, seed: int = 1) -> str:
    """Write one more review into the library at ``root``; returns its id."""
    return write_review(root, len(list((root / "reviews").glob("*.toml"))), seed, _concepts())


def write_library(root: Path, reviews: int, seed: int = 1) -> list[str]:
    """Write ``reviews`` reviews (and the shared venues file) under ``root``."""
    concepts = _concepts()
    root.mkdir(parents=True, exist_ok=True)
    (root / "venues.yaml").write_text(
        "journals:\n"
        + "".join(
            f"  {name!r}: {{peer_reviewed: {str(i % 2 == 0).lower()}, basis: synthetic}}\n"
            for i, name in enumerate(JOURNALS)
        ),
        "utf-8",
    )
    return [write_review(root, i, seed, concepts) for i in range(reviews)]


def main() -> None:
    """Write a library from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--reviews", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ids = write_library(args.root, args.reviews, args.seed)
    print(f"wrote {len(ids)} reviews under {args.root}")


if __name__ == "__main__":
    main()
