"""An editor's decision on a proposed concept, written into a draft's judgements file.

Accept (with an id, a scheme, a label and a definition in the editor's words), merge into a
concept of the vocabulary, or reject; see :mod:`ingest.review_concepts`.  The draft's report
is made again, so the claims it suggests can use an accepted concept at once.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from ingest.archive import VENUES, VersionRecord
from ingest.claim_terms import SCHEMES
from ingest.review_concepts import with_concept_decision
from kg.config import Settings
from kg.errors import InputError
from kg.library.assembly import archive_of
from kg.library.drafts import analyse, draft_now
from kg.library.full import library_lock
from kg.rdf.concepts import load_vocabulary

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


def accept_concept(
    settings: Settings,
    record: VersionRecord,
    *,
    label: str,
    concept_id: str,
    scheme: str,
    definition: str,
    alt_labels: Sequence[str],
    editor: str,
) -> VersionRecord:
    """A new concept of this review."""
    label, definition = " ".join(label.split()), " ".join(definition.split())
    if not label:
        raise InputError("a concept needs a label")
    if not _ID.match(concept_id):
        raise InputError("the id is lowercase letters, digits and hyphens, like victim-voice")
    if scheme not in SCHEMES:
        raise InputError(f"the scheme is one of {', '.join(SCHEMES)}")
    if len(definition) < 10:
        raise InputError("write a definition in your own words: what the concept means here")
    if concept_id in load_vocabulary().concept_ids().get(scheme, set()):
        raise InputError(f"{scheme}/{concept_id} is in the vocabulary already: merge into it")
    decision: dict[str, Any] = {"id": concept_id, "scheme": scheme, "label": label}
    alts = [" ".join(a.split()) for a in alt_labels if a.strip()]
    if alts:
        decision["alt_labels"] = alts
    decision["definition"] = definition
    return _decide(settings, record, decision, editor)


def merge_concept(
    settings: Settings, record: VersionRecord, *, label: str, into: str, editor: str
) -> VersionRecord:
    """The proposal's words become an alternative label of a concept of the vocabulary."""
    scheme, _, concept_id = into.partition("/")
    if concept_id not in load_vocabulary().concept_ids().get(scheme, set()):
        raise InputError(f"{into!r} is not a concept of the vocabulary")
    return _decide(settings, record, {"label": " ".join(label.split()), "merge_into": into}, editor)


def reject_concept(
    settings: Settings, record: VersionRecord, *, label: str, editor: str
) -> VersionRecord:
    """Not a concept: it is not proposed again for this review."""
    return _decide(settings, record, {"label": " ".join(label.split()), "rejected": True}, editor)


def _decide(
    settings: Settings, record: VersionRecord, decision: dict[str, Any], editor: str
) -> VersionRecord:
    if not decision.get("label"):
        raise InputError("which concept? no label was given")
    decision = {**decision, "by": editor, "at": datetime.date.today().isoformat()}
    with library_lock(settings):
        draft = draft_now(settings, record)
        text = (draft.folder / VENUES).read_text("utf-8") if VENUES in draft.files else None
        try:
            written = with_concept_decision(text, decision)
        except ValueError as exc:
            raise InputError(f"the judgements file of {draft.qualified_id}: {exc}") from exc
        updated = archive_of(settings).replace_input(draft, VENUES, written.encode("utf-8"))
    analyse(settings, updated)
    return updated
