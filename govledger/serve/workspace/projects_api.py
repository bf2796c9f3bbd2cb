"""``/api/v1`` for the key-projects ledger, 拉练评比, 季度形象进度 and 催办: thin calls into ``Workspace``.

Errors come back as ``{"error": ..., "details": [...]}`` with their 4xx
code like every other route (``app.py``); a refused request writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from govledger.serve.workspace.api_common import (
    MAX_SHEET_BYTES,
    parse_day,
    parse_number,
    project_attachment_response,
    read_files,
    read_upload,
)
from govledger.serve.workspace.auth import WS, BodyId, PathId, User, actor_of, check_csrf
from govledger.workspace import require
from govledger.workspace.project_views import (
    ProjectBoard,
    ProjectDetail,
    ProjectLedger,
    ProjectReportView,
    ProjectView,
    ReminderView,
    ScoreSheet,
    TaskOffice,
)

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImportCounts(BaseModel):
    created: int
    updated: int
    filled: int


class PlaceholdersOut(BaseModel):
    created: int


class ProjectPatch(Strict):
    """What the office sets on a project; ``version`` is the one the client last saw (optimistic locking)."""

    version: BodyId
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = Field(default=None, pattern="^(province|city|other)$")
    lead_id: BodyId | None = None
    county: str | None = Field(default=None, max_length=100)
    total_investment: float | None = Field(default=None, ge=0, le=1e9)
    annual_plan: float | None = Field(default=None, ge=0, le=1e9)
    planned_start: date | None = None
    planned_finish: date | None = None
    planned_operate: date | None = None

    @model_validator(mode="before")
    @classmethod
    def no_null_name(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("name", "kind", "county", "version"):
                if key in data and data[key] is None:
                    raise ValueError(f"{key} 不能为 null（不改就不要发送该字段）")
        return data


class ReviewIn(Strict):
    approve: bool
    note: str = Field(default="", max_length=2000)


class Criterion(Strict):
    name: str = Field(min_length=1, max_length=100)
    weight: float = Field(gt=0, le=1000)


class RulesIn(Strict):
    """A report's own project rules; what is not sent keeps its value."""

    star_pace: float | None = Field(default=None, ge=0.1, le=10)
    snail_pace: float | None = Field(default=None, ge=0, le=10)
    late_milestone_is_snail: bool | None = None
    rate_after_days: int | None = Field(default=None, ge=0, le=366)
    group_red_pace: float | None = Field(default=None, ge=0, le=10)
    group_black_pace: float | None = Field(default=None, ge=0, le=10)
    group_black_snails: int | None = Field(default=None, ge=1, le=1000)
    score_scope: str | None = Field(default=None, pattern="^(project|county)$")
    criteria: list[Criterion] | None = Field(default=None, min_length=1, max_length=12)


class ScoreIn(Strict):
    subject: str = Field(min_length=1, max_length=200)
    criterion: str = Field(min_length=1, max_length=100)
    score: float | None = Field(default=None, ge=0, le=100)


class ScoresIn(Strict):
    scores: list[ScoreIn] = Field(min_length=1, max_length=5000)


class QuarterIn(Strict):
    quarter: int = Field(ge=1, le=4)
    percent: float | None = Field(default=None, ge=0, le=100)
    text: str = Field(default="", max_length=4000)


class MilestonesIn(Strict):
    quarters: list[QuarterIn] = Field(max_length=4)


class RemindIn(Strict):
    note: str = Field(default="", max_length=2000)
    department_id: BodyId | None = None


@router.get("/reports/{report_id}/projects", response_model=ProjectLedger, tags=["projects"])
def ledger(report_id: PathId, user: User, ws: WS) -> ProjectLedger:
    """The 重点项目台账: every project with pace and 明星/蜗牛 rating, totals, and the counts the report names."""
    return ws.project_ledger(report_id)


@router.post("/reports/{report_id}/projects/import", response_model=ImportCounts, tags=["projects"])
async def import_projects(report_id: PathId, user: User, ws: WS, file: Annotated[UploadFile, File()]) -> ImportCounts:
    """Import the project list (XLSX: 项目名称, 牵头单位, 总投资, 年度计划投资, 计划开工/竣工/投产, 所在区县), all or nothing."""
    require(actor_of(user), "assign")
    data = await read_upload(file, MAX_SHEET_BYTES)
    counts = await run_in_threadpool(ws.import_projects, actor_of(user), report_id, data)
    return ImportCounts(**counts)


@router.post("/reports/{report_id}/projects/placeholders", response_model=PlaceholdersOut, status_code=201,
             tags=["projects"])
def placeholders(report_id: PathId, user: User, ws: WS) -> PlaceholdersOut:
    """Placeholder projects up to the counts the report's plan names (27个省重点、300个市重点项目)."""
    return PlaceholdersOut(created=ws.create_placeholders(actor_of(user), report_id))


@router.put("/reports/{report_id}/projects/rules", tags=["projects"])
def set_rules(report_id: PathId, body: RulesIn, user: User, ws: WS) -> dict[str, Any]:
    """The report's own star/snail thresholds, 红黑榜 thresholds and 拉练评比 criteria."""
    values = body.model_dump(exclude_none=True)
    return ws.set_project_rules(actor_of(user), report_id, values)


