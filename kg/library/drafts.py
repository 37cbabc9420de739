"""An uploaded version before it is published: its check, suggestions, SHACL and diff.

An editor uploads a review's new text, reference list and (optionally) claims.  Before
anything is published this module reports on the draft:

- the problems the ingesters found (the citation audit, BibTeX and claims problems);
- suggested claims for cited sentences that no claim covers yet, each waiting for an
  editor to confirm (with a statement in their own words) or reject;
- the SHACL findings on the draft's own graph;
- the semantic diff against the review's current published version.

The editor's decisions live in ``queue.json`` in the draft's folder; a confirmed suggestion
is written into the draft's claims file, so the published version rebuilds from its files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import yaml

from ingest.archive import BIBLIOGRAPHY, CLAIMS, Archive, VersionRecord, is_text_name
from ingest.audit import SEEN_NOT_IN_LIST
from ingest.bibrecords import BibEntry
from ingest.citation_candidates import rank_candidates
from ingest.citations import AuthorCount
from ingest.claim_terms import STANCES
from ingest.claims import Evidence
from ingest.diff import VersionError, diff_versions, read_version
from ingest.manifest import ReviewManifest
from ingest.pipeline import ReviewInputs, ingest_review, read_manifests
from ingest.problems import Severity
from ingest.review import locator_index
from ingest.safe_files import write_atomically
from kg.answers.concept_proposals import propose_concepts
from kg.answers.suggest import Suggestion, suggest
from kg.build.concepts import with_review_concepts
from kg.build.dataset import build_dataset
from kg.config import Settings
from kg.errors import InputError, KGError
from kg.library.assembly import archive_of, validate_snapshots
from kg.library.full import library_lock, published_versions
from kg.rdf.concepts import Vocabulary, load_vocabulary


class VersionPublished(InputError):
    """A published version no longer changes: upload a new one instead."""


QUEUE = "queue.json"
REPORT = "report.json"


@dataclass(frozen=True)
class Decision:
    """An editor's decision on one suggested claim."""

    suggestion: str
    decision: str  # "confirmed" or "rejected"
    by: str
    at: str
    claim: str | None = None


def manifest_for(settings: Settings, review_id: str) -> ReviewManifest:
    """The manifest of a review, or an InputError naming the reviews there are."""
    manifests, _ = read_manifests(settings.reviews_dir, settings.root)
    for manifest in manifests:
        if manifest.review_id == review_id:
            return manifest
    known = ", ".join(m.review_id for m in manifests) or "none"
    raise InputError(f"no review {review_id!r} (reviews: {known})")


def suggestion_id(item: Suggestion) -> str:
    """A suggestion's id: the sentence it is about (stable while the draft's text is)."""
    return f"sentence-{item.sentence}"


def decisions(record: VersionRecord) -> dict[str, Decision]:
    """The decisions taken so far on a draft's suggestions."""
    path = record.folder / QUEUE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text("utf-8"))
    return {k: Decision(**v) for k, v in data.items()}


@dataclass
class DraftReport:
    """What an editor reads before publishing a draft (kept as ``report.json`` beside it)."""

    version: str  # <review>/v<n>
    analysed_at: str
    problems: list[dict[str, Any]]  # Problem.to_json() of each input problem
    errors: int
    warnings: int
    citations: int = 0
    unresolved: list[str] = field(default_factory=list)  # citations with no reference
    uncited: list[str] = field(default_factory=list)  # references never cited
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # the queue
    shacl: list[dict[str, Any]] = field(default_factory=list)
    shacl_violations: int = 0
    shacl_error: str | None = None  # SHACL could not run (say, past its time limit)
    diff: dict[str, Any] | None = None  # against the current version, if there is one
    diff_against: str | None = None
    blocking: bool = False  # nothing may be published while this holds
    # What publishing would drop from the current version: each must be confirmed by name.
    losses: list[dict[str, str]] = field(default_factory=list)
    # Each citation with no reference, with the references it may mean (see citation_fixes).
    citation_fixes: list[dict[str, Any]] = field(default_factory=list)
    # The version's claims by what they say, each with the review's sentence (editors only).
    claims: list[dict[str, Any]] = field(default_factory=list)
    # Concepts the review seems to need that the vocabulary lacks (kg.answers.concept_proposals).
    concept_proposals: list[dict[str, Any]] = field(default_factory=list)
    # Concepts this review's editors accepted or merged, as the report shows them.
    review_concepts: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """As ``report.json`` keeps it."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftReport:
        """As :meth:`to_json` wrote it (fields a later version added take their defaults)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _as_the_editor_sees_it(problem: dict[str, Any], record: VersionRecord) -> dict[str, Any]:
    """A problem named by the editor's own file, not by where the server keeps it.

    A file uploaded with this version is named as the editor named it ("my-refs.bib"); one
    carried over keeps its archived name.
    """
    folder = f"{record.folder}/"
    names = _uploaded_names(record)
    for name in ("file", "message"):
        if isinstance(problem.get(name), str):
            problem[name] = problem[name].replace(folder, "")
    if problem.get("file") in names:
        problem["file"] = names[problem["file"]]
    return problem


