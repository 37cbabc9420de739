"""The concept vocabulary (``kg/rdf/vocabulary.ttl``): load it and list its concepts by scheme."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.claim_terms import ROLES
from kg.errors import KGError
from kg.rdf.namespaces import BASE

CONCEPT_BASE = BASE + "concept/"
# Claim field -> the path segment of its scheme's concepts.
SCHEME_SEGMENTS = {role.scheme: role.singular for role in ROLES}


@dataclass(frozen=True)
class Vocabulary:
    """The parsed vocabulary and the checksum of the file it came from."""

    graph: Graph
    checksum: str

    def concept_ids(self) -> dict[str, set[str]]:
        """Concept ids for each claim field."""
        return concept_ids(self.graph)

    def labels(self, scheme: str) -> list[tuple[str, str]]:
        """(concept id, preferred label) of a claim field's concepts, by label."""
        found = []
        for concept_id in self.concept_ids().get(scheme, set()):
            label = self.graph.value(concept_iri(scheme, concept_id), SKOS.prefLabel)
            found.append((concept_id, str(label) if label is not None else concept_id))
        return sorted(found, key=lambda pair: pair[1].casefold())


def load_vocabulary() -> Vocabulary:
    """The SKOS vocabulary as shipped; a broken file is a hard error."""
    graph = Graph()
    try:
        data = files("kg.rdf").joinpath("vocabulary.ttl").read_bytes()
        graph.parse(data=data.decode("utf-8"), format="turtle")
    except (OSError, ValueError) as exc:
        raise KGError(f"cannot read kg/rdf/vocabulary.ttl: {exc}") from exc
    return Vocabulary(graph, hashlib.sha256(data).hexdigest())


def concept_iri(scheme: str, concept_id: str) -> URIRef:
    """The IRI of a concept, from a claim field name and a concept id."""
    return URIRef(f"{CONCEPT_BASE}{SCHEME_SEGMENTS[scheme]}/{concept_id}")


def concept_ids(vocabulary: Graph) -> dict[str, set[str]]:
    """Concept ids (the last IRI segment) for each claim field."""
    found: dict[str, set[str]] = {scheme: set() for scheme in SCHEME_SEGMENTS}
    for concept in vocabulary.subjects(RDF.type, SKOS.Concept):
        for scheme, segment in SCHEME_SEGMENTS.items():
            prefix = f"{CONCEPT_BASE}{segment}/"
            if str(concept).startswith(prefix):
                found[scheme].add(str(concept)[len(prefix) :])
    return found
