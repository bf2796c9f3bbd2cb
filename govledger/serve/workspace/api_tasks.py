"""``/api/v1`` tasks: list and filter, edit, split, merge, close; feedback, extensions, attachments; digest and audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from govledger.serve.workspace.api_common import (
    DecisionIn,
    ExtensionIn,
    MergeIn,
    ReviewIn,
    SplitIn,
    StatusName,
    StepIn,
    TaskPatch,
    attachment_response,
    parse_day,
    parse_number,
    read_files,
)
from govledger.serve.workspace.auth import WS, PathId, QueryId, User, actor_of, check_csrf
from govledger.workspace import TaskFilter, require
from govledger.workspace.views import ExtensionView, FeedbackView, Page, TaskDetail, TaskView

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])


# ---------------------------------------------------------------------------- tasks


@router.get("/tasks", response_model=Page, tags=["tasks"])
def list_tasks(
    user: User, ws: WS,
    report_id: QueryId = None, department_id: QueryId = None, status: StatusName | None = None,
    indicator: str | None = Query(default=None, max_length=64), stage: str | None = Query(default=None, max_length=16),
    deadline_from: date | None = None, deadline_to: date | None = None,
    q: str | None = Query(default=None, max_length=200),
    page: int = Query(default=1, ge=1, le=100000), per_page: int = Query(default=50, ge=1, le=500),
) -> Response:
    """One page of the task list. The page is encoded by Pydantic in one pass and sent as it is: FastAPI's own
    path (dump, validate again against ``Page``, encode) cost several times as much for 50 tasks; the schema
    still documents ``Page``."""
    f = TaskFilter(report_id=report_id, department_id=department_id, status=status, indicator=indicator,
                   deadline_from=deadline_from, deadline_to=deadline_to, stage=stage, q=q)
    return Response(ws.list_tasks(f, page=page, per_page=per_page).model_dump_json(), media_type="application/json")


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
