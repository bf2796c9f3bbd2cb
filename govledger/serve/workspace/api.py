"""``/api/v1``: the workspace's operations as JSON, for scripts and other systems.

Every route is a thin call into ``Workspace``; errors come back as
``{"error": "...", "details": [...]}`` with a 4xx code (see ``app.py``).
Scripts authenticate with ``POST /api/v1/auth/token`` and then send
``Authorization: Bearer <token>``. Lists paginate (``page``, ``per_page``)
and filter by report, department, status, indicator and deadline.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from govledger.errors import Invalid, ReportError, TooLarge
from govledger.limits import FILE_LIMITS, check_zip, clean_text
from govledger.serve.workspace.auth import (
    WS,
    BodyId,
    NotLoggedIn,
    PathId,
    QueryId,
    User,
    actor_of,
    check_csrf,
)
from govledger.workspace import TaskFilter, Workspace, require
from govledger.workspace.views import (
    DepartmentView,
    ExtensionView,
    FeedbackView,
    Page,
    ReportView,
    TaskDetail,
    TaskView,
    UserView,
)

MAX_REPORT_BYTES = FILE_LIMITS["report"]
MAX_SHEET_BYTES = FILE_LIMITS["sheet"]
router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])
StatusName = Literal["not_started", "in_progress", "behind", "overdue", "done"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    token: str
    user: UserView


class TokenInfo(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    expired: bool


class PasswordIn(Strict):
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class RevokedOut(BaseModel):
    revoked: int


class DepartmentIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=200)


class DepartmentPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: Literal["admin", "supervisor", "department", "viewer"]
    display_name: str | None = Field(default=None, max_length=100)
    department_id: BodyId | None = None


class UserPatch(Strict):
    role: Literal["admin", "supervisor", "department", "viewer"] | None = None
    active: bool | None = None
    department_id: BodyId | None = None


class ReportPatch(Strict):
    public: bool


class ImportOut(BaseModel):
    report: ReportView
    status: str
    new_tasks: int


class TaskPatch(Strict):
    """Fields to change; ``version`` is the one the client last saw (optimistic locking)."""

    version: BodyId
    content: str | None = Field(default=None, min_length=1, max_length=4000)
    lead_id: BodyId | None = None
    co_ids: list[BodyId] | None = Field(default=None, max_length=50)
    deadline: date | None = None
    weight: float | None = Field(default=None, gt=0, le=1000)
    milestones: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="before")
    @classmethod
    def no_null_but_lead(cls, data: Any) -> Any:
        """Only ``lead_id`` may be sent as null (it un-assigns); a null elsewhere is a mistake, not "no change"."""
        if isinstance(data, dict):
            nulls = [k for k, v in data.items() if v is None and k != "lead_id"]
            if nulls:
                raise ValueError(f"{'、'.join(sorted(nulls))} 不能为 null（不改就不要发送该字段）")
        return data


class SplitPart(Strict):
    content: str = Field(min_length=1, max_length=4000)
    weight: float = Field(default=1.0, gt=0, le=1000)


class SplitIn(Strict):
    version: BodyId
    parts: list[SplitPart] = Field(min_length=2, max_length=50)


class MergeIn(Strict):
    task_ids: list[BodyId] = Field(min_length=2, max_length=50)


class StepIn(Strict):
    version: BodyId | None = None
    note: str = Field(default="", max_length=2000)


class ReviewIn(Strict):
    approve: bool
    note: str = Field(default="", max_length=2000)


class ExtensionIn(Strict):
    new_deadline: date
    reason: str = Field(min_length=1, max_length=4000)


class DecisionIn(Strict):
    grant: bool
    note: str = Field(default="", max_length=2000)


class SheetOut(BaseModel):
    changed: int


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refusing more than ``limit`` without reading it all into memory first."""
    chunks, size = [], 0
    while True:
        chunk = await upload.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"文件「{(upload.filename or '')[:60]}」超过 {limit // 1048576} MB 上限")
        chunks.append(chunk)
    return b"".join(chunks)


