"""Outturn records from real statistical communiqués (read by path from ../shared) and a provincial text."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.errors import ReportError
from govledger.evaluation.outturns import evaluate_outturn_labels
from govledger.extract.outturns import extract_outturns
from govledger.pipeline import build_ledger
from govledger.read import read_report
from govledger.structure.doctype import document_type
from govledger.track.outturns import check_claims, compare_figures, judging_outturns, verify_with_outturns

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
COMM = SHARED / "corpus" / "statistical_communiques"
NATIONAL = SHARED / "corpus" / "national"
LABELS = Path(__file__).parent / "data" / "outturn_labels" / "outturns.jsonl"


def _find(records, indicator, measure, **extra):
    return [r for r in records if r.indicator == indicator and r.measure == measure
            and all((r.model_extra or {}).get(k) == v for k, v in extra.items())]


def test_communique_is_its_own_document_type() -> None:
    text = read_report(COMM / "2020.md").text
    kind = document_type(text)
    assert kind.kind == "communique"
    assert document_type(read_report(SHARED / "reports" / "guowuyuan_2024.txt").text).kind == "work_report"


def test_2020_headline_figures_with_verbatim_quotes() -> None:
    text = read_report(COMM / "2020.md").text
    recs = extract_outturns(text, "2020")
    assert all(r.kind == "outturn" and r.period == 2020 and r.place == "全国" for r in recs)
    for r in recs:
        assert text[r.start : r.end] == r.quote
    gdp = _find(recs, "gdp", "value")
    assert gdp and gdp[0].base_value == pytest.approx(1015986e8)
    assert "[3]" in gdp[0].quote  # the footnote stays in the verbatim quote
    assert [r.value for r in _find(recs, "gdp", "growth")] == [2.3]
    # regional GDP (东部地区生产总值) is not the national figure
    assert not [r for r in recs if r.indicator == "gdp" and "地区" in r.quote]
    # income: nominal flagged, real growth plain
    assert [r.value for r in _find(recs, "resident_income", "growth", nominal=True)] == [4.7]
    real = [r.value for r in _find(recs, "resident_income", "growth") if not (r.model_extra or {}).get("nominal")]
    assert real == [2.1]
    assert _find(recs, "unemployment_surveyed", "ratio", basis="year_end")


def test_2025_average_unemployment_and_flat_cpi() -> None:
    recs = extract_outturns(read_report(COMM / "2025.md").text, "2025")
    assert [r.value for r in _find(recs, "unemployment_surveyed", "ratio", basis="average")] == [5.2]
    flat = [r for r in _find(recs, "cpi", "growth") if "持平" in r.quote]
    assert [r.value for r in flat] == [0]  # 与上年持平
    assert all(r.value == 0 for r in _find(recs, "cpi", "growth"))  # the table row says the same


def test_old_wordings_1995_2000_and_2010() -> None:
    r00 = extract_outturns(read_report(COMM / "2000.md").text, "2000")
    assert [r.value for r in _find(r00, "services_va", "growth")] == [7.8]  # 第三产业增长7.8%
    assert not [r for r in r00 if r.indicator == "services_va" and "投资" in r.quote]
    r95 = extract_outturns(read_report(COMM / "1995.md").text, "1995")
    assert _find(r95, "rural_income", "value")  # 农村居民人均纯收入
    assert _find(r95, "fixed_asset_investment", "value")  # 19445 亿元 with a space
    r10 = extract_outturns(read_report(COMM / "2010.md").text, "2010")
    assert [r.value for r in _find(r10, "budget_revenue", "value")] == [83080]  # 全年财政收入
    assert 3.3 in [r.value for r in _find(r10, "cpi", "growth")]  # 一季度…，全年平均比上年上涨3.3%
    assert not [r for r in r10 if r.indicator == "cpi" and "季度" in r.quote]


PROVINCE = """**四川省2023年国民经济和社会发展统计公报**

四川省统计局

2023年，全省地区生产总值60132.9亿元，比上年增长6.0%。其中，第三产业增加值32000.1亿元，增长7.0%。
一季度地区生产总值增长3.8%。成都市地区生产总值22074.7亿元，增长6.0%。
全年全省居民消费价格比上年上涨0.4%。年末全省常住人口城镇化率为59.49%。
全年全省地方一般公共预算收入5529.1亿元，比上年增长10.0%。全省财政总收入9000亿元，增长8%。
"""

CITY_YEAR_FIRST = """**2024年绵阳市国民经济和社会发展统计公报**

