"""Which kind of document a text is: a work report, a statistical communiqué, or neither.

The two share vocabulary (增长, 亿元, 国内生产总值) but not their shape: a
report addresses 各位代表 and plans a year; a communiqué names itself
(国民经济和社会发展统计公报) in its title and states many 比上年增长 figures
and never addresses delegates. The decision comes with its reason so that
an error can say what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from govledger.extract.outturns import read_head, rules
from govledger.read.normalize import normalize_text

DocType = Literal["work_report", "communique", "unknown"]

_CHANGE = re.compile(r"(?:比上年|同比|比上年末)(?:实际|名义)?(?:增长|下降|上涨|增加|减少|提高|降低)")
_DIGIT = re.compile(r"\d")
_HEAD_CHARS = 6000  # the title stands in the first lines (after a page's front matter)
LABELS = {"work_report": "a government work report", "communique": "a statistical communiqué (统计公报)",
          "unknown": "neither a work report nor a statistical communiqué"}


@dataclass(frozen=True)
class DocKind:
    kind: DocType
    reason: str
    title: str = ""
    changes: int = 0  # how many 比上年增长-like figures the text states

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def document_type(text: str) -> DocKind:
    """Work report vs communiqué vs neither, from the title and the shape of the text.

    Cheap on purpose (it runs before every extraction): the title is looked for in
    the first lines only, and the year-on-year figures are counted only when the
    text does not address delegates.
    """
    head = read_head(normalize_text(text[:_HEAD_CHARS]))
    addresses = sum(text.count(w) for w in rules()["report_markers"][:1])
    if addresses:
        return DocKind("work_report", f"addresses 各位代表 {addresses} times", head.title)
    changes = len(_CHANGE.findall(normalize_text(text)))
    if head.title:
        return DocKind("communique", f"title '{head.title[:40]}', {changes} year-on-year figures", head.title, changes)
    if changes >= 20 and "统计公报" in text[:3000]:
        return DocKind("communique", f"names a 统计公报 and states {changes} year-on-year figures", "", changes)
    return DocKind("unknown", f"no 统计公报 title and no 各位代表 ({len(_DIGIT.findall(text))} digits)", "", changes)
