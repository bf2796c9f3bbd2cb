"""The rules of the key-projects ledger, pure: pace and the star/snail rating, the 红黑榜 of groups, 拉练评比 totals,
the project counts a report names, and the 欠进度 mark of quarterly milestones.

An office judges a key project by its investment against 序时进度: a project
with 年度计划投资 1 亿元 that has completed 0.5 亿元 by the end of June is on
pace (50 % of the plan, 50 % of the year). ``pace`` is that ratio of ratios:
1.0 on pace, 1.25 a quarter ahead, 0.5 half as fast. The thresholds that make
a 明星项目 or a 蜗牛项目 are the office's to set (``data/workspace.json``
``projects``, overridable per report); the words and the rule are stated on
the pages. Nothing here touches the database: figures in, verdicts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from govledger.errors import Invalid
from govledger.workspace.rules import time_share, workspace_rules

# the numeric rules an office may override per report, with their bounds
NUMERIC_RULES: dict[str, tuple[float, float, str]] = {
    "star_pace": (0.1, 10.0, "明星项目进度比"),
    "snail_pace": (0.0, 10.0, "蜗牛项目进度比"),
    "rate_after_days": (0, 366, "年初不评定天数"),
    "group_red_pace": (0.0, 10.0, "红榜进度比"),
    "group_black_pace": (0.0, 10.0, "黑榜进度比"),
    "group_black_snails": (1, 1000, "黑榜蜗牛项目数"),
}
MAX_CRITERIA = 12


def project_defaults() -> dict[str, Any]:
    """The office-wide project rules (``data/workspace.json`` ``projects``)."""
    return dict(workspace_rules()["projects"])


def kind_label(kind: str) -> str:
    return str(project_defaults()["kinds"].get(kind, kind))


def rating_label(rating: str) -> str:
    return str(project_defaults()["ratings"].get(rating, rating))


def merged_rules(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with a report's own settings on top (only the keys an office may set)."""
    rules = project_defaults()
    for key, value in (overrides or {}).items():
        if key in NUMERIC_RULES or key in ("late_milestone_is_snail", "criteria", "score_scope"):
            rules[key] = value
    return rules


