"""The drafts of the 任务分解表's tasks, and the plain views of the workspace.

``TaskDraft`` is a task before it is stored; ``govledger.workspace.decompose``
makes them from the plan part of a report (one per actionable sentence, its
target records as indicators) and the store saves them.

The ``*View`` models are what the store hands to the API and the pages:
Pydantic, so FastAPI documents them in the OpenAPI schema as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel

from govledger.records import Record


@dataclass(frozen=True)
class TaskDraft:
    """A task before it is stored: its clause of the report and the figures of its main indicator.

    ``record_ids`` are its indicators (target records), the main one first;
    the single target columns copy the main one.
    """

    seq: str
    position: int
    content: str
    record_ids: list[str]
    quote: str
    sentence: str
    section: list[str]
    quote_start: int | None
    quote_end: int | None
    indicator: str | None
    metric: str
    measure: str
    target_value: float | None
    target_unit: str | None
    bound: str
    start_date: date
    deadline: date
    weight: float = 1.0
    milestones: str = ""
    co_ids: list[int] = field(default_factory=list)


def record_deadline(record: Record, fallback_year: int) -> date:
    """The record's ISO deadline, else 31 December of the year it targets (``period``), else of the report."""
    if record.deadline:
        try:
            return date.fromisoformat(record.deadline[:10])
        except ValueError:
            pass
    return date(record.period or record.year or fallback_year, 12, 31)


def indicator_text(quote: str, metric: str, shared: bool, deadline: date, task_deadline: date) -> str:
    """An indicator as the 任务分解表 lists it: the report's words, the metric named where one quote holds two
    figures (收入与经济增长基本同步), its own deadline where it is earlier than the task's (8月底前)."""
    text = f"{metric}：{quote}" if shared and metric and not quote.startswith(metric) else quote
    return f"{text}（{deadline.month}月{deadline.day}日前）" if deadline < task_deadline else text


# ---------------------------------------------------------------------------- views


class DepartmentView(BaseModel):
    id: int
    name: str
    email: str | None = None
    active: bool = True


class UserView(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None = None
    department: str | None = None
    active: bool = True


class ReportView(BaseModel):
    id: int
    doc: str
    place: str | None
    year: int | None
    level: str | None
    public: bool
    n_tasks: int


class TaskView(BaseModel):
    """A task as listed and shown: stored fields plus the derived status, pace and 序时进度."""

    id: int
    report_id: int
    doc: str
    parent_id: int | None
    seq: str
    content: str
    record_ids: list[str]
    quote: str
    sentence: str
    section: list[str]
    indicator: str | None
    metric: str
    measure: str
    target_value: float | None
    target_unit: str | None
    bound: str
    lead_id: int | None
    lead: str | None
    co_ids: list[int]
    co: list[str]
    start_date: date
    deadline: date
    weight: float
    milestones: str
    stage: str
    progress: float
    current_value: float | None
    completed_on: date | None
    expected: float
    status: str
    status_label: str
    pace: str
    n_children: int
    version: int
    updated_at: datetime


class AttachmentView(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class FeedbackView(BaseModel):
    id: int
    task_id: int
    author: str
    reported_on: date
    text: str
    current_value: float | None
    percent: float | None
    state: str
    review_note: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    created_at: datetime
    attachments: list[AttachmentView]


class ExtensionView(BaseModel):
    id: int
    task_id: int
    requester: str
    old_deadline: date
    new_deadline: date
    reason: str
    state: str
    decider: str | None
    decision_note: str | None
    created_at: datetime


class AuditView(BaseModel):
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: int | None
    task_id: int | None
    before: dict[str, object] | None
    after: dict[str, object] | None


class IndicatorView(BaseModel):
    """One quantified target of a task (a target record of its sentence): 量化指标 with figure, bound and deadline.

    ``main`` marks the one whose figure the task's target columns copy and a
    department's 当前值 is judged against; ``text`` is how the 任务分解表 lists it.
    """

    record_id: str
    text: str
    quote: str
    metric: str
    indicator: str | None
    measure: str
    value: float | None
    value_max: float | None
    unit: str | None
    bound: str
    deadline: date
    main: bool


class TaskDetail(BaseModel):
    """Everything the task page shows."""

    task: TaskView
    indicators: list[IndicatorView] = []
    children: list[TaskView]
    feedback: list[FeedbackView]
    extensions: list[ExtensionView]
    history: list[AuditView]
    paragraph: str | None


class Page(BaseModel):
    """One page of a list endpoint."""

    items: list[TaskView]
    total: int
    page: int
    per_page: int
