"""A review's own concepts as SKOS: the ones its editors accepted, and words merged in.

Each accepted concept is a ``skos:Concept`` of its scheme, with its labels and the editor's
definition, and an editorial note saying who accepted it and when: it is the editors'
judgement, not the review's.  A merge adds an alternative label to a concept of the shared
vocabulary.  These triples go in the review version's own ``concepts`` graph.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.review_concepts import ReviewConcepts
from kg.rdf.concepts import CONCEPT_BASE, Vocabulary, concept_iri


def review_concept_graph(concepts: ReviewConcepts, review_id: str) -> Graph:
    """The SKOS triples of a review's concept decisions."""
    graph = Graph()
    for concept in concepts.accepted:
        node = concept_iri(concept.scheme, concept.id)
        scheme = URIRef(CONCEPT_BASE + concept.scheme)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.topConceptOf, scheme))
        graph.add((node, SKOS.prefLabel, Literal(concept.label, lang="en")))
        for alt in concept.alt_labels:
            graph.add((node, SKOS.altLabel, Literal(alt, lang="en")))
        graph.add((node, SKOS.definition, Literal(concept.definition, lang="en")))
        note = f"Added for the review {review_id} by {concept.by or 'the editors'}"
        graph.add((node, SKOS.editorialNote, Literal(f"{note} on {concept.at}", lang="en")))
    for merge in concepts.merged:
        graph.add(
            (
                concept_iri(merge.scheme, merge.concept_id),
                SKOS.altLabel,
                Literal(merge.label, lang="en"),
            )
        )
    return graph


def with_review_concepts(vocabulary: Vocabulary, concepts: ReviewConcepts) -> Vocabulary:
    """The shared vocabulary with one review's concepts added, for reading that review."""
    if not concepts.accepted and not concepts.merged:
        return vocabulary
    graph = Graph()
    for triple in vocabulary.graph:
        graph.add(triple)
    for triple in review_concept_graph(concepts, ""):
        graph.add(triple)
    return Vocabulary(graph, vocabulary.checksum)
