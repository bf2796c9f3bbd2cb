"""What the supervision workspace does with the database: every read and every change, one transaction each.

The API and the web pages are thin layers over ``Workspace``: they turn
requests into calls and ``WorkspaceError``s into 4xx answers. Each
changing method checks the actor's permission (``data/workspace.json``),
writes its rows and its audit entries in one transaction, and fails as a
whole, so nothing is ever partly saved. Rows that two people may edit at
once carry a ``version``; a change that names an older version gets
``Conflict`` instead of silently overwriting the other person's edit.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from govledger.errors import Conflict, Forbidden, Invalid, NotFound, ReportError, WorkspaceError
from govledger.limits import clean_text, is_one_address
from govledger.security import hash_password, new_secret, password_problem, secret_hash, verify_password
from govledger.store import crud
from govledger.store.models import RecordRow, ReportRow, SentenceRow
from govledger.store.work_models import (
    AttachmentRow,
    AuditRow,
    CredentialRow,
    DepartmentRow,
    ExtensionRow,
    FeedbackRow,
    LoginAttemptRow,
    ReportSettingRow,
    TaskRow,
    UserRow,
)
from govledger.track.evidence import check_attachment
from govledger.track.progress import (
    DEFAULT_MARGIN,
    TaskFacts,
    classify_pace,
    counted_progress,
    department_rag,
    derive_status,
    numeric_progress,
    ranking_score,
    rollup,
    status_label,
    time_share,
    workspace_rules,
)
from govledger.track.tasks import (
    AttachmentView,
    AuditView,
    DepartmentView,
    ExtensionView,
    FeedbackView,
    Page,
    ReportView,
    TaskDetail,
    TaskDraft,
    TaskView,
    UserView,
    decompose,
)

if TYPE_CHECKING:
    from govledger.export.task_sheet import SheetRow
    from govledger.pipeline import Ledger
    from govledger.store.db import Store

ROLES = ("admin", "supervisor", "department", "viewer")
SESSION_HOURS = 12
TOKEN_DAYS = 30  # default lifetime of an API token; ``Workspace(token_days=...)``, ``govledger serve --token-days``
# log-in throttling: this many failures within the window lock the account (or the address) until it has passed
LOCKOUT = {"window_minutes": 15, "per_account": 5, "per_address": 20}
STATUSES = ("not_started", "in_progress", "behind", "overdue", "done")
DASHBOARD_LIST = 20  # rows of the overdue and due-soon lists on a dashboard; the task list shows them all
EDITABLE = ("content", "lead_id", "co_ids", "deadline", "weight", "milestones")


log = logging.getLogger("govledger.workspace")


class Throttled(WorkspaceError):
    """Too many failed log-ins for this account or address: refused until the lock-out window has passed."""

    status = 429


def now() -> datetime:
    return datetime.now(UTC)


@overload
def _utc(value: datetime) -> datetime: ...


@overload
def _utc(value: None) -> None: ...


def _utc(value: datetime | None) -> datetime | None:
    """A stored time as UTC: SQLite hands ``timezone=True`` columns back naive (fix: the API sent them without an
    offset there, which is not an RFC 3339 date-time and reads as local time; they were written as UTC by ``now``)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True)
class Actor:
    """Who is acting: what permission checks and audit entries need, nothing more."""

    id: int | None
    username: str
    role: str
    department_id: int | None = None

    def can(self, action: str) -> bool:
        role = workspace_rules()["roles"].get(self.role)
        return bool(role) and action in role["can"]


SYSTEM = Actor(None, "system", "admin")


@dataclass
class TaskFilter:
    """Filters of the task list; ``None`` means any."""

    report_id: int | None = None
    department_id: int | None = None
    status: str | None = None
    indicator: str | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    stage: str | None = None
    q: str | None = None
    top_level: bool = False


@dataclass
class Dashboard:
    report: ReportView
    today: date
    counts: dict[str, int]
    total: int
    progress: float
    departments: list[dict[str, Any]]
    overdue: list[TaskView]
    due_soon: list[TaskView]
    pending_reviews: int
    pending_extensions: int
    unassigned: int
    n_overdue: int = 0
    n_due_soon: int = 0
    burnup: dict[str, list[Any]] = field(default_factory=dict)


def require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        label = workspace_rules()["roles"].get(actor.role, {}).get("label", "未知角色")
        raise Forbidden(f"当前角色（{label}）无权执行此操作")


def clean_email(value: str | None) -> str | None:
    """One e-mail address or ``None``: a list (a@x, b@y), a display name or a line break is refused, so the
    digest can never mail someone the office did not name, nor have its headers split."""
    text = clean_text(value, "email")
    if not text:
        return None
    if not is_one_address(text):
        raise Invalid(f"电子邮箱「{text[:60]}」格式不对（只能填一个地址）")
    return text


