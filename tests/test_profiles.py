"""Source profiles: every value has a basis, and nothing is guessed."""

from __future__ import annotations

import pytest

from ingest.pipeline import ReviewInputs
from ingest.profiles import DESIGNS, SourceProfile


@pytest.fixture(scope="module")
def profiles(project_reviews: tuple[ReviewInputs, ...]) -> dict[str, SourceProfile]:
    [review] = project_reviews
    return dict(review.profiles)


@pytest.mark.parametrize(
    ("key", "design", "basis"),
    [
        ("lopezhumphreys2020inside", "pilot-study", "title says 'Pilot Study'"),
        ("lenkens2019experiential", "protocol", "title says 'Protocol'"),
        ("duvnjak2021lived", "scoping-review", "title says 'Scoping Review'"),
        ("reinglegonzalez2019value", "qualitative", "title says 'qualitative study'"),
        ("hmip2016inspection", "inspection", "title says 'inspection'"),
        ("clinks2012supporting", "survey", "title says 'Survey'"),
        ("sells2020peer", "not-stated", "neither the title nor the review names a study design"),
    ],
)
def test_designs_come_from_the_title_or_are_not_stated(
    profiles: dict[str, SourceProfile], key: str, design: str, basis: str
) -> None:
    assert (profiles[key].design.value, profiles[key].design.basis) == (design, basis)


def test_every_value_is_from_the_controlled_lists_and_has_a_basis(
    profiles: dict[str, SourceProfile],
) -> None:
    assert len(profiles) == 39
    for profile in profiles.values():
        assert profile.design.value in DESIGNS
        assert profile.peer_reviewed.value in ("yes", "no", "not stated")
        values = [
            profile.design,
            profile.publication_type,
            profile.peer_reviewed,
            profile.by_review_author,
            *profile.countries,
            *profile.settings,
            *profile.populations,
        ]
        assert all(v.basis for v in values), profile.key


def test_the_review_authors_own_work_is_counted_and_said_to_be_a_judgement(
    profiles: dict[str, SourceProfile],
) -> None:
    own = sorted(k for k, p in profiles.items() if p.by_review_author.value == "yes")
    assert own == sorted(
        [
            "buck2020peer",
            "buck2019tug",
            "buck2018core",
            "buck2017wanted",
            "buck2014civic",
            "buck2020all",
            "buck2011volunteering",
            "buck2017exploring",
            "tomczak2019penal",
        ]
    )
    assert "editor's judgement" in profiles["tomczak2019penal"].by_review_author.basis


def test_peer_review_is_the_editors_judgement_and_reports_are_not_called_peer_reviewed(
    profiles: dict[str, SourceProfile],
) -> None:
    # The Prison Service Journal says in each issue that it is peer reviewed (judged again).
    assert profiles["buck2014civic"].peer_reviewed.value == "yes"
    assert "editor's judgement" in profiles["buck2014civic"].peer_reviewed.basis
    assert "states in each issue" in profiles["buck2014civic"].peer_reviewed.basis
    assert profiles["buck2018core"].peer_reviewed.value == "yes"
    assert profiles["boyce2009st"].peer_reviewed.value == "not stated"
    assert profiles["boyce2009st"].publication_type.value == "evaluation report"


def test_settings_belong_only_to_the_source_cited_for_them(
    profiles: dict[str, SourceProfile],
) -> None:
    assert [s.value for s in profiles["nixon2020giving"].settings] == ["prison"]
    assert [p.value for p in profiles["nixon2020giving"].populations] == []
    assert [s.value for s in profiles["creaney2020children"].settings] == ["youth-justice"]


def test_countries_only_where_stated(profiles: dict[str, SourceProfile]) -> None:
    countries = {k: [(c.value, c.basis) for c in p.countries] for k, p in profiles.items()}
    assert countries["zdun2011immigration"] == [("Germany", "title says 'Germany'")]
    assert countries["jalain2020take"] == [
        ("United States", "the review says so (claim veterans-linked-to-courts)")
    ]
    assert countries["sells2020peer"] == []
