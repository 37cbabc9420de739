"""An editor's round in a real browser, from sign-in to the new evidence in the answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.library.assembly import PublishOptions
from kg.library.full import build_project
from tests.browser_support import CHROMIUM, Watched, browser
from tests.conftest import DATA, IN_CI, running_server
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
    editor_server: str, browser: object, tmp_path: Path
) -> None:
    """The editor's round trip, every step in the browser.

    Start from the current files, fix a citation in place, confirm in bulk, be held by a
    loss until it is confirmed, publish, and compare the versions.
    """
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

    # Start from the current version: download its claims file.
    with page.expect_download() as download:
        page.get_by_role("link", name="review.claims.yaml of v1").click()
    kept = tmp_path / "v1-claims.yaml"
    download.value.save_as(kept)
    assert "care-claim" in kept.read_text("utf-8")

    # The new text cites "Fox, 2020", which the list has as 2021; the claims leave out two of
    # v1's (one sentence is then left to a suggestion).
    text = tmp_path / "review.md"
    text.write_text((V2 / "review.md").read_text("utf-8").replace("Fox, 2021", "Fox, 2020"))
    claims = tmp_path / "claims.yaml"
    lines = (V2 / "review.claims.yaml").read_text("utf-8").split("  - id: ")
    claims.write_text("  - id: ".join(c for c in lines if not c.startswith("funding")))

    page.get_by_role("link", name="Upload a new version of this review").click()
    page.get_by_label("The review's text").set_input_files(str(text))
    page.get_by_label("Its reference list").set_input_files(str(V2 / "references.bib"))
    page.get_by_label("Claims").set_input_files(str(claims))
    page.get_by_label("What changed").fill("Adds Fox on hope")
    check("upload")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/editor/drafts/tiny-review/2")
    assert page.get_by_role("heading", name="Changes since tiny-review/v1").is_visible()
    check("draft")

    # A citation fixed in place: the ranked candidate is chosen.
    fix = page.locator("article", has_text="Fox, 2020")
    assert "1 year apart" in fix.inner_text()
    fix.get_by_role("button", name="Use this reference").click()
    page.wait_for_url("**/editor/drafts/tiny-review/2#citations")
    assert "now resolves to fox2021" in page.locator("main").inner_text()

    # Bulk confirmation: tick the suggestion, write the claim, confirm the ticked.
    suggestion = page.locator("article", has_text="Findings, paragraph 1, sentence 3")
    suggestion.get_by_role("checkbox").check()
    suggestion.get_by_label("The claim in your own words").fill("Funding is often short-lived.")
    page.get_by_role("button", name="Confirm the ticked").click()
    page.wait_for_url("**/editor/drafts/tiny-review/2#queue")
    assert "Confirmed 1 claim." in page.locator("main").inner_text()

    # Held: v1's "Care matters." is dropped, and publishing waits until that is confirmed.
    losses = page.locator("fieldset", has_text="Tick each one you mean to drop")
    assert "Drop the claim “Care matters.”" in losses.inner_text()
    page.get_by_role("button", name="Publish v2").click()
    assert page.url.endswith("/editor/drafts/tiny-review/2#queue")  # the browser held it
    for box in losses.get_by_role("checkbox").all():
        box.check()
    check("losses")
    page.get_by_role("button", name="Publish v2").click()
    page.wait_for_url("**/versions")
    assert "Published tiny-review/v2" in page.locator("main").inner_text()
    assert "v2 (current)" in page.locator("main").inner_text()
    check("versions")

    # Compare the two versions with the picker.
    page.get_by_label("From").select_option("tiny-review/v1")
    page.get_by_label("To").select_option("tiny-review/v2")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/diff?**")
    assert "Fox, 2020 in Findings" in page.locator("main").inner_text()

    page.goto(editor_server + "/ask?q=what+supports+hope")
    answer = page.locator("main").inner_text()
    assert "Fox" in answer
    check("answer")
    assert problems == []
    assert watched.errors == [] and watched.foreign == []


SECOND = DATA / "second_review"


def test_a_second_review_goes_from_the_browser_to_answers_with_its_own_concepts(
    editor_server: str, browser: object
) -> None:
    watched = Watched(browser)
    page = watched.page
    problems: list[str] = []
    page.goto(editor_server + "/editor/login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/editor/")

    page.get_by_role("link", name="Add a review").click()
    page.get_by_label("Id (in addresses)").fill("restorative-demo")
    page.get_by_label("Title").fill("Restorative justice conferences for young people")
    page.get_by_label("Authors, one a line").fill("{Evidence Graph Team}")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("What its licence lets readers see").select_option("full")
    problems += [f"new review: {v}" for v in watched.axe()]
    page.get_by_role("button", name="Add the review").click()
    page.wait_for_url("**/editor/upload?review=restorative-demo")
    page.get_by_label("The review's text").set_input_files(str(SECOND / "review.md"))
    page.get_by_label("Its reference list").set_input_files(str(SECOND / "references.bib"))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/editor/drafts/restorative-demo/1")

    # Accept a proposed concept, with a definition in the editor's words.
    proposal = page.locator("article.proposal", has_text="Victim satisfaction")
    proposal.locator("summary").click()
    proposal.get_by_label("Scheme").select_option("outcomes")
    proposal.get_by_label("Definition, in your own words").fill(
        "How content victims are with how their case was dealt with."
    )
    proposal.get_by_role("button", name="Accept the concept").click()
    page.wait_for_url("**/editor/drafts/restorative-demo/1#concepts")
    assert "Accepted the concept “Victim satisfaction”" in page.locator("main").inner_text()
    page.locator("article.proposal", has_text="Both sides").get_by_role(
        "button", name="Reject"
    ).click()
    page.wait_for_url("**#concepts")

    # Confirm, in bulk, the suggested claims that use it.
    for at, words in (
        ("What the studies report, paragraph 1, sentence 1", "Victims were more satisfied."),
        ("What the studies report, paragraph 1, sentence 2", "Good preparation satisfies."),
    ):
        suggestion = page.locator("article.claim", has_text=at)
        assert "victim-satisfaction" in suggestion.inner_text()
        suggestion.get_by_role("checkbox").check()
        suggestion.get_by_label("The claim in your own words").fill(words)
    problems += [f"draft: {v}" for v in watched.axe()]
    page.get_by_role("button", name="Confirm the ticked").click()
    page.wait_for_url("**#queue")
    assert "Confirmed 2 claims." in page.locator("main").inner_text()
    page.get_by_role("button", name="Publish v1").click()
    page.wait_for_url("**/versions")

    page.goto(editor_server + "/ask?q=what+supports+victim+satisfaction")
    answer = page.locator("main").inner_text()
    assert "Victims were more satisfied." in answer and "Corran" in answer
    page.get_by_role("link", name="Victim satisfaction").first.click()
    assert "How content victims are" in page.locator("main").inner_text()
    assert problems == []
    assert watched.errors == [] and watched.foreign == []


@pytest.mark.parametrize("width", [390, 1280])
def test_no_editor_page_scrolls_sideways(editor_server: str, browser: object, width: int) -> None:
    watched = Watched(browser)
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(editor_server + "/editor/login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/editor/")
    wide = {}
    for path in (
        "/editor/",
        "/editor/upload",
        "/editor/drafts/tiny-review/1",
        "/editor/appraisals/tiny-review",
        "/editor/appraisals/tiny-review/abbott2015",
        "/editor/reviews/new",
        "/diff?old=tiny-review/v1&new=tiny-review/v1",
    ):
        page.goto(editor_server + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    assert wide == {}
    assert watched.errors == [] and watched.foreign == []