def _uploaded_names(record: VersionRecord) -> dict[str, str]:
    """Archived input name -> the name the editor's file had, for this version's uploads."""
    found = {}
    for upload, digest in record.uploads.items():
        field, _, name = upload.partition("-")
        for archived, sha in record.files.items():
            if sha == digest and (
                (field == "bibliography" and archived == BIBLIOGRAPHY)
                or (field == "claims" and archived == CLAIMS)
                or (field == "text" and is_text_name(archived))
            ):
                found[archived] = name
    return found


def analyse(settings: Settings, record: VersionRecord) -> DraftReport:
    """The draft's report (also kept as ``report.json`` beside its files)."""
    manifest = manifest_for(settings, record.review_id)
    vocabulary = load_vocabulary()
    review, problems = ingest_review(
        record.manifest(manifest),
        record.text,
        vocabulary=vocabulary.concept_ids(),
        version=record,
    )
    report = DraftReport(
        version=record.qualified_id,
        analysed_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        problems=[_as_the_editor_sees_it(p.to_json(), record) for p in problems],
        errors=sum(p.severity is Severity.ERROR for p in problems),
        warnings=sum(p.severity is not Severity.ERROR for p in problems),
    )
    if review is not None and review.claims is not None:
        report.claims = _claims_seen(review)
    if review is not None:
        report.review_concepts = [
            {"label": c.label, "scheme": c.scheme, "id": c.id, "definition": c.definition}
            for c in review.concepts.accepted
        ] + [
            {"label": m.label, "scheme": m.scheme, "id": m.concept_id, "definition": ""}
            for m in review.concepts.merged
        ]
    if review is not None and review.audit is not None:
        audit = review.audit
        report.citations = len(audit.mentions)
        report.unresolved = [" / ".join(w["cited_as"]) for w in audit.unresolved_works()]
        report.uncited = list(audit.uncited)
        known = with_review_concepts(vocabulary, review.concepts)
        report.suggestions = _open_suggestions(record, review, known)
        report.concept_proposals = [
            {**asdict(p), "alt_labels": list(p.alt_labels), "sentences": list(p.sentences)}
            for p in propose_concepts(audit, known, review.concepts.decided())
        ]
        report.citation_fixes = _citation_fixes(review)
    if review is not None:
        try:
            shacl = validate_snapshots(build_dataset([review], vocabulary), [review], settings)
            report.shacl = [vars(r) for r in shacl.results]
            report.shacl_violations = len(shacl.violations)
        except KGError as exc:
            report.shacl_error = str(exc)
    report.diff_against, report.diff = _diff_with_current(settings, record)
    report.losses = losses_in(report.diff or {})
    report.blocking = bool(
        review is None or report.errors or report.shacl_violations or report.shacl_error
    )
    write_atomically(
        record.folder / REPORT, json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    )
    return report


def confirm(
    settings: Settings,
    record: VersionRecord,
    suggestion: str,
    statement: str,
    stance: str,
    editor: str,
) -> VersionRecord:
    """Write a suggested claim, in the editor's words, into the draft's claims file."""
    return confirm_many(settings, record, [(suggestion, statement, stance)], editor)


def confirm_many(
    settings: Settings,
    record: VersionRecord,
    items: Sequence[tuple[str, str, str]],
    editor: str,
) -> VersionRecord:
    """Confirm several suggestions at once: (suggestion, statement, stance) each.

    Every statement must be the editor's own (a few words at least); nothing is written
    unless all of them can be.
    """
    if not items:
        raise InputError("tick at least one suggestion")
    checked = []
    for suggestion, statement, stance in items:
        statement = " ".join(statement.split())
        if len(statement) < 10:
            raise InputError(
                f"write the claim for {suggestion} in your own words (at least a few words)"
            )
        if stance not in STANCES:
            raise InputError(f"the stance must be one of {', '.join(STANCES)}")
        checked.append((suggestion, statement, stance))
    with library_lock(settings):
        record = draft_now(settings, record)
        pending = {s["id"]: s for s in _report(settings, record).suggestions}
        missing = [s for s, _, _ in checked if s not in pending]
        if missing:
            raise InputError(f"there is no open suggestion {missing[0]!r} in {record.qualified_id}")
        claims = [
            _claim(record, s, pending[s], text, stance, editor) for s, text, stance in checked
        ]
        data = claims_data(record)
        data.setdefault("claims", []).extend(claims)
        header = "# Claims of this version; the file as uploaded is kept in uploads/.\n"
        text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        updated = Archive(record.folder.parent.parent).replace_claims(record, text)
        for (suggestion, _, _), claim in zip(checked, claims, strict=True):
            _decide(updated, Decision(suggestion, "confirmed", editor, _now(), claim["id"]))
        analyse(settings, updated)
    return updated


