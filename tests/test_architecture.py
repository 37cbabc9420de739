"""The import contracts of ``make lint`` hold, and an import against the layers breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in ("ingest", "kg", "web"):
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_project_keeps_its_import_contracts(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_reader_that_imports_the_graph_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    textclean = tree / "ingest" / "textclean.py"
    textclean.write_text(textclean.read_text() + "\nfrom kg.errors import KGError  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "ingest < kg < web" in result.stdout and "BROKEN" in result.stdout
    assert "ingest.textclean -> kg.errors" in result.stdout


def test_the_store_reaching_up_to_answers_breaks_the_parts_of_kg(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    store = tree / "kg" / "store" / "embedded.py"
    store.write_text(store.read_text() + "\n\ndef _late() -> None:\n    import kg.answers.index\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "The parts of kg" in result.stdout and "kg.store.embedded -> kg.answers.index" in (
        result.stdout
    )


def test_a_circle_between_two_modules_is_found(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    pages = tree / "web" / "negotiation.py"
    pages.write_text(pages.read_text() + "\n\ndef _late() -> None:\n    import web.pages\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "No import circles" in result.stdout and "BROKEN" in result.stdout
