"""Measure `evkg suggest` against the curated claims: precision, recall and stance agreement.

Usage: ``python -m bench.suggest_quality`` (needs the review's text; see EVKG_REVIEW).
Prints a Markdown table and one line of JSON; the numbers go into docs/suggest.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.pipeline import ingest_reviews
from ingest.review import locator_index
from kg.answers.suggest import evaluate, suggest
from kg.rdf.concepts import load_vocabulary

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Evaluate every review that has curated claims and its text at hand."""
    vocabulary = load_vocabulary()
    result = ingest_reviews(ROOT / "reviews", ROOT, vocabulary=vocabulary.concept_ids())
    for review in result.reviews:
        if review.audit is None or review.claims is None:
            print(f"{review.manifest.review_id}: no text or no claims; skipped")
            continue
        suggestions = suggest(review.audit, vocabulary.graph)
        report = evaluate(suggestions, review.claims.claims, locator_index(review.audit.review))
        print(f"### {review.manifest.review_id}: {report.sentences} cited sentences\n")
        print("| scheme | true positives | false positives | false negatives |")
        print("|---|---:|---:|---:|")
        for scheme, (tp, fp, fn) in report.per_scheme.items():
            print(f"| {scheme} | {tp} | {fp} | {fn} |")
        summary = {
            "review": review.manifest.review_id,
            "sentences": report.sentences,
            "precision": round(report.precision, 3),
            "recall": round(report.recall, 3),
            "stance_agreement": round(report.stance_agreements / report.sentences, 3),
        }
        print(
            f"\nprecision {summary['precision']}, recall {summary['recall']}, stance agrees "
            f"on {report.stance_agreements} of {report.sentences} sentences"
        )
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
