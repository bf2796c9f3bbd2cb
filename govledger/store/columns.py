"""Columns that two tables share, declared once as declarative mixins.

Task feedback (``feedback``) and a project's monthly report
(``project_reports``) go through the same review (审核/退回); the
evidence filed with either (``attachments``, ``project_attachments``) is
stored the same way; a task and a key project are both edited under
optimistic locking. The mixins keep those columns alike by construction;
they add columns only, so each table is still exactly what migrations
``0002_workspace`` and ``0005_projects`` create (``tests/test_store.py``
compares the two). Declarative puts a mixin's columns after the
table's own, which is where the migrations have them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class ReviewedColumns:
    """A filed report's review: its state, the supervisor's note, who reviewed it and when, when it was filed."""

    state: Mapped[str] = mapped_column(String(16))  # pending | approved | returned
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredFileColumns:
    """An uploaded file kept in the database (so a failed upload leaves nothing behind on disk)."""

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EditedColumns:
    """A row people edit: ``version`` for optimistic locking (a stale write is refused), and its times."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
