"""Stored verdicts and manual overrides: rows in, plain dicts out.

The store does not judge (that is ``govledger.track``): it keeps the rows
the tracker computed for a pair of reports, replaces them when either
report is re-imported, and keeps every manual override as a row written in
the same transaction as its ``audit_log`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, delete, insert, or_, select
from sqlalchemy.orm import Session, aliased

from govledger.store.models import RecordRow, ReportRow, VerdictOverrideRow, VerdictRow
from govledger.store.work_models import AuditRow

if TYPE_CHECKING:
    from govledger.store.db import Store


@dataclass(frozen=True)
class StoredOverride:
    """One manual verdict as stored (``at`` in UTC)."""

    id: int
    doc: str
    target_record: str | None
    target_quote: str | None
    verdict: str
    reason: str
    by: str
    at: datetime


def replace_verdicts(
    store: Store, target_doc: str, outcome_doc: str | None, rows: list[dict[str, Any]], source: str = "report"
) -> int:
    """Replace the verdicts of ``target_doc``'s targets (one transaction); returns rows written.

    ``rows`` are ``VerdictRow.as_dict()`` dicts; the whole dict is kept as
    ``detail`` and the columns a query filters on are copied out of it.
    """
    return replace_verdicts_many(store, [(target_doc, outcome_doc, rows)], source)


def replace_verdicts_many(
    store: Store, pairs: list[tuple[str, str | None, list[dict[str, Any]]]], source: str = "report"
) -> int:
    """``replace_verdicts`` for many target reports in one transaction (derived data: all or nothing)."""
    now = datetime.now(UTC)
    engine = store.engine.execution_options(govledger_write=True)
    written = 0
    with engine.begin() as conn:
        docs = sorted({d for t, o, _ in pairs for d in (t, o) if d})
        ids = dict(conn.execute(select(ReportRow.doc, ReportRow.id).where(ReportRow.doc.in_(docs))).all())
        values: list[dict[str, Any]] = []
        targets = [ids[t] for t, _, _ in pairs if t in ids]
        if targets:
            conn.execute(delete(VerdictRow).where(VerdictRow.target_report_id.in_(targets)))
        for target_doc, outcome_doc, rows in pairs:
            target_id = ids.get(target_doc)
            if target_id is None:
                continue
            outcome_id = ids.get(outcome_doc) if outcome_doc else None
            values.extend(
                {
                    "target_report_id": target_id, "target_record": r["target_id"], "outcome_report_id": outcome_id,
                    "outcome_record": r.get("outcome_id"), "place": r.get("place"), "year": r.get("year"),
                    "indicator": r.get("indicator"), "verdict": r["verdict"], "reason": r.get("reason") or "",
                    "source": source, "match_score": r.get("match_score"), "detail": r, "computed_at": now,
                }
                for r in rows
            )
        if values:
            conn.execute(insert(VerdictRow), values)
            written = len(values)
    return written


def drop_verdicts_of(session: Session | Connection, report_id: int) -> None:
    """Inside a report's replacement: its verdicts, as target or as outcome, are stale."""
    session.execute(delete(VerdictRow).where(
        or_(VerdictRow.target_report_id == report_id, VerdictRow.outcome_report_id == report_id)
    ))


def judged_docs(store: Store) -> set[str]:
    """Docs whose targets have stored verdicts."""
    with Session(store.engine) as session:
        stmt = select(ReportRow.doc).where(ReportRow.id.in_(select(VerdictRow.target_report_id).distinct()))
        return set(session.scalars(stmt))


def docs_with_targets(store: Store) -> set[str]:
    """Docs with at least one target record: judging them against the next year gives verdict rows."""
    with Session(store.engine) as session:
        stmt = select(ReportRow.doc).where(ReportRow.id.in_(select(RecordRow.report_id).where(RecordRow.kind == "target")))
        return set(session.scalars(stmt))


