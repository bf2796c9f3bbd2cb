"""The API description and its Swagger UI, from local files, behind a log-in unless made public.

``/api/v1/openapi.json`` and ``/api/docs`` need a session or token unless the
app was created with ``public_docs=True`` (``govledger serve --public-docs``).
Swagger UI's JavaScript and CSS come from the ``swagger-ui-bundle`` package
(installed with govledger), served under ``/static/swagger/``; its start-up
code is our ``static/api-docs.js``, so the page runs under the same
``script-src 'self'`` policy as every other page and loads nothing from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from govledger.serve.workspace.auth import current_user, optional_user

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>督查工作台 API 文档</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/workspace/api-docs.js"></script></body></html>"""


def swagger_folder() -> Path | None:
    """The folder of Swagger UI's files in the ``swagger-ui-bundle`` package, or ``None`` if it is missing."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    folder = Path(swagger_ui_bundle.swagger_ui_path)
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def mount(app: FastAPI) -> None:
    """Add the docs routes and the Swagger UI files to ``app``."""
    folder = swagger_folder()
    if folder is not None:
        app.mount("/static/swagger", StaticFiles(directory=str(folder)), name="swagger")

    def allowed(request: Request) -> None:
        if not request.app.state.public_docs:
            current_user(request)  # raises NotLoggedIn: 401 for the JSON, the log-in page for the docs

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        allowed(request)
        schema: dict[str, Any] = app.openapi()
        return JSONResponse(schema)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        if not request.app.state.public_docs and optional_user(request) is None:
            return RedirectResponse("/login?next=/api/docs", status_code=303)
        if folder is None:
            return HTMLResponse("<!doctype html><meta charset=utf-8><p>未安装 swagger-ui-bundle，无法显示 API 文档；"
                                "API 描述见 /api/v1/openapi.json。</p>", status_code=503)
        return HTMLResponse(PAGE)
