"""Readers for .docx, .pdf and .html reports (filled in by the formats work)."""

from __future__ import annotations

from pathlib import Path

from govledger.errors import ReportError


def read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def read_pdf(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    text = "\n".join(pages)
    if not text.strip():
        raise ReportError(str(path), "PDF has no text layer (scanned image?); run OCR first")
    return text


def read_html(path: Path) -> str:
    from selectolax.parser import HTMLParser

    from govledger.read.files import decode_text_bytes

    tree = HTMLParser(decode_text_bytes(path.read_bytes(), str(path)))
    for node in tree.css("script, style, nav, header, footer"):
        node.decompose()
    body = tree.body
    return body.text(separator="\n") if body is not None else ""
