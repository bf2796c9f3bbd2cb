"""What the ``/api/v1`` routers share: request and answer models, upload reading, report and sheet import.

The pages use the same helpers (``pages_*``), so a form and its API twin
read files, numbers and dates the same way.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator

from govledger.errors import Invalid, ReportError, TooLarge
from govledger.limits import FILE_LIMITS, check_zip, clean_text
from govledger.serve.workspace.auth import BodyId, actor_of
from govledger.workspace import Actor, Workspace
from govledger.workspace.views import ReportView, UserView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REPORT_BYTES = FILE_LIMITS["report"]
MAX_SHEET_BYTES = FILE_LIMITS["sheet"]
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
    outcome, new = store_report(ws, actor_of(user), ledger)
    return ImportOut(report=ws.report_by_doc(ledger.doc), status=outcome.status, new_tasks=new)


def store_report(ws: Workspace, actor: Actor, ledger: Any) -> tuple[Any, int]:
    """Import a ledger into the workspace and bring the stored verdicts up to date.

    A 统计公报 (every record an outturn) is kept as ``kind = communique`` like
    ``govledger import`` keeps it; when the report changed, the verdicts of
    its place's neighbouring years are recomputed, so a task whose report has
    its next-year report in the store shows its verdict at once.
    """
    from govledger.track.stored import refresh_verdicts

    if ledger.records and all(r.kind == "outturn" for r in ledger.records):
        ledger.kind = "communique"
    outcome, new = ws.import_ledger(actor, ledger)
    # a changed report re-judges both of its pairs; an unchanged one only pairs never judged (usually none)
    refresh_verdicts(ws.store, [ledger.doc] if outcome.status != "unchanged" else [])
    return outcome, new


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""



def download(data: bytes, media_type: str, filename: str) -> Response:
    """A file the browser saves under its Chinese name (RFC 5987 ``filename*``, so the name survives intact)."""
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def sheet_response(ws: Workspace, report_id: int) -> Response:
    import io

    from govledger.export.task_sheet import write_task_sheet

    report = ws.report(report_id)
    buffer = io.BytesIO()
    title = f"{report.place or ''}{report.year or ''}年政府工作报告重点任务分解表"
    write_task_sheet(ws.sheet_rows(report_id), buffer, title=title)
    return download(buffer.getvalue(), XLSX, f"{report.doc}_任务分解表.xlsx")


def apply_sheet(ws: Workspace, user: UserView, report_id: int, data: bytes) -> int:
    """Read and apply an uploaded sheet; blocking (parsing a big sheet takes a while), so run in a worker thread."""
    from govledger.export.task_sheet import SheetError, read_task_sheet_rows

    report = ws.report(report_id)
    try:
        rows, problems = read_task_sheet_rows(data, year=report.year)
    except SheetError as exc:
        raise Invalid(str(exc), details=[{"row": r, "error": m} for r, m in exc.problems]) from None
    return ws.import_sheet(actor_of(user), report_id, rows, problems)



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



def attachment_response(ws: Workspace, user: UserView, attachment_id: int) -> Response:
    """A task's evidence file (who may read it: ``Workspace.attachment``)."""
    name, ctype, data, _ = ws.attachment(actor_of(user), attachment_id)
    return download(data, ctype, name)


def project_attachment_response(ws: Workspace, user: UserView, attachment_id: int) -> Response:
    """A key project's evidence file (who may read it: ``Workspace.project_attachment``)."""
    name, ctype, data, _ = ws.project_attachment(actor_of(user), attachment_id)
    return download(data, ctype, name)
