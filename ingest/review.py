"""Read a review into sections, paragraphs and sentences, each located by character offsets.

The review's blocks (from :mod:`ingest.review_files`) are joined into one *normalised text*:
whitespace inside a block collapsed to single spaces, blocks separated by a blank line.  Every
offset in every record points into that text, so a sentence or a mention can be shown,
highlighted or located again without storing the review's words in the project.

Sections start at headings.  The reference list (a heading such as "References" or
"Bibliography") and everything after it is *back matter*: recognised, but not read as text,
so the reference list is never mistaken for in-text citations.

Sentences are split at ``.``, ``!`` or ``?`` followed by a space and a capital, a digit or an
opening quote, except inside brackets (a citation never breaks a sentence) and after
abbreviations such as "et al.", "e.g.", "i.e.", "cf.", "p.", "pp." and initials ("J. M.").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ingest.review_files import BACK_MATTER, Block, ReviewFileError, read_blocks

_ABBREVIATIONS = frozenset(
    {"al", "e.g", "i.e", "eg", "ie", "p", "pp", "cf", "dr", "mr", "mrs", "ms", "st", "vs", "no",
     "vol", "eds", "ed", "fig", "approx", "c", "ca", "para", "ch"}
)  # fmt: skip
_OPENERS = "([{"
_CLOSERS = ")]}"
_TRAILING = "\"'\u201d\u2019)]"
_STARTERS = "\"'\u201c\u2018(["


class SectionKind(StrEnum):
    """Whether a section is read as the review's text."""

    BODY = "body"
    BACK = "back"


@dataclass(frozen=True)
class Section:
    """A heading and what follows it, up to the next heading."""

    index: int
    heading: str
    kind: SectionKind
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of one section."""

    index: int
    section: int
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class Sentence:
    """A sentence, numbered in reading order across the whole review."""

    index: int
    section: int
    paragraph: int
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class ReviewText:
    """A review's normalised text and its structure."""

    path: str
    text: str
    checksum: str
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]

    def sentence_text(self, sentence: Sentence) -> str:
        """The words of one sentence."""
        return self.text[sentence.start : sentence.end]

    def body_sentences(self) -> tuple[Sentence, ...]:
        """Sentences outside the back matter."""
        body = {s.index for s in self.sections if s.kind is SectionKind.BODY}
        return tuple(s for s in self.sentences if s.section in body)


def locator_index(review: ReviewText) -> dict[tuple[str, int, int], int]:
    """(section heading, paragraph, sentence), counted from 1 within each, -> sentence index."""
    paragraphs: dict[int, list[int]] = {}
    for paragraph in review.paragraphs:
        paragraphs.setdefault(paragraph.section, []).append(paragraph.index)
    sentences: dict[int, list[int]] = {}
    for sentence in review.sentences:
        sentences.setdefault(sentence.paragraph, []).append(sentence.index)
    index = {}
    for sentence in review.body_sentences():
        heading = review.sections[sentence.section].heading
        p = paragraphs[sentence.section].index(sentence.paragraph) + 1
        s = sentences[sentence.paragraph].index(sentence.index) + 1
        index[(heading, p, s)] = sentence.index
    return index


# A long review has a few thousand sentences; past this, the file is refused.
MAX_SENTENCES = 20_000


def parse_review(path: Path) -> ReviewText:
    """Read a review file; raises ``ReviewFileError`` for empty, binary or unknown files."""
    blocks = read_blocks(path)
    review = structure(blocks, str(path), hashlib.sha256(path.read_bytes()).hexdigest())
    if len(review.sentences) > MAX_SENTENCES:
        raise ReviewFileError(
            f"{path}: {len(review.sentences)} sentences; a review may have at most {MAX_SENTENCES}"
        )
    return review


def structure(blocks: list[Block], path: str = "<text>", checksum: str = "") -> ReviewText:
    """Lay blocks out as one text and find its sections, paragraphs and sentences."""
    blocks = merge_broken_paragraphs(blocks)
    text_parts: list[str] = []
    offset = 0
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    section_start, heading, kind = 0, "", SectionKind.BODY
    for block in blocks:
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        start = offset
        text_parts.append(block.text)
        offset += len(block.text)
        if block.is_heading:
            if start > 0 or heading:
                sections.append(Section(len(sections), heading, kind, section_start, start - 2))
            heading, section_start = block.text, start
            if kind is SectionKind.BODY and BACK_MATTER.match(block.text.strip()):
                kind = SectionKind.BACK
            continue
        paragraph = Paragraph(len(paragraphs), len(sections), start, offset, block.page)
        paragraphs.append(paragraph)
        for s_start, s_end in split_sentences(block.text):
            sentences.append(
                Sentence(
                    len(sentences),
                    paragraph.section,
                    paragraph.index,
                    start + s_start,
                    start + s_end,
                    block.page,
                )
            )
    sections.append(Section(len(sections), heading, kind, section_start, offset))
    return ReviewText(
        path, "".join(text_parts), checksum, tuple(sections), tuple(paragraphs), tuple(sentences)
    )


def merge_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Rejoin a paragraph that a page break split: the second part starts in lower case."""
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.is_heading
            and block.text[:1].islower()
            and not previous.text.rstrip().endswith((".", "!", "?", ":"))
        ):
            merged[-1] = Block(f"{previous.text} {block.text}", False, previous.page)
        else:
            merged.append(block)
    return merged


# A bracket that is open for longer than this is not an aside that hides sentence ends: it is
# a typing slip, and the sentences around it must still split.
MAX_BRACKET = 600


def bracketed(text: str) -> list[bool]:
    """For each character, whether it sits inside a matched pair of brackets.

    An opening bracket with no closing one (a stray "(") is ignored, and so is a pair that
    spans more than :data:`MAX_BRACKET` characters.
    """
    inside = [False] * len(text)
    stack: list[int] = []
    for i, char in enumerate(text):
        if char in _OPENERS:
            stack.append(i)
        elif char in _CLOSERS and stack:
            opened = stack.pop()
            if i - opened <= MAX_BRACKET:
                inside[opened + 1 : i] = [True] * (i - opened - 1)
    return inside


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence in a paragraph."""
    spans: list[tuple[int, int]] = []
    inside = bracketed(text)
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char in ".!?\u2026" and not inside[i] and _is_boundary(text, i):
            end = i + 1
            while end < len(text) and text[end] in _TRAILING + ".":
                end += 1
            spans.append((start, end))
            start = end
            while start < len(text) and text[start] == " ":
                start += 1
            i = start
            continue
        i += 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _is_boundary(text: str, i: int) -> bool:
    after = i + 1
    while after < len(text) and text[after] in _TRAILING + ".":
        after += 1
    if after >= len(text) or text[after] != " ":
        return False
    following = text[after + 1 : after + 2]
    if not following or not (following.isupper() or following.isdigit() or following in _STARTERS):
        return False
    if text[i] != ".":
        return True
    # The word before the full stop, found by walking back (not by a regex over the whole
    # text before it, which made long paragraphs quadratic).
    begin = i
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in "._"):
        begin -= 1
    token = text[begin:i].casefold()
    if token in _ABBREVIATIONS or token.endswith("et al"):
        return False
    # An initial ("J." in "J. M. Reingle") is one capital letter before the full stop.
    return not (len(token) == 1 and text[i - 1].isupper())
