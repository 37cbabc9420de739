"""Read a review's curated claims (YAML) and check them, reporting every problem with its line.

The file format is documented at the top of ``reviews/*.claims.yaml``.  Each claim becomes a
:class:`Claim`; everything wrong (an unknown key, concept or locator, a claim with no stance
or no evidence, a duplicate id) becomes a :class:`~ingest.problems.Problem` pointing at the
line of the claim or field concerned.  YAML is read with ``yaml.compose`` (safe: it builds
plain nodes, never objects), which keeps the line of every value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.claim_terms import SCHEMES, STANCES
from ingest.hedges import CERTAINTIES, hedges_in
from ingest.problems import Problem, ProblemLog, Severity
from ingest.textclean import strip_unsafe_characters

STATUSES = ("confirmed", "suggested")
# report(line, code, message, claim_id)
# report(line, code, message, claim_id, severity=Severity.ERROR)
Report = Callable[..., None]
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EVIDENCE = re.compile(r"^(?P<key>[A-Za-z0-9_:.-]+?)(?:\s+pp?\.\s*(?P<page>[\w\u2013-]+))?$")
_UNRESOLVED = re.compile(r"^unresolved:\s*(?P<cited>.+)$")
_LOCATOR = re.compile(r"^(?P<section>.+?),\s*paragraph\s+(?P<p>\d+),\s*sentence\s+(?P<s>\d+)$")


@dataclass(frozen=True)
class Evidence:
    """A reference a claim rests on, or a citation the reference list lacks."""

    key: str | None
    page: str | None = None
    unresolved: str | None = None
    # "See also, added by the editors": a reference the review does not cite for this claim.
    by_editors: bool = False


@dataclass(frozen=True)
class Locator:
    """Where a claim sits: section heading, paragraph and sentence, counted from 1."""

    section: str
    paragraph: int
    sentence: int

    def __str__(self) -> str:
        return f"{self.section}, paragraph {self.paragraph}, sentence {self.sentence}"


@dataclass(frozen=True)
class Claim:
    """One curated claim."""

    id: str
    statement: str
    stance: str
    concepts: Mapping[str, tuple[str, ...]]
    evidence: tuple[Evidence, ...]
    locator: Locator | None
    status: str
    line: int
    note: str | None = None
    certainty: str | None = None  # the review's hedge (ingest.hedges.CERTAINTIES)


@dataclass(frozen=True)
class ClaimSet:
    """A review's claims and the problems found reading them."""

    path: str
    review_id: str | None
    claims: tuple[Claim, ...]
    problems: tuple[Problem, ...]
    checksum: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)


