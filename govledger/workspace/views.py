"""From a report's target records to the tasks of its 任务分解表, and the plain views of the workspace.

``decompose`` is the first step a supervision office takes with a new
report: every target becomes a task with the record's quote as 任务内容,
its deadline (the record's, else the end of the target year) and weight 1.
It is pure: records in, drafts out; the store saves them.

The ``*View`` models are what the store hands to the API and the pages:
Pydantic, so FastAPI documents them in the OpenAPI schema as they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from pydantic import BaseModel

from govledger.records import Record


@dataclass(frozen=True)
class TaskDraft:
    """A task before it is stored: everything it copies from its record."""

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


def task_from_record(record: Record, seq: int, year: int) -> TaskDraft:
    deadline = record_deadline(record, year)
    start = min(date(year, 1, 1), deadline)
    return TaskDraft(
        seq=str(seq), position=seq, content=record.quote, record_ids=[record.id], quote=record.quote,
        sentence=record.sentence, section=list(record.section), quote_start=record.start, quote_end=record.end,
        indicator=record.indicator, metric=record.metric, measure=record.measure, target_value=record.value,
        target_unit=record.unit, bound=record.bound, start_date=start, deadline=deadline,
    )


def decompose(
    records: list[Record], year: int, *, first_seq: int = 1, skip_quotes: Collection[tuple[str, str]] = ()
) -> list[TaskDraft]:
    """One task per target record, numbered from ``first_seq``.

    ``skip_quotes`` holds the (sentence, quote) pairs that already have a
    task, so that importing a corrected version of a report adds only the
    new targets and leaves a year of assignments alone.
    """
    targets = [r for r in records if r.kind == "target" and (r.sentence, r.quote) not in skip_quotes]
    shared = {q for q, n in Counter(r.quote for r in targets).items() if n > 1}
    drafts: list[TaskDraft] = []
    for seq, record in enumerate(targets, first_seq):
        draft = task_from_record(record, seq, year)
        if record.quote in shared and record.metric and not record.quote.startswith(record.metric):
            # one quote, several targets (收入与经济增长基本同步): name the metric so the rows differ
            draft = replace(draft, content=f"{record.metric}：{record.quote}")
        drafts.append(draft)
    return drafts


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


class TaskDetail(BaseModel):
    """Everything the task page shows."""

    task: TaskView
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