全年全市地区生产总值4200.0亿元，比上年增长6.5%。全市地方一般公共预算收入170.1亿元，增长6.0%。
"""


def test_provincial_communique_carries_its_place(tmp_path: Path) -> None:
    f = tmp_path / "sichuan_2023.md"
    f.write_text(PROVINCE, encoding="utf-8")
    ledger = build_ledger(f)
    recs = ledger.records
    assert {r.place for r in recs} == {"四川省"} and ledger.year == 2023
    assert [r.value for r in _find(recs, "gdp", "growth")] == [6.0]  # not the quarter, not 成都市
    assert [r.value for r in _find(recs, "services_va", "value")] == [32000.1]
    assert _find(recs, "cpi", "growth") and _find(recs, "urbanization_rate", "ratio")
    # the province's own budget revenue; 财政总收入 includes the centre's share and is not it
    assert [r.value for r in _find(recs, "budget_revenue", "value")] == [5529.1]
    g = tmp_path / "mianyang.md"
    g.write_text(CITY_YEAR_FIRST, encoding="utf-8")
    city = build_ledger(g)
    assert {r.place for r in city.records} == {"绵阳市"} and city.year == 2024
    assert [r.value for r in _find(city.records, "budget_revenue", "growth")] == [6.0]


def test_bad_communiques_give_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("**中华人民共和国2023年国民经济和社会发展统计公报**\n\n国家统计局发布。\n", encoding="utf-8")
    with pytest.raises(ReportError, match="no official figures.*统计公报"):
        build_ledger(empty)
    cut = tmp_path / "cut.md"
    text = read_report(COMM / "2023.md").text
    cut.write_text(text[: text.index("全年粮食产量") + 8], encoding="utf-8")  # stops inside a sentence
    with pytest.raises(ReportError, match="truncated"):
        build_ledger(cut)


def test_cli_errors_name_the_document_type() -> None:
    _register()
    runner = CliRunner()
    res = runner.invoke(app, ["check-claims", str(COMM / "2024.md"), str(COMM / "2023.md")])
    assert res.exit_code == 2 and "found a statistical communiqué" in res.output
    res = runner.invoke(app, ["verify", str(NATIONAL / "2024.md"), str(NATIONAL / "2025.md"), "--indicators"])
    assert res.exit_code == 0
    res = runner.invoke(app, ["verify-outturn", str(COMM / "2024.md"), str(COMM / "2024.md")])
    assert res.exit_code == 2 and "expected a government work report" in res.output
    res = runner.invoke(app, ["verify", str(COMM / "2024.md"), str(NATIONAL / "2025.md")])
    assert res.exit_code == 2 and "found a statistical communiqué" in res.output
    res = runner.invoke(app, ["check-claims", str(NATIONAL / "2025.md"), str(NATIONAL / "2024.md")])
    assert res.exit_code == 2 and "expected a statistical communiqué" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_verdicts_from_the_communique_use_the_verdict_rules() -> None:
    report = build_ledger(NATIONAL / "2024.md")
    comm = build_ledger(COMM / "2024.md")
    rows = verify_with_outturns(report.records, comm.records, year=2024)
    gdp = [r for r in rows if r.indicator == "gdp" and r.measure == "growth"]
    assert gdp and gdp[0].verdict == "met" and gdp[0].outcome_value == 5.0
    # unemployment is judged on the yearly average, not the year-end rate
    unemp = [r for r in rows if r.indicator == "unemployment_surveyed"]
    assert unemp and "平均" in (unemp[0].outcome_quote or "")
    assert not any((o.model_extra or {}).get("nominal") for o in judging_outturns(comm.records)
                   if o.indicator == "resident_income" and o.measure == "growth")


def test_claim_check_rounding_and_units() -> None:
    claims = check_claims(build_ledger(NATIONAL / "2025.md").records, build_ledger(COMM / "2024.md").records, year=2024)
    by = {(c.indicator, c.measure): c for c in claims}
    assert by[("gdp", "growth")].status == "equal"
    assert by[("gdp", "value")].status == "rounded"  # 134.9万亿元 vs 1349084亿元
    assert by[("grain_output", "value")].status == "rounded"  # 1.4万亿斤 vs 70650万吨


def test_compare_figures_floor_and_difference() -> None:
    from govledger.records import Record

    def rec(value: float, unit: str, base: float, bu: str, bound: str, quote: str) -> Record:
        return Record(id="x", doc="d", place=None, year=None, period=None, kind="achievement", estimated=False,
                      section=[], sentence=quote, quote=quote, metric="", indicator="gdp", measure="value",
                      value=value, value_max=None, unit=unit, base_value=base, base_unit=bu, bound=bound,
                      strength="plain", deadline=None)

    o = rec(1260582, "亿元", 1260582e8, "元", "exact", "1260582亿元")
    assert compare_figures(rec(126, "万亿元", 126e12, "元", "min", "超过126万亿元"), o)[0] == "rounded"
    status, diff = compare_figures(rec(128, "万亿元", 128e12, "元", "exact", "128万亿元"), o)
    assert status == "different" and diff == pytest.approx(1.9418)


def test_tables_written_as_text() -> None:
    r85 = extract_outturns(read_report(COMM / "1985.md").text, "1985")
    hogs = _find(r85, "hog_output", "growth")  # 肉猪出栏头数 23895 万头 8．4: only in the table
    assert [r.value for r in hogs] == [8.4] and "23895" in hogs[0].quote
    r03 = extract_outturns(read_report(COMM / "2003.md").text, "2003")
    fdi = [r.value for r in _find(r03, "foreign_investment", "value") if "总计" in r.quote]
    assert fdi == [535.1]  # 实际使用金额, not the 合同金额 column of the same row
    # the sentence before set up 外商直接投资: 实际使用金额535亿美元 is its figure, 合同金额 is not
    prose = [r.value for r in _find(r03, "foreign_investment", "value") if "总计" not in r.quote]
    assert prose == [535]
    r06 = extract_outturns(read_report(COMM / "2006.md").text, "2006")
    assert 18784 not in [r.value for r in _find(r06, "industrial_va", "value")]  # a table of profits


def test_outturn_labels_f1() -> None:
    score = evaluate_outturn_labels(LABELS, SHARED)
    assert score.precision >= 0.95
    assert score.recall >= 0.95


def test_series_gives_target_and_outturn_with_quotes(tmp_path: Path) -> None:
    from govledger.serve.charts import series_chart
    from govledger.serve.cli_outturns import outturn_series

    rows = outturn_series("gdp", SHARED / "corpus", "growth", first=2023, last=2024)
    assert [r["year"] for r in rows] == [2023, 2024]
    r24 = rows[1]
    assert r24["target_value"] == 5 and "左右" in r24["target_quote"]
    assert r24["outturn_value"] == 5.0 and "5.0%" in r24["outturn_quote"] and r24["verdict"] == "met"
    pytest.importorskip("matplotlib")
    series_chart(rows, tmp_path / "gdp.png", title="国内生产总值")
    assert (tmp_path / "gdp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_official_and_reported_verdicts_side_by_side() -> None:
    from govledger.track.outturns import compare_verdicts
    from govledger.track.verify import verify_records

    report = build_ledger(NATIONAL / "2022.md")
    official = verify_with_outturns(report.records, build_ledger(COMM / "2022.md").records, year=2022)
    next_report = build_ledger(NATIONAL / "2023.md")
    reported = verify_records(report.records, next_report.records, year=2022)
    pairs = {p["indicator"]: p for p in compare_verdicts(official, reported, next_report.records)}
    unemp = pairs["unemployment_surveyed"]  # 5.5%以内: the yearly average was 5.6%, the report cites the year end
    assert unemp["official_verdict"] == "missed" and unemp["disagree"]
    assert unemp["official_quote"] and unemp["report_quote"]
    assert not pairs["gdp"]["disagree"]  # both say 3.0%: missed either way
    _register()
    res = CliRunner().invoke(app, ["verify-outturn", str(NATIONAL / "2022.md"), str(COMM / "2022.md"),
                                   "--beside", str(NATIONAL / "2023.md"), "-f", "jsonl"])
    assert res.exit_code == 0 and '"disagree": true' in res.output


def test_panel_rows_one_official_figure_per_indicator() -> None:
    from govledger.track.outturns import outturn_panel_rows

    rows = outturn_panel_rows(build_ledger(COMM / "2024.md").records)
    keys = [(r["indicator"], r["measure"], r["base_unit"]) for r in rows]
    assert len(keys) == len(set(keys))
    growth = {r["indicator"]: r for r in rows if r["measure"] == "growth"}
    assert growth["resident_income"]["outturn_value"] == 5.1  # real, not the nominal 5.3
    unemp = [r for r in rows if r["indicator"] == "unemployment_surveyed" and r["measure"] == "ratio"]
    assert [r["outturn_value"] for r in unemp] == [5.1] and "平均" in unemp[0]["outturn_quote"]


def test_claim_check_price_basis_and_increments() -> None:
    claims = check_claims(build_ledger(NATIONAL / "2010.md").records, build_ledger(COMM / "2009.md").records, year=2009)
    retail = [c for c in claims if c.indicator == "retail_sales" and c.measure == "growth"]
    # the report gives the real growth 16.9%, the communiqué only the nominal 15.5%: not the same figure
    assert retail and all(c.status == "not_in_communique" for c in retail if "实际" in c.claim_quote)
    old = check_claims(build_ledger(NATIONAL / "1990.md").records, build_ledger(COMM / "1989.md").records, year=1989)
    assert not [c for c in old if "增加" in c.claim_quote and c.measure == "value"]  # 比上年增加505万吨


def test_series_takes_the_stated_target_not_a_recalled_result() -> None:
    from govledger.serve.cli_outturns import outturn_series

    rows = {r["year"]: r for r in outturn_series("gdp", SHARED / "corpus", "growth", first=2011, last=2011)}
    # the 2011 plan part also recalls 2010's 国内生产总值增长10.3%; the target is 8%左右
    assert rows[2011]["target_value"] == 8 and "左右" in rows[2011]["target_quote"]
    assert rows[2011]["outturn_value"] == 9.2 and rows[2011]["verdict"] == "met"
