"""Fix a draft's unmatched citations in the browser.

Three ways, each written into the draft and followed by a fresh report:

* **the reference it means** (one of the ranked candidates, or any key of the list): an
  editor's judgement, kept in the judgements file (see :mod:`ingest.citation_judgements`);
* **the missing reference**, added to the draft's reference list from a BibTeX snippet or a
  short form; it is checked as the whole list is, and must be one new entry without errors;
* **seen: not in the reference list**, also kept as a judgement, so that the report says it
  was looked at.

The review's text never changes: it is the review's.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.archive import BIBLIOGRAPHY, VENUES, VersionRecord
from ingest.bibtex import parse_bibtex, parse_bibtex_string
from ingest.citation_judgements import CitationJudgement, with_citation_judgement
from ingest.problems import Severity
from kg.config import Settings
from kg.errors import InputError
from kg.library.assembly import archive_of
from kg.library.drafts import analyse, draft_now
from kg.library.full import library_lock

MAX_SNIPPET = 5_000  # characters: one entry, not a list
KINDS = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "web page": "online",
    "other": "misc",
}


@dataclass(frozen=True)
class ShortForm:
    """A reference as an editor fills it in: enough for a citation and a Harvard entry."""

    key: str
    authors: str  # "Buck, G. and Jaffe, M."
    year: str
    title: str
    kind: str  # a key of KINDS
    container: str = ""  # the journal, or the book a chapter is in
    publisher: str = ""
    url: str = ""


def resolve_citation(
    settings: Settings, record: VersionRecord, cited_as: Sequence[str], key: str, editor: str
) -> VersionRecord:
    """Record that the citation (each way it is written) means ``key``: the editors' judgement."""
    with library_lock(settings):
        draft = draft_now(settings, record)
        keys = {e.key for e in parse_bibtex(draft.bibliography).entries}
        if key not in keys:
            raise InputError(f"{draft.qualified_id}'s reference list has no key {key!r}")
        updated = _judge(settings, draft, cited_as, key, editor)
    analyse(settings, updated)
    return updated


def mark_not_in_list(
    settings: Settings, record: VersionRecord, cited_as: Sequence[str], editor: str
) -> VersionRecord:
    """Record that the citation has been seen, and that the list lacks it."""
    with library_lock(settings):
        updated = _judge(settings, draft_now(settings, record), cited_as, None, editor)
    analyse(settings, updated)
    return updated


def add_reference(
    settings: Settings, record: VersionRecord, snippet: str, editor: str
) -> tuple[VersionRecord, str]:
    """Add one BibTeX entry to the draft's list; returns the draft and the new key."""
    snippet = snippet.strip()
    if not snippet:
        raise InputError("paste one BibTeX entry, or fill in the short form")
    if len(snippet) > MAX_SNIPPET:
        raise InputError(f"one entry is at most {MAX_SNIPPET} characters")
    parsed = parse_bibtex_string(snippet, source="the entry you added")
    errors = [p for p in parsed.problems if p.severity is Severity.ERROR]
    if errors:
        raise InputError("; ".join(p.message for p in errors))
    if len(parsed.entries) != 1:
        raise InputError(f"give exactly one entry, not {len(parsed.entries)}")
    key = parsed.entries[0].key
    with library_lock(settings):
        draft = draft_now(settings, record)
        existing = draft.bibliography.read_bytes()
        if key.casefold() in {e.key.casefold() for e in parse_bibtex(draft.bibliography).entries}:
            raise InputError(f"the list already has the key {key!r}: give the entry another")
        stamp = f"% Added in the browser by {editor} on {_today()}\n"
        text = existing.rstrip(b"\n") + b"\n\n" + stamp.encode() + snippet.encode() + b"\n"
        updated = archive_of(settings).replace_input(draft, BIBLIOGRAPHY, text)
    analyse(settings, updated)
    return updated, key


def short_form_entry(form: ShortForm) -> str:
    """The BibTeX entry for a short form; raises InputError for what cannot be one."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9:_.-]{0,60}", form.key):
        raise InputError("the key is letters, digits and ':_.-', starting with a letter")
    if form.kind not in KINDS:
        raise InputError(f"the kind is one of: {', '.join(KINDS)}")
    if not form.authors.strip() or not form.title.strip():
        raise InputError("a reference needs its authors (or organisation) and its title")
    if not re.fullmatch(r"\d{4}[a-z]?|n\.d\.|in press", form.year.strip()):
        raise InputError("the year is four digits (2017, 2017a), 'n.d.' or 'in press'")
    if form.url and not re.fullmatch(r"https?://\S+", form.url.strip()):
        raise InputError("a web address starts with http:// or https://")
    entry_type = KINDS[form.kind]
    container = {"article": "journal", "incollection": "booktitle"}.get(entry_type)
    fields = [
        ("author", form.authors),
        ("title", form.title),
        ("year", form.year),
        (container or "", form.container),
        ("institution" if entry_type == "techreport" else "publisher", form.publisher),
        ("url", form.url),
    ]
    body = ",\n".join(
        f"  {name} = {{{_braced(value)}}}" for name, value in fields if name and value.strip()
    )
    return f"@{entry_type}{{{form.key},\n{body}\n}}"


def _braced(value: str) -> str:
    # Braces and backslashes the editor typed are text, not BibTeX.
    text = " ".join(value.split())
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text).replace("\\\\", "\\textbackslash{}")


def _judge(
    settings: Settings,
    draft: VersionRecord,
    cited_as: Sequence[str],
    key: str | None,
    editor: str,
) -> VersionRecord:
    written = [c.strip() for c in cited_as if c.strip()]
    if not written:
        raise InputError("which citation? none was given")
    text = (draft.folder / VENUES).read_text("utf-8") if VENUES in draft.files else None
    try:
        for one in written:
            text = with_citation_judgement(text, CitationJudgement(one, key, editor, _today()))
    except ValueError as exc:
        raise InputError(f"the judgements file of {draft.qualified_id}: {exc}") from exc
    return archive_of(settings).replace_input(draft, VENUES, (text or "").encode("utf-8"))


def _today() -> str:
    return datetime.date.today().isoformat()
