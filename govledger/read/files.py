"""Open a report file of any supported format and return its text.

Every failure a user can cause becomes a ``ReportError`` naming the file and
the reason, raised before anything is written anywhere. Cheap checks come
first (existence, type, size) so that a 200 MB file or a directory is
refused without reading a byte of it.

The string returned here *is* the report text: later stages cut quotes from
it by offset, so it must not be changed afterwards except one character for
one (see ``normalize``). That is why line endings are unified here, once.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from govledger.errors import ReportError

MAX_BYTES = 50 * 1024 * 1024  # a real report is well under 1 MB; 50 MB of text is not a report
_MB = 1024 * 1024

# Byte-order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Magic numbers of files people drop into a folder of reports by mistake.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a RIFF media file"),
    (b"\x7fELF", "an executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.wps (legacy Office)
_RTF = b"{\\rtf"

_HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
# every suffix a folder import picks up; .md is the national corpus (front matter + Markdown text)
REPORT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
_HAS_TAG = re.compile(rb"<[A-Za-z!/]")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta)\b", re.I | re.S)

# Characters that do not occur in text: C0/C1 controls other than line/tab/form
# feed, the replacement character, private-use code points.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_SAMPLE = 20_000
# Blank: whitespace, and the zero-width characters str.isspace() does not count.
_BLANK = re.compile(r"[\s\ufeff\u200b-\u200d\u2060]*")


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


def _looks_binary(text: str) -> bool:
    """Too many control/replacement characters for a text file (checked on a sample: speed)."""
    sample = text[:_SAMPLE]
    bad = len(_NOT_TEXT.findall(sample))
    return bad > max(2, len(sample) // 100)


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes mostly on one side of each pair (ASCII, newlines)."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SAMPLE]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 4 * max(even, 1):
        candidates = ["utf-16-le"]
    elif even > 4 * max(odd, 1):
        candidates = ["utf-16-be"]
    else:
        return None
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _looks_binary(text):
            return text
    return None


def _decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8, tolerating a few damaged bytes (a file cut mid-character, one bad sector).

    Decoding such a file as GB18030 instead would turn every Chinese
    character into two wrong ones; a handful of U+FFFD is the lesser harm.
    GBK text read as UTF-8 fails on nearly every character, so it cannot pass.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text.encode("utf-8")) - len(text) - 2 * bad  # extra bytes of well-formed multi-byte characters
    return text if bad * 500 <= len(text) and good >= 20 * bad else None


def _decode_big5(data: bytes) -> str | None:
    """Big5 text (as cp950, its Windows form), or ``None`` when the bytes are not clean Big5 text."""
    try:
        text = data.decode("cp950")
    except UnicodeDecodeError:
        return None
    return None if _looks_binary(text) else text


def decode_text_bytes(data: bytes, path: str) -> str:
    """Decode a plain-text report.

    Order: byte-order marks (UTF-8/16/32), UTF-8, GB18030 (a superset of GBK
    and GB2312, what Chinese Windows tools save), BOM-less UTF-16, and only
    then charset-normalizer, which is slow and guesses.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                raise ReportError(path, f"invalid {enc} text after its byte-order mark (at byte {exc.start})") from None
    if b"\x00" in data[:_SAMPLE]:
        text = _guess_bomless_utf16(data)
        if text is not None:
            return text
        raise ReportError(path, "binary file (contains NUL bytes), not a text report")
    text = _decode_mostly_utf8(data)
    if text is None:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
    if text is not None and _looks_binary(text):
        # Big5 (Taiwan, Hong Kong) bytes mostly decode as GB18030 too, but into private-use code points
        big5 = _decode_big5(data)
        if big5 is None:
            raise ReportError(path, "binary file (control characters), not a text report")
        text = big5
    if text is not None:
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReportError(path, "cannot detect the text encoding (not UTF-8, GB18030/GBK or UTF-16)")
    text = str(best)
    if _looks_binary(text):
        raise ReportError(path, "binary file, not a text report")
    return text


