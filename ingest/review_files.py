"""Read a review file (plain text, Markdown, DOCX or PDF) into blocks of text.

A *block* is a heading or a paragraph, with the page it starts on where the format has pages.
Everything format-specific lives here; :mod:`ingest.review` only ever sees blocks.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.textclean import strip_unsafe_characters

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | {".docx", ".pdf"}
# Limits on what a file may unpack to (a few KB can unpack to gigabytes: a "zip bomb").  A
# long review is a few MB of XML and a few hundred pages; these leave a wide margin.
MAX_DOCX_UNPACKED = 64 * 1024 * 1024  # bytes, all members of the .docx together
MAX_DOCX_RATIO = 200  # uncompressed / compressed, for any member over 1 MB
MAX_PDF_PAGES = 1_000


class ReviewFileError(ValueError):
    """The review file cannot be read as a review: the message names the file and why."""


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph as the file gives it."""

    text: str
    is_heading: bool
    page: int | None = None


def read_blocks(path: Path) -> list[Block]:
    """The blocks of a review file; raises :class:`ReviewFileError` with a clear reason."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReviewFileError(
            f"{path}: unknown review format {suffix or '(no extension)'!r}; "
            "use .txt, .md, .docx or .pdf"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise ReviewFileError(f"{path}: the file is empty")
    if suffix == ".docx":
        blocks = _docx_blocks(path, raw)
    elif suffix == ".pdf":
        blocks = _pdf_blocks(path, raw)
    else:
        text = _decode_text(path, raw)
        blocks = _markdown_blocks(text) if suffix in MARKDOWN_SUFFIXES else _text_blocks(text)
    blocks = [b for b in (_clean(b) for b in blocks) if b.text]
    if not blocks:
        raise ReviewFileError(f"{path}: no text found")
    return blocks


def _clean(block: Block) -> Block:
    text, _ = strip_unsafe_characters(block.text)
    return Block(" ".join(text.split()), block.is_heading, block.page)


def _decode_text(path: Path, raw: bytes) -> str:
    if raw.startswith(b"%PDF") or b"\x00" in raw[:4096] or raw.startswith(b"PK\x03\x04"):
        raise ReviewFileError(f"{path}: this is a binary file, not plain text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); re-save as UTF-8"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLANK = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


_SECTION_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+(?=[A-Z])")


# "References", and as numbered or punctuated headings write it: "7. References", "References:".
BACK_MATTER = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+|[IVXLC]+\.\s+)?"
    r"(?:references|reference list|bibliography|works cited|endnotes and references)\s*:?$",
    re.I,
)


def looks_like_heading(text: str) -> bool:
    """A plain-text heading: one short line, capitalised, not ending like a sentence.

    A section number ("7.", "2.1", "IV.") may come first, and the reference list's heading
    may end with a colon ("References:").
    """
    if "\n" not in text.strip() and BACK_MATTER.match(text.strip()):
        return True
    text = _SECTION_NUMBER.sub("", text)
    words = text.split()
    return (
        "\n" not in text.strip()
        and 0 < len(words) <= 10
        and text[:1].isupper()
        and not text.rstrip().endswith((".", ",", ";", ":", ")"))
        and not _BULLET.match(text)
        and not re.search(r"\(\s*\d{4}", text)
    )


def _text_blocks(text: str) -> list[Block]:
    return [Block(chunk, looks_like_heading(chunk.strip())) for chunk in _BLANK.split(text)]


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def _markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in _BLANK.split(text):
        lines = chunk.strip("\n").split("\n")
        paragraph: list[str] = []
        for line in lines:
            heading = _MD_HEADING.match(line)
            if heading:
                if paragraph:
                    blocks.append(Block(_md_inline(" ".join(paragraph)), False))
                    paragraph = []
                blocks.append(Block(_md_inline(heading[1]), True))
            else:
                paragraph.append(line.lstrip("> "))
        if paragraph:
            blocks.append(Block(_md_inline(" ".join(paragraph)), False))
    return blocks


def _md_inline(text: str) -> str:
    return _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", text))


def _docx_blocks(path: Path, raw: bytes) -> list[Block]:
    import docx  # python-docx; imported here so plain-text reviews never need it

    _check_unpacked_size(path, raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    # lxml's XMLSyntaxError (a damaged document.xml) is a SyntaxError.
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        raise ReviewFileError(f"{path}: not a readable DOCX file ({exc})") from exc
    blocks = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = style.startswith("Heading") or style == "Title"
        blocks.append(Block(paragraph.text, heading))
    return blocks


def _check_unpacked_size(path: Path, raw: bytes) -> None:
    """Refuse a .docx that would unpack to more than a review could hold, before unpacking."""
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except zipfile.BadZipFile as exc:
        raise ReviewFileError(f"{path}: not a readable DOCX file ({exc})") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNPACKED:
        raise ReviewFileError(
            f"{path}: the DOCX unpacks to {total // (1024 * 1024)} MB; a review may unpack "
            f"to at most {MAX_DOCX_UNPACKED // (1024 * 1024)} MB"
        )
    for member in members:
        if member.file_size > 1024 * 1024 and (
            member.file_size > MAX_DOCX_RATIO * max(member.compress_size, 1)
        ):
            raise ReviewFileError(
                f"{path}: {member.filename} is compressed more than {MAX_DOCX_RATIO} to 1 "
                "(a compression bomb?)"
            )


def _pdf_blocks(path: Path, raw: bytes) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ReviewFileError(
                f"{path}: the PDF has {len(reader.pages)} pages; a review may have at most "
                f"{MAX_PDF_PAGES}"
            )
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    except LimitReachedError as exc:
        # pypdf's own guard against a compression bomb.
        raise ReviewFileError(
            f"{path}: the PDF unpacks to more than a review could hold (a compression bomb?)"
        ) from exc
    except (PyPdfError, ValueError, KeyError) as exc:
        raise ReviewFileError(f"{path}: not a readable PDF ({exc})") from exc
    if not any(p.strip() for p in pages):
        raise ReviewFileError(
            f"{path}: the PDF has no text layer (a scanned image?); run OCR first or supply "
            "the text as .txt, .md or .docx"
        )
    blocks = []
    for number, page in enumerate(pages, start=1):
        for chunk in _BLANK.split(page.replace("\r\n", "\n")):
            text = " ".join(line.strip() for line in chunk.split("\n") if line.strip())
            if text:
                blocks.append(Block(text, looks_like_heading(text), number))
    return blocks
