"""The Chinese pages of the key-projects ledger, the 红黑榜 通报, the 拉练评比, the 督办单 and 催办 / 季度形象进度.

Like ``pages.py``: server-rendered, plain forms with the CSRF token, POST →
redirect → GET, every error a one-line Chinese message. ``install(app)``
mounts these routes and the API's, and gives the task page its office
section (``_task_office.html``) through a template global, so the shared
files change by a line each.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from govledger.errors import Invalid
from govledger.serve.workspace.api_common import (
    MAX_SHEET_BYTES,
    XLSX,
    download,
    parse_day,
    parse_number,
    project_attachment_response,
    read_files,
    read_upload,
)
from govledger.serve.workspace.auth import WS, PathId, User, actor_of, check_csrf
from govledger.serve.workspace.pages_common import (
    FIELDS,
    Next,
    Note,
    abilities,
    back,
    describe,
    redirect,
    render,
    with_notice,
    yes_or_no,
)
from govledger.serve.workspace.projects_api import parse_amount, parse_month
from govledger.workspace import Workspace, require
from govledger.workspace.evidence import allowed_extensions
from govledger.workspace.project_rules import GROUP_RULE, project_defaults

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)

RULE_FORM = ("star_pace", "snail_pace", "rate_after_days", "group_red_pace", "group_black_pace", "group_black_snails")


def install(app: FastAPI) -> None:
    """Mount the pages and the API of this module, its labels, and the task page's office section."""
    from govledger.serve.workspace import projects_api

    app.state.templates.env.globals["task_office_of"] = lambda task_id: app.state.workspace.task_office(task_id)
    app.state.templates.env.globals["project_words"] = project_defaults()
    app.include_router(projects_api.router)
    app.include_router(router)


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:g}"


def localise(entry: dict[str, Any]) -> dict[str, Any]:
    """A history entry with coded values in words (项目类别 province → 省重点, 评比对象 county → 按区县)."""
    words = project_defaults()
    if entry.get("username") == "system":
        entry["username"] = "系统（命令行）"
    coded = {FIELDS["kind"]: words["kinds"], FIELDS["scope"]: words["scopes"]}
    for change in entry["changes"]:
        table = coded.get(change["field"])
        if table:
            change["before"] = table.get(change["before"], change["before"])
            change["after"] = table.get(change["after"], change["after"])
    return entry


def _pick(values: dict[str, str], key: str, what: str) -> str:
    if key not in values:
        raise Invalid(f"{what}「{key[:20]}」不存在")
    return key


# ---------------------------------------------------------------------------- the ledger


@router.get("/projects", response_class=HTMLResponse)
def projects_index(request: Request, user: User, ws: WS) -> Response:
    """Which report's ledger to open: every report with its project count and the counts its plan names."""
    rows = [(r, ws.project_count(r.id), ws.named_project_counts(r.id)) for r in ws.reports()]
    return render(request, "projects_index.html", me=user, title="重点项目", rows=rows)


def ledger_context(ws: Workspace, report_id: int) -> dict[str, Any]:
    ledger = ws.project_ledger(report_id)
    report = ledger.report
    return {"title": f"{report.place or report.doc} {report.year or ''} 年重点项目台账", "ledger": ledger,
            "report": report, "departments": ws.departments(active_only=True), "rule_keys": RULE_FORM,
            "pending": ws.pending_project_reports(report_id), "money": _money, "import_error": None,
            "import_details": []}


