"""Progress and status of a task, derived rather than typed.

A supervision office judges a task against 序时进度: the share of its
period (from the start of the year to the deadline) that has elapsed. A
task 60% done when 75% of its time is gone is 欠进度 and, past the margin,
滞后. Status is computed from dates and approved figures every time it is
shown, so it can never disagree with them:

- 已完成: closed (办结) or approved progress reached 100%;
- 逾期: the deadline has passed and it is not done;
- 滞后: progress behind 序时进度 by more than the margin (a task nobody
  has reported on by September is behind, not merely "not started");
- 未开始: nothing approved yet, and still within the margin;
- 推进中: anything else.

The colours and labels are data (``data/workspace.json``) so that the
pages, the API and the e-mail digest say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

Status = Literal["not_started", "in_progress", "done", "behind", "overdue"]
Pace = Literal["behind", "on_pace", "ahead"]
DEFAULT_MARGIN = 10.0  # percentage points behind 序时进度 before a task counts as 滞后


@cache
def workspace_rules() -> dict[str, Any]:
    """The workspace tables: status labels and colours, pace labels, roles, attachment types."""
    text = resources.files("govledger.data").joinpath("workspace.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def status_label(status: str) -> str:
    """The Chinese word for a status (逾期)."""
    return str(workspace_rules()["statuses"][status]["label"])


def status_colour(status: str) -> str:
    return str(workspace_rules()["statuses"][status]["colour"])


@dataclass(frozen=True)
class TaskFacts:
    """What status depends on: the period, the approved progress, and whether the task is closed."""

    start: date
    deadline: date
    progress: float  # approved percent complete, 0–100
    has_progress: bool
    closed: bool
    completed_on: date | None = None


def time_share(start: date, deadline: date, today: date) -> float:
    """序时进度 in percent: the share of [start, deadline] that has elapsed by the end of ``today``."""
    total = (deadline - start).days + 1
    if total <= 0:
        return 100.0
    elapsed = (today - start).days + 1
    return max(0.0, min(100.0, 100.0 * elapsed / total))


def classify_pace(progress: float, expected: float, margin: float = DEFAULT_MARGIN) -> Pace:
    """欠进度 / 达进度 / 超进度: progress against 序时进度, with ``margin`` points of tolerance."""
    if progress < expected - margin:
        return "behind"
    if progress > expected + margin:
        return "ahead"
    return "on_pace"


def derive_status(facts: TaskFacts, today: date, margin: float = DEFAULT_MARGIN) -> Status:
    """The status shown everywhere; see the module docstring for the order of the rules."""
    if facts.closed or facts.progress >= 100.0:
        return "done"
    if today > facts.deadline:
        return "overdue"
    if classify_pace(facts.progress, time_share(facts.start, facts.deadline, today), margin) == "behind":
        return "behind"
    if not facts.has_progress and facts.progress <= 0.0:
        return "not_started"
    return "in_progress"


@cache
def progress_rules() -> dict[str, float]:
    """The tolerance of a 左右 target when judged by its figure (``data/tasks.json`` "progress")."""
    text = resources.files("govledger.data").joinpath("tasks.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)["progress"]
    return {"pp": float(data["approx_tolerance_pp"]), "rel": float(data["approx_tolerance_rel"])}


def _share(part: float, whole: float) -> float:
    return max(0.0, min(100.0, round(100.0 * part / whole, 1)))


def numeric_progress(target: float | None, bound: str, measure: str, current: float | None, *,
                     indicator: str | None = None, metric: str = "", unit: str | None = None) -> float | None:
    """Percent complete from the approved current figure (当前值), where one fits the target; else ``None``.

    The figure is read the way the target is stated, and the target's
    direction comes from the indicator catalogue (``direction``; off the
    catalogue, the metric's words of ``data/verdicts.json``):

    - an amount or level where more is better (改造老旧小区228个, 增长7.5%,
      参保率达到95%): the share reached, 100 once at or past the target
      (114 of 228 is 50%; a growth of 8.1 on 增长7.5% is 100);
    - a ceiling (bound ``max``, 以内/不超过, or a lower-is-better indicator
      such as CPI 3%左右 or the unemployment rate): met (100) while at or
      below it, and target/figure above it;
    - a decrease (下降10%, stored as −10, the figure signed the same way):
      met once the fall is as deep, else the share of the fall reached;
    - a rank: met at or above the place.

    A 左右 target is met within the tolerance of the verdict rules. A
    qualitative target, a missing figure or a target of 0 gives ``None``,
    and the department's own percent counts instead.
    """
    if target is None or current is None or measure == "qualitative" or current != current:
        return None
    from govledger.track.judge import direction_of

    direction = direction_of(indicator, metric)[0]
    tol = progress_rules()
    e = (tol["pp"] if unit in ("%", "pp") or measure in ("growth", "ratio") else tol["rel"] * abs(target)) \
        if bound == "approx" else 0.0
    if measure == "rank":
        return 100.0 if current <= target + e else _share(target, current) if current > 0 else 0.0
    if target < 0:  # a decrease
        if bound == "max":  # 降幅不超过: met while the fall is no deeper
            return 100.0 if current >= target - e else _share(target, current)
        return 100.0 if current <= target + e else _share(current, target) if current < 0 else 0.0
    if direction == "down" or bound == "max":  # a ceiling
        if current <= target + e:
            return 100.0
        return _share(target, current) if target > 0 else 0.0
    if target == 0:
        return None
    if current >= target - e:
        return 100.0
    return _share(current, target)


def counted_progress(progress: float, closed: bool) -> float:
    """What a task adds to any total (its parent, its report): 100 once closed (办结), else its own progress.

    A task is signed off whatever its last figure said, as its status
    (已完成) already says; its own page still shows the figures reported.
    """
    return 100.0 if closed else progress


def weighted_progress(children: Sequence[tuple[float, float]]) -> float:
    """The weighted mean of ``(weight, progress)`` pairs, weights normalised; equal weights if all are 0."""
    if not children:
        return 0.0
    total = sum(max(0.0, w) for w, _ in children)
    if total <= 0:
        return sum(p for _, p in children) / len(children)
    return sum(max(0.0, w) * p for w, p in children) / total


def rollup(
    parent_of: Mapping[int, int | None], weight: Mapping[int, float], own: Mapping[int, float]
) -> dict[int, float]:
    """Progress of every task: a leaf its own, a parent the weighted mean of its children at any depth.

    Plain data in (id → parent id, id → weight, id → leaf progress) and out,
    so the store, the pages and the tests share one rule. A cycle (which
    the store never makes) is broken by taking the task's own figure.
    """
    children: dict[int, list[int]] = {}
    for task, parent in parent_of.items():
        if parent is not None and parent in parent_of:
            children.setdefault(parent, []).append(task)
    out: dict[int, float] = {}
    visiting: set[int] = set()

    def value(task: int) -> float:
        if task in out:
            return out[task]
        kids = children.get(task)
        if not kids or task in visiting:
            result = own.get(task, 0.0)
        else:
            visiting.add(task)
            result = weighted_progress([(weight.get(k, 1.0), value(k)) for k in kids])
            visiting.discard(task)
        out[task] = round(result, 1)
        return out[task]

    for task in parent_of:
        value(task)
    return out


def department_rag(counts: Mapping[str, int]) -> Literal["red", "amber", "green"]:
    """红/黄/绿 of a department from its status counts: any 逾期 is red, any 滞后 amber."""
    if counts.get("overdue", 0):
        return "red"
    if counts.get("behind", 0):
        return "amber"
    return "green"


def ranking_score(counts: Mapping[str, int]) -> float:
    """红黑榜 score: completed share minus a penalty for each overdue and behind task, in points."""
    total = sum(counts.values())
    if total == 0:
        return 0.0
    done = counts.get("done", 0)
    penalty = 2 * counts.get("overdue", 0) + counts.get("behind", 0)
    return round(100.0 * (done - penalty) / total, 1)


RANKING_RULE = ("得分高者在前；同分时逾期少者在前，再同则滞后少者在前，再同则完成率高者在前；"
                "仍相同则并列同一名次（按单位名称排列）")


def ranking_key(counts: Mapping[str, int]) -> tuple[float, int, int, float]:
    """What orders the 红黑榜 (smaller first), in the order ``RANKING_RULE`` states: score, then fewer overdue,
    fewer behind, higher completed share. Departments with equal keys share a rank."""
    total = sum(counts.values()) or 1
    return (-ranking_score(counts), counts.get("overdue", 0), counts.get("behind", 0),
            -round(counts.get("done", 0) / total, 6))


def board_of(counts: Mapping[str, int]) -> Literal["red", "black", ""]:
    """红榜 (commendation) or 黑榜 (criticism), as offices use the words: a department with overdue tasks is on the
    黑榜; one with nothing overdue or behind and something completed is on the 红榜; the rest on neither."""
    if counts.get("overdue", 0):
        return "black"
    if not counts.get("behind", 0) and counts.get("done", 0):
        return "red"
    return ""