def parse_claims(path: Path) -> ClaimSet:
    """Read a claims file; structural problems are reported, never raised."""
    import hashlib

    raw = path.read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    report = ProblemLog(str(path))
    problems = report.problems

    try:
        root = yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        report(mark.line + 1 if mark else None, "claims.syntax", f"not valid YAML: {exc}")
        return ClaimSet(str(path), None, (), tuple(problems), checksum)
    if not isinstance(root, yaml.MappingNode):
        report(1, "claims.syntax", "expected 'review:' and 'claims:' at the top of the file")
        return ClaimSet(str(path), None, (), tuple(problems), checksum)
    top = _mapping(root)
    review_node = top.get("review")
    review_id = review_node.value if isinstance(review_node, yaml.ScalarNode) else None
    claims_node = top.get("claims")
    if not isinstance(claims_node, yaml.SequenceNode):
        report(_line(root), "claims.syntax", "'claims:' must be a list of claims")
        return ClaimSet(str(path), review_id, (), tuple(problems), checksum)
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for node in claims_node.value:
        claim = _claim(node, report)
        if claim is None:
            continue
        if claim.id in seen:
            report(
                claim.line,
                "claims.duplicate-id",
                f"id {claim.id!r} is already used on line {seen[claim.id]}",
                claim.id,
            )
            continue
        seen[claim.id] = claim.line
        claims.append(claim)
    return ClaimSet(str(path), review_id, tuple(claims), tuple(problems), checksum)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalar(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.value.strip():
        return str(node.value).strip()
    return None


def _strings(node: yaml.Node | None) -> list[tuple[str, int]]:
    if node is None:
        return []
    if isinstance(node, yaml.ScalarNode):
        return [(node.value.strip(), _line(node))] if node.value.strip() else []
    if isinstance(node, yaml.SequenceNode):
        return [
            (n.value.strip(), _line(n))
            for n in node.value
            if isinstance(n, yaml.ScalarNode) and n.value.strip()
        ]
    return []


_KNOWN_FIELDS = frozenset(
    {
        "id",
        "statement",
        "stance",
        "evidence",
        "see_also",
        "at",
        "status",
        "note",
        "certainty",
        *SCHEMES,
    }
)


def _claim(node: yaml.Node, report: Report) -> Claim | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        report(line, "claims.syntax", "each claim must be a set of 'field: value' lines", None)
        return None
    fields = _mapping(node)
    claim_id = _scalar(fields.get("id"))
    if claim_id is None or not _ID.match(claim_id):
        report(
            line,
            "claims.bad-id",
            f"claim id {claim_id!r} must be lowercase words joined by hyphens",
            None,
        )
        return None
    for name, value in fields.items():
        if name not in _KNOWN_FIELDS:
            report(_line(value), "claims.unknown-field", f"unknown field {name!r}", claim_id)
    statement = _safe(_scalar(fields.get("statement")), "statement", claim_id, line, report)
    if statement is None:
        report(line, "claims.no-statement", "the claim has no statement", claim_id)
    stance = _scalar(fields.get("stance"))
    if stance not in STANCES:
        where = _line(fields["stance"]) if "stance" in fields else line
        report(
            where,
            "claims.bad-stance",
            f"stance {stance!r} must be one of {', '.join(STANCES)}",
            claim_id,
        )
    status = _scalar(fields.get("status")) or "confirmed"
    if status not in STATUSES:
        report(
            _line(fields["status"]),
            "claims.bad-status",
            f"status {status!r} must be one of {', '.join(STATUSES)}",
            claim_id,
        )
    certainty = _scalar(fields.get("certainty"))
    if certainty is not None and certainty not in CERTAINTIES:
        report(
            _line(fields["certainty"]),
            "claims.bad-certainty",
            f"certainty {certainty!r} must be one of {', '.join(CERTAINTIES)}",
            claim_id,
        )
        certainty = None
    evidence = _evidence(fields.get("evidence"), claim_id, line, report)
    evidence += tuple(
        Evidence(item.key, item.page, item.unresolved, by_editors=True)
        for item in _evidence(fields.get("see_also"), claim_id, line, report)
    )
    if not evidence:
        report(line, "claims.no-evidence", "the claim cites no evidence", claim_id)
    locator = _locator(fields.get("at"), claim_id, line, report)
    concepts = {scheme: tuple(v for v, _ in _strings(fields.get(scheme))) for scheme in SCHEMES}
    return Claim(
        id=claim_id,
        statement=statement or "",
        stance=stance or "",
        concepts=concepts,
        evidence=evidence,
        locator=locator,
        status=status,
        line=line,
        note=_safe(_scalar(fields.get("note")), "note", claim_id, line, report),
        certainty=certainty,
    )


def _safe(text: str | None, field: str, claim_id: str, line: int, report: Report) -> str | None:
    """The text without control or direction-override characters, with a warning if any.

    They could rewrite a terminal's screen (escape sequences) or show a statement in another
    order than it is stored (bidi overrides), in `evkg query`, on a page or in a CSV.
    """
    if text is None:
        return None
    cleaned, removed = strip_unsafe_characters(text)
    if removed:
        report(
            line,
            "claims.control-characters",
            f"control or bidirectional-override characters removed from the {field}",
            claim_id,
            Severity.WARNING,
        )
    return cleaned


def _evidence(
    node: yaml.Node | None, claim_id: str, line: int, report: Report
) -> tuple[Evidence, ...]:
    items = []
    for text, item_line in _strings(node):
        unresolved = _UNRESOLVED.match(text)
        if unresolved:
            items.append(Evidence(None, unresolved=unresolved["cited"].strip()))
            continue
        match = _EVIDENCE.match(text)
        if not match:
            report(
                item_line,
                "claims.bad-evidence",
                f"evidence {text!r} should be a bib key, 'key p. N' or "
                "'unresolved: Citation, Year'",
                claim_id,
            )
            continue
        items.append(Evidence(match["key"], match["page"]))
    return tuple(items)


def _locator(node: yaml.Node | None, claim_id: str, line: int, report: Report) -> Locator | None:
    text = _scalar(node)
    match = _LOCATOR.match(text or "")
    if not match:
        report(
            _line(node) if node is not None else line,
            "claims.bad-locator",
            f"'at' {text!r} should read '<section heading>, paragraph N, sentence M'",
            claim_id,
        )
        return None
    return Locator(match["section"].strip(), int(match["p"]), int(match["s"]))


def check_claims(
    claims: ClaimSet,
    bib_keys: Sequence[str],
    vocabulary: Mapping[str, set[str]] | None,
    sentence_at: Mapping[tuple[str, int, int], int] | None,
    cited_at: Mapping[int, set[str]] | None = None,
    sentence_text: Mapping[int, str] | None = None,
) -> list[Problem]:
    """Problems of reference, each with the claim's line.

    Unknown keys and concepts outside the vocabulary are errors.  When the review's text is
    at hand (``sentence_at``), so is a locator that points nowhere; and evidence that the
    located sentence does not cite (``cited_at``: sentence -> keys and unresolved citations)
    is a warning, unless the claim's note explains it as an editor's judgement.
    """
    problems = []
    keys = set(bib_keys)
    for claim in claims.claims:

        def error(code: str, message: str, c: Claim = claim) -> None:
            problems.append(Problem(claims.path, c.line, Severity.ERROR, code, message, c.id))

        for item in claim.evidence:
            if item.key is not None and item.key not in keys:
                error("claims.unknown-key", f"no reference with key {item.key!r}")
        for scheme, concepts in claim.concepts.items():
            for concept in concepts:
                if vocabulary is not None and concept not in vocabulary.get(scheme, set()):
                    error(
                        "claims.unknown-concept",
                        f"{concept!r} is not among the {scheme} of kg/rdf/vocabulary.ttl",
                    )
        if sentence_at is not None and claim.locator is not None:
            where = (claim.locator.section, claim.locator.paragraph, claim.locator.sentence)
            if where not in sentence_at:
                error(
                    "claims.locator-nowhere", f"'{claim.locator}' is not a sentence of the review"
                )
                continue
            problems.extend(
                _firmer_than_sentence(
                    claims.path, claim, (sentence_text or {}).get(sentence_at[where])
                )
            )
            if cited_at is not None and not claim.note:
                cited = cited_at.get(sentence_at[where], set())
                for item in claim.evidence:
                    name = item.key or f"unresolved: {item.unresolved}"
                    if name not in cited and not item.by_editors:
                        problems.append(
                            Problem(
                                claims.path,
                                claim.line,
                                Severity.WARNING,
                                "claims.evidence-not-in-sentence",
                                f"{name} is not cited in '{claim.locator}'; add a note if this is "
                                "an editor's judgement",
                                claim.id,
                            )
                        )
    return problems


def _firmer_than_sentence(path: str, claim: Claim, sentence: str | None) -> list[Problem]:
    """A warning when the review's sentence hedges and neither statement nor certainty keeps it.

    "Mentoring can reduce reoffending" is not "mentoring reduces reoffending": the hedge
    belongs in the statement, or in the claim's certainty.
    """
    if sentence is None or claim.certainty is not None:
        return []  # a certainty given is the editors' reading of which hedge is the claim's
    kept = set(hedges_in(claim.statement))
    dropped = [h for h in hedges_in(sentence) if h not in kept]
    if not dropped:
        return []
    return [
        Problem(
            path,
            claim.line,
            Severity.WARNING,
            "claims.firmer-than-sentence",
            f"the review's sentence hedges ({', '.join(dropped)}) but the claim does not: keep "
            f"the hedge in the statement or record it as 'certainty: {dropped[0]}'",
            claim.id,
        )
    ]
