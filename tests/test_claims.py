"""Curated claims: complete, in our own words, checked line by line, and enforced by SHACL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ingest.audit import audit_review
from ingest.bibtex import parse_bibtex
from ingest.claims import check_claims, parse_claims
from ingest.pipeline import ReviewInputs
from ingest.review import locator_index, parse_review
from kg.build.dataset import build_dataset
from kg.rdf import ids
from kg.rdf.concepts import Vocabulary, concept_iri
from kg.rdf.namespaces import EVKG
from kg.rdf.validate import validate_dataset
from tests.conftest import DATA, ROOT, needs_seed

CLAIMS = ROOT / "reviews" / "clinks-2021-peer-mentoring.claims.yaml"
REQUIRED = {
    "mechanisms": [
        "hope",
        "role-modelling",
        "trust",
        "self-belief",
        "empathy-and-care",
        "reduced-isolation",
        "self-worth",
        "insider-knowledge",
        "motivation-to-change",
        "tolerance-of-setbacks",
        "space-to-talk",
        "connecting-to-services",
    ],
    "outcomes": [
        "desistance",
        "reduced-reoffending",
        "engagement-with-services",
        "substance-use-support",
        "mental-health-support",
        "housing",
        "education-training-employment",
        "compliance",
        "health-and-wellbeing",
        "mentor-progression",
        "challenged-stereotypes",
        "consciousness-raising",
        "system-reform",
    ],
    "barriers": [
        "punitive-settings",
        "criminal-record-barriers",
        "peer-doubts",
        "reliance-on-prison-staff",
        "prisoner-transfers",
        "unsafe-environments",
        "insecure-funding",
        "premature-endings",
    ],
    "enablers": [
        "lived-experience-sensitive-support",
        "long-term-commissioning",
        "peer-led-groups",
        "collective-coproduction",
    ],
}


def test_every_named_concept_exists_and_has_a_claim(vocabulary: Vocabulary) -> None:
    claims = parse_claims(CLAIMS)
    assert claims.problems == ()
    defined = vocabulary.concept_ids()
    for scheme, concepts in REQUIRED.items():
        for concept in concepts:
            assert concept in defined[scheme], (scheme, concept)
            assert any(concept in c.concepts[scheme] for c in claims.claims), (scheme, concept)


@needs_seed
def test_every_cited_sentence_of_the_review_is_covered_by_a_claim(review_text: str) -> None:
    from tests.conftest import seed_path

    review = parse_review(seed_path())
    audit = audit_review(review, parse_bibtex(ROOT / "references.bib"))
    index = locator_index(review)
    located = {
        index[(c.locator.section, c.locator.paragraph, c.locator.sentence)]
        for c in parse_claims(CLAIMS).claims
        if c.locator
    }
    cited = {m.sentence.index for m in audit.mentions}
    assert cited - located == set()
    assert len(cited) == 35


@needs_seed
def test_claims_are_in_our_own_words(review_text: str) -> None:
    # No run of five words in a row may come from the review.
    words = re.findall(r"[a-z']+", review_text.lower())
    review_runs = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
    for claim in parse_claims(CLAIMS).claims:
        mine = re.findall(r"[a-z']+", claim.statement.lower())
        runs = {" ".join(mine[i : i + 5]) for i in range(len(mine) - 4)}
        assert not runs & review_runs, (claim.id, runs & review_runs)


@needs_seed
def test_unresolved_evidence_stays_visible(review_text: str) -> None:
    claims = {c.id: c for c in parse_claims(CLAIMS).claims}
    assert [e.unresolved for e in claims["less-isolation-more-self-worth"].evidence] == [
        None,
        "Pollack, 2004",
    ]
    assert claims["desistance-is-gradual"].evidence[0].unresolved == "Farrall, 2013"


# Case 28 ------------------------------------------------------------------------------------
def test_broken_claims_are_reported_with_their_lines(vocabulary: Vocabulary) -> None:
    path = DATA / "claims" / "bad.claims.yaml"
    claims = parse_claims(path)
    review = parse_review(DATA / "review" / "mini-review.md")
    bib = parse_bibtex(DATA / "review" / "mini-review.bib")
    problems = list(claims.problems) + check_claims(
        claims, [e.key for e in bib.entries], vocabulary.concept_ids(), locator_index(review)
    )
    found = {(p.code, p.line) for p in problems}
    assert found == {
        ("claims.unknown-key", 10),
        ("claims.unknown-concept", 15),
        ("claims.locator-nowhere", 21),
        ("claims.bad-stance", 26),
        ("claims.no-evidence", 30),
        ("claims.duplicate-id", 34),
        ("claims.bad-id", 39),
        ("claims.unknown-field", 45),
        ("claims.no-statement", 44),
    }
    assert [c.id for c in claims.claims] == [
        "fine",
        "unknown-key",
        "unknown-concept",
        "nowhere",
        "no-stance",
        "no-evidence",
        "typo-field",
    ]


def test_a_yaml_syntax_error_points_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.claims.yaml"
    path.write_text("review: x\nclaims:\n  - id: a\n    statement: [unclosed\n", "utf-8")
    [problem] = parse_claims(path).problems
    assert problem.code == "claims.syntax" and problem.line is not None and problem.line >= 4


def test_build_refuses_a_claims_file_with_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.cli import main
    from kg.store.embedded import current_build
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "p")
    claims = project / "reviews" / "clinks-2021-peer-mentoring.claims.yaml"
    claims.write_text(CLAIMS.read_text("utf-8").replace("[buck2018core]", "[buck2018cor]"), "utf-8")
    manifest = project / "reviews" / "clinks-2021-peer-mentoring.toml"
    manifest.write_text(
        manifest.read_text("utf-8").replace('claims = "reviews/', f'claims = "{project}/reviews/'),
        "utf-8",
    )
    monkeypatch.setenv("EVKG_ROOT", str(project))
    assert main(["build", "--accept-errors"]) == 1
    assert "claims.unknown-key" in capsys.readouterr().err
    assert current_build(project / "var" / "store") is None


# SHACL --------------------------------------------------------------------------------------
def claim_graph(project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary):  # type: ignore[no-untyped-def]
    dataset = build_dataset(project_reviews, vocabulary)
    return dataset, dataset.graph(ids.graph_iri("clinks-2021-peer-mentoring", "claims"))


def test_the_built_graph_conforms(
    project_reviews: tuple[ReviewInputs, ...], vocabulary: Vocabulary
) -> None:
    dataset, graph = claim_graph(project_reviews, vocabulary)
    assert len(set(graph.subjects(RDF.type, EVKG.Claim))) == 46
    assert validate_dataset(dataset).results == ()


@pytest.mark.parametrize(
    ("defect", "message"),
    [
        ("no-stance", "needs one stance"),
        ("no-evidence", "needs evidence"),
        ("outside-vocabulary", "must be a concept of the vocabulary"),
        ("unknown-source", "must name a source that is in the reference list"),
        ("locator-nowhere", "must point at a sentence"),
        ("concept-without-definition", "needs a definition"),
    ],
)
def test_shacl_reports_each_kind_of_defect(
    project_reviews: tuple[ReviewInputs, ...],
    vocabulary: Vocabulary,
    defect: str,
    message: str,
) -> None:
    dataset, graph = claim_graph(project_reviews, vocabulary)
    claim = ids.claim_iri("clinks-2021-peer-mentoring", "mentors-accept-slip-ups")
    if defect == "no-stance":
        graph.remove((claim, EVKG.stance, None))
    elif defect == "no-evidence":
        graph.remove((claim, EVKG.evidence, None))
    elif defect == "outside-vocabulary":
        graph.add((claim, EVKG.mechanism, concept_iri("mechanisms", "telepathy")))
    elif defect == "unknown-source":
        evidence = graph.value(claim, EVKG.evidence)
        graph.set((evidence, EVKG.source, URIRef("https://w3id.org/evkg/source/nobody")))
    elif defect == "locator-nowhere":
        graph.set((claim, EVKG.inSentence, ids.sentence_iri("clinks-2021-peer-mentoring", 9999)))
    elif defect == "concept-without-definition":
        vocab = dataset.graph(ids.vocabulary_graph_iri())
        hope = concept_iri("mechanisms", "hope")
        for definition in list(vocab.objects(hope, None)):
            if isinstance(definition, Literal) and len(str(definition)) > 60:
                vocab.remove((hope, None, definition))
    report = validate_dataset(dataset)
    assert not report.conforms
    assert any(message in r.message for r in report.violations), report.results


def test_a_claim_firmer_than_its_sentence_is_warned_of(tmp_path: Path) -> None:
    # Our tiny review's sentence says funding is "often" short; a claim that drops the hedge
    # is warned of, one that keeps it or records it as its certainty is not.
    review = DATA / "versions" / "v1" / "review.md"
    bib = parse_bibtex(DATA / "versions" / "v1" / "references.bib")
    audit = audit_review(parse_review(review), bib)
    texts = {s.index: audit.review.sentence_text(s) for s in audit.review.sentences}
    path = tmp_path / "claims.yaml"
    path.write_text(
        "review: tiny\nclaims:\n"
        "  - {id: firm, statement: Funding is short., stance: challenges,\n"
        "     evidence: [dean2019], at: 'Findings, paragraph 1, sentence 3'}\n"
        "  - {id: kept, statement: Funding is often short., stance: challenges,\n"
        "     evidence: [dean2019], at: 'Findings, paragraph 1, sentence 3'}\n"
        "  - {id: recorded, statement: Funding is short., stance: challenges, certainty: often,\n"
        "     evidence: [dean2019], at: 'Findings, paragraph 1, sentence 3'}\n",
        "utf-8",
    )
    problems = check_claims(
        parse_claims(path),
        [e.key for e in bib.entries],
        None,
        locator_index(audit.review),
        None,
        texts,
    )
    firmer = [p for p in problems if p.code == "claims.firmer-than-sentence"]
    assert [p.key for p in firmer] == ["firm"]
    assert "often" in firmer[0].message and "certainty: often" in firmer[0].message


@needs_seed
def test_the_claims_file_keeps_every_hedge_of_the_review(review_text: str) -> None:
    from ingest.pipeline import ingest_reviews

    result = ingest_reviews(ROOT / "reviews", ROOT)
    assert result.reviews and result.reviews[0].audit is not None  # the text was read
    assert not [p for p in result.problems if p.code == "claims.firmer-than-sentence"]


def test_control_and_direction_characters_never_reach_a_terminal_or_a_page(
    tmp_path: Path,
) -> None:
    # An escape sequence would rewrite `evkg query`'s screen; a right-to-left override would
    # show a statement in another order than it is stored.
    path = tmp_path / "claims.yaml"
    path.write_text(
        "review: tiny\nclaims:\n"
        '  - id: hostile\n    statement: "Mentors \\e[2J\\e[31mbuild\\u202e hope."\n'
        "    stance: supports\n    evidence: [abbott2015]\n"
        '    note: "An \\a editor\\u2066 note"\n'
        "    at: 'Findings, paragraph 1, sentence 1'\n",
        "utf-8",
    )
    claims = parse_claims(path)
    [claim] = claims.claims
    assert claim.statement == "Mentors [2J[31mbuild hope."
    assert claim.note == "An  editor note"
    warned = [p for p in claims.problems if p.code == "claims.control-characters"]
    assert [p.severity.value for p in warned] == ["warning", "warning"]
    assert not [p for p in claims.problems if p.severity.value == "error"]
