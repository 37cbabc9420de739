"""Deterministic IRIs, minted from content and keys, never from counters or random ids.

The same inputs always give the same IRIs, so two builds can be compared by isomorphism and
two review versions can be diffed.  See docs/model.md for the scheme and its trade-offs.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import URIRef

from ingest.bibrecords import BibEntry, Name, NameKind
from ingest.bibtex import normalised_title
from ingest.textclean import slugify
from kg.rdf.namespaces import BASE

_VERSIONED_GRAPH = re.compile(re.escape(BASE) + r"graph/(?P<review>[^/]+)/v(?P<number>[0-9]+)/")


# Every named graph of a library lives under this prefix (kg.store.remote.publish cleans up by it).
GRAPH_BASE = BASE + "graph/"


def _iri(*parts: str) -> URIRef:
    return URIRef(BASE + "/".join(parts))


def short_hash(text: str, length: int = 10) -> str:
    """A short, stable hex digest of some text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def work_fingerprint(entry: BibEntry) -> str:
    """What identifies a work across files: its DOI, else its folded title and year.

    The BibTeX key is deliberately *not* used: two reviews, or two versions of one review,
    may file the same work under different keys, and both must reach the same source node.
    """
    doi = entry.get("doi")
    if doi:
        return "doi:" + doi.casefold()
    if entry.title:
        year = entry.year.text if entry.year else "n.d."
        return f"title:{normalised_title(entry.title)}|{year}"
    return "key:" + entry.key


def source_iri(entry: BibEntry, version: bool = False) -> URIRef:
    """``source/<first-author>-<year>-<hash>``: readable, yet unique per work.

    ``version``: the entry shares its DOI with another work of its list (a preprint and its
    article): its type and authors are then part of what identifies it, so that the two stay
    two sources.
    """
    author = entry.first_author
    who = slugify(author.family if author else entry.key, 30)
    year = entry.year.text if entry.year else "nd"
    fingerprint = work_fingerprint(entry)
    if version:
        names = ";".join(a.family for a in entry.authors or entry.editors)
        fingerprint += f"|{entry.entry_type}|{names}"
    return _iri("source", f"{who}-{slugify(year, 12)}-{short_hash(fingerprint, 8)}")


def agent_iri(name: Name) -> URIRef:
    """People by their name as printed (``Buck, G.``), organisations by name.

    Identity is only claimed where the printed names agree: ``Buck, G.`` and ``Buck, Gillian``
    are two nodes, because the reference list alone cannot tell us they are one person.
    Two different people printed with the same name would share a node (no ORCIDs here).
    """
    if name.kind is NameKind.ORGANISATION:
        return organisation_iri(name.last)
    printed = f"{name.family} {name.first} {name.jr}"
    # A name in a script the slug cannot spell keeps a node of its own, named by a hash.
    return _iri("agent", "person", slugify(printed) or f"name-{short_hash(printed, 12)}")


def _named(text: str) -> str:
    """A readable slug plus a hash of the exact text, so two names never share a node."""
    return f"{slugify(text, 50)}-{short_hash(text, 6)}"


def organisation_iri(name: str) -> URIRef:
    """A publisher or institution named in a reference."""
    return _iri("agent", "org", _named(name))


def journal_iri(title: str) -> URIRef:
    """A journal, by its exact title as the reference list gives it."""
    return _iri("journal", _named(title))


def review_iri(review_id: str) -> URIRef:
    """The review document itself."""
    return _iri("review", review_id)


def section_iri(review_id: str, index: int) -> URIRef:
    """A section of a review's text, by its position."""
    return _iri("review", review_id, "section", str(index))


def sentence_iri(review_id: str, index: int) -> URIRef:
    """A sentence of a review's text, by its position in reading order."""
    return _iri("review", review_id, "sentence", str(index))


def mention_iri(review_id: str, sentence: int, ordinal: int) -> URIRef:
    """The n-th citation in a sentence."""
    return _iri("review", review_id, "mention", f"{sentence}-{ordinal}")


def claim_iri(review_id: str, claim_id: str) -> URIRef:
    """A curated claim, by the id the editors gave it."""
    return _iri("claim", review_id, claim_id)


def claim_review(claim_iri: str) -> str:
    """The review a claim belongs to, from its IRI (``claim/<review>/<id>``)."""
    return claim_iri.rsplit("/", 2)[-2]


def vocabulary_graph_iri() -> URIRef:
    """The named graph that holds the concept vocabulary."""
    return _iri("graph", "vocabulary")


def graph_iri(review_id: str, part: str, version: int | None = None) -> URIRef:
    """The named graph that holds one input of one review (``bibliography``, ...).

    Graphs of an archived version carry its number (``graph/<review>/v2/claims``); inputs
    read outside the archive (``evkg check``, tests of the model) have none.
    """
    if version is None:
        return _iri("graph", review_id, part)
    return _iri("graph", review_id, f"v{version}", part)


def graph_version(name: str) -> tuple[str | None, int | None]:
    """The review and version number of a versioned graph's IRI; (None, None) otherwise."""
    match = _VERSIONED_GRAPH.match(name)
    if match is None:
        return None, None
    return match["review"], int(match["number"])


def version_iri(review_id: str, number: int) -> URIRef:
    """One version of a review (a prov:Entity, revision of the one before)."""
    return _iri("review", review_id, "version", str(number))


def editor_iri(username: str) -> URIRef:
    """The person (an editor account or a command-line user) who ingested a version."""
    # A hash of the exact name: "alice.smith" and "alice_smith" are two people.
    return _iri("agent", "editor", _named(username))


def provenance_graph_iri() -> URIRef:
    """The named graph that holds the build's PROV record."""
    return _iri("graph", "provenance")


def build_iri(input_digest: str) -> URIRef:
    """A build, named by the checksums of everything it read."""
    return _iri("build", input_digest[:16])


def input_iri(sha256: str) -> URIRef:
    """An input file, named by its content."""
    return _iri("input", sha256[:16])


def part_iri(parent: URIRef, *parts: str) -> URIRef:
    """A node that belongs to another (an author list, a container book, a kept field)."""
    return URIRef(str(parent) + "/" + "/".join(parts))
