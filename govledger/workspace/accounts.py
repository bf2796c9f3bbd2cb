"""Accounts, credentials and departments: who may log in, with which secret, on behalf of which unit."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from govledger.errors import Conflict, Forbidden, Invalid, NotFound
from govledger.limits import clean_text
from govledger.security import hash_password, new_secret, secret_hash, verify_password
from govledger.store.work_models import (
    CredentialRow,
    DepartmentRow,
    LoginAttemptRow,
    UserRow,
)
from govledger.workspace.base import (
    LOCKOUT,
    ROLES,
    SESSION_HOURS,
    Actor,
    Throttled,
    WorkspaceBase,
    _check_password,
    _deleted,
    _snapshot,
    _utc,
    clean_email,
    now,
    require,
)
from govledger.workspace.views import (
    DepartmentView,
    UserView,
)


class AccountsMixin(WorkspaceBase):
    """Accounts, credentials and departments."""

    def add_user(self, actor: Actor, username: str, password: str, role: str, *, display_name: str | None = None,
                 department_id: int | None = None) -> UserView:
        require(actor, "manage_users")
        username = clean_text(username, "username")
        if not username or any(c.isspace() for c in username):
            raise Invalid("用户名不能为空、不能含空格，最长 64 个字符")
        display_name = clean_text(display_name, "display_name") or None
        if role not in ROLES:
            raise Invalid(f"角色必须是 {'、'.join(ROLES)} 之一")
        _check_password(password, username)
        if role == "department" and department_id is None:
            raise Invalid("责任单位用户必须指定所属单位")
        with self._write() as session:
            if department_id is not None and session.get(DepartmentRow, department_id) is None:
                raise NotFound(f"单位 {department_id} 不存在")
            if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
                raise Conflict(f"用户名「{username}」已存在")
            row = UserRow(username=username, display_name=display_name or username,
                          password_hash=hash_password(password), role=role,
                          department_id=department_id if role == "department" else None, active=True,
                          created_at=now())
            session.add(row)
            session.flush()
            self._audit(session, actor, "user.add", "user", row.id,
                        after={"username": username, "role": role, "department_id": row.department_id})
            return self._user_view(session, row)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """An administrator's reset: the new password, and every session and API token of the user ends."""
        require(actor, "manage_users")
        username = clean_text(username, "username")
        _check_password(password, username)
        with self._write() as session:
            row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                raise NotFound(f"用户「{username}」不存在")
            self._new_password(session, actor, row, password)

    def change_own_password(self, actor: Actor, old: str, new: str) -> None:
        """A user's own change: the old password must be right; every session and token (this one too) ends."""
        if actor.id is None:
            raise Forbidden("系统账号没有密码")
        with self._write() as session:
            row = session.get(UserRow, actor.id)
            if row is None or not row.active:
                raise NotFound("用户不存在")
            if not verify_password(row.password_hash, old or ""):
                raise Invalid("原密码不正确")
            _check_password(new, row.username)
            self._new_password(session, actor, row, new)

    def _new_password(self, session: Session, actor: Actor, row: UserRow, password: str) -> None:
        row.password_hash = hash_password(password)
        ended = _deleted(session, delete(CredentialRow).where(CredentialRow.user_id == row.id))
        self._audit(session, actor, "user.password", "user", row.id, after={"revoked": int(ended or 0)})

    def update_user(self, actor: Actor, user_id: int, *, role: str | None = None, active: bool | None = None,
                    department_id: int | None = None) -> UserView:
        require(actor, "manage_users")
        with self._write() as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFound(f"用户 {user_id} 不存在")
            before = _snapshot(row, ("role", "active", "department_id"))
            if role is not None:
                if role not in ROLES:
                    raise Invalid(f"角色必须是 {'、'.join(ROLES)} 之一")
                row.role = role
            if department_id is not None:
                if session.get(DepartmentRow, department_id) is None:
                    raise NotFound(f"单位 {department_id} 不存在")
                row.department_id = department_id
            if active is not None:
                if not active and row.id == actor.id:
                    raise Invalid("不能停用自己的账号")
                row.active = active
            if row.role == "department" and row.department_id is None:
                raise Invalid("责任单位用户必须指定所属单位")
            if row.role != "department":
                row.department_id = None
            if before["role"] == "admin" and before["active"] and not (row.role == "admin" and row.active):
                others = session.scalars(select(UserRow.id).where(  # locked: two admins demoting each other
                    UserRow.role == "admin", UserRow.active.is_(True), UserRow.id != row.id).with_for_update()).all()
                if not others:
                    raise Conflict("这是最后一位在用的管理员，不能取消其管理员角色或停用")
            if not row.active:
                session.execute(delete(CredentialRow).where(CredentialRow.user_id == row.id))
            self._audit(session, actor, "user.update", "user", row.id, before=before,
                        after=_snapshot(row, ("role", "active", "department_id")))
            return self._user_view(session, row)

    def users(self, actor: Actor) -> list[UserView]:
        require(actor, "manage_users")
        with self._read() as session:
            return [self._user_view(session, u) for u in session.scalars(select(UserRow).order_by(UserRow.id))]

    def has_users(self) -> bool:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(UserRow)) != 0

    @staticmethod
    def _user_view(session: Session, row: UserRow) -> UserView:
        dept = session.get(DepartmentRow, row.department_id) if row.department_id else None
        return UserView(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                        department_id=row.department_id, department=dept.name if dept else None, active=row.active)

    def authenticate(self, username: str, password: str, address: str = "") -> UserView | None:
        """The user if the password is right and the account active; ``None`` otherwise (same for both).

        Throttled: after ``LOCKOUT["per_account"]`` failures for a user name, or
        ``LOCKOUT["per_address"]`` from one address, within the window, every
        attempt is refused with ``Throttled`` (429) until the window has passed,
        the right password included. Every failure and every refusal is audited.
        """
        name = (username or "").strip()[:64]
        address = (address or "")[:64]
        if clean_text(password, "password", strip=False) != password or not name:
            return None
        try:
            name = clean_text(name, "username")
        except Invalid:
            return None
        since = now() - timedelta(minutes=LOCKOUT["window_minutes"])
        with self._write() as session:
            last_ok = session.scalar(select(func.max(LoginAttemptRow.at)).where(
                LoginAttemptRow.username == name, LoginAttemptRow.ok.is_(True)))
            account_since = max(since, _utc(last_ok)) if last_ok is not None else since
            by_account = session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
                LoginAttemptRow.username == name, LoginAttemptRow.ok.is_(False), LoginAttemptRow.at > account_since))
            by_address = session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
                LoginAttemptRow.address == address, LoginAttemptRow.ok.is_(False), LoginAttemptRow.at > since)
            ) if address else 0
            locked = int(by_account or 0) >= LOCKOUT["per_account"] or int(by_address or 0) >= LOCKOUT["per_address"]
            row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
            if locked:
                ok = False
            elif row is None:
                verify_password(hash_password("timing-equaliser"), password or "")
                ok = False
            else:
                ok = row.active and verify_password(row.password_hash, password or "")
            session.add(LoginAttemptRow(at=now(), username=name, address=address, ok=ok and not locked))
            if not ok:
                self._audit(session, Actor(row.id if row else None, name, "viewer"),
                            "auth.locked" if locked else "auth.fail", "user", row.id if row else None,
                            after={"username": name, "address": address})
            view = self._user_view(session, row) if ok and row is not None else None
        if locked:
            raise Throttled(f"登录失败次数过多，请 {LOCKOUT['window_minutes']} 分钟后再试")
        return view

    def issue_credential(self, user_id: int, kind: str, name: str = "") -> tuple[str, str]:
        """A new session or API token: ``(secret, csrf)``. Only the secret's hash is stored."""
        secret, csrf = new_secret(), new_secret()
        name = clean_text(name, "token_name") or kind
        expires = now() + (timedelta(hours=SESSION_HOURS) if kind == "session" else timedelta(days=self.token_days))
        with self._write() as session:
            row = CredentialRow(token_hash=secret_hash(secret), kind=kind, name=name, user_id=user_id,
                                csrf=csrf, created_at=now(), expires_at=expires)
            session.add(row)
            if kind == "token":
                session.flush()
                user = session.get(UserRow, user_id)
                self._audit(session, Actor(user_id, user.username if user else "?", "admin"), "token.issue",
                            "user", user_id, after={"name": name, "token_id": row.id,
                                                    "expires_at": expires.isoformat()})
        return secret, csrf

    def tokens(self, actor: Actor, username: str | None = None) -> list[dict[str, Any]]:
        """API tokens (never their secrets) of ``username`` (admins) or of the actor: id, name, issued, expires."""
        with self._read() as session:
            user_id = actor.id
            if username is not None and username != actor.username:
                require(actor, "manage_users")
                user_id = session.scalar(select(UserRow.id).where(UserRow.username == clean_text(username, "username")))
                if user_id is None:
                    raise NotFound(f"用户「{username}」不存在")
            rows = session.scalars(select(CredentialRow).where(CredentialRow.user_id == user_id,
                                                               CredentialRow.kind == "token")
                                   .order_by(CredentialRow.id)).all()
            return [{"id": c.id, "name": c.name, "created_at": _utc(c.created_at), "expires_at": _utc(c.expires_at),
                     "expired": c.expires_at is not None and _utc(c.expires_at) < now()} for c in rows]

    def revoke_tokens(self, actor: Actor, *, token_id: int | None = None, username: str | None = None) -> int:
        """Revoke one API token (its owner or an admin) or all of a user's tokens and sessions (an admin); audited."""
        with self._write() as session:
            if token_id is not None:
                cred = session.get(CredentialRow, token_id)
                if cred is None or cred.kind != "token":
                    raise NotFound(f"令牌 {token_id} 不存在")
                if cred.user_id != actor.id:
                    require(actor, "manage_users")
                user_id = cred.user_id
                ended = _deleted(session, delete(CredentialRow).where(CredentialRow.id == token_id))
            else:
                require(actor, "manage_users")
                found = session.scalar(select(UserRow.id).where(UserRow.username == clean_text(username, "username")))
                if found is None:
                    raise NotFound(f"用户「{username}」不存在")
                user_id = found
                ended = _deleted(session, delete(CredentialRow).where(CredentialRow.user_id == user_id))
            self._audit(session, actor, "token.revoke", "user", user_id,
                        after={"token_id": token_id, "revoked": int(ended or 0)})
            return int(ended or 0)

    def resolve_credential(self, secret: str, kind: str) -> tuple[UserView, str] | None:
        """The active user behind a session cookie or API token, and the session's CSRF token."""
        if not secret:
            return None
        with self._read() as session:
            found = session.execute(
                select(CredentialRow, UserRow).join(UserRow, UserRow.id == CredentialRow.user_id)
                .where(CredentialRow.token_hash == secret_hash(secret), CredentialRow.kind == kind)
            ).first()
            if found is None:
                return None
            cred, user = found
            expires = cred.expires_at
            if expires is not None and expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if not user.active or (expires is not None and expires < now()):
                return None
            return self._user_view(session, user), cred.csrf

    def revoke_credential(self, secret: str) -> None:
        with self._write() as session:
            session.execute(delete(CredentialRow).where(CredentialRow.token_hash == secret_hash(secret)))

    def departments(self, *, active_only: bool = False) -> list[DepartmentView]:
        with self._read() as session:
            stmt = select(DepartmentRow).order_by(DepartmentRow.id)
            if active_only:
                stmt = stmt.where(DepartmentRow.active.is_(True))
            return [DepartmentView(id=d.id, name=d.name, email=d.email, active=d.active) for d in session.scalars(stmt)]

    def add_department(self, actor: Actor, name: str, email: str | None = None) -> DepartmentView:
        require(actor, "manage_departments")
        name = clean_text(name, "department")
        if not name:
            raise Invalid("单位名称不能为空，最长 100 个字符")
        email = clean_email(email)
        with self._write() as session:
            if session.scalar(select(DepartmentRow.id).where(DepartmentRow.name == name)) is not None:
                raise Conflict(f"单位「{name}」已存在")
            row = DepartmentRow(name=name, email=email, active=True, created_at=now())
            session.add(row)
            session.flush()
            self._audit(session, actor, "department.add", "department", row.id, after={"name": name, "email": email})
            return DepartmentView(id=row.id, name=row.name, email=row.email, active=row.active)

    def update_department(self, actor: Actor, department_id: int, *, name: str | None = None,
                          email: str | None = None, active: bool | None = None) -> DepartmentView:
        require(actor, "manage_departments")
        with self._write() as session:
            row = session.get(DepartmentRow, department_id)
            if row is None:
                raise NotFound(f"单位 {department_id} 不存在")
            before = _snapshot(row, ("name", "email", "active"))
            if name is not None:
                name = clean_text(name, "department")
                if not name:
                    raise Invalid("单位名称不能为空，最长 100 个字符")
                clash = session.scalar(select(DepartmentRow.id).where(DepartmentRow.name == name,
                                                                      DepartmentRow.id != department_id))
                if clash is not None:
                    raise Conflict(f"单位「{name}」已存在")
                row.name = name
            if email is not None:
                row.email = clean_email(email)
            if active is not None:
                row.active = active
            self._audit(session, actor, "department.update", "department", row.id, before=before,
                        after=_snapshot(row, ("name", "email", "active")))
            return DepartmentView(id=row.id, name=row.name, email=row.email, active=row.active)

