"""The 任务分解表 as rows: what the export writes and what an office's sheet changes (all rows or none)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from govledger.errors import Invalid, NotFound
from govledger.store.models import ReportRow
from govledger.store.work_models import (
    DepartmentRow,
    TaskRow,
)
from govledger.workspace.base import (
    EDITABLE,
    Actor,
    _snapshot,
    require,
)
from govledger.workspace.feedback import FeedbackMixin
from govledger.workspace.reading import indicator_views

if TYPE_CHECKING:
    from govledger.export.task_sheet import SheetRow


class SheetsMixin(FeedbackMixin):
    """The 任务分解表 as rows."""

    def sheet_rows(self, report_id: int) -> list[SheetRow]:
        """The report's tasks as rows of the 任务分解表, with their indicators (one per line), 进度 and 状态."""
        from govledger.export.task_sheet import SheetRow

        self.report(report_id)
        views = {v.id: v for v in self.all_views(report_id)}
        with self._read() as session:
            names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report_id)
                                   .order_by(TaskRow.position, TaskRow.seq)).all()
            records = self._records_of(session, report_id)
            out = []
            for t in rows:
                view = views.get(t.id)
                out.append(SheetRow(
                    seq=t.seq, content=t.content, lead=names.get(t.lead_id, "") if t.lead_id else "",
                    co=tuple(names[i] for i in (t.co_ids or []) if i in names), deadline=t.deadline,
                    milestones=t.milestones or "",
                    indicators="\n".join(i.text for i in indicator_views(t, records)),
                    progress=f"{view.progress:g}%" if view else "", status=view.status_label if view else ""))
            return out

    def import_sheet(self, actor: Actor, report_id: int, rows: Sequence[SheetRow],
                     problems: Sequence[tuple[int, str]] = ()) -> int:
        """Apply an office's 任务分解表: all rows or none; every bad row is named by its number, with every reason.

        ``problems`` are what reading the cells found (a deadline in words
        nobody understands, a duplicate 序号); they are answered together
        with what only the database can tell (an unknown 序号 or department),
        sorted by row, so an office fixes the whole sheet in one pass.
        Rows match tasks by 序号. A row changes 任务内容, departments,
        完成时限 and 季度形象进度 where they differ; 量化指标, 进度 and 状态 are
        the workspace's own (the report's figures, the approved feedback) and
        are never imported. An identical sheet (the export read back) changes
        nothing. Returns the number of tasks changed.
        """
        require(actor, "assign")
        with self._write() as session:
            if session.get(ReportRow, report_id) is None:
                raise NotFound(f"报告 {report_id} 不存在")
            by_seq = {t.seq: t for t in session.scalars(
                select(TaskRow).where(TaskRow.report_id == report_id).with_for_update())}
            by_name = {n: i for i, n in session.execute(select(DepartmentRow.id, DepartmentRow.name)).all()}
            found: list[tuple[int, str]] = [(line, msg if not line else f"第{line}行：{msg}") for line, msg in problems]
            plans: list[tuple[TaskRow, dict[str, Any]]] = []
            for row in rows:
                line = f"第{row.line}行" if row.line else f"序号 {row.seq}"
                reasons: list[str] = []
                task = by_seq.get(row.seq)
                if task is None and row.seq:
                    reasons.append(f"序号「{row.seq[:32]}」不在该报告的任务中")
                reasons += [f"单位「{n[:40]}」不在单位名单中"
                            for n in ([row.lead] if row.lead else []) + list(row.co) if n not in by_name]
                if task is not None and row.deadline is not None and row.deadline < task.start_date:
                    reasons.append(f"完成时限 {row.deadline} 早于年初")
                if not row.content.strip() and not any(p[0] == row.line and "任务内容" in p[1] for p in problems):
                    reasons.append("任务内容为空")
                found += [(row.line, f"{line}：{r}") for r in reasons]
                if reasons or task is None or found:
                    continue
                lead = by_name[row.lead] if row.lead else None
                co = [by_name[n] for n in row.co if by_name[n] != lead]
                wanted = {"content": row.content.strip(), "lead_id": lead, "co_ids": co,
                          "deadline": row.deadline or task.deadline, "milestones": row.milestones}
                changes = {key: value for key, value in wanted.items() if getattr(task, key) != value}
                if changes:
                    plans.append((task, changes))
            if found:
                found.sort(key=lambda p: p[0])
                bad_rows = len({line for line, _ in found})
                raise Invalid(f"任务分解表有 {bad_rows} 行共 {len(found)} 处错误，未导入任何内容：" +
                              "；".join(m for _, m in found[:5]) + ("……" if len(found) > 5 else ""),
                              details=[{"row": line, "error": m} for line, m in found])
            for task, changes in plans:
                before = _snapshot(task, EDITABLE + ("stage",))
                self._apply_changes(session, task, changes)
                if task.lead_id is not None and task.stage == "draft":
                    task.stage = "assigned"
                self._touch(task)
                self._audit(session, actor, "task.import", "task", task.id, task_id=task.id, report_id=report_id,
                            before=before, after=_snapshot(task, EDITABLE + ("stage",)))
            return len(plans)

