"""A killed publish (case 22), a full disk (case 23), the SHACL gate (case 24): no loss."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.archive import VersionRecord
from kg.config import Settings
from kg.library import assembly, drafts, incremental
from kg.library import full as library
from kg.library.assembly import PublishOptions, archive_of
from kg.library.drafts import VersionPublished, analyse, confirm
from kg.library.full import build_project, publish_version, published_versions
from kg.store.embedded import EmbeddedStore, current_build
from tests.conftest import ROOT
from tests.tiny_project import REVIEW, V2, environment, make_tiny_project


@pytest.fixture()
def with_draft(tmp_path: Path) -> tuple[Settings, VersionRecord]:
    """The tiny review published at v1, with v2 uploaded as a draft."""
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    inputs = {name: (V2 / name).read_bytes() for name in ("review.md", "references.bib")}
    inputs["review.claims.yaml"] = (V2 / "review.claims.yaml").read_bytes()
    record = archive_of(settings).add(REVIEW, inputs, origin="upload", created_by="alice")
    return settings, record


def keys(settings: Settings) -> set[str]:
    store = EmbeddedStore.open(settings.store_dir)
    return {str(row["key"]) for row in store.select("list_sources")}


def run_evkg(
    settings: Settings,
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=ROOT,
        env={**os.environ, **environment(settings), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=preexec_fn,  # only sets a resource limit; the tests start no threads
    )


def test_case_22_a_publish_killed_just_before_its_swap_leaves_the_old_version(
    with_draft: tuple[Settings, VersionRecord],
) -> None:
    settings, _ = with_draft
    serving = current_build(settings.store_dir)
    assert "dean2019" in keys(settings)
    # A real SIGKILL at the worst moment: the new build is complete on disk, only the
    # pointer swap remains.
    script = textwrap.dedent(f"""
        import os, signal
        import kg.store.embedded
        from kg.config import Settings
        from kg.library.full import PublishOptions, archive_of, publish_version
        kg.store.embedded.swap_current = lambda root, target: os.kill(os.getpid(), signal.SIGKILL)
        settings = Settings.from_env()
        record = archive_of(settings).get({REVIEW!r}, 2)
        publish_version(settings, record, PublishOptions())
    """)
    child = run_evkg_script(settings, script)
    assert child.returncode == -signal.SIGKILL
    assert current_build(settings.store_dir) == serving
    assert published_versions(settings)[REVIEW] == [1]
    assert "dean2019" in keys(settings) and "fox2021" not in keys(settings)
    # The next publish goes through and clears what the killed one left behind.
    assert run_evkg(settings, "publish", "v2").returncode == 0
    assert published_versions(settings)[REVIEW] == [1, 2]
    assert "fox2021" in keys(settings)
    builds = settings.store_dir / "builds"
    assert not [p for p in builds.iterdir() if p.name.endswith(".partial")]


def run_evkg_script(settings: Settings, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **environment(settings)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("delay", [0.4, 0.9, 1.4, 2.0])
def test_case_22_a_publish_killed_at_any_moment_leaves_one_whole_version(
    with_draft: tuple[Settings, VersionRecord], delay: float
) -> None:
    settings, _ = with_draft
    old = {"dean2019", "baker2017"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "publish", "v2"],
        cwd=ROOT,
        env={**os.environ, **environment(settings)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # Whatever moment the kill came, the store opens and holds exactly one whole version.
    found = keys(settings)
    versions = published_versions(settings)[REVIEW]
    if versions == [1]:
        assert old <= found and "fox2021" not in found
    else:
        assert versions == [1, 2] and "fox2021" in found and "dean2019" not in found


def _limit_file_size(size: int) -> None:
    # A process-wide ceiling on file size: every write past it fails with EFBIG, as on a
    # full disk, and the signal that would kill the writer is ignored.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_case_23_an_export_that_cannot_be_written_leaves_the_old_file(tmp_path: Path) -> None:
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    out = tmp_path / "exports" / "graph.ttl"
    out.parent.mkdir()
    assert run_evkg(settings, "export", "--format", "ttl", "--out", str(out)).returncode == 0
    good = out.read_bytes()
    assert b"evkg:bibKey" in good and len(good) > 4096
    out.write_bytes(good + b"# kept\n")
    failed = run_evkg(
        settings,
        "export",
        "--format",
        "trig",
        "--out",
        str(out),
        preexec_fn=lambda: _limit_file_size(4096),
    )
    assert failed.returncode == 3
    assert "could not write" in failed.stderr and "unchanged" in failed.stderr
    assert out.read_bytes() == good + b"# kept\n"
    assert [p.name for p in out.parent.iterdir()] == ["graph.ttl"]  # no temporary file left
    missing = run_evkg(settings, "export", "--format", "ttl", "--out", str(tmp_path / "no" / "x"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_case_23_a_publish_on_a_full_disk_leaves_the_old_version(
    with_draft: tuple[Settings, VersionRecord],
) -> None:
    settings, _ = with_draft
    serving = current_build(settings.store_dir)
    failed = run_evkg(settings, "publish", "v2", preexec_fn=lambda: _limit_file_size(64 * 1024))
    assert failed.returncode == 3, failed.stderr
    assert "could not write" in failed.stderr and "previous store is untouched" in failed.stderr
    assert current_build(settings.store_dir) == serving
    assert published_versions(settings)[REVIEW] == [1] and "dean2019" in keys(settings)
    assert not [p for p in (settings.store_dir / "builds").iterdir() if ".partial" in p.name]


def test_case_24_missing_shapes_are_a_hard_failure(
    with_draft: tuple[Settings, VersionRecord], tmp_path: Path
) -> None:
    settings, _ = with_draft
    serving = current_build(settings.store_dir)
    failed = run_evkg(
        settings,
        "publish",
        "v2",
        env={**os.environ, **environment(settings), "EVKG_SHAPES": str(tmp_path / "gone.ttl")},
    )
    assert failed.returncode == 3 and "cannot read the SHACL shapes" in failed.stderr
    assert current_build(settings.store_dir) == serving


def test_case_24_validation_past_its_time_limit_fails_closed(
    with_draft: tuple[Settings, VersionRecord],
) -> None:
    settings, _ = with_draft
    serving = current_build(settings.store_dir)
    failed = run_evkg(
        settings,
        "publish",
        "v2",
        env={**os.environ, **environment(settings), "EVKG_SHACL_TIMEOUT": "0.001"},
    )
    assert failed.returncode == 1 and "past its time limit" in failed.stderr
    assert current_build(settings.store_dir) == serving
    assert published_versions(settings)[REVIEW] == [1]


@pytest.fixture()
def held_builds(
    with_draft: tuple[Settings, VersionRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build in another thread stays inside the library lock until the main thread asks for it.

    The build has read what is published (it is assembling its reviews) when it stops; it goes
    on once the main thread is about to take the lock, so the two contend for it for certain.
    (It is set up after ``with_draft``, whose own build must not wait.)
    """
    inside, asking = threading.Event(), threading.Event()
    original_assemble = assembly.assemble
    original_lock = library.library_lock

    def held(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            inside.set()
            assert asking.wait(timeout=60), "the main thread never asked for the library"
        return original_assemble(*args, **kwargs)

    @contextlib.contextmanager
    def lock(settings: Settings) -> Iterator[None]:
        if threading.current_thread() is threading.main_thread():
            assert inside.wait(timeout=60), "the build never started"
            asking.set()
        with original_lock(settings):
            yield

    monkeypatch.setattr(library, "assemble", held)
    monkeypatch.setattr(incremental, "assemble", held)
    monkeypatch.setattr(library, "library_lock", lock)
    monkeypatch.setattr(drafts, "library_lock", lock)


@pytest.mark.usefixtures("held_builds")
def test_a_build_and_a_publish_at_once_lose_no_version(
    with_draft: tuple[Settings, VersionRecord],
) -> None:
    settings, draft = with_draft
    # The build starts first and would finish last: without one lock over both, it would
    # swap in the list it read before v2 was published, and v2 would be lost.
    build = threading.Thread(target=build_project, args=(settings, PublishOptions()))
    build.start()
    publish_version(settings, draft, PublishOptions())
    build.join(timeout=60)
    assert published_versions(settings)[REVIEW] == [1, 2]
    assert "fox2021" in keys(settings)


@pytest.mark.usefixtures("held_builds")
def test_a_draft_cannot_change_while_it_is_being_published(
    with_draft: tuple[Settings, VersionRecord],
) -> None:
    settings, _ = with_draft
    without_claims = archive_of(settings).add(
        REVIEW,
        {name: (V2 / name).read_bytes() for name in ("review.md", "references.bib")},
        origin="upload",
        created_by="alice",
    )
    analyse(settings, without_claims)
    publishing = threading.Thread(
        target=publish_version, args=(settings, without_claims, PublishOptions())
    )
    publishing.start()
    # The editor confirms a suggestion while the publish runs: it waits for the publish,
    # then finds the version published and changes nothing.
    with pytest.raises(VersionPublished):
        confirm(settings, without_claims, "sentence-0", "Mentors give hope.", "supports", "bob")
    publishing.join(timeout=60)
    assert published_versions(settings)[REVIEW] == [1, 3]
    assert archive_of(settings).verify(archive_of(settings).get(REVIEW, 3)) == []
    build_project(settings, PublishOptions())  # later builds still work
    assert published_versions(settings)[REVIEW] == [1, 3]
