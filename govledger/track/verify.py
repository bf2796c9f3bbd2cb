"""Promises kept? Judge the targets of report Y against the review of report Y+1.

Everything here is a pure function over lists of ``Record`` (schema v1); the
rules are the verdict rules v1 of LEDGER_SCHEMA.md:

1. find the outcome (``govledger.track.outcomes``): an achievement of Y+1
   about period Y with the same catalogue ``indicator`` (else a similar
   ``metric`` by character bigrams), the same measure preferred;
   several-year figures (avg_growth, cum_growth, ``scope == "several"``)
   never judge a one-year target; none → ``not_reported`` (never ``met``),
   a different measure or units that do not convert → ``not_comparable``,
   a qualitative target → ``not_judged`` unless the in-step rule applies
   (与经济增长基本同步: income growth ≥ GDP growth − e);
2. direction from the catalogue (``direction`` "up"/"down");
3. compare t (the lenient end of a range) with o on ``base_value``, with
   tolerance e for 左右 (``approx``) only (``govledger.track.judge``);
4. an estimated outcome (预计) is judged and flagged;
5. ``partly_met``: a stretch figure (力争) beside a floor in one clause, the
   floor met and the stretch not.

Files, JSONL and the database all reach this module as records: whether a
figure speaks of one year or several is ``Record.scope``, decided upstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from govledger.records import Record
from govledger.structure.places import normalise_place
from govledger.track.judge import (
    MULTI_YEAR,
    VERDICTS,
    Verdict,
    base_of,
    direction_of,
    judge,
    judge_in_step,
    vocabulary,
)
from govledger.track.outcomes import Match, match_outcomes, one_year_targets, outcomes_of
from govledger.track.overrides import Override, apply_overrides
from govledger.track.similarity import normalise_metric

__all__ = [
    "MULTI_YEAR", "VERDICTS", "Match", "Override", "Verdict", "VerdictRow", "direction_of", "judge",
    "judge_in_step", "match_outcomes", "one_year_targets", "outcomes_of", "summarise", "target_key",
    "verify_records", "verify_reports",
]

VerdictName = Literal["met", "missed", "partly_met", "not_reported", "not_comparable", "not_judged"]
_IN_STEP = re.compile(r"同步")
_AHEAD = re.compile(r"快于|高于|超过|跑赢")
_IN_STEP_REF = re.compile(r"经济增长|经济发展|生产总值|GDP|经济增速")


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
        """Every field (JSON-ready: whole numbers as int); a shallow copy, lists copied."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["also_stated"] = list(self.also_stated)
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


def target_key(r: Record) -> tuple[Any, ...]:
    what = r.indicator or normalise_metric(r.metric)
    if r.measure == "qualitative" or r.base_value is None:
        return (what, r.measure, normalise_metric(r.quote))
    hi = base_of(r.value, r.base_value, r.value_max)
    return (what, r.measure, round(r.base_value, 9), None if hi is None else round(hi, 9), r.bound, r.base_unit)


def _in_step_subject(target: Record) -> str | None:
    if target.indicator:
        return target.indicator
    text = target.metric + target.quote
    for word, ind in vocabulary()["in_step_subjects"]:
        if word in text:
            return ind
    return None


def _best_growth(
    outcomes: Sequence[Record], indicator: str, year: int | None = None
) -> Record | None:
    probe = Record(
        id="probe", doc="", place=None, year=None, period=None, kind="target", estimated=False, section=[],
        sentence="", quote="", metric="", indicator=indicator, measure="growth", value=0.0, value_max=None,
        unit="%", base_value=0.0, base_unit="%", bound="exact", strength="plain", deadline=None,
    )
    m = match_outcomes([probe], outcomes, year=year)[0]
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
    judged_ids = {id(r) for r in judged}  # by identity: comparing pydantic models field by field is slow
    others = [r for r in targets_y if r.kind == "target" and id(r) not in judged_ids] if include_all else []

    matches = {m.target.id: m for m in match_outcomes(judged, outcomes, threshold, year=year)}

    def best_growth(indicator: str) -> Record | None:
        return _best_growth(outcomes, indicator, year)

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
    rows = verify_records(
        recs_y, recs_y1, year=year, doc=doc, place=place, tolerance_pp=tolerance_pp,
        tolerance_rel=tolerance_rel, threshold=threshold, include_all=include_all,
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
