"""The `evkg` command: exit codes, refusal to publish bad input, and an untouched store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.store.embedded import current_build
from tests.conftest import DATA, copy_project, needs_seed

BAD = DATA / "bad"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_project(tmp_path / "project")
    monkeypatch.setenv("EVKG_ROOT", str(root))
    monkeypatch.delenv("EVKG_STORE_DIR", raising=False)
    monkeypatch.delenv("EVKG_REVIEWS_DIR", raising=False)
    return root


def use_bib(project: Path, fixture: Path) -> None:
    """Swap in another bibliography; the curated claims cite the real one, so drop them."""
    (project / "references.bib").write_bytes(fixture.read_bytes())
    for manifest in (project / "reviews").glob("*.toml"):
        lines = manifest.read_text("utf-8").splitlines()
        manifest.write_text("\n".join(x for x in lines if not x.startswith("claims")), "utf-8")


def test_build_publishes_and_reports_as_json(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["reviews"][0]["sources"] == 39
    assert {p["severity"] for p in summary["problems"]} <= {"warning"}
    assert current_build(project / "var" / "store") == Path(summary["store"])


def test_errors_block_publishing_and_leave_the_store_untouched(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    before = current_build(project / "var" / "store")
    use_bib(project, BAD / "01-unclosed-brace.bib")
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "references.bib:8: error: bib.failed-block" in err
    assert "nothing was published" in err
    assert current_build(project / "var" / "store") == before
    # With --json, the failure is a report on standard output too.
    assert main(["build", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["exit_code"] == 1
    failed = [p for p in report["problems"] if p["code"] == "bib.failed-block"]
    assert failed and failed[0]["line"] == 8 and failed[0]["file"].endswith("references.bib")


def test_accept_errors_publishes_what_could_be_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_bib(project, BAD / "01-unclosed-brace.bib")
    assert main(["build", "--accept-errors", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["reviews"][0]["sources"] == 2
    assert "bib.failed-block" in captured.err  # still reported, never silent


def test_strict_makes_warnings_fatal(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_bib(project, BAD / "06-years.bib")
    assert main(["build", "--strict"]) == 1
    assert "bib.missing-year" in capsys.readouterr().err
    assert main(["build"]) == 0


@pytest.mark.parametrize(
    "fixture",
    ["04-empty.bib", "04-not-bibtex.html", "04-not-bibtex.pdf"],
    ids=["empty", "html", "pdf"],
)
def test_not_bibtex_is_never_published_even_when_errors_are_accepted(
    project: Path, fixture: str, capsys: pytest.CaptureFixture[str]
) -> None:
    use_bib(project, BAD / fixture)
    assert main(["build", "--accept-errors"]) == 1
    assert "no entries" in capsys.readouterr().err
    assert current_build(project / "var" / "store") is None


def test_wrong_encoding_can_be_re_decoded_on_request(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_bib(project, BAD / "05-cp1252.bib")
    assert main(["build"]) == 1
    assert "cp1252 (" in capsys.readouterr().err
    assert main(["build", "--bib-encoding", "cp1252"]) == 0


def test_export_before_build_explains_and_exits_3(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "ttl"]) == 3
    assert "run `evkg build` first" in capsys.readouterr().err


def test_export_writes_a_file(project: Path, tmp_path: Path) -> None:
    assert main(["build"]) == 0
    out = tmp_path / "refs.bib"
    assert main(["export", "--format", "bib", "--out", str(out)]) == 0
    assert out.read_text("utf-8").count("\n@") + 1 == 39


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "docx"])
    assert exit_info.value.code == 2


@needs_seed
def test_build_reports_unresolved_citations_and_builds_mentions(
    project: Path, capsys: pytest.CaptureFixture[str], review_text: str
) -> None:
    assert main(["build", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    codes = [(p["code"], p["message"].split(" has ")[0]) for p in summary["problems"]]
    assert ("cite.unresolved", "Pollack, 2004") in codes  # case 11: counted in the report
    assert any(g.endswith("/text") for g in summary["graphs"])
    assert main(["build", "--strict"]) == 1  # an editor can make them fatal


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02" * 100], ids=["empty", "binary"])
def test_an_unreadable_review_text_publishes_nothing(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "review.txt"
    bad.write_bytes(content)
    monkeypatch.setenv("EVKG_REVIEW", str(bad))
    assert main(["build", "--accept-errors"]) == 1
    assert "review.unreadable" in capsys.readouterr().err
    assert current_build(project / "var" / "store") is None  # case 27: no partial graph


@pytest.mark.embedded_only
def test_serving_on_a_busy_port_is_a_clear_error_with_the_internal_code(
    built_store: Path,
) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # In a process of its own: waitress leaves the socket it could not bind to the
        # collector, which this suite treats as an error.
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", "serve", "--port", str(port)],
            env={**os.environ, "EVKG_STORE_DIR": str(built_store)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 3
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
