"""Which government speaks, as the text says it (the weakest of the three witnesses).

Speaker lines ("北京市市长 殷勇"), meeting lines ("在…第十六届人民代表大会…")
and a title line inside the text name the place. City reports often carry
none of these, so the last resort is the city of the place table named most
often. ``metadata.decide_facts`` weighs this against the header and the path.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from govledger.data import load_json
from govledger.structure.places import normalise_place, short_names

_BAD_NAME = re.compile(r"[\d和与及的在对了把为向是部署委府我代表人民]")
_PARENS = re.compile(r"[（(][^）)]*[）)]")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d年?")


def place_from_text(norm: str, header_lines: list[str]) -> str | None:
    """The reporting government named by the text, or None."""
    rules = load_json("structure.json")
    place = place_in_lines(header_lines) or place_in_lines(norm.splitlines()[:60])
    head = norm[:6000]
    if place is None and (
        any(m in head for m in rules["national_markers"][:1]) or ("国内生产总值" in norm and "国务院" in norm)
    ):
        return "全国"
    return place or _most_frequent_city(norm)


def place_in_lines(lines: list[str], keys: tuple[str, ...] = ("title", "speaker", "congress")) -> str | None:
    """The place a title, speaker or meeting line names (``structure.json`` patterns, in that order).

    The metadata stage reads the front-matter title with ``keys=("title",)``. A date or name in
    brackets is dropped from a title first (衡阳市政府工作报告（2022年12月29日 朱健）); years are not part of a
    name; a word for "this government" (自治区政府工作报告) names nobody; a title typo that only
    adds a character (保山市人政府工作报告) still names a known place.
    """
    for key in keys:
        for rx in _patterns(key):
            for line in lines:
                text = _PARENS.sub("", line) if key == "title" else line  # a meeting line is often bracketed
                m = rx.search(text.strip(" \u3000*#"))
                if not m or not m.group("place"):
                    continue
                name = _YEAR.sub("", m.group("place")).strip("年 　—")
                known = _known_form(name)
                if known is not None:
                    return known
                if len(name) >= 2 and not name.startswith(("各", "本", "我")) and not _BAD_NAME.search(name) \
                        and name not in _generic_places():
                    return name
    return None


@lru_cache(maxsize=8)
def _patterns(key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in load_json("structure.json")[key])


@lru_cache(maxsize=1)
def _generic_places() -> frozenset[str]:
    """Words a title uses for "this government" without naming it (自治区, 全市)."""
    return frozenset(load_json("structure.json")["generic_places"])


def _known_form(name: str) -> str | None:
    for cand in (name, name[:-1]):
        if cand in _generic_places():
            continue
        known = normalise_place(cand)
        if known is not None and known.pinyin:
            return known.name
    return None


@lru_cache(maxsize=1)
def _city_roots() -> dict[str, str]:
    """Short name (雅安) → full name (雅安市) for the cities of the place table."""
    roots: dict[str, str] = {}
    for short, full in short_names().items():
        place = normalise_place(full)
        if place is not None and place.level == "city" and len(short) < len(full):
            roots.setdefault(short, full)
    return roots


def _most_frequent_city(norm: str) -> str | None:
    """The city named most often (at least three times), for untitled city reports."""
    counts: Counter[str] = Counter()
    for root, full in _city_roots().items():
        counts[full] += norm.count(root)
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    return name if n >= 3 else None
