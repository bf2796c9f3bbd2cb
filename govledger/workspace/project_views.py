"""The views of the key-projects ledger and of the office pages (督办单, 季度形象进度): what the API and pages show.

Pydantic, like ``views.py``, so FastAPI documents them as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from govledger.workspace.views import AttachmentView, AuditView, ReportView


class ProjectView(BaseModel):
    """A project as listed: what the office set, the approved figures, and the derived pace and rating."""

    id: int
    report_id: int
    seq: int
    name: str
    kind: str
    kind_label: str
    lead_id: int | None
    lead: str | None
    county: str
    total_investment: float | None
    annual_plan: float | None
    planned_start: date | None
    planned_finish: date | None
    planned_operate: date | None
    completed: float
    completed_month: date | None
    started_on: date | None
    finished_on: date | None
    operating_on: date | None
    placeholder: bool
    source: str
    version: int
    share: float | None  # 年度计划完成率, percent
    expected: float  # 序时进度, percent
    pace: float | None
    late: list[str]  # 开工/竣工/投产 overdue, as words
    rating: str
    rating_label: str
    pending: int = 0  # monthly reports waiting for review


class ProjectReportView(BaseModel):
    """A monthly report (月报) on a project and its review."""

    id: int
    project_id: int
    author: str
    month: date
    completed: float
    started_on: date | None
    finished_on: date | None
    operating_on: date | None
    text: str
    state: str
    review_note: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    created_at: datetime
    attachments: list[AttachmentView]


class ProjectDetail(BaseModel):
    project: ProjectView
    reports: list[ProjectReportView]
    history: list[AuditView]


class ProjectLedger(BaseModel):
    """A report's 项目台账: every project, the totals, and what the report itself names."""

    report: ReportView
    today: date
    rules: dict[str, Any]
    projects: list[ProjectView]
    by_kind: dict[str, int]
    placeholders: int
    plan: float
    completed: float
    share: float | None
    expected: float
    stars: int
    snails: int
    named: dict[str, list[Any]]  # kind → [count, words] read from the report's plan
    pending: int


class GroupView(BaseModel):
    name: str
    projects: int
    plan: float
    completed: float
    stars: int
    snails: int
    expected: float
    share: float | None
    pace: float | None
    board: str
    rank: int


class ProjectBoard(BaseModel):
    """The 红黑榜 通报: star and snail projects, and departments and 区县 ranked."""

    report: ReportView
    today: date
    rules: dict[str, Any]
    red: list[ProjectView]
    black: list[ProjectView]
    departments: list[GroupView]
    counties: list[GroupView]


class ScoreLineView(BaseModel):
    subject: str
    label: str
    scores: dict[str, float | None]
    total: float | None
    rank: int | None


class ScoreSheet(BaseModel):
    """The 拉练评比 sheet of a report: criteria with weights, and each subject's scores, total and rank."""

    report: ReportView
    scope: str
    criteria: list[dict[str, Any]]
    lines: list[ScoreLineView]


class QuarterMilestone(BaseModel):
    quarter: int
    label: str
    percent: float | None
    text: str
    due: date


class TaskOffice(BaseModel):
    """What the office sees beside a task: its quarterly milestones, the 欠进度 mark, and the 催办 already sent."""

    task_id: int
    milestones: list[QuarterMilestone]
    lag: dict[str, Any] | None  # {"quarter", "label", "percent"} when 欠进度
    reminders: int


class ReminderView(BaseModel):
    task_id: int
    department: str
    email: str | None
    mailed: str  # sent | no_address | no_mailer | failed
    note: str
