"""The tables of the store: one row per report, per sentence and per record.

Records keep every schema-v1 field as its own column so that SQL (and other
tools reading the database) can filter on them; ``section`` is a JSON list
because its length varies. Sentences are stored apart from records so that
full-text search finds text that carries no quantity at all (老旧小区改造).
Migration ``0001_ledger`` creates exactly these tables; a test compares the
two so that they never drift apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
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


class ReportRow(Base):
    """One imported report; ``sha256`` of its text decides whether a re-import changes anything."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc: Mapped[str] = mapped_column(String(255), unique=True)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str | None] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    n_chars: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # migration 0003: "report" (政府工作报告) or "communique" (统计公报); whether a plan part was found
    kind: Mapped[str] = mapped_column(String(16), server_default="report")
    has_plan: Mapped[bool | None] = mapped_column(Boolean)


class SentenceRow(Base):
    """A sentence of a report body, the unit of full-text search."""

    __tablename__ = "sentences"
    __table_args__ = (UniqueConstraint("report_id", "n"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    section: Mapped[list[str]] = mapped_column(JSON)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class RecordRow(Base):
    """A ledger record (schema v1); ``record_id`` is the record's own ``id`` (``<doc>#<n>``)."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("report_id", "n"),
        Index("ix_records_indicator", "indicator"),
        Index("ix_records_place_year", "place", "year"),
        Index("ix_records_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str] = mapped_column(String(300))
    doc: Mapped[str] = mapped_column(String(255))
    place: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    estimated: Mapped[bool] = mapped_column(Boolean)
    section: Mapped[list[str]] = mapped_column(JSON)
    sentence: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str | None] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Double)
    value_max: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str | None] = mapped_column(String(64))
    base_value: Mapped[float | None] = mapped_column(Double)
    base_unit: Mapped[str | None] = mapped_column(String(64))
    bound: Mapped[str] = mapped_column(String(8))
    strength: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[str | None] = mapped_column(String(32))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    # migration 0003: "annual" or "several" (年均, 累计, 五年 …), decided by the structure stage
    scope: Mapped[str] = mapped_column(String(8), server_default="annual")
    # fields a record carries beyond schema v1 (the schema allows extras), kept so nothing is lost
    extra: Mapped[dict[str, object] | None] = mapped_column(JSON)


class VerdictRow(Base):
    """A target of report Y judged against an outcome of year Y (report Y+1 or the communiqué).

    Computed when both sides are in the store and recomputed when either is
    re-imported (both foreign keys cascade, so a replaced report drops its
    verdicts first). ``target_record``/``outcome_record`` are the records'
    own ids (``<doc>#<n>``), stable across re-imports; ``detail`` keeps the
    whole comparison (quotes, values, tolerance, gap) for the views.
    """

    __tablename__ = "verdicts"
    __table_args__ = (
        Index("ix_verdicts_target_report_id", "target_report_id"),
        Index("ix_verdicts_outcome_report_id", "outcome_report_id"),
        Index("ix_verdicts_place_year", "place", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    target_record: Mapped[str] = mapped_column(String(300))
    outcome_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    outcome_record: Mapped[str | None] = mapped_column(String(300))
    place: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    indicator: Mapped[str | None] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # "report" or "communique"
    match_score: Mapped[float | None] = mapped_column(Double)
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VerdictOverrideRow(Base):
    """A person's verdict for one target, with who, when and why; rows are never changed.

    Keyed by the target's doc and record id (or a piece of its quote), not
    by a foreign key, so an override outlives re-imports of either report;
    the newest row for a target wins. Each row is written together with an
    ``audit_log`` entry.
    """

    __tablename__ = "verdict_overrides"
    __table_args__ = (Index("ix_verdict_overrides_doc", "doc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc: Mapped[str] = mapped_column(String(255))
    target_record: Mapped[str | None] = mapped_column(String(300))
    target_quote: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# the workspace tables share the metadata (migrations 0002_workspace, 0005_projects); imported here so that
# every importer of the ledger models (Alembic's env, the model/migration test) sees them too
from govledger.store import project_models, work_models  # noqa: E402,F401
