"""Administration pages: departments and users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from govledger.errors import NotFound
from govledger.serve.labels import label
from govledger.serve.workspace.auth import WS, PathId, User, actor_of, check_csrf
from govledger.serve.workspace.pages_common import (
    _flag,
    _int_or_none,
    describe,
    pager,
    redirect,
    render,
    report_names,
    with_notice,
)
from govledger.workspace import require

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


# ---------------------------------------------------------------------------- administration


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: User, ws: WS) -> Response:
    actor = actor_of(user)
    require(actor, "manage_users")
    return render(request, "admin.html", me=user, title="管理", users=ws.users(actor), departments=ws.departments())


@router.post("/admin/departments")
def add_department(user: User, ws: WS, name: Annotated[str, Form(max_length=200)] = "",
                   email: Annotated[str, Form(max_length=200)] = "") -> Response:
    ws.add_department(actor_of(user), name, email)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/departments/{department_id}")
def update_department(department_id: PathId, user: User, ws: WS, name: Annotated[str | None, Form(max_length=200)] = None,
                      email: Annotated[str | None, Form(max_length=200)] = None,
                      active: Annotated[str | None, Form()] = None) -> Response:
    ws.update_department(actor_of(user), department_id, name=name, email=email if email is not None else "",
                         active=_flag(active) if active is not None else None)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/users")
def add_user(user: User, ws: WS, username: Annotated[str, Form(max_length=64)] = "",
             password: Annotated[str, Form(max_length=256)] = "", role: Annotated[str, Form()] = "",
             display_name: Annotated[str, Form(max_length=100)] = "",
             department_id: Annotated[str | None, Form()] = None) -> Response:
    ws.add_user(actor_of(user), username, password, role, display_name=display_name.strip() or None,
                department_id=_int_or_none(department_id, "单位") if role == "department" else None)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/users/{user_id}")
def update_user(user_id: PathId, user: User, ws: WS, role: Annotated[str | None, Form()] = None,
                department_id: Annotated[str | None, Form()] = None,
                active: Annotated[str | None, Form()] = None) -> Response:
    ws.update_user(actor_of(user), user_id, role=role or None,
                   department_id=_int_or_none(department_id, "单位") if role == "department" else None,
                   active=_flag(active) if active is not None else None)
    return redirect(with_notice("/admin", "saved"))


@router.post("/admin/users/{user_id}/password")
def reset_password(user_id: PathId, user: User, ws: WS, password: Annotated[str, Form(max_length=256)] = "") -> Response:
    """重设密码: the user's new password; every session and API token of the user ends (audited)."""
    actor = actor_of(user)
    require(actor, "manage_users")
    target = next((u for u in ws.users(actor) if u.id == user_id), None)
    if target is None:
        raise NotFound(f"用户 {user_id} 不存在")
    ws.set_password(actor, target.username, password)
    return redirect(with_notice("/admin", "password"))


AUDIT_PER_PAGE = 50


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: User, ws: WS, page: str | None = None) -> Response:
    """操作日志: the append-only audit log, newest first, 50 entries a page."""
    require(actor_of(user), "manage_users")
    number = max(1, _int_or_none(page, "页码") or 1)
    rows = ws.history(limit=AUDIT_PER_PAGE + 1, offset=(number - 1) * AUDIT_PER_PAGE)
    names = {d.id: d.name for d in ws.departments()}
    reports = report_names(ws)
    entries = []
    for a in rows[:AUDIT_PER_PAGE]:
        entry = describe(a, names, ws.zone)
        entry.update(entity=label("entities", a.entity), entity_id=a.entity_id, task_id=a.task_id)
        entries.append(entry)
    more = len(rows) > AUDIT_PER_PAGE
    paging = pager(number * AUDIT_PER_PAGE + (1 if more else 0), number, AUDIT_PER_PAGE,
                   lambda n: f"/admin/audit?page={n}")
    return render(request, "audit.html", me=user, title="操作日志", entries=entries, paging=paging,
                  reports=reports)