@router.get("/reports/{report_id}/projects", response_class=HTMLResponse)
def projects_page(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    return render(request, "projects.html", me=user, **ledger_context(ws, report_id))


@router.post("/reports/{report_id}/projects/import", response_class=HTMLResponse)
async def import_projects(request: Request, report_id: PathId, user: User, ws: WS,
                          file: Annotated[UploadFile | None, File()] = None) -> Response:
    """All or nothing; a list with bad rows comes back as the page with every row and reason at the top."""
    require(actor_of(user), "assign")
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的项目清单（XLSX）")
        data = await read_upload(file, MAX_SHEET_BYTES)
        await run_in_threadpool(ws.import_projects, actor_of(user), report_id, data)
    except Invalid as exc:
        context = ledger_context(ws, report_id)
        details = [f"第{d['row']}行：{d['error']}" if d.get("row") else str(d.get("error", "")) for d in exc.details]
        context.update(import_error=exc.message, import_details=details, status_code=exc.status)
        return render(request, "projects.html", me=user, **context)
    return redirect(f"/reports/{report_id}/projects?ok=projects_imported")


@router.post("/reports/{report_id}/projects/placeholders")
def make_placeholders(report_id: PathId, user: User, ws: WS) -> Response:
    ws.create_placeholders(actor_of(user), report_id)
    return redirect(f"/reports/{report_id}/projects?ok=placeholders")


@router.post("/reports/{report_id}/projects/rules")
async def save_rules(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    form = await request.form()
    values: dict[str, Any] = {}
    for key in RULE_FORM:
        raw = form.get(key)
        if isinstance(raw, str) and raw.strip():
            values[key] = parse_number(raw, FIELDS[key])
    values["late_milestone_is_snail"] = form.get("late_milestone_is_snail") == "1"
    ws.set_project_rules(actor_of(user), report_id, values)
    return redirect(f"/reports/{report_id}/projects?ok=rules_saved")


@router.get("/reports/{report_id}/projects/list.xlsx")
def ledger_xlsx(report_id: PathId, user: User, ws: WS) -> Response:
    """The ledger as the office's own list (re-importable: same column names)."""
    from govledger.export.project_sheet import write_sheets

    ledger = ws.project_ledger(report_id)
    header = ["序号", "项目名称", "项目类别", "牵头单位", "所在区县", "总投资（万元）", "年度计划投资（万元）", "计划开工",
              "计划竣工", "计划投产", "累计完成投资（万元）", "年度计划完成率（%）", "序时进度（%）", "评定"]
    rows = [[p.seq, p.name, p.kind_label, p.lead or "", p.county, p.total_investment, p.annual_plan,
             _iso(p.planned_start), _iso(p.planned_finish), _iso(p.planned_operate), p.completed, p.share, p.expected,
             p.rating_label] for p in ledger.projects]
    title = f"{ledger.report.place or ledger.report.doc}{ledger.report.year or ''}年重点项目台账（{ledger.today}）"
    data = write_sheets([("重点项目台账", title, header, (6, 36, 9, 18, 10, 12, 12, 11, 11, 11, 12, 10, 9, 9), rows)])
    return _xlsx(data, f"{ledger.report.doc}_重点项目台账.xlsx")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _xlsx(data: bytes, filename: str) -> Response:
    return download(data, XLSX, filename)


# ---------------------------------------------------------------------------- one project


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: PathId, user: User, ws: WS) -> Response:
    detail = ws.project_detail(project_id)
    p = detail.project
    can = abilities(user)
    names = {d.id: d.name for d in ws.departments()}
    mine = user.role == "department" and user.department_id is not None and user.department_id == p.lead_id
    return render(request, "project.html", me=user, title=f"项目：{p.name}", detail=detail, p=p,
                  report=ws.report(p.report_id), money=_money, departments=ws.departments(active_only=True),
                  history=[localise(describe(a, names, ws.zone)) for a in detail.history], today=ws.today(),
                  accept=",".join(f".{e}" for e in allowed_extensions()),
                  show_report="feedback" in can and mine and not p.placeholder, show_edit="assign" in can,
                  show_review="review" in can)


@router.post("/projects/{project_id}/edit")
def edit_project(
    project_id: PathId, user: User, ws: WS,
    version: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    lead_id: Annotated[str, Form()] = "",
    county: Annotated[str, Form(max_length=100)] = "",
    total_investment: Annotated[str, Form(max_length=40)] = "",
    annual_plan: Annotated[str, Form(max_length=40)] = "",
    planned_start: Annotated[str, Form()] = "",
    planned_finish: Annotated[str, Form()] = "",
    planned_operate: Annotated[str, Form()] = "",
) -> Response:
    """Only what differs from the project goes into the change, so the history names what really changed."""
    require(actor_of(user), "assign")
    current = ws.project(project_id)
    if not version.strip().isdigit():
        raise Invalid("表单缺少版本号，请刷新页面后重试")
    wanted: dict[str, Any] = {
        "name": name.strip(), "kind": _pick(project_defaults()["kinds"], kind, "项目类别"),
        "lead_id": int(lead_id) if lead_id.strip().isdigit() else None, "county": county.strip(),
        "total_investment": parse_number(total_investment, "总投资"), "annual_plan": parse_number(annual_plan, "年度计划投资"),
        "planned_start": parse_day(planned_start, "计划开工"), "planned_finish": parse_day(planned_finish, "计划竣工"),
        "planned_operate": parse_day(planned_operate, "计划投产"),
    }
    changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    ws.update_project(actor_of(user), project_id, int(version), changes)
    return redirect(with_notice(f"/projects/{project_id}", "project_saved"))


@router.post("/projects/{project_id}/report")
async def submit_report(
    project_id: PathId, user: User, ws: WS,
    month: Annotated[str, Form(max_length=10)] = "",
    completed: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=8000)] = "",
    started_on: Annotated[str, Form()] = "",
    finished_on: Annotated[str, Form()] = "",
    operating_on: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    files_read = await read_files(files)
    await run_in_threadpool(
        ws.submit_project_report, actor_of(user), project_id, month=parse_month(month),
        completed=parse_amount(completed), text=text, started_on=parse_day(started_on, "开工日期"),
        finished_on=parse_day(finished_on, "竣工日期"), operating_on=parse_day(operating_on, "投产日期"),
        files=files_read)
    return redirect(with_notice(f"/projects/{project_id}", "project_report"))


