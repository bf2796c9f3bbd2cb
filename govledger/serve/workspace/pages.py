"""The Chinese pages of the workspace: server-rendered with Jinja2, plain forms with a CSRF token.

Each route reads the form, calls ``Workspace`` and redirects (POST →
redirect → GET), so a refresh never repeats a change. Errors from the
workspace are shown as a page with the one-line message (``app.py``).
Which forms a page offers follows the roles table (``data/workspace.json``);
the workspace checks every change again, so a hidden form is a courtesy,
not the protection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from govledger.errors import Invalid, NotFound
from govledger.security import new_secret, same_secret
from govledger.serve.workspace.api import (
    MAX_REPORT_BYTES,
    MAX_SHEET_BYTES,
    apply_sheet,
    attachment_response,
    client_address,
    import_report_bytes,
    parse_day,
    parse_number,
    read_files,
    read_upload,
    sheet_response,
)
from govledger.serve.workspace.app import html_response
from govledger.serve.workspace.auth import SESSION_COOKIE, WS, MaybeUser, PathId, User, actor_of, check_csrf
from govledger.workspace import TaskFilter, Throttled, Workspace, require
from govledger.workspace.evidence import allowed_extensions
from govledger.workspace.rules import workspace_rules
from govledger.workspace.views import AuditView, TaskView, UserView

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)

PER_PAGE = 50
OFFICE_ZONE = ZoneInfo("Asia/Shanghai")  # the default; a workspace's own zone (``data/workspace.json``) wins
# what a redirect's ``?ok=`` says at the top of the next page (only these words, never text from the URL)
NOTICES = {
    "imported": "报告已导入，目标任务已生成。",
    "saved": "已保存。",
    "split": "任务已拆分。",
    "merged": "任务已合并。",
    "closed": "任务已办结。",
    "reopened": "任务已重新打开。",
    "feedback": "进度反馈已提交，等待督查审核。",
    "reviewed": "审核结果已保存。",
    "extension": "延期申请已提交，等待审批。",
    "decided": "延期申请已处理。",
    "sheet": "任务分解表已导入。",
    "public_on": "公开页面已开启。",
    "public_off": "公开页面已关闭。",
}
ACTIONS = {
    "report.import": "导入报告", "report.public": "公开设置", "task.update": "修改任务", "task.import": "导入分解表",
    "task.split": "拆分任务", "task.create": "新建子任务", "task.merge": "合并任务", "task.close": "办结",
    "task.reopen": "重新打开", "feedback.submit": "提交反馈", "feedback.approve": "审核通过",
    "feedback.return": "退回反馈", "extension.request": "申请延期", "extension.grant": "同意延期",
    "extension.refuse": "不同意延期",
}
FIELDS = {
    "content": "任务内容", "lead_id": "牵头单位", "co_ids": "配合单位", "deadline": "完成时限", "weight": "权重",
    "milestones": "季度形象进度", "stage": "阶段", "progress": "进度", "current_value": "当前值",
    "completed_on": "完成日期", "note": "说明", "text": "进展情况", "percent": "完成百分比", "files": "附件",
    "reported_on": "反馈日期", "new_deadline": "新的完成时限", "reason": "理由", "children": "子任务",
    "weights": "权重", "seq": "序号", "parent": "上级任务", "tasks": "原任务", "public": "公开",
    "doc": "报告", "status": "结果", "new_tasks": "新任务数",
}
REPORT_TYPES = ".txt,.docx,.pdf,.html,.htm"
LOGIN_COOKIE = "gl_login"  # the log-in form's own CSRF token (double submit): there is no session yet to tie it to


# ---------------------------------------------------------------------------- helpers


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only local paths: a crafted ``next`` must not send the user to another site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def with_notice(url: str, notice: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}ok={notice}"


def when(value: datetime | date | None, zone: tzinfo = OFFICE_ZONE) -> str:
    """A stored time (UTC) in the office's time zone, to the minute; a date as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def office_when(request: Request) -> Any:
    """``when`` in the workspace's own time zone, for the templates."""
    zone = getattr(request.app.state.workspace, "zone", OFFICE_ZONE)
    return lambda value: when(value, zone)


