"""The fixed terms that claims are written in: their stances and the concept roles.

Every part of the project that names a stance or a role takes it from here, from the claims
file's fields to the RDF properties and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stance(StrEnum):
    """How a claim's evidence bears on its concepts."""

    SUPPORTS = "supports"
    CHALLENGES = "challenges"  # barriers "challenge" mentoring working
    QUALIFIES = "qualifies"  # context or limits


STANCES: tuple[str, ...] = tuple(s.value for s in Stance)


@dataclass(frozen=True)
class ConceptRole:
    """A role a concept plays in a claim."""

    scheme: str  # the claims file's field and the concept scheme: "mechanisms"
    singular: str  # the concept IRIs' path segment and the RDF property: "mechanism"


ROLES: tuple[ConceptRole, ...] = (
    ConceptRole("mechanisms", "mechanism"),
    ConceptRole("outcomes", "outcome"),
    ConceptRole("barriers", "barrier"),
    # What a barrier claim says the barrier gets in the way of (the barriers' gap map).
    ConceptRole("hinders", "hinders"),
    ConceptRole("enablers", "enabler"),
    ConceptRole("settings", "setting"),
    ConceptRole("populations", "population"),
)
SCHEMES: tuple[str, ...] = tuple(r.scheme for r in ROLES)
