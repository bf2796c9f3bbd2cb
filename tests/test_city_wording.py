"""City wording as data: phrases from real city reports → (indicator, measure, value, bound) per figure.

Each phrase is short and quoted from a report of ``../shared/corpus``; the
expected records were read by hand from the phrase.
"""

from __future__ import annotations

import pytest

from govledger.extract.extractor import extract_sentence


def catalogue_figures(text: str) -> list[tuple[str | None, str, float, str]]:
    return [
        (d.indicator, d.measure, round(d.sign * d.q.value * d.q.factor, 6), d.bound)
        for d in extract_sentence(text)
        if d.indicator
    ]


CASES = [
    # local names of catalogue indicators
    ("地方级财政收入完成 60亿元，同比增长 6%", [("budget_revenue", "value", 6e9, "exact"), ("budget_revenue", "growth", 6, "exact")]),
    ("公共财政预算收入54.5亿元，增长0.2%", [("budget_revenue", "value", 5.45e9, "exact"), ("budget_revenue", "growth", 0.2, "exact")]),
    ("全年新增就业4.57万人", [("urban_new_jobs", "value", 45700, "exact")]),
    ("年内新增城镇就业5.5万人", [("urban_new_jobs", "value", 55000, "exact")]),
    ("全市投资增长5.9%", [("fixed_asset_investment", "growth", 5.9, "exact")]),
    ("五年吸收外资超140亿美元", [("foreign_investment", "value", 1.4e10, "min")]),
    ("农民人均纯收入增长15%", [("rural_income", "growth", 15, "exact")]),
    ("万元生产总值综合能耗下降3.2%", [("energy_intensity", "growth", -3.2, "exact")]),
    ("规模以上工业企业实现增加值103.5亿元，增长16%", [("industrial_va", "value", 1.035e10, "exact"), ("industrial_va", "growth", 16, "exact")]),
    ("今年预期地区生产总值增长8%左右", [("gdp", "growth", 8, "approx")]),
    ("地方一般公共预算收入159.4亿元、同口径增长14%", [("budget_revenue", "value", 1.594e10, "exact"), ("budget_revenue", "growth", 14, "exact")]),
    # vetoes: not the catalogue indicator
    ("赣州综保区外贸总量突破100亿元", []),
    ("外贸依存度、实际吸收外资均较“十三五”末实现翻番", [("foreign_investment", "cum_growth", 100, "exact")]),
    ("完成绿色工业固定资产投资6.2亿元", []),
    # numbers written the local way
    ("规模以上工业增加值增长-16.8%", [("industrial_va", "growth", -16.8, "exact")]),
    ("地区生产总值同比持平。", [("gdp", "growth", 0, "exact")]),
    ("社会消费品零售总额零增长。", [("retail_sales", "growth", 0, "exact")]),
    ("固定资产投资增幅与上年持平。", []),
    ("地区生产总值增长8%、固定资产投资增长45以上、社会消费品零售总额增长10%",
     [("gdp", "growth", 8, "exact"), ("fixed_asset_investment", "growth", 45, "min"), ("retail_sales", "growth", 10, "exact")]),
    ("实际利用外资实现翻番", [("foreign_investment", "growth", 100, "exact")]),
    ("居民消费价格指数控制在103.5%左右", [("cpi", "growth", 3.5, "approx")]),
    # milestones beside the exact level, lists
    ("经济总量突破4000亿元大关、达4169亿元", [("gdp", "value", 4e11, "min"), ("gdp", "value", 4.169e11, "exact")]),
    ("全市生产总值先后迈上4000亿元、5000亿元两大台阶", [("gdp", "value", 4e11, "min"), ("gdp", "value", 5e11, "min")]),
    ("城乡居民人均可支配收入超过4.55万元、2.28万元，分别增长5.5%、7%",
     [("urban_income", "value", 45500, "min"), ("rural_income", "value", 22800, "min"),
      ("urban_income", "growth", 5.5, "exact"), ("rural_income", "growth", 7, "exact")]),
    ("城镇居民人均可支配收入23384元，农村居民人均可支配收入11000元，均增长6%",
     [("urban_income", "value", 23384, "exact"), ("rural_income", "value", 11000, "exact"),
      ("urban_income", "growth", 6, "exact"), ("rural_income", "growth", 6, "exact")]),
    ("城乡居民人均可支配收入年均分别增长5.3%和9.4%", [("urban_income", "avg_growth", 5.3, "exact"), ("rural_income", "avg_growth", 9.4, "exact")]),
    ("粮食种植面积、产量稳定在300万亩、105万吨以上", [("grain_output", "value", 1.05e6, "min")]),
    ("粮食播种面积稳定在427万亩、产量达到29亿斤以上", [("grain_output", "value", 2.9e9, "min")]),
    ("城镇化率由52.7%提高至60%以上", [("urbanization_rate", "ratio", 60, "min")]),
    # ranks of a level, not of a growth rate
    ("实际利用外资2.2亿美元、居全省第2位", [("foreign_investment", "value", 2.2e8, "exact"), ("foreign_investment", "rank", 2, "exact")]),
    ("对外贸易进出口总额增长55.5%，总量位居全区第一", [("foreign_trade", "growth", 55.5, "exact"), ("foreign_trade", "rank", 1, "exact")]),
    ("地区生产总值增长13%、保持全省第2位", [("gdp", "growth", 13, "exact")]),
    ("经济总量在全国城市排名由“十二五”末的第49位攀升至2019年的第45位", [("gdp", "rank", 45, "exact")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:16] for c in CASES])