def _unify_newlines(text: str) -> str:
    """One line separator, ``\\n``: CRLF, CR, form feeds (pdftotext page breaks), U+2028/2029."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text or "\v" in text or "\u2028" in text or "\u2029" in text:
        text = text.translate({0x0C: "\n", 0x0B: "\n", 0x2028: "\n", 0x2029: "\n"})
    return text


def sniff_format(head: bytes, suffix: str, path: Path) -> str:
    """``txt``, ``docx``, ``pdf`` or ``html`` from the first bytes, falling back to the extension.

    Content wins over the name: a PDF saved as ``.txt`` is read as a PDF, and
    an image named ``.txt`` is refused as binary instead of decoded as noise.
    """
    name = str(path)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if suffix == ".docx":
            return "docx"
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError):
            raise ReportError(name, "corrupt zip archive, not a report") from None
        if "word/document.xml" in names:
            return "docx"
        raise ReportError(name, "a zip archive (not a .docx document); unpack it and import the reports inside")
    if head.startswith(_OLE2):
        raise ReportError(name, "legacy binary Office file (.doc/.wps/.xls); save it as .docx or .txt")
    if head.startswith(_RTF):
        raise ReportError(name, "RTF document; save it as .docx or .txt")
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ReportError(name, f"binary file ({what}), not a text report")
    if suffix == ".docx":
        return "docx"
    if suffix == ".pdf":
        return "pdf"
    if suffix in _HTML_SUFFIXES:
        # a page's text saved under an .html name has no tags: read it as text, line breaks intact
        return "html" if _HAS_TAG.search(head) else "txt"
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return "md" if suffix in (".md", ".markdown") else "txt"


def read_report(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> SourceText:
    """Read ``path`` (.txt, .md, .docx, .pdf, .html/.htm) into a ``SourceText``.

    Markdown is kept as written (front matter and markers included): the
    structure stage blanks the markup in its normalised view, so quotes
    remain verbatim offsets into the file.

    Raises ``ReportError`` for a missing path, a directory, an empty,
    whitespace-only, oversized, binary or corrupt file, and a PDF without a
    text layer.
    """
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ReportError(name, "no such file") from None
    except PermissionError:
        raise ReportError(name, "permission denied") from None
    except OSError as exc:
        raise ReportError(name, f"cannot access: {exc.strerror or exc}") from None
    if p.is_dir():
        raise ReportError(name, "is a directory, not a report file")
    if not p.is_file():
        raise ReportError(name, "not a regular file")
    size = st.st_size
    if size == 0:
        raise ReportError(name, "empty file (0 bytes)")
    if size > max_bytes:
        raise ReportError(
            name, f"file too large ({size / _MB:.0f} MB, {size} bytes; limit {max_bytes / _MB:.0f} MB): not a single report"
        )
    suffix = p.suffix.lower()
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
        fmt = sniff_format(head, suffix, p)
        if fmt == "docx":
            from govledger.read.formats import read_docx

            text = read_docx(p)
        elif fmt == "pdf":
            from govledger.read.formats import read_pdf

            text = read_pdf(p)
        elif fmt == "html":
            from govledger.read.formats import read_html

            text = read_html(p)
        else:
            text = decode_text_bytes(p.read_bytes(), name)
    except ReportError:
        raise
    except PermissionError:
        raise ReportError(name, "permission denied") from None
    except OSError as exc:
        raise ReportError(name, f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # a corrupt file of a known format: one line, no traceback
        raise ReportError(name, f"cannot read {suffix or 'file'}: {type(exc).__name__}: {exc}".strip()) from None
    text = _unify_newlines(text).lstrip("\ufeff")  # a second BOM left by a careless converter
    if _BLANK.fullmatch(text):
        raise ReportError(name, f"no text in {fmt} file (only whitespace)")
    return SourceText(doc=doc_id_for(p), path=name, text=text, format=fmt)
