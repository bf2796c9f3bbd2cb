"""Extraction of records from sentences in the reports' style, and from the real reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govledger.extract.extractor import extract_sentence
from govledger.pipeline import build_ledger
from govledger.records import record_dict
from tests.conftest import REPORTS, SHARED

DATA = json.loads((Path(__file__).parent / "data" / "records.json").read_text(encoding="utf-8"))["cases"]


def _fields(text: str) -> list[dict[str, Any]]:
    from govledger.extract.qualifiers import classify_measure  # noqa: F401  (import check)

    out = []
    for d in extract_sentence(text):
        q = d.q
        value = d.sign * q.value
        out.append(
            {
                "indicator": d.indicator, "measure": d.measure, "value": value, "metric": d.metric,
                "base_value": round(value * q.factor, 6), "base_unit": q.base_unit, "bound": d.bound,
                "strength": d.strength, "quote": text[d.quote_start : q.end],
            }
        )
    return out


@pytest.mark.parametrize("case", DATA, ids=[c["text"][:24] for c in DATA])
def test_sentence_records(case: dict[str, Any]) -> None:
    got = _fields(case["text"])
    assert len(got) == len(case["records"]), got
    for g, want in zip(got, case["records"], strict=True):
        for key, value in want.items():
            assert g[key] == (pytest.approx(value) if isinstance(value, float) else value), (key, g)


@pytest.fixture(scope="module")
def yaan() -> list[dict[str, Any]]:
    return [record_dict(r) for r in build_ledger(REPORTS / "yaan_2024.txt").records]


def test_quotes_are_verbatim_and_ids_stable(yaan: list[dict[str, Any]]) -> None:
    text = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    assert yaan, "no records"
    for n, r in enumerate(yaan, 1):
        assert r["id"] == f"yaan_2024#{n}"
        assert r["quote"] and text[r["start"] : r["end"]] == r["quote"]
    again = [(r.id, r.quote) for r in build_ledger(REPORTS / "yaan_2024.txt").records]
    assert again == [(r["id"], r["quote"]) for r in yaan]


def test_review_gives_achievements_of_last_year_and_plan_gives_targets(yaan: list[dict[str, Any]]) -> None:
    gdp = [r for r in yaan if r["indicator"] == "gdp"]
    assert {(r["kind"], r["period"]) for r in gdp} == {("achievement", 2023), ("target", 2024)}
    assert all(r["place"] == "雅安市" and r["year"] == 2024 for r in yaan)


def test_estimate_marks_its_own_sentence_only(yaan: list[dict[str, Any]]) -> None:
    by_quote = {r["quote"]: r for r in yaan}
    assert by_quote["全市地区生产总值突破千亿元大关"]["estimated"] is True
    assert by_quote["地方一般公共预算收入78.8亿元"]["estimated"] is False


def test_deadline_resolves_against_report_year(yaan: list[dict[str, Any]]) -> None:
    dated = [r for r in yaan if r["deadline"]]
    assert dated and all(r["deadline"].startswith("2024-") for r in dated)
    assert all(r["kind"] == "target" for r in dated)


def test_each_figure_takes_the_deadline_written_before_it(yaan: list[dict[str, Any]]) -> None:
    """8月底前全面完成…重建项目，年底前完成28个地质灾害防治项目: the 28 is due at year end, not in August."""
    two = [r for r in yaan if "8月底前" in r["sentence"] and "年底前" in r["sentence"] and r["kind"] == "target"]
    assert two
    for r in two:
        at = r["sentence"].find(r["quote"])
        expected = "2024-12-31" if r["sentence"].rfind("年底前", 0, at + len(r["quote"])) > r["sentence"].find("8月底前") \
            else "2024-08-31"
        assert r["deadline"] == expected, r["quote"]
    assert any(r["deadline"] == "2024-12-31" for r in two)


def test_every_record_follows_the_schema(yaan: list[dict[str, Any]]) -> None:
    from govledger.records import FIELDS

    for r in yaan:
        assert list(r)[: len(FIELDS)] == list(FIELDS)
        assert (r["value"] is None) == (r["measure"] == "qualitative")


def test_section_path_and_sentence(yaan: list[dict[str, Any]]) -> None:
    target = next(r for r in yaan if r["quote"] == "规模以上工业增加值增长7.5%")
    assert target["section"][0] == "2024年主要工作安排"
    assert target["section"][1].startswith("二、")
    assert target["quote"] in target["sentence"]


@pytest.mark.parametrize("doc", ["guowuyuan_2024", "jilin_2025", "beijing_2026", "xizang_2025"])
def test_headline_gdp_target_found_in_other_levels(doc: str) -> None:
    records = build_ledger(REPORTS / f"{doc}.txt").records
    gdp_targets = [r for r in records if r.kind == "target" and r.indicator == "gdp" and r.measure == "growth"]
    assert gdp_targets, doc
    assert all(r.base_unit == "%" and r.value and 3 <= r.value <= 8 for r in gdp_targets)


def test_web_furniture_and_appendix_are_not_the_report() -> None:
    ledger = build_ledger(REPORTS / "sichuan_2025.txt")  # 名词解释 appendix after the closing
    text = (REPORTS / "sichuan_2025.txt").read_text(encoding="utf-8")
    appendix = text.index("名词解释")
    assert all((r.start or 0) < appendix for r in ledger.records)
    beijing = build_ledger(REPORTS / "beijing_2026.txt")
    assert beijing.place == "北京市" and beijing.year == 2026
    assert not any("相关报道" in r.sentence for r in beijing.records)


def test_all_samples_quotes_verbatim_trimmed_and_in_order() -> None:
    for path in sorted(REPORTS.glob("*.txt")):
        if path.stem == "SOURCES":
            continue
        ledger = build_ledger(path)
        assert ledger.records, path.stem
        starts = []
        for r in ledger.records:
            assert ledger.text[r.start : r.end] == r.quote, (path.stem, r.quote)
            assert r.quote == r.quote.strip() and r.metric == r.metric.strip(), (path.stem, r.quote)
            assert r.kind == "target" or r.deadline is None
            starts.append(r.start)
        assert starts == sorted(starts), path.stem


@pytest.mark.parametrize("name", ["yaan_2024", "guangyuan_2024", "guowuyuan_2025", "hunan_2026"])
def test_records_hold_to_the_contract(name: str) -> None:
    """The extractor builds records without validating them (for speed); each must still pass the model."""
    from govledger.records import Record

    ledger = build_ledger(REPORTS / f"{name}.txt")
    assert ledger.records
    for r in ledger.records:
        again = Record.model_validate(record_dict(r))
        assert record_dict(again) == record_dict(r)
        # built by ``trusted_record``: every field, in the schema's order, as pydantic would hold them
        assert list(record_dict(r)) == list(Record.model_fields) == list(again.model_dump())
        assert r.model_dump() == again.model_dump() and r == again
        assert type(r.value) in (float, type(None)) and type(r.year) is int


def test_doubling_in_a_plans_goals_is_against_the_start_and_this_years_is_not() -> None:
    lianyungang = build_ledger(SHARED / "corpus/other_cities/连云港市/2021.md")
    doubled = [r for r in lianyungang.records if r.indicator == "budget_revenue" and r.unit == "番"]
    assert doubled and all((r.measure, r.period) == ("cum_growth", None) for r in doubled)
    xizang = build_ledger(REPORTS / "xizang_2025.txt")
    this_year = next(r for r in xizang.records if r.quote.startswith("今年") and r.unit == "番")
    assert (this_year.measure, this_year.period) == ("growth", 2025)


def test_a_plan_part_figure_opening_with_a_past_year_is_an_achievement() -> None:
    ledger = build_ledger(SHARED / "corpus/national/1988.md")
    trade = next(r for r in ledger.records if r.quote.startswith("1987年全国进出口总额"))
    assert (trade.kind, trade.period, trade.indicator) == ("achievement", 1987, "foreign_trade")


@pytest.mark.parametrize(("text", "indicators"), [
    ("地方一般公共预算收入、城乡居民人均可支配收入与经济增长基本同步。", ["budget_revenue", "resident_income"]),
    ("城乡居民收入增速与经济发展基本同步。", ["resident_income"]),
    ("城镇常住居民人均可支配收入增速与地区生产总值增速同步。", ["urban_income"]),
    ("居民消费价格涨幅控制在省调控目标范围内。", ["cpi"]),
    ("完成省下达的居民消费价格指数、碳排放和环境保护目标任务。", ["cpi"]),
    ("城乡居民收入增长与经济增长保持同步。", ["resident_income"]),
    ("万元生产总值能耗和主要污染物排放完成自治区下达任务。", ["energy_intensity"]),
    ("节能减排完成省下达任务。", []),
    ("外贸量质齐升。", []),
])
def test_qualitative_targets_name_a_catalogue_metric(text: str, indicators: list[str]) -> None:
    from govledger.extract.extractor import qualitative_targets

    assert [d.indicator for d in qualitative_targets(text)] == indicators


@pytest.mark.parametrize(("text", "anywhere", "in_list"), [
    # a catalogue metric with a qualitative predicate: in the list of main targets, or anywhere in the plan
    ("外贸进出口、实际利用外资稳中提质。", [], ["foreign_trade", "foreign_investment"]),
    ("进出口总额保持正增长。", [], ["foreign_trade"]),
    ("社会消费品零售总额稳定增长，常住人口城镇化率持续提高。", [], ["retail_sales", "urbanization_rate"]),
    ("居民人均可支配收入增幅高于GDP增幅。", ["resident_income"], ["resident_income"]),
    ("城乡居民人均可支配收入高于经济增速。", ["resident_income"], ["resident_income"]),
    ("居民收入和经济发展实现同步增长。", ["resident_income"], ["resident_income"]),
    ("单位GDP能耗、主要污染物排放总量在省下达指标以内。", ["energy_intensity"], ["energy_intensity"]),
    ("城镇登记失业率、居民消费价格涨幅控制在省定范围内。", ["unemployment_registered", "cpi"],
     ["unemployment_registered", "cpi"]),
    ("居民消费价格涨幅控制在全国平均水平以下。", ["cpi"], ["cpi"]),
    ("城镇登记失业率和单位地区生产总值能耗控制在自治区下达指标以内。",  # two wordings match: one record each
     ["unemployment_registered", "energy_intensity"], ["unemployment_registered", "energy_intensity"]),
    ("加快推动产业提质增效。", [], []),
    ("居民消费价格上涨不高于省定目标。", ["cpi"], ["cpi"]),
    ("单位地区生产总值能耗和大气、水环境质量确保完成省定目标。", ["energy_intensity"], ["energy_intensity"]),
])
def test_qualitative_wordings_of_city_target_lists(text: str, anywhere: list[str], in_list: list[str]) -> None:
    """Wordings the hand labels of rounds 1–13 hold (tests/data/city_labels), one per rule."""
    from govledger.extract.extractor import qualitative_targets

    assert [d.indicator for d in qualitative_targets(text)] == anywhere
    assert [d.indicator for d in qualitative_targets(text, in_target_list=True)] == in_list


def test_trend_words_are_targets_only_in_the_list_of_main_targets() -> None:
    from govledger.extract.extractor import qualitative_targets

    text = "单位生产总值能耗、单位生产总值二氧化碳排放量进一步下降。"
    assert qualitative_targets(text) == []
    assert [d.indicator for d in qualitative_targets(text, in_target_list=True)] == ["energy_intensity"]


def test_a_plan_part_figure_opening_with_a_later_year_is_a_target_for_that_year() -> None:
    ledger = build_ledger(SHARED / "corpus/national/1996.md")
    grain = [r for r in ledger.records if r.indicator == "grain_output" and r.value in (4900, 5000)]
    assert [(r.kind, r.period) for r in grain] == [("target", 2000), ("target", 2000)]
