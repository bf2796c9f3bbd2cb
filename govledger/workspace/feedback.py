"""反馈 → 审核 and 延期申请: a department reports with evidence, a supervisor approves or returns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from govledger.errors import Conflict, Invalid
from govledger.limits import clean_text
from govledger.store.work_models import ExtensionRow, FeedbackRow, TaskRow
from govledger.workspace.base import Actor, _extension_view, _snapshot, now, require, user_names
from govledger.workspace.review import (
    checked_files,
    claim_for_review,
    record_review,
    review_note,
    store_files,
)
from govledger.workspace.rules import numeric_progress
from govledger.workspace.tasks import TasksMixin
from govledger.workspace.views import ExtensionView, FeedbackView


class FeedbackMixin(TasksMixin):
    """反馈 → 审核 and 延期申请."""

    def submit_feedback(self, actor: Actor, task_id: int, *, text: str, reported_on: date | None = None,
                        current_value: float | None = None, percent: float | None = None,
                        files: Sequence[tuple[str, bytes]] = ()) -> FeedbackView:
        """反馈: a department reports progress with evidence; it counts once a supervisor approves it."""
        text = clean_text(text, "feedback")
        if not text:
            raise Invalid("进展情况不能为空")
        if percent is not None and not 0 <= percent <= 100:
            raise Invalid("完成百分比必须在 0–100 之间")
        if current_value is not None and current_value != current_value:
            raise Invalid("当前值必须是数字")
        checked = checked_files(files)
        with self._write() as session:
            task = self._locked_task(session, task_id, None)
            self._check_own(session, actor, task, "feedback")
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结，不能再反馈")
            if session.scalar(select(func.count()).where(TaskRow.parent_id == task.id)):
                raise Invalid(f"任务 {task.seq} 已拆分，请在子任务上反馈")
            on = reported_on or self.today()
            row = FeedbackRow(task_id=task.id, author_id=actor.id, reported_on=on, text=text[:8000],
                              current_value=current_value, percent=percent, state="pending", created_at=now())
            session.add(row)
            session.flush()
            store_files(session, row, checked)
            before = _snapshot(task, ("stage",))
            task.stage = "reported"
            self._touch(task)
            self._audit(session, actor, "feedback.submit", "feedback", row.id, task_id=task.id,
                        report_id=task.report_id, before=before,
                        after={"text": row.text, "current_value": current_value, "percent": percent,
                               "reported_on": on.isoformat(), "files": [n for n, _, _ in checked]})
            session.flush()
            users = user_names(session)
            return self._feedback_view(session, row, users)

    def review_feedback(self, actor: Actor, feedback_id: int, approve: bool, note: str = "") -> FeedbackView:
        """审核: approve (its figures now count) or 退回 with a reason."""
        note = review_note(actor, approve, note)
        with self._write() as session:
            fb = claim_for_review(session, FeedbackRow, feedback_id, actor, "反馈")
            task = self._locked_task(session, fb.task_id, None)
            before = _snapshot(task, ("stage", "progress", "current_value", "completed_on"))
            verb = record_review(fb, actor, approve, note)
            if approve:
                self._count_feedback(task, fb)
            pending = session.scalar(select(func.count()).where(FeedbackRow.task_id == task.id,
                                                                FeedbackRow.state == "pending",
                                                                FeedbackRow.id != fb.id))
            if not pending and task.stage == "reported":
                task.stage = "assigned"
            self._touch(task)
            self._audit(session, actor, f"feedback.{verb}", "feedback", fb.id,
                        task_id=task.id, report_id=task.report_id, before=before,
                        after={**_snapshot(task, ("stage", "progress", "current_value", "completed_on")),
                               "note": note})
            session.flush()
            users = user_names(session)
            return self._feedback_view(session, fb, users)

    def _count_feedback(self, task: TaskRow, fb: FeedbackRow) -> None:
        """Approved figures become the task's: progress from the figure where one fits the target, else the percent."""
        if fb.current_value is not None:
            task.current_value = fb.current_value
        computed = numeric_progress(task.target_value, task.bound, task.measure, task.current_value,
                                    indicator=task.indicator, metric=task.metric, unit=task.target_unit)
        if computed is not None:
            task.progress = computed
        elif fb.percent is not None:
            task.progress = float(fb.percent)
        task.has_progress = True
        if task.progress >= 100 and task.completed_on is None:
            task.completed_on = fb.reported_on
        elif task.progress < 100 and task.stage != "closed":
            task.completed_on = None

    def request_extension(self, actor: Actor, task_id: int, new_deadline: date, reason: str) -> ExtensionView:
        """延期申请: a department asks for a later deadline, with a reason."""
        reason = clean_text(reason, "reason")
        if not reason:
            raise Invalid("延期申请必须写明理由")
        with self._write() as session:
            task = self._locked_task(session, task_id, None)
            self._check_own(session, actor, task, "extension_request")
            if task.stage == "closed":
                raise Conflict(f"任务 {task.seq} 已办结")
            if new_deadline <= task.deadline:
                raise Invalid(f"新的完成时限必须晚于现在的 {task.deadline}")
            if session.scalar(select(func.count()).where(ExtensionRow.task_id == task.id,
                                                         ExtensionRow.state == "pending")):
                raise Conflict(f"任务 {task.seq} 已有待审批的延期申请")
            row = ExtensionRow(task_id=task.id, requester_id=actor.id, old_deadline=task.deadline,
                               new_deadline=new_deadline, reason=reason[:4000], state="pending", created_at=now())
            session.add(row)
            session.flush()
            self._audit(session, actor, "extension.request", "extension", row.id, task_id=task.id,
                        report_id=task.report_id,
                        after={"new_deadline": new_deadline.isoformat(), "reason": row.reason})
            return _extension_view(row, user_names(session))

    def decide_extension(self, actor: Actor, extension_id: int, grant: bool, note: str = "") -> ExtensionView:
        require(actor, "review")
        note = clean_text(note, "note")
        with self._write() as session:
            ext = claim_for_review(session, ExtensionRow, extension_id, actor, "延期申请", done="处理过", act="审批",
                                   author="requester_id")
            task = self._locked_task(session, ext.task_id, None)
            before = _snapshot(task, ("deadline",))
            ext.state = "granted" if grant else "refused"
            ext.decider_id, ext.decision_note, ext.decided_at = actor.id, (note or "").strip() or None, now()
            if grant:
                task.deadline = ext.new_deadline
                self._touch(task)
            self._audit(session, actor, "extension.grant" if grant else "extension.refuse", "extension", ext.id,
                        task_id=task.id, report_id=task.report_id, before=before,
                        after={**_snapshot(task, ("deadline",)), "note": ext.decision_note})
            users = user_names(session)
            return _extension_view(ext, users)

