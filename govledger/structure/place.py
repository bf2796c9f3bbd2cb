"""Which government speaks, and for which year.

Titles ("2025年安徽省政府工作报告"), speaker lines ("北京市市长 殷勇") and
meeting lines ("在…第十六届人民代表大会…") name the place; the review
heading ("2023年工作回顾") or the meeting date names the year. City reports
often carry none of these, so the last resort is the most frequent
"XX市/州/县" in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from govledger.data import load_json

_REVIEW_YEAR = re.compile(r"(20\d\d)年(?:工作)?回顾|过去一年")
_MEETING_DATE = re.compile(r"(20\d\d)年\d{1,2}月\d{1,2}日")
_HEADING_YEAR = re.compile(r"^(?:[一二三四五六七八九十]+、)?(20\d\d)年(?:工作回顾|.{0,6}工作回顾)")
_PLAN_YEAR = re.compile(r"^(?:[一二三四五六七八九十]+、)?(20\d\d)年.{0,12}(?:工作安排|目标任务|重点任务|工作任务|总体要求)")
_FILE_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_BAD_NAME = re.compile(r"[\d和与及的在对了把为向是部署委府我代表人民]")
_PROVINCE_SUFFIX = ("省", "自治区")
_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


def detect_place_and_year(
    norm: str, header_lines: list[str], file_name: str
) -> tuple[str | None, int | None, str | None]:
    """Return (place, year, level) found in the text, each None when unknown."""
    rules = load_json("structure.json")
    place = _place_from_lines(header_lines, rules) or _place_from_lines(norm.splitlines()[:60], rules)
    head = norm[:6000]
    if place is None and any(m in head for m in rules["national_markers"][:1]) or (
        place is None and "国内生产总值" in norm and "国务院" in norm
    ):
        place = "国务院"
    if place is None:
        place = _most_frequent_city(norm)
    return place, _detect_year(norm, header_lines, file_name), _level_of(place)


def _place_from_lines(lines: list[str], rules: dict[str, list[str]]) -> str | None:
    for key in ("title", "speaker", "congress"):
        for pattern in rules[key]:
            rx = re.compile(pattern)
            for line in lines:
                m = rx.search(line.strip(" \u3000"))
                if m and m.group("place") not in ("", "省", "市"):
                    name = re.sub(r"20\d\d年$", "", m.group("place").strip("　 —"))
                    if len(name) >= 2 and not name.startswith(("各", "本", "我")) and not _BAD_NAME.search(name):
                        return name
    return None


@lru_cache(maxsize=1)
def _city_roots() -> dict[str, str]:
    """Short name (雅安) → full name (雅安市) from the gazetteer data file."""
    text = resources.files("govledger.data").joinpath("cities.txt").read_text(encoding="utf-8")
    roots: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for full in line.split():
            roots[re.sub(r"(市|地区|盟|(?:[\u4e00-\u9fa5]{1,8}?族)+自治州)$", "", full)] = full
    return roots


def _most_frequent_city(norm: str) -> str | None:
    """The gazetteer city named most often (at least three times), for untitled city reports."""
    counts: Counter[str] = Counter()
    for root, full in _city_roots().items():
        if len(root) >= 2:
            counts[full] = norm.count(root)
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    return name if n >= 3 else None


def _detect_year(norm: str, header_lines: list[str], file_name: str) -> int | None:
    for line in header_lines:
        m = _MEETING_DATE.search(line)
        if m:
            return int(m.group(1))
    for line in norm.splitlines():
        s = line.strip(" \u3000")
        m = _HEADING_YEAR.match(s)
        if m:
            return int(m.group(1)) + 1
        m = _PLAN_YEAR.match(s)
        if m:
            return int(m.group(1))
    m = _FILE_YEAR.search(file_name)
    if m:
        return int(m.group(1))
    for line in header_lines:
        m = re.search(r"(20\d\d)年", line)
        if m:
            return int(m.group(1))
    return None


def _level_of(place: str | None) -> str | None:
    if place is None:
        return None
    if place in ("国务院", "全国", "中华人民共和国"):
        return "national"
    if place.endswith(_PROVINCE_SUFFIX) or place.startswith(_MUNICIPALITIES) or place in (
        "西藏", "新疆", "广西", "宁夏", "内蒙古",
    ):
        return "province"
    if place.endswith(("市", "州", "盟")):
        return "city"
    if place.endswith(("县", "区", "旗")):
        return "county"
    return None
