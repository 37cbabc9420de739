"""Triples for the concept vocabulary and a review's curated claims."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ingest.claim_terms import ROLES, Stance
from ingest.claims import ClaimSet
from ingest.hedges import claim_certainty
from kg.rdf import ids
from kg.rdf.concepts import concept_iri
from kg.rdf.namespaces import CITO, EVKG

STANCES: dict[str, URIRef] = {
    Stance.SUPPORTS: EVKG.Supports,
    Stance.CHALLENGES: EVKG.Challenges,
    Stance.QUALIFIES: EVKG.Qualifies,
}
_PROPERTIES: dict[str, URIRef] = {role.scheme: EVKG[role.singular] for role in ROLES}


def build_vocabulary(graph: Graph, vocabulary: Graph) -> None:
    """The SKOS concept schemes, as shipped in ``kg/rdf/vocabulary.ttl``."""
    for triple in vocabulary:
        graph.add(triple)


def build_claims(
    graph: Graph,
    review_id: str,
    claims: ClaimSet,
    source_iris: Mapping[str, URIRef],
    sentence_at: Mapping[tuple[str, int, int], int] | None,
    sentence_text: Mapping[int, str] | None = None,
) -> None:
    """One node per claim, with its concepts, its evidence and where it sits in the review."""
    review = ids.review_iri(review_id)
    for claim in claims.claims:
        node = ids.claim_iri(review_id, claim.id)
        graph.add((node, RDF.type, EVKG.Claim))
        graph.add((node, DCTERMS.isPartOf, review))
        graph.add((node, EVKG.claimId, Literal(claim.id)))
        graph.add((node, EVKG.statement, Literal(claim.statement, lang="en")))
        graph.add((node, EVKG.status, Literal(claim.status)))
        if claim.stance in STANCES:
            graph.add((node, EVKG.stance, STANCES[claim.stance]))
        if claim.note:
            graph.add((node, SKOS.editorialNote, Literal(claim.note, lang="en")))
        for scheme, concepts in claim.concepts.items():
            for concept in concepts:
                graph.add((node, _PROPERTIES[scheme], concept_iri(scheme, concept)))
        for position, item in enumerate(claim.evidence, start=1):
            evidence = ids.part_iri(node, "evidence", str(position))
            graph.add((node, EVKG.evidence, evidence))
            graph.add((evidence, RDF.type, EVKG.Evidence))
            if item.by_editors:
                graph.add((evidence, RDF.type, EVKG.EditorsAddition))
            if item.key is not None and item.key in source_iris:
                graph.add((evidence, EVKG.source, source_iris[item.key]))
                if not item.by_editors:  # the review cites it; an editors' addition it does not
                    graph.add((node, CITO.citesAsEvidence, source_iris[item.key]))
            if item.unresolved:
                graph.add((evidence, EVKG.unresolvedCitation, Literal(item.unresolved)))
            if item.page:
                graph.add((evidence, EVKG.pageLocator, Literal(item.page)))
        sentence = None
        if claim.locator is not None and sentence_at is not None and sentence_text is not None:
            where = (claim.locator.section, claim.locator.paragraph, claim.locator.sentence)
            sentence = sentence_text.get(sentence_at[where]) if where in sentence_at else None
        certainty, basis = claim_certainty(claim.statement, claim.certainty, sentence)
        if certainty is not None:
            graph.add((node, EVKG.certainty, Literal(certainty)))
        graph.add((node, EVKG.certaintyBasis, Literal(basis, lang="en")))
        if claim.locator is not None:
            graph.add((node, EVKG.sectionTitle, Literal(claim.locator.section)))
            graph.add((node, EVKG.paragraphNumber, Literal(claim.locator.paragraph)))
            graph.add((node, EVKG.sentenceNumber, Literal(claim.locator.sentence)))
            where = (claim.locator.section, claim.locator.paragraph, claim.locator.sentence)
            if sentence_at is not None and where in sentence_at:
                graph.add((node, EVKG.inSentence, ids.sentence_iri(review_id, sentence_at[where])))
