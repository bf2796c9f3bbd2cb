"""The public views as a read-only router of the one web app: GET only, no log-in, JSON twins under /api/public.

- ``/public`` — places and years, indicators;
- ``/public/report/{doc}`` — the report card: each target of year Y beside
  the outcome report Y+1 gives, both quotes, the verdict;
- ``/public/place/{place}``, ``/public/indicator/{indicator}`` — a place year
  over year, an indicator across places;
- ``/public/series/{indicator}`` — the national targets beside the
  statistical communiqués' official figures;
- ``/public/{doc}`` — the report's task progress, only while its 公开 switch is on.

What is public follows the app's setting (``PublicViews.scope``, see
``public_data.py``); the data come from the store (``PublicViews``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govledger.errors import NotFound
from govledger.serve.workspace.app import html_response, public_views
from govledger.serve.workspace.auth import WS, optional_user
from govledger.serve.workspace.public_data import PublicViews

router = APIRouter(include_in_schema=False)


def views(request: Request) -> PublicViews:
    found: PublicViews = public_views(request)
    return found


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return html_response(request, name, public_page=True, can=set(), notice=None, **context)


def cached_page(request: Request, name: str, make: Callable[[], dict[str, Any]]) -> Response:
    """A public page rendered once per store version (per address, and per logged-in or not: the header
    differs), then served from memory; ``make`` gives the template's context and may raise ``NotFound``."""
    key = ("html", name, request.url.path, request.url.query, optional_user(request) is not None)

    def render() -> tuple[bytes, int]:
        response = page(request, name, **make())
        return bytes(response.body), response.status_code

    body, status = views(request)._cached(key, render)
    return HTMLResponse(body, status_code=status)


# ---------------------------------------------------------------------------- JSON


@router.get("/api/public/index")
def api_index(request: Request) -> dict[str, Any]:
    return views(request).index()


@router.get("/api/public/report/{doc}")
def api_report(request: Request, doc: str) -> dict[str, Any]:
    return views(request).report(doc)


@router.get("/api/public/indicator/{indicator}")
def api_indicator(request: Request, indicator: str, year: int | None = None,
                  measure: str | None = None) -> dict[str, Any]:
    return views(request).indicator(indicator, year, measure)


@router.get("/api/public/place/{place}")
def api_place(request: Request, place: str) -> dict[str, Any]:
    return views(request).place(place)


@router.get("/api/public/series/{indicator}")
def api_series(request: Request, indicator: str) -> dict[str, Any]:
    return views(request).series(indicator)


# ---------------------------------------------------------------------------- pages


@router.get("/public", response_class=HTMLResponse)
def index_page(request: Request) -> HTMLResponse:
    return page(request, "public_index.html", v=views(request).index(), title="政府工作报告目标核对")


@router.get("/public/report/{doc}", response_class=HTMLResponse)
def report_page(request: Request, doc: str) -> Response:
    def make() -> dict[str, Any]:
        v = views(request).report(doc)
        return {"v": v, "title": f"{v['place']} {v['year']} 年目标成绩单"}

    return cached_page(request, "public_report.html", make)


@router.get("/public/indicator/{indicator}", response_class=HTMLResponse)
def indicator_page(request: Request, indicator: str, year: int | None = None,
                   measure: str | None = None) -> HTMLResponse:
    v = views(request).indicator(indicator, year, measure)
    return page(request, "public_indicator.html", v=v, title=f"{v['name']} {v['year']} 年各地目标与实际")


@router.get("/public/place/{place}", response_class=HTMLResponse)
def place_page(request: Request, place: str) -> HTMLResponse:
    v = views(request).place(place)
    return page(request, "public_place.html", v=v, title=f"{v['place']} 历年目标")


@router.get("/public/series/{indicator}", response_class=HTMLResponse)
def series_page(request: Request, indicator: str) -> HTMLResponse:
    v = views(request).series(indicator)
    return page(request, "public_series.html", v=v, title=f"全国{v['name']}：历年预期目标与统计公报")


@router.get("/public/{doc}", response_class=HTMLResponse)
def tasks_page(request: Request, doc: str, ws: WS) -> Response:
    """A report's task progress for anyone, only while its 公开 switch is on (else the same 404 as no report)."""
    from govledger.serve.workspace.pages_common import grouped, office_when

    try:
        report = ws.report_by_doc(doc)
    except NotFound:
        report = None
    if report is None or not report.public:
        raise NotFound("该报告没有公开页面")
    d = ws.dashboard(report.id)
    card = views(request).docs().get(report.doc)
    return page(request, "public_tasks.html", title=f"{report.place or report.doc} {report.year or ''} 年目标任务进展",
                report=report, d=d, groups=grouped(ws.all_views(report.id)), when=office_when(request),
                card=card)
