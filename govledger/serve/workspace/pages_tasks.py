"""Task pages: the list (filters, pages, merge), one task (quote in its paragraph, verdict, history, the forms its roles may use), feedback, extensions, reviews, attachments."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from govledger.errors import Invalid
from govledger.serve.workspace.api_common import attachment_response, parse_day, parse_number, read_files
from govledger.serve.workspace.auth import WS, PathId, User, actor_of, check_csrf
from govledger.serve.workspace.pages_common import (
    PER_PAGE,
    Next,
    Note,
    _int_or_none,
    _version,
    abilities,
    back,
    describe,
    grouped,
    highlight,
    own_task,
    parse_parts,
    redirect,
    render,
    with_notice,
    yes_or_no,
)
from govledger.workspace import TaskFilter, require
from govledger.workspace.evidence import allowed_extensions
from govledger.workspace.rules import workspace_rules

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


# ---------------------------------------------------------------------------- task list


@router.get("/reports/{report_id}/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, report_id: PathId, user: User, ws: WS, status: str | None = None,
               department_id: str | None = None, q: str | None = None, stage: str | None = None,
               page: str | None = None) -> Response:
    report = ws.report(report_id)
    dept = _int_or_none(department_id, "单位")
    number = _int_or_none(page, "页码") or 1
    q = (q or "").strip()[:200] or None
    f = TaskFilter(report_id=report_id, status=status or None, department_id=dept, q=q, stage=stage or None)
    if f.status is not None and f.status not in workspace_rules()["statuses"]:
        raise Invalid(f"状态「{f.status[:20]}」不存在")
    if f.stage is not None and f.stage not in workspace_rules()["stages"]:
        raise Invalid(f"阶段「{f.stage}」不存在")
    result = ws.list_tasks(f, page=max(1, number), per_page=PER_PAGE)
    pages = max(1, -(-result.total // PER_PAGE))
    query = {k: v for k, v in (("status", f.status), ("department_id", dept), ("q", q), ("stage", f.stage))
             if v is not None}

    def page_url(n: int) -> str:
        return f"/reports/{report_id}/tasks?" + urlencode({**query, "page": n})

    return render(request, "tasks.html", me=user, title=f"{report.place or report.doc} {report.year or ''} 年任务列表",
                  report=report, groups=grouped(result.items), result=result, pages=pages,
                  prev_url=page_url(result.page - 1) if result.page > 1 else None,
                  next_url=page_url(result.page + 1) if result.page < pages else None,
                  departments=ws.departments(), filters={"status": f.status or "", "department_id": dept,
                                                         "q": q or "", "stage": f.stage or ""},
                  filtered=bool(query))


@router.post("/reports/{report_id}/assign")
def bulk_assign(report_id: PathId, user: User, ws: WS, task_ids: Annotated[list[str] | None, Form()] = None,
                bulk_lead_id: Annotated[str, Form()] = "") -> Response:
    """批量交办: the ticked tasks get one lead department in one submit; each change is its own audited update
    (checked first for all of them, so a bad pick changes nothing)."""
    require(actor_of(user), "assign")
    ids = [i for i in (_int_or_none(t, "任务") for t in task_ids or []) if i is not None]
    if not ids:
        raise Invalid("请先勾选要交办的任务")
    lead = _int_or_none(bulk_lead_id, "牵头单位")
    if lead is None:
        raise Invalid("请选择牵头单位")
    if lead not in {d.id for d in ws.departments(active_only=True)}:
        raise Invalid("所选牵头单位不存在或已停用")
    tasks = [ws.task(i) for i in ids]
    if any(t.report_id != report_id for t in tasks):
        raise Invalid("只能交办本报告的任务")
    for t in tasks:
        if t.lead_id != lead:
            ws.update_task(actor_of(user), t.id, t.version, {"lead_id": lead, "co_ids": [c for c in t.co_ids if c != lead]})
    return redirect(with_notice(f"/reports/{report_id}/tasks", "assigned"))


@router.post("/reports/{report_id}/merge")
def merge(report_id: PathId, user: User, ws: WS, task_ids: Annotated[list[str] | None, Form()] = None) -> Response:
    require(actor_of(user), "assign")
    ids = [i for i in (_int_or_none(t, "任务") for t in task_ids or []) if i is not None]
    if len(ids) < 2:
        raise Invalid("合并至少要选两个任务")
    for i in ids:
        if ws.task(i).report_id != report_id:
            raise Invalid("只能合并同一报告的任务")
    kept = ws.merge_tasks(actor_of(user), ids)
    return redirect(with_notice(f"/tasks/{kept.id}", "merged"))


# ---------------------------------------------------------------------------- one task


def task_verdicts(request: Request, doc: str, record_ids: list[str]) -> list[dict[str, Any]]:
    """The stored verdicts of the task's target records (once the next-year report is imported), with both quotes."""
    from govledger.serve.labels import reason_zh
    from govledger.serve.workspace.app import public_views
    from govledger.serve.workspace.public_data import verdict_info

    stored = public_views(request).verdict_of(doc)
    out = []
    for rid in record_ids:
        row = stored.get(rid)
        if row is None:
            continue
        out.append({"target_quote": row.target_quote, "outcome_quote": row.outcome_quote,
                    "outcome_doc": row.outcome_doc, "outcome_estimated": row.outcome_estimated,
                    "reason_zh": reason_zh(row.reason, row.verdict), **verdict_info(row.verdict)})
    return out


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: PathId, user: User, ws: WS) -> Response:
    detail = ws.task_detail(task_id)
    task = detail.task
    can = abilities(user)
    departments = ws.departments()
    names = {d.id: d.name for d in departments}
    open_task = task.stage != "closed"
    mine = own_task(user, task)
    pending_ext = any(e.state == "pending" for e in detail.extensions)
    parent = ws.task(task.parent_id) if task.parent_id is not None else None
    pieces = highlight(detail.paragraph, task.quote)
    report = ws.report(task.report_id)
    return render(
        request, "task.html", me=user, title=f"任务 {task.seq}", detail=detail, task=task, parent=parent,
        report=report, verdicts=task_verdicts(request, report.doc, task.record_ids), pieces=pieces, quote_found=any(m for _, m in pieces),
        history=[describe(a, names, ws.zone) for a in detail.history], departments=departments,
        active_departments=[d for d in departments if d.active or d.id == task.lead_id or d.id in task.co_ids],
        today=ws.today(), mine=mine, accept=",".join(f".{e}" for e in allowed_extensions()),
        show_edit="assign" in can,
        show_split="assign" in can and task.n_children == 0 and not detail.feedback and open_task,
        show_close="review" in can and open_task,
        show_reopen="reopen" in can and not open_task,
        show_feedback="feedback" in can and mine and open_task and task.n_children == 0,
        show_extension="extension_request" in can and mine and open_task and not pending_ext,
        show_review="review" in can,
    )