def upload_name(filename: str | None, default: str) -> str:
    """The file's own name (no folders), within the input-size policy."""
    name = clean_text(PurePath((filename or "").replace("\\", "/")).name, "filename")
    return name if name.strip(".") else default


def import_report_bytes(ws: Workspace, user: UserView, filename: str, data: bytes) -> ImportOut:
    """Read an uploaded report (any format ``govledger.read`` knows) and import it with its tasks.

    Blocking and CPU-heavy (a large report takes seconds): the routes run it
    in a worker thread (``run_in_threadpool``), and the extraction itself in a
    worker process (``jobs.py``), so the server keeps serving everyone else.
    """
    from govledger.serve.workspace.jobs import extract_report

    name = upload_name(filename, "report.txt")
    if name.lower().endswith(".docx"):
        check_zip(data, "report", name)
    with tempfile.TemporaryDirectory(prefix="govledger-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            ledger = extract_report(str(path))  # in a worker process: the server's lock stays free
        except ReportError as exc:
            # fix: a reader may quote the path it was given (corrupt .docx); show the file's name, not the server's
            # temporary folder
            reason = exc.reason.replace(str(path), name).replace(folder, "")
            raise Invalid(f"{name}：{reason}") from None
    outcome, new = ws.import_ledger(actor_of(user), ledger)
    return ImportOut(report=ws.report_by_doc(ledger.doc), status=outcome.status, new_tasks=new)


# ---------------------------------------------------------------------------- accounts


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/auth/token", response_model=TokenOut, tags=["auth"],
             responses={429: {"description": "too many failed log-ins: locked for a while"}})
def issue_token(body: TokenRequest, ws: WS, request: Request) -> TokenOut:
    """Exchange a username and password for an API token (send it as ``Authorization: Bearer``).

    The token expires after the workspace's token lifetime (30 days by default)."""
    user = ws.authenticate(body.username, body.password, client_address(request))
    if user is None:
        raise NotLoggedIn("用户名或密码错误")
    token, _ = ws.issue_credential(user.id, "token", body.name)
    return TokenOut(token=token, user=user)


@router.get("/me", response_model=UserView, tags=["auth"])
def me(user: User) -> UserView:
    return user


@router.post("/me/password", response_model=RevokedOut, tags=["auth"])
def change_password(body: PasswordIn, user: User, ws: WS) -> RevokedOut:
    """Change one's own password; every session and token of the account (this one included) ends."""
    ws.change_own_password(actor_of(user), body.old_password, body.new_password)
    return RevokedOut(revoked=-1)


@router.get("/tokens", response_model=list[TokenInfo], tags=["auth"])
def list_tokens(user: User, ws: WS, username: str | None = Query(default=None, max_length=64)) -> list[TokenInfo]:
    """One's own API tokens (an admin may name another user); never the secrets."""
    return [TokenInfo(**t) for t in ws.tokens(actor_of(user), username)]


@router.delete("/tokens/{token_id}", response_model=RevokedOut, tags=["auth"])
def revoke_token(token_id: PathId, user: User, ws: WS) -> RevokedOut:
    """Revoke an API token: one's own, or any as an admin."""
    return RevokedOut(revoked=ws.revoke_tokens(actor_of(user), token_id=token_id))


@router.get("/users", response_model=list[UserView], tags=["admin"])
def list_users(user: User, ws: WS) -> list[UserView]:
    return ws.users(actor_of(user))


@router.post("/users", response_model=UserView, status_code=201, tags=["admin"])
def add_user(body: UserIn, user: User, ws: WS) -> UserView:
    return ws.add_user(actor_of(user), body.username, body.password, body.role, display_name=body.display_name,
                       department_id=body.department_id)


@router.patch("/users/{user_id}", response_model=UserView, tags=["admin"])
def update_user(user_id: PathId, body: UserPatch, user: User, ws: WS) -> UserView:
    return ws.update_user(actor_of(user), user_id, role=body.role, active=body.active,
                          department_id=body.department_id)


