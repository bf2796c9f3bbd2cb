"""Metric similarity by character n-grams (no model, no download).

Chinese metric phrases share long character runs when they name the same
thing (城镇新增就业 / 城镇新增就业人数), so the Dice coefficient of their
character bigrams is a good, cheap score. Place prefixes (全省, 全市, 我区 …),
punctuation and digits are dropped first: they say who, not what.
"""

from __future__ import annotations

import re
from functools import lru_cache

# who-words that open a metric but do not change what is measured
_PLACE_PREFIX = re.compile(r"^(?:全国|全省|全市|全区|全县|全州|全盟|全旗|我国|我省|我市|我区|我县|我州|本市|本省)")
_NOISE = re.compile(r"[\s\u3000\d０-９.．%％,，、;；:：()（）“”\"'《》\-—–·]+")


@lru_cache(maxsize=65536)
def normalise_metric(metric: str) -> str:
    """The metric with place prefixes, digits, spaces and punctuation removed."""
    text = _NOISE.sub("", metric or "")
    return _PLACE_PREFIX.sub("", text)


@lru_cache(maxsize=8192)
def ngrams(text: str, n: int = 2) -> frozenset[str]:
    """Character n-grams of the normalised text; a text shorter than n is its own gram."""
    s = normalise_metric(text)
    if not s:
        return frozenset()
    if len(s) < n:
        return frozenset({s})
    return frozenset(s[i : i + n] for i in range(len(s) - n + 1))


def dice(a: str, b: str, n: int = 2) -> float:
    """Dice coefficient of the character n-gram sets: 2|A∩B| / (|A|+|B|), in [0, 1]."""
    ga, gb = ngrams(a, n), ngrams(b, n)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def jaccard(a: str, b: str, n: int = 2) -> float:
    """Jaccard index of the character n-gram sets: |A∩B| / |A∪B|, in [0, 1]."""
    ga, gb = ngrams(a, n), ngrams(b, n)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def metric_similarity(a: str, b: str) -> float:
    """Score in [0, 1] that two metric phrases name the same quantity.

    Bigram Dice, raised to 1.0 when one normalised phrase contains the other
    and the shorter has at least four characters (城镇新增就业 in
    城镇新增就业人数): a completed and a bare form of one metric.
    """
    na, nb = normalise_metric(a), normalise_metric(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    short, long_ = sorted((na, nb), key=len)
    score = dice(na, nb)
    if len(short) >= 4 and short in long_:
        score = max(score, 0.9)
    return round(score, 4)