def abilities(user: UserView | None) -> set[str]:
    if user is None:
        return set()
    role = workspace_rules()["roles"].get(user.role)
    return set(role["can"]) if role else set()


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """``html_response`` plus what the workspace pages share: the user's abilities, time formatting, notices."""
    user = context.pop("me", None)
    notice = NOTICES.get(request.query_params.get("ok", ""))
    changed = request.query_params.get("changed", "")
    if notice and request.query_params.get("ok") == "sheet" and changed.isdigit():
        notice = f"任务分解表已导入，{int(changed)} 项任务有改动。"
    return html_response(request, name, can=abilities(user), when=office_when(request), notice=notice, **context)


def own_task(user: UserView, task: TaskView) -> bool:
    """A department user works only on its own tasks (lead or co-department); other roles on all."""
    if user.role != "department":
        return True
    return user.department_id is not None and (
        task.lead_id == user.department_id or user.department_id in task.co_ids)


def section_heading(task: TaskView) -> str:
    if len(task.section) > 1:
        return task.section[1]
    return task.section[0] if task.section else "其他"


def grouped(tasks: Sequence[TaskView]) -> list[tuple[str, list[TaskView]]]:
    """Tasks under their report section (second level, else first), in order, a heading each time it changes."""
    groups: list[tuple[str, list[TaskView]]] = []
    for task in tasks:
        heading = section_heading(task)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(task)
    return groups


