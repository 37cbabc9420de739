"""An editor's appraisal of a source, made in the browser, as a new draft version.

An appraisal is the editors' own judgement (see :mod:`ingest.appraisals`), so it is kept in
the review's judgements file and versioned with it: saving one makes a draft that carries
every other file of the current version over byte for byte, with the judgements file
changed.  The draft is published like any other, after its report has been read.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from ingest.appraisals import Appraisal, appraisal_from_fields, load_appraisals, with_appraisal
from ingest.archive import VENUES, VersionRecord
from ingest.bibrecords import BibEntry
from ingest.bibtex import parse_bibtex
from kg.config import Settings
from kg.errors import InputError
from kg.library.assembly import archive_of
from kg.library.drafts import analyse
from kg.library.full import library_lock, published_versions

# What the form asks; "by" and "at" are the signed-in editor and today.
FORM_FIELDS = ("design", "method", "sample", "setting", "scale", "level", "basis")


def current_record(settings: Settings, review_id: str) -> VersionRecord:
    """The published version that an appraisal starts from."""
    published = published_versions(settings).get(review_id, [])
    if not published:
        raise InputError(f"{review_id} has no published version to appraise the sources of")
    return archive_of(settings).get(review_id, max(published))


def sources_and_appraisals(
    record: VersionRecord,
) -> tuple[list[BibEntry], dict[str, Appraisal]]:
    """The version's references, in file order, and the appraisals it holds, by key."""
    entries = list(parse_bibtex(record.bibliography).entries)
    venues = record.folder / VENUES if VENUES in record.files else None
    appraisals, _ = load_appraisals(venues, {e.key for e in entries})
    return entries, appraisals


def appraise(
    settings: Settings, review_id: str, key: str, fields: Mapping[str, str], editor: str
) -> VersionRecord:
    """Save one appraisal in a new draft of the review; raises InputError with the reason."""
    with library_lock(settings):
        base = current_record(settings, review_id)
        entries, _ = sources_and_appraisals(base)
        if key not in {e.key for e in entries}:
            raise InputError(f"{review_id} has no reference with key {key!r}")
        chosen = {f: fields.get(f, "") for f in FORM_FIELDS}
        if not chosen["scale"]:
            chosen["level"] = ""
        appraisal, problem = appraisal_from_fields(
            {**chosen, "source": key, "by": editor, "at": datetime.date.today().isoformat()},
            {key},
        )
        if appraisal is None:
            raise InputError(problem or "the appraisal cannot be used as given")
        inputs = {name: (base.folder / name).read_bytes() for name in base.files}
        venues = inputs[VENUES].decode("utf-8") if VENUES in inputs else None
        try:
            inputs[VENUES] = with_appraisal(venues, appraisal).encode("utf-8")
        except ValueError as exc:
            raise InputError(f"the judgements file of {base.qualified_id}: {exc}") from exc
        record = archive_of(settings).add(
            review_id,
            inputs,
            origin="upload",
            created_by=editor,
            note=f"Appraisal of {key} by {editor}",
        )
    analyse(settings, record)
    return record