def _deleted(session: Session, statement: Any) -> int:
    """Rows removed by a DELETE."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount or 0)


def _check_password(password: str | None, username: str) -> None:
    clean_text(password, "password", strip=False)
    problem = password_problem(password or "", username)
    if problem:
        raise Invalid(problem)


def _snapshot(row: Any, keys: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in keys:
        value = getattr(row, key)
        out[key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


class Workspace:
    """The workspace over one migrated ``Store``; ``today`` and ``margin`` may be fixed for tests and demos."""

    def __init__(self, store: Store, *, today: date | None = None, margin: float = DEFAULT_MARGIN,
                 due_soon_days: int | None = None, token_days: int = TOKEN_DAYS) -> None:
        self.store = store
        self.token_days = token_days
        self.fixed_today = today
        self.margin = margin
        self.due_soon_days = int(due_soon_days if due_soon_days is not None else workspace_rules()["due_soon_days"])
        self._cache: dict[int, tuple[tuple[object, ...], list[TaskView]]] = {}
        self._dashboards: dict[int, tuple[list[TaskView], Dashboard]] = {}

    def today(self) -> date:
        return self.fixed_today or date.today()

    # ------------------------------------------------------------------ sessions

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with Session(self.store.engine) as session:
                yield session
        except DBAPIError as exc:
            raise self._database_error(exc) from None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite); rolled back whole on any error."""
        engine = self.store.engine.execution_options(govledger_write=True)
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise self._database_error(exc) from None

    def _database_error(self, exc: DBAPIError) -> Exception:
        """A driver error as the user may see it: a value the database refuses is the user's 422; anything else
        is logged in full here and answered without the database's name or URL (``app.py`` shows a fixed text)."""
        if isinstance(exc, DataError):
            return Invalid("输入的值无法保存（含有数据库不接受的字符或超出范围的数值）")
        log.error("database error on %s: %s", self.store.name, str(exc.orig).splitlines()[0] if exc.orig else exc)
        return ReportError("database", "database error")

    @staticmethod
    def _audit(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None, *,
               task_id: int | None = None, report_id: int | None = None,
               before: dict[str, object] | None = None, after: dict[str, object] | None = None) -> None:
        session.add(AuditRow(at=now(), user_id=actor.id, username=actor.username, action=action, entity=entity,
                             entity_id=entity_id, task_id=task_id, report_id=report_id, before=before, after=after))
        # the cache key of the report's task views: a change to a report's tasks bumps its version, a change to a
        # department (names, shown in every report's views) bumps them all
        if report_id is not None:
            session.execute(update(ReportSettingRow).where(ReportSettingRow.report_id == report_id)
                            .values(version=ReportSettingRow.version + 1))
        elif entity == "department":
            session.execute(update(ReportSettingRow).values(version=ReportSettingRow.version + 1))

    # ------------------------------------------------------------------ accounts

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

    # ------------------------------------------------------------------ departments

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

    # ------------------------------------------------------------------ reports and task decomposition

    def import_ledger(self, actor: Actor, ledger: Ledger, *, force: bool = False) -> tuple[crud.ImportOutcome, int]:
        """Store a report and create a task for every target that has none, in one transaction.

        Importing the same report again changes nothing; a corrected report
        replaces its records and adds tasks only for targets that are new.
        """
        require(actor, "import")
        sentences = crud.ledger_sentences(ledger)
        with self._write() as session:
            outcome = crud._save(session, ledger, sentences, force)
            report = session.scalars(select(ReportRow).where(ReportRow.doc == ledger.doc)).one()
            existing = session.execute(
                select(TaskRow.sentence, TaskRow.quote, TaskRow.position).where(TaskRow.report_id == report.id)
            ).all()
            skip = {(s, q) for s, q, _ in existing}
            first = max((p for _, _, p in existing), default=0) + 1
            year = ledger.year or date.today().year
            drafts = decompose(list(ledger.records), year, first_seq=first, skip_quotes=skip)
            for draft in drafts:
                session.add(self._task_row(report.id, draft))
            if session.get(ReportSettingRow, report.id) is None:
                session.add(ReportSettingRow(report_id=report.id, public=False))
            if outcome.status != "unchanged" or drafts:
                self._audit(session, actor, "report.import", "report", report.id, report_id=report.id,
                            after={"doc": ledger.doc, "status": outcome.status, "new_tasks": len(drafts)})
            return outcome, len(drafts)

    @staticmethod
    def _task_row(report_id: int, d: TaskDraft, parent_id: int | None = None) -> TaskRow:
        stamp = now()
        return TaskRow(report_id=report_id, parent_id=parent_id, seq=d.seq, position=d.position, content=d.content,
                       record_ids=list(d.record_ids), quote=d.quote, sentence=d.sentence, section=list(d.section),
                       quote_start=d.quote_start, quote_end=d.quote_end, indicator=d.indicator, metric=d.metric,
                       measure=d.measure, target_value=d.target_value, target_unit=d.target_unit, bound=d.bound,
                       lead_id=None, co_ids=list(d.co_ids), start_date=d.start_date, deadline=d.deadline,
                       weight=d.weight, milestones=d.milestones, stage="draft", progress=0.0, current_value=None,
                       has_progress=False, completed_on=None, version=1, created_at=stamp, updated_at=stamp)

    def _report_views(self, *where: Any) -> list[ReportView]:
        """Reports with their task count and public switch, newest year first; ``where`` narrows the reports."""
        n_tasks = select(TaskRow.report_id, func.count().label("n")).group_by(TaskRow.report_id).subquery()
        stmt = (select(ReportRow, func.coalesce(n_tasks.c.n, 0), ReportSettingRow.public)
                .outerjoin(n_tasks, n_tasks.c.report_id == ReportRow.id)
                .outerjoin(ReportSettingRow, ReportSettingRow.report_id == ReportRow.id)
                .where(*where).order_by(ReportRow.year.desc(), ReportRow.doc))
        with self._read() as session:
            return [ReportView(id=r.id, doc=r.doc, place=r.place, year=r.year, level=r.level, public=bool(public),
                               n_tasks=int(n)) for r, n, public in session.execute(stmt).all()]

    def reports(self) -> list[ReportView]:
        return self._report_views()

    def report(self, report_id: int) -> ReportView:
        found = self._report_views(ReportRow.id == report_id)
        if not found:
            raise NotFound(f"报告 {report_id} 不存在")
        return found[0]

    def report_by_doc(self, doc: str) -> ReportView:
        doc = clean_text(doc, "doc")
        found = self._report_views(ReportRow.doc == doc)
        if not found:
            raise NotFound(f"报告「{doc}」不存在")
        return found[0]

    def set_public(self, actor: Actor, report_id: int, public: bool) -> ReportView:
        require(actor, "publish")
        with self._write() as session:
            if session.get(ReportRow, report_id) is None:
                raise NotFound(f"报告 {report_id} 不存在")
            row = session.get(ReportSettingRow, report_id)
            before = bool(row.public) if row else False
            if row is None:
                session.add(ReportSettingRow(report_id=report_id, public=public))
            else:
                row.public = public
            self._audit(session, actor, "report.public", "report", report_id, report_id=report_id,
                        before={"public": before}, after={"public": public})
        return self.report(report_id)

    # ------------------------------------------------------------------ reading tasks

    def _views(self, session: Session, rows: Sequence[TaskRow], today: date) -> list[TaskView]:
        """Views of ``rows`` with status derived; parents' progress rolled up from all their descendants."""
        if not rows:
            return []
        report_ids = {r.report_id for r in rows}
        family = session.execute(
            select(TaskRow.id, TaskRow.parent_id, TaskRow.weight, TaskRow.progress, TaskRow.has_progress,
                   TaskRow.stage)
            .where(TaskRow.report_id.in_(report_ids))
        ).all()
        parent_of = {t.id: t.parent_id for t in family}
        # a closed (办结) part counts as complete in its parent's roll-up; a closed leaf's own view keeps its figures
        own = {t.id: counted_progress(t.progress, t.stage == "closed") for t in family}
        progress = rollup(parent_of, {t.id: t.weight for t in family}, own)
        n_children = Counter(t.parent_id for t in family if t.parent_id is not None)
        has_progress = {t.id: t.has_progress for t in family}
        for member in family:  # a parent has progress when any descendant has
            parent = member.parent_id
            while member.has_progress and parent is not None and not has_progress.get(parent, True):
                has_progress[parent] = True
                parent = parent_of.get(parent)
        names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
        docs = dict(session.execute(select(ReportRow.id, ReportRow.doc).where(ReportRow.id.in_(report_ids))).all())
        out = []
        for t in rows:
            p = progress.get(t.id, t.progress) if n_children.get(t.id) else round(t.progress, 1)
            facts = TaskFacts(t.start_date, t.deadline, p, has_progress.get(t.id, t.has_progress), t.stage == "closed",
                              t.completed_on)
            status = derive_status(facts, today, self.margin)
            expected = time_share(t.start_date, t.deadline, today)
            out.append(TaskView(
                id=t.id, report_id=t.report_id, doc=docs.get(t.report_id, ""), parent_id=t.parent_id, seq=t.seq,
                content=t.content, record_ids=list(t.record_ids or []), quote=t.quote, sentence=t.sentence,
                section=list(t.section or []), indicator=t.indicator, metric=t.metric, measure=t.measure,
                target_value=t.target_value, target_unit=t.target_unit, bound=t.bound, lead_id=t.lead_id,
                lead=names.get(t.lead_id) if t.lead_id else None, co_ids=list(t.co_ids or []),
                co=[names[i] for i in (t.co_ids or []) if i in names], start_date=t.start_date, deadline=t.deadline,
                weight=t.weight, milestones=t.milestones, stage=t.stage, progress=p, current_value=t.current_value,
                completed_on=t.completed_on, expected=round(expected, 1), status=status,
                status_label=status_label(status), pace=classify_pace(p, expected, self.margin),
                n_children=n_children.get(t.id, 0), version=t.version, updated_at=_utc(t.updated_at),
            ))
        return out

    def list_tasks(self, filters: TaskFilter | None = None, *, page: int = 1, per_page: int = 50) -> Page:
        """One page of tasks in 序号 order; status is derived, so it is filtered after deriving it."""
        f = filters or TaskFilter()
        if f.q is not None:
            f.q = clean_text(f.q, "search") or None
        if page < 1 or not 1 <= per_page <= 500:
            raise Invalid("page 从 1 开始，per_page 在 1–500 之间")
        if f.status is not None and f.status not in STATUSES:
            raise Invalid(f"status 必须是 {'、'.join(STATUSES)} 之一")
        report_ids = [f.report_id] if f.report_id is not None else [r.id for r in self.reports()]
        views = [v for rid in report_ids for v in self.all_views(rid) if _matches(v, f)]
        if f.status is not None:
            views = [v for v in views if v.status == f.status]
        total = len(views)
        start = (page - 1) * per_page
        return Page(items=views[start:start + per_page], total=total, page=page, per_page=per_page)

    def task(self, task_id: int) -> TaskView:
        """One task's view, taken from its report's cached views (the roll-up needs the whole family anyway)."""
        with self._read() as session:
            report_id = session.scalar(select(TaskRow.report_id).where(TaskRow.id == task_id))
        if report_id is None:
            raise NotFound(f"任务 {task_id} 不存在")
        found = next((v for v in self.all_views(report_id) if v.id == task_id), None)
        if found is None:  # deleted (merged) between the two reads
            raise NotFound(f"任务 {task_id} 不存在")
        return found

    def task_detail(self, task_id: int) -> TaskDetail:
        view = self.task(task_id)
        children = [v for v in self.all_views(view.report_id) if v.parent_id == task_id]
        with self._read() as session:
            row = session.get(TaskRow, task_id)
            if row is None:
                raise NotFound(f"任务 {task_id} 不存在")
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            feedback = [self._feedback_view(session, f, users) for f in session.scalars(
                select(FeedbackRow).where(FeedbackRow.task_id == task_id).order_by(FeedbackRow.id.desc()))]
            extensions = [_extension_view(e, users) for e in session.scalars(
                select(ExtensionRow).where(ExtensionRow.task_id == task_id).order_by(ExtensionRow.id.desc()))]
            history = [AuditView(id=a.id, at=_utc(a.at), username=a.username, action=a.action, entity=a.entity,
                                 entity_id=a.entity_id, task_id=a.task_id, before=a.before, after=a.after)
                       for a in session.scalars(select(AuditRow).where(AuditRow.task_id == task_id)
                                                .order_by(AuditRow.id.desc()))]
            return TaskDetail(task=view, children=children, feedback=feedback,
                              extensions=extensions, history=history, paragraph=self._paragraph(session, row))

    @staticmethod
    def _paragraph(session: Session, task: TaskRow) -> str | None:
        """The quote's paragraph: its sentence and the neighbours that follow on without a line break."""
        if task.quote_start is None:
            return task.sentence or None
        sentences = session.scalars(select(SentenceRow).where(SentenceRow.report_id == task.report_id)
                                    .order_by(SentenceRow.n)).all()
        here = next((i for i, s in enumerate(sentences) if s.start <= task.quote_start < s.end), None)
        if here is None:
            return task.sentence or None
        lo = hi = here
        while lo > 0 and sentences[lo - 1].end >= sentences[lo].start - 1 \
                and sentences[lo - 1].section == sentences[here].section:
            lo -= 1
        while hi + 1 < len(sentences) and sentences[hi].end >= sentences[hi + 1].start - 1 \
                and sentences[hi + 1].section == sentences[here].section:
            hi += 1
        return "".join(s.text for s in sentences[lo:hi + 1])

    @staticmethod
    def _feedback_view(session: Session, f: FeedbackRow, users: dict[int, str]) -> FeedbackView:
        files = [
            AttachmentView(id=i, filename=n, content_type=c, size=s) for i, n, c, s in session.execute(
                select(AttachmentRow.id, AttachmentRow.filename, AttachmentRow.content_type, AttachmentRow.size)
                .where(AttachmentRow.feedback_id == f.id).order_by(AttachmentRow.id)).all()]
        return FeedbackView(id=f.id, task_id=f.task_id, author=users.get(f.author_id, "?"), reported_on=f.reported_on,
                            text=f.text, current_value=f.current_value, percent=f.percent, state=f.state,
                            review_note=f.review_note, reviewer=users.get(f.reviewer_id) if f.reviewer_id else None,
                            reviewed_at=_utc(f.reviewed_at), created_at=_utc(f.created_at), attachments=files)

    def _pending(self, model: type[FeedbackRow] | type[ExtensionRow], report_id: int | None,
                 make: Callable[[Session, Any, dict[int, str]], Any]) -> list[tuple[TaskView, Any]]:
        """Rows of ``model`` waiting for a supervisor (state pending), oldest first, each with its task's view."""
        stmt = select(model, TaskRow.id, TaskRow.report_id).join(TaskRow, TaskRow.id == model.task_id) \
            .where(model.state == "pending").order_by(model.id)
        if report_id is not None:
            stmt = stmt.where(TaskRow.report_id == report_id)
        with self._read() as session:
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            pending = [(task_id, rid, make(session, row, users)) for row, task_id, rid in session.execute(stmt).all()]
        views = {rid: {v.id: v for v in self.all_views(rid)} for rid in {rid for _, rid, _ in pending}}
        return [(views[rid][task_id], view) for task_id, rid, view in pending]

    def pending_feedback(self, report_id: int | None = None) -> list[tuple[TaskView, FeedbackView]]:
        """Feedback waiting for review (审核), oldest first."""
        return self._pending(FeedbackRow, report_id, self._feedback_view)

    def pending_extensions(self, report_id: int | None = None) -> list[tuple[TaskView, ExtensionView]]:
        """Extension requests (延期申请) waiting for a decision, oldest first."""
        return self._pending(ExtensionRow, report_id, lambda _session, e, users: _extension_view(e, users))

    def attachment(self, attachment_id: int) -> tuple[str, str, bytes, int]:
        """(filename, content type, bytes, task id) of an evidence file."""
        with self._read() as session:
            found = session.execute(select(AttachmentRow, FeedbackRow.task_id).join(
                FeedbackRow, FeedbackRow.id == AttachmentRow.feedback_id).where(AttachmentRow.id == attachment_id)).first()
            if found is None:
                raise NotFound(f"附件 {attachment_id} 不存在")
            a, task_id = found
            return a.filename, a.content_type, a.data, task_id

    # ------------------------------------------------------------------ changing tasks

    @staticmethod
    def _locked_task(session: Session, task_id: int, version: int | None) -> TaskRow:
        row = session.get(TaskRow, task_id, with_for_update=True)
        if row is None:
            raise NotFound(f"任务 {task_id} 不存在")
        if version is not None and row.version != version:
            raise Conflict(f"任务 {row.seq} 已被他人修改（当前版本 {row.version}，你提交的是版本 {version}），请刷新后再改")
        return row

    @staticmethod
    def _own(actor: Actor, task: TaskRow) -> bool:
        if actor.role != "department":
            return True
        return actor.department_id is not None and (
            task.lead_id == actor.department_id or actor.department_id in (task.co_ids or []))

    def _check_own(self, session: Session, actor: Actor, task: TaskRow, action: str) -> None:
        require(actor, action)
        if not self._own(actor, task):
            raise Forbidden(f"任务 {task.seq} 不是本单位的任务")
        if actor.department_id is not None:
            dept = session.get(DepartmentRow, actor.department_id)
            if dept is None or not dept.active:
                raise Forbidden("本单位已停用，不能再报送")

    @staticmethod
    def _touch(task: TaskRow) -> None:
        task.version += 1
        task.updated_at = now()

    def update_task(self, actor: Actor, task_id: int, version: int, changes: dict[str, Any]) -> TaskView:
        """Edit 任务内容, departments, deadline, weight or 季度形象进度; a lead department makes it 交办."""
        require(actor, "assign")
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise Invalid(f"不能修改的字段：{'、'.join(sorted(unknown))}")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            before = _snapshot(task, EDITABLE + ("stage",))
            self._apply_changes(session, task, changes)
            if task.lead_id is not None and task.stage == "draft":
                task.stage = "assigned"
            self._touch(task)
            self._audit(session, actor, "task.update", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after=_snapshot(task, EDITABLE + ("stage",)))
            session.flush()
            return self._views(session, [task], self.today())[0]

    def _apply_changes(self, session: Session, task: TaskRow, changes: dict[str, Any]) -> None:
        for key in ("content", "deadline", "weight", "milestones", "co_ids"):
            if key in changes and changes[key] is None:
                raise Invalid(f"{'任务内容' if key == 'content' else key}不能为空（null）")
        if "content" in changes:
            content = clean_text(str(changes["content"]), "content")
            if not content:
                raise Invalid("任务内容不能为空")
            task.content = content
        if "lead_id" in changes:
            lead = changes["lead_id"]
            if lead is not None and session.get(DepartmentRow, int(lead)) is None:
                raise Invalid(f"牵头单位 {lead} 不存在")
            task.lead_id = int(lead) if lead is not None else None
        if "co_ids" in changes:
            co = [int(i) for i in dict.fromkeys(changes["co_ids"] or [])]
            known = set(session.scalars(select(DepartmentRow.id).where(DepartmentRow.id.in_(co))).all())
            missing = [i for i in co if i not in known]
            if missing:
                raise Invalid(f"配合单位 {missing[0]} 不存在")
            task.co_ids = [i for i in co if i != task.lead_id]
        if "deadline" in changes:
            deadline = changes["deadline"]
            if not isinstance(deadline, date):
                raise Invalid("完成时限必须是日期")
            if deadline < task.start_date:
                raise Invalid(f"完成时限 {deadline} 早于任务开始日期 {task.start_date}")
            task.deadline = deadline
        if "weight" in changes:
            try:
                weight = float(changes["weight"])
            except (TypeError, ValueError):
                raise Invalid("权重必须是数字") from None
            if not 0 < weight <= 1000 or weight != weight:
                raise Invalid("权重必须大于 0、不超过 1000")
            task.weight = weight
        if "milestones" in changes:
            task.milestones = clean_text(str(changes["milestones"]), "milestones")

    def split_task(self, actor: Actor, task_id: int, version: int, parts: list[tuple[str, float]]) -> list[TaskView]:
        """Split a task into parts (拆分): each a child with its own content and weight, same source quote."""
        require(actor, "assign")
        if len(parts) < 2:
            raise Invalid("拆分至少要有两个子任务")
        parts = [(clean_text(c, "content"), w) for c, w in parts]
        if any(not c for c, _ in parts) or any(not 0 < w <= 1000 for _, w in parts):
            raise Invalid("每个子任务都要有内容，权重大于 0")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if session.scalar(select(func.count()).where(TaskRow.parent_id == task.id)):
                raise Conflict(f"任务 {task.seq} 已经拆分过")
            if session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id)):
                raise Conflict(f"任务 {task.seq} 已有进度反馈，不能再拆分")
            children = []
            for i, (content, weight) in enumerate(parts, 1):
                draft = TaskDraft(
                    seq=f"{task.seq}.{i}", position=task.position, content=content.strip(),
                    record_ids=list(task.record_ids), quote=task.quote, sentence=task.sentence,
                    section=list(task.section), quote_start=task.quote_start, quote_end=task.quote_end,
                    indicator=task.indicator, metric=task.metric, measure=task.measure, target_value=None,
                    target_unit=task.target_unit, bound=task.bound, start_date=task.start_date,
                    deadline=task.deadline, weight=float(weight), co_ids=list(task.co_ids or []))
                child = self._task_row(task.report_id, draft, parent_id=task.id)
                child.lead_id, child.stage = task.lead_id, task.stage if task.stage != "closed" else "assigned"
                session.add(child)
                children.append(child)
            self._touch(task)
            session.flush()
            self._audit(session, actor, "task.split", "task", task.id, task_id=task.id, report_id=task.report_id,
                        after={"children": [c.seq for c in children], "weights": [c.weight for c in children]})
            for c in children:
                self._audit(session, actor, "task.create", "task", c.id, task_id=c.id, report_id=c.report_id,
                            after={"seq": c.seq, "content": c.content, "parent": task.seq})
            return self._views(session, children, self.today())

    def merge_tasks(self, actor: Actor, task_ids: list[int], versions: dict[int, int] | None = None) -> TaskView:
        """Merge tasks (合并) into the first: contents and source quotes joined, the others removed."""
        require(actor, "assign")
        ids = list(dict.fromkeys(task_ids))
        if len(ids) < 2:
            raise Invalid("合并至少要选两个任务")
        with self._write() as session:
            tasks = [self._locked_task(session, i, (versions or {}).get(i)) for i in ids]
            if len({t.report_id for t in tasks}) != 1:
                raise Invalid("只能合并同一报告的任务")
            for t in tasks:
                if session.scalar(select(func.count()).where(FeedbackRow.task_id == t.id)) or \
                        session.scalar(select(func.count()).where(TaskRow.parent_id == t.id)):
                    raise Conflict(f"任务 {t.seq} 已有反馈或子任务，不能合并")
            keep, others = tasks[0], tasks[1:]
            before: dict[str, object] = {"tasks": [{"seq": t.seq, "content": t.content} for t in tasks]}
            keep.content = clean_text("；".join(t.content for t in tasks), "content", label="合并后的任务内容")
            keep.record_ids = [r for t in tasks for r in (t.record_ids or [])]
            keep.quote = "；".join(dict.fromkeys(t.quote for t in tasks))
            if len({t.sentence for t in tasks}) > 1:
                keep.sentence = "".join(dict.fromkeys(t.sentence for t in tasks))
            keep.deadline = max(t.deadline for t in tasks)
            keep.target_value = keep.target_value if all(t.indicator == keep.indicator for t in tasks) and \
                len(tasks) == 1 else None
            for t in others:
                session.delete(t)
            self._touch(keep)
            session.flush()
            self._audit(session, actor, "task.merge", "task", keep.id, task_id=keep.id, report_id=keep.report_id,
                        before=before, after={"seq": keep.seq, "content": keep.content})
            return self._views(session, [keep], self.today())[0]

    def close_task(self, actor: Actor, task_id: int, version: int | None = None, note: str = "") -> TaskView:
        """办结/销号: the supervisor signs a task off; it then counts as 已完成 whatever its figures say."""
        require(actor, "review")
        note = clean_text(note, "note")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结")
            if session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id,
                                                         FeedbackRow.state == "pending")):
                raise Conflict(f"任务 {task.seq} 还有待审核的反馈")
            before = _snapshot(task, ("stage", "completed_on"))
            task.stage, task.completed_on = "closed", task.completed_on or self.today()
            self._touch(task)
            self._audit(session, actor, "task.close", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after={**_snapshot(task, ("stage", "completed_on")), "note": note})
            session.flush()
            return self._views(session, [task], self.today())[0]

    def reopen_task(self, actor: Actor, task_id: int, version: int | None = None, note: str = "") -> TaskView:
        require(actor, "reopen")
        note = clean_text(note, "note")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if task.stage != "closed":
                raise Conflict(f"任务 {task.seq} 没有办结，无需重新打开")
            before = _snapshot(task, ("stage", "completed_on"))
            task.stage = "assigned" if task.lead_id is not None else "draft"
            if task.progress < 100:
                task.completed_on = None
            self._touch(task)
            self._audit(session, actor, "task.reopen", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after={**_snapshot(task, ("stage", "completed_on")), "note": note})
            session.flush()
            return self._views(session, [task], self.today())[0]

    # ------------------------------------------------------------------ feedback, review, extensions

    def submit_feedback(self, actor: Actor, task_id: int, *, text: str, reported_on: date | None = None,
                        current_value: float | None = None, percent: float | None = None,
                        files: Sequence[tuple[str, bytes]] = ()) -> FeedbackView:
        """反馈: a department reports progress with evidence; it counts once a supervisor approves it."""
        text = clean_text(text, "feedback")
        if not text:
            raise Invalid("进展情况不能为空")
        if percent is not None and not 0 <= percent <= 100:
            raise Invalid("完成百分比必须在 0–100 之间")
        if current_value is not None and current_value != current_value:
            raise Invalid("当前值必须是数字")
        rules = workspace_rules()["attachments"]
        if len(files) > int(rules["max_files"]):
            raise Invalid(f"附件最多 {rules['max_files']} 个")
        checked = [(name, check_attachment(name, data), data)
                   for name, data in ((clean_text(n, "filename"), d) for n, d in files)]
        with self._write() as session:
            task = self._locked_task(session, task_id, None)
            self._check_own(session, actor, task, "feedback")
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结，不能再反馈")
            if session.scalar(select(func.count()).where(TaskRow.parent_id == task.id)):
                raise Invalid(f"任务 {task.seq} 已拆分，请在子任务上反馈")
            on = reported_on or self.today()
            row = FeedbackRow(task_id=task.id, author_id=actor.id, reported_on=on, text=text[:8000],
                              current_value=current_value, percent=percent, state="pending", created_at=now())
            session.add(row)
            session.flush()
            for name, ctype, data in checked:
                session.add(AttachmentRow(feedback_id=row.id, filename=name[-255:], content_type=ctype, size=len(data),
                                          sha256=hashlib.sha256(data).hexdigest(), data=data, created_at=now()))
            before = _snapshot(task, ("stage",))
            task.stage = "reported"
            self._touch(task)
            self._audit(session, actor, "feedback.submit", "feedback", row.id, task_id=task.id,
                        report_id=task.report_id, before=before,
                        after={"text": row.text, "current_value": current_value, "percent": percent,
                               "reported_on": on.isoformat(), "files": [n for n, _, _ in checked]})
            session.flush()
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            return self._feedback_view(session, row, users)

    def review_feedback(self, actor: Actor, feedback_id: int, approve: bool, note: str = "") -> FeedbackView:
        """审核: approve (its figures now count) or 退回 with a reason."""
        require(actor, "review")
        note = clean_text(note, "note")
        if not approve and not note:
            raise Invalid("退回必须写明理由")
        with self._write() as session:
            fb = session.get(FeedbackRow, feedback_id, with_for_update=True)
            if fb is None:
                raise NotFound(f"反馈 {feedback_id} 不存在")
            if fb.state != "pending":
                raise Conflict(f"反馈 {feedback_id} 已经审核过")
            task = self._locked_task(session, fb.task_id, None)
            before = _snapshot(task, ("stage", "progress", "current_value", "completed_on"))
            fb.state = "approved" if approve else "returned"
            fb.review_note, fb.reviewer_id, fb.reviewed_at = note or None, actor.id, now()
            if approve:
                self._count_feedback(task, fb)
            pending = session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id,
                                                                FeedbackRow.state == "pending",
                                                                FeedbackRow.id != fb.id))
            if not pending and task.stage == "reported":
                task.stage = "assigned"
            self._touch(task)
            self._audit(session, actor, "feedback.approve" if approve else "feedback.return", "feedback", fb.id,
                        task_id=task.id, report_id=task.report_id, before=before,
                        after={**_snapshot(task, ("stage", "progress", "current_value", "completed_on")),
                               "note": note})
            session.flush()
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            return self._feedback_view(session, fb, users)

    def _count_feedback(self, task: TaskRow, fb: FeedbackRow) -> None:
        """Approved figures become the task's: numeric progress where the target accumulates, else the percent."""
        if fb.current_value is not None:
            task.current_value = fb.current_value
        computed = numeric_progress(task.target_value, task.bound, task.measure, task.current_value)
        if computed is not None:
            task.progress = computed
        elif fb.percent is not None:
            task.progress = float(fb.percent)
        task.has_progress = True
        if task.progress >= 100 and task.completed_on is None:
            task.completed_on = fb.reported_on
        elif task.progress < 100 and task.stage != "closed":
            task.completed_on = None

    def request_extension(self, actor: Actor, task_id: int, new_deadline: date, reason: str) -> ExtensionView:
        """延期申请: a department asks for a later deadline, with a reason."""
        reason = clean_text(reason, "reason")
        if not reason:
            raise Invalid("延期申请必须写明理由")
        with self._write() as session:
            task = self._locked_task(session, task_id, None)
            self._check_own(session, actor, task, "extension_request")
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结")
            if new_deadline <= task.deadline:
                raise Invalid(f"新的完成时限必须晚于现在的 {task.deadline}")
            if session.scalar(select(func.count()).where(ExtensionRow.task_id == task.id,
                                                         ExtensionRow.state == "pending")):
                raise Conflict(f"任务 {task.seq} 已有待审批的延期申请")
            row = ExtensionRow(task_id=task.id, requester_id=actor.id, old_deadline=task.deadline,
                               new_deadline=new_deadline, reason=reason[:4000], state="pending", created_at=now())
            session.add(row)
            session.flush()
            self._audit(session, actor, "extension.request", "extension", row.id, task_id=task.id,
                        report_id=task.report_id,
                        after={"new_deadline": new_deadline.isoformat(), "reason": row.reason})
            return _extension_view(row, dict(session.execute(select(UserRow.id, UserRow.display_name)).all()))

    def decide_extension(self, actor: Actor, extension_id: int, grant: bool, note: str = "") -> ExtensionView:
        require(actor, "review")
        note = clean_text(note, "note")
        with self._write() as session:
            ext = session.get(ExtensionRow, extension_id, with_for_update=True)
            if ext is None:
                raise NotFound(f"延期申请 {extension_id} 不存在")
            if ext.state != "pending":
                raise Conflict(f"延期申请 {extension_id} 已经处理过")
            task = self._locked_task(session, ext.task_id, None)
            before = _snapshot(task, ("deadline",))
            ext.state = "granted" if grant else "refused"
            ext.decider_id, ext.decision_note, ext.decided_at = actor.id, (note or "").strip() or None, now()
            if grant:
                task.deadline = ext.new_deadline
                self._touch(task)
            self._audit(session, actor, "extension.grant" if grant else "extension.refuse", "extension", ext.id,
                        task_id=task.id, report_id=task.report_id, before=before,
                        after={**_snapshot(task, ("deadline",)), "note": ext.decision_note})
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            return _extension_view(ext, users)

    # ------------------------------------------------------------------ the 任务分解表 as XLSX

    def sheet_rows(self, report_id: int) -> list[SheetRow]:
        from govledger.export.task_sheet import SheetRow

        self.report(report_id)
        with self._read() as session:
            names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report_id)
                                   .order_by(TaskRow.position, TaskRow.seq)).all()
            return [SheetRow(seq=t.seq, content=t.content, lead=names.get(t.lead_id, "") if t.lead_id else "",
                             co=tuple(names[i] for i in (t.co_ids or []) if i in names), deadline=t.deadline,
                             milestones=t.milestones or "") for t in rows]

    def import_sheet(self, actor: Actor, report_id: int, rows: Sequence[SheetRow],
                     problems: Sequence[tuple[int, str]] = ()) -> int:
        """Apply an office's 任务分解表: all rows or none; every bad row is named by its number, with every reason.

        ``problems`` are what reading the cells found (a deadline in words
        nobody understands, a duplicate 序号); they are answered together
        with what only the database can tell (an unknown 序号 or department),
        sorted by row, so an office fixes the whole sheet in one pass.
        Rows match tasks by 序号. A row changes 任务内容, departments,
        完成时限 and 季度形象进度 where they differ; an identical sheet (the
        export read back) changes nothing. Returns the number of tasks changed.
        """
        require(actor, "assign")
        with self._write() as session:
            if session.get(ReportRow, report_id) is None:
                raise NotFound(f"报告 {report_id} 不存在")
            by_seq = {t.seq: t for t in session.scalars(
                select(TaskRow).where(TaskRow.report_id == report_id).with_for_update())}
            by_name = {n: i for i, n in session.execute(select(DepartmentRow.id, DepartmentRow.name)).all()}
            found: list[tuple[int, str]] = [(line, msg if not line else f"第{line}行：{msg}") for line, msg in problems]
            plans: list[tuple[TaskRow, dict[str, Any]]] = []
            for row in rows:
                line = f"第{row.line}行" if row.line else f"序号 {row.seq}"
                reasons: list[str] = []
                task = by_seq.get(row.seq)
                if task is None and row.seq:
                    reasons.append(f"序号「{row.seq[:32]}」不在该报告的任务中")
                reasons += [f"单位「{n[:40]}」不在单位名单中"
                            for n in ([row.lead] if row.lead else []) + list(row.co) if n not in by_name]
                if task is not None and row.deadline is not None and row.deadline < task.start_date:
                    reasons.append(f"完成时限 {row.deadline} 早于年初")
                if not row.content.strip() and not any(p[0] == row.line and "任务内容" in p[1] for p in problems):
                    reasons.append("任务内容为空")
                found += [(row.line, f"{line}：{r}") for r in reasons]
                if reasons or task is None or found:
                    continue
                lead = by_name[row.lead] if row.lead else None
                co = [by_name[n] for n in row.co if by_name[n] != lead]
                wanted = {"content": row.content.strip(), "lead_id": lead, "co_ids": co,
                          "deadline": row.deadline or task.deadline, "milestones": row.milestones}
                changes = {key: value for key, value in wanted.items() if getattr(task, key) != value}
                if changes:
                    plans.append((task, changes))
            if found:
                found.sort(key=lambda p: p[0])
                bad_rows = len({line for line, _ in found})
                raise Invalid(f"任务分解表有 {bad_rows} 行共 {len(found)} 处错误，未导入任何内容：" +
                              "；".join(m for _, m in found[:5]) + ("……" if len(found) > 5 else ""),
                              details=[{"row": line, "error": m} for line, m in found])
            for task, changes in plans:
                before = _snapshot(task, EDITABLE + ("stage",))
                self._apply_changes(session, task, changes)
                if task.lead_id is not None and task.stage == "draft":
                    task.stage = "assigned"
                self._touch(task)
                self._audit(session, actor, "task.import", "task", task.id, task_id=task.id, report_id=report_id,
                            before=before, after=_snapshot(task, EDITABLE + ("stage",)))
            return len(plans)

    # ------------------------------------------------------------------ dashboard and digest

    def all_views(self, report_id: int) -> list[TaskView]:
        """Every task of a report with its status, in 序号 order.

        Deriving statuses and rolling up progress touches every task, and the
        dashboard and the list ask for it on every request. The result is
        kept per report until its version changes: every write that touches
        the report's tasks bumps ``report_settings.version`` in its own
        transaction (``_audit``), so the number tells whether the copy is
        still right, in this process or any other, and a write to another
        report leaves this copy alone.
        """
        with self._read() as session:
            # the report's version is bumped in the transaction of every write to its tasks (``_audit``), and read
            # here before the rows: a copy is never newer than its key says, so it is right while the key holds
            key = (session.scalar(select(ReportSettingRow.version).where(ReportSettingRow.report_id == report_id)),
                   self.today(), self.margin)
            cached = self._cache.get(report_id)
            if cached is not None and cached[0] == key:
                return cached[1]
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report_id)
                                   .order_by(TaskRow.position, TaskRow.seq)).all()
            views = self._views(session, rows, self.today())
        self._cache[report_id] = (key, views)
        return views

    def dashboard(self, report_id: int) -> Dashboard:
        """Counts by status, the 红黑榜 by lead department, overdue and due-soon lists, the burn-up series."""
        report = self.report(report_id)
        today = self.today()
        views = self.all_views(report_id)
        # perf: the dashboard only changes with the task views, which ``all_views`` hands back as the same list
        # until something is written (or the day changes); rebuilding it cost ~5 ms of every dashboard request
        memo = self._dashboards.get(report_id)
        if memo is not None and memo[0] is views and memo[1].report == report and memo[1].today == today:
            return memo[1]
        leaves = [v for v in views if v.n_children == 0]
        top = [v for v in views if v.parent_id is None]
        counts = Counter(v.status for v in top)
        by_dept: dict[str, Counter[str]] = {}
        for v in leaves:
            if v.lead is not None:  # unassigned tasks are counted apart, not ranked
                by_dept.setdefault(v.lead, Counter())[v.status] += 1
        departments: list[dict[str, Any]] = []
        for name, c in by_dept.items():
            departments.append({"department": name, "counts": {s: c.get(s, 0) for s in STATUSES},
                                "total": sum(c.values()), "rag": department_rag(c), "score": ranking_score(c)})
        departments.sort(key=lambda d: (-d["score"], d["department"]))
        for rank, d in enumerate(departments, 1):
            d["rank"] = rank
        horizon = today + timedelta(days=self.due_soon_days)
        overdue = sorted((v for v in leaves if v.status == "overdue"), key=lambda v: v.deadline)
        due_soon = sorted((v for v in leaves if v.status not in ("done", "overdue") and today <= v.deadline <= horizon),
                          key=lambda v: v.deadline)
        weights = [(v.weight, counted_progress(v.progress, v.stage == "closed")) for v in top]
        total_w = sum(w for w, _ in weights) or 1.0
        with self._read() as session:
            pending_reviews = int(session.scalar(
                select(func.count()).select_from(FeedbackRow).join(TaskRow, TaskRow.id == FeedbackRow.task_id)
                .where(TaskRow.report_id == report_id, FeedbackRow.state == "pending")) or 0)
            pending_ext = int(session.scalar(
                select(func.count()).select_from(ExtensionRow).join(TaskRow, TaskRow.id == ExtensionRow.task_id)
                .where(TaskRow.report_id == report_id, ExtensionRow.state == "pending")) or 0)
        board = Dashboard(
            report=report, today=today, counts={s: counts.get(s, 0) for s in STATUSES}, total=len(top),
            progress=round(sum(w * p for w, p in weights) / total_w, 1), departments=departments,
            overdue=overdue[:DASHBOARD_LIST], due_soon=due_soon[:DASHBOARD_LIST], n_overdue=len(overdue),
            n_due_soon=len(due_soon), pending_reviews=pending_reviews, pending_extensions=pending_ext,
            unassigned=sum(1 for v in leaves if v.lead is None),
            burnup=burnup(leaves, report.year or today.year, today),
        )
        self._dashboards[report_id] = (views, board)
        return board

    def digest(self, report_id: int | None = None) -> list[dict[str, Any]]:
        """每日提醒: per lead department, its overdue and due-soon tasks (only departments with something due)."""
        today = self.today()
        horizon = today + timedelta(days=self.due_soon_days)
        reports = [self.report(report_id)] if report_id is not None else self.reports()
        depts = {d.name: d for d in self.departments()}
        grouped: dict[str, dict[str, list[TaskView]]] = {}
        for report in reports:
            for v in self.all_views(report.id):
                if v.n_children or v.lead is None or v.status == "done":
                    continue
                bucket = "overdue" if v.status == "overdue" else "due_soon" if v.deadline <= horizon else None
                if bucket:
                    grouped.setdefault(v.lead, {"overdue": [], "due_soon": []})[bucket].append(v)
        return [{"department": name, "email": depts[name].email if name in depts else None, "today": today,
                 "overdue": sorted(g["overdue"], key=lambda v: v.deadline),
                 "due_soon": sorted(g["due_soon"], key=lambda v: v.deadline)}
                for name, g in sorted(grouped.items())]

    def history(self, *, task_id: int | None = None, limit: int = 200) -> list[AuditView]:
        with self._read() as session:
            stmt = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if task_id is not None:
                stmt = stmt.where(AuditRow.task_id == task_id)
            return [AuditView(id=a.id, at=_utc(a.at), username=a.username, action=a.action, entity=a.entity,
                              entity_id=a.entity_id, task_id=a.task_id, before=a.before, after=a.after)
                    for a in session.scalars(stmt)]

    def records_count(self, report_id: int) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.count()).where(RecordRow.report_id == report_id)) or 0)


