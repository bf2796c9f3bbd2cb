"""Place, level, plan year, delivery date and document id of real corpus files (read by path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govledger.pipeline import build_ledger
from govledger.read import read_report
from govledger.structure import analyse_report
from govledger.structure.markup import mask_markup
from govledger.structure.metadata import front_matter, header_witness

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def layout_of(rel: str):  # type: ignore[no-untyped-def]
    path = CORPUS / rel
    return analyse_report(read_report(path).text, file_name=str(path))


@pytest.mark.parametrize(
    ("rel", "place", "level", "year", "delivered"),
    [
        ("other_cities/衡阳市/2023.md", "衡阳市", "city", 2023, "2022-12-29"),  # December: next plan year
        ("other_cities/天水市/2014.md", "天水市", "city", 2014, "2013-12-28"),
        ("other_cities/绵阳市/2023.md", "绵阳市", "city", 2023, "2023-01-03"),
        ("other_cities/张掖市/2017.md", "张掖市", "city", 2017, "2016-11-10"),  # November, plans 2017
        ("provincial/新疆维吾尔自治区/2012.md", "新疆维吾尔自治区", "province", 2012, "2012-01-10"),  # 自治区政府工作报告
        ("other_cities/克孜勒苏柯尔克孜自治州/2026.md", "克孜勒苏柯尔克孜自治州", "city", 2026, None),
        ("major_cities/北京市/2024.md", "北京市", "province", 2024, None),
        ("national/1954.md", "全国", "national", 1954, None),
        ("provincial/甘肃省/1996.md", "甘肃省", "province", 1996, None),  # 2010年远景 in the title is no plan year
        ("other_cities/保山市/2014.md", "保山市", "city", 2014, "2014-01-08"),  # title typo 保山市人政府工作报告
    ],
)
def test_place_level_year(rel: str, place: str, level: str, year: int, delivered: str | None) -> None:
    lay = layout_of(rel)
    assert (lay.place, lay.level, lay.year) == (place, level, year)
    if delivered:
        assert lay.facts is not None and lay.facts.delivered == delivered


def test_misfiled_report_keeps_its_own_year_and_says_why() -> None:
    # 清远市/2015.md holds the report delivered 2014-02-19 (it reviews 2013)
    lay = layout_of("other_cities/清远市/2015.md")
    assert lay.year == 2014
    assert lay.facts is not None
    assert any("file name says 2015" in note for note in lay.facts.notes)


@pytest.mark.parametrize(("rel", "year", "doc"), [
    ("provincial/四川省/2003.md", 2004, "sichuan_2003"),  # 一、2003年工作回顾 … 2004年…主要预期目标, titled 2003年
    ("provincial/四川省/2016.md", 2017, "sichuan_2016"),  # delivered in January 2017
    ("major_cities/兰州市/2021.md", 2022, "lanzhou_2021"),  # delivered 2021-12-21, titled （2022）
])
def test_a_report_named_by_the_year_it_reviews_gets_the_year_it_plans(rel: str, year: int, doc: str) -> None:
    """The text's own meeting date or part headings win over a title or file name one year behind them; the
    document id stays the file's, and the disagreement is noted."""
    lay = layout_of(rel)
    assert lay.year == year
    assert lay.facts is not None and any(f"says {year - 1}" in note for note in lay.facts.notes)
    ledger = build_ledger(CORPUS / rel)
    assert ledger.doc == doc
    assert {r.period for r in ledger.records if r.kind == "achievement" and r.scope == "annual"} == {year - 1}


def test_a_later_year_promised_in_a_review_is_a_target() -> None:
    """河北 1998 reviews five years and has no plan part; 确保到2000年…翻三番 is still a promise, for 2000."""
    ledger = build_ledger(CORPUS / "provincial/河北省/1998.md")
    promised = [r for r in ledger.records if r.indicator == "gdp" and r.measure == "cum_growth" and r.base_value == 700]
    assert [(r.kind, r.period) for r in promised] == [("target", 2000)]


def test_corpus_tree_gives_unique_document_ids() -> None:
    assert build_ledger(CORPUS / "other_cities/衡阳市/2023.md").doc == "hengyang_2023"
    assert build_ledger(CORPUS / "national/2024.md").doc == "guowuyuan_2024"
    assert build_ledger(CORPUS / "provincial/陕西省/2024.md").doc == "shaanxi_2024"
    assert build_ledger(CORPUS / "provincial/山西省/2024.md").doc == "shanxi_2024"


def test_quotes_stay_verbatim_offsets_into_the_markdown_file() -> None:
    ledger = build_ledger(CORPUS / "other_cities/衡阳市/2023.md")
    assert ledger.records
    for r in ledger.records:
        assert r.start is not None and r.end is not None
        assert ledger.text[r.start : r.end] == r.quote


def test_front_matter_and_markup_are_blanked_with_offsets_kept() -> None:
    text = "---\ntitle: 2024年雅安市政府工作报告\n---\n\n**二、2024年工作安排**\n<!-- 图片说明 -->\n增长5%（下转三版）\n"
    fields, body_at = front_matter(text)
    assert fields["title"] == "2024年雅安市政府工作报告" and text[body_at:].startswith("\n**二")
    masked, _ = mask_markup(text)
    assert len(masked) == len(text)
    assert "二、2024年工作安排" in masked and "**" not in masked and "图片" not in masked and "下转" not in masked
    assert masked.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("title", "year", "delivered"),
    [
        ("衡阳市政府工作报告（2022年12月29日 朱健）", 2023, "2022-12-29"),
        ("2024年雅安市政府工作报告", 2024, None),
        ("关于甘肃省“九五”计划和2010年远景规划纲要的报告", None, None),
        ("清远市政府工作报告 （2014年2月19日江凌）", 2014, "2014-02-19"),
    ],
)
def test_title_witness(title: str, year: int | None, delivered: str | None) -> None:
    w = header_witness(title)
    assert (w.year, w.delivered) == (year, delivered)


@pytest.mark.parametrize(
    "rel",
    [
        "other_cities/岳阳市/2018.md",  # slogan headings: "2017年：…" review, "2018年：…" plan
        "other_cities/淮北市/2016.md",
        "provincial/云南省/2010.md",  # 扎实做好今年各项工作
    ],
)
def test_slogan_headings_find_the_plan_part(rel: str) -> None:
    lay = layout_of(rel)
    assert lay.is_report and lay.plan_start is not None
    parts = {s.part for s in lay.sentences}
    assert parts == {"review", "plan"}


@pytest.mark.parametrize("rel", ["provincial/浙江省/1979.md", "national/1978.md", "provincial/西藏自治区/2006.md"])
def test_reports_of_every_era_are_reports(rel: str) -> None:
    assert layout_of(rel).is_report
