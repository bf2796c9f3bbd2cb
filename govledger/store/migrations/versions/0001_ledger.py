"""The ledger: reports, their sentences and records, and full-text search over sentences.

Revision ID: 0001_ledger
Revises:
Create Date: 2024-06-01

Search is dialect specific: on SQLite an FTS5 table with the trigram
tokenizer (any three characters match, which suits Chinese without a word
segmenter), kept in step with ``sentences`` by triggers; on PostgreSQL a
``pg_trgm`` GIN index that serves ``ILIKE '%…%'``. Either is skipped when
the server cannot provide it, and search falls back to a plain scan.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0001_ledger"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE sentences_fts USING fts5("
    "text, content='sentences', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER sentences_fts_ai AFTER INSERT ON sentences BEGIN "
    "INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER sentences_fts_ad AFTER DELETE ON sentences BEGIN "
    "INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER sentences_fts_au AFTER UPDATE ON sentences BEGIN "
    "INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END",
)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("place", sa.String(100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(20), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("n_chars", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("doc", name="uq_reports_doc"),
    )
    op.create_table(
        "sentences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("section", sa.JSON(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_sentences_report_id_reports", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sentences"),
        sa.UniqueConstraint("report_id", "n", name="uq_sentences_report_id"),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(300), nullable=False),
        sa.Column("doc", sa.String(255), nullable=False),
        sa.Column("place", sa.String(100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("period", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("section", sa.JSON(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=True),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_max", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("base_value", sa.Double(), nullable=True),
        sa.Column("base_unit", sa.String(64), nullable=True),
        sa.Column("bound", sa.String(8), nullable=False),
        sa.Column("strength", sa.String(8), nullable=False),
        sa.Column("deadline", sa.String(32), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_records_report_id_reports", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("report_id", "n", name="uq_records_report_id"),
    )
    op.create_index("ix_records_indicator", "records", ["indicator"])
    op.create_index("ix_records_place_year", "records", ["place", "year"])
    op.create_index("ix_records_kind", "records", ["kind"])

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_fts(bind)
    elif bind.dialect.name == "postgresql":
        _postgres_trigram(bind)


def _sqlite_fts(bind: sa.Connection) -> None:
    """FTS5 with trigrams needs SQLite 3.34; an older library keeps the LIKE fallback."""
    try:
        with bind.begin_nested():
            for statement in SQLITE_FTS:
                bind.exec_driver_sql(statement)
    except DBAPIError:
        pass


def _postgres_trigram(bind: sa.Connection) -> None:
    """``pg_trgm`` needs the contrib package and a role allowed to create it; without it ILIKE scans."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        pass
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None:
        bind.exec_driver_sql("CREATE INDEX ix_sentences_text_trgm ON sentences USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("sentences_fts_ai", "sentences_fts_ad", "sentences_fts_au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS sentences_fts")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_sentences_text_trgm")
    op.drop_table("records")
    op.drop_table("sentences")
    op.drop_table("reports")
