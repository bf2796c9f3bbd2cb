"""One year or several: which passages of a report's review speak of the reviewed year alone.

A report at the end of a five-year plan reviews both: "过去五年…城镇新增就业452万人"
is a five-year total, "2025年…城镇新增就业121.7万人" the year's figure, and
the extractor gives both the period of the reviewed year (the schema's
division by report part). The scope comes from the paragraphs around a
figure: a part heading that names only the plan period (一、“十四五”时期…回顾)
or a paragraph whose first sentences open with 过去五年 / 这五年 / 五年来
starts a several-year run; a paragraph opening with the reviewed year
(2025年, 过去一年, 一年来) starts a one-year run; other paragraphs continue
the run they are in.

The structure stage gives each review sentence its run (``Sentence.review_run``);
the extract stage combines it with the words around each figure into
``Record.scope`` (``extract/scope.py``), which verify and the panel only read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

ANNUAL, SEVERAL = "annual", "several"

_PART_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
# a part heading without a number ("“十四五”时期工作回顾", "2026年重点工作"): short, no sentence end
_BARE_PART_HEADING = re.compile(r"^[^（(——].{0,28}(?:回顾|目标任务|重点工作|工作安排|主要任务|总体要求)$")
_MULTI_OPENER = re.compile(
    r"^(?:各位代表[！!，,]\s*)?(?:回顾|回首)?(?:过去的?五年|这五年|五年来|五年间|近五年"
    r"|“?十[一二三四五]五”?(?:时期|期间|以来|这五年)|新时代以来|这是[^。]{0,40}的五年)"
)
_MULTI_WORD = re.compile(r"十[一二三四五]五|五年")
_BULLET = re.compile(r"^[\s\u3000\xa0]*(?:——|—|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+是)?")
_SENTENCE_END = re.compile(r"[。！!？?]")


def _annual_opener(year: int) -> re.Pattern[str]:
    return re.compile(rf"^(?:各位代表[！!，,]\s*)?(?:刚刚过去的|过去的|回顾)?(?:{year}年|一年)|^(?:一年来|去年|这一年)")


def line_scopes(text: str, year: int) -> tuple[list[int], list[str]]:
    """Start offset of every line of ``text`` and its scope, ``annual`` or ``several``.

    ``year`` is the reviewed year (the report's plan year − 1).
    """
    starts: list[int] = []
    scopes: list[str] = []
    annual = _annual_opener(year)
    scope = ANNUAL
    pos = 0
    for line in text.split("\n"):
        body = line.strip(" \t\r\u3000\xa0")
        if _PART_HEADING.match(body) or _BARE_PART_HEADING.match(body):
            names_period = bool(_MULTI_WORD.search(body))
            scope = SEVERAL if names_period and f"{year}年" not in body else ANNUAL
        elif body:
            head = _BULLET.sub("", body, count=1)
            # "2025年是“十四五”收官之年。五年来，…" opens the five-year review
            opening = [s.strip() for s in _SENTENCE_END.split(head[:160])[:3]]
            if any(_MULTI_OPENER.match(s) for s in opening if s):
                scope = SEVERAL
            elif annual.match(head):
                scope = ANNUAL
        starts.append(pos)
        scopes.append(scope)
        pos += len(line) + 1
    return starts, scopes


def scope_at(starts: Sequence[int], scopes: Sequence[str], offset: int) -> str:
    """The scope of the line holding character ``offset`` (from ``line_scopes``)."""
    i = bisect_right(starts, offset) - 1
    return scopes[i] if i >= 0 else ANNUAL