@router.get("/departments", response_model=list[DepartmentView], tags=["admin"])
def list_departments(user: User, ws: WS) -> list[DepartmentView]:
    return ws.departments()


@router.post("/departments", response_model=DepartmentView, status_code=201, tags=["admin"])
def add_department(body: DepartmentIn, user: User, ws: WS) -> DepartmentView:
    return ws.add_department(actor_of(user), body.name, body.email)


@router.patch("/departments/{department_id}", response_model=DepartmentView, tags=["admin"])
def update_department(department_id: PathId, body: DepartmentPatch, user: User, ws: WS) -> DepartmentView:
    return ws.update_department(actor_of(user), department_id, name=body.name, email=body.email, active=body.active)


# ---------------------------------------------------------------------------- reports


@router.get("/reports", response_model=list[ReportView], tags=["reports"])
def list_reports(user: User, ws: WS) -> list[ReportView]:
    return ws.reports()


@router.post("/reports", response_model=ImportOut, status_code=201, tags=["reports"])
async def import_report(user: User, ws: WS, file: Annotated[UploadFile, File()]) -> ImportOut:
    """Upload a report (txt, docx, pdf, html); its target records become tasks. Re-uploading changes nothing."""
    require(actor_of(user), "import")
    data = await read_upload(file, MAX_REPORT_BYTES)
    return await run_in_threadpool(import_report_bytes, ws, user, file.filename or "report.txt", data)


@router.get("/reports/{report_id}", response_model=ReportView, tags=["reports"])
def get_report(report_id: PathId, user: User, ws: WS) -> ReportView:
    return ws.report(report_id)


@router.patch("/reports/{report_id}", response_model=ReportView, tags=["reports"])
def update_report(report_id: PathId, body: ReportPatch, user: User, ws: WS) -> ReportView:
    """Switch the report's read-only public page on or off."""
    return ws.set_public(actor_of(user), report_id, body.public)


@router.get("/reports/{report_id}/dashboard", tags=["reports"])
def dashboard(report_id: PathId, user: User, ws: WS) -> dict[str, Any]:
    d = ws.dashboard(report_id)
    return {
        "report": d.report.model_dump(mode="json"), "today": d.today.isoformat(), "counts": d.counts,
        "total": d.total, "progress": d.progress, "departments": d.departments,
        "overdue": [t.model_dump(mode="json") for t in d.overdue],
        "due_soon": [t.model_dump(mode="json") for t in d.due_soon],
        "pending_reviews": d.pending_reviews, "pending_extensions": d.pending_extensions,
        "unassigned": d.unassigned, "n_overdue": d.n_overdue, "n_due_soon": d.n_due_soon, "burnup": d.burnup,
    }


