"""What the coverage report reads: per stored report, the facts decided upstream and what came out.

One aggregate query over ``records`` (no record is loaded): whether the
report has a one-year GDP target and a GDP outcome, beside the facts on
the ``reports`` row (place, level, plan year, plan part); and which target
reports got a real verdict (met, missed or partly met) from the next year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from govledger.store.models import RecordRow, ReportRow, VerdictRow

if TYPE_CHECKING:
    from govledger.store.db import Store

GDP = "gdp"
JUDGED = ("met", "missed", "partly_met")


@dataclass(frozen=True)
class ReportFacts:
    """One stored report as the coverage report sees it."""

    doc: str
    path: str
    kind: str
    place: str | None
    level: str | None
    year: int | None
    has_plan: bool | None
    n_records: int
    gdp_target: bool
    gdp_outcome: bool


def report_facts(store: Store) -> list[ReportFacts]:
    """Every stored report with its facts and whether GDP target / outcome records came out, by doc."""
    target = and_(RecordRow.indicator == GDP, RecordRow.kind == "target", RecordRow.period == RecordRow.year)
    outcome = and_(RecordRow.indicator == GDP, RecordRow.kind == "achievement")
    per_report = (
        select(
            RecordRow.report_id,
            func.count().label("n"),
            func.sum(case((target, 1), else_=0)).label("t"),
            func.sum(case((outcome, 1), else_=0)).label("o"),
        )
        .group_by(RecordRow.report_id)
        .subquery()
    )
    stmt = (
        select(ReportRow, per_report.c.n, per_report.c.t, per_report.c.o)
        .outerjoin(per_report, per_report.c.report_id == ReportRow.id)
        .order_by(ReportRow.doc)
    )
    with Session(store.engine) as session:
        return [
            ReportFacts(r.doc, r.path, r.kind, r.place, r.level, r.year, r.has_plan, int(n or 0), bool(t), bool(o))
            for r, n, t, o in session.execute(stmt).all()
        ]


def docs_with_judged_verdicts(store: Store) -> set[str]:
    """Target reports with at least one met / missed / partly met verdict from their next-year report."""
    stmt = (
        select(ReportRow.doc)
        .where(ReportRow.id.in_(select(VerdictRow.target_report_id).where(VerdictRow.verdict.in_(JUDGED))))
    )
    with Session(store.engine) as session:
        return set(session.scalars(stmt))
