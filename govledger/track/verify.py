"""Promises kept? Judge the targets of report Y against the review of report Y+1.

Everything here is a pure function over lists of ``Record`` (schema v1); the
rules are the verdict rules v1 of LEDGER_SCHEMA.md:

1. find the outcome: an achievement of Y+1 about period Y with the same
   catalogue ``indicator`` (else a similar ``metric`` by character bigrams),
   the same measure preferred; several-year figures (avg_growth, cum_growth)
   never judge a one-year target; none → ``not_reported`` (never ``met``),
   a different measure or units that do not convert → ``not_comparable``,
   a qualitative target → ``not_judged`` unless the in-step rule applies
   (与经济增长基本同步: income growth ≥ GDP growth − e);
2. direction from the catalogue (``direction`` "up"/"down");
3. compare t (the lenient end of a range) with o on ``base_value``, with
   tolerance e for 左右 (``approx``) only;
4. an estimated outcome (预计) is judged and flagged;
5. ``partly_met``: a stretch figure (力争) beside a floor in one clause, the
   floor met and the stretch not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from govledger.errors import ReportError
from govledger.records import Record
from govledger.structure.places import normalise_place
from govledger.track.scope import SEVERAL, review_scopes, year_in_clause
from govledger.track.similarity import metric_similarity, normalise_metric

VerdictName = Literal["met", "missed", "partly_met", "not_reported", "not_comparable", "not_judged"]
VERDICTS: tuple[str, ...] = ("met", "missed", "partly_met", "not_reported", "not_comparable", "not_judged")

MULTI_YEAR = frozenset({"avg_growth", "cum_growth"})
# lower is better: used only when the catalogue file carries no ``direction``
BUILTIN_DOWN = frozenset(
    {"unemployment_surveyed", "unemployment_registered", "cpi", "energy_intensity", "industrial_energy_intensity"}
)
# off the catalogue: metric words that make lower better
_DOWN_WORDS = ("失业率", "能耗", "浓度", "排放", "电耗", "水耗", "物耗", "事故", "死亡", "发病率", "负债率")
# measures that state the same thing for an indicator (a price rise is a growth and a rate)
_SAME_MEASURE_FOR: dict[str, frozenset[str]] = {
    "cpi": frozenset({"growth", "ratio"}),
}
# unit conversions between base units (to a common unit); money never converts across currencies
_UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "斤": ("吨", 0.0005),
    "公斤": ("吨", 0.001),
    "千克": ("吨", 0.001),
    "吨": ("吨", 1.0),
    "亩": ("亩", 1.0),
    "公顷": ("亩", 15.0),
    "米": ("米", 1.0),
    "公里": ("米", 1000.0),
    "千米": ("米", 1000.0),
}
_PARTIAL_PERIOD = re.compile(r"[一二三四1-4]季度|上半年|前三季度|\d{1,2}[-—~至]\d{1,2}月|前\d{1,2}个月|\d{1,2}月份")
_MULTI_CONTEXT = re.compile(r"累计|五年来|五年间|过去五年|十四五|年均|连续\d+年|20\d\d年以来|以来")
_OTHER_PLACE = re.compile(r"(?:高于|低于|快于|慢于|超过|领先)全国|全国平均")
_FLOW_WORDS = ("新增", "新建", "新开工", "新改建", "新培育", "新认定", "新引进")
_EVERY_YEAR = re.compile(r"每年|连续\d+年|年年")
_AVERAGE = re.compile(r"年均|平均每年")
_FIVE_YEARS = re.compile(r"五年|十四五")
# indicators whose level over a five-year review is a sum of the years, not the last year's figure
_FLOW_INDICATORS = frozenset({"urban_new_jobs", "foreign_investment", "fixed_asset_investment"})
_IN_STEP = re.compile(r"同步")
_AHEAD = re.compile(r"快于|高于|超过|跑赢")
# 完成年计划的118.2%: the outcome is the share of the plan done
_PLAN_SHARE = re.compile(r"完成(?:全?年|年度)?(?:计划|目标|任务)(?:的)?\d")
_IN_STEP_REF = re.compile(r"经济增长|经济发展|生产总值|GDP|经济增速")
# subject of an in-step target whose indicator the extractor left empty (longest first)
_IN_STEP_SUBJECT = (
    ("农村居民", "rural_income"),
    ("农民", "rural_income"),
    ("城镇居民", "urban_income"),
    ("一般公共预算收入", "budget_revenue"),
    ("财政收入", "budget_revenue"),
    ("居民", "resident_income"),
    ("收入", "resident_income"),
)
_EPS = 1e-9


# --------------------------------------------------------------------------- catalogue


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
    """("up"|"down", where it came from) for an indicator or an off-catalogue metric."""
    if indicator:
        table, note = _catalogue_directions()
        if indicator in table:
            return table[indicator], "catalogue"
        why = note or f"catalogue gives no direction for {indicator}"
        return ("down" if indicator in BUILTIN_DOWN else "up"), f"built-in ({why})"
    for word in _DOWN_WORDS:
        if word in (metric or ""):
            return "down", f"metric word {word}"
    return "up", "default"


# --------------------------------------------------------------------------- judge


@dataclass
class Verdict:
    """The outcome of comparing one target with one outcome."""

    verdict: str
    reason: str
    direction: str = "up"
    tolerance: float | None = None
    gap: float | None = None  # outcome − target, in the target's base unit
    target_used: float | None = None  # the end of a range that was compared


def _base(value: float | None, base_value: float | None, other: float | None) -> float | None:
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
    a, b = _UNIT_FACTORS.get(o_unit), _UNIT_FACTORS.get(t_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return o * a[1] / b[1]


def measures_compatible(target: Record, outcome: Record) -> bool:
    """True when the outcome's measure states the target's quantity."""
    if target.measure == outcome.measure:
        return True
    same = _SAME_MEASURE_FOR.get(target.indicator or "")
    if same and target.measure in same and outcome.measure in same:
        return True
    # a level stated in % is a ratio whichever way the extractor named it
    return {target.measure, outcome.measure} == {"ratio", "value"} and target.base_unit == outcome.base_unit == "%"


def _fmt(x: float | None) -> str:
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
                "met" if share >= 100 - _EPS else "missed",
                f"the outcome is the share of the year's plan done: {_fmt(share)}%"
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
    hi = _base(target.value, target.base_value, target.value_max)
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
        range_note = f"range {_fmt(lo)}–{_fmt(hi)}, compared with its lenient end {_fmt(t)}; "
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
        ok: bool | None = True if o_lo >= t - e - _EPS else (False if o_hi < t - e - _EPS else None)
    else:
        ok = True if o_hi <= t + e + _EPS else (False if o_lo > t + e + _EPS else None)
    gap = round(o - t, 10)
    unit = target.base_unit or ""
    head = f"{range_note}outcome {_fmt(o)}{unit} vs target {_fmt(t)}{unit}, e={_fmt(round(e, 10))}; {why}"
    if outcome.estimated:
        head += "; outcome is an estimate (预计)"
    if ok is None:
        kind = "floor" if outcome.bound == "min" else "ceiling"
        if _EVERY_YEAR.search(_clause_before(outcome)):
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
        ok = s > g + _EPS
        reason = f"ahead of the economy: growth {_fmt(s)}% vs GDP growth {_fmt(g)}% (must be higher)"
    else:
        ok = s >= g - tolerance_pp - _EPS
        reason = f"in step with the economy: growth {_fmt(s)}% vs GDP growth {_fmt(g)}%, e={_fmt(tolerance_pp)}"
    if subject.estimated or gdp.estimated:
        reason += "; an outcome is an estimate (预计)"
    return Verdict("met" if ok else "missed", reason, "up", tolerance_pp, round(s - g, 10), g)


# --------------------------------------------------------------------------- matching


@dataclass
class Match:
    """The outcome chosen for a target, with how and how well it matched."""

    target: Record
    outcome: Record | None
    score: float | None
    by: str | None  # "indicator", "metric" or None
    note: str = ""
    candidates: int = 0


def _clause_before(rec: Record, width: int = 24) -> str:
    """The quote with up to ``width`` characters of its sentence before it."""
    i = rec.sentence.find(rec.quote) if rec.quote else -1
    if i < 0:
        return rec.quote
    return rec.sentence[max(0, i - width) : i] + rec.quote


def several_year_reason(o: Record, year: int | None, scopes: Mapping[str, str] | None = None) -> str | None:
    """Why an achievement is a figure for several years (so it cannot judge one year), or None.

    A floor for every year (每年超过90万人, 连续8年稳定在…以上) is not: it
    holds for the reviewed year too.
    """
    if o.measure in MULTI_YEAR:
        return o.measure
    clause = _clause_before(o)
    if _EVERY_YEAR.search(clause):
        return None
    if "累计" in o.quote:
        return "several-year total (累计)"
    if _AVERAGE.search(_clause_before(o, 4)):
        return "several-year average (年均)"
    in_review = (scopes or {}).get(o.id) == SEVERAL or bool(_FIVE_YEARS.search(_clause_before(o, 12)))
    if in_review and not year_in_clause(clause, year):
        if o.measure in ("growth", "pp_change"):
            return "change over the five-year review"
        flow = o.indicator in _FLOW_INDICATORS or any(w in o.metric for w in _FLOW_WORDS)
        if o.measure == "value" and flow:
            return "five-year total"
    return None


def _rank(
    target: Record, outcome: Record, score: float, order: int, year: int | None, scopes: Mapping[str, str]
) -> tuple[float, ...]:
    context = _clause_before(outcome)
    several = scopes.get(outcome.id) == SEVERAL and not year_in_clause(context, year)
    return (
        1.0 if measures_compatible(target, outcome) else 0.0,
        1.0 if outcome.base_unit == target.base_unit else 0.0,
        score,
        0.0 if several else 1.0,
        0.0 if _PARTIAL_PERIOD.search(context) else 1.0,
        0.0 if _MULTI_CONTEXT.search(context) else 1.0,
        0.0 if _OTHER_PLACE.search(context) else 1.0,
        1.0 if "全年" in context else 0.0,
        -float(order),
    )


def _similarity(target: Record, outcome: Record) -> float:
    score = metric_similarity(target.metric, outcome.metric)
    t_flow = any(w in target.metric for w in _FLOW_WORDS)
    o_flow = any(w in outcome.metric for w in _FLOW_WORDS)
    if t_flow != o_flow:  # new builds vs a stock
        score *= 0.8
    return round(score, 4)


def match_outcomes(
    targets: Sequence[Record],
    outcomes: Sequence[Record],
    threshold: float = 0.5,
    *,
    year: int | None = None,
    scopes: Mapping[str, str] | None = None,
) -> list[Match]:
    """For each target, the best outcome: catalogue indicator first, else metric similarity.

    ``outcomes`` should already be the achievements about the target year
    (``outcomes_of``). Several-year figures never judge a one-year target
    (``several_year_reason``; ``scopes`` from ``review_scopes`` tells which
    records sit in a five-year review); among the rest, the same measure and
    base unit win, then the score, then a one-year over a several-year
    paragraph, a whole-year figure over a quarter's, the place's own figure
    over a comparison with the country, and document order.
    """
    scopes = scopes or {}
    out: list[Match] = []
    for target in targets:
        scored: list[tuple[Record, float, int]] = []
        if target.indicator:
            by = "indicator"
            scored = [(o, 1.0, i) for i, o in enumerate(outcomes) if o.indicator == target.indicator]
        else:
            by = "metric"
            for i, o in enumerate(outcomes):
                if o.indicator is not None or o.measure == "qualitative":
                    continue
                s = _similarity(target, o)
                if s >= threshold:
                    scored.append((o, s, i))
        dropped: list[str] = []
        usable: list[tuple[Record, float, int]] = []
        for o, s, i in scored:
            why = several_year_reason(o, year, scopes) if target.measure not in MULTI_YEAR else None
            if why:
                dropped.append(f"{o.quote} ({why})")
            elif o.measure == "qualitative" or o.base_value is None:
                dropped.append(f"{o.quote} (no number)")
            else:
                usable.append((o, s, i))
        note = ""
        if dropped:
            note = "set aside: " + "; ".join(dropped[:3]) + (" …" if len(dropped) > 3 else "")
        if not usable:
            out.append(Match(target, None, None, None, note, len(scored)))
            continue
        best, score, _ = max(usable, key=lambda c: _rank(target, c[0], c[1], c[2], year, scopes))
        out.append(Match(target, best, score, by, note, len(scored)))
    return out


# --------------------------------------------------------------------------- rows


@dataclass
class VerdictRow:
    """One target of report Y, its outcome in report Y+1 and the verdict."""

    doc: str
    place: str | None
    year: int | None
    indicator: str | None
    metric: str
    measure: str
    target_id: str
    target_quote: str
    target_value: float | None
    target_value_max: float | None
    target_unit: str | None
    target_base_value: float | None
    base_unit: str | None
    bound: str
    strength: str
    outcome_doc: str | None
    outcome_id: str | None
    outcome_quote: str | None
    outcome_value: float | None
    outcome_unit: str | None
    outcome_base_value: float | None
    outcome_measure: str | None
    outcome_estimated: bool
    outcome_base_unit: str | None
    verdict: str
    match_score: float | None
    match_by: str | None
    direction: str
    tolerance: float | None
    gap: float | None
    reason: str
    target_period: int | None = None
    sentence: str = ""
    also_stated: list[str] = field(default_factory=list)
    overridden: bool = False
    auto_verdict: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("target_value", "target_value_max", "target_base_value", "outcome_value", "outcome_base_value"):
            v = out.get(key)
            if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
                out[key] = int(v)
        return out


# columns printed by default (csv/table); jsonl prints every field
ROW_COLUMNS: tuple[str, ...] = (
    "doc", "place", "year", "indicator", "metric", "measure", "target_quote", "target_value", "bound",
    "outcome_quote", "outcome_value", "outcome_estimated", "verdict", "match_score", "reason",
)


def _records_of(ledger: Any) -> list[Record]:
    recs = getattr(ledger, "records", ledger)
    return list(recs)


def _meta(ledger: Any, records: Sequence[Record]) -> tuple[str | None, str | None, int | None]:
    """(doc, place, year) of a ledger, from its attributes or its records."""
    doc = getattr(ledger, "doc", None)
    place = getattr(ledger, "place", None)
    year = getattr(ledger, "year", None)
    for r in records:
        doc = doc or r.doc
        place = place or r.place
        year = year or r.year
        if doc and place and year:
            break
    return doc, place, year


def outcomes_of(records: Iterable[Record], year: int | None) -> list[Record]:
    """The achievements of report Y+1 that may judge year ``year``: period == year or unknown."""
    return [r for r in records if r.kind == "achievement" and (r.period is None or year is None or r.period == year)]


def one_year_targets(records: Iterable[Record], year: int | None) -> list[Record]:
    """The targets of report Y for year Y itself (multi-year plans have another period or none)."""
    return [r for r in records if r.kind == "target" and year is not None and r.period == year]


def target_key(r: Record) -> tuple[Any, ...]:
    what = r.indicator or normalise_metric(r.metric)
    if r.measure == "qualitative" or r.base_value is None:
        return (what, r.measure, normalise_metric(r.quote))
    hi = _base(r.value, r.base_value, r.value_max)
    return (what, r.measure, round(r.base_value, 9), None if hi is None else round(hi, 9), r.bound, r.base_unit)


def _in_step_subject(target: Record) -> str | None:
    if target.indicator:
        return target.indicator
    text = target.metric + target.quote
    for word, ind in _IN_STEP_SUBJECT:
        if word in text:
            return ind
    return None


def _best_growth(
    outcomes: Sequence[Record], indicator: str, year: int | None = None, scopes: Mapping[str, str] | None = None
) -> Record | None:
    probe = Record(
        id="probe", doc="", place=None, year=None, period=None, kind="target", estimated=False, section=[],
        sentence="", quote="", metric="", indicator=indicator, measure="growth", value=0.0, value_max=None,
        unit="%", base_value=0.0, base_unit="%", bound="exact", strength="plain", deadline=None,
    )
    m = match_outcomes([probe], outcomes, year=year, scopes=scopes)[0]
    if m.outcome is None or m.outcome.measure != "growth":
        return None
    return m.outcome


def _row(
    target: Record, match: Match | None, v: Verdict, doc: str | None, place: str | None, year: int | None
) -> VerdictRow:
    o = match.outcome if match else None
    reason = v.reason
    if match and match.note and v.verdict in ("not_reported", "not_comparable"):
        reason = f"{reason} ({match.note})"
    p = normalise_place(place or target.place)
    return VerdictRow(
        doc=doc or target.doc,
        place=p.name if p else None,
        year=year if year is not None else target.year,
        indicator=target.indicator,
        metric=target.metric,
        measure=target.measure,
        target_id=target.id,
        target_quote=target.quote,
        target_value=target.value,
        target_value_max=target.value_max,
        target_unit=target.unit,
        target_base_value=target.base_value,
        base_unit=target.base_unit,
        bound=target.bound,
        strength=target.strength,
        outcome_doc=o.doc if o else None,
        outcome_id=o.id if o else None,
        outcome_quote=o.quote if o else None,
        outcome_value=o.value if o else None,
        outcome_unit=o.unit if o else None,
        outcome_base_value=o.base_value if o else None,
        outcome_measure=o.measure if o else None,
        outcome_estimated=bool(o.estimated) if o else False,
        outcome_base_unit=o.base_unit if o else None,
        verdict=v.verdict,
        match_score=match.score if match and o else None,
        match_by=match.by if match and o else None,
        direction=v.direction,
        tolerance=v.tolerance,
        gap=v.gap,
        reason=reason,
        target_period=target.period,
        sentence=target.sentence,
    )


def _stretch_pairs(targets: Sequence[Record]) -> dict[str, Record]:
    """Stretch target id → its floor: 力争 beside a lower figure of the same metric in one sentence."""
    pairs: dict[str, Record] = {}
    for s in targets:
        if s.strength != "strive" or s.base_value is None or s.measure == "qualitative":
            continue
        what = s.indicator or normalise_metric(s.metric)
        for f in targets:
            if f is s or f.strength == "strive" or f.base_value is None:
                continue
            if f.doc != s.doc or f.sentence != s.sentence or f.measure != s.measure or f.base_unit != s.base_unit:
                continue
            if (f.indicator or normalise_metric(f.metric)) != what:
                continue
            decrease = s.base_value < 0
            less_ambitious = f.base_value > s.base_value if decrease else f.base_value < s.base_value
            if less_ambitious:
                pairs[s.id] = f
                break
    return pairs


def verify_records(
    targets_y: Sequence[Record],
    records_y1: Sequence[Record],
    *,
    year: int | None,
    doc: str | None = None,
    place: str | None = None,
    tolerance_pp: float = 0.2,
    tolerance_rel: float = 0.01,
    threshold: float = 0.5,
    include_all: bool = False,
    scopes: Mapping[str, str] | None = None,
) -> list[VerdictRow]:
    """Verdict rows for the targets of report Y (``targets_y`` may hold all its records).

    One row per distinct target: a target restated later in the report
    (same indicator or metric, measure, value, bound) is folded into its first
    statement and listed in ``also_stated``; with ``include_all`` every record
    keeps its own row (restatements share the verdict) and targets for other
    periods (multi-year plans) are listed as ``not_judged``.
    """
    outcomes = outcomes_of(records_y1, year)
    judged = one_year_targets(targets_y, year)
    others = [r for r in targets_y if r.kind == "target" and r not in judged] if include_all else []

    matches = {m.target.id: m for m in match_outcomes(judged, outcomes, threshold, year=year, scopes=scopes)}

    def best_growth(indicator: str) -> Record | None:
        return _best_growth(outcomes, indicator, year, scopes)

    verdicts: dict[str, tuple[Verdict, Match | None]] = {}
    gdp_growth = best_growth("gdp")
    for t in judged:
        m = matches[t.id]
        ahead = bool(_AHEAD.search(t.quote)) and not _IN_STEP.search(t.quote)
        if t.measure == "qualitative" and (_IN_STEP.search(t.quote) or ahead) and _IN_STEP_REF.search(t.quote):
            subject = _in_step_subject(t)
            s_out: Record | None = None
            if subject == "resident_income":
                s_out = best_growth("resident_income")
                if s_out is None:
                    urban, rural = best_growth("urban_income"), best_growth("rural_income")
                    if urban and rural and gdp_growth:
                        vu = judge_in_step(t, urban, gdp_growth, tolerance_pp, ahead=ahead)
                        vr = judge_in_step(t, rural, gdp_growth, tolerance_pp, ahead=ahead)
                        if vu.verdict == vr.verdict:
                            v = Verdict(vu.verdict, f"urban: {vu.reason}; rural: {vr.reason}", "up", tolerance_pp)
                        else:
                            v = Verdict("not_judged", f"urban and rural disagree: {vu.reason}; {vr.reason}", "up")
                        verdicts[t.id] = (v, Match(t, urban, 1.0, "in_step"))
                        continue
            elif subject:
                s_out = best_growth(subject)
            v = judge_in_step(t, s_out, gdp_growth, tolerance_pp, ahead=ahead)
            verdicts[t.id] = (v, Match(t, s_out, 1.0 if s_out else None, "in_step"))
            continue
        verdicts[t.id] = (judge(t, m.outcome, tolerance_pp, tolerance_rel), m)

    # rule 5: a stretch figure beside its floor
    for sid, floor in _stretch_pairs(judged).items():
        v, sm = verdicts[sid]
        fv, _ = verdicts[floor.id]
        if v.verdict == "missed" and fv.verdict == "met":
            verdicts[sid] = (
                Verdict("partly_met", f"floor {floor.quote} met, stretch figure not: {v.reason}", v.direction,
                        v.tolerance, v.gap, v.target_used),
                sm,
            )

    rows: list[VerdictRow] = []
    first_of: dict[tuple[Any, ...], VerdictRow] = {}
    groups: dict[tuple[Any, ...], list[VerdictRow]] = {}
    for t in judged:
        v, rm = verdicts[t.id]
        row = _row(t, rm, v, doc, place, year)
        key = target_key(t)
        groups.setdefault(key, []).append(row)
        if key in first_of:
            first = first_of[key]
            if not include_all:
                first.also_stated.append(t.id)
                continue
            # a restatement shares the verdict of the first statement
            row.verdict, row.reason = first.verdict, first.reason
            for name in ("outcome_doc", "outcome_id", "outcome_quote", "outcome_value", "outcome_unit",
                         "outcome_base_value", "outcome_measure", "outcome_estimated", "outcome_base_unit",
                         "match_score", "match_by",
                         "gap", "tolerance"):
                setattr(row, name, getattr(first, name))
        else:
            first_of[key] = row
        rows.append(row)
    if include_all:
        for members in groups.values():
            ids = [r.target_id for r in members]
            for r in members:
                r.also_stated = [i for i in ids if i != r.target_id]
        for t in others:
            v = Verdict("not_judged", f"not a one-year target for {year} (period {t.period}): a multi-year plan",
                        direction_of(t.indicator, t.metric)[0])
            rows.append(_row(t, None, v, doc, place, year))
    return rows


def verify_reports(
    ledger_y: Any,
    ledger_y1: Any,
    *,
    tolerance_pp: float = 0.2,
    tolerance_rel: float = 0.01,
    threshold: float = 0.5,
    include_all: bool = False,
    overrides: Sequence[Override] | None = None,
    check: bool = True,
) -> list[VerdictRow]:
    """Judge every target of report Y (a ``Ledger`` or a list of records) against report Y+1.

    With ``check`` (default) a pair of different places or of years that do
    not follow each other raises ``ValueError``.
    """
    recs_y, recs_y1 = _records_of(ledger_y), _records_of(ledger_y1)
    doc, place, year = _meta(ledger_y, recs_y)
    doc1, place1, year1 = _meta(ledger_y1, recs_y1)
    if check:
        if year is not None and year1 is not None and year1 != year + 1:
            raise ValueError(f"{doc1} is for {year1}, not the year after {doc} ({year})")
        pa, pb = normalise_place(place), normalise_place(place1)
        if pa and pb and pa.name != pb.name:
            raise ValueError(f"{doc} is about {pa.name} but {doc1} is about {pb.name}")
    if year is None and year1 is not None:
        year = year1 - 1
    text = getattr(ledger_y1, "text", None)
    scopes = review_scopes(text, recs_y1, year) if isinstance(text, str) else None
    rows = verify_records(
        recs_y, recs_y1, year=year, doc=doc, place=place, tolerance_pp=tolerance_pp,
        tolerance_rel=tolerance_rel, threshold=threshold, include_all=include_all, scopes=scopes,
    )
    if overrides:
        apply_overrides(rows, overrides)
    return rows


def summarise(rows: Iterable[VerdictRow]) -> dict[str, int]:
    """Count of rows per verdict, every verdict present (0 when none)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for r in rows:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return counts


