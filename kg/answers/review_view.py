"""The review's text laid out for reading, with each citation marked and resolved.

Only available where the review's text was ingested: the sentences come from the reader's own
copy, built into their store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.answers.knowledge import ClaimInfo, Knowledge
from kg.store.protocol import GraphStore, Row


@dataclass
class Segment:
    """A run of text, and the citation it is, if it is one."""

    text: str
    key: str | None = None
    status: str | None = None  # resolved | unresolved | ambiguous
    anchor: int | None = None  # where a sentence starts: its number in the review


@dataclass
class Paragraph:
    """The sentences of one paragraph, each as segments."""

    index: int
    sentences: list[list[Segment]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # each sentence's number in the review

    @property
    def segments(self) -> list[Segment]:
        """The paragraph's text as one run of segments, each sentence marked where it starts."""
        joined: list[Segment] = []
        for number, sentence in zip(self.numbers, self.sentences, strict=True):
            if joined:
                joined.append(Segment(" "))
            joined.append(Segment("", anchor=number))
            joined += sentence
        return joined


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
        section.paragraphs[-1].sentences.append(_segments(entry))
        section.paragraphs[-1].numbers.append(index)
    return sections


def sentence_locators(sections: list[Section]) -> dict[int, str]:
    """Each sentence's number in the review, with its locator as claims files write it."""
    found = {}
    for section in sections:
        for p, paragraph in enumerate(section.paragraphs, start=1):
            for n, number in enumerate(paragraph.numbers, start=1):
                found[number] = f"{section.title}, paragraph {p}, sentence {n}"
    return found


@dataclass
class OutlineSentence:
    """Where a sentence is, what it cites and which claims sit there: none of its words."""

    locator: str  # "<section>, paragraph N, sentence M", as claims files write it
    citations: list[Segment]
    claims: list[ClaimInfo]
    number: int = 0  # the sentence's number in the review (its anchor on the review page)


def review_outline(
    sections: list[Section], knowledge: Knowledge
) -> list[tuple[str, list[OutlineSentence]]]:
    """The review's structure for a licence that forbids showing its text.

    Each section with its sentences that cite something or carry a claim, their citations
    as the review writes them, and the claims located there, in our words.
    """
    by_locator: dict[str, list[ClaimInfo]] = {}
    for claim in knowledge.claims.values():
        if claim.locator:
            by_locator.setdefault(claim.locator, []).append(claim)
    outline = []
    for section in sections:
        shown = []
        for p, paragraph in enumerate(section.paragraphs, start=1):
            for n, (number, sentence) in enumerate(
                zip(paragraph.numbers, paragraph.sentences, strict=True), start=1
            ):
                locator = f"{section.title}, paragraph {p}, sentence {n}"
                citations = [seg for seg in sentence if seg.status]
                claims = by_locator.get(locator, [])
                if citations or claims:
                    shown.append(OutlineSentence(locator, citations, claims, number))
        outline.append((section.title, shown))
    return outline


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
