"""Lists that span reports: 待审核, 每日提醒 (per report, paged), 我的任务 (a department's landing page),
and keyword search across every report's tasks. Each item says which report it belongs to."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from govledger.errors import Invalid
from govledger.serve.workspace.auth import WS, User, check_csrf
from govledger.serve.workspace.pages_common import (
    PER_PAGE,
    _int_or_none,
    pager,
    redirect,
    render,
    report_names,
)
from govledger.workspace import TaskFilter

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
DIGEST_DEPARTMENTS = 10  # departments per page of the 每日提醒


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, user: User, ws: WS, report_id: str | None = None) -> Response:
    rid = _int_or_none(report_id, "报告")
    report = ws.report(rid) if rid is not None else None
    return render(request, "reviews.html", me=user, title="待审核", report=report,
                  feedback=ws.pending_feedback(rid), extensions=ws.pending_extensions(rid),
                  report_names=report_names(ws),
                  here=f"/reviews?report_id={rid}" if rid is not None else "/reviews")


@router.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request, user: User, ws: WS, report_id: str | None = None,
                page: str | None = None) -> Response:
    """每日提醒 of one report (the first with tasks unless one is chosen), ten departments a page: the
    all-reports version was 82,000 px tall and took seconds."""
    reports = [r for r in ws.reports() if r.n_tasks]
    rid = _int_or_none(report_id, "报告")
    if rid is None and reports:
        rid = reports[0].id
    report = ws.report(rid) if rid is not None else None
    items = ws.digest(rid) if rid is not None else []
    if user.role == "department":
        items = [d for d in items if d["department"] == user.department]
    number = _int_or_none(page, "页码") or 1
    paging = pager(len(items), number, DIGEST_DEPARTMENTS,
                   lambda n: "/digest?" + urlencode({"report_id": rid or "", "page": n}))
    start = (paging["page"] - 1) * DIGEST_DEPARTMENTS
    return render(request, "digest.html", me=user, title="每日提醒", items=items[start:start + DIGEST_DEPARTMENTS],
                  today=ws.today(), days=ws.due_soon_days, reports=reports, report=report, paging=paging)


@router.get("/my", response_class=HTMLResponse)
def my_tasks(request: Request, user: User, ws: WS, status: str | None = None, page: str | None = None) -> Response:
    """我的任务: a department user's tasks (lead or co-department) in every report, the most pressing first."""
    if user.role != "department" or user.department_id is None:
        return redirect("/")
    statuses = request.app.state.templates.env.globals["statuses"]
    if status and status not in statuses:
        raise Invalid(f"状态「{status[:20]}」不存在")
    # the department's tasks sorted by urgency across reports, kept by the workspace until one of them changes
    # (perf: paging through ``list_tasks`` re-filtered and re-sorted all reports' ~14,000 tasks per request)
    queue = ws.department_queue(user.department_id)
    items = [t for t in queue if t.status == status] if status else queue
    number = _int_or_none(page, "页码") or 1
    paging = pager(len(items), number, PER_PAGE,
                   lambda n: "/my?" + urlencode({"status": status or "", "page": n}))
    start = (paging["page"] - 1) * PER_PAGE
    return render(request, "my_tasks.html", me=user, title="我的任务", tasks=items[start:start + PER_PAGE],
                  report_names=report_names(ws), paging=paging, status=status or "")


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, user: User, ws: WS, q: str | None = None, page: str | None = None) -> Response:
    """Keyword search in the task texts of every report."""
    q = (q or "").strip()[:200]
    number = _int_or_none(page, "页码") or 1
    total = ws.list_tasks(TaskFilter(q=q), per_page=1).total if q else 0
    paging = pager(total, number, PER_PAGE, lambda n: "/search?" + urlencode({"q": q, "page": n}))
    items = ws.list_tasks(TaskFilter(q=q), page=paging["page"], per_page=PER_PAGE).items if q else []
    return render(request, "search.html", me=user, title="搜索任务", q=q, tasks=items,
                  report_names=report_names(ws), paging=paging, searched=bool(q))
