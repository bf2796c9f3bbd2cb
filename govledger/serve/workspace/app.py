"""The supervision workspace as one FastAPI app: Chinese pages for people, ``/api/v1`` for scripts.

Errors are answered in the caller's language: a ``WorkspaceError`` (or a
request that fails validation) becomes ``{"error": ..., "details": [...]}``
with its 4xx code under ``/api/``, and a page with the same one-line
message elsewhere; a page that needs a log-in redirects to ``/login``.
ECharts is served from ``node_modules`` (installed by ``npm ci``), so the
pages load nothing from the internet.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from govledger.errors import ReportError, WorkspaceError
from govledger.serve.public.app import echarts_path
from govledger.serve.workspace.auth import NotLoggedIn, csrf_token, optional_user
from govledger.workspace import Workspace
from govledger.workspace.rules import RANKING_RULE, workspace_rules

HERE = Path(__file__).resolve().parent
log = logging.getLogger("govledger.workspace")
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


STORE_DOWN = "数据库暂时无法访问，请稍后再试"
HTTP_MESSAGES = {400: "请求格式有误", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持该请求方法",
                 413: "请求体过大", 415: "不支持的内容类型"}


def has_credential(app: FastAPI, headers: dict[str, str]) -> bool:
    """Whether the request's bearer token or session cookie is valid (for the body-size guard, before routing)."""
    from http.cookies import SimpleCookie

    from govledger.serve.workspace.auth import SESSION_COOKIE

    ws: Workspace | None = app.state.workspace
    if ws is None:
        return False
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return ws.resolve_credential(token.strip(), "token") is not None
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no credential
        return False
    morsel = cookies.get(SESSION_COOKIE)
    return morsel is not None and ws.resolve_credential(morsel.value, "session") is not None


def _num(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:g}"
    return str(x)


def _return_to(request: Request) -> str:
    """Where to go after log-in: this page (with its query) for a GET; for a form post, the page it came from."""
    if request.method == "GET":
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, object]]]:
    details: list[dict[str, object]] = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form"))
        details.append({"field": where, "error": str(err.get("msg", ""))})
    first = details[0] if details else {"field": "", "error": "请求有误"}
    return f"输入有误：{first['field']} {first['error']}".strip(), details


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    rules = workspace_rules()
    t.env.filters["num"] = _num
    t.env.globals.update(statuses=rules["statuses"], paces=rules["paces"], stages=rules["stages"],
                         roles={k: v["label"] for k, v in rules["roles"].items()},
                         feedback_states=rules["feedback_states"], extension_states=rules["extension_states"],
                         ranking_rule=RANKING_RULE)
    return t


def create_app(ws: Workspace, *, secure_cookies: bool = False, public_docs: bool = False) -> FastAPI:
    """The app over an opened ``Workspace``; ``secure_cookies`` for deployments behind HTTPS.

    ``public_docs`` serves the API description (``/api/docs``, ``/api/v1/openapi.json``) without a log-in;
    by default only logged-in users see it. Swagger UI comes from the ``swagger-ui-bundle`` package's own
    files, so the docs work on a closed network and under the pages' ``script-src 'self'``.
    """
    from govledger.serve.workspace import api, docs, jobs, pages, projects_pages
    from govledger.serve.workspace.guard import RequestGuard

    app = FastAPI(title="govledger 督查工作台 API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  description="政府工作报告目标任务的分解、交办、反馈、审核与办结。Token: POST /api/v1/auth/token.")
    app.state.workspace = ws
    app.state.templates = templates()
    app.state.secure_cookies = secure_cookies
    app.state.public_docs = public_docs
    app.add_middleware(RequestGuard, identify=lambda headers: has_credential(app, headers))
    app.router.on_shutdown.append(jobs.shutdown)
    app.mount("/static/workspace", StaticFiles(directory=str(HERE / "static")), name="workspace-static")
    docs.mount(app)
    echarts = echarts_path()
    app.state.has_echarts = echarts.is_file()

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", _CSP)
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_page(request: Request, status: int, message: str) -> Response:
        t: Jinja2Templates = app.state.templates
        return t.TemplateResponse(request, "error.html", {
            "title": f"出错了（{status}）", "message": message, "user": optional_user(request),
            "csrf": csrf_token(request), "has_echarts": app.state.has_echarts}, status_code=status)

    @app.exception_handler(WorkspaceError)
    async def workspace_error(request: Request, exc: WorkspaceError) -> Response:
        if is_api(request):
            return JSONResponse({"error": exc.message, "details": exc.details}, status_code=exc.status)
        if isinstance(exc, NotLoggedIn):
            return RedirectResponse("/login?" + urlencode({"next": _return_to(request)}, safe="/"), status_code=303)
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, details = _validation_message(exc)
        if is_api(request):
            return JSONResponse({"error": message, "details": details}, status_code=422)
        return error_page(request, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        message = detail if detail and not detail.isascii() else HTTP_MESSAGES.get(exc.status_code, "请求有误")
        if is_api(request):
            return JSONResponse({"error": message, "details": []}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return error_page(request, exc.status_code, message)

    @app.exception_handler(ReportError)
    async def store_error(request: Request, exc: ReportError) -> Response:
        # the reason may name the database (its URL, a file path): logged, never shown
        log.error("store error: %s", exc)
        if is_api(request):
            return JSONResponse({"error": STORE_DOWN, "details": []}, status_code=503)
        return error_page(request, 503, STORE_DOWN)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if is_api(request):
            return JSONResponse({"error": "服务器内部错误，已记录，请稍后再试", "details": []}, status_code=500)
        return error_page(request, 500, "服务器内部错误，已记录，请稍后再试")

    @app.get("/static/vendor/echarts.min.js", include_in_schema=False)
    def echarts_js() -> Response:
        if not echarts.is_file():
            return JSONResponse({"error": "echarts is not installed: run `npm ci` at the repository root"},
                                status_code=404)
        return FileResponse(echarts, media_type="text/javascript")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:  # on the event loop itself: it answers whatever the worker threads do
        return {"status": "ok"}

    app.include_router(api.router)
    app.include_router(pages.router)
    projects_pages.install(app)  # 重点项目台账, 红黑榜 通报, 拉练评比, 督办单, 催办, 季度形象进度 (pages and API)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory govledger.serve.workspace.app:app_from_env`` (database in ``GOVLEDGER_DB``)."""
    from govledger.store import open_store

    return create_app(Workspace(open_store(None)))


def html_response(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: the user, the CSRF token, whether ECharts is there."""
    t: Jinja2Templates = request.app.state.templates
    status = int(context.pop("status_code", 200))
    base = {"user": optional_user(request), "csrf": csrf_token(request), "has_echarts": request.app.state.has_echarts}
    return t.TemplateResponse(request, name, {**base, **context}, status_code=status)
