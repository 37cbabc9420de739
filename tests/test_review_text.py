"""ingest.review: formats, structure, sentences, and clear errors for unusable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.audit import audit_review
from ingest.bibtex import parse_bibtex
from ingest.review import SectionKind, parse_review, split_sentences
from ingest.review_files import ReviewFileError
from kg.cli import main
from tests.conftest import DATA
from tests.review_formats import write_docx, write_pdf, write_scanned_pdf, write_txt

REVIEW = DATA / "review" / "mini-review.md"
BIB = DATA / "review" / "mini-review.bib"


def audit_rows(path: Path) -> list[tuple[str, str | None, str, str | None, str]]:
    audit = audit_review(parse_review(path), parse_bibtex(BIB))
    return [
        (m.mention.cited_as, m.resolution.key, str(m.resolution.status), m.mention.page, m.section)
        for m in audit.mentions
    ]


def test_sections_and_back_matter_are_recognised() -> None:
    review = parse_review(REVIEW)
    headings = [(s.heading, s.kind) for s in review.sections]
    assert headings == [
        ("Mentoring in an invented justice system", SectionKind.BODY),
        ("Introduction", SectionKind.BODY),
        ("Findings", SectionKind.BODY),
        ("References", SectionKind.BACK),
    ]
    body = " ".join(review.sentence_text(s) for s in review.body_sentences())
    assert "Testing Press" not in body  # the reference list is not read as text


@pytest.mark.parametrize(
    "heading", ["References", "7. References", "References:", "VII. Bibliography", "Works cited"]
)
def test_numbered_and_punctuated_reference_headings_start_the_back_matter(
    heading: str, tmp_path: Path
) -> None:
    path = tmp_path / "review.txt"
    path.write_text(
        f"A study\n\nHope grows (Abbott, 2015).\n\n{heading}\n\nAbbott, A. (2015) Hope.\n"
    )
    review = parse_review(path)
    assert [s.kind for s in review.sections][-1] is SectionKind.BACK
    assert "Hope." not in " ".join(review.sentence_text(s) for s in review.body_sentences())


def test_offsets_point_into_the_normalised_text() -> None:
    review = parse_review(REVIEW)
    for sentence in review.sentences:
        text = review.sentence_text(sentence)
        assert text == text.strip() and text
    audit = audit_review(review, parse_bibtex(BIB))
    several_years = {"Patel (2012)", "Patel (2016)"}
    for item in audit.mentions:
        mention = item.mention
        written = review.text[mention.start : mention.end]
        assert item.sentence.start <= mention.start < mention.end <= item.sentence.end
        assert mention.year in written.lower()
        if mention.cited_as not in several_years:
            assert written == mention.cited_as  # exactly as the text writes it


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        ("Mentors help (Hughes et al., 2020: 45). Trust follows.", 2),
        ("Reingle Gonzalez et al. (2019) found it. Others agree.", 2),
        ("Some work (e.g. walks, football, a cafe) helps. It does.", 2),
        ("See p. 9 of the report. It says so.", 2),
        ("J. M. Smith wrote it. A reply came.", 2),
        ("The cut is here (Buck, 2020: 178). Next (Ito et al, 2014). Last one.", 3),
        ("Was it true? Yes! It was.", 3),
        ("One sentence with i.e. an aside and cf. another.", 1),
        ("\u201cQuoted.\u201d Then more.", 2),
        ("A stray ( opens here. The next one. And a last (Buck, 2020).", 3),
        ("An aside (it runs on. And on.) ends. Then more.", 2),
    ],
    ids=[
        "citation-at-end",
        "et-al-narrative",
        "e-g-in-brackets",
        "page-abbrev",
        "initials",
        "three",
        "question-exclamation",
        "ie-cf",
        "closing-quote",
        "stray-bracket",
        "aside-in-brackets",
    ],
)
def test_sentence_splitter(paragraph: str, sentences: int) -> None:
    spans = split_sentences(paragraph)
    assert len(spans) == sentences
    assert "".join(paragraph[a:b] for a, b in spans).replace(" ", "") == paragraph.replace(" ", "")


@pytest.mark.parametrize("writer", [write_txt, write_docx, write_pdf], ids=["txt", "docx", "pdf"])
def test_every_format_gives_the_same_citations(writer: object, tmp_path: Path) -> None:
    markdown = REVIEW.read_text("utf-8")
    suffix = {"write_txt": ".txt", "write_docx": ".docx", "write_pdf": ".pdf"}
    path = writer(markdown, tmp_path / f"review{suffix[writer.__name__]}")  # type: ignore[attr-defined,operator]
    assert audit_rows(path) == audit_rows(REVIEW)


def test_pdf_sentences_know_their_page(tmp_path: Path) -> None:
    review = parse_review(write_pdf(REVIEW.read_text("utf-8"), tmp_path / "r.pdf"))
    assert {s.page for s in review.sentences} == {1}


# Case 27 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"\n\n   \n", "empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("review.odt", b"PK\x03\x04 whatever", "unknown review format '.odt'"),
        ("noextension", b"text", "unknown review format"),
        ("broken.docx", b"not a zip file at all", "not a readable DOCX"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
    ids=["empty", "blank", "binary", "odt", "no-extension", "broken-docx", "broken-pdf"],
)
def test_unusable_review_files_get_a_clear_error(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReviewFileError, match=reason) as error:
        parse_review(path)
    assert str(path) in str(error.value)


def test_a_scanned_pdf_without_text_says_so(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(ReviewFileError, match="no text layer"):
        parse_review(path)


def test_check_exits_2_on_an_unusable_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf")
    assert main(["check", str(path), "--bib", str(BIB)]) == 2
    assert "no text layer" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing.txt"), "--bib", str(BIB)]) == 2


def _pdf_bomb(unpacked: int) -> bytes:
    """A one-page PDF whose content stream is ``unpacked`` bytes of zeros, deflated."""
    import io
    import zlib

    data = zlib.compress(b"0" * unpacked, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (5, xref))
    return out.getvalue()


def test_compression_bombs_are_refused_before_they_unpack(tmp_path: Path) -> None:
    import zipfile

    from ingest.review_files import read_blocks

    pdf = tmp_path / "bomb.pdf"
    pdf.write_bytes(_pdf_bomb(100_000_000))  # about 100 KB that unpack to 100 MB
    with pytest.raises(ReviewFileError, match="unpacks to more than a review could hold"):
        read_blocks(pdf)
    for name, size, said in (
        ("ratio.docx", 5_000_000, "compressed more than 200 to 1"),
        ("total.docx", 70_000_000, "unpacks to 66 MB; a review may unpack to at most 64 MB"),
    ):
        docx = tmp_path / name
        with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b" " * size)
        assert docx.stat().st_size < 200_000
        with pytest.raises(ReviewFileError, match=said):
            read_blocks(docx)


def test_a_review_past_the_sentence_limit_is_refused(tmp_path: Path) -> None:
    from ingest.review import MAX_SENTENCES

    path = tmp_path / "long.txt"
    path.write_text("Findings\n\n" + "Mentors help. " * (MAX_SENTENCES + 1), "utf-8")
    with pytest.raises(ReviewFileError, match=f"at most {MAX_SENTENCES}"):
        parse_review(path)
