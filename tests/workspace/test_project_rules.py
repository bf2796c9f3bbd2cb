"""The pure rules of the key-projects ledger: pace and the star/snail verdict, group boards, 拉练评比 totals, the
project counts a report names (on the real 雅安 and 广元 2024 texts), and the quarterly 欠进度 mark."""

from __future__ import annotations

import re
from datetime import date

import pytest

from govledger.errors import Invalid
from govledger.workspace.project_rules import (
    PlannedMilestones,
    check_overrides,
    due_quarter,
    group_lines,
    merged_rules,
    milestone_lag,
    project_counts,
    rate_project,
    score_lines,
)
from tests.conftest import REPORTS

RULES = merged_rules(None)  # star 1.2, snail 0.6, late milestone is a snail, no rating in the first 45 days


def plan_sentences(name: str) -> list[str]:
    """The sentences of a report's plan part (after its 2024 heading), read from the report itself."""
    path = REPORTS / f"{name}.txt"
    if not path.is_file():
        pytest.skip(f"sample report {path} missing")
    text = path.read_text(encoding="utf-8")
    start = max(text.find("2024年主要"), 0)
    return [s for s in re.split(r"[。\n]", text[start:]) if s]


def test_counts_from_yaan_name_both_kinds() -> None:
    """「加快建设27个省重点、300个市重点项目」: the shared 项目 belongs to both counts."""
    assert project_counts(plan_sentences("yaan_2024")) == {"province": (27, "27个省重点"),
                                                            "city": (300, "300个市重点项目")}


def test_counts_from_guangyuan_take_the_whole_list_not_its_subsets() -> None:
    """广元 names 300 key projects, then 175 and 84 of them, and 300 加快前期 projects (a different list)."""
    sentences = plan_sentences("guangyuan_2024")
    assert any("300个加快前期重点项目" in s for s in sentences) and any("84个重点项目" in s for s in sentences)
    assert project_counts(sentences) == {"other": (300, "300个重点项目")}


def test_pace_is_completion_against_the_time_share_of_the_month_reported() -> None:
    """A May figure reported on 15 June is judged against 31 May (152 of 366 days: 41.5 %)."""
    none = PlannedMilestones()
    star = rate_project(2024, date(2024, 6, 15), 10000, 6000, date(2024, 5, 1), none, RULES)
    assert (star.share, star.expected, star.pace, star.rating) == (60.0, 41.5, 1.44, "star")  # 60 / 41.53
    normal = rate_project(2024, date(2024, 6, 15), 10000, 4000, date(2024, 5, 1), none, RULES)
    assert (normal.pace, normal.rating) == (0.96, "normal")
    snail = rate_project(2024, date(2024, 6, 15), 10000, 2000, date(2024, 5, 1), none, RULES)
    assert (snail.pace, snail.rating) == (0.48, "snail")
    # nothing approved yet: judged at today against nothing done
    idle = rate_project(2024, date(2024, 6, 15), 10000, 0.0, None, none, RULES)
    assert (idle.expected, idle.pace, idle.rating) == (45.6, 0.0, "snail")


def test_a_late_milestone_makes_a_snail_whatever_the_pace() -> None:
    late = PlannedMilestones(start=date(2024, 3, 31))
    fast = rate_project(2024, date(2024, 6, 15), 10000, 9000, date(2024, 5, 1), late, RULES)
    assert fast.late == ["start"] and fast.rating == "snail"
    reached = PlannedMilestones(start=date(2024, 3, 31), started=date(2024, 4, 2))
    assert rate_project(2024, date(2024, 6, 15), 10000, 9000, date(2024, 5, 1), reached, RULES).rating == "star"
    lenient = merged_rules({"late_milestone_is_snail": False})
    assert rate_project(2024, date(2024, 6, 15), 10000, 9000, date(2024, 5, 1), late, lenient).rating == "normal"


