"""Ranks: 居全省第1位, 全国首位, 第5位和第4位 — the position of an indicator's own level among places.

A rank usually has no subject of its own; it ranks the figure before it (实际利用外资2.2亿美元、居全省第2位)
or each item of a 分别 list before it. A rank of a growth rate (增速全国第3) gives no record (the schema).
"""

from __future__ import annotations

import re

from govledger.extract.drafts import LEVEL_WORDS, Draft
from govledger.extract.numbers import Quantity, parse_number
from govledger.extract.qualifiers import classify_strength

_RANK = re.compile(
    r"(?:居|位居|位列|名列|排名|排|列|稳居|跃居|保持|升至|跃升至|上升至|进入)"
    r"(?P<scope>(?:[^，。；、\d]|(?:19|20)\d\d年){0,12}?)(?:第(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})(?:位|名)?|(?P<first>首位|榜首))"
)

def ranks_each_listed(listed: list[Draft], rank: Draft) -> bool:
    """A rank with no subject of its own right after a 分别 list of levels ranks every item of the list."""
    return (len(listed) >= 2 and rank.measure == "rank" and rank.metric == listed[-1].metric
            and all(x.measure == "value" for x in listed) and any(x.indicator for x in listed))


def rank_run(text: str, quantities: list[Quantity], i: int) -> list[Quantity]:
    """第5位和第4位: the ranks that follow one another, joined by 、/和."""
    run = [quantities[i]]
    for q in quantities[i + 1 :]:
        gap = text[run[-1].end : q.start]
        if q.kind != "rank" or len(gap) > 1 or any(ch not in "、和及" for ch in gap):
            break
        run.append(q)
    return run


_MORE_RANKS = re.compile(r"[、和]第(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})(?:位|名)?")
_RANK_LEAD = re.compile(r"攀升至|跃升至|上升至|升至|提升至|位居|位列|名列|排名|稳居|跃居|居|排|列|保持|进入")


_RANK_NOUN = re.compile(r"(?:排名|排位|位次|名次)(?:有望)?$")


def before_rank_lead(left: str) -> str:
    """城乡居民人均可支配收入保持全省第1 → 城乡居民人均可支配收入: cut at the last lead verb of the clause
    (the first one may sit inside the name: 居民)."""
    for m in reversed(list(_RANK_LEAD.finditer(left))):
        tail = left[m.end():]
        if len(tail) <= 14 and not any(c in tail for c in "，。；、"):
            return _RANK_NOUN.sub("", left[: m.start()])  # 区域创新能力排名跃升至全国第二
    return left


def rank_of_previous(text: str, quote_start: int, left: str, q: Quantity, prev: Draft) -> Draft:
    """A rank with no subject of its own ranks the figure before it.

    实际利用外资2.2亿美元、居全省第2位 and 增长55.5%，总量位居全区第一 rank the
    level; 增长13%、保持全省第2位 ranks the growth rate (no record); 由第49位攀升至
    第45位 gives the end state of the same ranking.
    """
    measure = "rank"
    if prev.q.kind != "rank" and prev.measure in ("growth", "avg_growth") and not names_level(left):
        measure = "skip"
    return Draft(q, quote_start, prev.metric, prev.indicator, measure, "exact", classify_strength(text[: q.start]))


def names_level(left: str) -> bool:
    return any(word in left for word in LEVEL_WORDS)


def find_ranks(text: str, masked: str) -> list[Quantity]:
    """居全省第1位, 全国首位: the position of the indicator's own level."""
    out: list[Quantity] = []
    for m in _RANK.finditer(text):
        n = m.group("n")
        value = 1.0 if m.group("first") else _rank_value(n)
        if value is None:
            continue
        start = m.start("n") - 1 if n else m.start("first")
        out.append(Quantity(start, m.end(), m.end(), value, None, "位", "位", 1.0, "rank", "", False))
        pos = m.end()
        while (more := _MORE_RANKS.match(text, pos)) is not None:  # 分别跃居全国第3、第5、第7位
            extra = _rank_value(more.group("n"))
            if extra is None:
                break
            out.append(Quantity(more.start("n") - 1, more.end(), more.end(), extra, None, "位", "位", 1.0, "rank", "",
                                False))
            pos = more.end()
    return out


def _rank_value(n: str | None) -> float | None:
    return parse_number(n) if n else None