@router.get("/reports/{report_id}/projects/board", response_model=ProjectBoard, tags=["projects"])
def board(report_id: PathId, user: User, ws: WS) -> ProjectBoard:
    """The 红黑榜 通报: 明星项目 and 蜗牛项目, departments and 区县 ranked."""
    return ws.project_board(report_id)


@router.get("/reports/{report_id}/projects/board.xlsx", tags=["projects"], responses={200: {"content": {XLSX: {}}}})
def board_xlsx(report_id: PathId, user: User, ws: WS) -> Response:
    from govledger.serve.workspace.projects_pages import board_response

    return board_response(ws, report_id)


@router.get("/reports/{report_id}/projects/scores", response_model=ScoreSheet, tags=["projects"])
def scores(report_id: PathId, user: User, ws: WS) -> ScoreSheet:
    """The 拉练评比 sheet: criteria and weights, each subject's scores, weighted total and rank."""
    return ws.score_sheet(report_id)


@router.put("/reports/{report_id}/projects/scores", response_model=ScoreSheet, tags=["projects"])
def set_scores(report_id: PathId, body: ScoresIn, user: User, ws: WS) -> ScoreSheet:
    """Enter 拉练评比 scores (0–100, null clears one)."""
    return ws.set_scores(actor_of(user), report_id, {(s.subject, s.criterion): s.score for s in body.scores})


@router.get("/projects/{project_id}", response_model=ProjectDetail, tags=["projects"])
def project(project_id: PathId, user: User, ws: WS) -> ProjectDetail:
    return ws.project_detail(project_id)


@router.patch("/projects/{project_id}", response_model=ProjectView, tags=["projects"])
def update_project(project_id: PathId, body: ProjectPatch, user: User, ws: WS) -> ProjectView:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return ws.update_project(actor_of(user), project_id, body.version, changes)


@router.post("/projects/{project_id}/reports", response_model=ProjectReportView, status_code=201, tags=["projects"])
async def submit_report(
    project_id: PathId, user: User, ws: WS,
    month: Annotated[str, Form(min_length=7, max_length=10)],
    completed: Annotated[str, Form(min_length=1, max_length=40)],
    text: Annotated[str, Form(min_length=1, max_length=8000)],
    started_on: Annotated[str | None, Form()] = None,
    finished_on: Annotated[str | None, Form()] = None,
    operating_on: Annotated[str | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> ProjectReportView:
    """月报 by the project's lead department: 累计完成投资 (万元) to the end of ``month`` (YYYY-MM), milestones reached,
    evidence files."""
    files_read = await read_files(files)
    return await run_in_threadpool(
        ws.submit_project_report, actor_of(user), project_id, month=parse_month(month),
        completed=parse_amount(completed), text=text, started_on=parse_day(started_on, "开工日期"),
        finished_on=parse_day(finished_on, "竣工日期"), operating_on=parse_day(operating_on, "投产日期"),
        files=files_read)


@router.post("/project-reports/{report_row_id}/review", response_model=ProjectReportView, tags=["projects"])
def review_report(report_row_id: PathId, body: ReviewIn, user: User, ws: WS) -> ProjectReportView:
    """审核 a monthly report: approve, or return (退回) with a reason."""
    return ws.review_project_report(actor_of(user), report_row_id, body.approve, body.note)


@router.get("/project-attachments/{attachment_id}", tags=["projects"],
            responses={200: {"content": {"application/octet-stream": {}}}})
def project_attachment(attachment_id: PathId, user: User, ws: WS) -> Response:
    return project_attachment_response(ws, user, attachment_id)


@router.get("/tasks/{task_id}/milestones", response_model=TaskOffice, tags=["tasks"])
def milestones(task_id: PathId, user: User, ws: WS) -> TaskOffice:
    """季度形象进度 of a task and its 欠进度 mark."""
    return ws.task_office(task_id)


@router.put("/tasks/{task_id}/milestones", response_model=TaskOffice, tags=["tasks"])
def set_milestones(task_id: PathId, body: MilestonesIn, user: User, ws: WS) -> TaskOffice:
    """Set Q1–Q4 planned progress; quarters not sent are cleared."""
    return ws.set_task_milestones(actor_of(user), task_id, {q.quarter: (q.percent, q.text) for q in body.quarters})


@router.post("/tasks/{task_id}/remind", response_model=ReminderView, status_code=201, tags=["tasks"])
def remind(task_id: PathId, body: RemindIn, user: User, ws: WS) -> ReminderView:
    """催办: a recorded reminder (audit row) to the lead or a co-department, e-mailed when it has an address."""
    return ws.remind_task(actor_of(user), task_id, body.note, body.department_id)


def parse_month(value: str | None) -> date:
    """A month as YYYY-MM (or a date within it) → its first day."""
    from govledger.errors import Invalid

    text = (value or "").strip()
    try:
        day = date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        raise Invalid(f"月份「{text[:20]}」格式不对（YYYY-MM）") from None
    return day.replace(day=1)


def parse_amount(value: str | None) -> float:
    from govledger.errors import Invalid

    number = parse_number(value, "累计完成投资")
    if number is None:
        raise Invalid("请填写累计完成投资（万元）")
    return number
