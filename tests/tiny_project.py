"""A throwaway project holding our tiny invented review, for the version and editor tests.

Version 1 is the review as ``tests/data/versions/v1`` has it, named by the project's
manifest; version 2 (``v2``) is what an editor uploads.  Both were written by us.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.config import Settings
from tests.conftest import DATA

V1, V2 = DATA / "versions" / "v1", DATA / "versions" / "v2"
REVIEW = "tiny-review"
PASSWORD = "correct horse battery"  # noqa: S105 - a throwaway test account
MANIFEST = """\
id = "tiny-review"
title = "A tiny invented review"
authors = ["Writer, Wendy"]
year = 2024
bibliography = "inputs/references.bib"
text = "inputs/review.md"
claims = "inputs/review.claims.yaml"
"""


def make_tiny_project(root: Path) -> Settings:
    """The project's files under ``root``; returns the settings that point at them."""
    (root / "reviews").mkdir(parents=True)
    (root / "reviews" / "tiny.toml").write_text(MANIFEST, "utf-8")
    shutil.copytree(V1, root / "inputs")
    return Settings(root=root, reviews_dir=root / "reviews", store_dir=root / "var" / "store")


def environment(settings: Settings) -> dict[str, str]:
    """Environment variables that make `evkg` and the server use this project."""
    return {
        "EVKG_ROOT": str(settings.root),
        "EVKG_REVIEWS_DIR": str(settings.reviews_dir),
        "EVKG_STORE_DIR": str(settings.store_dir),
        "EVKG_EDITOR": "tester",
    }