def _extension_view(e: ExtensionRow, users: dict[int, str]) -> ExtensionView:
    """An extension request with the display names of who asked and who decided."""
    return ExtensionView(id=e.id, task_id=e.task_id, requester=users.get(e.requester_id, "?"),
                         old_deadline=e.old_deadline, new_deadline=e.new_deadline, reason=e.reason, state=e.state,
                         decider=users.get(e.decider_id) if e.decider_id else None, decision_note=e.decision_note,
                         created_at=_utc(e.created_at))


def _matches(v: TaskView, f: TaskFilter) -> bool:
    """Whether a task passes the list filters (a department sees the tasks it leads or helps with)."""
    return ((f.department_id is None or v.lead_id == f.department_id or f.department_id in v.co_ids)
            and (f.indicator is None or v.indicator == f.indicator)
            and (f.deadline_from is None or v.deadline >= f.deadline_from)
            and (f.deadline_to is None or v.deadline <= f.deadline_to)
            and (f.stage is None or v.stage == f.stage)
            and (not f.top_level or v.parent_id is None)
            and (not f.q or f.q in v.content))


def burnup(leaves: Sequence[TaskView], year: int, today: date) -> dict[str, list[Any]]:
    """Month-end series of the burn-up chart: tasks due by then (计划) and tasks completed by then (实际).

    Completion is counted only up to ``today``; the months after it have no
    actual point, so the line stops where the year has got to.
    """
    months: list[str] = []
    planned: list[int] = []
    done: list[int | None] = []
    for month in range(1, 13):
        end = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
        months.append(f"{month}月")
        planned.append(sum(1 for v in leaves if v.deadline <= end))
        if end <= today or (end.year == today.year and end.month == today.month):
            done.append(sum(1 for v in leaves if v.completed_on is not None and v.completed_on <= min(end, today)))
        else:
            done.append(None)
    return {"months": months, "planned": planned, "done": done, "total": [len(leaves)] * 12}
