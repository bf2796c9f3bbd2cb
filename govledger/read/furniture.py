"""Web-page and print furniture: the lines around a report that are not the report.

Reports saved from government sites carry tool bars (下载 打印 全屏 收藏),
font-size switches (【字号：加大 还原 减小】), breadcrumbs, 来源/责任编辑
lines, photo captions and share/print/close links; PDFs carry page numbers.
The patterns live in ``govledger/data/furniture.json`` so that both the HTML
reader here and the structure stage (which must keep offsets into a .txt file
and therefore masks lines instead of deleting them) share one list, and so a
user can extend it without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "furniture.json"

# Characters stripped from both ends of a line before matching: ASCII and
# ideographic spaces, no-break and em spaces, BOM.
_STRIP = " \t\r\n\f\v\u00a0\u2002\u2003\u3000\ufeff"


@dataclass(frozen=True)
class FurniturePatterns:
    """Compiled furniture rules; build with ``load_furniture_patterns()``."""

    lines: tuple[re.Pattern[str], ...]
    tail_markers: tuple[re.Pattern[str], ...]
    page_numbers: tuple[re.Pattern[str], ...]
    html_drop_tags: frozenset[str]
    html_drop_words: frozenset[str]
    html_drop_substrings: tuple[str, ...]
    html_content_selectors: tuple[str, ...]

    def is_furniture(self, line: str) -> bool:
        """True when the whole line is page furniture (tool bar, 来源, 责任编辑, caption …)."""
        s = line.strip(_STRIP)
        return bool(s) and any(p.search(s) for p in self.lines)

    def is_tail_marker(self, line: str) -> bool:
        """True for a line after which a saved page holds only furniture (相关报道：, 打印本页 …).

        Only meaningful once the report body has begun: some of these words
        also appear in the tool bar above the title.
        """
        s = line.strip(_STRIP)
        return bool(s) and any(p.search(s) for p in self.tail_markers)

    def is_page_number(self, line: str) -> bool:
        """True for a page-number line (``- 3 -``, ``第3页``, ``3``, ``3/20``).

        A bare number is only a page number at the top or bottom of a page;
        callers must restrict this test to those lines.
        """
        s = line.strip(_STRIP)
        return bool(s) and any(p.search(s) for p in self.page_numbers)


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for pat in patterns:
        try:
            out.append(re.compile(pat))
        except re.error as exc:  # a user edit to the data file: say which pattern is wrong
            raise ValueError(f"furniture.json {where}: bad pattern {pat!r}: {exc}") from None
    return tuple(out)


@lru_cache(maxsize=8)
def load_furniture_patterns(path: str | None = None) -> FurniturePatterns:
    """Load and compile the furniture rules (cached; ``path`` overrides the packaged file)."""
    with open(path or DATA_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    html = data.get("html", {})
    return FurniturePatterns(
        lines=_compile(data.get("lines", []), "lines"),
        tail_markers=_compile(data.get("tail_markers", []), "tail_markers"),
        page_numbers=_compile(data.get("page_numbers", []), "page_numbers"),
        html_drop_tags=frozenset(t.lower() for t in html.get("drop_tags", [])),
        html_drop_words=frozenset(w.lower() for w in html.get("drop_words", [])),
        html_drop_substrings=tuple(w.lower() for w in html.get("drop_substrings", [])),
        html_content_selectors=tuple(html.get("content_selectors", [])),
    )
