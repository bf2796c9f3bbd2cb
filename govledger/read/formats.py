"""Readers for .docx, .pdf and .html reports.

Each reader returns the *report text*: one paragraph per line, as the
structure stage expects. Whatever a reader drops or joins here (PDF page
numbers, running headers, lines broken inside a paragraph, web-page
furniture) is simply not part of the report text, so quotes cut from it later
stay verbatim.
"""

from __future__ import annotations

import codecs
import re
import statistics
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govledger.errors import ReportError
from govledger.read.furniture import FurniturePatterns, load_furniture_patterns

if TYPE_CHECKING:
    from docx.table import Table
    from selectolax.lexbor import LexborHTMLParser, LexborNode


# --------------------------------------------------------------------------- docx


def read_docx(path: Path) -> str:
    """Body paragraphs one per line, and every table cell as a line, in document order.

    Tables matter: 民生实事 lists are often tables, and their targets are
    records. Headers, footers and text boxes are not the report and are skipped.
    """
    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError) as exc:
        raise ReportError(str(path), f"corrupt .docx (not a valid Word package: {exc})") from None
    except Exception as exc:  # lxml errors on a damaged document.xml, and the like
        raise ReportError(str(path), f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    return "\n".join(_docx_lines(document.iter_inner_content()))


def _docx_lines(blocks: Iterator[Any]) -> Iterator[str]:
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield block.text


def _table_lines(table: Table) -> Iterator[str]:
    """Each distinct cell once (merged cells repeat the same cell), row by row; nested tables too."""
    seen: dict[int, Any] = {}  # id -> element; holding the element keeps its id from being reused
    for row in table.rows:
        for cell in row.cells:
            tc = cell._tc
            if id(tc) in seen:
                continue
            seen[id(tc)] = tc
            for line in _docx_lines(cell.iter_inner_content()):
                if line.strip():
                    yield line


# --------------------------------------------------------------------------- pdf

# A line ending like this may end its paragraph: sentence punctuation, then
# optional closing quotes/brackets (a bare closing quote can sit mid-sentence).
_TERMINAL = re.compile(r"[。；！？：…!?;:][”’」』》）)\]】\"']*$")
# A line starting like this starts a heading or paragraph whatever its position.
_PARA_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|"
    r"第[一二三四五六七八九十]{1,3}(?:部分|章|节|篇)|各位代表|附件|名词解释|\d{1,2}[、.．](?!\d))"
)
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass
class _PdfLine:
    """One text line of a page with the geometry needed to rebuild paragraphs."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


def _no_text_layer(path: Path, pages: int, detail: str) -> ReportError:
    return ReportError(
        str(path),
        f"PDF has no text layer ({detail}, {pages} page{'s' if pages != 1 else ''}; a scanned image?): "
        "run OCR first (e.g. ocrmypdf --language chi_sim) and read the result",
    )


def read_pdf(path: Path) -> str:
    """Text of a PDF with a text layer: page furniture dropped, broken paragraphs rejoined."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(str(path))
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if "Password" in type(inner).__name__:
            raise ReportError(str(path), "PDF is password-protected; save an unlocked copy") from None
        raise ReportError(str(path), f"corrupt PDF ({inner or type(inner).__name__})") from None
    with pdf:
        try:
            pages = [_page_lines(page, i) for i, page in enumerate(pdf.pages)]
            has_images = any(page.images for page in pdf.pages)
        except PdfminerException as exc:
            raise ReportError(str(path), f"corrupt PDF ({exc})") from None
    n = len(pages)
    if not any(line.text.strip() for page in pages for line in page):
        raise _no_text_layer(path, n, "no characters")
    body = _drop_page_furniture(pages, load_furniture_patterns())
    chars = sum(len(line.text.strip()) for line in body)
    if chars == 0:
        raise _no_text_layer(path, n, "only page numbers or headers")
    if has_images and chars < 20 * n:
        raise _no_text_layer(path, n, f"only {chars} characters beside images")
    return "\n".join(_join_paragraphs(body))


def _page_lines(page: Any, index: int) -> list[_PdfLine]:
    # Fake bold (every glyph drawn twice) is common in Chinese PDFs: dedupe first.
    # x_tolerance_ratio: a space only for a gap of half a character, so justified
    # CJK lines do not come out with spaces between the characters.
    raw = page.dedupe_chars().extract_text_lines(x_tolerance_ratio=0.5, return_chars=True)
    out = []
    for line in raw:
        text = line["text"].strip()
        if not text:
            continue
        sizes = [c.get("size") or 0.0 for c in line.get("chars", [])]
        size = statistics.median(sizes) if sizes else 0.0
        if size <= 0:
            size = max(float(line["bottom"] - line["top"]), 1.0)
        out.append(_PdfLine(text, float(line["x0"]), float(line["x1"]), float(line["top"]), float(line["bottom"]), size, index))
    return out


