"""Edit one claim of a draft in a form: statement, stance, concepts, evidence, certainty.

The draft's claims file is changed and the report made again, so every check of an upload
(keys, concepts, locators, a statement firmer than its sentence) runs on the edit too.  The
claim's id and locator stay as they were: they tie it to its sentence.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ingest.archive import VersionRecord
from ingest.claim_terms import SCHEMES, STANCES
from ingest.hedges import CERTAINTIES
from kg.config import Settings
from kg.errors import InputError
from kg.library.assembly import archive_of
from kg.library.drafts import analyse, claims_data, draft_now
from kg.library.full import library_lock

_EVIDENCE = re.compile(r"^(?:unresolved: .+|[A-Za-z][\w:.\-]*(?: p\. [\w\u2013\-]+)?)$")
HEADER = "# Claims of this version; the file as uploaded is kept in uploads/.\n"


@dataclass(frozen=True)
class ClaimEdit:
    """What the form sends for one claim."""

    statement: str
    stance: str
    concepts: Mapping[str, Sequence[str]]  # scheme -> concept ids
    evidence: Sequence[str]  # "key", "key p. 12" or "unresolved: Name, 2020"
    certainty: str  # one of CERTAINTIES, or "" for none recorded


def claim_of(record: VersionRecord, claim_id: str) -> dict[str, Any]:
    """One claim of the draft's claims file, as the file has it."""
    for claim in claims_data(record).get("claims", []):
        if isinstance(claim, dict) and claim.get("id") == claim_id:
            return claim
    raise InputError(f"{record.qualified_id} has no claim {claim_id!r}")


def edit_claim(
    settings: Settings,
    record: VersionRecord,
    claim_id: str,
    edit: ClaimEdit,
    known: Mapping[str, set[str]],
    editor: str,
) -> VersionRecord:
    """Write the edit into the draft's claims file; raises InputError with the reason.

    ``known``: the vocabulary's concept ids by scheme.
    """
    statement = " ".join(edit.statement.split())
    if len(statement) < 10:
        raise InputError("write the claim in your own words (at least a few words)")
    if edit.stance not in STANCES:
        raise InputError(f"the stance must be one of {', '.join(STANCES)}")
    if edit.certainty and edit.certainty not in CERTAINTIES:
        raise InputError(f"the certainty must be one of {', '.join(CERTAINTIES)}")
    for scheme, ids in edit.concepts.items():
        unknown = [c for c in ids if c not in known.get(scheme, set())]
        if scheme not in SCHEMES or unknown:
            raise InputError(f"{', '.join(unknown) or scheme} is not a concept of {scheme}")
    evidence = [" ".join(e.split()) for e in edit.evidence if e.strip()]
    bad = [e for e in evidence if not _EVIDENCE.match(e)]
    if bad:
        raise InputError(
            f"evidence {bad[0]!r} should read 'key', 'key p. 12' or 'unresolved: Name, 2020'"
        )
    if not evidence:
        raise InputError("a claim needs evidence: the references the review cites for it")
    with library_lock(settings):
        draft = draft_now(settings, record)
        data = claims_data(draft)
        claim = claim_of(draft, claim_id)
        claim["statement"] = statement
        claim["stance"] = edit.stance
        for scheme in SCHEMES:
            claim.pop(scheme, None)
            if edit.concepts.get(scheme):
                claim[scheme] = list(edit.concepts[scheme])
        claim["evidence"] = evidence
        if edit.certainty:
            claim["certainty"] = edit.certainty
        else:
            claim.pop("certainty", None)
        claim["note"] = _note(claim.get("note"), editor)
        for index, old in enumerate(data.get("claims", [])):
            if isinstance(old, dict) and old.get("id") == claim_id:
                data["claims"][index] = _ordered(claim)
        text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        updated = archive_of(settings).replace_claims(draft, text)
    analyse(settings, updated)
    return updated


def _note(old: object, editor: str) -> str:
    said = f"Edited in the browser by {editor} on {datetime.date.today().isoformat()}"
    earlier = str(old).strip() if old else ""
    kept = "; ".join(p for p in earlier.split("; ") if not p.startswith("Edited in the browser"))
    return f"{kept}; {said}" if kept else said


def _ordered(claim: dict[str, Any]) -> dict[str, Any]:
    # The order the claims file's comment describes, whatever order the edit left.
    order = ["id", "statement", "certainty", "stance", *SCHEMES, "evidence", "see_also", "at"]
    return {
        **{k: claim[k] for k in order if k in claim},
        **{k: v for k, v in claim.items() if k not in order},
    }
