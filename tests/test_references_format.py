"""Harvard (Cite Them Right) references from the graph, via citeproc-py."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_reviews
from kg.answers.read_model import read_model
from kg.build.dataset import build_dataset
from kg.store.embedded import EmbeddedStore, publish
from kg.store.protocol import GraphStore


def test_references_of_the_seed_bibliography(library_store: GraphStore) -> None:
    refs = read_model(library_store).references
    assert len(refs) == 39
    assert refs["buck2018core"] == (
        "Buck, G. (2018) \u2018The core conditions of peer mentoring\u2019, Criminology & "
        "Criminal Justice, 18(2), pp. 190\u2013206. Available at: "
        "https://chesterrep.openrepository.com/handle/10034/620483."
    )
    # Nothing the list does not say: no "[Preprint]" for an article without volume or pages.
    assert "Preprint" not in refs["duvnjak2021lived"]
    assert refs["buck2020all"].startswith("Buck, G. et al. (2020)")
    assert "in H. McLaughlin et al. (eds)" in refs["buck2020all"]
    assert "\u201cparticipatory\u201d criminal justice\u2019" in refs["buck2020all"]
    assert refs["clinks2012supporting"].startswith("Clinks and MBF (2012)")
    # A title with its own quotation marks, as Cite Them Right prints it: never doubled.
    assert refs["buck2017wanted"].startswith(
        "Buck, G. (2017) \u2018\u201cI wanted to feel the way they did\u201d: Mimesis as a "
        "situational dynamic of peer mentoring by ex-offenders\u2019, Deviant Behavior"
    )


@pytest.mark.embedded_only
def test_case_12_two_works_of_one_author_and_year_get_letters(tmp_path: Path) -> None:
    bib = tmp_path / "mini.bib"
    bib.write_text(
        "@book{b1, author={Buck, G.}, title={Zebra title}, year={2020}}\n"
        "@book{b2, author={Buck, G.}, title={Another title}, year={2020}}\n"
        "@book{b3, author={Buck, G. and Other, O. and Third, T.}, title={Team}, year={2020}}\n",
        "utf-8",
    )
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "r.toml").write_text(
        'id = "rev"\ntitle = "R"\nauthors = ["Reviewer, R."]\nyear = 2022\n'
        'bibliography = "mini.bib"\n',
        "utf-8",
    )
    result = ingest_reviews(tmp_path / "reviews", tmp_path)
    assert result.problems == ()
    publish(build_dataset(result.reviews), tmp_path / "store", {})
    refs = read_model(EmbeddedStore.open(tmp_path / "store")).references
    assert refs["b2"].startswith("Buck, G. (2020a) Another title")
    assert refs["b1"].startswith("Buck, G. (2020b) Zebra title")
    # Cited differently (three authors), so no letter.
    assert refs["b3"].startswith("Buck, G., Other, O. and Third, T. (2020) Team")
