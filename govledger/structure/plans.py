"""Five-year plans (十三五, 十四五 …) seen from a report's plan year.

Whether "“十四五”时期" looks back or ahead depends on the year of the report: in 2021 it
names the five years the report's goals are for, in 2026 the five years just reviewed. The
words are data (``structure.json``: ``five_year_plans`` and the ``{plan}`` templates of
``past_plan_markers`` and ``multi_year_markers``); this module fills in the plan names for one
year, once, so the structure stage (which sections speak of several years) and the extract
stage (which sentences recall the past) read the same answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from govledger.data import load_json

PLAN_LENGTH = 5


@lru_cache(maxsize=1)
def plan_periods() -> tuple[tuple[str, int], ...]:
    """Five-year plans and their first years, longest name first (十五五 before 十五)."""
    periods: dict[str, int] = load_json("structure.json")["five_year_plans"]
    return tuple(sorted(periods.items(), key=lambda kv: -len(kv[0])))


def five_year_plan(body: str) -> tuple[int, int] | None:
    """The years of the five-year plan a heading opens with (“十三五”… → 2016–2020)."""
    for name, first in plan_periods():
        if body.startswith(name) or body.startswith(f"“{name}"):
            return first, first + PLAN_LENGTH - 1
    return None


def _fill(templates: list[str], names: list[str]) -> list[str]:
    return [t.replace("{plan}", name) for t in templates for name in names] if "{plan}" in "".join(templates) else []


def _alternation(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{w})" for w in words) if words else r"(?!)")


@lru_cache(maxsize=64)
def past_markers(year: int | None) -> re.Pattern[str]:
    """Words that make a figure recall the past: the fixed ones (去年, 五年来 …) and the periods of the plans
    that ended before ``year`` (“十四五”时期 in 2026, “十三五”时期 in 2021)."""
    data = load_json("structure.json")
    ended = [name for name, first in plan_periods() if year is not None and first + PLAN_LENGTH - 1 < year]
    return _alternation([*data["past_markers"], *_fill(data["past_plan_markers"], ended)])


@lru_cache(maxsize=64)
def multi_year_markers(year: int | None) -> re.Pattern[str]:
    """Words of a heading or sentence about several years ahead: 今后五年, and the plans that begin in
    ``year`` or later (“十四五”时期 in a 2021 report sets goals for 2025, not for 2021)."""
    data = load_json("structure.json")
    ahead = [name for name, first in plan_periods() if year is not None and first >= year]
    return _alternation([*data["multi_year_words"], *_fill(data["multi_year_markers"], ahead)])


@lru_cache(maxsize=1)
def _plan_opening() -> re.Pattern[str]:
    return _alternation(list(load_json("structure.json")["plan_opening_words"]))


def speaks_of_several_years(heading: str, year: int | None) -> bool:
    """A heading about the plan's goals (“十四五”时期主要目标) or 今后五年, but not one about the plan's good
    start in the plan year (全力以赴做好“十四五”开局工作: this year's work)."""
    return multi_year_markers(year).search(heading) is not None and _plan_opening().search(heading) is None


def section_speaks_of_several_years(section: list[str] | tuple[str, ...], year: int | None) -> bool:
    """The deepest heading that says which years it is about decides: 三、全力以赴做好“十四五”开局工作 under
    二、“十四五”发展目标和主要任务 is this year's work; a 今后五年 sub-heading under this year's part is not."""
    for heading in reversed(section):
        if _plan_opening().search(heading) is not None:
            return False
        if multi_year_markers(year).search(heading) is not None:
            return True
    return False


@lru_cache(maxsize=1)
def _review_words() -> re.Pattern[str]:
    return _alternation(list(load_json("structure.json")["review_heading"]))


def reviews_the_past(heading: str, year: int | None) -> bool:
    """A heading inside the plan part that looks back: （一）“十二五”时期我市经济社会发展的主要成就 in a 2016
    report's 十三五 section (the review words of ``structure.json`` beside a plan that has ended)."""
    return _review_words().search(heading) is not None and past_markers(year).search(heading) is not None


def _bare_name(name: str) -> str:
    # 十三五 is only ever a plan; 十五 or 九五 alone is also a number (连续十五年), so it counts in quotes only
    return re.escape(name) if len(name) > 2 else f"“{re.escape(name)}”"


@lru_cache(maxsize=64)
def plans_ahead_pattern(year: int | None, extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A mention of a plan that begins in ``year`` or later, or of ``extra`` words (今后五年, 到2030年): the
    figure after it is for several years, not for the plan year."""
    ahead = [_bare_name(name) for name, first in plan_periods() if year is not None and first >= year]
    words = [*ahead, *extra]
    return re.compile("|".join(words) if words else r"(?!)")
