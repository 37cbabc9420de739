"""Read a review manifest: the review's own bibliographic details and where its inputs are.

A manifest is a small TOML file under ``reviews/`` written by an editor.  Example::

    id = "clinks-2021-peer-mentoring"          # used in IRIs; lowercase letters, digits, -
    title = "Peer mentoring in the criminal justice system"
    authors = ["Buck, Gillian"]               # BibTeX name form, in order
    year = 2021
    issued = "2021-08"                        # optional, as precise as the review says
    publisher = "Clinks"
    bibliography = "references.bib"           # relative to the project root
    text = "../shared/seeds/000_a96ea5fb91576fb1.txt"   # optional
    text_env = "EVKG_REVIEW"                  # optional: a variable that overrides `text`
    claims = "reviews/<id>.claims.yaml"       # optional: the curated claims
    venues = "reviews/<id>.venues.yaml"       # optional: which journals peer review
    licence = "..."                           # how the review text may be used
    text_display = "quotations"               # what that licence lets the explorer show:
                                              # "full" (the whole text, citations linked) or
                                              # "quotations" (the default: the structure, and
                                              # single cited sentences as quotations)
    uploads_only = true                       # a review added in the browser: its versions
                                              # come only from editors' uploads, so it names
                                              # no files (``evkg build`` keeps its published
                                              # versions as they are)

The review text itself is never copied into the project: it is read from ``text``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.middlewares.names import parse_single_name_into_parts

from ingest.bibrecords import Name, NameKind
from ingest.problems import Problem, Severity
from ingest.textclean import collapse_spaces, strip_unsafe_characters

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")
# What a review's licence lets the explorer show of its text.  Without a word from the
# manifest, only quotations: most reviews are published with all rights reserved.
TEXT_DISPLAYS = ("full", "quotations")


@dataclass(frozen=True)
class ReviewManifest:
    """One review as the editors describe it."""

    path: str
    review_id: str
    title: str
    authors: tuple[Name, ...]
    year: int
    issued: str | None
    publisher: str | None
    bibliography: Path
    text: Path | None
    text_env: str | None
    claims: Path | None
    venues: Path | None
    licence: str | None
    checksum: str
    text_display: str = "quotations"
    uploads_only: bool = False


def parse_manifest(path: Path, root: Path) -> tuple[ReviewManifest | None, list[Problem]]:
    """Read and check one manifest; paths inside it are resolved against ``root``."""
    raw = path.read_bytes()

    def fail(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(str(path), None, Severity.ERROR, "manifest.invalid", message)]

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return fail(f"not valid TOML: {exc}")
    uploads_only = data.get("uploads_only") is True
    required = ("id", "title", "authors", "year") + (() if uploads_only else ("bibliography",))
    missing = [k for k in required if k not in data]
    if missing:
        return fail(f"missing {', '.join(missing)}")
    review_id = str(data["id"])
    if not _ID.match(review_id):
        return fail(f"id {review_id!r} must be lowercase letters, digits and hyphens")
    if not isinstance(data["year"], int):
        return fail("year must be a number such as 2021")
    authors = tuple(_name(_safe(str(a))) for a in data["authors"])
    display = str(data.get("text_display", "quotations"))
    if display not in TEXT_DISPLAYS:
        return fail(f"text_display must be one of {', '.join(TEXT_DISPLAYS)}, not {display!r}")
    text = data.get("text")
    return ReviewManifest(
        path=str(path),
        review_id=review_id,
        title=_safe(str(data["title"])),
        authors=authors,
        year=data["year"],
        issued=str(data["issued"]) if "issued" in data else None,
        publisher=_safe(str(data["publisher"])) if "publisher" in data else None,
        # An uploads-only review's files are its versions' (see ingest.archive).
        bibliography=(root / str(data.get("bibliography", f"var/{review_id}.bib"))).resolve(),
        text=(root / str(text)).resolve() if text else None,
        text_env=str(data["text_env"]) if "text_env" in data else None,
        claims=(root / str(data["claims"])).resolve() if "claims" in data else None,
        venues=(root / str(data["venues"])).resolve() if "venues" in data else None,
        licence=_safe(str(data["licence"])) if "licence" in data else None,
        checksum=hashlib.sha256(raw).hexdigest(),
        text_display=display,
        uploads_only=uploads_only,
    ), []


def manifest_text(
    review_id: str,
    title: str,
    authors: list[str],
    year: int,
    publisher: str,
    licence: str,
    text_display: str,
) -> str:
    """The TOML of an uploads-only manifest, for a review added in the browser."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# Added in the browser; its versions come from editors' uploads.",
        f"id = {quoted(review_id)}",
        f"title = {quoted(title)}",
        f"authors = [{', '.join(quoted(a) for a in authors)}]",
        f"year = {year}",
    ]
    if publisher:
        lines.append(f"publisher = {quoted(publisher)}")
    if licence:
        lines.append(f"licence = {quoted(licence)}")
    lines += [f"text_display = {quoted(text_display)}", "uploads_only = true"]
    return "\n".join(lines) + "\n"


def _safe(text: str) -> str:
    """The text without control or direction-override characters (see ingest.textclean)."""
    return collapse_spaces(strip_unsafe_characters(text)[0])


def _name(text: str) -> Name:
    if text.startswith("{") and text.endswith("}"):
        return Name(NameKind.ORGANISATION, last=text[1:-1])
    parts = parse_single_name_into_parts(text)
    return Name(
        NameKind.PERSON,
        last=" ".join(parts.last),
        first=" ".join(parts.first),
        von=" ".join(parts.von),
        jr=" ".join(parts.jr),
    )