def check_overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    """A report's settings as given by the office, checked: numbers within bounds, the snail threshold below the star
    one, criteria with a name and a positive weight, names unique. ``Invalid`` names the first problem in Chinese."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in NUMERIC_RULES:
            low, high, label = NUMERIC_RULES[key]
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise Invalid(f"{label}必须是数字") from None
            if number != number or not low <= number <= high:
                raise Invalid(f"{label}必须在 {low:g}–{high:g} 之间")
            out[key] = int(number) if key in ("rate_after_days", "group_black_snails") else number
        elif key == "late_milestone_is_snail":
            out[key] = bool(value)
        elif key == "score_scope":
            if value not in project_defaults()["scopes"]:
                raise Invalid("评比对象只能是「按项目」或「按区县」")
            out[key] = value
        elif key == "criteria":
            out[key] = check_criteria(value)
        else:
            raise Invalid(f"未知的设置项「{str(key)[:40]}」")
    rules = merged_rules(out)
    if float(rules["snail_pace"]) >= float(rules["star_pace"]):
        raise Invalid("蜗牛项目进度比必须小于明星项目进度比")
    if float(rules["group_black_pace"]) > float(rules["group_red_pace"]):
        raise Invalid("黑榜进度比不能大于红榜进度比")
    return out


def check_criteria(value: Any) -> list[dict[str, Any]]:
    """拉练评比 criteria: a list of {name, weight}, 1–12 of them, names unique, weights > 0."""
    if not isinstance(value, list) or not value:
        raise Invalid("评比指标至少要有一项")
    if len(value) > MAX_CRITERIA:
        raise Invalid(f"评比指标最多 {MAX_CRITERIA} 项")
    out: list[dict[str, Any]] = []
    for item in value:
        name = str(item.get("name", "") if isinstance(item, Mapping) else "").strip()
        if not name or len(name) > 100 or "\n" in name:
            raise Invalid("每项评比指标都要有名称（不超过 100 个字、不换行）")
        try:
            weight = float(item.get("weight"))  # type: ignore[union-attr]
        except (TypeError, ValueError):
            raise Invalid(f"评比指标「{name}」的权重必须是数字") from None
        if weight != weight or not 0 < weight <= 1000:
            raise Invalid(f"评比指标「{name}」的权重必须大于 0、不超过 1000")
        if any(c["name"] == name for c in out):
            raise Invalid(f"评比指标「{name}」重复")
        out.append({"name": name, "weight": weight})
    return out


# ---------------------------------------------------------------------------- pace and rating


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    first_next = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def year_share(year: int, as_of: date) -> float:
    """序时进度 of an annual plan in percent: the share of ``year`` elapsed by the end of ``as_of``."""
    return time_share(date(year, 1, 1), date(year, 12, 31), as_of)


@dataclass(frozen=True)
class PlannedMilestones:
    """The three milestones of a project: planned dates and the dates reached (approved)."""

    start: date | None = None
    finish: date | None = None
    operate: date | None = None
    started: date | None = None
    finished: date | None = None
    operating: date | None = None

    def late(self, today: date) -> list[str]:
        """The milestones whose planned date has passed unreached (开工, 竣工, 投产 keys)."""
        pairs = (("start", self.start, self.started), ("finish", self.finish, self.finished),
                 ("operate", self.operate, self.operating))
        return [key for key, planned, reached in pairs if planned is not None and planned < today and reached is None]


@dataclass(frozen=True)
class Rating:
    """How a project stands: 年度计划完成率, 序时进度, pace, its milestones late, and the star/snail verdict."""

    share: float | None  # completed / annual plan, percent
    expected: float  # 序时进度 at ``as_of``, percent
    pace: float | None  # share / expected
    late: list[str] = field(default_factory=list)
    rating: str = "unrated"  # star | snail | normal | unrated
    as_of: date | None = None


def rate_project(year: int, today: date, annual_plan: float | None, completed: float,
                 completed_month: date | None, milestones: PlannedMilestones, rules: Mapping[str, Any]) -> Rating:
    """The rating of one project by the office's ``rules`` (see ``data/workspace.json`` ``projects._doc``).

    序时进度 is taken at the end of the month the approved figure is as of, so
    a May figure reported in mid-June is judged against the end of May, as
    offices do; before any approved report, at ``today``. A project without
    an annual plan has no pace: it can still be a snail by a late milestone.
    """
    as_of = min(month_end(completed_month), today) if completed_month is not None else today
    expected = year_share(year, as_of)
    share = round(100.0 * completed / annual_plan, 1) if annual_plan else None
    pace = round(share / expected, 2) if share is not None and expected > 0 else None
    late = milestones.late(today)
    if (today - date(year, 1, 1)).days < int(rules["rate_after_days"]) or today.year < year:
        return Rating(share, round(expected, 1), pace, late, "unrated", as_of)
    if (late and rules.get("late_milestone_is_snail", True)) or (pace is not None and pace < float(rules["snail_pace"])):
        verdict = "snail"
    elif pace is not None and pace >= float(rules["star_pace"]) and not late:
        verdict = "star"
    elif pace is None:
        verdict = "unrated"
    else:
        verdict = "normal"
    return Rating(share, round(expected, 1), pace, late, verdict, as_of)


@dataclass
class GroupLine:
    """One department or 区县 in the 红黑榜 通报."""

    name: str
    projects: int = 0
    plan: float = 0.0
    completed: float = 0.0
    stars: int = 0
    snails: int = 0
    expected: float = 0.0
    share: float | None = None
    pace: float | None = None
    board: str = ""  # red (红榜) | black (黑榜) | ""
    rank: int = 0


GROUP_RULE = ("按进度比（累计完成投资÷年度计划投资÷序时进度）从高到低排名；同比时蜗牛项目少者在前，再同则明星项目多者在前，"
              "仍相同则并列同一名次（按名称排列）")


def group_lines(items: Iterable[tuple[str, float | None, float, str, float]], rules: Mapping[str, Any]) -> list[GroupLine]:
    """The 红黑榜 of groups from ``(group name, annual plan, completed, rating, expected)`` per project.

    A group's pace is its summed completion over its summed plan, against the
    mean 序时进度 of its projects. 红榜 and 黑榜 follow the office's thresholds;
    the order follows ``GROUP_RULE``, equal keys sharing a rank.
    """
    groups: dict[str, GroupLine] = {}
    expected_sum: dict[str, float] = {}
    for name, plan, completed, rating, expected in items:
        g = groups.setdefault(name, GroupLine(name))
        g.projects += 1
        g.plan += plan or 0.0
        g.completed += completed if plan else 0.0
        g.stars += rating == "star"
        g.snails += rating == "snail"
        expected_sum[name] = expected_sum.get(name, 0.0) + expected
    for g in groups.values():
        g.expected = round(expected_sum[g.name] / g.projects, 1)
        g.share = round(100.0 * g.completed / g.plan, 1) if g.plan else None
        g.pace = round(g.share / g.expected, 2) if g.share is not None and g.expected > 0 else None
        if g.pace is not None and g.pace >= float(rules["group_red_pace"]) and not g.snails:
            g.board = "red"
        elif (g.pace is not None and g.pace < float(rules["group_black_pace"])) or \
                g.snails >= int(rules["group_black_snails"]):
            g.board = "black"

    def key(g: GroupLine) -> tuple[float, int, int]:
        return (-(g.pace if g.pace is not None else -1.0), g.snails, -g.stars)

    ordered = sorted(groups.values(), key=lambda g: (key(g), g.name))
    for i, g in enumerate(ordered):
        g.rank = ordered[i - 1].rank if i and key(ordered[i - 1]) == key(g) else i + 1
    return ordered


# ---------------------------------------------------------------------------- 拉练评比


@dataclass
class ScoreLine:
    """One subject (a project or a 区县) of the 拉练评比: its score per criterion, weighted total and rank."""

    subject: str
    label: str
    scores: dict[str, float | None]
    total: float | None = None
    rank: int | None = None


def score_lines(subjects: Sequence[tuple[str, str]], criteria: Sequence[Mapping[str, Any]],
                scores: Mapping[tuple[str, str], float]) -> list[ScoreLine]:
    """Weighted totals and ranks: total = Σ weight × score / Σ weight over the criteria scored; a subject scored on
    no criterion has no total and no rank. Highest total first; equal totals (to 0.01) share a rank."""
    weight = {str(c["name"]): float(c["weight"]) for c in criteria}
    lines: list[ScoreLine] = []
    for subject, label in subjects:
        own = {name: scores.get((subject, name)) for name in weight}
        scored = [(weight[n], s) for n, s in own.items() if s is not None]
        total = round(sum(w * s for w, s in scored) / sum(w for w, _ in scored), 2) if scored else None
        lines.append(ScoreLine(subject, label, own, total))
    ranked = sorted((line for line in lines if line.total is not None), key=lambda x: (-(x.total or 0.0), x.label))
    for i, line in enumerate(ranked):
        line.rank = ranked[i - 1].rank if i and ranked[i - 1].total == line.total else i + 1
    return ranked + [line for line in lines if line.total is None]


# ---------------------------------------------------------------------------- counts named by the report

_COUNT = re.compile(r"(?P<n>\d+)个(?P<pre>[^\d、，,。；;个]{0,6}?)(?P<kind>省市|省|市|县|区)?重点"
                    r"(?:项目|(?=、\d+个[^，,。；;]{0,10}重点项目))")
_KINDS = {"省": "province", "市": "city"}


def project_counts(sentences: Iterable[str]) -> dict[str, tuple[int, str]]:
    """How many key projects of each kind the plan names: kind → (count, the words it was read from).

    "加快建设27个省重点、300个市重点项目" gives 27 province and 300 city
    projects. Several counts of one kind ("300个重点项目" … "175个重点项目"
    … "84个重点项目尽早竣工投产") name one list and its subsets, so the
    largest is the size of the list. Projects still in preparation
    (300个加快前期重点项目) are a different list, not the ledger's.
    """
    found: dict[str, tuple[int, str]] = {}
    for sentence in sentences:
        for m in _COUNT.finditer(sentence):
            if "前期" in m.group("pre"):
                continue
            kind = _KINDS.get(m.group("kind") or "", "other")
            n = int(m.group("n"))
            if n > 0 and n > found.get(kind, (0, ""))[0]:
                found[kind] = (n, m.group(0))
    return found


# ---------------------------------------------------------------------------- quarterly milestones


def quarter_end(year: int, quarter: int) -> date:
    return month_end(date(year, quarter * 3, 1))


def due_quarter(year: int, today: date) -> int | None:
    """The last quarter of ``year`` that has ended by ``today`` (None before the end of Q1)."""
    ended = [q for q in (1, 2, 3, 4) if quarter_end(year, q) < today]
    return ended[-1] if ended else None


def milestone_lag(year: int, today: date, planned: Mapping[int, float], progress: float, done: bool,
                  margin: float = 0.0) -> tuple[int, float] | None:
    """(quarter, planned percent) when a task is 欠进度 against its 季度形象进度, else None.

    The check is against the last quarter that has ended: on 15 June the
    Q1 plan must stand; the Q2 plan is judged from 1 July. A quarter without
    a plan of its own takes the latest planned quarter before it.
    """
    if done:
        return None
    quarter = due_quarter(year, today)
    if quarter is None:
        return None
    due = [(q, p) for q, p in sorted(planned.items()) if q <= quarter]
    if not due:
        return None
    q, percent = due[-1]
    return (q, percent) if progress < percent - margin else None


def check_quarters(values: Mapping[int, tuple[float | None, str]]) -> dict[int, tuple[float, str]]:
    """季度形象进度 as entered: quarters 1–4, percent 0–100 and never lower than an earlier quarter's."""
    out: dict[int, tuple[float, str]] = {}
    last = -1.0
    labels = workspace_rules()["quarter_milestones"]["labels"]
    for quarter in sorted(values):
        if quarter not in (1, 2, 3, 4):
            raise Invalid("季度只能是 1–4")
        percent, text = values[quarter]
        if percent is None:
            if text:
                raise Invalid(f"{labels[str(quarter)]}写了形象进度，请同时填计划完成百分比")
            continue
        if percent != percent or not 0 <= percent <= 100:
            raise Invalid(f"{labels[str(quarter)]}计划完成百分比必须在 0–100 之间")
        if percent < last:
            raise Invalid(f"{labels[str(quarter)]}计划完成百分比不能低于上一季度")
        last = percent
        out[quarter] = (float(percent), text)
    return out
