"""The 督查看板 and the 每日提醒: counts, the 红黑榜, overdue and due-soon lists, burn-up, history."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from govledger.store.models import RecordRow
from govledger.store.work_models import (
    AuditRow,
    ExtensionRow,
    FeedbackRow,
    TaskRow,
)
from govledger.workspace.base import (
    DASHBOARD_LIST,
    STATUSES,
    Dashboard,
    _utc,
    burnup,
)
from govledger.workspace.rules import (
    board_of,
    counted_progress,
    department_rag,
    ranking_key,
    ranking_score,
)
from govledger.workspace.sheets import SheetsMixin
from govledger.workspace.views import (
    AuditView,
    TaskView,
)


class DashboardMixin(SheetsMixin):
    """The 督查看板 and the 每日提醒."""

    def dashboard(self, report_id: int) -> Dashboard:
        """Counts by status, the 红黑榜 by lead department, overdue and due-soon lists, the burn-up series."""
        today = self.today()
        views = self.all_views(report_id)
        # perf: the dashboard only changes with the task views, which ``all_views`` hands back as the same list
        # until the report's version moves (any write to it: tasks, feedback, extensions, the 公开 switch, a
        # re-import) or the day changes; rebuilding it cost ~5 ms of every dashboard request, and the report's
        # row (its task count groups the tasks table) is read only then
        memo = self._dashboards.get(report_id)
        if memo is not None and memo[0] is views and memo[1].today == today:
            return memo[1]
        report = self.report(report_id)
        leaves = [v for v in views if v.n_children == 0]
        top = [v for v in views if v.parent_id is None]
        counts = Counter(v.status for v in top)
        by_dept: dict[str, Counter[str]] = {}
        for v in leaves:
            if v.lead is not None:  # unassigned tasks are counted apart, not ranked
                by_dept.setdefault(v.lead, Counter())[v.status] += 1
        departments: list[dict[str, Any]] = []
        for name, c in by_dept.items():
            departments.append({"department": name, "counts": {s: c.get(s, 0) for s in STATUSES},
                                "total": sum(c.values()), "rag": department_rag(c), "score": ranking_score(c)})
        # the rule ``RANKING_RULE`` states on the page: equal keys share a rank (并列), names only order the display
        departments.sort(key=lambda d: (ranking_key(d["counts"]), d["department"]))
        for i, d in enumerate(departments):
            ahead = departments[i - 1] if i else None
            tied = ahead is not None and ranking_key(ahead["counts"]) == ranking_key(d["counts"])
            d["rank"] = ahead["rank"] if tied and ahead is not None else i + 1
            d["board"] = board_of(d["counts"])
        horizon = today + timedelta(days=self.due_soon_days)
        overdue = sorted((v for v in leaves if v.status == "overdue"), key=lambda v: v.deadline)
        due_soon = sorted((v for v in leaves if v.status not in ("done", "overdue") and today <= v.deadline <= horizon),
                          key=lambda v: v.deadline)
        weights = [(v.weight, counted_progress(v.progress, v.stage == "closed")) for v in top]
        total_w = sum(w for w, _ in weights) or 1.0
        with self._read() as session:
            pending_reviews = int(session.scalar(
                select(func.count()).select_from(FeedbackRow).join(TaskRow, TaskRow.id == FeedbackRow.task_id)
                .where(TaskRow.report_id == report_id, FeedbackRow.state == "pending")) or 0)
            pending_ext = int(session.scalar(
                select(func.count()).select_from(ExtensionRow).join(TaskRow, TaskRow.id == ExtensionRow.task_id)
                .where(TaskRow.report_id == report_id, ExtensionRow.state == "pending")) or 0)
        board = Dashboard(
            report=report, today=today, counts={s: counts.get(s, 0) for s in STATUSES}, total=len(top),
            progress=round(sum(w * p for w, p in weights) / total_w, 1), departments=departments,
            overdue=overdue[:DASHBOARD_LIST], due_soon=due_soon[:DASHBOARD_LIST], n_overdue=len(overdue),
            n_due_soon=len(due_soon), pending_reviews=pending_reviews, pending_extensions=pending_ext,
            unassigned=sum(1 for v in leaves if v.lead is None),
            burnup=burnup(leaves, report.year or today.year, today),
        )
        self._dashboards[report_id] = (views, board)
        return board

    def digest(self, report_id: int | None = None) -> list[dict[str, Any]]:
        """每日提醒: per lead department, its overdue and due-soon tasks (only departments with something due)."""
        today = self.today()
        horizon = today + timedelta(days=self.due_soon_days)
        reports = [self.report(report_id)] if report_id is not None else self.reports()
        depts = {d.name: d for d in self.departments()}
        grouped: dict[str, dict[str, list[TaskView]]] = {}
        for report in reports:
            for v in self.all_views(report.id):
                if v.n_children or v.lead is None or v.status == "done":
                    continue
                bucket = "overdue" if v.status == "overdue" else "due_soon" if v.deadline <= horizon else None
                if bucket:
                    grouped.setdefault(v.lead, {"overdue": [], "due_soon": []})[bucket].append(v)
        return [{"department": name, "email": depts[name].email if name in depts else None, "today": today,
                 "overdue": sorted(g["overdue"], key=lambda v: v.deadline),
                 "due_soon": sorted(g["due_soon"], key=lambda v: v.deadline)}
                for name, g in sorted(grouped.items())]

    def history(self, *, task_id: int | None = None, limit: int = 200, offset: int = 0) -> list[AuditView]:
        """Audit entries, newest first; ``offset`` skips that many (the admin's paged log)."""
        with self._read() as session:
            stmt = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
            if task_id is not None:
                stmt = stmt.where(AuditRow.task_id == task_id)
            return [AuditView(id=a.id, at=_utc(a.at), username=a.username, action=a.action, entity=a.entity,
                              entity_id=a.entity_id, task_id=a.task_id, before=a.before, after=a.after)
                    for a in session.scalars(stmt)]

    def records_count(self, report_id: int) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.count()).where(RecordRow.report_id == report_id)) or 0)

