"""Reports in the workspace: importing a ledger (its plan becomes tasks), the list, the public switch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from govledger.errors import NotFound
from govledger.limits import clean_text
from govledger.store import crud
from govledger.store.models import ReportRow
from govledger.store.work_models import (
    ReportSettingRow,
    TaskRow,
)
from govledger.workspace.accounts import AccountsMixin
from govledger.workspace.base import (
    Actor,
    now,
    require,
)
from govledger.workspace.decompose import SentenceLike, decompose
from govledger.workspace.views import (
    ReportView,
    TaskDraft,
)

if TYPE_CHECKING:
    from govledger.pipeline import Ledger


def ledger_layout_sentences(ledger: Ledger) -> list[SentenceLike]:
    """The report's sentences with their part (review or plan): the pipeline's, else the structure stage again."""
    given = list(getattr(ledger, "sentences", None) or [])
    if given and all(hasattr(s, "part") for s in given):
        return given
    if not ledger.text:
        return []
    from govledger.structure import analyse_report

    return list(analyse_report(ledger.text, file_name=ledger.doc, place=ledger.place, year=ledger.year).sentences)


class ReportsMixin(AccountsMixin):
    """Reports in the workspace."""

    def import_ledger(self, actor: Actor, ledger: Ledger, *, force: bool = False) -> tuple[crud.ImportOutcome, int]:
        """Store a report and create a task for every actionable sentence of its plan that has none, in one transaction.

        Importing the same report again changes nothing; a corrected report
        replaces its records (renumbering them), so the tasks it already has
        are linked to their sentence's new records, and tasks are added only
        for sentences that are new: a year of assignments survives.
        """
        require(actor, "import")
        sentences = crud.ledger_sentences(ledger)
        layout = ledger_layout_sentences(ledger)
        with self._write() as session:
            outcome = crud._save(session, ledger, sentences, force)
            report = session.scalars(select(ReportRow).where(ReportRow.doc == ledger.doc)).one()
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report.id)).all()
            year = ledger.year or self.today().year
            relinked = self._relink(rows, decompose(layout, ledger.records, year)) if rows else 0
            skip = {(t.sentence, t.quote) for t in rows}
            first = max((t.position for t in rows), default=0) + 1
            drafts = decompose(layout, ledger.records, year, first_seq=first, skip=skip)
            for draft in drafts:
                session.add(self._task_row(report.id, draft))
            if session.get(ReportSettingRow, report.id) is None:
                session.add(ReportSettingRow(report_id=report.id, public=False))
            if outcome.status != "unchanged" or drafts or relinked:
                self._audit(session, actor, "report.import", "report", report.id, report_id=report.id,
                            after={"doc": ledger.doc, "status": outcome.status, "new_tasks": len(drafts),
                                   "relinked_tasks": relinked})
            return outcome, len(drafts)

    @staticmethod
    def _relink(rows: Sequence[TaskRow], drafts: Sequence[TaskDraft]) -> int:
        """Point stored tasks at the records their sentence has now; returns how many changed.

        Record ids are numbered through the report, so a corrected report
        renumbers them; a task keeps its sentence and quote, and takes the
        ids and main target figure its sentence gives now.
        """
        by_key = {(d.sentence, d.quote): d for d in drafts}
        changed = 0
        for task in rows:
            d = by_key.get((task.sentence, task.quote))
            if d is None:
                continue
            wanted = (list(d.record_ids), d.indicator, d.metric, d.measure, d.target_value, d.target_unit, d.bound)
            have = (list(task.record_ids or []), task.indicator, task.metric, task.measure, task.target_value,
                    task.target_unit, task.bound)
            if wanted != have:
                (task.record_ids, task.indicator, task.metric, task.measure, task.target_value, task.target_unit,
                 task.bound) = wanted
                task.version += 1
                task.updated_at = now()
                changed += 1
        return changed

    @staticmethod
    def _task_row(report_id: int, d: TaskDraft, parent_id: int | None = None) -> TaskRow:
        stamp = now()
        return TaskRow(report_id=report_id, parent_id=parent_id, seq=d.seq, position=d.position, content=d.content,
                       record_ids=list(d.record_ids), quote=d.quote, sentence=d.sentence, section=list(d.section),
                       quote_start=d.quote_start, quote_end=d.quote_end, indicator=d.indicator, metric=d.metric,
                       measure=d.measure, target_value=d.target_value, target_unit=d.target_unit, bound=d.bound,
                       lead_id=None, co_ids=list(d.co_ids), start_date=d.start_date, deadline=d.deadline,
                       weight=d.weight, milestones=d.milestones, stage="draft", progress=0.0, current_value=None,
                       has_progress=False, completed_on=None, version=1, created_at=stamp, updated_at=stamp)

    def _report_views(self, *where: Any) -> list[ReportView]:
        """Reports with their task count and public switch, newest year first; ``where`` narrows the reports."""
        n_tasks = select(TaskRow.report_id, func.count().label("n")).group_by(TaskRow.report_id).subquery()
        stmt = (select(ReportRow, func.coalesce(n_tasks.c.n, 0), ReportSettingRow.public)
                .outerjoin(n_tasks, n_tasks.c.report_id == ReportRow.id)
                .outerjoin(ReportSettingRow, ReportSettingRow.report_id == ReportRow.id)
                .where(*where).order_by(ReportRow.year.desc(), ReportRow.doc))
        with self._read() as session:
            return [ReportView(id=r.id, doc=r.doc, place=r.place, year=r.year, level=r.level, public=bool(public),
                               n_tasks=int(n)) for r, n, public in session.execute(stmt).all()]

    def reports(self) -> list[ReportView]:
        return self._report_views()

    def report(self, report_id: int) -> ReportView:
        found = self._report_views(ReportRow.id == report_id)
        if not found:
            raise NotFound(f"报告 {report_id} 不存在")
        return found[0]

    def report_by_doc(self, doc: str) -> ReportView:
        doc = clean_text(doc, "doc")
        found = self._report_views(ReportRow.doc == doc)
        if not found:
            raise NotFound(f"报告「{doc}」不存在")
        return found[0]

    def set_public(self, actor: Actor, report_id: int, public: bool) -> ReportView:
        require(actor, "publish")
        with self._write() as session:
            if session.get(ReportRow, report_id) is None:
                raise NotFound(f"报告 {report_id} 不存在")
            row = session.get(ReportSettingRow, report_id)
            before = bool(row.public) if row else False
            if row is None:
                session.add(ReportSettingRow(report_id=report_id, public=public))
            else:
                row.public = public
            self._audit(session, actor, "report.public", "report", report_id, report_id=report_id,
                        before={"public": before}, after={"public": public})
        return self.report(report_id)