def reject(settings: Settings, record: VersionRecord, suggestion: str, editor: str) -> None:
    """Set a suggestion aside; it is not published."""
    reject_many(settings, record, [suggestion], editor)


def reject_many(
    settings: Settings, record: VersionRecord, suggestions: Sequence[str], editor: str
) -> None:
    """Set several suggestions aside at once."""
    if not suggestions:
        raise InputError("tick at least one suggestion")
    with library_lock(settings):
        record = draft_now(settings, record)
        pending = {s["id"] for s in _report(settings, record).suggestions}
        missing = [s for s in suggestions if s not in pending]
        if missing:
            raise InputError(f"there is no open suggestion {missing[0]!r} in {record.qualified_id}")
        for suggestion in suggestions:
            _decide(record, Decision(suggestion, "rejected", editor, _now()))
        analyse(settings, record)


def draft_now(settings: Settings, record: VersionRecord) -> VersionRecord:
    """The draft as it is on disk now, or VersionPublished (checked under the library lock)."""
    if record.number in published_versions(settings).get(record.review_id, []):
        raise VersionPublished(f"{record.qualified_id} is published and can no longer change")
    return archive_of(settings).get(record.review_id, record.number)


def _claim(
    record: VersionRecord,
    suggestion: str,
    item: dict[str, Any],
    statement: str,
    stance: str,
    editor: str,
) -> dict[str, Any]:
    claim: dict[str, Any] = {"id": f"confirmed-{suggestion}", "statement": statement}
    claim["stance"] = stance
    for scheme, concepts in item["concepts"].items():
        if concepts:
            claim[scheme] = list(concepts)
    claim["evidence"] = list(item["evidence"])
    claim["at"] = item["at"]
    claim["status"] = "confirmed"
    when = time.strftime("%Y-%m-%d", time.gmtime())
    claim["note"] = f"Suggested by a machine; statement and stance confirmed by {editor} on {when}"
    return claim


def claims_data(record: VersionRecord) -> dict[str, Any]:
    """The draft's claims file as data, to add a claim to; an unreadable one is an input error."""
    if record.claims is None:
        return {"review": record.review_id, "claims": []}
    try:
        loaded = yaml.safe_load(record.claims.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            f"the claims file of {record.qualified_id} is not valid YAML, so a claim cannot be "
            f"added to it: upload a corrected one ({exc})"
        ) from exc
    if not isinstance(loaded, dict) or not isinstance(loaded.get("claims", []), list):
        raise InputError(
            f"the claims file of {record.qualified_id} has no list of claims: upload a "
            "corrected one"
        )
    return loaded


def report_of(settings: Settings, record: VersionRecord) -> DraftReport:
    """The draft's last report, made now if there is none yet."""
    return _report(settings, record)


def _report(settings: Settings, record: VersionRecord) -> DraftReport:
    path = record.folder / REPORT
    if path.is_file():
        kept = DraftReport.from_json(json.loads(path.read_text("utf-8")))
        numbers = published_versions(settings).get(record.review_id, [])
        current = f"{record.review_id}/v{max(numbers)}" if numbers else None
        # A report made before another version was published compares with the wrong one.
        if kept.diff_against == current or record.number in numbers:
            return kept
    return analyse(settings, record)


def _open_suggestions(
    record: VersionRecord, review: Any, vocabulary: Vocabulary
) -> list[dict[str, Any]]:
    audit = review.audit
    covered: set[int] = set()
    if review.claims is not None:
        at = locator_index(audit.review)
        for claim in review.claims.claims:
            if claim.locator is not None:
                key = (claim.locator.section, claim.locator.paragraph, claim.locator.sentence)
                if key in at:
                    covered.add(at[key])
    decided = decisions(record)
    found = []
    for item in suggest(audit, vocabulary.graph):
        sid = suggestion_id(item)
        if item.sentence in covered or sid in decided:
            continue
        section, paragraph, sentence = item.locator
        found.append(
            {
                "id": sid,
                "at": f"{section}, paragraph {paragraph}, sentence {sentence}",
                "sentence": audit.review.sentence_text(audit.review.sentences[item.sentence]),
                "stance": item.stance,
                "concepts": {k: list(v) for k, v in item.concepts.items()},
                "evidence": list(item.evidence),
            }
        )
    return found


