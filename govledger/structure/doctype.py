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
from functools import lru_cache
from typing import Any, Literal

from govledger.data import load_json
from govledger.read.normalize import normalize_text
from govledger.structure.layout import split_lines

_CN_YEAR_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = re.compile(r"((?:19|20)\d\d)年|([一二三四五六七八九〇零]{4})年")


@lru_cache(maxsize=1)
def communique_rules() -> dict[str, Any]:
    """communique.json with its lists compiled once."""
    raw = dict(load_json("communique.json"))
    raw["_aliases"] = sorted(raw["aliases"].items(), key=lambda kv: -len(kv[0]))
    raw["_footnote"] = re.compile(raw["footnote"])
    raw["_place"] = re.compile(raw["place_title"])
    raw["_prefix_ok"] = re.compile(raw["prefix_ok"])
    raw["_tail_ok"] = re.compile(raw["tail_ok"])
    raw["_carry"] = re.compile(raw["carry_metric"])
    raw["_whole_year"] = re.compile(raw["whole_year_metric"])
    raw["_period"] = re.compile(raw["period_words"])
    raw["_flat"] = re.compile(raw["flat"])
    return raw


@dataclass(frozen=True)
class CommuniqueHead:
    """What the title says: the place (None for the nation) and the year reported."""

    title: str
    place: str | None
    year: int | None
    national: bool


def _year_of(text: str) -> int | None:
    m = _YEAR.search(text)
    if not m:
        return None
    if m.group(1):
        return int(m.group(1))
    return int("".join(_CN_YEAR_DIGITS[c] for c in m.group(2)))


def read_head(norm: str) -> CommuniqueHead:
    """Title line (the first line naming a 统计公报), place and reported year."""
    title = ""
    for a, b in split_lines(norm)[:30]:
        line = re.sub(r"^title:\s*", "", norm[a:b].strip("*# "))
        if line.startswith(("|", "- ", "`", ">")) or "`" in line:
            continue  # a table row or a note that mentions communiqués is not a title
        if any(w in line for w in communique_rules()["title"]):
            title = line
            break
    place = None
    if title and not any(w in title for w in communique_rules()["national_title"]):
        m = communique_rules()["_place"].search(re.sub(r"^(?:中共)?", "", title))
        place = m.group("place") if m else None
    national = place is None
    year = _year_of(title) if title else None
    return CommuniqueHead(title, place, year, national)


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
    addresses = sum(text.count(w) for w in communique_rules()["report_markers"][:1])
    if addresses:
        return DocKind("work_report", f"addresses 各位代表 {addresses} times", head.title)
    changes = len(_CHANGE.findall(normalize_text(text)))
    if head.title:
        return DocKind("communique", f"title '{head.title[:40]}', {changes} year-on-year figures", head.title, changes)
    if changes >= 20 and "统计公报" in text[:3000]:
        return DocKind("communique", f"names a 统计公报 and states {changes} year-on-year figures", "", changes)
    return DocKind("unknown", f"no 统计公报 title and no 各位代表 ({len(_DIGIT.findall(text))} digits)", "", changes)
