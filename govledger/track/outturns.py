"""Official outturns as the judge: targets vs the communiqué, claims vs the communiqué, long series.

The verdict rules are not repeated here: a communiqué's outturn records are
handed to ``verify.verify_records`` as the outcomes of year Y. What this
module adds is which outturn stands for the indicator (real, not nominal,
income growth; the yearly average, not the year-end, surveyed unemployment),
the comparison of the two verdicts (communiqué vs report Y+1), the claim
check (does report Y+1 state year Y as the communiqué does, to the report's
own rounding?) and the per-year series a chart or a page can draw.
Plain records and dicts in, plain dicts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govledger.data import load_json
from govledger.errors import ReportError
from govledger.extract.metrics import variant_of
from govledger.records import Record
from govledger.track.outcomes import several_year_reason
from govledger.track.verify import VerdictRow, verify_records

_GROWTH_WORDS = re.compile(r"增长|增速|速度")
_TARGET_WORDS = re.compile(r"目标|预期")
_YEAR_IN = re.compile(r"((?:19|20)\d\d)年")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_INCOME = ("resident_income", "urban_income", "rural_income")
CLAIM_STATUSES = ("equal", "rounded", "different", "not_in_communique")


def is_communique(records: Sequence[Record]) -> bool:
    return bool(records) and all(r.kind == "outturn" for r in records)


def require_kind(path: str, records: Sequence[Record], want: str) -> None:
    """One-line error when a communiqué stands where a report is expected, or the reverse."""
    comm = is_communique(records)
    if want == "communique" and not comm:
        raise ReportError(path, "expected a statistical communiqué (统计公报), found a government work report")
    if want == "report" and comm:
        raise ReportError(path, "expected a government work report, found a statistical communiqué (统计公报)")


def _extra(r: Record, name: str) -> Any:
    return (r.model_extra or {}).get(name)


def judging_outturns(outturns: Iterable[Record]) -> list[Record]:
    """The outturns that stand for their indicator, as achievements for period Y.

    Income growth is real growth (a nominal figure is set aside when the real one
    is stated); other growths are as stated (a 实际 deflated figure is set aside);
    a surveyed unemployment rate is the yearly average when the communiqué gives one;
    a table row only stands in when the sentences do not state the figure.
    """
    recs = [r for r in outturns if r.indicator]
    in_prose = {(r.indicator, r.measure) for r in recs if not _extra(r, "table")}
    recs = [r for r in recs if not (_extra(r, "table") and (r.indicator, r.measure) in in_prose)]  # the sentence first
    has_average = any(r.indicator == "unemployment_surveyed" and _extra(r, "basis") == "average" for r in recs)
    real_income = {r.indicator for r in recs if r.indicator in _INCOME and r.measure == "growth" and not _extra(r, "nominal")}
    out = []
    for r in recs:
        if r.indicator in _INCOME and _extra(r, "nominal") and r.indicator in real_income:
            continue
        if r.indicator not in _INCOME and _extra(r, "real"):
            continue
        if r.indicator == "unemployment_surveyed" and has_average and _extra(r, "basis") == "year_end":
            continue
        out.append(r.model_copy(update={"kind": "achievement", "estimated": False}))
    return out


def verify_with_outturns(
    targets: Sequence[Record], outturns: Sequence[Record], *, year: int | None, doc: str | None = None,
    place: str | None = None, tolerance_pp: float = 0.2, tolerance_rel: float = 0.01, include_all: bool = False,
) -> list[VerdictRow]:
    """Each target of year Y judged against the communiqué of Y with the verdict rules v1."""
    return verify_records(targets, judging_outturns(outturns), year=year, doc=doc, place=place,
                          tolerance_pp=tolerance_pp, tolerance_rel=tolerance_rel, include_all=include_all)


# ----------------------------------------------------------------- rounding


def written_decimals(r: Record) -> int:
    """Decimals of the figure as the quote writes it (5.0% has one, 126万亿元 none)."""
    if r.value is None:
        return 0
    target = abs(r.value)
    for m in _NUMBER.finditer(r.quote):
        s = m.group().replace(",", "")
        if abs(float(s) - target) < 1e-9:
            return len(s.split(".")[1]) if "." in s else 0
    return 0


def compare_figures(claim: Record, outturn: Record) -> tuple[str, float | None]:
    """equal / rounded / different, and claim − outturn in the claim's written unit.

    The claim's own precision decides: 超过126万亿元 is 'rounded' beside 1260582亿元
    (126.0582 rounds to 126, and a floor is honest when the outturn is above it).
    """
    o_base = in_unit(outturn, claim.base_unit)
    if claim.base_value is None or o_base is None:
        return "different", None
    scale = claim.base_value / claim.value if claim.value else 1.0
    o = o_base / scale
    c = claim.value if claim.value is not None else claim.base_value
    diff = c - o
    if abs(claim.base_value - o_base) <= 1e-9 * max(1.0, abs(o_base)):
        return "equal", 0.0
    decimals = written_decimals(claim)
    step = 10.0 ** -decimals
    if decimals == 0 and c and claim.bound != "exact":
        zeros = len(str(int(abs(c)))) - len(str(int(abs(c))).rstrip("0"))
        step = 10.0 ** zeros  # 67700多亿元, 突破5000亿美元: the report speaks to the hundred or the thousand
    if round(o, decimals) == round(c, decimals) or abs(diff) <= step / 2 + 1e-9:
        return "rounded", round(diff, 9)
    if c < 0 and claim.bound in ("min", "max"):
        o, c = -o, -c  # 降幅超过3%: a fall of at least 3, judged on its size
    if claim.bound == "min" and o >= c - 1e-9 and o < c + step * 10:
        return "rounded", round(diff, 9)  # 超过126万亿元: a floor under the official figure, to the report's precision
    if claim.bound == "max" and o <= c + 1e-9 and o > c - step * 10:
        return "rounded", round(diff, 9)
    if claim.bound == "approx" and abs(diff) <= step + 1e-9:
        return "rounded", round(diff, 9)
    return "different", round(diff, 9)


@dataclass
class ClaimCheck:
    """One achievement of report Y+1 about year Y beside the communiqué's figure."""

    doc: str
    year: int | None
    indicator: str
    measure: str
    claim_quote: str
    claim_value: float | None
    claim_unit: str | None
    bound: str
    estimated: bool
    outturn_doc: str | None
    outturn_quote: str | None
    outturn_value: float | None
    outturn_unit: str | None
    status: str
    difference: float | None  # claim − outturn, in the claim's unit
    claim_id: str = ""
    outturn_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def in_unit(r: Record, unit: str | None) -> float | None:
    """``r.base_value`` in ``unit`` (68285万吨 in 斤), or None when the units do not convert."""
    if r.base_value is None:
        return None
    if r.base_unit == unit:
        return r.base_value
    factor = load_json("communique.json")["unit_equivalents"].get(unit or "", {}).get(r.base_unit or "")
    return None if factor is None else r.base_value * factor