def _furniture_key(text: str) -> str:
    """Compare headers across pages ignoring page numbers and spacing."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_page_furniture(pages: list[list[_PdfLine]], fp: FurniturePatterns, edge: int = 2) -> list[_PdfLine]:
    """Remove page numbers and running headers/footers from the top and bottom lines of each page.

    A running header is a line (page numbers masked) that opens or closes at
    least 40% of the pages, and two of them, or a short line in smaller type
    than the text at the top of a page; a page number is recognised by its
    pattern, but only at a page edge, where a bare ``3`` cannot be a table
    cell.
    """
    n = len(pages)
    counts: Counter[str] = Counter()
    for lines in pages:
        keys = {_furniture_key(line.text) for line in lines[:edge] + lines[-edge:]}
        counts.update(keys)
    repeated = {k for k, c in counts.items() if n >= 2 and c >= 2 and c >= 0.4 * n}
    sizes = [line.size for lines in pages for line in lines]
    small = 0.85 * statistics.median(sizes) if sizes else 0.0
    body: list[_PdfLine] = []
    for lines in pages:
        m = len(lines)
        for i, line in enumerate(lines):
            at_edge = i < edge or i >= m - edge
            if at_edge and (_furniture_key(line.text) in repeated or fp.is_page_number(line.text)):
                continue
            if i < edge and i < m - 1 and line.size < small and len(line.text) <= 40:
                continue  # a small-type line above the text: a running header even on a single page
            body.append(line)
    return body


def _join_paragraphs(lines: list[_PdfLine]) -> list[str]:
    """Rejoin lines that the PDF broke inside a paragraph.

    Geometry decides where it can: a line that reaches the right margin
    continues into the next unless the next is indented, starts a heading
    (一、 （一） 第一部分 …) or follows a wider gap. A line ending short of
    the margin ends its paragraph, except when it is long and does not end
    with sentence punctuation (。；！？：”) — a number or word that did not
    fit pushed it short.
    """
    if not lines:
        return []
    size = statistics.median(line.size for line in lines) or 10.0
    x0_counts = Counter(round(line.x0) for line in lines)
    common = [x for x, c in x0_counts.items() if c >= max(2, len(lines) // 10)]
    left = min(common) if common else min(x0_counts)
    right_edges = sorted(line.x1 for line in lines)
    right = right_edges[int(0.9 * (len(right_edges) - 1))]
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False) if a.page == b.page and b.top > a.bottom]
    gap = statistics.median(gaps) if gaps else size
    width = max(right - left, size)

    def continues(prev: _PdfLine, nxt: _PdfLine) -> bool:
        if _PARA_START.match(nxt.text) or nxt.x0 >= left + 1.0 * size:
            return False
        if prev.page == nxt.page and nxt.top - prev.bottom > gap + 0.8 * size:
            return False
        if prev.x1 >= right - 1.5 * size:
            return True
        return not _TERMINAL.search(prev.text) and (prev.x1 - left) >= 0.6 * width

    paragraphs: list[str] = []
    current = lines[0].text
    for prev, nxt in zip(lines, lines[1:], strict=False):
        if continues(prev, nxt):
            glue = " " if _ASCII_LETTER.match(current[-1:]) and _ASCII_LETTER.match(nxt.text[:1]) else ""
            current += glue + nxt.text
        else:
            paragraphs.append(current)
            current = nxt.text
    paragraphs.append(current)
    return paragraphs


# --------------------------------------------------------------------------- html

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}

_BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table thead tbody tfoot tr td th caption "
    "blockquote pre address figure center hr fieldset details summary body html".split()
)
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2014\u2026\u00b7"
# A run of ASCII whitespace (and no-break spaces) that contains a line break,
# between two CJK characters, is source-code wrapping: it vanishes.
_CJK_WRAP = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\n\\f\\u00a0]*[\\r\\n][ \\t\\r\\n\\f\\u00a0]*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_TITLE_SELECTORS = ("h1", ".title", "#title", ".article-title", ".article_title", "h2")


def decode_html_bytes(data: bytes, path: str) -> str:
    """Decode a saved page: BOM, then valid UTF-8, then the declared ``<meta charset>``, then detection.

    Valid UTF-8 wins over the declaration because pages re-saved as UTF-8
    often keep their old ``charset=gb2312``; GBK text is practically never
    valid UTF-8. GB2312/GBK declarations are read as GB18030, their superset.
    """
    from govledger.read.files import decode_text_bytes

    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data[:4096]:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        m = _META_CHARSET.search(data[:8192])
        if m:
            enc = m.group(1).decode("ascii", "replace").lower()
            enc = "gb18030" if enc in _GB_ALIASES else enc
            try:
                codecs.lookup(enc)
                return data.decode(enc)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common; fall back to detection
    return decode_text_bytes(data, path)


def read_html(path: Path) -> str:
    """The report body of a web page saved from a government site."""
    return html_to_text(decode_html_bytes(path.read_bytes(), str(path)))


def html_to_text(html: str, patterns: FurniturePatterns | None = None) -> str:
    """Report text of an HTML page: main content container, furniture removed, one block per line."""
    from selectolax.lexbor import LexborHTMLParser

    fp = patterns or load_furniture_patterns()
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    container = _content_container(tree, root, fp)
    title = _page_title(tree, container)
    _strip_furniture(container, fp)
    lines = [line for line in _block_lines(container) if not fp.is_furniture(line)]
    if title and title not in lines[:5] and not fp.is_furniture(title):
        lines.insert(0, title)
    return "\n".join(lines)


def _text_len(node: LexborNode) -> int:
    return len(_SPACES.sub("", node.text(deep=True) or ""))


def _select(node: LexborNode | LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return list(node.css(selector))
    except Exception:  # a selector the engine rejects: skip it, it is user data
        return []


def _content_container(tree: LexborHTMLParser, root: LexborNode, fp: FurniturePatterns) -> LexborNode:
    """The main content element of the page.

    The first content selector (in priority order) that holds a fair share of
    the page text wins; then, since generic names (``.content``, ``.main``)
    often wrap a sidebar too, descend into a content element inside it that
    holds most of its text.
    """
    total = _text_len(root)
    chosen = root
    for selector in fp.html_content_selectors:
        nodes = _select(tree, selector)
        if nodes:
            best = max(nodes, key=_text_len)
            if _text_len(best) >= max(20, 0.2 * total):
                chosen = best
                break
    while True:
        size = _text_len(chosen)
        inner = [n for sel in fp.html_content_selectors for n in _select(chosen, sel) if n.mem_id != chosen.mem_id]
        best_inner = max(inner, key=_text_len, default=None)
        if best_inner is None or _text_len(best_inner) < 0.6 * size:
            return chosen
        chosen = best_inner


def _page_title(tree: LexborHTMLParser, container: LexborNode) -> str | None:
    """The page's report title (it names the place and year) when the container lacks it."""
    inside = {n.mem_id for n in container.css("*")}
    for selector in _TITLE_SELECTORS:
        for node in tree.css(selector):
            if node.mem_id in inside:
                continue
            text = _clean_line(node.text(deep=True) or "")
            if "工作报告" in text and len(text) <= 60:
                return text
    return None


