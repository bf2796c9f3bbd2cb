"""Key projects (重点项目台账), their monthly reports and evidence, 拉练评比 scores, quarterly task milestones.

Revision ID: 0005_projects
Revises: 0004_workspace_hardening
Create Date: 2026-12-02

- ``projects``: a report"s key projects (项目名称, 牵头单位, 总投资, 年度计划投资,
  计划开工/竣工/投产, 所在区县, 省重点/市重点) with the approved 累计完成投资 and
  the dates its milestones were reached; placeholders made from the report"s
  project counts until the office names them.
- ``project_reports`` and ``project_attachments``: a department"s monthly
  report with evidence, approved or returned by a supervisor (反馈→审核).
- ``project_settings``: a report"s own star/snail thresholds and 拉练评比
  criteria over the defaults in ``data/workspace.json``.
- ``project_scores``: 拉练评比 scores per project or per 区县 and criterion.
- ``task_milestones``: 季度形象进度 as the progress planned by the end of each
  quarter (Q1–Q4); the free-text ``tasks.milestones`` stays as the office"s note.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_projects"
down_revision: str | None = "0004_workspace_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("criterion", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("scorer_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_project_scores_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_scores")),
        sa.UniqueConstraint(
            "report_id", "scope", "subject", "criterion", name=op.f("uq_project_scores_report_id")
        ),
    )
    op.create_table(
        "project_settings",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_project_settings_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("county", sa.String(length=100), nullable=False),
        sa.Column("total_investment", sa.Double(), nullable=True),
        sa.Column("annual_plan", sa.Double(), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_finish", sa.Date(), nullable=True),
        sa.Column("planned_operate", sa.Date(), nullable=True),
        sa.Column("completed", sa.Double(), nullable=False),
        sa.Column("completed_month", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("operating_on", sa.Date(), nullable=True),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["departments.id"], name=op.f("fk_projects_lead_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_projects_report_id_reports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("report_id", "name", name=op.f("uq_projects_report_id")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index("ix_projects_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_projects_report_id", ["report_id"], unique=False)

    op.create_table(
        "project_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("completed", sa.Double(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("operating_on", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_project_reports_author_id_users")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_reports_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_project_reports_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_reports")),
    )
    with op.batch_alter_table("project_reports", schema=None) as batch_op:
        batch_op.create_index("ix_project_reports_project_id", ["project_id"], unique=False)

    op.create_table(
        "task_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Double(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_milestones_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_milestones")),
        sa.UniqueConstraint("task_id", "quarter", name=op.f("uq_task_milestones_task_id")),
    )
    op.create_table(
        "project_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["project_reports.id"],
            name=op.f("fk_project_attachments_report_id_project_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_attachments")),
    )
    with op.batch_alter_table("project_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_project_attachments_report_id", ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("project_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_project_attachments_report_id")

    op.drop_table("project_attachments")
    op.drop_table("task_milestones")
    with op.batch_alter_table("project_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_project_reports_project_id")

    op.drop_table("project_reports")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_report_id")
        batch_op.drop_index("ix_projects_lead_id")

    op.drop_table("projects")
    op.drop_table("project_settings")
    op.drop_table("project_scores")
