"""Deadlines in words, one grammar for the extractor and the 任务分解表 reader.

Decided once, in the schema's terms (a deadline is the ISO date by which the
thing is done): a month, quarter or half means its last day (8月底前 → 08-31,
三季度末 → 09-30, 上半年 → 06-30); "8月前" is before August begins, so 07-31;
年内 / 年底 / 全年 mean 12-31 of the plan year; 上旬 / 中旬 the 10th / 20th. A
year written in the text wins over the plan year; a month without either is an
error, never a guess; "2030年前" is refused (offices use it both as "by" and
"before").
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from datetime import date, datetime


def shorten(text: str, limit: int = 40) -> str:
    """A cell's text for a message: short enough that one bad cell cannot swamp the error."""
    return text if len(text) <= limit else text[:limit] + "…"


# Each pattern must match the whole cell (after NFKC and removing whitespace);
# the first match wins. A month or quarter means its last day; "8月前" means
# before August begins, so 7-31; 上旬/中旬 are the 10th/20th. A year written
# in the text wins over ``year``; a month without either is an error, never a
# guess. "2030年前" is refused: offices use it both as "by" and "before".

Handler = Callable[[re.Match[str], int | None, str], date]

_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
               "十": 10, "十一": 11, "十二": 12}
_PART_DAY = {"上旬": 10, "中旬": 20}
_Y = r"(?:(?P<y>\d{4})年)?"          # before a month, quarter or half: 2024年8月底
_YW = r"(?:(?P<y>\d{4})年?)?"        # before a 年-word: 2024年底, 2024年年底
_MONTH = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])"
_BY = r"(?:前|之前|以前)?(?:完成)?"
NO_DEADLINE = frozenset({"长期", "长期坚持", "长期推进", "持续推进", "持续", "持续开展", "常态化", "常态化推进"})


def _number(text: str) -> int:
    return _CN_NUMBERS[text] if text in _CN_NUMBERS else int(text)


def _year_of(match: re.Match[str], year: int | None, text: str) -> int:
    given = match.groupdict().get("y")
    if given:
        return int(given)
    if year is None:
        raise ValueError(f"完成时限「{shorten(text)}」无法识别：没有年份")
    return year


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(f"没有{month}月")
    return date(year, month, monthrange(year, month)[1])


def _ymd(m: re.Match[str], year: int | None, text: str) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _month(m: re.Match[str], year: int | None, text: str) -> date:
    end = _month_end(_year_of(m, year, text), _number(m["m"]))
    day = _PART_DAY.get(m.groupdict().get("part") or "")
    return end.replace(day=day) if day else end


def _before_month(m: re.Match[str], year: int | None, text: str) -> date:
    """8月前: before August begins, so the end of July (1月前 is the end of the year before)."""
    y, month = _year_of(m, year, text), _number(m["m"])
    _month_end(y, month)  # 13月前 is not a month
    return date(y - 1, 12, 31) if month == 1 else _month_end(y, month - 1)


def _quarter(m: re.Match[str], year: int | None, text: str) -> date:
    return _month_end(_year_of(m, year, text), 3 * _number(m["q"]))


def _half(m: re.Match[str], year: int | None, text: str) -> date:
    return _month_end(_year_of(m, year, text), 6 if m["h"] in ("上", "年中") else 12)


def _year_end(m: re.Match[str], year: int | None, text: str) -> date:
    return date(_year_of(m, year, text), 12, 31)


DEADLINE_PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern), handler) for pattern, handler in (
        # 2024-08-31, 2024/8/31, 2024.8.31, 2024年8月31日(前), 2024-08-31 00:00:00
        (r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2})?)?" + _BY, _ymd),
        # 2024-08, 2024/8
        (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})" + _BY, _month),
        # 8月, 8月底(前), 2024年8月底, 十二月末, 8月中旬
        (_Y + _MONTH + r"月(?:(?P<part>底|末|份|上旬|中旬|下旬)(?:前|之前|以前)?)?(?:完成)?", _month),
        # 8月前, 8月以前: before the month begins
        (_Y + _MONTH + r"月(?:之|以)?前(?:完成)?", _before_month),
        # 一季度末, 第三季度, 2024年4季度前
        (_Y + r"第?(?P<q>[一二三四1-4])季度(?:末|底)?" + _BY, _quarter),
        # 上半年, 下半年(底), 年中
        (_Y + r"(?P<h>[上下])半年(?:末|底)?" + _BY, _half),
        (_YW + r"(?P<h>年中)" + _BY, _half),
        # 年底(前), 年末, 年内, 全年, 2024年底
        (_YW + r"(?:年底|年末|年内|全年)" + _BY, _year_end),
        # 2024, 2024年, 2024年完成
        (r"(?P<y>\d{4})年?(?:完成)?", _year_end),
    )
)


def _deadline_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).rstrip("。；;，,")


def parse_deadline(value: object, year: int | None) -> date | None:
    """A 完成时限 cell as a date; ``None`` for an empty cell or an open-ended one (长期, 持续推进).

    ``year`` is the year of the plan, for cells that name only a month or a
    quarter. Unknown wording raises ``ValueError`` naming the text, so an import
    never guesses a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"完成时限「{value}」无法识别")
    text = _deadline_text(value)
    if not text or text in NO_DEADLINE:
        return None
    for pattern, handler in DEADLINE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return handler(match, year, text)
            except ValueError as exc:
                if "完成时限" in str(exc):
                    raise
                raise ValueError(f"完成时限「{shorten(text)}」无法识别：不是有效日期") from None
    raise ValueError(f"完成时限「{shorten(text)}」无法识别")


# a deadline phrase inside a sentence (the extractor then reads it with ``parse_deadline``)
_IN_SENTENCE = re.compile(
    r"(?:20\d\d年)?(?:(?:\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:底|末|份)?(?:之|以)?前|\d{1,2}月底"
    r"|年底前|年底|年末|年内|上半年|下半年|(?:第)?[一二三四]季度(?:末)?前?)"
)


def find_deadline(sentence: str, year: int | None, at: int | None = None) -> str | None:
    """ISO date of the deadline that governs a figure (8月底前 → YYYY-08-31), against the report's year.

    A sentence may set several (8月底前完成…，年底前完成28个…): the figure at
    offset ``at`` takes the nearest one written before it; a figure before any
    deadline takes the first one (…项目8月底前完成). Without ``at``, the first.
    """
    if year is None:
        return None
    matches = list(_IN_SENTENCE.finditer(sentence))
    if not matches:
        return None
    before = [m for m in matches if at is not None and m.start() < at]
    m = before[-1] if before else matches[0]
    try:
        when = parse_deadline(m.group(), year)
    except ValueError:
        return None
    return when.isoformat() if when else None
