"""Bound, strength, measure and deadline of a quantity, from the words around it.

The word lists live in ``data/qualifiers.json``; these functions only
decide which of them apply and in which order they win.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from govledger.data import load_json


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    raw = dict(load_json("qualifiers.json"))
    raw["_prefix"] = sorted(raw["bound_prefix"].items(), key=lambda kv: -len(kv[0]))
    raw["_strength"] = re.compile("|".join(map(re.escape, raw["strength"])))
    raw["_verbs"] = re.compile(
        "|".join(sorted(map(re.escape, raw["increase_verbs"] + raw["decrease_verbs"]), key=len, reverse=True))
    )
    raw["_decrease"] = set(raw["decrease_verbs"])
    raw["_avg"] = re.compile("|".join(raw["avg_markers"]))
    raw["_cum"] = re.compile("|".join(raw["cum_markers"]))
    raw["_comparison"] = re.compile("|".join(raw["comparison"]))
    raw["_qualitative"] = [re.compile(p) for p in raw["qualitative"]]
    raw["_qualitative_listed"] = [re.compile(p) for p in raw["qualitative_in_target_list"]]
    # one search tells whether any qualitative pattern can match a sentence at all
    raw["_qualitative_any"] = re.compile("|".join(map(re.escape, raw["qualitative_keywords"])))
    return raw


def classify_bound(before: str, suffix: str) -> str:
    """min/max/approx/exact from the word after the unit, else the words just before the number.

    左右 wins over 控制在 (控制在3%左右 is approx); a written suffix wins over a prefix.
    """
    if suffix:
        return str(rules()["bound_suffix"].get(suffix, "exact"))
    return _bound_of_tail(before[-6:])


@lru_cache(maxsize=16384)
def _bound_of_tail(tail: str) -> str:
    for word, bound in rules()["_prefix"]:
        if tail.endswith(word) or (len(word) > 1 and word in tail[-len(word) - 3 :]):
            return str(bound)
    return "exact"


_CLAUSE_END = re.compile(r"[，；。,;]")
_STRETCH = re.compile(r"(?:\d|%|以上|左右)、$")
_HAS_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千]成|[十百千万]亿")


def classify_strength(sentence_before: str) -> str:
    """确保/力争… govern the figures that follow them in the same sentence: the last one wins.

    A keyword counts only when its own clause carries a figure: 努力争取更好结果，
    收入增长4% is a plain target, 力争外资1500万美元，外贸增长10% are both striven for.
    """
    last = None
    for m in rules()["_strength"].finditer(sentence_before):
        end = _CLAUSE_END.search(sentence_before, m.end())
        clause = sentence_before[m.end() : end.start() if end else len(sentence_before)]
        if _STRETCH.search(sentence_before, 0, m.start()):
            # 增长7%以上、力争达到8%: a stretch beside a floor is striven for alone, not what follows
            if end is None:
                last = m.group()
            continue
        if end is None or _HAS_FIGURE.search(clause):
            last = m.group()
    return str(rules()["strength"][last]) if last else "plain"


def change_verb(left: str) -> str | None:
    """The last change verb (增长, 下降, …) in the words before a number, if any.

    提高到/降至 name the level reached, not a change: no verb then.
    """
    last = None
    for m in rules()["_verbs"].finditer(left):
        last = m
    if last is None:
        return None
    rest = left[last.end() :]
    if rest[:1] in ("到", "至"):
        return None
    if _GLUE.sub("", rest):
        return None  # the verb sits inside a noun (经济增长贡献率超70%): not this number's verb
    return last.group()


_GLUE = re.compile(
    r"(?:了|预期目标|设定为|设定|目标|预期|分别|同比|比上年|较上年|约|达到|达|为|在|超过|超|突破|不低于|不少于|至少|不超过|不高于|低于|近|接近|大约|"
    r"以上|控制在|保持在|稳定在|年均|平均|实际|名义|累计|均|都|的|和|、|，|\s)"
)


def is_decrease(verb: str | None) -> bool:
    return verb is not None and verb in rules()["_decrease"]


def classify_measure(kind: str, left: str, verb: str | None) -> str:
    """growth / avg_growth / cum_growth / pp_change / ratio / value from unit kind and cue words."""
    table = rules()
    if kind == "pp":
        return "pp_change"
    if kind in ("percent", "times"):
        if verb is None and kind == "percent":
            return "ratio"
        if table["_avg"].search(left):
            return "avg_growth"
        if table["_cum"].search(left):
            return "cum_growth"
        return "growth"
    return "value"


def is_comparison(left: str) -> bool:
    """高于全国0.7个百分点: a figure about another place, not the reporting government's own."""
    return bool(rules()["_comparison"].search(left[-10:]))


_MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_DEADLINE = re.compile(
    r"(?:(?P<y>20\d\d)年)?(?:(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:底|末|份)?前|(?P<m2>\d{1,2})月底"
    r"|(?P<ye>年底前|年底|年末|年内)|(?P<h>上半年)|(?:第)?(?P<q>[一二三四])季度(?:末)?前?)"
)


def find_deadline(sentence: str, year: int | None, at: int | None = None) -> str | None:
    """ISO date of the deadline that governs a figure (8月底前 → YYYY-08-31), against the report's year.

    A sentence may set several (8月底前完成…，年底前完成28个…): the figure at
    offset ``at`` takes the nearest one written before it; a figure before any
    deadline takes the first one (…项目8月底前完成). Without ``at``, the first.
    """
    if year is None:
        return None
    matches = list(_DEADLINE.finditer(sentence))
    if not matches:
        return None
    before = [m for m in matches if at is not None and m.start() < at]
    m = before[-1] if before else matches[0]
    y = int(m.group("y")) if m.group("y") else year
    month: int
    if m.group("m") or m.group("m2"):
        raw = m.group("m") or m.group("m2")
        month = int(raw) if raw.isdigit() else _CN_MONTH.get(raw, 12)
        if not 1 <= month <= 12:
            return None
    elif m.group("ye"):
        if m.group("ye") == "年内" and not m.group("y"):
            return None
        month = 12
    elif m.group("h"):
        month = 6
    else:
        month = {"一": 3, "二": 6, "三": 9, "四": 12}[m.group("q")]
    day = _MONTH_END[month] + (1 if month == 2 and y % 4 == 0 else 0)
    return date(y, month, day).isoformat()
