"""The workspace's common ground: who acts (``Actor``), the transaction helpers every change goes through, shared rules.

``WorkspaceBase`` opens read and write sessions and appends audit rows;
``_audit`` also bumps the report's version, the key of the task-view cache.
The services are mixins in this package, one module each (accounts, reports,
reading, tasks, feedback, sheets, dashboard), put together in ``service.py``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from govledger.errors import Forbidden, Invalid, ReportError, WorkspaceError
from govledger.limits import clean_text, is_one_address
from govledger.security import password_problem
from govledger.store.work_models import (
    AuditRow,
    CredentialRow,
    ExtensionRow,
    LoginAttemptRow,
    ReportSettingRow,
    TaskRow,
    UserRow,
)
from govledger.workspace.rules import (
    DEFAULT_MARGIN,
    workspace_rules,
)
from govledger.workspace.views import (
    ExtensionView,
    ReportView,
    TaskView,
)

if TYPE_CHECKING:
    from govledger.store.db import Store


ROLES = ("admin", "supervisor", "department", "viewer")


SESSION_HOURS = 12


TOKEN_DAYS = 30  # default lifetime of an API token; ``Workspace(token_days=...)``, ``govledger serve --token-days``


LOCKOUT = {"window_minutes": 15, "per_account": 5, "per_address": 20}


STATUSES = ("not_started", "in_progress", "behind", "overdue", "done")


DASHBOARD_LIST = 20  # rows of the overdue and due-soon lists on a dashboard; the task list shows them all


PROJECT_ENTITIES = ("project", "project_report", "project_settings", "project_scores")  # audited, not in task views


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


@dataclass
class ViewsCopy:
    """A report's cached task views and what they were built from, so a write refreshes only what it changed.

    ``key`` is the report's version with today and the margin; ``derived`` is, per task, the rolled-up
    progress, has-progress and number of children its view was built with; ``names`` the department names
    and ``doc`` the report's doc the views show. A view is reused while its task's version and these hold.
    """

    key: tuple[object, ...]
    views: list[TaskView]
    derived: dict[int, tuple[float, bool, int]]
    names: dict[int, str]
    doc: str


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


def user_names(session: Session) -> dict[int, str]:
    """Display names by user id: a view of what was filed shows who filed it and who reviewed it."""
    return dict(session.execute(select(UserRow.id, UserRow.display_name)).all())


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



class UnauditedChange(RuntimeError):
    """A workspace transaction changed a table without writing its audit row: a bug, rolled back."""


# the log-in machinery keeps its own record (login_attempts) and short-lived session secrets: not audited rows
_SELF_LOGGED = (LoginAttemptRow, CredentialRow)


class AuditGuard:
    """Watches one write transaction: did it change anything, and did it write an audit row?"""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changed: set[str] = set()
        self.audited = False
        self.tasks_changed: set[TaskRow] = set()
        self.tasks_versioned: set[TaskRow] = set()
        event.listen(session, "before_flush", self._versioned)
        event.listen(session, "after_flush", self._flushed)
        event.listen(session, "do_orm_execute", self._executed)

    def _versioned(self, session: Session, _context: object, _instances: object) -> None:
        """Note the tasks this flush changes and those whose version it moves (``check`` bumps the others)."""
        for row in session.dirty:
            if isinstance(row, TaskRow) and session.is_modified(row, include_collections=False):
                self.tasks_changed.add(row)
                if inspect(row).attrs.version.history.has_changes():
                    self.tasks_versioned.add(row)

    def _flushed(self, session: Session, _context: object) -> None:
        dirty = [row for row in session.dirty if session.is_modified(row, include_collections=False)]  # not a same-value set
        for row in (*session.new, *dirty, *session.deleted):
            if isinstance(row, AuditRow):
                self.audited = True
            elif not isinstance(row, _SELF_LOGGED):
                self.changed.add(type(row).__name__)

    def _executed(self, state: Any) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        for mapper in state.all_mappers:
            if not issubclass(mapper.class_, (*_SELF_LOGGED, ReportSettingRow)):  # the version bump is _audit's own
                self.changed.add(mapper.class_.__name__)

    def check(self) -> None:
        self.session.flush()
        # a changed task whose version was not bumped gets it bumped: the cached views (``ReadingMixin._refresh``)
        # rebuild a task's view when its version moves, so every change to a task must move it, as every change
        # must write an audit row. The services bump it themselves (optimistic locking); this catches the rest.
        unversioned = [row for row in self.tasks_changed - self.tasks_versioned if inspect(row).persistent]
        for row in unversioned:
            row.version = (row.version or 0) + 1
        if unversioned:
            self.session.flush()
        if self.changed and not self.audited:
            raise UnauditedChange(f"change to {', '.join(sorted(self.changed))} without an audit row")


class WorkspaceBase:
    """Sessions, audit rows and settings shared by every service of the workspace."""

    def __init__(self, store: Store, *, today: date | None = None, margin: float = DEFAULT_MARGIN,
                 due_soon_days: int | None = None, token_days: int = TOKEN_DAYS,
                 time_zone: str | None = None) -> None:
        self.store = store
        self.token_days = token_days
        self.fixed_today = today
        # "today" (序时进度, 逾期) and every displayed time are the office's, not the server's (UTC on most hosts):
        # between 00:00 and 08:00 Beijing time the UTC date is a day behind
        self.zone = ZoneInfo(time_zone or str(workspace_rules().get("time_zone", "Asia/Shanghai")))
        self.margin = margin
        self.due_soon_days = int(due_soon_days if due_soon_days is not None else workspace_rules()["due_soon_days"])
        self._cache: dict[int, ViewsCopy] = {}  # report id → its task views (``ReadingMixin.all_views``)
        self._dashboards: dict[int, tuple[list[TaskView], Dashboard]] = {}
        # (department, report) → (the report's views, the department's among them): 我的任务 (``department_views``)
        self._by_department: dict[tuple[int, int], tuple[list[TaskView], list[TaskView]]] = {}
        self._department_lists: dict[int, tuple[list[list[TaskView]], list[TaskView]]] = {}
        self._department_queues: dict[int, tuple[list[TaskView], list[TaskView]]] = {}
        # (department, position of the report) → (the department's part of that report, its tasks as sort keys)
        self._queue_runs: dict[tuple[int, int], tuple[list[TaskView], list[tuple[Any, ...]]]] = {}
        self._build_locks: dict[int, threading.Lock] = {}  # one rebuild of a report's views at a time

    def today(self) -> date:
        return self.fixed_today or datetime.now(self.zone).date()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with Session(self.store.engine) as session:
                yield session
        except DBAPIError as exc:
            raise self._database_error(exc) from None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite); rolled back whole on any error.

        It is the only way the workspace changes its tables, and it refuses to commit a change that wrote no
        audit row (``AuditGuard``): "every change is in the log" is enforced here, not left to each service.
        """
        engine = self.store.engine.execution_options(govledger_write=True)
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                guard = AuditGuard(session)
                yield session
                guard.check()
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
        # department (names, shown in every report's views) bumps them all; the key-project ledger (项目, 月报,
        # rules, scores) is not in the task views, so its writes leave them cached
        if report_id is not None and entity not in PROJECT_ENTITIES:
            session.execute(update(ReportSettingRow).where(ReportSettingRow.report_id == report_id)
                            .values(version=ReportSettingRow.version + 1))
        elif entity == "department":
            session.execute(update(ReportSettingRow).values(version=ReportSettingRow.version + 1))

