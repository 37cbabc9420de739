"""Triples for source profiles: each value as a plain property, and again with its basis."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ingest.appraisals import Appraisal
from ingest.profiles import SourceProfile, Valued
from ingest.textclean import slugify
from kg.rdf import ids
from kg.rdf.concepts import concept_iri
from kg.rdf.namespaces import EVKG


def add_profiles(
    graph: Graph, profiles: Mapping[str, SourceProfile], source_iris: Mapping[str, URIRef]
) -> None:
    """Add each source's profile to the profiles graph, every value with its basis."""
    for key, profile in profiles.items():
        source = source_iris[key]
        _value(
            graph,
            source,
            "publication-type",
            EVKG.publicationType,
            profile.publication_type,
            Literal(profile.publication_type.value),
        )
        _value(
            graph,
            source,
            "study-design",
            EVKG.studyDesign,
            profile.design,
            Literal(profile.design.value),
        )
        _value(
            graph,
            source,
            "peer-reviewed",
            EVKG.peerReviewed,
            profile.peer_reviewed,
            Literal(profile.peer_reviewed.value),
        )
        own = profile.by_review_author
        _value(
            graph,
            source,
            "by-review-author",
            EVKG.byReviewAuthor,
            own,
            Literal(own.value == "yes", datatype=XSD.boolean),
        )
        for country in profile.countries:
            _value(graph, source, "country", EVKG.country, country, Literal(country.value))
        for setting in profile.settings:
            _value(
                graph,
                source,
                "setting",
                EVKG.setting,
                setting,
                concept_iri("settings", setting.value),
            )
        for population in profile.populations:
            _value(
                graph,
                source,
                "population",
                EVKG.population,
                population,
                concept_iri("populations", population.value),
            )
        if profile.appraisal is not None:
            _appraisal(graph, source, profile.appraisal)


def _appraisal(graph: Graph, source: URIRef, appraisal: Appraisal) -> None:
    """The editors' appraisal, as profile values of its own facets ("appraised ...").

    Each says whose judgement it is and when, so that it is never read as what the review
    states.
    """
    basis = f"editors' appraisal by {appraisal.by}, {appraisal.at}: {appraisal.basis}"
    values = [(f, getattr(appraisal, f)) for f in ("design", "method", "sample", "setting")]
    if appraisal.scale_name is not None:
        values.append(("level", f"{appraisal.scale_name}: level {appraisal.level}"))
    for facet, text in values:
        if text is None:
            continue
        valued = Valued(str(text), basis)
        _value(graph, source, f"appraised-{facet}", EVKG.appraisal, valued, Literal(str(text)))
        node = ids.part_iri(source, "profile", f"appraised-{facet}", slugify(valued.value))
        graph.add((node, RDF.type, EVKG.Appraisal))
        graph.add((node, EVKG.appraisedBy, Literal(appraisal.by)))
        graph.add((node, DCTERMS.date, Literal(appraisal.at, datatype=XSD.date)))


def _value(
    graph: Graph,
    source: URIRef,
    facet: str,
    predicate: URIRef,
    valued: Valued,
    value: Literal | URIRef,
) -> None:
    graph.add((source, predicate, value))
    node = ids.part_iri(source, "profile", facet, slugify(valued.value))
    graph.add((source, EVKG.profileValue, node))
    graph.add((node, RDF.type, EVKG.ProfileValue))
    graph.add((node, EVKG.facet, Literal(facet)))
    graph.add((node, RDF.value, value))
    graph.add((node, EVKG.basis, Literal(valued.basis)))