def _price_basis(r: Record, claim: bool) -> str | None:
    """'real' or 'nominal' for a growth figure; None when a claim does not say."""
    if r.measure != "growth":
        return None
    if claim:
        i = r.sentence.find(r.quote)
        clause = (r.sentence[max(0, i - 8) : i] if i >= 0 else "") + r.quote
        return "real" if "实际" in clause else "nominal" if "名义" in clause else None
    if r.indicator in _INCOME:
        return "nominal" if _extra(r, "nominal") else "real"
    return "real" if _extra(r, "real") else "nominal"


_INCREMENT = re.compile(r"(?:增加|减少|多增|少增|增收|减收|新增加)了?(?:近|约|超过)?[\d一二三四五六七八九十百千]")


def _candidates(claim: Record, outturns: Sequence[Record]) -> list[Record]:
    basis = _price_basis(claim, True)
    wording = variant_of(claim.indicator, claim.metric)
    same = [o for o in outturns if o.indicator == claim.indicator and in_unit(o, claim.base_unit) is not None
            and (basis is None or _price_basis(o, False) in (None, basis))
            and (wording is None or variant_of(o.indicator, o.metric) in (None, wording))]  # 外资 is not 外商直接投资
    exact = [o for o in same if o.measure == claim.measure]
    if exact:
        return exact
    return [o for o in same if {o.measure, claim.measure} <= {"value", "ratio"}]


def _recalled(c: Record, year: int | None) -> bool:
    """年初确定的…目标, 五年累计…, 到2000年…要保证: not a statement of the year's result."""
    i = c.sentence.find(c.quote)
    clause = c.sentence[max(0, i - 16) : i] + c.quote if i >= 0 else c.quote
    other_year = any(int(y) != year for y in _YEAR_IN.findall(clause)) if year is not None else False
    return other_year or re.search(load_json("communique.json")["recalled_target"], clause) is not None


