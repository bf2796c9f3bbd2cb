"""Judging one target against one outcome: the comparison rules of the verdict rules v1.

Direction comes from the catalogue (``direction`` "up"/"down" per indicator)
and, off the catalogue, from the metric's words; units convert only within
one physical quantity. The vocabularies are data (``govledger/data/verdicts.json``).
``partly_met`` (a stretch figure beside its floor) needs the neighbouring
target and is settled in ``govledger.track.verify``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govledger.records import Record

VERDICTS: tuple[str, ...] = ("met", "missed", "partly_met", "not_reported", "not_comparable", "not_judged")
MULTI_YEAR = frozenset({"avg_growth", "cum_growth"})
# 完成年计划的118.2%: the outcome is the share of the plan done
_PLAN_SHARE = re.compile(r"完成(?:全?年|年度)?(?:计划|目标|任务)(?:的)?\d")
EVERY_YEAR = re.compile(r"每年|连续\d+年|年年")
EPS = 1e-9


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The verdict vocabularies of ``data/verdicts.json`` (down words, flow words, unit factors, …)."""
    from govledger.data import load_json

    data = load_json("verdicts.json")
    return {
        "down_words": tuple(data["down_words"]),
        # one list of "new builds" words, the extract stage's (a flow in a five-year review is a total)
        "flow_words": tuple(load_json("qualifiers.json")["several_years"]["flow_words"]),
        "same_measure_for": {k: frozenset(v) for k, v in data["same_measure_for"].items()},
        "unit_factors": {k: (v[0], float(v[1])) for k, v in data["unit_factors"].items()},
        "in_step_subjects": tuple((w, ind) for w, ind in data["in_step_subjects"]),
    }


@lru_cache(maxsize=1)
def _catalogue_directions() -> tuple[dict[str, str], str | None]:
    """Indicator id → "up"/"down" from catalogue.json, and a note when it cannot be read."""
    try:
        from govledger.data import load_json

        data = load_json("catalogue.json")
    except (FileNotFoundError, OSError, ValueError) as exc:  # missing or broken file
        return {}, f"catalogue.json unreadable ({type(exc).__name__})"
    out: dict[str, str] = {}
    for entry in data.get("indicators", []):
        d = entry.get("direction")
        if d in ("up", "down"):
            out[entry["id"]] = d
    return out, None


def direction_of(indicator: str | None, metric: str = "") -> tuple[str, str]:
    """("up"|"down", where it came from): the catalogue for an indicator, the metric's words off it."""
    if indicator:
        table, note = _catalogue_directions()
        if indicator in table:
            return table[indicator], "catalogue"
        return "up", f"default ({note or f'catalogue gives no direction for {indicator}'})"
    for word in vocabulary()["down_words"]:
        if word in (metric or ""):
            return "down", f"metric word {word}"
    return "up", "default"


def clause_before(rec: Record, width: int = 24) -> str:
    """The quote with up to ``width`` characters of its sentence before it."""
    i = rec.sentence.find(rec.quote) if rec.quote else -1
    if i < 0:
        return rec.quote
    return rec.sentence[max(0, i - width) : i] + rec.quote


@dataclass
class Verdict:
    """The outcome of comparing one target with one outcome."""

    verdict: str
    reason: str
    direction: str = "up"
    tolerance: float | None = None
    gap: float | None = None  # outcome − target, in the target's base unit
    target_used: float | None = None  # the end of a range that was compared


def base_of(value: float | None, base_value: float | None, other: float | None) -> float | None:
    """``other`` (e.g. value_max) in base units, scaled like value → base_value."""
    if other is None or base_value is None:
        return None
    if value is None or value == 0:
        return other
    return other * (base_value / value)


def _convert(o: float, o_unit: str | None, t_unit: str | None) -> float | None:
    """Outcome in the target's base unit, or None when the units do not convert."""
    if o_unit == t_unit:
        return o
    if o_unit is None or t_unit is None:
        return None
    a, b = vocabulary()["unit_factors"].get(o_unit), vocabulary()["unit_factors"].get(t_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return o * a[1] / b[1]


def measures_compatible(target: Record, outcome: Record) -> bool:
    """True when the outcome's measure states the target's quantity."""
    if target.measure == outcome.measure:
        return True
    same = vocabulary()["same_measure_for"].get(target.indicator or "")
    if same and target.measure in same and outcome.measure in same:
        return True
    # a level stated in % is a ratio whichever way the extractor named it
    return {target.measure, outcome.measure} == {"ratio", "value"} and target.base_unit == outcome.base_unit == "%"


def fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:.6g}"