def _diff_with_current(
    settings: Settings, record: VersionRecord
) -> tuple[str | None, dict[str, Any] | None]:
    numbers = published_versions(settings).get(record.review_id, [])
    if not numbers:
        return None, None
    current = archive_of(settings).get(record.review_id, max(numbers))
    try:
        return current.qualified_id, diff_versions(
            read_version(current.folder), read_version(record.folder)
        )
    except VersionError as exc:
        return current.qualified_id, {"error": [{"message": str(exc)}]}


def _citation_fixes(review: ReviewInputs) -> list[dict[str, Any]]:
    """Each unmatched citation (grouped by the work it names), with ranked candidates."""
    audit = review.audit
    if audit is None:
        return []
    entries = review.bibliography.by_key()
    fixes = []
    for work in audit.unresolved_works():
        ranked = rank_candidates(
            work["family"],
            work["year"],
            work["authors"],
            AuthorCount(work["count"]),
            review.bibliography.entries,
            audit.uncited,
        )
        fixes.append(
            {
                "cited_as": work["cited_as"],
                "sections": work["sections"],
                "seen": work["reason"] == SEEN_NOT_IN_LIST,
                "candidates": [
                    {
                        "key": c.key,
                        "label": _label(entries[c.key]),
                        "reasons": "; ".join(c.reasons),
                    }
                    for c in ranked
                ],
            }
        )
    return fixes


def _claims_seen(review: ReviewInputs) -> list[dict[str, Any]]:
    claims = review.claims.claims if review.claims is not None else ()
    text = review.audit.review if review.audit is not None else None
    at = locator_index(text) if text is not None else {}
    sentences = {s.index: s for s in text.sentences} if text is not None else {}
    seen = []
    for claim in claims:
        where = claim.locator
        index = at.get((where.section, where.paragraph, where.sentence)) if where else None
        sentence = sentences.get(index) if index is not None else None
        seen.append(
            {
                "id": claim.id,
                "statement": claim.statement,
                "stance": claim.stance,
                "certainty": claim.certainty or "",
                "concepts": {k: list(v) for k, v in claim.concepts.items() if v},
                "evidence": [_evidence_text(e) for e in claim.evidence if not e.by_editors],
                "at": str(where) if where else "",
                "sentence": text.sentence_text(sentence) if text and sentence else "",
            }
        )
    return seen


def _evidence_text(evidence: Evidence) -> str:
    if evidence.key:
        return f"{evidence.key} p. {evidence.page}" if evidence.page else str(evidence.key)
    return f"unresolved: {evidence.unresolved}"


def _label(entry: BibEntry) -> str:
    who = entry.first_author.family if entry.first_author else entry.key
    more = " et al." if len(entry.authors) > 2 else ""
    year = entry.year.text if entry.year else "n.d."
    return f"{who}{more} ({year}) {entry.title or ''}".strip()


def losses_in(diff: Mapping[str, Any]) -> list[dict[str, str]]:
    """Claims, references and concepts the current version has and this one would not.

    Each has an ``id`` ("claim:…", "reference:…", "concept:…") that the editor confirms, and
    what it is in words.
    """
    losses = [
        {"id": f"claim:{c['claim']}", "kind": "claim", "what": c.get("statement", c["claim"])}
        for c in diff.get("claims_removed", [])
    ]
    losses += [
        {
            "id": f"reference:{r['key']}",
            "kind": "reference",
            "what": f"{r.get('cited_as', r['key'])} {r.get('title', '')}".strip(),
        }
        for r in diff.get("references_removed", [])
    ]
    losses += [
        {"id": f"concept:{c['concept']}", "kind": "concept", "what": c["concept"]}
        for c in diff.get("concepts_dropped", [])
    ]
    return losses


def unconfirmed_losses(report: DraftReport, confirmed: Collection[str]) -> list[dict[str, str]]:
    """The losses the editor has not confirmed."""
    return [loss for loss in report.losses if loss["id"] not in confirmed]


def _decide(record: VersionRecord, decision: Decision) -> None:
    data = {k: vars(v) for k, v in decisions(record).items()}
    data[decision.suggestion] = vars(decision)
    write_atomically(record.folder / QUEUE, json.dumps(data, indent=2, ensure_ascii=False))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
