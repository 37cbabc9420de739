"""Triples for a review's text: sections, sentences and the citation mentions in them.

The sentence text comes from the reader's own copy of the review at build time and goes into
the built store only; the repository never holds it.  A mention that resolved to no reference
is kept, marked ``unresolved``, with no link to any source.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ingest.audit import Audit
from ingest.review import SectionKind
from kg.rdf import ids
from kg.rdf.namespaces import EVKG


def build_review_text(
    graph: Graph,
    review_id: str,
    audit: Audit,
    source_iris: Mapping[str, URIRef],
    private: Graph | None = None,
) -> None:
    """Sections and sentences of the body, and one node per mention."""
    review = audit.review
    sections = {s.index: s for s in review.sections if s.kind is SectionKind.BODY}
    for section in sections.values():
        node = ids.section_iri(review_id, section.index)
        graph.add((node, RDF.type, EVKG.Section))
        graph.add((node, DCTERMS.isPartOf, ids.review_iri(review_id)))
        graph.add((node, EVKG.sectionIndex, Literal(section.index)))
        graph.add((node, DCTERMS.title, Literal(section.heading)))
    for sentence in review.body_sentences():
        node = ids.sentence_iri(review_id, sentence.index)
        graph.add((node, RDF.type, EVKG.Sentence))
        graph.add((node, EVKG.inSection, ids.section_iri(review_id, sentence.section)))
        graph.add((node, EVKG.sentenceIndex, Literal(sentence.index)))
        graph.add((node, EVKG.paragraphIndex, Literal(sentence.paragraph)))
        graph.add((node, EVKG.startOffset, Literal(sentence.start)))
        graph.add((node, EVKG.endOffset, Literal(sentence.end)))
        # The words are (c) the publisher: they go to a private graph that is never exported
        # or offered to SPARQL (see kg.store.embedded.PRIVATE_SUFFIX), only read by the local pages.
        (private if private is not None else graph).add(
            (node, RDF.value, Literal(review.sentence_text(sentence)))
        )
        if sentence.page is not None:
            graph.add((node, EVKG.reviewPage, Literal(sentence.page)))
    ordinals: dict[int, int] = {}
    for item in audit.mentions:
        mention, resolution = item.mention, item.resolution
        ordinal = ordinals.get(item.sentence.index, 0)
        ordinals[item.sentence.index] = ordinal + 1
        node = ids.mention_iri(review_id, item.sentence.index, ordinal)
        graph.add((node, RDF.type, EVKG.Mention))
        graph.add((node, EVKG.inSentence, ids.sentence_iri(review_id, item.sentence.index)))
        graph.add((node, EVKG.citedAs, Literal(mention.cited_as)))
        graph.add((node, EVKG.startOffset, Literal(mention.start)))
        graph.add((node, EVKG.endOffset, Literal(mention.end)))
        graph.add((node, EVKG.narrative, Literal(mention.narrative, datatype=XSD.boolean)))
        graph.add((node, EVKG.resolution, Literal(str(resolution.status))))
        graph.add((node, EVKG.matchRule, Literal(resolution.rule)))
        if mention.page:
            graph.add((node, EVKG.pageLocator, Literal(mention.page)))
        if mention.quoted_person:
            graph.add((node, EVKG.quotedPerson, Literal(mention.quoted_person)))
        if mention.cited_in:
            graph.add((node, EVKG.citedIn, Literal(mention.cited_in)))
        if resolution.key:
            graph.add((node, EVKG.cites, source_iris[resolution.key]))
        else:
            for key in resolution.candidates:
                graph.add((node, EVKG.candidate, source_iris[key]))
