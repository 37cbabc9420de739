"""Every file an editor writes is untrusted text: control and direction characters are removed.

BibTeX (tests/test_bibtex_bad_inputs.py) and claims (tests/test_claims.py) are covered where
they are read; this covers the manifest, the journals' judgements and the appraisals.
"""

from __future__ import annotations

from pathlib import Path

from ingest.appraisals import load_appraisals
from ingest.manifest import parse_manifest
from ingest.profiles import load_venues

# Written as escapes, as TOML and YAML double-quoted strings take them: clear the screen,
# then show what follows right to left.
HOSTILE = "\\u001b[2J\\u202e"


def test_a_manifest_keeps_its_words_without_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "review.toml"
    path.write_text(
        f'id = "tiny-review"\ntitle = "A {HOSTILE}review"\nauthors = ["Writer{HOSTILE}, Wendy"]\n'
        f'year = 2024\npublisher = "Pub{HOSTILE}"\nbibliography = "r.bib"\n'
        f'licence = "All {HOSTILE}rights reserved"\n',
        "utf-8",
    )
    manifest, problems = parse_manifest(path, tmp_path)
    assert manifest is not None and problems == []
    assert manifest.title == "A [2Jreview"
    assert manifest.publisher == "Pub[2J" and manifest.licence == "All [2Jrights reserved"
    assert manifest.authors[0].family == "Writer[2J"


def test_judgements_and_appraisals_keep_their_words_without_control_characters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "venues.yaml"
    path.write_text(
        "journals:\n"
        f'  "Prison{HOSTILE} Journal": {{peer_reviewed: true, basis: "it says{HOSTILE} so"}}\n'
        "appraisals:\n"
        f'  - {{source: k1, design: "trial{HOSTILE}", basis: "methods", by: "E{HOSTILE}d",'
        " at: 2026-12-01}\n",
        "utf-8",
    )
    venues = load_venues(path)
    assert list(venues) == ["prison[2j journal"]
    assert venues["prison[2j journal"].basis == "editor's judgement: it says[2J so"
    appraisals, problems = load_appraisals(path, {"k1"})
    assert problems == []
    assert appraisals["k1"].design == "trial[2J" and appraisals["k1"].by == "E[2Jd"
