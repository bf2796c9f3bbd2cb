"""Changing tasks: assignment and edits, split and merge, 办结 and reopening; optimistic locking on ``version``."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govledger.errors import Conflict, Forbidden, Invalid, NotFound
from govledger.limits import clean_text
from govledger.store.work_models import (
    DepartmentRow,
    FeedbackRow,
    TaskRow,
)
from govledger.workspace.base import (
    EDITABLE,
    Actor,
    _snapshot,
    now,
    require,
)
from govledger.workspace.reading import ReadingMixin
from govledger.workspace.views import (
    TaskDraft,
    TaskView,
)


class TasksMixin(ReadingMixin):
    """Changing tasks."""

    @staticmethod
    def _locked_task(session: Session, task_id: int, version: int | None) -> TaskRow:
        row = session.get(TaskRow, task_id, with_for_update=True)
        if row is None:
            raise NotFound(f"任务 {task_id} 不存在")
        if version is not None and row.version != version:
            raise Conflict(f"任务 {row.seq} 已被他人修改（当前版本 {row.version}，你提交的是版本 {version}），请刷新后再改")
        return row

    @staticmethod
    def _own(actor: Actor, task: TaskRow) -> bool:
        if actor.role != "department":
            return True
        return actor.department_id is not None and (
            task.lead_id == actor.department_id or actor.department_id in (task.co_ids or []))

    def _check_own(self, session: Session, actor: Actor, task: TaskRow, action: str) -> None:
        require(actor, action)
        if not self._own(actor, task):
            raise Forbidden(f"任务 {task.seq} 不是本单位的任务")
        if actor.department_id is not None:
            dept = session.get(DepartmentRow, actor.department_id)
            if dept is None or not dept.active:
                raise Forbidden("本单位已停用，不能再报送")

    @staticmethod
    def _touch(task: TaskRow) -> None:
        task.version += 1
        task.updated_at = now()

    def update_task(self, actor: Actor, task_id: int, version: int, changes: dict[str, Any]) -> TaskView:
        """Edit 任务内容, departments, deadline, weight or 季度形象进度; a lead department makes it 交办."""
        require(actor, "assign")
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise Invalid(f"不能修改的字段：{'、'.join(sorted(unknown))}")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            before = _snapshot(task, EDITABLE + ("stage",))
            self._apply_changes(session, task, changes)
            if task.lead_id is not None and task.stage == "draft":
                task.stage = "assigned"
            self._touch(task)
            self._audit(session, actor, "task.update", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after=_snapshot(task, EDITABLE + ("stage",)))
            session.flush()
            return self._views(session, [task], self.today())[0]

    def assign_tasks(self, actor: Actor, report_id: int, leads: dict[int, tuple[int, list[int]]]) -> int:
        """交办 many tasks of one report at once (task id → lead and co-departments): one transaction, one
        audit row per task, so a whole report is dealt out in a second instead of a second per hundred tasks."""
        require(actor, "assign")
        with self._write() as session:
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report_id,
                                                         TaskRow.id.in_(list(leads)))).all()
            if len(rows) != len(leads):
                raise NotFound("有任务不属于该报告或已被删除")
            for task in rows:
                lead, co = leads[task.id]
                before = _snapshot(task, EDITABLE + ("stage",))
                self._apply_changes(session, task, {"lead_id": lead, "co_ids": co})
                if task.stage == "draft":
                    task.stage = "assigned"
                self._touch(task)
                self._audit(session, actor, "task.update", "task", task.id, task_id=task.id, report_id=report_id,
                            before=before, after=_snapshot(task, EDITABLE + ("stage",)))
        return len(rows)

    def _apply_changes(self, session: Session, task: TaskRow, changes: dict[str, Any]) -> None:
        for key in ("content", "deadline", "weight", "milestones", "co_ids"):
            if key in changes and changes[key] is None:
                raise Invalid(f"{'任务内容' if key == 'content' else key}不能为空（null）")
        if "content" in changes:
            content = clean_text(str(changes["content"]), "content")
            if not content:
                raise Invalid("任务内容不能为空")
            task.content = content
        if "lead_id" in changes:
            lead = changes["lead_id"]
            if lead is not None and session.get(DepartmentRow, int(lead)) is None:
                raise Invalid(f"牵头单位 {lead} 不存在")
            task.lead_id = int(lead) if lead is not None else None
        if "co_ids" in changes:
            co = [int(i) for i in dict.fromkeys(changes["co_ids"] or [])]
            known = set(session.scalars(select(DepartmentRow.id).where(DepartmentRow.id.in_(co))).all())
            missing = [i for i in co if i not in known]
            if missing:
                raise Invalid(f"配合单位 {missing[0]} 不存在")
            task.co_ids = [i for i in co if i != task.lead_id]
        if "deadline" in changes:
            deadline = changes["deadline"]
            if not isinstance(deadline, date):
                raise Invalid("完成时限必须是日期")
            if deadline < task.start_date:
                raise Invalid(f"完成时限 {deadline} 早于任务开始日期 {task.start_date}")
            task.deadline = deadline
        if "weight" in changes:
            try:
                weight = float(changes["weight"])
            except (TypeError, ValueError):
                raise Invalid("权重必须是数字") from None
            if not 0 < weight <= 1000 or weight != weight:
                raise Invalid("权重必须大于 0、不超过 1000")
            task.weight = weight
        if "milestones" in changes:
            task.milestones = clean_text(str(changes["milestones"]), "milestones")

    def split_task(self, actor: Actor, task_id: int, version: int, parts: list[tuple[str, float]]) -> list[TaskView]:
        """Split a task into parts (拆分): each a child with its own content and weight, same source quote."""
        require(actor, "assign")
        if len(parts) < 2:
            raise Invalid("拆分至少要有两个子任务")
        parts = [(clean_text(c, "content"), w) for c, w in parts]
        if any(not c for c, _ in parts) or any(not 0 < w <= 1000 for _, w in parts):
            raise Invalid("每个子任务都要有内容，权重大于 0")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if session.scalar(select(func.count()).where(TaskRow.parent_id == task.id)):
                raise Conflict(f"任务 {task.seq} 已经拆分过")
            if session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id)):
                raise Conflict(f"任务 {task.seq} 已有进度反馈，不能再拆分")
            children = []
            for i, (content, weight) in enumerate(parts, 1):
                draft = TaskDraft(
                    seq=f"{task.seq}.{i}", position=task.position, content=content.strip(),
                    record_ids=list(task.record_ids), quote=task.quote, sentence=task.sentence,
                    section=list(task.section), quote_start=task.quote_start, quote_end=task.quote_end,
                    indicator=task.indicator, metric=task.metric, measure=task.measure, target_value=None,
                    target_unit=task.target_unit, bound=task.bound, start_date=task.start_date,
                    deadline=task.deadline, weight=float(weight), co_ids=list(task.co_ids or []))
                child = self._task_row(task.report_id, draft, parent_id=task.id)
                child.lead_id, child.stage = task.lead_id, task.stage if task.stage != "closed" else "assigned"
                session.add(child)
                children.append(child)
            self._touch(task)
            session.flush()
            self._audit(session, actor, "task.split", "task", task.id, task_id=task.id, report_id=task.report_id,
                        after={"children": [c.seq for c in children], "weights": [c.weight for c in children]})
            for c in children:
                self._audit(session, actor, "task.create", "task", c.id, task_id=c.id, report_id=c.report_id,
                            after={"seq": c.seq, "content": c.content, "parent": task.seq})
            return self._views(session, children, self.today())

    def merge_tasks(self, actor: Actor, task_ids: list[int], versions: dict[int, int] | None = None) -> TaskView:
        """Merge tasks (合并) into the first: contents and source quotes joined, the others removed."""
        require(actor, "assign")
        ids = list(dict.fromkeys(task_ids))
        if len(ids) < 2:
            raise Invalid("合并至少要选两个任务")
        with self._write() as session:
            tasks = [self._locked_task(session, i, (versions or {}).get(i)) for i in ids]
            if len({t.report_id for t in tasks}) != 1:
                raise Invalid("只能合并同一报告的任务")
            for t in tasks:
                if session.scalar(select(func.count()).where(FeedbackRow.task_id == t.id)) or \
                        session.scalar(select(func.count()).where(TaskRow.parent_id == t.id)):
                    raise Conflict(f"任务 {t.seq} 已有反馈或子任务，不能合并")
            keep, others = tasks[0], tasks[1:]
            before: dict[str, object] = {"tasks": [{"seq": t.seq, "content": t.content} for t in tasks]}
            keep.content = clean_text("；".join(t.content for t in tasks), "content", label="合并后的任务内容")
            keep.record_ids = [r for t in tasks for r in (t.record_ids or [])]
            keep.quote = "；".join(dict.fromkeys(t.quote for t in tasks))
            if len({t.sentence for t in tasks}) > 1:
                keep.sentence = "".join(dict.fromkeys(t.sentence for t in tasks))
            keep.deadline = max(t.deadline for t in tasks)
            keep.target_value = keep.target_value if all(t.indicator == keep.indicator for t in tasks) and \
                len(tasks) == 1 else None
            for t in others:
                session.delete(t)
            self._touch(keep)
            session.flush()
            self._audit(session, actor, "task.merge", "task", keep.id, task_id=keep.id, report_id=keep.report_id,
                        before=before, after={"seq": keep.seq, "content": keep.content})
            return self._views(session, [keep], self.today())[0]

    def close_task(self, actor: Actor, task_id: int, version: int | None = None, note: str = "") -> TaskView:
        """办结/销号: the supervisor signs a task off; it then counts as 已完成 whatever its figures say."""
        require(actor, "review")
        note = clean_text(note, "note")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结")
            if session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id,
                                                         FeedbackRow.state == "pending")):
                raise Conflict(f"任务 {task.seq} 还有待审核的反馈")
            before = _snapshot(task, ("stage", "completed_on"))
            task.stage, task.completed_on = "closed", task.completed_on or self.today()
            self._touch(task)
            self._audit(session, actor, "task.close", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after={**_snapshot(task, ("stage", "completed_on")), "note": note})
            session.flush()
            return self._views(session, [task], self.today())[0]

    def reopen_task(self, actor: Actor, task_id: int, version: int | None = None, note: str = "") -> TaskView:
        require(actor, "reopen")
        note = clean_text(note, "note")
        with self._write() as session:
            task = self._locked_task(session, task_id, version)
            if task.stage != "closed":
                raise Conflict(f"任务 {task.seq} 没有办结，无需重新打开")
            before = _snapshot(task, ("stage", "completed_on"))
            task.stage = "assigned" if task.lead_id is not None else "draft"
            if task.progress < 100:
                task.completed_on = None
            self._touch(task)
            self._audit(session, actor, "task.reopen", "task", task.id, task_id=task.id, report_id=task.report_id,
                        before=before, after={**_snapshot(task, ("stage", "completed_on")), "note": note})
            session.flush()
            return self._views(session, [task], self.today())[0]

