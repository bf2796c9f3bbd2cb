"""Scope on records, report kind and plan part, stored verdicts and manual verdict overrides.

Revision ID: 0003_ledger_scope
Revises: 0002_workspace
Create Date: 2026-12-01

``records.scope`` ("annual"/"several") is decided by the structure stage and
only read later; rows stored before this revision get "annual". Verdicts
are computed when both years of a place are in the store; overrides are
rows (who, when, why) that replace the JSON overrides file.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_ledger_scope"
down_revision: str | None = "0002_workspace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=8), server_default="annual", nullable=False))
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="report", nullable=False))
        batch_op.add_column(sa.Column("has_plan", sa.Boolean(), nullable=True))

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_report_id", sa.Integer(), nullable=False),
        sa.Column("target_record", sa.String(length=300), nullable=False),
        sa.Column("outcome_report_id", sa.Integer(), nullable=True),
        sa.Column("outcome_record", sa.String(length=300), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("indicator", sa.String(length=64), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("match_score", sa.Double(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_report_id"], ["reports.id"],
            name=op.f("fk_verdicts_outcome_report_id_reports"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_report_id"], ["reports.id"],
            name=op.f("fk_verdicts_target_report_id_reports"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
    )
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.create_index("ix_verdicts_outcome_report_id", ["outcome_report_id"], unique=False)
        batch_op.create_index("ix_verdicts_place_year", ["place", "year"], unique=False)
        batch_op.create_index("ix_verdicts_target_report_id", ["target_report_id"], unique=False)

    op.create_table(
        "verdict_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc", sa.String(length=255), nullable=False),
        sa.Column("target_record", sa.String(length=300), nullable=True),
        sa.Column("target_quote", sa.Text(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdict_overrides")),
    )
    with op.batch_alter_table("verdict_overrides", schema=None) as batch_op:
        batch_op.create_index("ix_verdict_overrides_doc", ["doc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verdict_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_verdict_overrides_doc")
    op.drop_table("verdict_overrides")
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index("ix_verdicts_target_report_id")
        batch_op.drop_index("ix_verdicts_place_year")
        batch_op.drop_index("ix_verdicts_outcome_report_id")
    op.drop_table("verdicts")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("has_plan")
        batch_op.drop_column("kind")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("scope")