def check_claims(report_records: Sequence[Record], outturns: Sequence[Record], *, year: int | None) -> list[ClaimCheck]:
    """Every catalogue achievement report Y+1 states for year Y, against the communiqué of Y."""
    out: list[ClaimCheck] = []
    for c in report_records:
        if c.kind != "achievement" or not c.indicator or c.base_value is None or c.measure == "qualitative":
            continue
        if c.period is not None and year is not None and c.period != year:
            continue
        if c.scope != "annual" or c.measure in ("avg_growth", "cum_growth", "rank"):
            continue
        if several_year_reason(c, year) or _recalled(c, year):
            continue
        if c.measure == "value" and _INCREMENT.search(c.quote):
            continue  # 比上年增加505万吨: a change of the level, not the level the communiqué states
        best: tuple[int, float, int, Record] | None = None
        for o in _candidates(c, outturns):
            status, diff = compare_figures(c, o)
            table = 1 if _extra(o, "table") else 0  # a sentence before a table row that says the same
            score = (CLAIM_STATUSES.index(status), abs(diff) if diff is not None else float("inf"), table, o)
            if best is None or score[:3] < best[:3]:
                best = score
        if best is None:
            out.append(ClaimCheck(c.doc, year, c.indicator, c.measure, c.quote, c.value, c.unit, c.bound, c.estimated,
                                  None, None, None, None, "not_in_communique", None, c.id))
            continue
        o = best[3]
        status, diff = compare_figures(c, o)
        out.append(ClaimCheck(c.doc, year, c.indicator, c.measure, c.quote, c.value, c.unit, c.bound, c.estimated,
                              o.doc, o.quote, o.value, o.unit, status, diff, c.id, o.id))
    return out


def summarise_claims(checks: Iterable[ClaimCheck]) -> dict[str, int]:
    counts = dict.fromkeys(CLAIM_STATUSES, 0)
    for c in checks:
        counts[c.status] += 1
    counts["estimated"] = sum(1 for c in checks if c.estimated) if isinstance(checks, list) else 0
    return counts


# ----------------------------------------------------------------- two verdicts side by side


_JUDGED = ("met", "missed", "partly_met")


def _as_record(row: VerdictRow, official: bool) -> Record | None:
    """The outcome of a verdict row as a record, so ``compare_figures`` can apply the report's rounding."""
    if row.outcome_base_value is None:
        return None
    return Record(
        id=row.outcome_id or "", doc=row.outcome_doc or "", place=None, year=None, period=None, kind="achievement",
        estimated=row.outcome_estimated, section=[], sentence=row.outcome_quote or "", quote=row.outcome_quote or "",
        metric="", indicator=row.indicator, measure=row.outcome_measure or "value",  # type: ignore[arg-type]
        value=row.outcome_value, value_max=None, unit=row.outcome_unit, base_value=row.outcome_base_value,
        base_unit=row.outcome_base_unit, bound="exact" if official else row.bound,  # type: ignore[arg-type]
        strength="plain", deadline=None,
    )


def compare_verdicts(official: Sequence[VerdictRow], reported: Sequence[VerdictRow],
                     report_records: Sequence[Record] = ()) -> list[dict[str, Any]]:
    """The communiqué's verdict beside report Y+1's for each target; disagreements flagged with both quotes.

    They disagree when both judged the target (met / missed / partly met) differently,
    or when both found a figure of the same measure and the report's figure is not
    the official one even after the report's own rounding (``compare_figures``; pass
    ``report_records`` so the report's figure keeps its own bound and wording).
    """
    by_id = {r.target_id: r for r in reported}
    records = {r.id: r for r in report_records}  # the report's outcome with its own bound (在4800亿公斤以上)
    out = []
    for o in official:
        # report Y+1 reviews year Y only: a target for a later year (2000年粮食…in 1996) has no claim there
        r = by_id.get(o.target_id) if o.target_period in (None, o.year) else None
        rv = r.verdict if r else "not_reported"
        values_differ = False
        if r is not None and r.outcome_measure == o.outcome_measure:
            claim, fact = records.get(r.outcome_id or "") or _as_record(r, False), _as_record(o, True)
            if claim is not None and fact is not None and in_unit(fact, claim.base_unit) is not None:
                values_differ = compare_figures(claim, fact)[0] == "different"
        disagree = (o.verdict != rv and o.verdict in _JUDGED and rv in _JUDGED) or values_differ
        out.append({
            "doc": o.doc, "year": o.year, "indicator": o.indicator, "measure": o.measure,
            "target_quote": o.target_quote, "target_value": o.target_value, "bound": o.bound,
            "official_verdict": o.verdict, "official_quote": o.outcome_quote, "official_value": o.outcome_value,
            "report_verdict": rv, "report_quote": r.outcome_quote if r else None,
            "report_value": r.outcome_value if r else None, "report_estimated": r.outcome_estimated if r else False,
            "disagree": disagree, "values_differ": values_differ,
        })
    return out


