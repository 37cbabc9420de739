"""The review's text laid out for reading, with each citation marked and resolved.

Only available where the review's text was ingested: the sentences come from the reader's own
copy, built into their store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.protocol import GraphStore, Row


@dataclass
class Segment:
    """A run of text, and the citation it is, if it is one."""

    text: str
    key: str | None = None
    status: str | None = None  # resolved | unresolved | ambiguous


@dataclass
class Paragraph:
    """The sentences of one paragraph, as segments."""

    index: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Section:
    """A headed section of the review."""

    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


def sources_of(store: GraphStore, review: str) -> list[Row]:
    """One review's reference list, in its order: first author's name, year, title."""
    rows = store.select("list_sources", review=review)
    return sorted(
        rows,
        key=lambda r: (
            (r["firstFamily"] or "").lower(),
            r["year"] or "",
            (r["title"] or "").lower(),
        ),
    )


def review_sections(store: GraphStore) -> list[Section]:
    """Sections, paragraphs and citation-marked sentences, in reading order."""
    sentences: dict[int, dict[str, object]] = {}
    for row in store.select("review_sentences"):
        index = int(str(row["index"]))
        entry = sentences.setdefault(
            index,
            {
                "text": str(row["text"]),
                "start": int(str(row["start"])),
                "paragraph": int(str(row["paragraph"])),
                "section": str(row["section"]),
                "section_index": int(str(row["sectionIndex"])),
                "mentions": [],
            },
        )
        if row["mention"]:
            mentions = entry["mentions"]
            assert isinstance(mentions, list)  # noqa: S101
            mentions.append(
                (int(str(row["mStart"])), int(str(row["mEnd"])), row["key"], str(row["resolution"]))
            )
    sections: list[Section] = []
    for index in sorted(sentences):
        entry = sentences[index]
        title = str(entry["section"])
        if not sections or sections[-1].title != title:
            sections.append(Section(title))
        section = sections[-1]
        paragraph_index = int(str(entry["paragraph"]))
        if not section.paragraphs or section.paragraphs[-1].index != paragraph_index:
            section.paragraphs.append(Paragraph(paragraph_index))
        paragraph = section.paragraphs[-1]
        if paragraph.segments:
            paragraph.segments.append(Segment(" "))
        paragraph.segments += _segments(entry)
    return sections


def _segments(entry: dict[str, object]) -> list[Segment]:
    text, start = str(entry["text"]), int(str(entry["start"]))
    mentions = entry["mentions"]
    assert isinstance(mentions, list)  # noqa: S101
    out: list[Segment] = []
    cursor = 0
    for m_start, m_end, key, status in sorted(mentions):
        a, b = m_start - start, m_end - start
        if a < cursor or b > len(text):
            continue  # overlapping spans (several years of one author) keep the first
        if a > cursor:
            out.append(Segment(text[cursor:a]))
        out.append(Segment(text[a:b], key, status))
        cursor = b
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out
