"""The editors' appraisals of sources: their own judgement, kept apart from what the review says.

A review often says little of how strong each study is.  Editors may appraise a source
themselves, in the ``appraisals`` section of the review's judgements file (the venues file,
``reviews/<id>.venues.yaml``), archived with each version like the rest of it::

    appraisals:
      - source: sells2020peer           # a bib key of the review's reference list
        design: matched comparison group
        method: reconviction over two years, mentored against not mentored
        sample: 300 people leaving prison       # optional, as each of these four
        setting: community re-entry, United States
        scale: maryland-sms               # optional: a published scale, and the level on it
        level: 3
        basis: the article's method section
        by: A. Editor
        at: 2026-12-02

Nothing is ever appraised for the editors: the project ships no appraisal that the review
itself does not state, and a source with none is shown as "not appraised".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.judgements_file import with_item
from ingest.problems import Problem, Severity
from ingest.textclean import strip_unsafe_characters

# Published scales an appraisal may place a study on, with their levels.
SCALES: dict[str, tuple[str, range]] = {
    # Sherman et al. (1997/1998), Preventing crime: the Maryland Scientific Methods Scale.
    "maryland-sms": ("Maryland Scientific Methods Scale", range(1, 6)),
}
_TEXT_FIELDS = ("design", "method", "sample", "setting")
_FIELDS = frozenset({"source", *_TEXT_FIELDS, "scale", "level", "basis", "by", "at"})


@dataclass(frozen=True)
class Appraisal:
    """One editor's appraisal of one source."""

    source: str
    basis: str
    by: str
    at: str  # ISO date
    design: str | None = None
    method: str | None = None
    sample: str | None = None
    setting: str | None = None
    scale: str | None = None
    level: int | None = None

    @property
    def scale_name(self) -> str | None:
        """The scale's published name."""
        return SCALES[self.scale][0] if self.scale in SCALES else None


def load_appraisals(
    path: Path | None, keys: set[str]
) -> tuple[dict[str, Appraisal], list[Problem]]:
    """The appraisals in a judgements file, by bib key; problems for what cannot be used."""
    if path is None or not path.is_file():
        return {}, []
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    found: dict[str, Appraisal] = {}
    problems: list[Problem] = []
    for number, item in enumerate(data.get("appraisals") or [], start=1):
        appraisal, problem = _appraisal(item, keys)
        if problem is not None:
            problems.append(
                Problem(
                    str(path), None, Severity.ERROR, problem[0], f"appraisal {number}: {problem[1]}"
                )
            )
        elif appraisal is not None:
            if appraisal.source in found:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        Severity.ERROR,
                        "appraisals.twice",
                        f"appraisal {number}: {appraisal.source} is appraised twice",
                        appraisal.source,
                    )
                )
                continue
            found[appraisal.source] = appraisal
    return found, problems


def _appraisal(item: Any, keys: set[str]) -> tuple[Appraisal | None, tuple[str, str] | None]:
    if not isinstance(item, dict):
        return None, ("appraisals.syntax", "each appraisal must be a set of 'field: value' lines")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        return None, ("appraisals.unknown-field", f"unknown field(s) {', '.join(unknown)}")
    source = str(item.get("source") or "")
    if source not in keys:
        return None, ("appraisals.unknown-key", f"no reference with key {source!r}")
    missing = [f for f in ("basis", "by", "at") if not item.get(f)]
    if missing:
        return None, (
            "appraisals.incomplete",
            f"{source} needs {', '.join(missing)}: what it rests on, who made it and when",
        )
    when = item["at"]
    if isinstance(when, datetime.date):
        when = when.isoformat()
    try:
        datetime.date.fromisoformat(str(when))
    except ValueError:
        return None, ("appraisals.bad-date", f"{source}: 'at' must be a date such as 2026-12-02")
    scale, level = item.get("scale"), item.get("level")
    if (scale is None) != (level is None):
        return None, ("appraisals.bad-scale", f"{source}: give a scale and a level, or neither")
    if scale is not None:
        if scale not in SCALES:
            return None, (
                "appraisals.bad-scale",
                f"{source}: unknown scale {scale!r}; known: {', '.join(SCALES)}",
            )
        if not isinstance(level, int) or level not in SCALES[scale][1]:
            low, high = SCALES[scale][1].start, SCALES[scale][1].stop - 1
            return None, (
                "appraisals.bad-scale",
                f"{source}: level {level!r} is not on {scale} ({low} to {high})",
            )
    texts = {f: _safe(item[f]) for f in _TEXT_FIELDS if item.get(f) is not None}
    return (
        Appraisal(
            source,
            _safe(item["basis"]),
            _safe(item["by"]),
            str(when),
            scale=str(scale) if scale is not None else None,
            level=level,
            **texts,
        ),
        None,
    )


def _safe(value: object) -> str:
    """Editors' text without control or direction-override characters."""
    return strip_unsafe_characters(str(value))[0]


def appraisal_from_fields(
    fields: dict[str, Any], keys: set[str]
) -> tuple[Appraisal | None, str | None]:
    """An appraisal from a form's fields, checked as the judgements file is; else the reason.

    Empty fields are left out; ``level`` may come as text.
    """
    item = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    item = {k: v for k, v in item.items() if v not in ("", None)}
    if isinstance(item.get("level"), str):
        try:
            item["level"] = int(item["level"])
        except ValueError:
            return None, f"the level must be a number, not {item['level']!r}"
    appraisal, problem = _appraisal(item, keys)
    return appraisal, (problem[1] if problem else None)


def with_appraisal(venues: str | None, appraisal: Appraisal) -> str:
    """The judgements file's text with this appraisal in it, replacing one of the same source.

    The file's opening comment is kept; the rest is written again from its data (YAML keeps
    no other comments).
    """
    written = {
        field: getattr(appraisal, field)
        for field in ("source", *_TEXT_FIELDS, "scale", "level", "basis", "by", "at")
        if getattr(appraisal, field) is not None
    }
    return with_item(
        venues, "appraisals", written, lambda old: old.get("source") == appraisal.source
    )
