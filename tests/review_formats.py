"""Write one review fixture (our Markdown) as plain text, DOCX and PDF, inside a test.

The writers are deliberately simple and independent of ``ingest.review_files``: a line that
starts with ``#`` is a heading, and blank lines separate paragraphs.
"""

from __future__ import annotations

from pathlib import Path


def blocks(markdown: str) -> list[tuple[str, bool]]:
    """(text, is_heading) for each block of a simple Markdown file."""
    found = []
    for chunk in markdown.split("\n\n"):
        text = " ".join(chunk.split())
        if text:
            found.append((text.lstrip("# ").strip(), text.startswith("#")))
    return found


def write_txt(markdown: str, path: Path) -> Path:
    path.write_text("\n\n".join(text for text, _ in blocks(markdown)) + "\n", "utf-8")
    return path


def write_docx(markdown: str, path: Path) -> Path:
    import docx

    document = docx.Document()
    for text, heading in blocks(markdown):
        if heading:
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(markdown: str, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for text, heading in blocks(markdown):
        pdf.set_font("Helvetica", style="B" if heading else "", size=13 if heading else 11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(5)
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose page holds only a drawing, as a scan without OCR would."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path
