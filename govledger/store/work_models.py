"""The tables of the supervision workspace (督查工作台): who does which task and how far it got.

A task is born from a target record but does not point at the ``records``
row: re-importing a changed report replaces those rows, and a year of
assignments, feedback and evidence must survive that. So a task copies
what it shows (quote, sentence, section, target figure) and keeps the
record ids it came from as text.

Status (未开始/推进中/已完成/滞后/逾期) is never stored: it is derived from
the deadline, the approved progress and the date (``govledger.workspace.rules``).
What is stored is the workflow ``stage`` (交办 → 反馈 → 审核 → 办结) and
the approved progress figures the status is computed from.

``audit_log`` is append-only: migration ``0002_workspace`` adds triggers
that refuse UPDATE and DELETE on it, on SQLite and PostgreSQL alike.
Every mutable row that two people may edit at once carries ``version``
for optimistic locking.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from govledger.store.base import Base
from govledger.store.columns import EditedColumns, ReviewedColumns, StoredFileColumns


class DepartmentRow(Base):
    """A unit that leads or helps with tasks (市发展改革委); the managed list an office keeps."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """An account; ``role`` is admin, supervisor, department or viewer (see ``data/roles.json``)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CredentialRow(Base):
    """A log-in session (cookie) or an API token; only the SHA-256 of the secret is kept."""

    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # session | token
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportSettingRow(Base):
    """Workspace settings of one report: whether its read-only public page is switched on, and its version.

    ``version`` goes up with every write that touches the report's tasks
    (``Workspace._write`` bumps it in the same transaction), so a cached copy
    of the report's task views is right exactly while the number is the same:
    a write to another report no longer clears this one's cache.
    """

    __tablename__ = "report_settings"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class TaskRow(EditedColumns, Base):
    """One task of the 任务分解表; ``parent_id`` links split parts (and hand-made groups) to their parent."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("report_id", "seq"),
        Index("ix_tasks_report_id", "report_id"),
        Index("ix_tasks_lead_id", "lead_id"),
        Index("ix_tasks_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    seq: Mapped[str] = mapped_column(String(32))  # 序号: "12", or "12.1" for a split part
    position: Mapped[int] = mapped_column(Integer)  # order in the report (sorting "10" after "9")
    content: Mapped[str] = mapped_column(Text)  # 任务内容
    record_ids: Mapped[list[str]] = mapped_column(JSON)
    quote: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    section: Mapped[list[str]] = mapped_column(JSON)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    indicator: Mapped[str | None] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(16))
    target_value: Mapped[float | None] = mapped_column(Double)
    target_unit: Mapped[str | None] = mapped_column(String(64))
    bound: Mapped[str] = mapped_column(String(8))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    co_ids: Mapped[list[int]] = mapped_column(JSON)
    start_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    weight: Mapped[float] = mapped_column(Double, default=1.0)
    milestones: Mapped[str] = mapped_column(Text, default="")  # 季度形象进度
    stage: Mapped[str] = mapped_column(String(16))  # draft | assigned | reported | closed
    progress: Mapped[float] = mapped_column(Double, default=0.0)  # approved percent complete, 0–100
    current_value: Mapped[float | None] = mapped_column(Double)  # approved actual, where the target is numeric
    has_progress: Mapped[bool] = mapped_column(Boolean, default=False)  # any approved feedback yet
    completed_on: Mapped[date | None] = mapped_column(Date)


class FeedbackRow(ReviewedColumns, Base):
    """A department's progress report (反馈) and the supervisor's review of it (审核/退回)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_task_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    current_value: Mapped[float | None] = mapped_column(Double)
    percent: Mapped[float | None] = mapped_column(Double)


class AttachmentRow(StoredFileColumns, Base):
    """Evidence filed with feedback, kept in the database so a failed upload leaves nothing behind."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_feedback_id", "feedback_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))


class ExtensionRow(Base):
    """A request to move a task's deadline (延期申请) and its decision."""

    __tablename__ = "extensions"
    __table_args__ = (Index("ix_extensions_task_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    old_deadline: Mapped[date] = mapped_column(Date)
    new_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # pending | granted | refused
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One change: who, when, what, the values before and after. Never updated, never deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_task_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)


class LoginAttemptRow(Base):
    """One log-in attempt (page or token), kept to throttle guessing per account and per address.

    Failures within the lock-out window are counted per user name and per
    client address; a success ends the run of failures for its user name.
    Every failure is also an ``auth.fail`` row of the audit log.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
