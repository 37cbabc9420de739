"""Suggest claims for a review's cited sentences, from the vocabulary's labels.

This is where an editor starts on a new review.  For every sentence that carries a citation:

- **concepts**: each concept whose preferred or alternative label appears in the sentence,
  matched word for word after Snowball stemming ("inspires" finds "inspire"), so editors tune
  the matching by editing labels in ``kg/rdf/vocabulary.ttl``, not code;
- **stance**: ``challenges`` when a barrier was found, ``qualifies`` when the sentence hedges
  or limits ("however", "limitations", "very little"), else ``supports``;
- **evidence**: the references its citations resolved to, and its unresolved citations.

Every suggestion has ``status: suggested`` and says in its note that a machine made it.
:func:`evaluate` measures suggestions against curated claims (see ``docs/suggest.md``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import snowballstemmer
from rdflib import Graph
from rdflib.namespace import SKOS

from ingest.audit import Audit
from ingest.claim_terms import SCHEMES
from ingest.claims import Claim
from ingest.review import locator_index
from kg.rdf.concepts import CONCEPT_BASE, SCHEME_SEGMENTS

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HEDGES = re.compile(
    r"\b(however|limitation|limitations|limited|very little|do very little|rarely|"
    r"not always|but in prison|although)\b",
    re.I,
)


_PER_THREAD = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    # One per thread: a Snowball stemmer keeps state between words, and the web server
    # answers on several threads at once.
    stemmer = getattr(_PER_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _PER_THREAD.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def stems(text: str) -> tuple[str, ...]:
    """Lower-cased, stemmed words."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return tuple(_stemmer().stemWords([w.removesuffix("'s") for w in words]))


@dataclass(frozen=True)
class Suggestion:
    """A machine-made claim for one cited sentence."""

    sentence: int
    locator: tuple[str, int, int]
    concepts: Mapping[str, tuple[str, ...]]
    stance: str
    evidence: tuple[str, ...]
    matched: Mapping[str, str] = field(default_factory=dict)  # concept id -> label matched


def label_index(vocabulary: Graph) -> list[tuple[tuple[str, ...], str, str, str]]:
    """(stemmed label, scheme, concept id, label) for every label, longest first."""
    segments = {segment: scheme for scheme, segment in SCHEME_SEGMENTS.items()}
    index = []
    for concept, predicate, label in vocabulary.triples((None, None, None)):
        if predicate not in (SKOS.prefLabel, SKOS.altLabel):
            continue
        path = str(concept).removeprefix(CONCEPT_BASE)
        segment, _, concept_id = path.partition("/")
        if segment in segments and concept_id:
            index.append((stems(str(label)), segments[segment], concept_id, str(label)))
    index.sort(key=lambda item: (-len(item[0]), item[1], item[2]))
    return index


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(
        tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1)
    )


def suggest(audit: Audit, vocabulary: Graph) -> list[Suggestion]:
    """One suggestion per cited sentence, in reading order."""
    index = label_index(vocabulary)
    where = {v: k for k, v in locator_index(audit.review).items()}
    evidence: dict[int, list[str]] = {}
    for item in audit.mentions:
        name = item.resolution.key or f"unresolved: {item.mention.cited_as}"
        if item.resolution.key and item.mention.page:
            name = f"{name} p. {item.mention.page}"
        names = evidence.setdefault(item.sentence.index, [])
        if name not in names:
            names.append(name)
    suggestions = []
    for sentence in audit.review.body_sentences():
        if sentence.index not in evidence:
            continue
        text = audit.review.sentence_text(sentence)
        words = stems(text)
        found: dict[str, list[str]] = {scheme: [] for scheme in SCHEMES}
        matched: dict[str, str] = {}
        for phrase, scheme, concept, label in index:
            if concept not in found[scheme] and _contains(words, phrase):
                found[scheme].append(concept)
                matched[concept] = label
        stance = "supports"
        if found["barriers"]:
            stance = "challenges"
        elif _HEDGES.search(text):
            stance = "qualifies"
        suggestions.append(
            Suggestion(
                sentence=sentence.index,
                locator=where[sentence.index],
                concepts={k: tuple(sorted(v)) for k, v in found.items()},
                stance=stance,
                evidence=tuple(evidence[sentence.index]),
                matched=matched,
            )
        )
    return suggestions


def to_claims_yaml(suggestions: Iterable[Suggestion], review_id: str) -> str:
    """Suggestions in the claims-file format, ready for an editor to confirm or reject."""
    lines = [
        "# Claims suggested by `evkg suggest`: check each one, rewrite the statement in your",
        "# own words, fix the concepts and stance, then set status: confirmed.",
        f"review: {review_id}",
        "claims:",
    ]
    for item in suggestions:
        section, paragraph, sentence = item.locator
        lines.append(f"  - id: suggested-{item.sentence}")
        lines.append("    statement: TODO write the claim in your own words")
        lines.append(f"    stance: {item.stance}")
        for scheme in SCHEMES:
            if item.concepts.get(scheme):
                lines.append(f"    {scheme}: [{', '.join(item.concepts[scheme])}]")
        quoted = ", ".join(f'"{e}"' if ":" in e else e for e in item.evidence)
        lines.append(f"    evidence: [{quoted}]")
        lines.append(f"    at: {section}, paragraph {paragraph}, sentence {sentence}")
        lines.append("    status: suggested")
        matched = "; ".join(f"{c} from '{label}'" for c, label in sorted(item.matched.items()))
        lines.append(f'    note: "Suggested by a machine{": " + matched if matched else ""}"')
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Evaluation:
    """How suggestions compare with curated claims, sentence by sentence."""

    true_positives: int
    false_positives: int
    false_negatives: int
    stance_agreements: int
    sentences: int
    per_scheme: Mapping[str, tuple[int, int, int]]

    @property
    def precision(self) -> float:
        """Share of suggested concepts that the editors also chose."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        """Share of the editors' concepts that were suggested."""
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 0.0


def evaluate(
    suggestions: Sequence[Suggestion],
    claims: Sequence[Claim],
    sentence_at: Mapping[tuple[str, int, int], int],
) -> Evaluation:
    """Compare, per cited sentence, the suggested concepts with the union of the curated ones."""
    curated: dict[int, dict[str, set[str]]] = {}
    stances: dict[int, set[str]] = {}
    for claim in claims:
        if claim.locator is None:
            continue
        key = (claim.locator.section, claim.locator.paragraph, claim.locator.sentence)
        if key not in sentence_at:
            continue
        index = sentence_at[key]
        bucket = curated.setdefault(index, {scheme: set() for scheme in SCHEMES})
        for scheme in SCHEMES:
            bucket[scheme].update(claim.concepts.get(scheme, ()))
        stances.setdefault(index, set()).add(claim.stance)
    tp = fp = fn = agreements = 0
    per_scheme = {scheme: [0, 0, 0] for scheme in SCHEMES}
    for item in suggestions:
        wanted = curated.get(item.sentence, {scheme: set() for scheme in SCHEMES})
        for scheme in SCHEMES:
            got, want = set(item.concepts.get(scheme, ())), wanted[scheme]
            counts = (len(got & want), len(got - want), len(want - got))
            tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
            per_scheme[scheme] = [a + b for a, b in zip(per_scheme[scheme], counts, strict=True)]
        if item.stance in stances.get(item.sentence, set()):
            agreements += 1
    return Evaluation(
        tp,
        fp,
        fn,
        agreements,
        len(suggestions),
        {k: (v[0], v[1], v[2]) for k, v in per_scheme.items()},
    )
