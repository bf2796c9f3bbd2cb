"""Log-in and log-out pages: a double-submit form token, the Origin check, the throttled password check."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from govledger.security import new_secret, same_secret
from govledger.serve.workspace.api_common import client_address
from govledger.serve.workspace.app import html_response
from govledger.serve.workspace.auth import SESSION_COOKIE, WS, MaybeUser, check_csrf
from govledger.serve.workspace.pages_common import redirect, safe_next
from govledger.workspace import Throttled

LOGIN_COOKIE = "gl_login"  # the log-in form's own CSRF token (double submit): there is no session yet to tie it to

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


# ---------------------------------------------------------------------------- log-in


def login_form(request: Request, next: str, error: str | None = None, status_code: int = 200) -> Response:
    """The log-in page with a fresh form token, set as a SameSite=Strict cookie too (double submit)."""
    token = new_secret()
    response = html_response(request, "login.html", title="登录", next=safe_next(next), error=error,
                             login_token=token, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=bool(request.app.state.secure_cookies), max_age=3600, path="/login")
    return response


def same_origin(request: Request) -> bool:
    """An ``Origin`` (or, without it, a ``Referer``) header naming another site means a cross-site post."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source != "null"
    parts = urlsplit(source)
    return parts.netloc == request.url.netloc


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return login_form(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, ws: WS, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form(max_length=500)] = "/",
          login_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Log-in CSRF is refused twice over: the form's token must match its cookie (a foreign page can read
    neither), and a foreign ``Origin`` is refused outright; then the throttled password check."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not same_origin(request) or not login_token or not cookie or not same_secret(login_token, cookie):
        return login_form(request, next, error="登录表单已过期或来源不明，请重新登录", status_code=403)
    try:
        user = ws.authenticate(username, password, client_address(request))
    except Throttled as exc:
        return login_form(request, next, error=exc.message, status_code=exc.status)
    if user is None:
        return login_form(request, next, error="用户名或密码错误", status_code=401)
    secret, _ = ws.issue_credential(user.id, "session", request.headers.get("user-agent", "")[:100])
    response = redirect(safe_next(next))
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=bool(request.app.state.secure_cookies), max_age=12 * 3600)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ws: WS) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        ws.revoke_credential(cookie)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