# --------------------------------------------------------------------------- overrides


@dataclass
class Override:
    """A person's verdict for one target, with the reason (kept as an audit trail)."""

    doc: str
    verdict: str
    reason: str
    target_quote: str | None = None
    target_id: str | None = None
    by: str | None = None
    at: str | None = None

    def applies_to(self, row: VerdictRow) -> bool:
        if row.doc != self.doc:
            return False
        if self.target_quote:
            return self.target_quote in row.target_quote
        return self.target_id is not None and (self.target_id == row.target_id or self.target_id in row.also_stated)


def _parse_override(path: str, i: int, item: Any) -> Override:
    if not isinstance(item, dict):
        raise ReportError(path, f"override {i + 1} is not an object")
    verdict, reason, doc = item.get("verdict"), item.get("reason"), item.get("doc")
    if verdict not in VERDICTS:
        raise ReportError(path, f"override {i + 1}: verdict must be one of {', '.join(VERDICTS)}")
    if not isinstance(reason, str) or not reason.strip():
        raise ReportError(path, f"override {i + 1}: a reason is required")
    if not isinstance(doc, str) or not doc:
        raise ReportError(path, f"override {i + 1}: doc is required")
    if not item.get("target_quote") and not item.get("target_id"):
        raise ReportError(path, f"override {i + 1}: give target_quote or target_id")
    return Override(
        doc=doc, verdict=verdict, reason=reason.strip(), target_quote=item.get("target_quote") or None,
        target_id=item.get("target_id") or None, by=item.get("by"), at=item.get("at"),
    )


