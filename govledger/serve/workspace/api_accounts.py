"""``/api/v1`` accounts: tokens, one's own password, users and departments (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from govledger.serve.workspace.api_common import (
    DepartmentIn,
    DepartmentPatch,
    PasswordIn,
    RevokedOut,
    TokenInfo,
    TokenOut,
    TokenRequest,
    UserIn,
    UserPatch,
    client_address,
)
from govledger.serve.workspace.auth import WS, NotLoggedIn, PathId, User, actor_of, check_csrf
from govledger.workspace.views import DepartmentView, UserView

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])


@router.post("/auth/token", response_model=TokenOut, tags=["auth"],
             responses={429: {"description": "too many failed log-ins: locked for a while"}})
def issue_token(body: TokenRequest, ws: WS, request: Request) -> TokenOut:
    """Exchange a username and password for an API token (send it as ``Authorization: Bearer``).

    The token expires after the workspace's token lifetime (30 days by default)."""
    user = ws.authenticate(body.username, body.password, client_address(request))
    if user is None:
        raise NotLoggedIn("用户名或密码错误")
    token, _ = ws.issue_credential(user.id, "token", body.name)
    return TokenOut(token=token, user=user)


@router.get("/me", response_model=UserView, tags=["auth"])
def me(user: User) -> UserView:
    return user


@router.post("/me/password", response_model=RevokedOut, tags=["auth"])
def change_password(body: PasswordIn, user: User, ws: WS) -> RevokedOut:
    """Change one's own password; every session and token of the account (this one included) ends."""
    ws.change_own_password(actor_of(user), body.old_password, body.new_password)
    return RevokedOut(revoked=-1)


@router.get("/tokens", response_model=list[TokenInfo], tags=["auth"])
def list_tokens(user: User, ws: WS, username: str | None = Query(default=None, max_length=64)) -> list[TokenInfo]:
    """One's own API tokens (an admin may name another user); never the secrets."""
    return [TokenInfo(**t) for t in ws.tokens(actor_of(user), username)]


@router.delete("/tokens/{token_id}", response_model=RevokedOut, tags=["auth"])
def revoke_token(token_id: PathId, user: User, ws: WS) -> RevokedOut:
    """Revoke an API token: one's own, or any as an admin."""
    return RevokedOut(revoked=ws.revoke_tokens(actor_of(user), token_id=token_id))


@router.get("/users", response_model=list[UserView], tags=["admin"])
def list_users(user: User, ws: WS) -> list[UserView]:
    return ws.users(actor_of(user))


@router.post("/users", response_model=UserView, status_code=201, tags=["admin"])
def add_user(body: UserIn, user: User, ws: WS) -> UserView:
    return ws.add_user(actor_of(user), body.username, body.password, body.role, display_name=body.display_name,
                       department_id=body.department_id)


@router.patch("/users/{user_id}", response_model=UserView, tags=["admin"])
def update_user(user_id: PathId, body: UserPatch, user: User, ws: WS) -> UserView:
    return ws.update_user(actor_of(user), user_id, role=body.role, active=body.active,
                          department_id=body.department_id)


@router.get("/departments", response_model=list[DepartmentView], tags=["admin"])
def list_departments(user: User, ws: WS) -> list[DepartmentView]:
    return ws.departments()


@router.post("/departments", response_model=DepartmentView, status_code=201, tags=["admin"])
def add_department(body: DepartmentIn, user: User, ws: WS) -> DepartmentView:
    return ws.add_department(actor_of(user), body.name, body.email)


@router.patch("/departments/{department_id}", response_model=DepartmentView, tags=["admin"])
def update_department(department_id: PathId, body: DepartmentPatch, user: User, ws: WS) -> DepartmentView:
    return ws.update_department(actor_of(user), department_id, name=body.name, email=body.email, active=body.active)