def test_no_rating_early_in_the_year_or_without_a_plan() -> None:
    none = PlannedMilestones()
    assert rate_project(2024, date(2024, 2, 1), 10000, 0.0, None, none, RULES).rating == "unrated"
    assert rate_project(2024, date(2024, 6, 15), None, 500.0, None, none, RULES).rating == "unrated"


def test_overrides_are_checked() -> None:
    assert check_overrides({"star_pace": "1.5", "rate_after_days": 30}) == {"star_pace": 1.5, "rate_after_days": 30}
    with pytest.raises(Invalid, match="蜗牛项目进度比必须小于明星项目进度比"):
        check_overrides({"snail_pace": 1.3})
    with pytest.raises(Invalid, match="明星项目进度比必须在"):
        check_overrides({"star_pace": 50})
    with pytest.raises(Invalid, match="评比指标「投资完成」重复"):
        check_overrides({"criteria": [{"name": "投资完成", "weight": 1}, {"name": "投资完成", "weight": 2}]})
    with pytest.raises(Invalid, match="未知的设置项"):
        check_overrides({"colour": "red"})


def test_group_board_and_ties() -> None:
    items = [("雨城区", 10000.0, 6000.0, "star", 50.0), ("雨城区", 10000.0, 5000.0, "normal", 50.0),
             ("名山区", 20000.0, 11000.0, "normal", 50.0), ("荥经县", 10000.0, 3000.0, "snail", 50.0),
             ("芦山县", 5000.0, 2750.0, "normal", 50.0)]
    lines = {g.name: g for g in group_lines(items, RULES)}
    # 雨城区, 名山区 and 芦山县 are all at 55 % of plan at 50 % of the year (pace 1.1); 雨城区's star ranks it first,
    # the other two tie and share 2nd; 荥经县 (0.6, below the 黑榜 line of 0.8) is 4th
    assert lines["雨城区"].pace == 1.1 and lines["雨城区"].board == "red" and lines["雨城区"].rank == 1
    assert lines["名山区"].rank == lines["芦山县"].rank == 2 and lines["名山区"].board == "red"
    assert lines["荥经县"].pace == 0.6 and lines["荥经县"].board == "black" and lines["荥经县"].rank == 4
    assert [g.name for g in group_lines(items, RULES)] == ["雨城区", "名山区", "芦山县", "荥经县"]


def test_score_totals_are_weighted_over_the_criteria_scored() -> None:
    criteria = [{"name": "投资完成", "weight": 50}, {"name": "形象进度", "weight": 30}, {"name": "要素保障", "weight": 20}]
    scores = {("1", "投资完成"): 90.0, ("1", "形象进度"): 80.0, ("1", "要素保障"): 70.0,
              ("2", "投资完成"): 100.0, ("2", "形象进度"): 60.0}
    lines = score_lines([("1", "甲"), ("2", "乙"), ("3", "丙")], criteria, scores)
    # 甲: (50×90 + 30×80 + 20×70) / 100 = 83; 乙 scored on two criteria: (50×100 + 30×60) / 80 = 85
    assert [(x.label, x.total, x.rank) for x in lines] == [("乙", 85.0, 1), ("甲", 83.0, 2), ("丙", None, None)]


def test_quarter_due_and_behind_mark() -> None:
    assert due_quarter(2024, date(2024, 3, 31)) is None
    assert due_quarter(2024, date(2024, 6, 15)) == 1 and due_quarter(2024, date(2024, 7, 1)) == 2
    planned = {1: 20.0, 2: 50.0, 4: 100.0}
    assert milestone_lag(2024, date(2024, 6, 15), planned, 15.0, False) == (1, 20.0)
    assert milestone_lag(2024, date(2024, 6, 15), planned, 25.0, False) is None
    assert milestone_lag(2024, date(2024, 11, 1), planned, 45.0, False) == (2, 50.0)  # Q3 unplanned: Q2's stands
    assert milestone_lag(2024, date(2024, 11, 1), planned, 45.0, True) is None  # done or closed: never behind
    assert milestone_lag(2024, date(2024, 6, 15), planned, 15.0, False, margin=5) is None
