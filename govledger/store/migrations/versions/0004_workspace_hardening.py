"""Workspace hardening: log-in attempts for the lock-out, a version per report for the cache, expiring tokens.

Revision ID: 0004_workspace_hardening
Revises: 0003_ledger_scope
Create Date: 2026-12-01

- ``login_attempts``: one row per log-in attempt (user name, client address,
  success), counted to lock an account or an address out after repeated failures.
- ``report_settings.version``: bumped by every workspace write that touches a
  report's tasks; the task-view cache is keyed by it instead of the audit
  log's row count. Every report gets its settings row here (new reports get it
  on import).
- API tokens issued before this revision never expired (``expires_at`` NULL):
  they now expire 30 days after this upgrade, the default lifetime.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0004_workspace_hardening"
down_revision: str | None = "0003_ledger_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"], unique=False)
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"], unique=False)
    with op.batch_alter_table("report_settings") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.execute("INSERT INTO report_settings (report_id, public, version) SELECT id, false, 1 FROM reports "
               "WHERE id NOT IN (SELECT report_id FROM report_settings)")
    expires = datetime.now(UTC) + timedelta(days=30)
    op.get_bind().execute(sa.text("UPDATE credentials SET expires_at = :e WHERE kind = 'token' AND expires_at IS NULL"),
                          {"e": expires})


def downgrade() -> None:
    with op.batch_alter_table("report_settings") as batch:
        batch.drop_column("version")
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_username_at", table_name="login_attempts")
    op.drop_table("login_attempts")
