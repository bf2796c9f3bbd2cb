"""Report pages: the list and upload, the 督查看板, the 任务分解表 round trip, the 公开 switch, 待审核 and 每日提醒."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from govledger.errors import Invalid
from govledger.serve.workspace.api_common import (
    MAX_REPORT_BYTES,
    MAX_SHEET_BYTES,
    apply_sheet,
    import_report_bytes,
    read_upload,
    sheet_response,
)
from govledger.serve.workspace.auth import WS, PathId, User, actor_of, check_csrf
from govledger.serve.workspace.pages_common import (
    REPORT_TYPES,
    _flag,
    redirect,
    render,
    with_notice,
)
from govledger.workspace import Workspace, require
from govledger.workspace.rules import workspace_rules

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


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