@router.get("/reports/{report_id}/sheet", tags=["reports"],
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export_sheet(report_id: PathId, user: User, ws: WS) -> Response:
    """The 任务分解表 as XLSX (序号, 任务内容, 牵头单位, 配合单位, 完成时限, 季度形象进度)."""
    return sheet_response(ws, report_id)


def sheet_response(ws: Workspace, report_id: int) -> Response:
    import io
    from urllib.parse import quote

    from govledger.export.task_sheet import write_task_sheet

    report = ws.report(report_id)
    buffer = io.BytesIO()
    title = f"{report.place or ''}{report.year or ''}年政府工作报告重点任务分解表"
    write_task_sheet(ws.sheet_rows(report_id), buffer, title=title)
    filename = f"{report.doc}_任务分解表.xlsx"
    return Response(buffer.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def apply_sheet(ws: Workspace, user: UserView, report_id: int, data: bytes) -> int:
    """Read and apply an uploaded sheet; blocking (parsing a big sheet takes a while), so run in a worker thread."""
    from govledger.export.task_sheet import SheetError, read_task_sheet_rows

    report = ws.report(report_id)
    try:
        rows, problems = read_task_sheet_rows(data, year=report.year)
    except SheetError as exc:
        raise Invalid(str(exc), details=[{"row": r, "error": m} for r, m in exc.problems]) from None
    return ws.import_sheet(actor_of(user), report_id, rows, problems)


@router.post("/reports/{report_id}/sheet", response_model=SheetOut, tags=["reports"])
async def import_sheet(report_id: PathId, user: User, ws: WS, file: Annotated[UploadFile, File()]) -> SheetOut:
    """Bulk assignment from an uploaded 任务分解表: all rows or none; bad rows are listed by number."""
    require(actor_of(user), "assign")
    data = await read_upload(file, MAX_SHEET_BYTES)
    return SheetOut(changed=await run_in_threadpool(apply_sheet, ws, user, report_id, data))


# ---------------------------------------------------------------------------- tasks


@router.get("/tasks", response_model=Page, tags=["tasks"])
def list_tasks(
    user: User, ws: WS,
    report_id: QueryId = None, department_id: QueryId = None, status: StatusName | None = None,
    indicator: str | None = Query(default=None, max_length=64), stage: str | None = Query(default=None, max_length=16),
    deadline_from: date | None = None, deadline_to: date | None = None,
    q: str | None = Query(default=None, max_length=200),
    page: int = Query(default=1, ge=1, le=100000), per_page: int = Query(default=50, ge=1, le=500),
) -> Page:
    f = TaskFilter(report_id=report_id, department_id=department_id, status=status, indicator=indicator,
                   deadline_from=deadline_from, deadline_to=deadline_to, stage=stage, q=q)
    return ws.list_tasks(f, page=page, per_page=per_page)


@router.get("/tasks/{task_id}", response_model=TaskDetail, tags=["tasks"])
def get_task(task_id: PathId, user: User, ws: WS) -> TaskDetail:
    return ws.task_detail(task_id)


@router.patch("/tasks/{task_id}", response_model=TaskView, tags=["tasks"])
def update_task(task_id: PathId, body: TaskPatch, user: User, ws: WS) -> TaskView:
    """Assign departments, change 任务内容, deadline, weight or 季度形象进度. A stale ``version`` gets 409."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return ws.update_task(actor_of(user), task_id, body.version, changes)


@router.post("/tasks/{task_id}/split", response_model=list[TaskView], status_code=201, tags=["tasks"])
def split_task(task_id: PathId, body: SplitIn, user: User, ws: WS) -> list[TaskView]:
    return ws.split_task(actor_of(user), task_id, body.version, [(p.content, p.weight) for p in body.parts])


@router.post("/tasks/merge", response_model=TaskView, tags=["tasks"])
def merge_tasks(body: MergeIn, user: User, ws: WS) -> TaskView:
    return ws.merge_tasks(actor_of(user), body.task_ids)


@router.post("/tasks/{task_id}/close", response_model=TaskView, tags=["tasks"])
def close_task(task_id: PathId, body: StepIn, user: User, ws: WS) -> TaskView:
    """办结/销号."""
    return ws.close_task(actor_of(user), task_id, body.version, body.note)


@router.post("/tasks/{task_id}/reopen", response_model=TaskView, tags=["tasks"])
def reopen_task(task_id: PathId, body: StepIn, user: User, ws: WS) -> TaskView:
    return ws.reopen_task(actor_of(user), task_id, body.version, body.note)


@router.get("/tasks/{task_id}/history", tags=["tasks"])
def task_history(task_id: PathId, user: User, ws: WS) -> list[dict[str, Any]]:
    ws.task(task_id)
    return [a.model_dump(mode="json") for a in ws.history(task_id=task_id)]


# ---------------------------------------------------------------------------- feedback and extensions


def parse_number(value: str | None, what: str) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value.strip().rstrip("%"))
    except ValueError:
        raise Invalid(f"{what}「{value}」不是数字") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(f"{what}「{value}」不是数字")
    return number


def parse_day(value: str | None, what: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{what}「{value}」不是日期（YYYY-MM-DD）") from None


async def read_files(files: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    from govledger.workspace.evidence import attachment_rules

    limit = int(attachment_rules()["max_bytes"])
    out = []
    for f in files or []:
        if not f.filename:
            continue
        out.append((f.filename, await read_upload(f, limit)))
    return out


@router.post("/tasks/{task_id}/feedback", response_model=FeedbackView, status_code=201, tags=["feedback"])
async def submit_feedback(
    task_id: PathId, user: User, ws: WS,
    text: Annotated[str, Form(min_length=1, max_length=8000)],
    reported_on: Annotated[str | None, Form()] = None,
    current_value: Annotated[str | None, Form()] = None,
    percent: Annotated[str | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> FeedbackView:
    """反馈: progress text, the current figure or percent complete, and evidence files (PDF, images, XLSX)."""
    files_read = await read_files(files)
    return await run_in_threadpool(
        ws.submit_feedback, actor_of(user), task_id, text=text, reported_on=parse_day(reported_on, "反馈日期"),
        current_value=parse_number(current_value, "当前值"), percent=parse_number(percent, "完成百分比"),
        files=files_read,
    )


@router.get("/feedback", tags=["feedback"])
def pending_feedback(user: User, ws: WS, report_id: QueryId = None) -> list[dict[str, Any]]:
    """Feedback waiting for review, oldest first."""
    return [{"task": t.model_dump(mode="json"), "feedback": f.model_dump(mode="json")}
            for t, f in ws.pending_feedback(report_id)]


@router.post("/feedback/{feedback_id}/review", response_model=FeedbackView, tags=["feedback"])
def review_feedback(feedback_id: PathId, body: ReviewIn, user: User, ws: WS) -> FeedbackView:
    """审核: approve, or return (退回) with a reason."""
    return ws.review_feedback(actor_of(user), feedback_id, body.approve, body.note)


@router.get("/attachments/{attachment_id}", tags=["feedback"],
            responses={200: {"content": {"application/octet-stream": {}}}})
def get_attachment(attachment_id: PathId, user: User, ws: WS) -> Response:
    return attachment_response(ws, user, attachment_id)


def attachment_response(ws: Workspace, user: UserView, attachment_id: int) -> Response:
    from urllib.parse import quote

    name, ctype, data, _ = ws.attachment(actor_of(user), attachment_id)
    return Response(data, media_type=ctype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.post("/tasks/{task_id}/extensions", response_model=ExtensionView, status_code=201, tags=["extensions"])
def request_extension(task_id: PathId, body: ExtensionIn, user: User, ws: WS) -> ExtensionView:
    """延期申请."""
    return ws.request_extension(actor_of(user), task_id, body.new_deadline, body.reason)


@router.get("/extensions", tags=["extensions"])
def pending_extensions(user: User, ws: WS, report_id: QueryId = None) -> list[dict[str, Any]]:
    return [{"task": t.model_dump(mode="json"), "extension": e.model_dump(mode="json")}
            for t, e in ws.pending_extensions(report_id)]


@router.post("/extensions/{extension_id}/decide", response_model=ExtensionView, tags=["extensions"])
def decide_extension(extension_id: PathId, body: DecisionIn, user: User, ws: WS) -> ExtensionView:
    return ws.decide_extension(actor_of(user), extension_id, body.grant, body.note)


# ---------------------------------------------------------------------------- reminders and audit


@router.get("/digest", tags=["reminders"])
def digest(user: User, ws: WS, report_id: QueryId = None) -> list[dict[str, Any]]:
    """每日提醒: overdue and due-soon tasks per lead department (a department user sees its own)."""
    items = ws.digest(report_id)
    if user.role == "department":
        items = [d for d in items if d["department"] == user.department]
    return [{"department": d["department"], "today": d["today"].isoformat(),
             "overdue": [t.model_dump(mode="json") for t in d["overdue"]],
             "due_soon": [t.model_dump(mode="json") for t in d["due_soon"]]} for d in items]


@router.get("/audit", tags=["audit"])
def audit(user: User, ws: WS, task_id: QueryId = None,
          limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """The append-only audit log, newest first."""
    if task_id is None:
        require(actor_of(user), "review")
    return [a.model_dump(mode="json") for a in ws.history(task_id=task_id, limit=limit)]
