"""Bound, strength, measure and deadline of a quantity, from the words around it.

The word lists live in ``data/qualifiers.json``; these functions only
decide which of them apply and in which order they win.
"""

from __future__ import annotations

import re
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
    raw["_qualitative"] = [_anchored(p) for p in raw["qualitative"]]
    raw["_qualitative_listed"] = [_anchored(p) for p in raw["qualitative_in_target_list"]]
    # one search tells whether any qualitative pattern can match a sentence at all
    raw["_qualitative_any"] = re.compile("|".join(map(re.escape, raw["qualitative_keywords"])))
    return raw


_ITEMS_LEAD = re.compile(r"^\(\?P<items>\[\^，。；\]\{2,(\d+)\}\?\)")


def _anchored(pattern: str) -> tuple[re.Pattern[str], int | None]:
    """A qualitative pattern and, when it opens on ``(?P<items>[^，。；]{2,N}?)``, N: the items are then taken as
    the clause before the match (at most N characters), and only the rest is searched.

    perf: the lazy items group made the engine try every position of every plan sentence and scan up to N
    characters from each (a fifth of extraction once the city target-list wordings were added)."""
    lead = _ITEMS_LEAD.match(pattern)
    return (re.compile(pattern[lead.end() :]), int(lead.group(1))) if lead else (re.compile(pattern), None)


def classify_bound(before: str, suffix: str) -> str:
    """min/max/approx/exact from the word after the unit, else the words just before the number.

    左右 wins over 控制在 (控制在3%左右 is approx); a written suffix wins over a prefix.
    """
    if suffix:
        return str(rules()["bound_suffix"].get(suffix, "exact"))
    return _bound_of_tail(before[-6:])


@lru_cache(maxsize=16384)
def _bound_of_tail(tail: str) -> str:
    """The first bound word (longest first) that ends the tail, or sits within its last few characters."""
    ranks = _prefix_ranks()
    written = {tail[i:j] for i in range(len(tail)) for j in range(i + 1, len(tail) + 1)} & ranks.keys()
    for word in sorted(written, key=ranks.__getitem__):  # a tail holds a handful of words; the table holds hundreds
        if tail.endswith(word) or (len(word) > 1 and word in tail[-len(word) - 3 :]):
            return str(rules()["bound_prefix"][word])
    return "exact"


@lru_cache(maxsize=1)
def _prefix_ranks() -> dict[str, int]:
    return {word: rank for rank, (word, _) in enumerate(rules()["_prefix"])}


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
    comparison = rules()["_comparison"]
    # …，高于全省农民人均可支配收入3466元: a clause opening on the comparison is about the gap too
    return bool(comparison.search(left[-10:]) or comparison.match(left.lstrip("，；、 ")))