@router.post("/tasks/{task_id}/edit")
def edit_task(
    task_id: PathId, user: User, ws: WS,
    version: Annotated[str, Form()] = "",
    content: Annotated[str | None, Form(max_length=4000)] = None,
    lead_id: Annotated[str | None, Form()] = None,
    co_ids: Annotated[list[str] | None, Form()] = None,
    deadline: Annotated[str | None, Form()] = None,
    weight: Annotated[str | None, Form()] = None,
    milestones: Annotated[str | None, Form(max_length=4000)] = None,
) -> Response:
    """Only the fields that differ from the task go into the change, so the history names what really changed."""
    require(actor_of(user), "assign")
    current = ws.task(task_id)
    wanted: dict[str, Any] = {
        "content": (content or "").strip(),
        "lead_id": _int_or_none(lead_id, "牵头单位"),
        "co_ids": [i for i in (_int_or_none(c, "配合单位") for c in co_ids or []) if i is not None],
        "deadline": parse_day(deadline, "完成时限") or current.deadline,
        "weight": parse_number(weight, "权重") if weight and weight.strip() else current.weight,
        "milestones": (milestones or "").replace("\r\n", "\n").strip(),
    }
    if wanted["lead_id"] is not None:
        wanted["co_ids"] = [i for i in wanted["co_ids"] if i != wanted["lead_id"]]
    changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    ws.update_task(actor_of(user), task_id, _version(version), changes)
    return redirect(with_notice(f"/tasks/{task_id}", "saved"))


