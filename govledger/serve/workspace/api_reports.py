"""``/api/v1`` reports: import, the 公开 switch, the dashboard, the 任务分解表 round trip."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Response, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from govledger.serve.workspace.api_common import (
    MAX_REPORT_BYTES,
    MAX_SHEET_BYTES,
    ImportOut,
    ReportPatch,
    SheetOut,
    apply_sheet,
    import_report_bytes,
    read_upload,
    sheet_response,
)
from govledger.serve.workspace.auth import WS, PathId, User, actor_of, check_csrf
from govledger.workspace import require
from govledger.workspace.views import ReportView

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])


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


_DASHBOARD_JSON: dict[int, tuple[Any, bytes]] = {}  # report id → (the Dashboard it was made from, its JSON)


@router.get("/reports/{report_id}/dashboard", tags=["reports"], response_class=JSONResponse)
def dashboard(report_id: PathId, user: User, ws: WS) -> Response:
    """Counts, 红黑榜, overdue and due-soon lists, burn-up. The workspace hands back the same ``Dashboard`` until
    the report changes, so its JSON is encoded once per change (FastAPI's generic encoder cost ~20 ms here)."""
    d = ws.dashboard(report_id)
    memo = _DASHBOARD_JSON.get(report_id)
    if memo is None or memo[0] is not d:
        body = json.dumps({
            "report": d.report.model_dump(mode="json"), "today": d.today.isoformat(), "counts": d.counts,
            "total": d.total, "progress": d.progress, "departments": d.departments,
            "overdue": [t.model_dump(mode="json") for t in d.overdue],
            "due_soon": [t.model_dump(mode="json") for t in d.due_soon],
            "pending_reviews": d.pending_reviews, "pending_extensions": d.pending_extensions,
            "unassigned": d.unassigned, "n_overdue": d.n_overdue, "n_due_soon": d.n_due_soon, "burnup": d.burnup,
        }, ensure_ascii=False).encode("utf-8")
        memo = _DASHBOARD_JSON[report_id] = (d, body)
    return Response(memo[1], media_type="application/json")


@router.get("/reports/{report_id}/sheet", tags=["reports"],
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export_sheet(report_id: PathId, user: User, ws: WS) -> Response:
    """The 任务分解表 as XLSX (序号, 任务内容, 牵头单位, 配合单位, 完成时限, 季度形象进度)."""
    return sheet_response(ws, report_id)



@router.post("/reports/{report_id}/sheet", response_model=SheetOut, tags=["reports"])
async def import_sheet(report_id: PathId, user: User, ws: WS, file: Annotated[UploadFile, File()]) -> SheetOut:
    """Bulk assignment from an uploaded 任务分解表: all rows or none; bad rows are listed by number."""
    require(actor_of(user), "assign")
    data = await read_upload(file, MAX_SHEET_BYTES)
    return SheetOut(changed=await run_in_threadpool(apply_sheet, ws, user, report_id, data))
