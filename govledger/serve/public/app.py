"""The FastAPI app of the public views: server-rendered Chinese pages and JSON twins, GET only.

ECharts is served from ``node_modules/echarts/dist/echarts.min.js`` (installed
with ``npm ci`` at set-up, never committed, never fetched from the internet);
set ``GOVLEDGER_ECHARTS`` to point elsewhere. Without it the pages still show
every table and say that the chart script is missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from govledger.serve.public.data import BOUND_LABELS, LEVEL_LABELS, VERDICT_LABELS, NotFound, PublicData

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def echarts_path() -> Path:
    env = os.environ.get("GOVLEDGER_ECHARTS")
    if env:
        return Path(env)
    for root in (REPO_ROOT, Path.cwd()):
        p = root / "node_modules" / "echarts" / "dist" / "echarts.min.js"
        if p.is_file():
            return p
    return REPO_ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"


def _num(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:g}"
    return str(x)


def create_app(data: PublicData, corpus: str | Path | None = None) -> FastAPI:
    """The app over already loaded ``data`` (see ``PublicData.load``).

    With ``corpus`` (the national corpus folder: ``national/`` and ``statistical_communiques/``)
    it also serves ``/series/{indicator}``: every year's national target beside the official
    outturn, each with its quote (issue 9); a series is computed once, on first request.
    """
    app = FastAPI(title="govledger 公开视图", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["num"] = _num
    templates.env.globals.update(verdict_labels=VERDICT_LABELS, bound_labels=BOUND_LABELS, level_labels=LEVEL_LABELS)
    app.state.data = data
    app.mount("/static/public", StaticFiles(directory=str(HERE / "static")), name="public-static")
    echarts = echarts_path()

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", _CSP)
        return response

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"has_echarts": echarts.is_file(), **ctx},
                                          status_code=status)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if is_api(request):
            return JSONResponse({"error": str(exc)}, status_code=404)
        return page(request, "error.html", 404, title="未找到", message=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        return page(request, "error.html", exc.status_code, title=str(exc.status_code), message=str(exc.detail))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        if is_api(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return page(request, "error.html", 400, title="请求有误", message=str(exc))

    @app.get("/static/vendor/echarts.min.js", include_in_schema=False)
    def echarts_js() -> Response:
        if not echarts.is_file():
            return JSONResponse({"error": "echarts is not installed: run `npm ci` at the repository root"},
                                status_code=404)
        return FileResponse(echarts, media_type="text/javascript")

    # ------------------------------------------------------------------ JSON

    @app.get("/api/public/index")
    def api_index() -> dict[str, Any]:
        return data.index()

    @app.get("/api/public/report/{doc}")
    def api_report(doc: str) -> dict[str, Any]:
        return data.report(doc)

    @app.get("/api/public/indicator/{indicator}")
    def api_indicator(indicator: str, year: int | None = None, measure: str | None = None) -> dict[str, Any]:
        return data.indicator(indicator, year, measure)

    @app.get("/api/public/place/{place}")
    def api_place(place: str) -> dict[str, Any]:
        return data.place(place)

    series_cache: dict[str, list[dict[str, Any]]] = {}

    def series(indicator: str) -> dict[str, Any]:
        if corpus is None:
            raise NotFound("未配置全国语料（govledger public --corpus DIR）")
        if indicator not in data.indicator_names:
            raise NotFound(f"没有指标「{indicator}」")
        if indicator not in series_cache:
            from govledger.serve.cli_outturns import outturn_series

            series_cache[indicator] = outturn_series(indicator, corpus)
        rows = series_cache[indicator]
        return {"indicator": indicator, "name": data.indicator_name(indicator), "rows": rows,
                "judged": sum(1 for r in rows if r.get("verdict") in ("met", "missed", "partly_met"))}

    @app.get("/api/public/series/{indicator}")
    def api_series(indicator: str) -> dict[str, Any]:
        return series(indicator)

    # ------------------------------------------------------------------ pages

    @app.get("/series/{indicator}", response_class=HTMLResponse)
    def series_page(request: Request, indicator: str) -> HTMLResponse:
        v = series(indicator)
        return page(request, "series.html", v=v, title=f"全国{v['name']}：历年预期目标与统计公报")

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", v=data.index(), title="政府工作报告目标核对")

    @app.get("/report/{doc}", response_class=HTMLResponse)
    def report(request: Request, doc: str) -> HTMLResponse:
        v = data.report(doc)
        return page(request, "report.html", v=v, title=f"{v['place']} {v['year']} 年目标成绩单")

    @app.get("/indicator/{indicator}", response_class=HTMLResponse)
    def indicator(request: Request, indicator: str, year: int | None = None,
                  measure: str | None = None) -> HTMLResponse:
        v = data.indicator(indicator, year, measure)
        return page(request, "indicator.html", v=v, title=f"{v['name']} {v['year']} 年各地目标与实际")

    @app.get("/place/{place}", response_class=HTMLResponse)
    def place(request: Request, place: str) -> HTMLResponse:
        v = data.place(place)
        return page(request, "place.html", v=v, title=f"{v['place']} 历年目标")

    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory govledger.serve.public.app:app_from_env`` (folder in GOVLEDGER_REPORTS)."""
    folder = os.environ.get("GOVLEDGER_REPORTS")
    if not folder:
        raise RuntimeError("set GOVLEDGER_REPORTS to a folder of reports")
    return create_app(PublicData.load(folder))
