"""What SHACL finds in one archived version on its own, for ``evkg diff`` to say what it fixed.

A version is read as a draft is (its own files, its review's manifest) and built alone, then
checked against the shapes.  Findings are compared by what they say (focus node, property
and message), so that the same problem in two versions is one problem.
"""

from __future__ import annotations

from ingest.archive import VersionRecord
from ingest.pipeline import ingest_review
from kg.build.dataset import build_dataset
from kg.config import Settings
from kg.library.drafts import manifest_for
from kg.rdf.concepts import load_vocabulary
from kg.rdf.validate import load_shapes, validate_dataset

Finding = tuple[str, str, str, str]  # severity, focus, path, message


def shacl_findings(settings: Settings, record: VersionRecord) -> set[Finding]:
    """Every SHACL finding of one version, built alone."""
    vocabulary = load_vocabulary()
    review, _ = ingest_review(
        record.manifest(manifest_for(settings, record.review_id)),
        record.text,
        vocabulary=vocabulary.concept_ids(),
        version=record,
    )
    if review is None:
        return set()
    report = validate_dataset(build_dataset([review], vocabulary), load_shapes(settings.shapes))
    return {(r.severity, r.focus, r.path or "", r.message) for r in report.results}


def shacl_gone(settings: Settings, old: VersionRecord, new: VersionRecord) -> list[dict[str, str]]:
    """The SHACL findings of ``old`` that ``new`` no longer has."""
    gone = shacl_findings(settings, old) - shacl_findings(settings, new)
    return [{"severity": s, "focus": f, "path": p, "message": m} for s, f, p, m in sorted(gone)]
