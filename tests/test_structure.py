"""Stage 2 on the real reports: body limits, headings, parts, place and year."""

from __future__ import annotations

import pytest

from govledger.pipeline import build_ledger
from govledger.read import read_report
from govledger.structure import analyse_report, split_sentences
from govledger.structure.layout import heading_level
from tests.conftest import REPORTS, SHARED

ALL = sorted(p.stem for p in REPORTS.glob("*.txt") if p.stem != "SOURCES")


@pytest.fixture(scope="module", params=ALL)
def layout(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    source = read_report(REPORTS / f"{request.param}.txt")
    return request.param, analyse_report(source.text, file_name=source.doc)


def test_every_sample_has_a_review_and_a_plan_part(layout) -> None:  # type: ignore[no-untyped-def]
    doc, lay = layout
    parts = {s.part for s in lay.sentences}
    assert parts == {"review", "plan"}, doc
    assert lay.year == int(doc.rsplit("_", 1)[1]), doc
    assert lay.place, doc
    first_plan = next(i for i, s in enumerate(lay.sentences) if s.part == "plan")
    assert all(s.part == "plan" for s in lay.sentences[first_plan:]), doc


@pytest.mark.parametrize(
    ("doc", "place", "level"),
    [("yaan_2024", "雅安市", "city"), ("guangyuan_2024", "广元市", "city"), ("guowuyuan_2023", "全国", "national"),
     ("anhui_2025", "安徽省", "province"), ("xinjiang_2026", "新疆维吾尔自治区", "province"),
     ("shaanxi_2026", "陕西省", "province")],
)
def test_place_and_level(doc: str, place: str, level: str) -> None:
    source = read_report(REPORTS / f"{doc}.txt")
    lay = analyse_report(source.text, file_name=source.doc)
    assert (lay.place, lay.level) == (place, level)


def test_override_place_and_year() -> None:
    source = read_report(REPORTS / "yaan_2024.txt")
    lay = analyse_report(source.text, place="雅安", year=2030)
    assert (lay.place, lay.year) == ("雅安", 2030)


def test_page_furniture_and_appendix_are_cut() -> None:
    for doc, junk in [("beijing_2026", "相关报道"), ("ningxia_2026", "打印本页"), ("sichuan_2025", "名词解释"),
                      ("yunnan_2025", "主办单位")]:
        source = read_report(REPORTS / f"{doc}.txt")
        lay = analyse_report(source.text)
        body = lay.norm[lay.body_start : lay.body_end]
        assert junk not in body, doc
        assert body.startswith("各位代表"), doc


def test_stray_line_break_inside_a_paragraph_is_joined() -> None:
    source = read_report(REPORTS / "guangyuan_2024.txt")
    lay = analyse_report(source.text)
    joined = [s for s in lay.sentences if "乡村建设行动深入推进，" in s.text]
    assert joined and len(joined[0].text) > len("乡村建设行动深入推进，") + 5


@pytest.mark.parametrize(
    ("line", "level"),
    [("2023年工作回顾", 0), ("一、2024年工作回顾", 0), ("三、2026年工作安排", 0), ("二、对今年政府工作的建议", 0),
     ("一、全力以赴抓项目、扩增量，切实发挥有效投资关键作用", 1), ("（三）着力深化改革扩大开放", 2),
     ("加快先进制造业集群发展。", None), ("地区生产总值增长6.5%左右，城镇新增就业1.7万人。", None)],
)
def test_heading_levels(line: str, level: int | None) -> None:
    assert heading_level(line) == level


def test_run_in_heading_joins_the_section_path() -> None:
    source = read_report(REPORTS / "guangyuan_2024.txt")
    lay = analyse_report(source.text)
    s = next(s for s in lay.sentences if "300个重点项目" in s.text)
    assert s.section[-1] == "力促项目投产达效"


def test_split_sentences_keeps_closing_quotes() -> None:
    text = "他说：“要干。”然后走了；好！"
    assert [text[a:b] for a, b in split_sentences(text)] == ["他说：“要干。”", "然后走了；", "好！"]


def test_five_year_plans_look_back_or_ahead_by_the_plan_year() -> None:
    """“十四五”时期 names the goals ahead in 2021 and the five years just reviewed in 2026."""
    from govledger.structure.plans import past_markers, speaks_of_several_years

    assert past_markers(2026).search("“十四五”时期，全市地区生产总值年均增长6%")
    assert not past_markers(2021).search("“十四五”时期发展的主要目标是")
    assert past_markers(2021).search("“十三五”时期，全市地区生产总值年均增长7%")
    assert speaks_of_several_years("二、“十四五”时期经济社会发展主要目标和重点任务", 2021)
    assert not speaks_of_several_years("二、“十四五”时期经济社会发展主要目标和重点任务", 2026)
    # the plan's good start is this year's work, not the plan's goals
    assert not speaks_of_several_years("三、全力以赴做好“十四五”开局工作", 2021)
    assert not speaks_of_several_years("连续十五年稳定在37亿斤以上", 2001)


def test_the_deepest_heading_decides_which_years_a_section_is_about() -> None:
    """舟山 2021 numbers its 开局工作 part as a sub-heading of the 十四五 goals: its main targets are for 2021."""
    from govledger.structure.plans import section_speaks_of_several_years

    nested = ("二、“十四五”发展目标和主要任务", "三、全力以赴做好“十四五”开局工作")
    assert section_speaks_of_several_years(nested[:1], 2021)
    assert not section_speaks_of_several_years(nested, 2021)
    zhoushan = build_ledger(SHARED / "corpus/other_cities/舟山市/2021.md")
    gdp = [r for r in zhoushan.records if r.indicator == "gdp" and r.kind == "target" and r.measure == "growth"]
    assert [(r.value, r.period) for r in gdp] == [(10.0, 2021)]


def test_goals_of_a_new_five_year_plan_are_targets_for_several_years() -> None:
    huzhou = build_ledger(SHARED / "corpus/other_cities/湖州市/2021.md")
    goal = next(r for r in huzhou.records if r.quote == "地区生产总值力争达到5000亿元")
    assert (goal.kind, goal.period, goal.scope, goal.indicator) == ("target", None, "several", "gdp")
    # the 2021 work under "努力实现“十四五”规划精彩开局" stays this year's
    dingxi = build_ledger(SHARED / "corpus/other_cities/定西市/2021.md")
    plan_2021 = [r for r in dingxi.records if r.kind == "target" and any("精彩开局" in s for s in r.section)]
    assert plan_2021 and all(r.period == 2021 for r in plan_2021 if r.scope == "annual")
    assert sum(r.scope == "annual" for r in plan_2021) > len(plan_2021) // 2


def test_a_review_before_the_first_greeting_is_body() -> None:
    """贵阳 2015 opens with "一、2014年工作回顾" and says 各位代表 only after it: the review is the report."""
    guiyang = build_ledger(SHARED / "corpus/major_cities/贵阳市/2015.md")
    gdp = [r for r in guiyang.records if r.kind == "achievement" and r.indicator == "gdp" and r.measure == "value"]
    assert gdp and gdp[0].value == 2497.27 and gdp[0].period == 2014


def test_a_past_plans_achievements_inside_the_plan_part_are_review() -> None:
    """新余 2016 tells the 十二五 achievements under （一） of its 十三五 section, after the 2016 plan heading."""
    xinyu = build_ledger(SHARED / "corpus/other_cities/新余市/2016.md")
    five_year = [r for r in xinyu.records if r.indicator == "gdp" and r.measure == "avg_growth" and r.value == 9]
    assert five_year and all((r.kind, r.period) == ("achievement", None) for r in five_year)
    goals = [r for r in xinyu.records if r.indicator == "gdp" and r.kind == "target" and r.measure == "avg_growth"]
    assert goals and all(r.period is None for r in goals)