def highlight(paragraph: str | None, quote: str) -> list[tuple[str, bool]]:
    """The paragraph cut into (text, is_quote) pieces, the quote marked; the template escapes every piece.

    A merged task's quote is several quotes joined by 「；」: each one found
    in the paragraph is marked. Nothing found gives the paragraph unmarked.
    """
    text = paragraph or ""
    if not text:
        return []
    pieces = [quote] if quote and quote in text else [p for p in (quote or "").split("；") if p and p in text]
    spans = sorted((text.find(p), text.find(p) + len(p)) for p in pieces)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _show(key: str, value: object, names: dict[int, str], stages: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "lead_id" and isinstance(value, int):
        return names.get(value, f"单位 {value}")
    if key == "co_ids" and isinstance(value, list):
        return "、".join(names.get(int(i), f"单位 {i}") for i in value if isinstance(i, int | str)) or "—"
    if key == "stage" and isinstance(value, str):
        return stages.get(value, value)
    if key == "public" and isinstance(value, bool):
        return "开启" if value else "关闭"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def describe(entry: AuditView, names: dict[int, str], zone: tzinfo = OFFICE_ZONE) -> dict[str, Any]:
    """One audit entry as the history table shows it: who, when, what, and each changed field before → after."""
    stages = workspace_rules()["stages"]
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for key, new in after.items():  # what the entry set; a field only in ``before`` was not changed by it
        old = before.get(key)
        if key in before and old == new:
            continue
        if key not in before and new in (None, "", []):
            continue
        changes.append({"field": FIELDS.get(key, key),
                        "before": _show(key, old, names, stages) if key in before else "",
                        "after": _show(key, new, names, stages)})
    merged = before.get("tasks")
    if isinstance(merged, list) and "tasks" not in after:  # 合并: the tasks that went into this one
        joined = "；".join(f"{t.get('seq')}．{t.get('content')}" for t in merged if isinstance(t, dict))
        changes.insert(0, {"field": FIELDS["tasks"], "before": "", "after": joined})
    return {"at": when(entry.at, zone), "username": entry.username, "action": ACTIONS.get(entry.action, entry.action),
            "changes": changes}


def _int_or_none(value: str | None, what: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise Invalid(f"{what}「{value}」不是编号") from None


def _version(value: str | None) -> int:
    number = _int_or_none(value, "版本")
    if number is None:
        raise Invalid("表单缺少版本号，请刷新页面后重试")
    return number


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def parse_parts(text: str) -> list[tuple[str, float]]:
    """拆分 parts, one a line: 「内容|权重」 (权重 optional, default 1; a full-width ｜ works too)."""
    parts: list[tuple[str, float]] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        content, sep, weight = line.replace("｜", "|").rpartition("|")
        if not sep:
            content, weight = line, ""
        value = parse_number(weight, f"第{n}行的权重") if weight.strip() else 1.0
        parts.append((content.strip(), value if value is not None else 1.0))
    return parts


# ---------------------------------------------------------------------------- log-in


def login_form(request: Request, next: str, error: str | None = None, status_code: int = 200) -> Response:
    """The log-in page with a fresh form token, set as a SameSite=Strict cookie too (double submit)."""
    token = new_secret()
    response = html_response(request, "login.html", title="登录", next=safe_next(next), error=error,
                             login_token=token, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=bool(request.app.state.secure_cookies), max_age=3600, path="/login")
    return response


def same_origin(request: Request) -> bool:
    """An ``Origin`` (or, without it, a ``Referer``) header naming another site means a cross-site post."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source != "null"
    parts = urlsplit(source)
    return parts.netloc == request.url.netloc


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return login_form(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, ws: WS, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form(max_length=500)] = "/",
          login_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Log-in CSRF is refused twice over: the form's token must match its cookie (a foreign page can read
    neither), and a foreign ``Origin`` is refused outright; then the throttled password check."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not same_origin(request) or not login_token or not cookie or not same_secret(login_token, cookie):
        return login_form(request, next, error="登录表单已过期或来源不明，请重新登录", status_code=403)
    try:
        user = ws.authenticate(username, password, client_address(request))
    except Throttled as exc:
        return login_form(request, next, error=exc.message, status_code=exc.status)
    if user is None:
        return login_form(request, next, error="用户名或密码错误", status_code=401)
    secret, _ = ws.issue_credential(user.id, "session", request.headers.get("user-agent", "")[:100])
    response = redirect(safe_next(next))
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=bool(request.app.state.secure_cookies), max_age=12 * 3600)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ws: WS) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        ws.revoke_credential(cookie)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---------------------------------------------------------------------------- reports and dashboard


@router.get("/", response_class=HTMLResponse)
def reports_page(request: Request, user: User, ws: WS) -> Response:
    return render(request, "reports.html", me=user, title="报告", reports=ws.reports(), report_types=REPORT_TYPES)


@router.post("/reports/import")
async def import_report(user: User, ws: WS, file: Annotated[UploadFile | None, File()] = None) -> Response:
    require(actor_of(user), "import")
    if file is None or not file.filename:
        raise Invalid("请选择要导入的报告文件")
    data = await read_upload(file, MAX_REPORT_BYTES)
    out = await run_in_threadpool(import_report_bytes, ws, user, file.filename, data)
    return redirect(with_notice(f"/reports/{out.report.id}", "imported"))


def dashboard_context(ws: Workspace, report_id: int) -> dict[str, Any]:
    d = ws.dashboard(report_id)
    rules = workspace_rules()["statuses"]
    chart = {
        "burnup": d.burnup,
        "statuses": [{"key": s, "label": rules[s]["label"], "colour": rules[s]["colour"], "count": d.counts[s]}
                     for s in d.counts],
    }
    return {"title": f"{d.report.place or d.report.doc} {d.report.year or ''} 年督查看板", "d": d, "chart": chart,
            "report": d.report, "sheet_error": None, "sheet_details": []}


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def dashboard_page(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    return render(request, "dashboard.html", me=user, **dashboard_context(ws, report_id))


@router.get("/reports/{report_id}/sheet.xlsx")
def export_sheet(report_id: PathId, user: User, ws: WS) -> Response:
    return sheet_response(ws, report_id)


@router.post("/reports/{report_id}/sheet", response_class=HTMLResponse)
async def import_sheet(request: Request, report_id: PathId, user: User, ws: WS,
                       file: Annotated[UploadFile | None, File()] = None) -> Response:
    require(actor_of(user), "assign")
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的任务分解表（XLSX）")
        data = await read_upload(file, MAX_SHEET_BYTES)
        changed = await run_in_threadpool(apply_sheet, ws, user, report_id, data)
    except Invalid as exc:
        context = dashboard_context(ws, report_id)
        details = []
        for item in exc.details:
            message, row = str(item.get("error", "")), item.get("row")
            details.append(message if message.startswith("第") or not row else f"第{row}行：{message}")
        context.update(sheet_error=exc.message, sheet_details=details, status_code=exc.status)
        return render(request, "dashboard.html", me=user, **context)
    return redirect(f"/reports/{report_id}?ok=sheet&changed={changed}")


@router.post("/reports/{report_id}/public")
def switch_public(report_id: PathId, user: User, ws: WS, public: Annotated[str, Form()] = "0") -> Response:
    on = _flag(public)
    ws.set_public(actor_of(user), report_id, on)
    return redirect(with_notice(f"/reports/{report_id}", "public_on" if on else "public_off"))


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
    return render(
        request, "task.html", me=user, title=f"任务 {task.seq}", detail=detail, task=task, parent=parent,
        report=ws.report(task.report_id), pieces=pieces, quote_found=any(m for _, m in pieces),
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
                    note: Annotated[str, Form(max_length=2000)] = "",
                    next: Annotated[str, Form(max_length=500)] = "") -> Response:
    if approve not in ("1", "0"):
        raise Invalid("请选择「通过」或「退回」")
    fb = ws.review_feedback(actor_of(user), feedback_id, approve == "1", note)
    return redirect(with_notice(safe_next(next) if next else f"/tasks/{fb.task_id}", "reviewed"))


@router.post("/extensions/{extension_id}/decide")
def decide_extension(extension_id: PathId, user: User, ws: WS, grant: Annotated[str, Form()] = "",
                     note: Annotated[str, Form(max_length=2000)] = "",
                     next: Annotated[str, Form(max_length=500)] = "") -> Response:
    if grant not in ("1", "0"):
        raise Invalid("请选择「同意」或「不同意」")
    ext = ws.decide_extension(actor_of(user), extension_id, grant == "1", note)
    return redirect(with_notice(safe_next(next) if next else f"/tasks/{ext.task_id}", "decided"))


@router.get("/attachments/{attachment_id}")
def attachment(attachment_id: PathId, user: User, ws: WS) -> Response:
    return attachment_response(ws, user, attachment_id)


# ---------------------------------------------------------------------------- reviews and reminders


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, user: User, ws: WS, report_id: str | None = None) -> Response:
    rid = _int_or_none(report_id, "报告")
    report = ws.report(rid) if rid is not None else None
    return render(request, "reviews.html", me=user, title="待审核", report=report,
                  feedback=ws.pending_feedback(rid), extensions=ws.pending_extensions(rid),
                  here=f"/reviews?report_id={rid}" if rid is not None else "/reviews")


@router.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request, user: User, ws: WS) -> Response:
    items = ws.digest()
    if user.role == "department":
        items = [d for d in items if d["department"] == user.department]
    return render(request, "digest.html", me=user, title="每日提醒", items=items, today=ws.today(),
                  days=ws.due_soon_days)


# ---------------------------------------------------------------------------- administration


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: User, ws: WS) -> Response:
    actor = actor_of(user)
    require(actor, "manage_users")
    return render(request, "admin.html", me=user, title="管理", users=ws.users(actor), departments=ws.departments())


@router.post("/admin/departments")
def add_department(user: User, ws: WS, name: Annotated[str, Form(max_length=200)] = "",
                   email: Annotated[str, Form(max_length=200)] = "") -> Response:
    ws.add_department(actor_of(user), name, email)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/departments/{department_id}")
def update_department(department_id: PathId, user: User, ws: WS, name: Annotated[str | None, Form(max_length=200)] = None,
                      email: Annotated[str | None, Form(max_length=200)] = None,
                      active: Annotated[str | None, Form()] = None) -> Response:
    ws.update_department(actor_of(user), department_id, name=name, email=email if email is not None else "",
                         active=_flag(active) if active is not None else None)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/users")
def add_user(user: User, ws: WS, username: Annotated[str, Form(max_length=64)] = "",
             password: Annotated[str, Form(max_length=256)] = "", role: Annotated[str, Form()] = "",
             display_name: Annotated[str, Form(max_length=100)] = "",
             department_id: Annotated[str | None, Form()] = None) -> Response:
    ws.add_user(actor_of(user), username, password, role, display_name=display_name.strip() or None,
                department_id=_int_or_none(department_id, "单位") if role == "department" else None)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/users/{user_id}")
def update_user(user_id: PathId, user: User, ws: WS, role: Annotated[str | None, Form()] = None,
                department_id: Annotated[str | None, Form()] = None,
                active: Annotated[str | None, Form()] = None) -> Response:
    ws.update_user(actor_of(user), user_id, role=role or None,
                   department_id=_int_or_none(department_id, "单位") if role == "department" else None,
                   active=_flag(active) if active is not None else None)
    return redirect(with_notice("/admin", "saved"))


# ---------------------------------------------------------------------------- the public page


@router.get("/public/{doc}", response_class=HTMLResponse)
def public_page(request: Request, doc: str, ws: WS) -> Response:
    """A report's read-only page for anyone, only while its 公开 switch is on (else the same 404 as no report)."""
    try:
        report = ws.report_by_doc(doc)
    except NotFound:
        report = None
    if report is None or not report.public:
        raise NotFound("该报告没有公开页面")
    d = ws.dashboard(report.id)
    tasks = ws.all_views(report.id)
    return html_response(request, "public.html", title=f"{report.place or report.doc} {report.year or ''} 年目标任务进展",
                         report=report, d=d, groups=grouped(tasks), when=office_when(request), can=set(), notice=None,
                         public_page=True)
