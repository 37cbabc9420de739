"""Does the cost of each input grow linearly?  Run ``python -m bench.growth``.

Each input an editor can upload is made 1, 10 and 100 times as large as a review's (40
references, 150 sentences, 45 claims) and read; the reference list is also built and checked
with SHACL, the path a publish takes.  It prints the seconds for each size and their ratios:
linear growth is about 10 from one size to the next, quadratic about 100.  Everything is
generated here, in a temporary folder; nothing is sent anywhere.
"""

from __future__ import annotations

import gc
import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ingest.bibtex import parse_bibtex
from ingest.claims import parse_claims
from ingest.review import parse_review

SIZES = (1, 10, 100)


def _bib(folder: Path, n: int) -> Path:
    path = folder / f"refs-{n}.bib"
    path.write_text(
        "".join(
            f"@article{{key{i}, author = {{Writer, Ann and Other, Bo}}, "
            f"title = {{A study number {i} of mentoring}}, journal = {{Journal {i % 7}}}, "
            f"year = {{{2000 + i % 20}}}, doi = {{10.1000/x{i}}}}}\n"
            for i in range(n)
        ),
        "utf-8",
    )
    return path


def _text(folder: Path, n: int) -> Path:
    path = folder / f"review-{n}.txt"
    paragraphs = [
        f"Section {s}\n\n" + " ".join(f"Mentors help people, in case {s}-{i}." for i in range(10))
        for s in range(n // 10)
    ]
    path.write_text("\n\n".join(paragraphs), "utf-8")
    return path


def _claims(folder: Path, n: int) -> Path:
    path = folder / f"claims-{n}.yaml"
    path.write_text(
        "review: r\nclaims:\n"
        + "".join(
            f"  - id: c{i}\n    statement: Claim {i}.\n    stance: supports\n"
            f"    evidence: [key{i}]\n    at: 'Section 1, paragraph 1, sentence 1'\n"
            for i in range(n)
        ),
        "utf-8",
    )
    return path


def _seconds(run: Callable[[], object]) -> float:
    gc.collect()  # what an earlier step left must not be collected on this one's clock
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _shacl(bib: Path) -> None:
    from ingest.manifest import parse_manifest
    from ingest.pipeline import ReviewInputs
    from kg.build.dataset import build_dataset
    from kg.rdf.validate import load_shapes, validate_dataset

    manifest_path = bib.parent / "r.toml"
    manifest_path.write_text(
        'id = "growth-test"\ntitle = "R"\nauthors = ["A, B"]\nyear = 2020\n'
        f'bibliography = "{bib.name}"\n',
        "utf-8",
    )
    manifest, _ = parse_manifest(manifest_path, bib.parent)
    assert manifest is not None
    dataset = build_dataset([ReviewInputs(manifest, parse_bibtex(bib))])
    validate_dataset(dataset, load_shapes(None))


def main() -> None:
    """Make, read, time and print."""
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in SIZES:
            bib = _bib(folder, 40 * size)
            text = _text(folder, 150 * size)
            claims = _claims(folder, 45 * size)
            results.setdefault("reference list (read)", []).append(
                _seconds(partial(parse_bibtex, bib))
            )
            results.setdefault("reference list (built and SHACL)", []).append(
                _seconds(partial(_shacl, bib))
            )
            results.setdefault("review text (read)", []).append(
                _seconds(partial(parse_review, text))
            )
            results.setdefault("claims (read)", []).append(_seconds(partial(parse_claims, claims)))
    print("| input | 1x (s) | 10x (s) | 100x (s) | 10x / 1x | 100x / 10x |")
    print("|---|---|---|---|---|---|")
    for name, (one, ten, hundred) in results.items():
        print(
            f"| {name} | {one:.3f} | {ten:.3f} | {hundred:.3f} | {ten / one:.1f} | "
            f"{hundred / ten:.1f} |"
        )
    print(json.dumps({k: [round(v, 4) for v in vs] for k, vs in results.items()}))


if __name__ == "__main__":
    main()
