"""An editor's round in a real browser, from sign-in to the new evidence in the answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.library.assembly import PublishOptions
from kg.library.full import build_project
from tests.browser_support import CHROMIUM, Watched, browser
from tests.conftest import IN_CI, running_server
from tests.tiny_project import PASSWORD, V2, environment, make_tiny_project
from web.accounts import Accounts

__all__ = ["browser"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not IN_CI,
    reason="Debian's chromium is not installed (make system-deps)",
)


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = make_tiny_project(tmp_path_factory.mktemp("editor"))
    build_project(settings, PublishOptions())
    Accounts(settings.users_file).add("alice", PASSWORD)
    with running_server(settings.store_dir, environment(settings)) as (base, _):
        yield base


def test_an_editor_uploads_reviews_confirms_and_publishes(
    editor_server: str, browser: object
) -> None:
    watched = Watched(browser)
    page = watched.page
    problems: list[str] = []

    def check(name: str) -> None:
        watched.shot(f"editor-{name}")
        problems.extend(f"{name}: {v}" for v in watched.axe())

    page.goto(editor_server + "/ask?q=what+supports+hope")
    assert "Fox" not in page.locator("main").inner_text()

    page.goto(editor_server + "/editor/")
    page.wait_for_url("**/editor/login**")
    check("login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/editor/")
    check("dashboard")

    page.get_by_role("link", name="Upload a new version of this review").click()
    page.get_by_label("The review's text").set_input_files(str(V2 / "review.md"))
    page.get_by_label("Its reference list").set_input_files(str(V2 / "references.bib"))
    page.get_by_label("What changed").fill("Adds Fox (2021) on hope")
    check("upload")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/editor/drafts/tiny-review/2")

    # The diff in evidence terms, against the published version.
    assert page.get_by_role("heading", name="Changes since tiny-review/v1").is_visible()
    assert page.get_by_role("heading", name="References added (1)").is_visible()
    assert "fox2021" in page.locator("section", has_text="References added (1)").last.inner_text()
    check("draft")

    suggestion = page.locator("article", has_text="Findings, paragraph 1, sentence 1")
    suggestion.get_by_label("The claim in your own words").fill("Mentoring gives people hope.")
    suggestion.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/editor/drafts/tiny-review/2#queue")
    assert "Confirmed the claim" in page.locator("main").inner_text()
    assert page.locator("article", has_text="Findings, paragraph 1, sentence 1").count() == 0

    page.get_by_role("button", name="Publish v2").click()
    page.wait_for_url("**/versions")
    assert "v2 (current)" in page.locator("main").inner_text()
    check("versions")

    page.goto(editor_server + "/ask?q=what+supports+hope")
    answer = page.locator("main").inner_text()
    assert "Fox" in answer and "Mentoring gives people hope." in answer
    check("answer")
    assert problems == []
    assert watched.errors == [] and watched.foreign == []