def test_city_wording(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert catalogue_figures(text) == expected


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("实施30项市级疏堵工程", "实施市级疏堵工程"),
        ("提速推进华纳碳酸钙等175个重点项目", "提速推进重点项目"),
        ("新建5个以上紧密型城市医疗集团", "新建紧密型城市医疗集团"),
        ("对62条道路进行改造", "道路进行改造"),
    ],
)
def test_metric_names_the_thing(text: str, metric: str) -> None:
    assert extract_sentence(text)[0].metric == metric


def test_fdi_does_not_judge_actual_foreign_capital() -> None:
    """绵阳 2023 promised both; its 2024 report states only 外商直接投资 (catalogue ``variants``)."""
    from pathlib import Path

    from govledger.pipeline import build_ledger
    from govledger.track.sources import load_ledger
    from govledger.track.verify import verify_reports

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "other_cities" / "绵阳市"
    rows = [r for r in verify_reports(load_ledger(corpus / "2023.md"), load_ledger(corpus / "2024.md"))
            if r.indicator == "foreign_investment"]
    by_quote = {r.target_quote: r.verdict for r in rows}
    assert by_quote["力争外商直接投资1亿美元以上"] == "met"
    assert by_quote["实际利用外资2.5亿美元以上"] == "not_reported"
    assert build_ledger(corpus / "2024.md").year == 2024


def test_estimate_note_covers_the_rest_of_the_review_and_stretch_strength_its_clause() -> None:
    """衡阳 2023 writes （预计数，下同） once; 山南 2025 writes 增长7%以上、力争达到8%，… (read by hand)."""
    from pathlib import Path

    from govledger.pipeline import build_ledger

    other = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "other_cities"
    hengyang = build_ledger(other / "衡阳市" / "2023.md")
    review = [r for r in hengyang.records if r.kind == "achievement" and r.indicator]
    assert review and all(r.estimated for r in review)
    shannan = build_ledger(other / "山南市" / "2025.md")
    strength = {r.quote: r.strength for r in shannan.records if r.kind == "target" and r.indicator}
    assert strength["力争达到8%"] == "strive"
    assert strength["全社会固定资产投资增长13%以上"] == "plain"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("地区生产总值迈过6万亿元、7万亿元两个台阶", [("gdp", "value", 6e12, "min"), ("gdp", "value", 7e12, "min")]),
        ("规上工业亩均增加值、亩均税收分别增长59.1%和35.3%", []),
        ("进出口、实际使用外资、对外直接投资规模分别跃居全国第3、第5、第7位",
         [("foreign_trade", "rank", 3, "exact"), ("foreign_investment", "rank", 5, "exact")]),
    ],
)
def test_province_wording(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    """Phrases of 浙江 2023 (read by hand)."""
    assert catalogue_figures(text) == expected