@router.post("/project-reports/{report_row_id}/review")
def review_report(report_row_id: PathId, user: User, ws: WS, approve: Annotated[str, Form()] = "",
                  note: Note = "", next: Next = "") -> Response:
    r = ws.review_project_report(actor_of(user), report_row_id, yes_or_no(approve, "请选择「通过」或「退回」"), note)
    return back(next, f"/projects/{r.project_id}", "project_reviewed")


@router.get("/project-attachments/{attachment_id}")
def project_attachment(attachment_id: PathId, user: User, ws: WS) -> Response:
    return project_attachment_response(ws, user, attachment_id)


# ---------------------------------------------------------------------------- 红黑榜 通报 and 拉练评比


@router.get("/reports/{report_id}/projects/board", response_class=HTMLResponse)
def board_page(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    b = ws.project_board(report_id)
    return render(request, "projects_board.html", me=user, title=f"{b.report.place or b.report.doc} {b.report.year or ''} "
                  "年重点项目红黑榜通报", b=b, report=b.report, money=_money, group_rule=GROUP_RULE)


def board_response(ws: Workspace, report_id: int) -> Response:
    """The 红黑榜 通报 as XLSX: 红榜 and 黑榜 projects, departments and 区县 ranked (one sheet each)."""
    from govledger.export.project_sheet import write_sheets

    b = ws.project_board(report_id)
    place = f"{b.report.place or b.report.doc}{b.report.year or ''}年"
    boards = {"red": "红榜", "black": "黑榜", "": ""}
    project_header = ["序号", "项目名称", "牵头单位", "所在区县", "年度计划投资（万元）", "累计完成投资（万元）",
                      "年度计划完成率（%）", "序时进度（%）", "进度比", "逾期节点", "评定"]

    def project_rows(items: Any) -> list[list[Any]]:
        return [[p.seq, p.name, p.lead or "", p.county, p.annual_plan, p.completed, p.share, p.expected, p.pace,
                 "、".join(p.late), p.rating_label] for p in items]

    group_header = ["名次", "名称", "项目数", "年度计划投资（万元）", "累计完成投资（万元）", "完成率（%）", "序时进度（%）",
                    "进度比", "明星项目", "蜗牛项目", "红黑榜"]

    def group_rows(items: Any) -> list[list[Any]]:
        return [[g.rank, g.name, g.projects, g.plan, g.completed, g.share, g.expected, g.pace, g.stars, g.snails,
                 boards[g.board]] for g in items]

    widths_p = (6, 36, 18, 10, 12, 12, 11, 10, 8, 10, 9)
    widths_g = (6, 20, 8, 14, 14, 10, 10, 8, 8, 8, 8)
    data = write_sheets([
        ("红榜（明星项目）", f"{place}重点项目红榜（明星项目，{b.today}）", project_header, widths_p, project_rows(b.red)),
        ("黑榜（蜗牛项目）", f"{place}重点项目黑榜（蜗牛项目，{b.today}）", project_header, widths_p, project_rows(b.black)),
        ("牵头单位排名", f"{place}重点项目推进情况·牵头单位排名", group_header, widths_g, group_rows(b.departments)),
        ("区县排名", f"{place}重点项目推进情况·区县排名", group_header, widths_g, group_rows(b.counties)),
    ])
    return _xlsx(data, f"{b.report.doc}_重点项目红黑榜.xlsx")


@router.get("/reports/{report_id}/projects/board.xlsx")
def board_xlsx(report_id: PathId, user: User, ws: WS) -> Response:
    return board_response(ws, report_id)


@router.get("/reports/{report_id}/projects/scores", response_class=HTMLResponse)
def scores_page(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    sheet = ws.score_sheet(report_id)
    criteria_text = "\n".join(f"{c['name']}|{c['weight']:g}" for c in sheet.criteria)
    return render(request, "projects_scores.html", me=user, title=f"{sheet.report.place or sheet.report.doc} "
                  f"{sheet.report.year or ''} 年项目投资拉练评比", sheet=sheet, report=sheet.report,
                  criteria_text=criteria_text)


@router.post("/reports/{report_id}/projects/scores")
async def save_scores(request: Request, report_id: PathId, user: User, ws: WS) -> Response:
    """The score grid: fields named ``s|subject|criterion``; an empty field clears the score."""
    form = await request.form()
    values: dict[tuple[str, str], float | None] = {}
    for key, raw in form.multi_items():
        if not key.startswith("s|") or not isinstance(raw, str):
            continue
        _, subject, criterion = key.split("|", 2) if key.count("|") >= 2 else (key, "", "")
        values[(subject, criterion)] = parse_number(raw, f"「{criterion[:20]}」的评分")
    ws.set_scores(actor_of(user), report_id, values)
    return redirect(f"/reports/{report_id}/projects/scores?ok=scores_saved")


@router.post("/reports/{report_id}/projects/criteria")
def save_criteria(report_id: PathId, user: User, ws: WS, criteria: Annotated[str, Form(max_length=4000)] = "",
                  score_scope: Annotated[str, Form(max_length=16)] = "project") -> Response:
    """评比指标, one a line: 「名称|权重」."""
    items = []
    for n, line in enumerate(criteria.replace("｜", "|").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, weight = line.rpartition("|")
        if not sep:
            raise Invalid(f"第{n}行应写成「指标名称|权重」")
        items.append({"name": name.strip(), "weight": parse_number(weight, f"第{n}行的权重")})
    ws.set_project_rules(actor_of(user), report_id, {"criteria": items, "score_scope": score_scope})
    return redirect(f"/reports/{report_id}/projects/scores?ok=rules_saved")


# ---------------------------------------------------------------------------- 督办单, 催办, 季度形象进度


@router.get("/tasks/{task_id}/print", response_class=HTMLResponse)
def task_print(request: Request, task_id: PathId, user: User, ws: WS) -> Response:
    """督办单/交办单: one A4 page to print and sign (no forms, no navigation when printed)."""
    task = ws.task(task_id)
    report = ws.report(task.report_id)
    office = ws.task_office(task_id)
    return render(request, "task_print.html", me=user, title=f"督办单 · 任务 {task.seq}", task=task, report=report,
                  office=office, today=ws.today(), print_page=True)


@router.post("/tasks/{task_id}/remind")
def remind(task_id: PathId, user: User, ws: WS, note: Annotated[str, Form(max_length=2000)] = "",
           department_id: Annotated[str, Form()] = "") -> Response:
    dept = int(department_id) if department_id.strip().isdigit() else None
    ws.remind_task(actor_of(user), task_id, note, dept)
    return redirect(with_notice(f"/tasks/{task_id}", "reminded"))


@router.post("/tasks/{task_id}/milestones")
async def save_milestones(request: Request, task_id: PathId, user: User, ws: WS) -> Response:
    form = await request.form()
    values: dict[int, tuple[float | None, str]] = {}
    labels = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
    for q in (1, 2, 3, 4):
        raw, text = form.get(f"q{q}_percent"), form.get(f"q{q}_text")
        values[q] = (parse_number(raw if isinstance(raw, str) else None, f"{labels[q]}计划完成百分比"),
                     text.strip() if isinstance(text, str) else "")
    ws.set_task_milestones(actor_of(user), task_id, values)
    return redirect(with_notice(f"/tasks/{task_id}", "milestones_saved"))