def list_verdicts(
    store: Store, *, place: str | None = None, year: int | None = None, doc: str | None = None
) -> list[dict[str, Any]]:
    """Stored verdict rows (the ``detail`` dicts, plus ``source`` and ``computed_at``), by doc and target.

    ``place`` is the normalised place name the tracker stored (广元市), or a
    prefix of it; ``year`` the target year.
    """
    target = aliased(ReportRow)
    stmt = select(VerdictRow.detail, VerdictRow.source, VerdictRow.computed_at).join(
        target, VerdictRow.target_report_id == target.id
    )
    if place is not None:
        stmt = stmt.where(or_(VerdictRow.place == place, VerdictRow.place.like(place.replace("%", "") + "%")))
    if year is not None:
        stmt = stmt.where(VerdictRow.year == year)
    if doc is not None:
        stmt = stmt.where(target.doc == doc)
    stmt = stmt.order_by(target.doc, VerdictRow.id)
    out = []
    with store.engine.connect() as conn:
        for detail, source, computed_at in conn.execute(stmt):
            d = dict(detail or {})
            d.update(source=source, computed_at=computed_at.isoformat())
            out.append(d)
    return out


class PanelVerdict(NamedTuple):
    """The part of a stored verdict the panel shows (read with the database's JSON functions, so a
    corpus's verdicts come back without decoding every detail)."""

    doc: str
    target_id: str
    verdict: str
    reason: str
    match_score: float | None
    outcome_quote: str | None
    outcome_value: float | None
    outcome_base_value: float | None
    outcome_base_unit: str | None
    outcome_estimated: bool | None
    gap: float | None


def panel_verdicts(store: Store) -> list[PanelVerdict]:
    """Every stored verdict as a ``PanelVerdict`` (manual overrides not applied)."""
    target = aliased(ReportRow)
    d = VerdictRow.detail
    stmt = select(
        target.doc, VerdictRow.target_record, VerdictRow.verdict, VerdictRow.reason, VerdictRow.match_score,
        d["outcome_quote"].as_string(), d["outcome_value"].as_float(), d["outcome_base_value"].as_float(),
        d["outcome_base_unit"].as_string(), d["outcome_estimated"].as_boolean(), d["gap"].as_float(),
    ).join(target, VerdictRow.target_report_id == target.id)
    with store.engine.connect() as conn:
        return [PanelVerdict(*row) for row in conn.execute(stmt).fetchall()]


def add_override(
    store: Store, *, doc: str, verdict: str, reason: str, by: str, target_record: str | None = None,
    target_quote: str | None = None, user_id: int | None = None,
) -> StoredOverride:
    """Store a manual verdict and its audit entry in one transaction (earlier rows stay)."""
    now = datetime.now(UTC)
    engine = store.engine.execution_options(govledger_write=True)
    with Session(engine) as session, session.begin():
        row = VerdictOverrideRow(doc=doc, target_record=target_record, target_quote=target_quote, verdict=verdict,
                                 reason=reason, by=by, user_id=user_id, at=now)
        session.add(row)
        session.flush()
        report_id = session.scalar(select(ReportRow.id).where(ReportRow.doc == doc))
        after = {"doc": doc, "target_record": target_record, "target_quote": target_quote, "verdict": verdict,
                 "reason": reason}
        session.add(AuditRow(at=now, user_id=user_id, username=by, action="override_verdict",
                             entity="verdict_override", entity_id=row.id, task_id=None, report_id=report_id,
                             before=None, after=after))
        return _override(row)


def _override(row: VerdictOverrideRow) -> StoredOverride:
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    return StoredOverride(row.id, row.doc, row.target_record, row.target_quote, row.verdict, row.reason, row.by, at)


def list_overrides(store: Store, docs: list[str] | None = None) -> list[StoredOverride]:
    """Manual verdicts, oldest first (so the newest wins when applied in order)."""
    stmt = select(VerdictOverrideRow).order_by(VerdictOverrideRow.at, VerdictOverrideRow.id)
    if docs is not None:
        stmt = stmt.where(VerdictOverrideRow.doc.in_(docs))
    with Session(store.engine) as session:
        return [_override(r) for r in session.scalars(stmt)]
