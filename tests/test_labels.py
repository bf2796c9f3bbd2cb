"""The hand-labelled plan-part quantities (tests/data/labels) and their scorer.

The label files are an independent check of the extractor, so they are
validated against the report texts themselves: every quote is verbatim at its
offset inside the labelled plan span, base values follow from value and unit,
and every field takes a value the schema allows.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from govledger.evaluation.quantities import load_labels, quantity_match, score_quantities
from tests.conftest import REPORTS

LABELS = Path(__file__).resolve().parent / "data" / "labels"

FIELDS = (
    "doc",
    "kind",
    "metric",
    "indicator",
    "measure",
    "value",
    "value_max",
    "unit",
    "base_value",
    "base_unit",
    "bound",
    "strength",
    "estimated",
    "deadline",
    "quote",
    "start",
)
CATALOGUE = {
    "gdp",
    "industrial_va",
    "fixed_asset_investment",
    "retail_sales",
    "budget_revenue",
    "resident_income",
    "urban_income",
    "rural_income",
    "urban_new_jobs",
    "unemployment_surveyed",
    "unemployment_registered",
    "cpi",
    "grain_output",
    "hog_output",
    "foreign_trade",
    "foreign_investment",
    "services_va",
    "urbanization_rate",
    "energy_intensity",
    "industrial_energy_intensity",
}
MEASURES = {"growth", "avg_growth", "cum_growth", "pp_change", "value", "ratio", "rank", "qualitative"}
BOUNDS = {"min", "max", "approx", "exact"}
STRENGTHS = {"ensure", "strive", "plain"}
KINDS = {"target", "achievement"}
CITY = {"yaan_2024", "guangyuan_2024"}
NATIONAL = {"guowuyuan_2023", "guowuyuan_2024", "guowuyuan_2025"}

# longest first; units that start with 千/百 but carry no multiplier stay whole
PREFIXES = (
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("千万", 1e7),
    ("百万", 1e6),
    ("亿", 1e8),
    ("万", 1e4),
    ("千", 1e3),
    ("百", 1e2),
)
WHOLE_UNITS = {"千瓦", "千瓦时", "千米", "千克", "千伏", "百分点", "个百分点"}
SPECIAL = {
    "%": ("%", 1.0),
    "％": ("%", 1.0),
    "个百分点": ("pp", 1.0),
    "百分点": ("pp", 1.0),
    "倍": ("%", 100.0),
    "成": ("%", 10.0),
    "位": ("位", 1.0),
}

needs_reports = pytest.mark.skipif(
    not (REPORTS / "yaan_2024.txt").exists(), reason="sample reports not available"
)


def expected_base(value: float, unit: str) -> tuple[float, str] | None:
    """base_value and base_unit implied by value and unit; None for units that need a note."""
    if unit in SPECIAL:
        base_unit, mult = SPECIAL[unit]
        return value * mult, base_unit
    if unit == "番":  # 翻N番: multiplied by 2**N
        return (2**value - 1) * 100, "%"
    if unit == "兆瓦":
        return value * 1000, "千瓦"
    if unit in WHOLE_UNITS:
        return value, unit
    for prefix, mult in PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            rest = unit[len(prefix) :]
            if rest == "级":  # 千亿级 规模 / 投资: an amount of money
                return value * mult, "元"
            return value * mult, rest
    return None


def _all() -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    return load_labels(LABELS)


def _text(doc: str) -> str:
    with open(REPORTS / f"{doc}.txt", encoding="utf-8") as fh:
        return fh.read()


# ---------------------------------------------------------------- the labels


def test_label_files_are_jsonl_named_after_their_doc() -> None:
    files = sorted(LABELS.glob("*.jsonl"))
    assert len(files) >= 6
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                rec = json.loads(line)
                assert rec["doc"] == path.stem, f"{path.name}:{n}"


def test_fields_are_valid_per_schema() -> None:
    records, _ = _all()
    for rec in records:
        where = f"{rec['doc']} {rec['quote']}"
        assert all(f in rec for f in FIELDS), where
        assert rec["kind"] in KINDS, where
        assert rec["measure"] in MEASURES, where
        assert rec["bound"] in BOUNDS, where
        assert rec["strength"] in STRENGTHS, where
        assert isinstance(rec["estimated"], bool), where
        assert rec["indicator"] is None or rec["indicator"] in CATALOGUE, where
        assert isinstance(rec["metric"], str) and rec["metric"].strip(), where
        assert isinstance(rec["quote"], str) and rec["quote"] == rec["quote"].strip(), where
        if rec["deadline"] is not None:
            dt.date.fromisoformat(rec["deadline"])
        if rec["measure"] == "qualitative":
            assert rec["indicator"] in CATALOGUE, where
            assert rec["bound"] == "exact", where
            assert all(rec[f] is None for f in ("value", "value_max", "unit", "base_value", "base_unit")), (
                where
            )
        else:
            assert isinstance(rec["value"], int | float) and not isinstance(rec["value"], bool), where
            assert isinstance(rec["base_value"], int | float), where
            assert rec["unit"] and rec["base_unit"], where
            assert rec["value_max"] is None or rec["value_max"] > rec["value"], where
        if rec["measure"] == "rank":
            assert rec["base_unit"] == "位" and rec["value"] >= 1, where
        if rec["measure"] in ("growth", "ratio", "avg_growth", "cum_growth"):
            assert rec["base_unit"] == "%", where
        if rec["measure"] == "pp_change":
            assert rec["base_unit"] == "pp", where


def test_base_values_follow_from_value_and_unit() -> None:
    records, _ = _all()
    checked = 0
    for rec in records:
        if rec["measure"] == "qualitative":
            continue
        want = expected_base(rec["value"], rec["unit"])
        if want is None:
            # a unit without multiplier: the base is the value itself
            if rec["base_unit"] == rec["unit"]:
                want = (rec["value"], rec["unit"])
            else:
                assert rec.get("note"), f"unit {rec['unit']} needs a note: {rec['quote']}"
                continue
        assert rec["base_unit"] == want[1], rec["quote"]
        assert rec["base_value"] == pytest.approx(want[0], rel=1e-9), rec["quote"]
        checked += 1
    assert checked >= 300


def test_decreases_are_negative_and_bounds_are_written() -> None:
    records, _ = _all()
    for rec in records:
        if rec["measure"] == "qualitative":
            continue
        q = re.sub(r"规模以上|级以上|及以上|亿元以上(?=项目|企业)|规上|限上", "", rec["quote"])
        if rec["measure"] == "growth" and re.search(r"下降|降低|减少|压减", q):
            assert rec["value"] < 0, rec["quote"]
        if rec["bound"] == "approx":
            assert re.search(r"左右|约", q), rec["quote"]
        if rec["bound"] == "max":
            assert re.search(r"以内|以下|不超过|不高于|控制在", q), rec["quote"]
        if rec["bound"] == "min" and not rec.get("note"):
            assert re.search(r"以上|超过|超|突破|不低于|不少于|迈上|跨过", q), rec["quote"]
        if re.search(r"左右", q):
            assert rec["bound"] == "approx", rec["quote"]


@needs_reports
def test_quotes_are_verbatim_in_order_and_inside_the_plan_span() -> None:
    records, spans = _all()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_doc.setdefault(rec["doc"], []).append(rec)
    for doc, recs in by_doc.items():
        text = _text(doc)
        assert doc in spans, doc
        start, end = spans[doc]
        last = -1
        for rec in recs:
            s = rec["start"]
            assert text[s : s + len(rec["quote"])] == rec["quote"], f"{doc}: {rec['quote']}"
            assert start <= s and s + len(rec["quote"]) <= end, f"{doc}: {rec['quote']} outside the plan part"
            assert s >= last, f"{doc}: {rec['quote']} out of document order"
            last = s


@needs_reports
def test_spans_start_at_the_plan_heading_and_end_at_the_closing_words() -> None:
    with open(LABELS / "spans.json", encoding="utf-8") as fh:
        entries = json.load(fh)
    assert {e["doc"] for e in entries} == {p.stem for p in LABELS.glob("*.jsonl")}
    for e in entries:
        text = _text(e["doc"])
        assert text.startswith(e["plan_heading"], e["plan_start"]), e["doc"]
        assert 0 < e["plan_start"] < e["plan_end"] <= len(text), e["doc"]
        closing = text[text.rfind("\n", 0, e["plan_end"] - 1) + 1 : e["plan_end"]]
        assert re.search(r"让我们|我们要更加紧密地团结", closing), e["doc"]
        assert text[e["plan_end"] :].strip() == "" or text[e["plan_end"]] == "\n", e["doc"]


def test_enough_records_from_every_level() -> None:
    records, _ = _all()
    numeric = [r for r in records if r["measure"] != "qualitative"]
    docs = {r["doc"] for r in numeric}
    assert len(numeric) >= 300
    assert len(docs) >= 6
    assert docs & CITY and docs & NATIONAL and docs - CITY - NATIONAL


def test_labels_score_perfectly_against_themselves() -> None:
    records, spans = _all()
    result = score_quantities(copy.deepcopy(records), records, spans=spans)
    assert result.numeric.fn == 0 and result.numeric.fp == 0
    assert result.qualitative.recall == 1.0
    assert all(ok == n for ok, n in result.field_accuracy.values())


# ---------------------------------------------------------------- the scorer


def _label(**kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "doc": "d",
        "kind": "target",
        "metric": "地区生产总值",
        "indicator": "gdp",
        "measure": "growth",
        "value": 6.5,
        "value_max": None,
        "unit": "%",
        "base_value": 6.5,
        "base_unit": "%",
        "bound": "min",
        "strength": "plain",
        "estimated": False,
        "deadline": None,
        "quote": "地区生产总值增长6.5%以上",
        "start": 120,
    }
    rec.update(kw)
    return rec


SPANS = {"d": (100, 1000)}


def test_perfect_match() -> None:
    labels = [
        _label(),
        _label(
            metric="新增旅游民宿",
            indicator=None,
            measure="value",
            value=100,
            unit="家",
            base_value=100,
            base_unit="家",
            bound="exact",
            quote="新增旅游民宿100家",
            start=300,
        ),
    ]
    result = score_quantities(copy.deepcopy(labels), labels, spans=SPANS)
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (2, 0, 0)
    assert result.precision == result.recall == result.f1 == 1.0
    assert result.field_accuracy["metric"] == (2, 2)
    assert not result.misses and not result.false_positives


def test_off_by_bound_is_a_miss_and_a_false_positive() -> None:
    label = _label()
    pred = _label(bound="exact")
    assert not quantity_match(pred, label)
    result = score_quantities([pred], [label], spans=SPANS)
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (0, 1, 1)
    assert result.misses == [label] and result.false_positives == [pred]


def test_false_positive_inside_the_span_and_ignored_outside() -> None:
    label = _label()
    extra = _label(
        measure="value", value=5, unit="户", base_value=5, base_unit="户", bound="exact", start=500
    )
    outside = _label(
        measure="value", value=7, unit="个", base_value=7, base_unit="个", bound="exact", start=20
    )
    other_doc = _label(doc="elsewhere")
    result = score_quantities([label, extra, outside, other_doc], [label], spans=SPANS)
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (1, 1, 0)
    assert result.precision == 0.5 and result.recall == 1.0
    assert result.false_positives == [extra]
    assert result.ignored_predictions == 2


def test_span_entries_may_come_with_the_labels() -> None:
    label = _label()
    outside = _label(start=5000)
    span_entry = {"doc": "d", "plan_start": 100, "plan_end": 1000}
    result = score_quantities([label, outside], [label, span_entry])
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (1, 0, 0)


def test_base_value_tolerance_and_other_fields_do_not_decide_a_match() -> None:
    label = _label(measure="value", value=1000, unit="亿元", base_value=1e11, base_unit="元", bound="min")
    pred = _label(
        measure="value",
        value=1,
        unit="千亿元",
        base_value=1e11 * (1 + 1e-12),
        base_unit="元",
        bound="min",
        metric="地区生产总值总量",
        strength="strive",
        indicator=None,
    )
    result = score_quantities([pred], [label], spans=SPANS)
    assert result.numeric.tp == 1
    assert result.field_accuracy["value"] == (0, 1)
    assert result.field_accuracy["unit"] == (0, 1)
    assert result.field_accuracy["metric"] == (0, 1)
    assert result.field_accuracy["strength"] == (0, 1)
    assert result.field_accuracy["indicator"] == (0, 1)
    assert result.field_accuracy["deadline"] == (1, 1)
    assert not quantity_match(_label(base_value=6.6), _label())


def test_qualitative_labels_are_scored_apart() -> None:
    qual = _label(
        measure="qualitative",
        value=None,
        unit=None,
        base_value=None,
        base_unit=None,
        bound="exact",
        indicator="resident_income",
        quote="城乡居民人均可支配收入和经济增长基本同步",
        start=200,
    )
    result = score_quantities([copy.deepcopy(qual)], [_label(), qual], spans=SPANS)
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (0, 0, 1)
    assert result.qualitative.tp == 1


def test_matching_is_one_to_one_and_prefers_the_nearest_prediction() -> None:
    first = _label(start=150)
    again = _label(start=800, quote="经济增长预期目标为6.5%以上")
    pred_late = _label(start=801, metric="经济增长")
    # greedy in document order: the first label takes the only prediction
    result = score_quantities([pred_late], [first, again], spans=SPANS)
    assert (result.numeric.tp, result.numeric.fp, result.numeric.fn) == (1, 0, 1)
    assert result.misses == [again]
    both = score_quantities([_label(start=151), pred_late], [first, again], spans=SPANS)
    assert (both.numeric.tp, both.numeric.fp, both.numeric.fn) == (2, 0, 0)
    assert [lab["start"] for _, lab in both.matched] == [150, 800]


def test_to_dict_is_json_serialisable() -> None:
    result = score_quantities([_label()], [_label()], spans=SPANS)
    out = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert out["numeric"]["f1"] == 1.0
    assert out["field_accuracy"]["metric"]["accuracy"] == 1.0