def load_overrides(path: str | Path) -> list[Override]:
    """Read an overrides file: a JSON list (or {"overrides": [...]}) of override objects."""
    p = Path(path)
    if not p.exists():
        raise ReportError(str(p), "overrides file does not exist")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(str(p), f"not a JSON overrides file ({exc.__class__.__name__})") from None
    if isinstance(data, dict):
        data = data.get("overrides")
    if not isinstance(data, list):
        raise ReportError(str(p), "expected a list of overrides")
    return [_parse_override(str(p), i, item) for i, item in enumerate(data)]


def apply_overrides(rows: Sequence[VerdictRow], overrides: Sequence[Override]) -> int:
    """Set each matching row's verdict by hand (the last override wins); returns rows changed."""
    changed = 0
    for row in rows:
        chosen = None
        for ov in overrides:
            if ov.applies_to(row):
                chosen = ov
        if chosen is None:
            continue
        if not row.overridden:
            row.auto_verdict = row.verdict
        who = f" by {chosen.by}" if chosen.by else ""
        when = f" at {chosen.at}" if chosen.at else ""
        row.reason = f"override{who}{when}: {chosen.reason} (automatic: {row.auto_verdict} — {row.reason})"
        row.verdict = chosen.verdict
        row.overridden = True
        changed += 1
    return changed


def add_override(
    path: str | Path,
    *,
    doc: str,
    verdict: str,
    reason: str,
    target_quote: str | None = None,
    target_id: str | None = None,
    by: str | None = None,
) -> Override:
    """Append an override to the file (created when missing); earlier entries stay as the audit trail."""
    p = Path(path)
    existing: list[dict[str, Any]] = []
    if p.exists():
        load_overrides(p)  # validates
        data = json.loads(p.read_text(encoding="utf-8"))
        existing = data.get("overrides", []) if isinstance(data, dict) else data
    item = {
        "doc": doc, "target_quote": target_quote, "target_id": target_id, "verdict": verdict,
        "reason": reason, "by": by, "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    ov = _parse_override(str(p), len(existing), item)
    existing.append({k: v for k, v in item.items() if v is not None})
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(existing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(p)
    return ov

