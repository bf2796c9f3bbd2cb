"""Open a report file of any supported format and return its text.

Every failure a user can cause becomes a ``ReportError`` naming the file and
the reason, raised before anything is written anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from govledger.errors import ReportError

MAX_BYTES = 50 * 1024 * 1024  # a real report is well under 1 MB; 50 MB of text is not a report


@dataclass(frozen=True)
class SourceText:
    """The text of one report as read from disk."""

    doc: str
    path: str
    text: str
    format: str


def doc_id_for(path: str | os.PathLike[str]) -> str:
    """The file name without its extension, as the schema's ``doc`` field."""
    return Path(path).stem


def decode_text_bytes(data: bytes, path: str) -> str:
    """Decode a plain-text report: BOMs first, then UTF-8, then GB18030, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise ReportError(path, "binary file, not a text report")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReportError(path, "cannot detect the text encoding")
    return str(best)


def read_report(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> SourceText:
    """Read ``path`` (.txt, .docx, .pdf, .html/.htm) into a ``SourceText``."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ReportError(name, "no such file")
    if p.is_dir():
        raise ReportError(name, "is a directory, not a report file")
    size = p.stat().st_size
    if size == 0:
        raise ReportError(name, "empty file")
    if size > max_bytes:
        raise ReportError(name, f"file too large ({size // (1024 * 1024)} MB; limit {max_bytes // (1024 * 1024)} MB)")
    suffix = p.suffix.lower()
    try:
        if suffix == ".docx":
            from govledger.read.formats import read_docx

            text, fmt = read_docx(p), "docx"
        elif suffix == ".pdf":
            from govledger.read.formats import read_pdf

            text, fmt = read_pdf(p), "pdf"
        elif suffix in (".html", ".htm", ".shtml"):
            from govledger.read.formats import read_html

            text, fmt = read_html(p), "html"
        else:
            text, fmt = decode_text_bytes(p.read_bytes(), name), "txt"
    except ReportError:
        raise
    except PermissionError:
        raise ReportError(name, "permission denied") from None
    except Exception as exc:  # a corrupt file of a known format
        raise ReportError(name, f"cannot read {suffix or 'file'}: {type(exc).__name__}: {exc}".strip()) from None
    if not text.strip():
        raise ReportError(name, "no text in file")
    return SourceText(doc=doc_id_for(p), path=name, text=text, format=fmt)
