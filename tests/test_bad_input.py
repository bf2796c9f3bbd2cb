"""Bad input at stage 1: each case is a ``ReportError`` naming the file with a clear, one-line reason.

Encodings that are merely unusual (GBK, GB18030, UTF-16) are not bad input:
they must read back to exactly the text that was encoded.
"""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path

import pytest

from govledger.errors import ReportError
from govledger.read import MAX_BYTES, read_report

REPORTS = Path(os.environ.get("GOVLEDGER_REPORTS", Path(__file__).resolve().parents[2] / "shared" / "reports"))
needs_reports = pytest.mark.skipif(not (REPORTS / "yaan_2024.txt").exists(), reason="sample reports not available")


def refused(path: Path) -> ReportError:
    """Read ``path`` expecting a ``ReportError``; check it names the file on one line."""
    with pytest.raises(ReportError) as info:
        read_report(path)
    err = info.value
    assert err.path == str(path)
    assert err.reason and "\n" not in str(err)
    assert str(err).startswith(str(path))
    return err


def random_bytes(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


# --------------------------------------------------------------------------- paths


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file" in refused(tmp_path / "nowhere" / "report.txt").reason


def test_directory(tmp_path: Path) -> None:
    assert "directory" in refused(tmp_path).reason


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert "no such file" in refused(link).reason


# --------------------------------------------------------------------------- empty and huge


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in refused(path).reason


@pytest.mark.parametrize(
    "content",
    [b"   \n\n\t  \r\n", "\u3000\u3000\n\u00a0\n".encode(), b"\xef\xbb\xbf \n", "\ufeff \n\n".encode("utf-16")],
    ids=["ascii", "ideographic", "utf8-bom", "utf16"],
)
def test_whitespace_only_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    assert "only whitespace" in refused(path).reason


def test_200_mb_file_rejected_by_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk use, and reading it would be slow
    start = time.perf_counter()
    err = refused(path)
    assert time.perf_counter() - start < 1.0
    assert "too large" in err.reason and "200 MB" in err.reason
    assert f"{MAX_BYTES // (1024 * 1024)} MB" in err.reason


def test_size_limit_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text("各位代表：" * 100, encoding="utf-8")
    with pytest.raises(ReportError, match="too large"):
        read_report(path, max_bytes=100)


# --------------------------------------------------------------------------- binary


@pytest.mark.parametrize("name", ["noise.txt", "noise", "noise.html"])
def test_random_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(random_bytes(4096))
    assert "binary" in refused(path).reason


def test_short_random_bytes_without_nul(tmp_path: Path) -> None:
    data = bytes(b for b in random_bytes(600, seed=3) if b)[:400]
    path = tmp_path / "short.txt"
    path.write_bytes(data)
    reason = refused(path).reason
    assert "binary" in reason or "encoding" in reason


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", ["photo.png", "photo.txt", "photo.docx"])
def test_png_image(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(png_bytes())
    assert "PNG image" in refused(path).reason


def test_legacy_word_doc(tmp_path: Path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(2048))
    assert ".docx" in refused(path).reason


def test_zip_archive_of_reports(tmp_path: Path) -> None:
    path = tmp_path / "reports.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("yaan_2024.txt", "各位代表：")
    assert "zip archive" in refused(path).reason


# --------------------------------------------------------------------------- docx


def test_corrupt_docx_zip_garbage(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + random_bytes(3000))
    assert "corrupt .docx" in refused(path).reason


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "renamed.docx"
    path.write_bytes(random_bytes(3000, seed=11))
    assert "corrupt .docx" in refused(path).reason


def test_docx_zip_without_word_document(tmp_path: Path) -> None:
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a document")
    assert "corrupt .docx" in refused(path).reason


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    path = tmp_path / "blank.docx"
    document.save(str(path))
    assert "only whitespace" in refused(path).reason


# --------------------------------------------------------------------------- pdf


def pdf_without_text(path: Path, *, with_image: bool) -> None:
    """A scan-like PDF: drawings (and an image) but not one character of text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        c.rect(72, 72, 400, 600, stroke=1, fill=0)
        if with_image:
            import io

            c.drawImage(ImageReader(io.BytesIO(png_bytes())), 100, 300, width=300, height=300)
        c.showPage()
    c.save()


@pytest.mark.parametrize("with_image", [False, True], ids=["drawing", "image"])
def test_pdf_without_text_layer(tmp_path: Path, with_image: bool) -> None:
    path = tmp_path / "scan.pdf"
    pdf_without_text(path, with_image=with_image)
    reason = refused(path).reason
    assert "no text layer" in reason and "OCR" in reason


def test_pdf_with_only_page_numbers(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "numbers.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, 4):
        c.rect(72, 72, 400, 600)
        c.drawCentredString(297, 40, f"- {page} -")
        c.showPage()
    c.save()
    reason = refused(path).reason
    assert "no text layer" in reason and "OCR" in reason


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + random_bytes(3000))
    assert "corrupt PDF" in refused(path).reason


def test_password_protected_pdf(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "locked")
    c.save()
    assert "password" in refused(path).reason


# --------------------------------------------------------------------------- encodings that must read


@needs_reports
@pytest.mark.parametrize("name", ["yaan_2024.txt", "guangyuan_2024.txt"])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_report_reads_exactly(tmp_path: Path, name: str, encoding: str) -> None:
    original = (REPORTS / name).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(original.encode(encoding))
    src = read_report(path)
    assert src.text == original
    assert src.format == "txt"


@needs_reports
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-16-le-nobom", "utf-32"])
def test_utf16_report_reads_exactly(tmp_path: Path, encoding: str) -> None:
    original = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + original.encode("utf-16-be")
    elif encoding == "utf-16-le-nobom":
        data = original.encode("utf-16-le")
    else:
        data = original.encode(encoding)  # Python writes a BOM for utf-16 and utf-32
    path = tmp_path / "yaan_2024.txt"
    path.write_bytes(data)
    assert read_report(path).text == original


@needs_reports
def test_utf8_with_a_damaged_byte_is_still_utf8(tmp_path: Path) -> None:
    """One bad byte must not make the whole report decode as GB18030 mojibake."""
    original = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    data = bytearray(original.encode("utf-8"))
    data[5000] = 0xFF
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(data[:-1]))  # and cut inside the last character
    text = read_report(path).text
    assert 1 <= text.count("\ufffd") <= 4
    assert text[:1000] == original[:1000] and text[-500:-2] == original[-500:-2]


def test_mostly_ascii_gbk_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    text = "GDP growth target: " * 300 + "经济增长5%左右" + "\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(text.encode("gbk"))
    assert read_report(path).text == text


def test_big5_falls_back_to_detection(tmp_path: Path) -> None:
    """Neither UTF-8 nor GB18030 (the 0x80 byte is invalid in both): charset-normalizer decides."""
    text = "各位代表：經濟增長百分之五。" * 40
    data = text.encode("big5") + b"\x80"
    path = tmp_path / "big5.txt"
    path.write_bytes(data)
    try:
        src = read_report(path)
    except ReportError as err:  # an honest refusal is acceptable; noise is not
        assert "encoding" in err.reason or "binary" in err.reason
    else:
        assert "各位代表" in src.text


def test_invalid_bytes_after_utf16_bom(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"\xff\xfe" + "各位代表".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    assert "utf-16" in refused(path).reason
