"""`evkg diff` on a pair of versions written by us, differing in known ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.diff import diff_versions, read_version
from kg.cli import main
from tests.conftest import DATA

V1, V2 = DATA / "versions" / "v1", DATA / "versions" / "v2"


def test_diff_reports_exactly_the_known_differences() -> None:
    changes = diff_versions(read_version(V1), read_version(V2))
    assert changes == {
        "references_added": [{"key": "fox2021", "title": "Role models", "cited_as": "Fox (2021)"}],
        "references_removed": [{"key": "dean2019", "title": "Funding", "cited_as": "Dean (2019)"}],
        "references_changed": [
            {
                "key": "cole2018",
                "fields": {
                    "pages": {"old": None, "new": "1\u20139"},
                    "title": {"old": "Trust and housing", "new": "Trust and homes"},
                },
            }
        ],
        "citations_added": [
            {
                "section": "Findings",
                "cited_as": "Dean, 2019",
                "resolves_to": "unresolved",
                "count": 1,
            },
            {"section": "Findings", "cited_as": "Fox, 2021", "resolves_to": "fox2021", "count": 1},
        ],
        "citations_removed": [
            {
                "section": "Findings",
                "cited_as": "Baker, 2017",
                "resolves_to": "baker2017",
                "count": 1,
            },
            {
                "section": "Findings",
                "cited_as": "Dean, 2019",
                "resolves_to": "dean2019",
                "count": 1,
            },
        ],
        "claims_added": [
            {"claim": "role-model-claim", "statement": "Role models help people desist."}
        ],
        "claims_removed": [{"claim": "care-claim", "statement": "Care matters."}],
        "claims_restated": [
            {
                "claim": "trust-housing",
                "old": "Trust helps with housing.",
                "new": "Trusting relationships help people find somewhere to live.",
            }
        ],
        "claims_support_changed": [
            {
                "claim": "funding",
                "sources_gained": ["unresolved: Dean, 2019"],
                "sources_lost": ["dean2019"],
                "stance": {"old": "challenges", "new": "qualifies"},
            },
            {
                "claim": "hope-claim",
                "sources_gained": ["fox2021"],
                "sources_lost": ["baker2017"],
                "stance": None,
            },
        ],
        "new_unresolved_citations": [{"cited_as": "Dean, 2019"}],
        "new_uncited_references": [{"key": "baker2017"}],
        "concepts_dropped": [{"concept": "mechanisms/empathy-and-care"}],
        "concepts_evidence_changed": [
            {
                "concept": "barriers/insecure-funding",
                "sources_gained": [],
                "sources_lost": ["dean2019"],
            },
            {
                "concept": "mechanisms/empathy-and-care",
                "sources_gained": [],
                "sources_lost": ["baker2017"],
            },
            {
                "concept": "mechanisms/hope",
                "sources_gained": ["fox2021"],
                "sources_lost": ["baker2017"],
            },
            {
                "concept": "mechanisms/role-modelling",
                "sources_gained": ["fox2021"],
                "sources_lost": [],
            },
            {
                "concept": "outcomes/desistance",
                "sources_gained": ["fox2021"],
                "sources_lost": ["baker2017"],
            },
        ],
        "gap_map_cells_changed": [
            {
                "cell": "empathy-and-care x desistance",
                "sources_gained": [],
                "sources_lost": ["baker2017"],
            },
            {
                "cell": "hope x desistance",
                "sources_gained": ["fox2021"],
                "sources_lost": ["baker2017"],
            },
            {
                "cell": "role-modelling x desistance",
                "sources_gained": ["fox2021"],
                "sources_lost": [],
            },
        ],
        "appraisals_changed": [],
        "citations_now_resolved": [],
        "references_now_cited": [],
        "problems_fixed": [],
    }


def test_the_diff_says_what_a_version_fixed() -> None:
    # From v2 back to v1: Dean 2019 has its reference again, Baker 2017 is cited again.
    fixes = diff_versions(read_version(V2), read_version(V1))
    assert fixes["citations_now_resolved"] == [
        {"cited_as": "Dean, 2019", "resolves_to": "dean2019"}
    ]
    assert fixes["references_now_cited"] == [{"key": "baker2017"}]


def test_the_diff_lists_errors_that_are_gone(tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(V1, broken)
    claims = broken / "review.claims.yaml"
    claims.write_text(claims.read_text("utf-8").replace("abbott2015", "nobody1999", 1), "utf-8")
    fixes = diff_versions(read_version(broken), read_version(V1))
    assert [f["key"] for f in fixes["problems_fixed"]] == ["hope-claim"]
    assert "nobody1999" in fixes["problems_fixed"][0]["message"]


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["diff", str(V1), str(V1), "--json"]) == 0
    assert all(items == [] for items in json.loads(capsys.readouterr().out).values())
    assert main(["diff", str(V1), str(V2)]) == 1
    assert "references added (1)" in capsys.readouterr().out
    assert main(["diff", str(V1), str(tmp_path / "missing")]) == 2
