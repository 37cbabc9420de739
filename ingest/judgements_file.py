"""Write one item into a section of the review's judgements file (the venues file).

The editors' judgements (journals' peer review, appraisals, decisions on citations) live in
one YAML file per review.  Editing one in the browser rewrites the file from its data: the
opening comment is kept, other comments are not (YAML keeps none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml


def with_item(
    text: str | None,
    section: str,
    item: dict[str, Any],
    same: Callable[[dict[str, Any]], bool],
) -> str:
    """``text`` with ``item`` at the end of ``section``, instead of any item that is the ``same``.

    Raises ValueError when the file cannot be read as a set of sections.
    """
    text = text or ""
    try:
        data = (yaml.safe_load(text) or {}) if text else {}
    except yaml.YAMLError as exc:
        raise ValueError(f"it is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError("the judgements file is not a set of 'name: value' lines")
    kept = [old for old in data.get(section) or [] if not (isinstance(old, dict) and same(old))]
    data[section] = [*kept, item]
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + ("\n" if header else "") + body