def _class_tokens(node: LexborNode) -> list[str]:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split()


def _class_words(token: str) -> Iterator[str]:
    """``shareBox``, ``share-box``, ``share_box`` all give ``share``; the whole token too."""
    yield token.lower().replace("-", "").replace("_", "")
    for part in _WORD_PARTS.findall(token):
        yield part.lower()


def _is_furniture_node(node: LexborNode, fp: FurniturePatterns) -> bool:
    tag = (node.tag or "").lower()
    if tag in fp.html_drop_tags:
        return True
    attrs = node.attributes
    if "hidden" in attrs or _HIDDEN_STYLE.search(attrs.get("style") or ""):
        return True
    for token in _class_tokens(node):
        low = token.lower()
        if any(sub in low for sub in fp.html_drop_substrings):
            return True
        if any(word in fp.html_drop_words for word in _class_words(token)):
            return True
    return False


def _strip_furniture(container: LexborNode, fp: FurniturePatterns) -> None:
    """Decompose navigation/share/print/related elements inside the container.

    An element holding half the container's text is kept whatever its class:
    a content div that happens to be called ``print-area`` is still content.
    """
    total = _text_len(container)
    doomed: list[LexborNode] = []
    doomed_ids: set[int] = set()
    for node in container.css("*"):
        if not _is_furniture_node(node, fp):
            continue
        ancestor = node.parent
        covered = False
        while ancestor is not None and ancestor.mem_id != container.mem_id:
            if ancestor.mem_id in doomed_ids:
                covered = True
                break
            ancestor = ancestor.parent
        if covered or (total and _text_len(node) * 2 > total):
            continue
        doomed.append(node)
        doomed_ids.add(node.mem_id)
    for node in doomed:
        node.decompose()


def _clean_line(text: str) -> str:
    text = _CJK_WRAP.sub("", text)
    return _SPACES.sub(" ", text).strip(" \u3000\u2002\u2003")


def _block_lines(root: LexborNode) -> list[str]:
    """Text of ``root`` with every block element (and ``<br>``) on its own line.

    Iterative walk: saved pages can nest deeply, and recursion would hit
    Python's limit on a pathological one.
    """
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            line = _clean_line("".join(buf))
            buf.clear()
            if line:
                lines.append(line)

    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
            continue
        if node.is_text_node:
            buf.append(node.text_content or "")
            continue
        if not node.is_element_node:
            continue
        tag = (node.tag or "").lower()
        if tag == "br":
            flush()
            continue
        if tag in _BLOCK_TAGS:
            flush()
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    flush()
    return lines
