"""The editors' appraisals of sources: stored, shown as theirs, never as the review's word."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.answers.answer import answer
from kg.answers.read_model import read_model
from kg.config import Settings
from kg.errors import ProblemsFound
from kg.library.assembly import PublishOptions
from kg.library.full import build_project
from kg.store.embedded import EmbeddedStore
from tests.tiny_project import make_tiny_project
from web import create_app

APPRAISAL = """\
journals: {}
appraisals:
  - source: cole2018
    design: matched comparison group
    method: housing outcomes a year after release
    scale: maryland-sms
    level: 3
    basis: the book's chapter on method
    by: A. Editor
    at: 2026-12-01
"""


def _project(tmp_path: Path, judgements: str) -> Settings:
    settings = make_tiny_project(tmp_path)
    (settings.root / "inputs" / "venues.yaml").write_text(judgements, "utf-8")
    manifest = next(settings.reviews_dir.glob("*.toml"))
    manifest.write_text(manifest.read_text("utf-8") + 'venues = "inputs/venues.yaml"\n', "utf-8")
    return settings


def test_an_appraisal_is_stored_as_the_editors_and_counted_apart(tmp_path: Path) -> None:
    settings = _project(tmp_path, APPRAISAL)
    build_project(settings, PublishOptions())
    knowledge = read_model(EmbeddedStore.open(settings.store_dir)).knowledge
    design = knowledge.sources["cole2018"].profile["appraised-design"]
    assert design == [
        (
            "matched comparison group",
            "editors' appraisal by A. Editor, 2026-12-01: the book's chapter on method",
        )
    ]
    assert knowledge.sources["cole2018"].profile["appraised-level"][0][0] == (
        "Maryland Scientific Methods Scale: level 3"
    )
    # What the review states is untouched: the title names no design.
    assert knowledge.sources["cole2018"].first("study-design") == "not-stated"
    profile = answer("how does trust lead to housing", knowledge).profile
    assert (profile.design_stated, profile.appraised, profile.stated_or_appraised) == (0, 1, 1)
    hope = answer("what supports hope", knowledge).profile
    assert hope.appraised == 0 and hope.to_json()["design"] == {
        "stated": 0,
        "appraised_by_editors": 0,
        "neither": 2,
    }

    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(settings.store_dir)})
    with app.test_client() as client:
        appraised = client.get("/source/cole2018").get_data(as_text=True)
        assert "The editors&#39; appraisal" in appraised or "The editors' appraisal" in appraised
        assert "matched comparison group" in appraised and "A. Editor, 2026-12-01" in appraised
        plain = client.get("/source/abbott2015").get_data(as_text=True)
        assert "Not appraised" in plain
        brief = client.get("/ask/brief", query_string={"q": "trust -> housing"})
        assert "the editors have appraised 1" in brief.get_data(as_text=True)


@pytest.mark.parametrize(
    ("item", "said"),
    [
        ("  - {source: nobody2000, basis: b, by: e, at: 2026-12-01}", "no reference with key"),
        ("  - {source: cole2018, by: e, at: 2026-12-01}", "needs basis"),
        (
            "  - {source: cole2018, basis: b, by: e, at: 2026-12-01, scale: maryland-sms, "
            "level: 9}",
            "is not on maryland-sms (1 to 5)",
        ),
        ("  - {source: cole2018, basis: b, by: e, at: soon}", "must be a date"),
        ("  - {source: cole2018, basis: b, by: e, at: 2026-12-01, grade: A}", "unknown field"),
    ],
)
def test_a_bad_appraisal_stops_the_build_and_says_why(tmp_path: Path, item: str, said: str) -> None:
    settings = _project(tmp_path, f"appraisals:\n{item}\n")
    with pytest.raises(ProblemsFound, match="appraisal 1") as caught:
        build_project(settings, PublishOptions())
    assert said in str(caught.value)
