"""Who is asking: session cookies for the pages (with a CSRF token on every form), bearer tokens for scripts.

A browser logs in once and carries an HttpOnly ``gl_session`` cookie; each
session has its own CSRF token, which every POST form must send back as
``csrf_token`` (or, for browser JavaScript calling the API, the
``X-CSRF-Token`` header). A script sends ``Authorization: Bearer <token>``
and needs no CSRF token, because a browser never adds that header by itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import Field

from govledger.errors import Forbidden, WorkspaceError
from govledger.security import same_secret
from govledger.workspace import Actor, Workspace
from govledger.workspace.views import UserView

SESSION_COOKIE = "gl_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotLoggedIn(WorkspaceError):
    """No valid session or token: the API answers 401, the pages redirect to the log-in page."""

    status = 401


def workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def actor_of(user: UserView) -> Actor:
    return Actor(user.id, user.username, user.role, user.department_id)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identify(request: Request) -> tuple[UserView, str | None] | None:
    """The user behind the request and the CSRF token it must present (``None`` for bearer tokens)."""
    if hasattr(request.state, "identity"):
        cached: tuple[UserView, str | None] | None = request.state.identity
        return cached
    ws = workspace(request)
    found: tuple[UserView, str | None] | None = None
    token = _bearer(request)
    if token is not None:
        hit = ws.resolve_credential(token, "token")
        found = (hit[0], None) if hit else None
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = ws.resolve_credential(cookie, "session")
    request.state.identity = found
    return found


def optional_user(request: Request) -> UserView | None:
    found = identify(request)
    return found[0] if found else None


def current_user(request: Request) -> UserView:
    found = identify(request)
    if found is None:
        raise NotLoggedIn("请先登录")
    return found[0]


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request from a cookie session that does not carry the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    found = identify(request)
    if found is None or found[1] is None:
        return  # no session (the route itself demands a log-in) or a bearer token
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not same_secret(sent, found[1]):
        raise Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def csrf_token(request: Request) -> str:
    found = identify(request)
    return (found[1] or "") if found else ""


User = Annotated[UserView, Depends(current_user)]
MaybeUser = Annotated[UserView | None, Depends(optional_user)]
WS = Annotated[Workspace, Depends(workspace)]

# ids are database keys: anything outside 1..2^31-1 cannot exist, and a larger number would overflow the
# driver (SQLite INTEGER, PostgreSQL integer) before the query could say "not found"
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
