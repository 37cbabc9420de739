"""The editors' decisions on citations that the reference list does not match.

A citation the resolver cannot match ("Buck et al., 2015") is an editor's to settle, in the
``citations`` section of the review's judgements file (``reviews/<id>.venues.yaml``, archived
with each version)::

    citations:
      - cited_as: Buck et al., 2015    # as the review writes it
        key: buck2017wanted            # the reference it means, by the editors' judgement
        by: A. Editor
        at: 2026-12-02
      - cited_as: Pollack, 2004
        not_in_list: true              # seen: the reference list lacks it
        by: A. Editor
        at: 2026-12-02

A decision is the editors' judgement, not the review's: the citation then resolves with the
rule "the editors' judgement", and one marked ``not_in_list`` stays unresolved, reported as
seen.  Nothing here changes the review's text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.judgements_file import with_item
from ingest.textclean import fold, strip_unsafe_characters


@dataclass(frozen=True)
class CitationJudgement:
    """What the editors decided about one citation as written."""

    cited_as: str
    key: str | None  # the reference it means; None when it is not in the list
    by: str
    at: str

    @property
    def not_in_list(self) -> bool:
        """Seen, and not in the reference list."""
        return self.key is None


def judgement_key(cited_as: str) -> str:
    """How a citation is matched to a decision: case, accents and spacing do not count."""
    return " ".join(fold(cited_as).split())


def load_citation_judgements(path: Path | None) -> dict[str, CitationJudgement]:
    """The decisions in a judgements file, by :func:`judgement_key`; unusable ones are skipped.

    A decision naming a key the list does not hold is not applied: the citation stays
    unresolved and is reported, so nothing resolves to a reference that is not there.
    """
    if path is None or not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}  # the venues reader reports the file
    found = {}
    for item in (data.get("citations") or []) if isinstance(data, dict) else []:
        if not isinstance(item, dict) or not item.get("cited_as"):
            continue
        key = item.get("key")
        if key is None and not item.get("not_in_list"):
            continue
        judgement = CitationJudgement(
            _safe(item["cited_as"]),
            _safe(key) if key is not None else None,
            _safe(item.get("by") or "the editors"),
            _date(item.get("at")),
        )
        found[judgement_key(judgement.cited_as)] = judgement
    return found


def with_citation_judgement(venues: str | None, judgement: CitationJudgement) -> str:
    """The judgements file's text with this decision in it, replacing one for the same citation.

    The file's opening comment is kept; the rest is written again from its data.
    """
    written: dict[str, Any] = {"cited_as": judgement.cited_as}
    if judgement.key is not None:
        written["key"] = judgement.key
    else:
        written["not_in_list"] = True
    written.update({"by": judgement.by, "at": judgement.at})
    wanted = judgement_key(judgement.cited_as)
    return with_item(
        venues, "citations", written, lambda old: judgement_key(str(old.get("cited_as"))) == wanted
    )


def _safe(value: object) -> str:
    return strip_unsafe_characters(str(value))[0].strip()


def _date(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value or "")
