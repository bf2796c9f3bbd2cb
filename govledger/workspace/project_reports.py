"""Monthly reports of key projects (月报): filed by the lead department with evidence, approved or returned
by a supervisor (never their own), through the same 反馈→审核 flow as tasks; the approved 累计 figure and
the milestones reached are what the ratings read (``project_rules``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from govledger.errors import Conflict, Forbidden, Invalid, NotFound
from govledger.limits import clean_text
from govledger.store.project_models import ProjectAttachmentRow, ProjectReportRow, ProjectRow
from govledger.store.work_models import DepartmentRow
from govledger.workspace.base import Actor, _snapshot, now, require, user_names
from govledger.workspace.project_views import ProjectReportView, ProjectView
from govledger.workspace.projects import MILESTONE_COLUMNS, ProjectsMixin, _iso
from govledger.workspace.review import (
    checked_files,
    claim_for_review,
    record_review,
    review_note,
    store_files,
)


class ProjectReportsMixin(ProjectsMixin):
    """月报 of key projects: submit, review, the pending list and their evidence files."""

    def submit_project_report(self, actor: Actor, project_id: int, *, month: date, completed: float, text: str,
                              started_on: date | None = None, finished_on: date | None = None,
                              operating_on: date | None = None,
                              files: Sequence[tuple[str, bytes]] = ()) -> ProjectReportView:
        """月报: the project's lead department reports 累计完成投资 to the month's end, milestones reached, evidence."""
        require(actor, "feedback")
        text = clean_text(text, "feedback", label="进展情况")
        if not text:
            raise Invalid("进展情况不能为空")
        if completed is None or completed != completed or not 0 <= completed <= 1e9:
            raise Invalid("累计完成投资必须是不小于 0 的数字（万元）")
        month = month.replace(day=1)
        if month > self.today():
            raise Invalid(f"不能填报未来月份（{month.year}年{month.month}月）")
        for label, day in (("开工", started_on), ("竣工", finished_on), ("投产", operating_on)):
            if day is not None and day > self.today():
                raise Invalid(f"{label}日期不能晚于今天")
        checked = checked_files(files)
        with self._write() as session:
            project = session.get(ProjectRow, project_id, with_for_update=True)
            if project is None:
                raise NotFound(f"项目 {project_id} 不存在")
            if actor.department_id is None or project.lead_id != actor.department_id:
                raise Forbidden(f"项目「{project.name[:40]}」不是本单位牵头的项目，只有牵头单位可以填报")
            dept = session.get(DepartmentRow, actor.department_id)
            if dept is None or not dept.active:
                raise Forbidden("本单位已停用，不能再报送")
            if project.placeholder:
                raise Conflict("该项目还是占位项目，请督查室先补全项目信息")
            if project.completed_month is not None and month >= project.completed_month and \
                    completed < project.completed:
                raise Invalid(f"累计完成投资不能少于已审核的 {project.completed:g} 万元")
            row = ProjectReportRow(project_id=project.id, author_id=actor.id, month=month, completed=float(completed),
                                   started_on=started_on, finished_on=finished_on, operating_on=operating_on,
                                   text=text[:8000], state="pending", created_at=now())
            session.add(row)
            session.flush()
            store_files(session, row, checked)
            self._audit(session, actor, "project_report.submit", "project_report", row.id,
                        report_id=project.report_id,
                        after={"project_id": project.id, "month": month.isoformat(), "completed": row.completed,
                               "started_on": _iso(started_on), "finished_on": _iso(finished_on),
                               "operating_on": _iso(operating_on), "text": row.text,
                               "files": [n for n, _, _ in checked]})
            session.flush()
            users = user_names(session)
            return self._project_report_view(session, row, users)

    def review_project_report(self, actor: Actor, report_row_id: int, approve: bool, note: str = "") -> ProjectReportView:
        """审核: approve (the figures become the project's) or 退回 with a reason; nobody reviews their own report."""
        note = review_note(actor, approve, note)
        with self._write() as session:
            r = claim_for_review(session, ProjectReportRow, report_row_id, actor, "月报")
            project = session.get(ProjectRow, r.project_id, with_for_update=True)
            assert project is not None  # the foreign key cascades
            keys = ("completed", "completed_month", "started_on", "finished_on", "operating_on")
            before = _snapshot(project, keys)
            verb = record_review(r, actor, approve, note)
            if approve:
                if project.completed_month is None or r.month >= project.completed_month:
                    project.completed, project.completed_month = r.completed, r.month
                for _, _, reached in MILESTONE_COLUMNS:
                    day = getattr(r, reached)
                    if day is not None and getattr(project, reached) is None:
                        setattr(project, reached, day)
                project.version += 1
                project.updated_at = now()
            self._audit(session, actor, f"project_report.{verb}", "project_report", r.id, report_id=project.report_id, before=before,
                        after={**_snapshot(project, keys), "project_id": project.id, "note": note})
            session.flush()
            users = user_names(session)
            return self._project_report_view(session, r, users)

    def pending_project_reports(self, report_id: int | None = None) -> list[tuple[ProjectView, ProjectReportView]]:
        """Monthly reports waiting for review, oldest first, each with its project."""
        stmt = select(ProjectReportRow, ProjectRow.report_id).join(
            ProjectRow, ProjectRow.id == ProjectReportRow.project_id).where(ProjectReportRow.state == "pending") \
            .order_by(ProjectReportRow.id)
        if report_id is not None:
            stmt = stmt.where(ProjectRow.report_id == report_id)
        with self._read() as session:
            users = user_names(session)
            found = [(rid, self._project_report_view(session, r, users)) for r, rid in session.execute(stmt).all()]
        views: dict[int, dict[int, ProjectView]] = {}
        for rid in {rid for rid, _ in found}:
            views[rid] = {v.id: v for v in self.projects(rid)}
        return [(views[rid][r.project_id], r) for rid, r in found]

    def project_attachment(self, actor: Actor, attachment_id: int) -> tuple[str, str, bytes, int]:
        """(filename, content type, bytes, project id) of a project's evidence: its lead department, supervisors and
        admins only."""
        require(actor, "read_evidence")
        with self._read() as session:
            found = session.execute(
                select(ProjectAttachmentRow, ProjectRow.id, ProjectRow.lead_id)
                .join(ProjectReportRow, ProjectReportRow.id == ProjectAttachmentRow.report_id)
                .join(ProjectRow, ProjectRow.id == ProjectReportRow.project_id)
                .where(ProjectAttachmentRow.id == attachment_id)).first()
            if found is None:
                raise NotFound(f"附件 {attachment_id} 不存在")
            a, project_id, lead_id = found
            if actor.role == "department" and actor.department_id != lead_id:
                raise Forbidden("只有项目的牵头单位和督查人员可以查看佐证材料")
            return a.filename, a.content_type, a.data, project_id

    # ------------------------------------------------------------------ 红黑榜 and 拉练评比
