"""The supervision workspace as one FastAPI app: Chinese pages for people, ``/api/v1`` for scripts.

Errors are answered in the caller's language: a ``WorkspaceError`` (or a
request that fails validation) becomes ``{"error": ..., "details": [...]}``
with its 4xx code under ``/api/``, and a page with the same one-line
message elsewhere; a page that needs a log-in redirects to ``/login``.
ECharts is served from ``node_modules`` (installed by ``npm ci``), so the
pages load nothing from the internet.

The public views (report cards, places, indicators, the national series)
are a router of this app (``public.py``) reading the same store. A
read-only public deployment is a setting, ``create_app(ws, read_only=True)``
(``govledger serve --public-only``): then only the public router, the static
files and ``/healthz`` exist, and ``/`` leads to ``/public``. Which reports
the public views show is ``public_scope`` (see ``public_data.py``).
"""

from __future__ import annotations

import logging
import os
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
from govledger.serve import labels as label_table
from govledger.serve.workspace.auth import NotLoggedIn, csrf_token, optional_user
from govledger.workspace import Workspace
from govledger.workspace.rules import RANKING_RULE, workspace_rules

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
log = logging.getLogger("govledger.workspace")
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


HTTP_MESSAGES = {int(k): v for k, v in label_table.labels()["http"].items()}
STORE_DOWN = HTTP_MESSAGES[503]


def echarts_path() -> Path:
    """ECharts from ``node_modules`` (``npm ci``) or ``GOVLEDGER_ECHARTS``; never fetched from the internet."""
    env = os.environ.get("GOVLEDGER_ECHARTS")
    if env:
        return Path(env)
    for root in (REPO_ROOT, Path.cwd()):
        p = root / "node_modules" / "echarts" / "dist" / "echarts.min.js"
        if p.is_file():
            return p
    return REPO_ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"


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
    """The first problem as one Chinese line (field name and problem from the label table); ``details`` keep
    pydantic's own words for scripts."""
    details: list[dict[str, object]] = []
    words: list[str] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        where = ".".join(loc)
        details.append({"field": where, "error": str(err.get("msg", ""))})
        name = "、".join(label_table.label("fields", p, p if not p.isascii() else "") for p in loc if not p.isdigit())
        problem = label_table.label("validation", err.get("type", ""), "取值有误")
        words.append(f"{name}{problem}" if name else problem)
    return f"{HTTP_MESSAGES[422]}：{words[0]}" if words else HTTP_MESSAGES[422], details


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    rules = workspace_rules()
    label_table.install(t.env)
    t.env.globals.update(statuses=rules["statuses"], paces=rules["paces"], stages=rules["stages"],
                         roles={k: v["label"] for k, v in rules["roles"].items()},
                         feedback_states=rules["feedback_states"], extension_states=rules["extension_states"],
                         ranking_rule=RANKING_RULE)
    return t


def create_app(ws: Workspace, *, secure_cookies: bool = False, public_docs: bool = False, read_only: bool = False,
               public_scope: str | None = None, warm_views: bool = False) -> FastAPI:
    """The app over an opened ``Workspace``; ``secure_cookies`` for deployments behind HTTPS.

    ``read_only`` serves the public views alone (no log-in, no workspace, no ``/api/v1``);
    ``public_scope`` is which reports they show: ``"marked"`` (公开 switch on; the default of the full app)
    or ``"all"`` (every stored work report; the default of a read-only deployment).

    ``public_docs`` serves the API description (``/api/docs``, ``/api/v1/openapi.json``) without a log-in;
    by default only logged-in users see it. Swagger UI comes from the ``swagger-ui-bundle`` package's own
    files, so the docs work on a closed network and under the pages' ``script-src 'self'``.

    ``warm_views`` builds every report's task views in a background thread at start-up and after each
    midnight (``warmer.py``); the server commands turn it on, tests leave it off.
    """
    from govledger.serve.workspace import api, docs, jobs, pages, projects_pages, public
    from govledger.serve.workspace.guard import RequestGuard

    app = FastAPI(title="govledger 督查工作台 API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  description="政府工作报告目标任务的分解、交办、反馈、审核与办结。Token: POST /api/v1/auth/token.")
    app.state.workspace = ws
    app.state.templates = templates()
    app.state.secure_cookies = secure_cookies
    app.state.public_docs = public_docs
    app.state.read_only = read_only
    app.state.public_scope = "all" if public_scope is None and read_only else public_scope or "marked"
    app.state.public = None  # the ``PublicViews`` of the workspace's store, made on first use (``public_views``)
    app.add_middleware(RequestGuard, identify=lambda headers: has_credential(app, headers))
    app.router.on_shutdown.append(jobs.shutdown)
    app.state.warmer = None
    if warm_views and not read_only:
        from govledger.serve.workspace.warmer import ViewWarmer

        warmer = app.state.warmer = ViewWarmer(ws)
        app.router.on_startup.append(warmer.start)
        app.router.on_shutdown.append(warmer.stop)
    app.mount("/static/workspace", StaticFiles(directory=str(HERE / "static")), name="workspace-static")
    if not read_only:
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
            "title": f"未找到（{status}）" if status == 404 else f"出错了（{status}）", "message": message,
            "public_page": read_only or request.url.path.startswith("/public"), "user": optional_user(request),
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
            return JSONResponse({"error": "图表脚本未安装：请在仓库根目录运行 npm ci"}, status_code=404)
        return FileResponse(echarts, media_type="text/javascript")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:  # on the event loop itself: it answers whatever the worker threads do
        return {"status": "ok"}

    app.include_router(public.router)
    if read_only:
        @app.get("/", include_in_schema=False)
        def home() -> Response:
            return RedirectResponse("/public", status_code=303)
    else:
        app.include_router(api.router)
        app.include_router(pages.router)
        projects_pages.install(app)  # 重点项目台账, 红黑榜 通报, 拉练评比, 督办单, 催办, 季度形象进度 (pages and API)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory govledger.serve.workspace.app:app_from_env`` (database in ``GOVLEDGER_DB``;
    ``GOVLEDGER_READ_ONLY=1`` for the public views alone, ``GOVLEDGER_PUBLIC_SCOPE`` marked or all)."""
    from govledger.store import open_store

    read_only = os.environ.get("GOVLEDGER_READ_ONLY", "").lower() in ("1", "true", "yes")
    return create_app(Workspace(open_store(None)), read_only=read_only,
                      public_scope=os.environ.get("GOVLEDGER_PUBLIC_SCOPE") or None, warm_views=True)


def public_views(request: Request) -> Any:
    """The app's ``PublicViews`` (one cache for every request), over the store of the app's workspace."""
    from govledger.serve.workspace.public_data import PublicViews

    state = request.app.state
    views = state.public
    if views is None or views.store is not state.workspace.store:
        views = state.public = PublicViews(state.workspace.store, state.public_scope)
    return views


def html_response(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: the user, the CSRF token, whether ECharts is there."""
    t: Jinja2Templates = request.app.state.templates
    status = int(context.pop("status_code", 200))
    base = {"user": optional_user(request), "csrf": csrf_token(request), "has_echarts": request.app.state.has_echarts}
    return t.TemplateResponse(request, name, {**base, **context}, status_code=status)