# ----------------------------------------------------------------- corpus


def corpus_pairs(corpus: str | Path, first: int = 1978, last: int = 2026) -> list[tuple[int, Path | None, Path | None, Path | None]]:
    """(Y, national/<Y>.md, statistical_communiques/<Y>.md, national/<Y+1>.md) for every Y with a communiqué."""
    root = Path(corpus)
    comm_dir, nat_dir = root / "statistical_communiques", root / "national"
    if not comm_dir.is_dir() or not nat_dir.is_dir():
        raise ReportError(str(root), "not a corpus folder (needs national/ and statistical_communiques/)")
    out: list[tuple[int, Path | None, Path | None, Path | None]] = []
    for y in range(first, last + 1):
        comm = comm_dir / f"{y}.md"
        if not comm.exists():
            continue
        rep, nxt = nat_dir / f"{y}.md", nat_dir / f"{y + 1}.md"
        out.append((y, rep if rep.exists() else None, comm, nxt if nxt.exists() else None))
    return out


def series_rows(rows_by_year: Mapping[int, Sequence[VerdictRow]], outturns_by_year: Mapping[int, Sequence[Record]],
                indicator: str, measure: str = "growth") -> list[dict[str, Any]]:
    """Per year: the target of the indicator (first statement) and the official outturn, both quotes."""
    out = []
    for y in sorted(set(rows_by_year) | set(outturns_by_year)):
        candidates = [r for r in rows_by_year.get(y, []) if r.indicator == indicator and (
            r.measure == measure or (measure == "growth" and r.measure == "ratio" and _GROWTH_WORDS.search(r.target_quote)))]
        # a target names itself (目标, 预期) or is qualified (左右, 以上, a range); a bare figure in the plan
        # part is more often a result recalled there (国内生产总值增长10.3%，居民消费价格涨幅控制在3.3%… in 2011)
        candidates.sort(key=lambda r: (0 if _TARGET_WORDS.search(r.target_quote) else 1,
                                       0 if r.bound != "exact" or r.target_value_max is not None else 1))
        row = candidates[0] if candidates else None
        official = next((o for o in judging_outturns(outturns_by_year.get(y, []))
                         if o.indicator == indicator and o.measure == measure), None)
        out.append({
            "year": y, "indicator": indicator, "measure": measure,
            "target_value": row.target_value if row else None,
            "target_value_max": row.target_value_max if row else None,
            "target_bound": row.bound if row else None,
            "target_quote": row.target_quote if row else None,
            "outturn_value": official.value if official else None,
            "outturn_quote": official.quote if official else None,
            "verdict": _series_verdict(row, official, measure),
        })
    return out


def outturn_panel_rows(outturns: Iterable[Record]) -> list[dict[str, Any]]:
    """One row per (place, year, indicator, measure): the official figure the panel's outturn column shows.

    The same choice as the verdicts (``judging_outturns``): real income growth, the yearly average
    surveyed unemployment, a sentence before a table row; the first statement of each figure.
    """
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in judging_outturns(outturns):
        key = (r.place, r.period, r.indicator, r.measure, r.base_unit)
        out.setdefault(key, {
            "place": r.place, "year": r.period, "indicator": r.indicator, "measure": r.measure,
            "outturn_value": r.value, "outturn_unit": r.unit, "outturn_base_value": r.base_value,
            "base_unit": r.base_unit, "outturn_quote": r.quote, "outturn_doc": r.doc, "outturn_id": r.id,
        })
    return list(out.values())


def _series_verdict(row: VerdictRow | None, official: Record | None, measure: str) -> str | None:
    """The row's verdict; a growth target the report extraction read as a share (调控目标定为8%) is judged here."""
    from govledger.track.judge import judge

    if row is None:
        return None
    if row.measure == measure:
        return row.verdict
    target = Record(
        id=row.target_id, doc=row.doc, place=row.place, year=row.year, period=row.target_period, kind="target",
        estimated=False, section=[], sentence=row.sentence, quote=row.target_quote, metric=row.metric,
        indicator=row.indicator, measure=measure,  # type: ignore[arg-type]
        value=row.target_value, value_max=row.target_value_max, unit=row.target_unit,
        base_value=row.target_base_value, base_unit=row.base_unit, bound=row.bound,  # type: ignore[arg-type]
        strength=row.strength,  # type: ignore[arg-type]
        deadline=None,
    )
    return judge(target, official).verdict
