"""Reads of the public views: which reports are published, and a version number of what they show.

The public views (``govledger.serve.workspace.public``) cache what they
compute from records and verdicts; ``public_version`` is the cache key. It
changes when a report is imported or replaced, when verdicts are written or
overridden and when a report's 公开 switch flips, but not with the
workspace's task writes (feedback, approvals), which the public report
cards do not show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from govledger.store.models import ReportRow, VerdictOverrideRow, VerdictRow
from govledger.store.work_models import ReportSettingRow

if TYPE_CHECKING:
    from govledger.store.db import Store


def published_docs(store: Store) -> set[str]:
    """Docs whose 公开 switch is on."""
    stmt = select(ReportRow.doc).join(ReportSettingRow, ReportSettingRow.report_id == ReportRow.id).where(
        ReportSettingRow.public.is_(True))
    with store.engine.connect() as conn:
        return set(conn.scalars(stmt))


def public_version(store: Store) -> tuple[object, ...]:
    """A tuple that changes whenever what the public views show may have changed (one round trip)."""
    stmt = select(
        select(func.count()).select_from(ReportRow).scalar_subquery(),
        select(func.max(ReportRow.imported_at)).scalar_subquery(),
        select(func.count()).select_from(VerdictRow).scalar_subquery(),
        select(func.max(VerdictRow.id)).scalar_subquery(),
        select(func.count()).select_from(VerdictOverrideRow).scalar_subquery(),
        select(func.count()).select_from(ReportSettingRow).where(ReportSettingRow.public.is_(True)).scalar_subquery(),
        select(func.coalesce(func.sum(ReportSettingRow.report_id), 0)).where(
            ReportSettingRow.public.is_(True)).scalar_subquery(),
    )
    with store.engine.connect() as conn:
        row = conn.execute(stmt).one()
    return tuple(str(v) if v is not None and not isinstance(v, int) else v for v in row)