def judge(
    target: Record, outcome: Record | None, tolerance_pp: float = 0.2, tolerance_rel: float = 0.01
) -> Verdict:
    """Judge one target against one outcome (rules 1–4 of the verdict rules v1).

    ``partly_met`` needs the neighbouring floor and is settled by
    ``verify_records``; the in-step rule needs two outcomes (``judge_in_step``).
    """
    direction, dsource = direction_of(target.indicator, target.metric)
    if target.measure == "qualitative":
        return Verdict("not_judged", "qualitative target: judge by hand", direction)
    if outcome is None:
        return Verdict("not_reported", "no outcome for this target in the next report", direction)
    if target.base_value is None:
        return Verdict("not_judged", "target has no number", direction)
    if _PLAN_SHARE.search(outcome.quote) and outcome.base_unit == "%" and outcome.base_value is not None:
        share = outcome.base_value
        if direction == "up" and (target.base_value or 0) >= 0:
            return Verdict(
                "met" if share >= 100 - EPS else "missed",
                f"the outcome is the share of the year's plan done: {fmt(share)}%"
                + ("; outcome is an estimate (预计)" if outcome.estimated else ""),
                direction, 0.0, round(share - 100, 10), 100.0,
            )
    if target.measure not in MULTI_YEAR and outcome.measure in MULTI_YEAR:
        return Verdict(
            "not_comparable", f"a several-year figure ({outcome.measure}) does not judge a one-year target", direction
        )
    if not measures_compatible(target, outcome):
        return Verdict(
            "not_comparable", f"target is {target.measure}, outcome is {outcome.measure}", direction
        )
    if outcome.base_value is None:
        return Verdict("not_comparable", "outcome has no number", direction)
    o = _convert(outcome.base_value, outcome.base_unit, target.base_unit)
    if o is None:
        return Verdict(
            "not_comparable",
            f"units do not convert ({outcome.base_unit} vs {target.base_unit})",
            direction,
        )

    lo = target.base_value
    hi = base_of(target.value, target.base_value, target.value_max)
    decrease = lo < 0
    if target.measure == "rank":
        compare, why = "le", "rank: a smaller position is better"
    elif decrease:
        if target.bound == "max":
            compare, why = "ge", "a decrease with a ceiling (降幅不超过): o ≥ t − e"
        else:
            compare, why = "le", "a decrease target: o ≤ t + e"
    elif direction == "down":
        compare, why = "le", f"lower is better ({dsource}): o ≤ t + e"
    elif target.bound == "max":
        compare, why = "le", "a ceiling (max bound): o ≤ t + e"
    else:
        compare, why = "ge", f"higher is better ({dsource}): o ≥ t − e"
    t = lo
    range_note = ""
    if hi is not None:
        t = min(lo, hi) if compare == "ge" else max(lo, hi)
        range_note = f"range {fmt(lo)}–{fmt(hi)}, compared with its lenient end {fmt(t)}; "
    if target.bound == "approx":
        e = tolerance_pp if target.base_unit in ("%", "pp") else tolerance_rel * abs(t)
    else:
        e = 0.0
    # what the outcome says about the true figure: 超过126万亿元 is [126, ∞), 下降超过3% is (−∞, −3]
    o_lo, o_hi = o, o
    if outcome.bound == "min":
        o_lo, o_hi = (o, math.inf) if o >= 0 else (-math.inf, o)
    elif outcome.bound == "max":
        o_lo, o_hi = (-math.inf, o) if o >= 0 else (o, math.inf)
    if compare == "ge":
        ok: bool | None = True if o_lo >= t - e - EPS else (False if o_hi < t - e - EPS else None)
    else:
        ok = True if o_hi <= t + e + EPS else (False if o_lo > t + e + EPS else None)
    gap = round(o - t, 10)
    unit = target.base_unit or ""
    head = f"{range_note}outcome {fmt(o)}{unit} vs target {fmt(t)}{unit}, e={fmt(round(e, 10))}; {why}"
    if outcome.estimated:
        head += "; outcome is an estimate (预计)"
    if ok is None:
        kind = "floor" if outcome.bound == "min" else "ceiling"
        if EVERY_YEAR.search(clause_before(outcome)):
            # a floor for every year of a period says little about the reviewed year
            return Verdict(
                "not_comparable",
                f"the outcome is only a {kind} for every year ({outcome.quote}), which does not settle the target: "
                f"{head}",
                direction, round(e, 10), gap, t,
            )
        # the year's own figure given as 3.5%以上: a report rounds in its own favour, so the figure falls short
        ok = False
        head += f"; the outcome is stated only as a {kind} on the wrong side of the target"
    return Verdict("met" if ok else "missed", head, direction, round(e, 10), gap, t)


def judge_in_step(
    target: Record, subject: Record | None, gdp: Record | None, tolerance_pp: float = 0.2, *, ahead: bool = False
) -> Verdict:
    """与经济增长(基本)同步: met when the subject's growth ≥ GDP growth − e.

    With ``ahead`` (快于/高于经济增长) the growth must exceed GDP growth.
    """
    if subject is None or gdp is None:
        missing = " and ".join(n for n, r in (("the income/revenue growth", subject), ("GDP growth", gdp)) if r is None)
        return Verdict("not_judged", f"in-step target: the next report does not give {missing}", "up")
    if subject.base_value is None or gdp.base_value is None:
        return Verdict("not_judged", "in-step target: an outcome has no number", "up")
    s, g = subject.base_value, gdp.base_value
    if ahead:
        ok = s > g + EPS
        reason = f"ahead of the economy: growth {fmt(s)}% vs GDP growth {fmt(g)}% (must be higher)"
    else:
        ok = s >= g - tolerance_pp - EPS
        reason = f"in step with the economy: growth {fmt(s)}% vs GDP growth {fmt(g)}%, e={fmt(tolerance_pp)}"
    if subject.estimated or gdp.estimated:
        reason += "; an outcome is an estimate (预计)"
    return Verdict("met" if ok else "missed", reason, "up", tolerance_pp, round(s - g, 10), g)
