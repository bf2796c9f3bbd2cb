"""Tables of the key-projects ledger (重点项目台账), the 拉练评比 scores and the quarterly milestones of tasks.

A report's plan names its key projects ("27个省重点、300个市重点项目"); an
office keeps them as a list (项目名称, 牵头单位, 总投资, 年度计划投资, 计划
开工/竣工/投产, 所在区县) and chases them month by month. A project row holds
what the office set plus the approved figures (累计完成投资, the dates its
milestones were reached); a monthly report (``project_reports``) is what a
department files and a supervisor approves or returns, exactly as task
feedback goes. Pace and the star/snail rating are never stored: they follow
from the approved figures and the date (``govledger.workspace.project_rules``).

Amounts are in 万元, the unit of an office's project list. Migration
``0005_projects`` creates these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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


class ProjectRow(EditedColumns, Base):
    """One key project of a report's ledger; a placeholder until the office fills in its name and figures."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("report_id", "name"),
        Index("ix_projects_report_id", "report_id"),
        Index("ix_projects_lead_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # 序号 in the ledger
    name: Mapped[str] = mapped_column(String(200))  # 项目名称
    kind: Mapped[str] = mapped_column(String(16))  # province (省重点) | city (市重点) | other
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))  # 牵头单位
    county: Mapped[str] = mapped_column(String(100), default="")  # 所在区县
    total_investment: Mapped[float | None] = mapped_column(Double)  # 总投资, 万元
    annual_plan: Mapped[float | None] = mapped_column(Double)  # 年度计划投资, 万元
    planned_start: Mapped[date | None] = mapped_column(Date)  # 计划开工
    planned_finish: Mapped[date | None] = mapped_column(Date)  # 计划竣工
    planned_operate: Mapped[date | None] = mapped_column(Date)  # 计划投产
    completed: Mapped[float] = mapped_column(Double, default=0.0)  # approved 累计完成投资 this year, 万元
    completed_month: Mapped[date | None] = mapped_column(Date)  # first day of the month the figure is as of
    started_on: Mapped[date | None] = mapped_column(Date)  # approved 开工 date
    finished_on: Mapped[date | None] = mapped_column(Date)  # approved 竣工 date
    operating_on: Mapped[date | None] = mapped_column(Date)  # approved 投产 date
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)  # made from the report's count, not yet named
    source: Mapped[str] = mapped_column(Text, default="")  # the report's words it was made from


class ProjectReportRow(ReviewedColumns, Base):
    """A department's monthly report on a project (月报) and the supervisor's review of it."""

    __tablename__ = "project_reports"
    __table_args__ = (Index("ix_project_reports_project_id", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month reported on
    completed: Mapped[float] = mapped_column(Double)  # 累计完成投资 this year to the month's end, 万元
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    operating_on: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)  # 进展情况


class ProjectAttachmentRow(StoredFileColumns, Base):
    """Evidence filed with a monthly project report, kept in the database like task evidence."""

    __tablename__ = "project_attachments"
    __table_args__ = (Index("ix_project_attachments_report_id", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"))


class ProjectSettingRow(Base):
    """A report's own project rules (star/snail thresholds, 拉练评比 criteria), over the defaults in workspace.json."""

    __tablename__ = "project_settings"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProjectScoreRow(Base):
    """One 拉练评比 score: a criterion's score of one project or one 区县 (``subject``) of a report."""

    __tablename__ = "project_scores"
    __table_args__ = (UniqueConstraint("report_id", "scope", "subject", "criterion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))  # project | county
    subject: Mapped[str] = mapped_column(String(200))  # project id, or the 区县's name
    criterion: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Double)
    scorer_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TaskMilestoneRow(Base):
    """季度形象进度 of a task: the progress planned by the end of one quarter, with what should stand by then."""

    __tablename__ = "task_milestones"
    __table_args__ = (UniqueConstraint("task_id", "quarter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    quarter: Mapped[int] = mapped_column(Integer)  # 1–4
    percent: Mapped[float] = mapped_column(Double)  # planned progress at the quarter's end, 0–100
    text: Mapped[str] = mapped_column(Text, default="")