@router.post("/tasks/{task_id}/split")
def split_task(task_id: PathId, user: User, ws: WS, version: Annotated[str, Form()] = "",
               parts: Annotated[str, Form(max_length=20000)] = "") -> Response:
    require(actor_of(user), "assign")
    ws.split_task(actor_of(user), task_id, _version(version), parse_parts(parts))
    return redirect(with_notice(f"/tasks/{task_id}", "split"))


@router.post("/tasks/{task_id}/close")
def close_task(task_id: PathId, user: User, ws: WS, version: Annotated[str, Form()] = "",
               note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    ws.close_task(actor_of(user), task_id, _version(version), note)
    return redirect(with_notice(f"/tasks/{task_id}", "closed"))


@router.post("/tasks/{task_id}/reopen")
def reopen_task(task_id: PathId, user: User, ws: WS, version: Annotated[str, Form()] = "",
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    ws.reopen_task(actor_of(user), task_id, _version(version), note)
    return redirect(with_notice(f"/tasks/{task_id}", "reopened"))


@router.post("/tasks/{task_id}/feedback")
async def submit_feedback(
    task_id: PathId, user: User, ws: WS,
    text: Annotated[str, Form(max_length=8000)] = "",
    reported_on: Annotated[str | None, Form()] = None,
    current_value: Annotated[str | None, Form()] = None,
    percent: Annotated[str | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    files_read = await read_files(files)
    await run_in_threadpool(
        ws.submit_feedback, actor_of(user), task_id, text=text, reported_on=parse_day(reported_on, "反馈日期"),
        current_value=parse_number(current_value, "当前值"), percent=parse_number(percent, "完成百分比"),
        files=files_read,
    )
    return redirect(with_notice(f"/tasks/{task_id}", "feedback"))


@router.post("/tasks/{task_id}/extension")
def request_extension(task_id: PathId, user: User, ws: WS, new_deadline: Annotated[str, Form()] = "",
                      reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    day = parse_day(new_deadline, "新的完成时限")
    if day is None:
        raise Invalid("请填写新的完成时限")
    ws.request_extension(actor_of(user), task_id, day, reason)
    return redirect(with_notice(f"/tasks/{task_id}", "extension"))


@router.post("/feedback/{feedback_id}/review")
def review_feedback(feedback_id: PathId, user: User, ws: WS, approve: Annotated[str, Form()] = "",
                    note: Note = "", next: Next = "") -> Response:
    fb = ws.review_feedback(actor_of(user), feedback_id, yes_or_no(approve, "请选择「通过」或「退回」"), note)
    return back(next, f"/tasks/{fb.task_id}", "reviewed")


@router.post("/extensions/{extension_id}/decide")
def decide_extension(extension_id: PathId, user: User, ws: WS, grant: Annotated[str, Form()] = "",
                     note: Note = "", next: Next = "") -> Response:
    ext = ws.decide_extension(actor_of(user), extension_id, yes_or_no(grant, "请选择「同意」或「不同意」"), note)
    return back(next, f"/tasks/{ext.task_id}", "decided")


@router.get("/attachments/{attachment_id}")
def attachment(attachment_id: PathId, user: User, ws: WS) -> Response:
    return attachment_response(ws, user, attachment_id)
