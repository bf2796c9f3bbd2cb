"""The Chinese pages of the workspace: server-rendered with Jinja2, plain forms with a CSRF token.

Each route reads the form, calls ``Workspace`` and redirects (POST →
redirect → GET), so a refresh never repeats a change. Errors from the
workspace are shown as a page with the one-line message (``app.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govledger.serve.workspace.app import html_response
from govledger.serve.workspace.auth import SESSION_COOKIE, WS, MaybeUser, check_csrf

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only local paths: a crafted ``next`` must not send the user to another site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return html_response(request, "login.html", title="登录", next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, ws: WS, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    user = ws.authenticate(username, password)
    if user is None:
        return html_response(request, "login.html", title="登录", next=safe_next(next),
                             error="用户名或密码错误", status_code=401)
    secret, _ = ws.issue_credential(user.id, "session", request.headers.get("user-agent", "")[:100])
    response = redirect(safe_next(next))
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=bool(request.app.state.secure_cookies), max_age=12 * 3600)
    return response


@router.post("/logout")
def logout(request: Request, ws: WS) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        ws.revoke_credential(cookie)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
