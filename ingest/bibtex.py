r"""Read a BibTeX reference list into :class:`~ingest.bibrecords.Bibliography` records.

The parse stack is explicit and pinned (see :func:`parse_stack`), because the order matters:

1. :class:`~ingest.bibtex_macros.ExpandStringMacros` resolves ``@string`` macros and ``#``
   concatenation on the raw values (bibtexparser's own resolver only handles whole-value macros);
2. :class:`~ingest.bibtex_fields.NormaliseFields` puts field names in lower case, reads
   biblatex's ``date``, ``journaltitle``, ``location`` and ``eprint``, and rewrites the LaTeX
   that the decoder would drop (``\texttt{…}``, a bare ``&``, ``{\noopsort…}``);
3. ``RemoveEnclosingMiddleware`` drops the outer ``{}``/``""`` of each value;
4. LaTeX is decoded to Unicode *keeping braced groups*, except in verbatim fields (``url``,
   ``doi``), where ``%`` and ``$`` are ordinary characters;
5. ``SeparateCoAuthors`` then ``SplitNameParts`` split the name lists.  Because the braces
   survived step 4, ``{Her Majesty's Inspectorate of Probation}`` stays one organisation.

Everything that goes wrong becomes a :class:`~ingest.problems.Problem` with a line number.
Entries with errors (failed blocks, duplicate keys, duplicate fields) are left out of
``entries``: a build refuses to publish while errors remain unless an editor accepts them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import charset_normalizer
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares.enclosing import RemoveEnclosingMiddleware
from bibtexparser.middlewares.latex_encoding import LatexDecodingMiddleware
from bibtexparser.middlewares.middleware import Middleware
from bibtexparser.middlewares.names import NameParts, SeparateCoAuthors, SplitNameParts
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)

from ingest.bibrecords import OMITTED, BibEntry, Bibliography, Name, NameKind, Year
from ingest.bibtex_fields import NormaliseFields
from ingest.bibtex_macros import ExpandStringMacros
from ingest.crossref import inherit
from ingest.problems import Problem, ProblemLog, Severity
from ingest.textclean import collapse_spaces, fold, strip_unsafe_characters

VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file"})
# Limits: a review's reference list is tens of entries, a library's own a few thousand; a
# field is a title or an abstract.  Past these, the input is refused with its reason.
MAX_ENTRIES = 5_000
MAX_FIELD_CHARS = 20_000
_COMMENT_LINE = re.compile(r"^[ \t]*%.*$", re.MULTILINE)
_ENTRY_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
NAME_FIELDS = ("author", "editor")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://[^/\s]*\bdoi\b[^/\s]*/|doi:\s*)", re.IGNORECASE)


class _DecodeLatexExceptVerbatim(LatexDecodingMiddleware):
    """LaTeX decoding that leaves URLs and DOIs exactly as written."""

    def transform_entry(self, entry: Entry, library: Library) -> Any:
        saved = {f.key: f.value for f in entry.fields if f.key.lower() in VERBATIM_FIELDS}
        block = super().transform_entry(entry, library)
        target = block.ignore_error_block if isinstance(block, MiddlewareErrorBlock) else block
        if isinstance(target, Entry):
            for f in target.fields:
                if f.key in saved:
                    f.value = saved[f.key]
        return block


def parse_stack() -> tuple[ExpandStringMacros, list[Middleware]]:
    """A fresh copy of our pinned middleware stack (middlewares carry per-parse state)."""
    macros = ExpandStringMacros()
    return macros, [
        macros,
        NormaliseFields(),
        RemoveEnclosingMiddleware(allow_inplace_modification=True),
        _DecodeLatexExceptVerbatim(keep_braced_groups=True),
        SeparateCoAuthors(name_fields=NAME_FIELDS),
        SplitNameParts(name_fields=NAME_FIELDS),
    ]


def parse_bibtex(path: Path, *, encoding: str | None = None) -> Bibliography:
    """Read and check a ``.bib`` file; never raises for bad content, only for I/O."""
    raw = path.read_bytes()
    text, problems = decode_bib_bytes(raw, str(path), encoding)
    checksum = hashlib.sha256(raw).hexdigest()
    if text is None:
        return Bibliography(str(path), (), tuple(problems), checksum)
    entries = len(_ENTRY_START.findall(text))
    if entries > MAX_ENTRIES:
        # Counted before parsing: a list this long is refused whole, quickly.
        problems.append(
            Problem(
                str(path),
                None,
                Severity.ERROR,
                "bib.too-many-entries",
                f"{entries} entries: a reference list may have at most {MAX_ENTRIES}",
            )
        )
        return Bibliography(str(path), (), tuple(problems), checksum)
    parsed = parse_bibtex_string(text, source=str(path))
    return Bibliography(
        parsed.path,
        parsed.entries,
        (*problems, *parsed.problems),
        checksum,
        parsed.duplicate_works,
        parsed.versions,
    )


def decode_bib_bytes(
    raw: bytes, source: str, encoding: str | None = None
) -> tuple[str | None, list[Problem]]:
    """Turn file bytes into text, refusing things that are plainly not BibTeX."""

    def error(code: str, message: str, line: int | None = None) -> list[Problem]:
        return [Problem(source, line, Severity.ERROR, code, message)]

    if raw.startswith(b"%PDF"):
        return None, error("bib.not-bibtex", "no entries found: this is a PDF, not BibTeX")
    head = raw[:8192]
    # A stray NUL inside a title is hostile text (stripped later); many NULs mean binary.
    if head.count(b"\x00") > 4:
        return None, error("bib.not-bibtex", "no entries found: this is a binary file")
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        sample = raw[start : end if end != -1 else len(raw)][:80]
        guesses = "; ".join(
            f"{name} ({sample.decode(name, errors='replace').strip()!r})"
            for name in guess_encodings(raw)
        )
        return None, error(
            "bib.encoding",
            f"not UTF-8 (byte 0x{raw[exc.start]:02X}). It may be, most likely first: {guesses}. "
            "See which reads right, then re-save the file as UTF-8, or pass --bib-encoding "
            "with that name",
            line,
        )
    except LookupError:
        return None, error("bib.encoding", f"unknown encoding {encoding!r}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip().lower()
    if not stripped:
        return None, error("bib.empty", "no entries found: the file is empty")
    if stripped.startswith(("<!doctype", "<html", "<?xml")):
        return None, error("bib.not-bibtex", "no entries found: this looks like HTML or XML")
    return text, []


def guess_encodings(raw: bytes, most: int = 3) -> list[str]:
    """The likeliest encodings of bytes that are not UTF-8, best first (charset-normalizer).

    A short file cannot be told apart for certain (a few Chinese characters also read as
    Korean), so several are offered, each for the editor to look at.
    """
    found = [match.encoding for match in charset_normalizer.from_bytes(raw)]
    return list(dict.fromkeys(found))[:most] or ["cp1252"]


def parse_bibtex_string(text: str, *, source: str = "<string>") -> Bibliography:
    """Parse BibTeX text; see the module docstring for what is checked."""
    # A line that starts with "%" is a comment for biber and for every reference manager
    # ("%@article{...}" is an entry put aside); emptied, so that line numbers still hold.
    text = _COMMENT_LINE.sub("", text)
    macros, stack = parse_stack()
    with _captured_parser_messages() as messages:
        library = parse_string(text, parse_stack=stack)
    report = ProblemLog(source)
    problems = report.problems

    for issue in macros.issues:
        # The macro's name is kept as text, so nothing is lost: a warning, fatal with --strict.
        report(_line(issue.line), issue.code, issue.message, issue.key, Severity.WARNING)
    for block in library.failed_blocks:
        _report_failed_block(block, report, messages)

    rejected = _reject_duplicate_keys(library, report)
    entries = []
    for entry in library.entries:
        if entry.key.casefold() in rejected:
            continue
        clash = _case_variant_fields(entry)
        if clash:
            # As for a field given twice with the same name: which value is meant is unknown,
            # so the entry waits for the editor rather than keeping one value silently.
            report(
                _line(entry.start_line),
                "bib.duplicate-field",
                f"field given twice: {', '.join(clash)} (the names differ only in case); "
                "the entry is left out until one is removed",
                entry.key,
            )
            continue
        long = [f.key for f in entry.fields if len(str(f.value)) > MAX_FIELD_CHARS]
        if long:
            report(
                _line(entry.start_line),
                "bib.field-too-long",
                f"{', '.join(long)} longer than {MAX_FIELD_CHARS} characters; the entry is left "
                "out until it is shortened",
                entry.key,
            )
            continue
        entries.append(_to_record(entry, report))
    entries = inherit(entries, report)
    for record in entries:
        _report_missing(record, report)
    if not library.entries and not library.failed_blocks:
        report(None, "bib.no-entries", "no entries found: the file holds no BibTeX entries")
    duplicates, versions = find_duplicate_works(entries)
    lines = {e.key: e.line for e in entries}
    for group in duplicates:
        named = ", ".join(f"{k} (line {lines[k]})" for k in group)
        report(
            lines[group[0]],
            "bib.duplicate-work",
            f"entries {named} are the same work (same DOI, or title and year, and the same "
            "type and authors); they become one source that keeps every key, described by "
            "one of them only",
            group[0],
            Severity.WARNING,
        )
    for one, other in versions:
        report(
            lines[one],
            "bib.shared-doi",
            f"entries {one} (line {lines[one]}) and {other} (line {lines[other]}) share a DOI, "
            "or a title, year and authors, but differ in type or authors; they stay two "
            "sources, linked as versions of each other: check that both are right",
            one,
            Severity.WARNING,
        )
    return Bibliography(source, tuple(entries), tuple(problems), "", duplicates, versions)


def _line(zero_based: int | None) -> int | None:
    return None if zero_based is None else zero_based + 1


@contextlib.contextmanager
def _captured_parser_messages() -> Iterator[list[str]]:
    """Keep bibtexparser's log text: it is the only place that explains a syntax error."""
    messages: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("bibtexparser")
    handler = _Keep(logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _report_failed_block(block: ParsingFailedBlock, report: Any, messages: list[str]) -> None:
    line = _line(block.start_line)
    if isinstance(block, DuplicateBlockKeyBlock):
        return  # reported with its case variants by _reject_duplicate_keys
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        entry = block.ignore_error_block
        key = entry.key if isinstance(entry, Entry) else None
        report(line, "bib.duplicate-field", f"field given twice: {fields}", key)
        return
    first_line = (block.raw or "").strip().splitlines()[:1]
    marker = f"(line {block.start_line})"
    details = [m for m in messages if marker in m] or [str(block.error)]
    # bibtexparser counts lines from 0 in its messages; editors count from 1.
    detail = re.sub(r"line (\d+)", lambda m: f"line {int(m[1]) + 1}", " ".join(details))
    detail = " ".join(detail.split())[:300]
    start = f"the block starting {first_line[0][:60]!r}" if first_line else "a block"
    report(
        line, "bib.failed-block", f"could not parse {start}; it is left out. {detail}".strip(), None
    )


def _reject_duplicate_keys(library: Library, report: Any) -> set[str]:
    """Report every key given twice (ignoring case) and return those keys, folded."""
    seen: dict[str, list[tuple[str, int | None]]] = {}
    for entry in library.entries:
        seen.setdefault(entry.key.casefold(), []).append((entry.key, _line(entry.start_line)))
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            seen.setdefault(block.key.casefold(), []).append((block.key, _line(block.start_line)))
    rejected: set[str] = set()
    for folded, uses in seen.items():
        if len(uses) < 2:
            continue
        rejected.add(folded)
        where = ", ".join(f"'{k}' on line {ln}" for k, ln in uses)
        for key, line in uses:
            report(
                line,
                "bib.duplicate-key",
                f"key used more than once ({where}); rename or remove one: "
                "no copy is ingested until this is resolved",
                key,
            )
    return rejected


def _case_variant_fields(entry: Entry) -> list[str]:
    """Field names that appear more than once when case is ignored ("title" and "Title")."""
    seen: dict[str, list[str]] = {}
    for f in entry.fields:
        seen.setdefault(f.key.lower(), []).append(f.key)
    return [" / ".join(names) for names in seen.values() if len(names) > 1]


def _to_record(entry: Entry, report: Any) -> BibEntry:
    fields: dict[str, str] = {}
    names: dict[str, tuple[Name, ...]] = {}
    for f in entry.fields:
        key = f.key.lower()
        line = _line(f.start_line)
        if key in NAME_FIELDS and isinstance(f.value, list):
            names[key] = tuple(_to_name(p, entry.key, line, report) for p in f.value)
            continue
        value = _clean_text(str(f.value), key, entry.key, line, report)
        checked = _check_verbatim(key, value, entry.key, line, report)
        if checked:
            fields[key] = checked
    line = _line(entry.start_line) or 0
    title = fields.pop("title", None)
    year_raw = fields.pop("year", None)
    year = Year.parse(year_raw)
    if year_raw is not None and year is None:
        report(
            line,
            "bib.bad-year",
            f"year {year_raw!r} is not a year, 'n.d.' or 'in press'",
            entry.key,
            Severity.WARNING,
        )
        year = Year(None, label=year_raw)
    return BibEntry(
        key=entry.key,
        entry_type=entry.entry_type.lower(),
        line=line,
        authors=names.get("author", ()),
        editors=names.get("editor", ()),
        title=title,
        year=year,
        fields=MappingProxyType(fields),
    )


def _report_missing(entry: BibEntry, report: Any) -> None:
    """A title or year that neither the entry nor what it inherits gives."""
    if entry.title is None:
        report(entry.line, "bib.missing-title", "no title", entry.key, Severity.WARNING)
    if entry.year is None:
        report(
            entry.line,
            "bib.missing-year",
            "no year: it will show as 'n.d.'",
            entry.key,
            Severity.WARNING,
        )


def _clean_text(value: str, field: str, key: str, line: int | None, report: Any) -> str:
    cleaned, removed = strip_unsafe_characters(value)
    if removed:
        report(
            line,
            "bib.control-characters",
            f"control or bidirectional-override characters removed from '{field}'",
            key,
            Severity.WARNING,
        )
    if field not in VERBATIM_FIELDS:
        cleaned = cleaned.replace("{", "").replace("}", "")
    return collapse_spaces(cleaned)


def _check_verbatim(field: str, value: str, key: str, line: int | None, report: Any) -> str:
    if field == "url" and not re.match(r"^https?://\S+$", value, re.IGNORECASE):
        report(
            line,
            "bib.bad-url",
            f"url {value[:80]!r} dropped: only http(s) addresses without spaces are kept",
            key,
            Severity.WARNING,
        )
        return ""
    if field == "doi":
        doi = _DOI_PREFIX.sub("", value)
        if not _DOI.match(doi):
            report(
                line, "bib.bad-doi", f"doi {value[:80]!r} dropped: not a DOI", key, Severity.WARNING
            )
            return ""
        return doi
    return value


def _to_name(parts: NameParts, key: str, line: int | None, report: Any) -> Name:
    words = [strip_unsafe_characters(w) for w in (*parts.first, *parts.von, *parts.last, *parts.jr)]
    if any(removed for _, removed in words):
        report(
            line,
            "bib.control-characters",
            "control or bidirectional-override characters removed from a name",
            key,
            Severity.WARNING,
        )
    first, von, last, jr = (
        [collapse_spaces(strip_unsafe_characters(w)[0]) for w in ws]
        for ws in (parts.first, parts.von, parts.last, parts.jr)
    )
    if not first and not von and not jr and last == ["others"]:
        return OMITTED
    if not first and not von and not jr and len(last) == 1 and _is_one_braced_group(last[0]):
        return Name(NameKind.ORGANISATION, last=_unbrace(last[0]))
    name = Name(
        NameKind.PERSON,
        last=_unbrace(" ".join(last)),
        # "J.A." and "J. A." are the same initials; one spelling keeps one agent node.
        first=re.sub(r"\.(?=\w)", ". ", _unbrace(" ".join(first))),
        von=_unbrace(" ".join(von)),
        jr=_unbrace(" ".join(jr)),
    )
    if not name.last:
        report(
            line, "bib.bad-name", f"a name with no surname: {name.display!r}", key, Severity.WARNING
        )
    return name


def _is_one_braced_group(word: str) -> bool:
    if not (word.startswith("{") and word.endswith("}")):
        return False
    depth = 0
    for i, char in enumerate(word):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and i < len(word) - 1:
            return False
    return True


def _unbrace(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def normalised_title(title: str) -> str:
    """Case-, accent- and punctuation-folded title words, for spotting duplicate works."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(title)))


def _names(entry: BibEntry) -> tuple[str, ...]:
    people = entry.authors or entry.editors
    return tuple(normalised_title(n.family) for n in people if n.kind is not NameKind.OMITTED)


def _same_work(one: BibEntry, other: BibEntry) -> bool:
    """Two entries are one work only when nothing they say tells them apart."""
    return one.entry_type == other.entry_type and _names(one) == _names(other)


def find_duplicate_works(
    entries: Iterable[BibEntry],
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, str], ...]]:
    """Groups of keys that are one work, and pairs of keys that are versions of one.

    One work: the same DOI, or the same normalised title and year, *and* the same entry type
    and authors' surnames.  Versions: the same DOI but another type or other authors (a
    chapter and its book), or the same title, year and authors in another type (an article
    and its preprint); they stay two sources.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    first_with: dict[tuple[str, str], list[BibEntry]] = {}
    versions: list[tuple[str, str]] = []
    ordered = list(entries)
    for entry in ordered:
        find(entry.key)
        marks = []
        if entry.get("doi"):
            marks.append(("doi", str(entry.get("doi")).casefold()))
        if entry.title and entry.year and entry.year.value is not None:
            marks.append(("title", f"{normalised_title(entry.title)}|{entry.year.value}"))
        for mark in marks:
            earlier = first_with.setdefault(mark, [])
            same = next((e for e in earlier if _same_work(e, entry)), None)
            if same is not None:
                parent[find(entry.key)] = find(same.key)
            else:
                # A shared DOI, or the same title, year and authors in another form (an
                # article and its preprint): versions of one work.
                versions += [
                    (e.key, entry.key)
                    for e in earlier
                    if (mark[0] == "doi" or _names(e) == _names(entry))
                    and (e.key, entry.key) not in versions
                ]
            earlier.append(entry)
    groups: dict[str, list[str]] = {}
    for entry in ordered:
        groups.setdefault(find(entry.key), []).append(entry.key)
    same_work = tuple(tuple(g) for g in groups.values() if len(g) > 1)
    merged = {k: find(k) for g in same_work for k in g}
    # A version pair inside one work is no pair; pairs between two works are kept once.
    pairs = {
        tuple(sorted((merged.get(a, a), merged.get(b, b))))
        for a, b in versions
        if merged.get(a, a) != merged.get(b, b)
    }
    return same_work, tuple(sorted((a, b) for a, b in pairs))
