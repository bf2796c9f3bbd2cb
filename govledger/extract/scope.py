"""One year or several: decided here, once, and carried on every record as ``scope``.

A report at the end of a five-year plan reviews both the last year and the
five years; a plan part promises for this year and for the plan period.
Verify and the panel never re-read the text: a record with scope
``several`` (年均, 累计, a five-year total or change, a target for the
plan period) never judges, and is never judged as, a one-year figure. A
floor for every year (每年超过90万人) holds for the reviewed year too, so it
stays ``annual``; so does a level stated in a five-year review (城镇化率提高至
86.2%), which is the level at its end. The words are data
(``qualifiers.json`` ``several_years``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from govledger.extract.qualifiers import rules

ANNUAL, SEVERAL = "annual", "several"
_MULTI_MEASURES = ("avg_growth", "cum_growth")


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    raw = dict(rules()["several_years"])
    for key in ("every_year", "average", "total", "review_words"):
        raw[key] = re.compile(raw[key])
    return raw


def names_reviewed_year(clause: str, reviewed_year: int | None) -> bool:
    """The clause names the reviewed year itself (2025年, 全年, 去年)."""
    words = [*_words()["reviewed_year_words"], *([f"{reviewed_year}年"] if reviewed_year else [])]
    return any(w in clause for w in words)


def record_scope(
    *,
    kind: str,
    measure: str,
    period: int | None,
    plan_year: int | None,
    review_run: str,
    sentence: str,
    quote_start: int,
    quote_end: int,
    indicator: str | None,
    metric: str,
) -> str:
    """``annual`` or ``several`` for one record whose quote is ``sentence[quote_start:quote_end]``."""
    w = _words()
    if measure in _MULTI_MEASURES:
        return SEVERAL
    if kind == "target":
        return ANNUAL if period is not None and period == plan_year else SEVERAL
    quote = sentence[quote_start:quote_end]

    def before(width: int) -> str:
        return sentence[max(0, quote_start - width) : quote_start] + quote

    clause = before(24)
    if w["every_year"].search(clause):
        return ANNUAL
    if w["total"].search(quote) or w["average"].search(before(4)):
        return SEVERAL
    reviewed = plan_year - 1 if plan_year else None
    in_review = review_run == SEVERAL or bool(w["review_words"].search(before(12)))
    if in_review and not names_reviewed_year(clause, reviewed):
        if measure in ("growth", "pp_change"):
            return SEVERAL  # a change over the five years
        flow = indicator in w["flow_indicators"] or any(word in metric for word in w["flow_words"])
        if measure == "value" and flow:
            return SEVERAL  # a five-year total of new jobs, investment, foreign capital
    return ANNUAL
