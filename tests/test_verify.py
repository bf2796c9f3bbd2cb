"""Verdict rules v1 on hand-built records (the hard cases of issue 4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govledger.extract.scope import record_scope
from govledger.records import Record
from govledger.track.similarity import dice, jaccard, metric_similarity, normalise_metric
from govledger.track.verify import (
    VERDICTS,
    Override,
    direction_of,
    judge,
    judge_in_step,
    match_outcomes,
    summarise,
    verify_records,
    verify_reports,
)

_N = iter(range(1, 10_000))


def rec(
    quote: str,
    value: float | None,
    *,
    kind: str = "target",
    indicator: str | None = None,
    metric: str | None = None,
    measure: str = "growth",
    unit: str | None = "%",
    base_unit: str | None = "%",
    base_value: float | None = None,
    value_max: float | None = None,
    bound: str = "exact",
    strength: str = "plain",
    estimated: bool = False,
    doc: str | None = None,
    year: int = 2024,
    period: int | None = None,
    sentence: str | None = None,
    place: str = "广元市",
    review_run: str = "annual",
) -> Record:
    """A record as the extractor would give it; period defaults from kind (plan year / reviewed year).

    ``scope`` is decided by the extract stage's own rule, from the quote and its review run.
    """
    if doc is None:
        doc = f"guangyuan_{year}"
    if period is None:
        period = year if kind == "target" else year - 1
    fields: dict[str, Any] = dict(
        id=f"{doc}#{next(_N)}", doc=doc, place=place, year=year, period=period, kind=kind, estimated=estimated,
        section=[], sentence=sentence or quote + "。", quote=quote, metric=metric or quote, indicator=indicator,
        measure=measure, value=value, value_max=value_max, unit=unit,
        base_value=value if base_value is None else base_value, base_unit=base_unit, bound=bound,
        strength=strength, deadline=None,
    )
    sentence_text = str(fields["sentence"])
    i = max(sentence_text.find(quote), 0)
    fields["scope"] = record_scope(
        kind=kind, measure=measure, period=period, plan_year=year, review_run=review_run, sentence=sentence_text,
        quote_start=i, quote_end=i + len(quote), indicator=indicator, metric=str(fields["metric"]),
    )
    return Record(**fields)


def out(quote: str, value: float | None, **kw: Any) -> Record:
    """An achievement of report 2025 about 2024."""
    kw.setdefault("year", 2025)
    return rec(quote, value, kind="achievement", **kw)


GDP_T = dict(indicator="gdp", metric="地区生产总值")
GDP_O = dict(indicator="gdp", metric="地区生产总值")


# ----------------------------------------------------------------------------- bounds and tolerance


def test_approx_target_met_within_tolerance() -> None:
    t = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    assert judge(t, out("地区生产总值增长5%", 5, **GDP_O)).verdict == "met"
    assert judge(t, out("增长4.8%", 4.8, **GDP_O)).verdict == "met"  # 5 − 0.2
    v = judge(t, out("增长4.7%", 4.7, **GDP_O))
    assert v.verdict == "missed" and v.tolerance == 0.2 and v.gap == pytest.approx(-0.3)


def test_tolerance_is_configurable() -> None:
    t = rec("增长5%左右", 5, bound="approx", **GDP_T)
    o = out("增长4.7%", 4.7, **GDP_O)
    assert judge(t, o, tolerance_pp=0.5).verdict == "met"
    assert judge(t, o, tolerance_pp=0.0).verdict == "missed"
    assert judge(t, out("增长5%", 5, **GDP_O), tolerance_pp=0.0).verdict == "met"


def test_min_and_exact_bounds_have_no_tolerance() -> None:
    floor = rec("增长5.5%以上", 5.5, bound="min", **GDP_T)
    assert judge(floor, out("增长5.4%", 5.4, **GDP_O)).verdict == "missed"
    assert judge(floor, out("增长5.5%", 5.5, **GDP_O)).verdict == "met"
    exact = rec("增长4.5%", 4.5, **GDP_T)  # 天津 2026: no qualifier
    assert judge(exact, out("增长4.4%", 4.4, **GDP_O)).verdict == "missed"
    assert judge(exact, out("增长4.6%", 4.6, **GDP_O)).verdict == "met"


def test_amount_tolerance_is_relative() -> None:
    t = rec("城镇新增就业1200万人左右", 1200, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
            unit="万人", base_value=12_000_000, base_unit="人", bound="approx")
    near = out("城镇新增就业1190万人", 1190, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
               unit="万人", base_value=11_900_000, base_unit="人")
    far = out("城镇新增就业1180万人", 1180, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
              unit="万人", base_value=11_800_000, base_unit="人")
    assert judge(t, near).verdict == "met"  # 1 % of 1200万 = 12万
    assert judge(t, far).verdict == "missed"
    assert judge(t, far, tolerance_rel=0.02).verdict == "met"


def test_max_bound_reverses_for_higher_is_better() -> None:
    t = rec("政府性债务率控制在120%以内", 120, metric="政府性债务率", measure="ratio", bound="max")
    assert judge(t, out("政府性债务率118%", 118, metric="政府性债务率", measure="ratio")).verdict == "met"
    assert judge(t, out("政府性债务率125%", 125, metric="政府性债务率", measure="ratio")).verdict == "missed"


def test_units_compare_through_base_value() -> None:
    # 千亿元 vs 1200亿元: both in 元
    t = rec("地区生产总值突破千亿元", 1, indicator="gdp", metric="地区生产总值", measure="value", unit="千亿元",
            base_value=1e11, base_unit="元", bound="min")
    o = out("地区生产总值达到1200亿元", 1200, indicator="gdp", metric="地区生产总值", measure="value",
            unit="亿元", base_value=1.2e11, base_unit="元")
    assert judge(t, o).verdict == "met"


def test_weights_convert_but_currencies_do_not() -> None:
    grain_t = rec("粮食产量1.3万亿斤以上", 1.3, indicator="grain_output", metric="粮食产量", measure="value",
                  unit="万亿斤", base_value=1.3e12, base_unit="斤", bound="min")
    grain_o = out("粮食产量6.9亿吨", 6.9, indicator="grain_output", metric="粮食产量", measure="value",
                  unit="亿吨", base_value=6.9e8, base_unit="吨")
    assert judge(grain_t, grain_o).verdict == "met"  # 6.9亿吨 = 1.38万亿斤
    trade_t = rec("进出口总额500亿元", 500, indicator="foreign_trade", metric="进出口总额", measure="value",
                  unit="亿元", base_value=5e10, base_unit="元")
    trade_o = out("进出口总额80亿美元", 80, indicator="foreign_trade", metric="进出口总额", measure="value",
                  unit="亿美元", base_value=8e9, base_unit="美元")
    v = judge(trade_t, trade_o)
    assert v.verdict == "not_comparable" and "units" in v.reason


# ----------------------------------------------------------------------------- direction and decreases


def test_lower_is_better_indicators() -> None:
    unemp = rec("城镇调查失业率5.5%左右", 5.5, indicator="unemployment_surveyed", metric="城镇调查失业率",
                measure="ratio", bound="approx")
    assert judge(unemp, out("城镇调查失业率平均为5.1%", 5.1, indicator="unemployment_surveyed",
                            metric="城镇调查失业率", measure="ratio")).verdict == "met"
    assert judge(unemp, out("城镇调查失业率5.6%", 5.6, indicator="unemployment_surveyed",
                            metric="城镇调查失业率", measure="ratio")).verdict == "met"  # 5.5 + 0.2
    assert judge(unemp, out("城镇调查失业率5.8%", 5.8, indicator="unemployment_surveyed",
                            metric="城镇调查失业率", measure="ratio")).verdict == "missed"
    cpi = rec("居民消费价格涨幅3%左右", 3, indicator="cpi", metric="居民消费价格涨幅", bound="approx")
    assert judge(cpi, out("居民消费价格上涨0.2%", 0.2, indicator="cpi", metric="居民消费价格")).verdict == "met"
    assert judge(cpi, out("居民消费价格上涨3.5%", 3.5, indicator="cpi", metric="居民消费价格")).verdict == "missed"


def test_cpi_growth_and_ratio_are_the_same_quantity() -> None:
    cpi = rec("居民消费价格涨幅2%左右", 2, indicator="cpi", metric="居民消费价格涨幅", measure="ratio", bound="approx")
    assert judge(cpi, out("居民消费价格上涨0.2%", 0.2, indicator="cpi", metric="居民消费价格")).verdict == "met"


def test_direction_comes_from_catalogue_file() -> None:
    assert direction_of("cpi")[0] == "down"
    assert direction_of("energy_intensity")[0] == "down"
    assert direction_of("gdp")[0] == "up"
    # directions come from the catalogue only: an id it does not know is "up" by default, and says so
    d, source = direction_of("no_such_indicator")
    assert d == "up" and source.startswith("default") and "no_such_indicator" in source
    assert direction_of(None, "PM2.5平均浓度")[0] == "down"
    assert direction_of(None, "高新技术企业数量") == ("up", "default")


def test_decrease_target() -> None:
    t = rec("单位国内生产总值能耗降低2.5%左右", -2.5, indicator="energy_intensity", metric="单位国内生产总值能耗",
            bound="approx")
    assert judge(t, out("单位国内生产总值能耗下降3.8%", -3.8, indicator="energy_intensity",
                        metric="单位国内生产总值能耗")).verdict == "met"
    assert judge(t, out("下降2.3%", -2.3, indicator="energy_intensity", metric="能耗")).verdict == "met"
    assert judge(t, out("下降2.2%", -2.2, indicator="energy_intensity", metric="能耗")).verdict == "missed"
    # off the catalogue, higher-is-better default: a 下降10%以上 target still needs a fall of 10
    cut = rec("化肥使用量下降10%以上", -10, metric="化肥使用量", bound="min")
    assert judge(cut, out("化肥使用量下降12%", -12, metric="化肥使用量")).verdict == "met"
    assert judge(cut, out("化肥使用量下降8%", -8, metric="化肥使用量")).verdict == "missed"
    assert judge(cut, out("化肥使用量增长1%", 1, metric="化肥使用量")).verdict == "missed"


def test_decrease_with_ceiling() -> None:
    t = rec("降幅不超过3%", -3, metric="工业产值", bound="max")
    assert judge(t, out("工业产值下降2%", -2, metric="工业产值")).verdict == "met"
    assert judge(t, out("工业产值下降4%", -4, metric="工业产值")).verdict == "missed"


# ----------------------------------------------------------------------------- ranges


def test_range_uses_lower_end() -> None:
    t = rec("地区生产总值增长4.5%—5%", 4.5, value_max=5, **GDP_T)
    v = judge(t, out("增长4.6%", 4.6, **GDP_O))
    assert v.verdict == "met" and v.target_used == 4.5
    assert judge(t, out("增长4.4%", 4.4, **GDP_O)).verdict == "missed"
    approx_range = rec("增长5%—5.5%左右", 5, value_max=5.5, bound="approx", **GDP_T)
    assert judge(approx_range, out("增长4.8%", 4.8, **GDP_O)).verdict == "met"


def test_range_with_scaled_units() -> None:
    t = rec("粮食产量1.3万—1.4万亿斤", 1.3, value_max=1.4, indicator="grain_output", metric="粮食产量",
            measure="value", unit="万亿斤", base_value=1.3e12, base_unit="斤")
    o = out("粮食产量1.32万亿斤", 1.32, indicator="grain_output", metric="粮食产量", measure="value",
            unit="万亿斤", base_value=1.32e12, base_unit="斤")
    v = judge(t, o)
    assert v.verdict == "met" and v.target_used == pytest.approx(1.3e12)


# ----------------------------------------------------------------------------- outcome choice


def test_no_outcome_is_not_reported_never_met() -> None:
    targets = [rec("社会消费品零售总额增长6%", 6, indicator="retail_sales", metric="社会消费品零售总额")]
    outcomes = [out("地区生产总值增长5.2%", 5.2, **GDP_O)]
    rows = verify_records(targets, outcomes, year=2024)
    assert [r.verdict for r in rows] == ["not_reported"]
    assert rows[0].outcome_quote is None and rows[0].match_score is None
    assert judge(targets[0], None).verdict == "not_reported"


def test_outcome_of_another_period_is_ignored() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    old = out("2022年地区生产总值增长7%", 7, period=2022, **GDP_O)
    rows = verify_records([t], [old], year=2024)
    assert rows[0].verdict == "not_reported"


def test_measure_mismatch_is_not_comparable() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    level = out("地区生产总值迈上14万亿元", 14, measure="value", unit="万亿元", base_value=1.4e13, base_unit="元",
                bound="min", **GDP_O)
    rows = verify_records([t], [level], year=2024)
    assert rows[0].verdict == "not_comparable"
    assert rows[0].outcome_quote == "地区生产总值迈上14万亿元"


def test_same_measure_preferred_over_first_found() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    level = out("地区生产总值1.3万亿元", 1.3, measure="value", unit="万亿元", base_value=1.3e12, base_unit="元",
                **GDP_O)
    growth = out("增长5.8%", 5.8, **GDP_O)
    m = match_outcomes([t], [level, growth])[0]
    assert m.outcome is growth and m.by == "indicator" and m.score == 1.0
    assert verify_records([t], [level, growth], year=2024)[0].verdict == "missed"


def test_multi_year_outcome_does_not_judge_one_year_target() -> None:
    t = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    avg = out("地区生产总值年均增长5.7%", 5.7, measure="avg_growth", **GDP_O)
    cum = out("地区生产总值较2020年增长30%", 30, measure="cum_growth", **GDP_O)
    rows = verify_records([t], [avg, cum], year=2024)
    assert rows[0].verdict == "not_reported"
    assert "avg_growth" in rows[0].reason
    annual = out("增长5.3%", 5.3, **GDP_O)
    rows = verify_records([t], [avg, annual], year=2024)
    assert rows[0].verdict == "met" and rows[0].outcome_quote == "增长5.3%"
    assert judge(t, avg).verdict == "not_comparable"


def test_several_year_total_does_not_judge_a_yearly_target() -> None:
    t = rec("城镇新增就业50万人以上", 50, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
            unit="万人", base_value=500_000, base_unit="人", bound="min")
    total = out("城镇新增就业累计260万人", 260, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
                unit="万人", base_value=2_600_000, base_unit="人")
    assert verify_records([t], [total], year=2024)[0].verdict == "not_reported"
    # a floor for every year of the five-year review counts
    floor = out("城镇新增就业每年超过52万人", 52, indicator="urban_new_jobs", metric="城镇新增就业",
                measure="value", unit="万人", base_value=520_000, base_unit="人", bound="min")
    assert verify_records([t], [total, floor], year=2024)[0].verdict == "met"


def test_whole_year_figure_beats_a_quarter() -> None:
    t = rec("地区生产总值增长5.5%", 5.5, **GDP_T)
    q1 = out("一季度地区生产总值增长6%", 6, sentence="一季度地区生产总值增长6%，全年增长4.8%。", **GDP_O)
    year = out("全年增长4.8%", 4.8, sentence="一季度地区生产总值增长6%，全年增长4.8%。", **GDP_O)
    row = verify_records([t], [q1, year], year=2024)[0]
    assert row.outcome_quote == "全年增长4.8%" and row.verdict == "missed"


def test_estimated_outcome_is_judged_and_flagged() -> None:
    t = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    est = out("预计地区生产总值增长5.2%左右", 5.2, estimated=True, bound="approx", **GDP_O)
    row = verify_records([t], [est], year=2024)[0]
    assert row.verdict == "met" and row.outcome_estimated is True
    assert "预计" in row.reason
    est_low = out("预计地区生产总值增长3.5%以上", 3.5, estimated=True, bound="min", **GDP_O)
    row = verify_records([rec("增长6%以上", 6, bound="min", **GDP_T)], [est_low], year=2024)[0]
    assert row.verdict == "missed" and row.outcome_estimated is True


# ----------------------------------------------------------------------------- metric similarity


def test_similarity_scores() -> None:
    assert normalise_metric("全省城镇新增就业 ") == "城镇新增就业"
    assert dice("城镇新增就业", "城镇新增就业") == 1.0
    assert 0 < jaccard("高新技术企业", "高新技术企业数量") < dice("高新技术企业", "高新技术企业数量") < 1
    assert metric_similarity("新增城镇就业", "城镇新增就业") < 0.7
    assert metric_similarity("城镇新增就业", "城镇新增就业人数") >= 0.9
    assert metric_similarity("高速公路通车里程", "森林覆盖率") == 0.0
    assert metric_similarity("", "森林覆盖率") == 0.0


def test_off_catalogue_target_matched_by_metric() -> None:
    t = rec("森林覆盖率达到48.5%", 48.5, metric="森林覆盖率", measure="ratio", bound="min")
    o1 = out("全市森林覆盖率达到48.9%", 48.9, metric="全市森林覆盖率", measure="ratio")
    o2 = out("高速公路通车里程达到500公里", 500, metric="高速公路通车里程", measure="value", unit="公里",
             base_unit="公里")
    m = match_outcomes([t], [o2, o1])[0]
    assert m.outcome is o1 and m.by == "metric" and m.score == 1.0
    row = verify_records([t], [o2, o1], year=2024)[0]
    assert row.verdict == "met" and row.match_score == 1.0


def test_similarity_threshold_and_score_in_row() -> None:
    t = rec("新建5G基站3000个", 3000, metric="新建5G基站", measure="value", unit="个", base_unit="个")
    o = out("5G基站总数达到1.2万个", 1.2, metric="5G基站总数", measure="value", unit="万个", base_value=12000,
            base_unit="个")
    m = match_outcomes([t], [o], threshold=0.5)[0]
    # a stock is not a flow: the score is lowered below the threshold
    assert m.outcome is None
    loose = match_outcomes([t], [o], threshold=0.3)[0]
    assert loose.outcome is o and 0.3 <= (loose.score or 0) < 0.5


def test_catalogue_target_never_matched_to_off_catalogue_outcome() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    national = out("全国地区生产总值增长5%", 5, metric="全国地区生产总值")  # another place: no indicator
    assert verify_records([t], [national], year=2024)[0].verdict == "not_reported"


# ----------------------------------------------------------------------------- headline + work plan, stretch


def test_restated_target_gives_one_row_with_one_outcome() -> None:
    head = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    again = rec("经济增长预期目标为5%左右", 5, bound="approx", indicator="gdp", metric="经济增长")
    jobs = rec("城镇新增就业5万人", 5, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
               unit="万人", base_value=50_000, base_unit="人")
    o = out("地区生产总值增长5.1%", 5.1, **GDP_O)
    rows = verify_records([head, jobs, again], [o], year=2024)
    assert [r.target_id for r in rows] == [head.id, jobs.id]
    assert rows[0].also_stated == [again.id] and rows[0].verdict == "met"
    every = verify_records([head, jobs, again], [o], year=2024, include_all=True)
    assert [r.target_id for r in every] == [head.id, jobs.id, again.id]
    assert every[2].verdict == "met" and every[2].outcome_id == o.id and every[2].also_stated == [head.id]


def test_different_restatement_is_its_own_row() -> None:
    head = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    plan = rec("经济增长5.5%", 5.5, indicator="gdp", metric="经济增长")
    rows = verify_records([head, plan], [out("增长5.2%", 5.2, **GDP_O)], year=2024)
    assert [r.verdict for r in rows] == ["met", "missed"]


def test_stretch_beside_floor_is_partly_met() -> None:
    sentence = "地区生产总值增长7%以上、力争达到8%。"
    floor = rec("地区生产总值增长7%以上", 7, bound="min", sentence=sentence, **GDP_T)
    stretch = rec("力争达到8%", 8, strength="strive", sentence=sentence, **GDP_T)
    rows = verify_records([floor, stretch], [out("增长7.5%", 7.5, **GDP_O)], year=2024)
    assert [r.verdict for r in rows] == ["met", "partly_met"]
    assert "floor" in rows[1].reason
    both = verify_records([floor, stretch], [out("增长8.1%", 8.1, **GDP_O)], year=2024)
    assert [r.verdict for r in both] == ["met", "met"]
    neither = verify_records([floor, stretch], [out("增长6.1%", 6.1, **GDP_O)], year=2024)
    assert [r.verdict for r in neither] == ["missed", "missed"]
    silent = verify_records([floor, stretch], [], year=2024)
    assert [r.verdict for r in silent] == ["not_reported", "not_reported"]


def test_strive_alone_is_not_partly_met() -> None:
    t = rec("力争增长8%", 8, strength="strive", **GDP_T)
    assert verify_records([t], [out("增长7.5%", 7.5, **GDP_O)], year=2024)[0].verdict == "missed"


# ----------------------------------------------------------------------------- qualitative


def _in_step_target(quote: str = "居民收入增长和经济增长同步", indicator: str | None = "resident_income") -> Record:
    return rec(quote, None, indicator=indicator, metric="居民收入", measure="qualitative", unit=None,
               base_unit=None)


def test_in_step_judged_against_gdp_growth() -> None:
    t = _in_step_target()
    gdp = out("国内生产总值增长5%", 5, **GDP_O)
    inc = out("居民人均可支配收入实际增长5.1%", 5.1, indicator="resident_income", metric="居民人均可支配收入")
    row = verify_records([t], [gdp, inc], year=2024)[0]
    assert row.verdict == "met" and row.match_by == "in_step" and row.outcome_value == 5.1
    low = out("居民人均可支配收入增长4.7%", 4.7, indicator="resident_income", metric="居民人均可支配收入")
    assert verify_records([t], [gdp, low], year=2024)[0].verdict == "missed"
    near = out("居民人均可支配收入增长4.8%", 4.8, indicator="resident_income", metric="居民人均可支配收入")
    assert verify_records([t], [gdp, near], year=2024)[0].verdict == "met"  # GDP − 0.2


def test_in_step_without_outcomes_is_not_judged() -> None:
    t = _in_step_target("城乡居民收入增长与经济增长基本同步", indicator=None)
    gdp = out("国内生产总值增长5%", 5, **GDP_O)
    row = verify_records([t], [gdp], year=2024)[0]
    assert row.verdict == "not_judged" and "income" in row.reason


def test_in_step_from_urban_and_rural_income() -> None:
    t = _in_step_target()
    gdp = out("地区生产总值增长5%", 5, **GDP_O)
    urban = out("城镇居民人均可支配收入增长4.5%", 4.5, indicator="urban_income", metric="城镇居民人均可支配收入")
    rural = out("农村居民人均可支配收入增长6.5%", 6.5, indicator="rural_income", metric="农村居民人均可支配收入")
    assert verify_records([t], [gdp, urban, rural], year=2024)[0].verdict == "not_judged"
    urban_ok = out("城镇居民人均可支配收入增长5.2%", 5.2, indicator="urban_income", metric="城镇居民人均可支配收入")
    assert verify_records([t], [gdp, urban_ok, rural], year=2024)[0].verdict == "met"


def test_revenue_in_step() -> None:
    t = rec("一般公共预算收入与经济增长同步", None, indicator="budget_revenue", metric="一般公共预算收入",
            measure="qualitative", unit=None, base_unit=None)
    gdp = out("地区生产总值增长5%", 5, **GDP_O)
    rev = out("一般公共预算收入增长3%", 3, indicator="budget_revenue", metric="一般公共预算收入")
    assert verify_records([t], [gdp, rev], year=2024)[0].verdict == "missed"


def test_other_qualitative_is_not_judged() -> None:
    t = rec("国际收支保持基本平衡", None, metric="国际收支", measure="qualitative", unit=None, base_unit=None)
    assert verify_records([t], [], year=2024)[0].verdict == "not_judged"
    assert judge(t, out("国际收支基本平衡", None, metric="国际收支", measure="qualitative")).verdict == "not_judged"


def test_judge_in_step_directly() -> None:
    t = _in_step_target()
    inc = out("居民收入增长6.1%", 6.1, indicator="resident_income")
    gdp = out("增长5.2%", 5.2, **GDP_O)
    assert judge_in_step(t, inc, gdp).verdict == "met"
    assert judge_in_step(t, None, gdp).verdict == "not_judged"


# ----------------------------------------------------------------------------- reports, periods, checks


def test_multi_year_plan_targets_are_not_judged_one_year() -> None:
    plan = rec("到2027年地区生产总值突破3000亿元", 3000, measure="value", unit="亿元", base_value=3e11,
               base_unit="元", bound="min", period=2027, **GDP_T)
    year = rec("地区生产总值增长6%", 6, **GDP_T)
    o = out("增长6.2%", 6.2, **GDP_O)
    rows = verify_records([plan, year], [o], year=2024)
    assert [r.target_id for r in rows] == [year.id]
    every = verify_records([plan, year], [o], year=2024, include_all=True)
    assert {r.target_id: r.verdict for r in every} == {year.id: "met", plan.id: "not_judged"}


def test_verify_reports_checks_years_and_places() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    o = out("增长6.2%", 6.2, place="广元", **GDP_O)  # short form of the same place
    rows = verify_reports([t], [o])
    assert rows[0].verdict == "met" and rows[0].place == "广元市" and rows[0].year == 2024
    with pytest.raises(ValueError, match="not the year after"):
        verify_reports([t], [out("增长6.2%", 6.2, year=2026, **GDP_O)])
    with pytest.raises(ValueError, match="雅安市"):
        verify_reports([t], [out("增长6.2%", 6.2, place="雅安市", **GDP_O)])


def test_verdict_row_fields_and_summary() -> None:
    t = rec("地区生产总值增长6%", 6, **GDP_T)
    row = verify_records([t], [out("增长6.2%", 6.2, **GDP_O)], year=2024)[0]
    d = row.as_dict()
    for key in ("doc", "place", "year", "indicator", "metric", "target_quote", "target_value", "bound",
                "outcome_quote", "outcome_value", "verdict", "match_score", "outcome_estimated", "reason"):
        assert key in d
    assert d["target_value"] == 6 and isinstance(d["target_value"], int)
    json.dumps(d, ensure_ascii=False)
    counts = summarise([row])
    assert counts["met"] == 1 and set(counts) == set(VERDICTS)


# ----------------------------------------------------------------------------- overrides


def test_overrides_set_verdict_and_keep_reason() -> None:
    from govledger.track.overrides import apply_overrides

    t = rec("社会消费品零售总额增长6%", 6, indicator="retail_sales", metric="社会消费品零售总额")
    rows = verify_records([t], [], year=2024, doc="guangyuan_2024")
    ovs = [
        Override("guangyuan_2024", "missed", "statistical bulletin: 4.1%", target_quote="社会消费品零售总额增长6%",
                 by="analyst"),
        Override("guangyuan_2024", "missed", "bulletin 2025-03: retail sales grew 4.1%",
                 target_quote="社会消费品零售总额增长6%", by="analyst"),
        Override("other_2024", "met", "another report", target_quote="社会消费品零售总额增长6%", by="analyst"),
    ]
    assert apply_overrides(rows, ovs) == 1
    assert rows[0].verdict == "missed" and rows[0].overridden and rows[0].auto_verdict == "not_reported"
    assert "bulletin 2025-03" in rows[0].reason and "not_reported" in rows[0].reason  # the newest wins


# ----------------------------------------------------------------------------- outcome bounds, plan shares, "ahead"


def test_outcome_floor_or_ceiling() -> None:
    grain = rec("粮食产量252亿斤以上", 252, indicator="grain_output", metric="粮食产量", measure="value", unit="亿斤",
                base_value=2.52e10, base_unit="斤", bound="min")
    above = out("粮食总产量突破1300万吨", 1300, indicator="grain_output", metric="粮食总产量", measure="value",
                unit="万吨", base_value=1.3e7, base_unit="吨", bound="min")
    assert judge(grain, above).verdict == "met"  # 1300万吨 = 260亿斤
    every_year = out("粮食产量连续13年稳定在240亿斤以上", 240, indicator="grain_output", metric="粮食产量",
                     measure="value", unit="亿斤", base_value=2.4e10, base_unit="斤", bound="min")
    v = judge(grain, every_year)
    assert v.verdict == "not_comparable" and "every year" in v.reason
    est_floor = out("预计增长3.5%以上", 3.5, estimated=True, bound="min", **GDP_O)
    assert judge(rec("增长6%以上", 6, bound="min", **GDP_T), est_floor).verdict == "missed"
    unemp = rec("城镇调查失业率控制在5%以内", 5, indicator="unemployment_surveyed", metric="城镇调查失业率",
                measure="ratio", bound="max")
    ceiling = out("城镇调查失业率控制在5%以内", 5, indicator="unemployment_surveyed", metric="城镇调查失业率",
                  measure="ratio", bound="max")
    assert judge(unemp, ceiling).verdict == "met"
    energy = rec("单位国内生产总值能耗降低2.5%左右", -2.5, indicator="energy_intensity", metric="能耗", bound="approx")
    fell = out("单位国内生产总值能耗降幅超过3%", -3, indicator="energy_intensity", metric="能耗", bound="min")
    assert judge(energy, fell).verdict == "met"


def test_share_of_the_plan_done() -> None:
    jobs = rec("城镇新增就业41万人", 41, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
               unit="万人", base_value=410_000, base_unit="人")
    share = out("城镇新增就业完成年计划的118.2%", 118.2, indicator="urban_new_jobs", metric="城镇新增就业",
                measure="ratio")
    v = judge(jobs, share)
    assert v.verdict == "met" and "plan" in v.reason
    short = out("城镇新增就业完成年度目标的96%", 96, indicator="urban_new_jobs", metric="城镇新增就业", measure="ratio")
    assert judge(jobs, short).verdict == "missed"


def test_income_ahead_of_the_economy() -> None:
    t = rec("居民人均可支配收入增长快于经济增长", None, indicator="resident_income", metric="居民人均可支配收入",
            measure="qualitative", unit=None, base_unit=None)
    gdp = out("地区生产总值增长5%", 5, **GDP_O)
    same = out("居民人均可支配收入增长5%", 5, indicator="resident_income", metric="居民人均可支配收入")
    faster = out("居民人均可支配收入增长5.3%", 5.3, indicator="resident_income", metric="居民人均可支配收入")
    assert verify_records([t], [gdp, same], year=2024)[0].verdict == "missed"
    assert verify_records([t], [gdp, faster], year=2024)[0].verdict == "met"


# ----------------------------------------------------------------------------- five-year reviews


FIVE_YEAR_REVIEW = """一、“十四五”时期和2024年工作回顾
过去五年，我们砥砺奋进。经济实力跃上新台阶，地区生产总值年均增长5.7%。
民生福祉不断增进。城镇新增就业260万人，居民人均可支配收入增长34.3%。
2024年，我们顶住压力。地区生产总值增长5.1%，城镇新增就业52万人。
二、2025年工作安排
"""


def _at(text: str, quote: str, **kw: Any) -> Record:
    r = out(quote, **kw)
    i = text.index(quote)
    return r.model_copy(update={"start": i, "end": i + len(quote)})


def test_five_year_review_figures_do_not_judge_the_year() -> None:
    from govledger.extract import extract_records
    from govledger.structure import analyse_report

    layout = analyse_report(FIVE_YEAR_REVIEW, place="广元市", year=2025)
    recs = [r for r in extract_records(layout, "guangyuan_2025") if r.indicator]
    scope_of = {(r.indicator, r.value): r.scope for r in recs}
    assert scope_of == {
        ("gdp", 5.7): "several", ("urban_new_jobs", 260): "several", ("resident_income", 34.3): "several",
        ("gdp", 5.1): "annual", ("urban_new_jobs", 52): "annual",
    }
    assert {r.period for r in recs if r.scope == "several"} == {None}  # about no single year

    gdp_t = rec("地区生产总值增长5%左右", 5, bound="approx", **GDP_T)
    jobs_t = rec("城镇新增就业55万人", 55, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
                 unit="万人", base_value=550_000, base_unit="人")
    inc_t = rec("居民人均可支配收入增长6%", 6, indicator="resident_income", metric="居民人均可支配收入")
    rows = verify_records([gdp_t, jobs_t, inc_t], recs, year=2024)
    assert [(r.verdict, r.outcome_quote) for r in rows] == [
        ("met", "地区生产总值增长5.1%"),
        ("missed", "城镇新增就业52万人"),
        ("not_reported", None),
    ]
    assert "several" in rows[2].reason


def test_several_year_average_of_a_level_is_set_aside() -> None:
    t = rec("城镇新增就业65万人", 65, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
            unit="万人", base_value=650_000, base_unit="人")
    avg = out("城镇新增就业年均超过70万人", 70, indicator="urban_new_jobs", metric="城镇新增就业", measure="value",
              unit="万人", base_value=700_000, base_unit="人", bound="min")
    row = verify_records([t], [avg], year=2024)[0]
    assert row.verdict == "not_reported" and "年均" in row.reason


def test_five_year_review_opened_after_a_year_sentence() -> None:
    from govledger.structure.scope import line_scopes

    text = (
        "一、2024年及“十四五”时期工作回顾\n"
        "2024年是很不平凡的一年。地区生产总值增长5.5%。\n"
        "各位代表！2024年是“十四五”收官之年。五年来，我们牢记嘱托。\n"
        "——人民生活水平实现新跃升。居民人均可支配收入增长34.3%。\n"
        "刚刚过去的2024年，我们顶压前行。\n"
    )
    _, scopes = line_scopes(text, 2024)
    assert scopes[:5] == ["annual", "annual", "several", "several", "annual"]
