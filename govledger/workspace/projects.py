"""The key-projects ledger (重点项目台账): projects, monthly reports through 反馈→审核, ratings, 红黑榜, 拉练评比.

Who may do what follows the roles table (``data/workspace.json``) with the
actions tasks already use: the office (``assign``) keeps the list — imports
it, makes placeholders from the report's counts, edits a project, sets the
rules; only the project's lead department (``feedback``) files a monthly
report; a supervisor (``review``) approves or returns it, never their own;
the office scores the 拉练评比 (``review``). Every change is one transaction
with its audit row, and a refused request writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govledger.errors import Conflict, Invalid, NotFound
from govledger.export.project_sheet import ProjectSheetRow, read_project_sheet_rows
from govledger.export.task_sheet import SheetError
from govledger.limits import clean_text
from govledger.store.models import RecordRow
from govledger.store.project_models import (
    ProjectAttachmentRow,
    ProjectReportRow,
    ProjectRow,
    ProjectScoreRow,
    ProjectSettingRow,
)
from govledger.store.work_models import AuditRow, DepartmentRow
from govledger.workspace.base import Actor, _snapshot, _utc, now, require, user_names
from govledger.workspace.dashboard import DashboardMixin
from govledger.workspace.project_rules import (
    PlannedMilestones,
    check_overrides,
    group_lines,
    kind_label,
    merged_rules,
    project_counts,
    project_defaults,
    rate_project,
    rating_label,
    score_lines,
)
from govledger.workspace.project_views import (
    GroupView,
    ProjectBoard,
    ProjectDetail,
    ProjectLedger,
    ProjectReportView,
    ProjectView,
    ScoreLineView,
    ScoreSheet,
)
from govledger.workspace.views import AttachmentView, AuditView

PROJECT_FIELDS = ("name", "kind", "lead_id", "county", "total_investment", "annual_plan", "planned_start",
                  "planned_finish", "planned_operate")
MILESTONE_COLUMNS = (("start", "planned_start", "started_on"), ("finish", "planned_finish", "finished_on"),
                     ("operate", "planned_operate", "operating_on"))


class ProjectsMixin(DashboardMixin):
    """The 重点项目台账 and what follows from it."""

    # ------------------------------------------------------------------ reading

    def _project_year(self, report_id: int) -> int:
        return self.report(report_id).year or self.today().year

    def project_rules_of(self, report_id: int) -> dict[str, Any]:
        """The rules a report's projects are judged by: the defaults with the report's own settings on top."""
        with self._read() as session:
            row = session.get(ProjectSettingRow, report_id)
            return merged_rules(row.rules if row else None)

    def _project_views(self, session: Session, rows: Sequence[ProjectRow], year: int,
                       rules: Mapping[str, Any]) -> list[ProjectView]:
        today = self.today()
        names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
        ids = [r.id for r in rows]
        pending = dict(session.execute(
            select(ProjectReportRow.project_id, func.count()).where(ProjectReportRow.project_id.in_(ids),
                                                                    ProjectReportRow.state == "pending")
            .group_by(ProjectReportRow.project_id)).all()) if ids else {}
        words = project_defaults()["milestones"]
        out = []
        for r in rows:
            rating = rate_project(year, today, r.annual_plan, r.completed, r.completed_month, PlannedMilestones(
                r.planned_start, r.planned_finish, r.planned_operate, r.started_on, r.finished_on, r.operating_on),
                rules)
            if r.placeholder:  # a project nobody has named yet is counted, not judged
                rating = type(rating)(rating.share, rating.expected, rating.pace, [], "unrated", rating.as_of)
            out.append(ProjectView(
                id=r.id, report_id=r.report_id, seq=r.seq, name=r.name, kind=r.kind, kind_label=kind_label(r.kind),
                lead_id=r.lead_id, lead=names.get(r.lead_id) if r.lead_id else None, county=r.county,
                total_investment=r.total_investment, annual_plan=r.annual_plan, planned_start=r.planned_start,
                planned_finish=r.planned_finish, planned_operate=r.planned_operate, completed=r.completed,
                completed_month=r.completed_month, started_on=r.started_on, finished_on=r.finished_on,
                operating_on=r.operating_on, placeholder=r.placeholder, source=r.source, version=r.version,
                share=rating.share, expected=rating.expected, pace=rating.pace,
                late=[str(words[k]) for k in rating.late], rating=rating.rating,
                rating_label=rating_label(rating.rating), pending=int(pending.get(r.id, 0))))
        return out

    def projects(self, report_id: int) -> list[ProjectView]:
        """Every project of a report in 序号 order, with pace and rating."""
        year, rules = self._project_year(report_id), self.project_rules_of(report_id)
        with self._read() as session:
            rows = session.scalars(select(ProjectRow).where(ProjectRow.report_id == report_id)
                                   .order_by(ProjectRow.seq, ProjectRow.id)).all()
            return self._project_views(session, rows, year, rules)

    def project_count(self, report_id: int) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.count()).where(ProjectRow.report_id == report_id)) or 0)

    def project(self, project_id: int) -> ProjectView:
        with self._read() as session:
            row = session.get(ProjectRow, project_id)
            if row is None:
                raise NotFound(f"项目 {project_id} 不存在")
            report_id = row.report_id
        year, rules = self._project_year(report_id), self.project_rules_of(report_id)
        with self._read() as session:
            row = session.get(ProjectRow, project_id)
            if row is None:
                raise NotFound(f"项目 {project_id} 不存在")
            return self._project_views(session, [row], year, rules)[0]

    def project_detail(self, project_id: int) -> ProjectDetail:
        view = self.project(project_id)
        with self._read() as session:
            users = user_names(session)
            reports = [self._project_report_view(session, r, users) for r in session.scalars(
                select(ProjectReportRow).where(ProjectReportRow.project_id == project_id)
                .order_by(ProjectReportRow.id.desc()))]
            history = [AuditView(id=a.id, at=_utc(a.at), username=a.username, action=a.action, entity=a.entity,
                                 entity_id=a.entity_id, task_id=a.task_id, before=a.before, after=a.after)
                       for a in session.scalars(select(AuditRow).where(
                           AuditRow.entity.in_(("project", "project_report")), AuditRow.report_id == view.report_id)
                           .order_by(AuditRow.id.desc()))
                       if (a.entity == "project" and a.entity_id == project_id)
                       or (a.entity == "project_report" and (a.after or {}).get("project_id") == project_id)]
        return ProjectDetail(project=view, reports=reports, history=history)

    @staticmethod
    def _project_report_view(session: Session, r: ProjectReportRow, users: dict[int, str]) -> ProjectReportView:
        files = [AttachmentView(id=i, filename=n, content_type=c, size=s) for i, n, c, s in session.execute(
            select(ProjectAttachmentRow.id, ProjectAttachmentRow.filename, ProjectAttachmentRow.content_type,
                   ProjectAttachmentRow.size).where(ProjectAttachmentRow.report_id == r.id)
            .order_by(ProjectAttachmentRow.id)).all()]
        return ProjectReportView(
            id=r.id, project_id=r.project_id, author=users.get(r.author_id, "?"), month=r.month, completed=r.completed,
            started_on=r.started_on, finished_on=r.finished_on, operating_on=r.operating_on, text=r.text,
            state=r.state, review_note=r.review_note, reviewer=users.get(r.reviewer_id) if r.reviewer_id else None,
            reviewed_at=_utc(r.reviewed_at), created_at=_utc(r.created_at), attachments=files)

    def named_project_counts(self, report_id: int) -> dict[str, tuple[int, str]]:
        """The key-project counts the report's plan names (its target sentences), by kind."""
        with self._read() as session:
            sentences = session.scalars(select(RecordRow.sentence).where(
                RecordRow.report_id == report_id, RecordRow.kind == "target").distinct()).all()
        return project_counts(sentences)

    def project_ledger(self, report_id: int) -> ProjectLedger:
        report = self.report(report_id)
        views = self.projects(report_id)
        named = self.named_project_counts(report_id)
        real = [v for v in views if not v.placeholder]
        plan = sum(v.annual_plan or 0.0 for v in real)
        done = sum(v.completed for v in real if v.annual_plan)
        expected = min((v.expected for v in real), default=0.0) if real else 0.0
        by_kind: dict[str, int] = {}
        for v in views:
            by_kind[v.kind] = by_kind.get(v.kind, 0) + 1
        return ProjectLedger(
            report=report, today=self.today(), rules=self.project_rules_of(report_id), projects=views,
            by_kind=by_kind, placeholders=sum(v.placeholder for v in views), plan=round(plan, 2),
            completed=round(done, 2), share=round(100 * done / plan, 1) if plan else None, expected=expected,
            stars=sum(v.rating == "star" for v in views), snails=sum(v.rating == "snail" for v in views),
            named={k: [n, words] for k, (n, words) in named.items()}, pending=sum(v.pending for v in views))

    # ------------------------------------------------------------------ keeping the list

    def set_project_rules(self, actor: Actor, report_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
        """The office's own thresholds and 拉练评比 criteria for one report (checked; audited before → after)."""
        require(actor, "assign")
        clean = check_overrides(values)
        self.report(report_id)
        with self._write() as session:
            row = session.get(ProjectSettingRow, report_id, with_for_update=True)
            before = dict(row.rules) if row else {}
            rules = {**before, **clean}
            if row is None:
                session.add(ProjectSettingRow(report_id=report_id, rules=rules, version=1))
            else:
                row.rules, row.version = rules, row.version + 1
            self._audit(session, actor, "project.rules", "project_settings", report_id, report_id=report_id,
                        before=before, after=rules)
        return self.project_rules_of(report_id)

    def create_placeholders(self, actor: Actor, report_id: int) -> int:
        """Placeholder projects up to the counts the plan names (27个省重点、300个市重点项目): one per project not yet
        in the ledger, so the ledger shows from the first day how many the office still has to name. An imported list
        fills them kind by kind. Running it again adds only what is missing."""
        require(actor, "assign")
        named = self.named_project_counts(report_id)
        if not named:
            raise Invalid("报告中没有找到重点项目个数（如「27个省重点、300个市重点项目」），请导入项目清单")
        cap = int(project_defaults()["max_placeholders"])
        created = 0
        with self._write() as session:
            have = dict(session.execute(select(ProjectRow.kind, func.count()).where(ProjectRow.report_id == report_id)
                                        .group_by(ProjectRow.kind)).all())
            seq = int(session.scalar(select(func.max(ProjectRow.seq)).where(ProjectRow.report_id == report_id)) or 0)
            stamp = now()
            order = list(project_defaults()["kinds"])
            for kind, (count, words) in sorted(named.items(), key=lambda item: order.index(item[0])):
                label = kind_label(kind)
                for i in range(int(have.get(kind, 0)) + 1, min(count, cap) + 1):
                    seq += 1
                    row = ProjectRow(report_id=report_id, seq=seq, name=f"{label}项目 第{i}个（待补全）", kind=kind,
                                     lead_id=None, county="", completed=0.0, placeholder=True, source=words,
                                     version=1, created_at=stamp, updated_at=stamp)
                    session.add(row)
                    session.flush()
                    self._audit(session, actor, "project.create", "project", row.id, report_id=report_id,
                                after={"name": row.name, "kind": kind, "source": words})
                    created += 1
        return created

    def _department_ids(self, session: Session) -> dict[str, int]:
        return {name: i for i, name, active in session.execute(
            select(DepartmentRow.id, DepartmentRow.name, DepartmentRow.active)).all() if active}

    def import_projects(self, actor: Actor, report_id: int, data: bytes) -> dict[str, int]:
        """Import the office's project list (XLSX), all or nothing.

        Every bad row and every reason come back together (``Invalid`` with
        ``details``): unreadable cells, and 牵头单位 not in the managed list. A
        project already in the ledger (same name) is updated; a new one fills a
        placeholder of its kind if there is one, else is added at the end.
        """
        require(actor, "assign")
        year = self._project_year(report_id)
        try:
            rows, problems = read_project_sheet_rows(data, year=year)
        except SheetError as exc:
            rows, problems = [], list(exc.problems)
        with self._write() as session:
            depts = self._department_ids(session)
            for r in rows:
                if r.lead and r.lead not in depts:
                    problems.append((r.line, f"牵头单位「{r.lead[:40]}」不在单位名单中（请先在管理页添加）"))
            if problems:
                problems.sort(key=lambda p: p[0])
                whole = [message for line, message in problems if not line]
                message = (f"项目清单无法导入：{'；'.join(whole)}" if len(whole) == len(problems)
                           else f"项目清单有 {len(problems)} 处错误，未导入任何项目")
                raise Invalid(message, details=[{"row": line, "error": text} for line, text in problems])
            existing = {p.name: p for p in session.scalars(select(ProjectRow).where(ProjectRow.report_id == report_id)
                                                           .with_for_update())}
            free: dict[str, list[ProjectRow]] = {}
            for p in sorted(existing.values(), key=lambda p: p.seq):
                if p.placeholder:
                    free.setdefault(p.kind, []).append(p)
            seq = max((p.seq for p in existing.values()), default=0)
            counts = {"created": 0, "updated": 0, "filled": 0}
            for r in rows:
                values = self._sheet_values(r, depts)
                row = existing.get(r.name)
                if row is not None:
                    before = _snapshot(row, PROJECT_FIELDS)
                    for key, value in values.items():
                        setattr(row, key, value)
                    action, counts_key = "project.update", "updated"
                elif free.get(values["kind"]):
                    row = free[values["kind"]].pop(0)
                    before = _snapshot(row, PROJECT_FIELDS)
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.placeholder = False
                    action, counts_key = "project.fill", "filled"
                else:
                    seq += 1
                    stamp = now()
                    row = ProjectRow(report_id=report_id, seq=seq, completed=0.0, placeholder=False, source="",
                                     version=0, created_at=stamp, updated_at=stamp, **values)
                    session.add(row)
                    before, action, counts_key = {}, "project.create", "created"
                after = _snapshot(row, PROJECT_FIELDS)
                if before == after:
                    continue
                row.version += 1
                row.updated_at = now()
                session.flush()
                counts[counts_key] += 1
                self._audit(session, actor, action, "project", row.id, report_id=report_id, before=before or None,
                            after={**after, "line": r.line})
        return counts

    @staticmethod
    def _sheet_values(r: ProjectSheetRow, depts: Mapping[str, int]) -> dict[str, Any]:
        return {"name": r.name, "kind": r.kind or "other", "lead_id": depts.get(r.lead), "county": r.county,
                "total_investment": r.total_investment, "annual_plan": r.annual_plan,
                "planned_start": r.planned_start, "planned_finish": r.planned_finish,
                "planned_operate": r.planned_operate}

    def update_project(self, actor: Actor, project_id: int, version: int, changes: Mapping[str, Any]) -> ProjectView:
        """Edit what the office sets on a project (name, kind, lead, 区县, investments, planned dates)."""
        require(actor, "assign")
        unknown = set(changes) - set(PROJECT_FIELDS)
        if unknown:
            raise Invalid(f"不能修改的字段：{'、'.join(sorted(unknown))}")
        with self._write() as session:
            row = session.get(ProjectRow, project_id, with_for_update=True)
            if row is None:
                raise NotFound(f"项目 {project_id} 不存在")
            if row.version != version:
                raise Conflict(f"项目「{row.name[:40]}」已被他人修改，请刷新后再改")
            before = _snapshot(row, PROJECT_FIELDS + ("placeholder",))
            self._apply_project(session, row, changes)
            if "name" in changes:
                row.placeholder = False
            row.version += 1
            row.updated_at = now()
            self._audit(session, actor, "project.update", "project", row.id, report_id=row.report_id, before=before,
                        after=_snapshot(row, PROJECT_FIELDS + ("placeholder",)))
        return self.project(project_id)

    def _apply_project(self, session: Session, row: ProjectRow, changes: Mapping[str, Any]) -> None:
        if "name" in changes:
            name = clean_text(str(changes["name"] or ""), "doc", label="项目名称")
            if not name:
                raise Invalid("项目名称不能为空")
            clash = session.scalar(select(ProjectRow.id).where(ProjectRow.report_id == row.report_id,
                                                               ProjectRow.name == name, ProjectRow.id != row.id))
            if clash is not None:
                raise Conflict(f"本报告已有名为「{name[:40]}」的项目")
            row.name = name
        if "kind" in changes:
            if changes["kind"] not in project_defaults()["kinds"]:
                raise Invalid("项目类别只能是省重点、市重点或重点项目")
            row.kind = str(changes["kind"])
        if "lead_id" in changes:
            lead = changes["lead_id"]
            if lead is not None and session.get(DepartmentRow, int(lead)) is None:
                raise Invalid(f"牵头单位 {lead} 不存在")
            row.lead_id = int(lead) if lead is not None else None
        if "county" in changes:
            row.county = clean_text(str(changes["county"] or ""), "department", label="所在区县")
        for key, label in (("total_investment", "总投资"), ("annual_plan", "年度计划投资")):
            if key in changes:
                value = changes[key]
                if value is not None and (not isinstance(value, int | float) or value != value or value < 0
                                          or value > 1e9):
                    raise Invalid(f"{label}必须是 0 到 10 亿万元之间的数字")
                setattr(row, key, float(value) if value is not None else None)
        for key in ("planned_start", "planned_finish", "planned_operate"):
            if key in changes:
                value = changes[key]
                if value is not None and not isinstance(value, date):
                    raise Invalid("计划日期必须是日期")
                setattr(row, key, value)
        if row.total_investment is not None and row.annual_plan is not None and row.annual_plan > row.total_investment:
            raise Invalid("年度计划投资不能大于总投资")

    # ------------------------------------------------------------------ monthly reports: 反馈 → 审核

    def project_board(self, report_id: int) -> ProjectBoard:
        """The 红黑榜 通报: 明星项目 (红榜) and 蜗牛项目 (黑榜), and departments and 区县 ranked by pace."""
        report = self.report(report_id)
        rules = self.project_rules_of(report_id)
        views = [v for v in self.projects(report_id) if not v.placeholder]
        red = sorted((v for v in views if v.rating == "star"), key=lambda v: (-(v.pace or 0.0), v.seq))
        black = sorted((v for v in views if v.rating == "snail"), key=lambda v: (v.pace or 0.0, v.seq))

        def groups(attribute: str) -> list[GroupView]:
            items = [(getattr(v, attribute) or "未填写", v.annual_plan, v.completed, v.rating, v.expected)
                     for v in views]
            return [GroupView(**vars(g)) for g in group_lines(items, rules)]

        return ProjectBoard(report=report, today=self.today(), rules=rules, red=red, black=black,
                            departments=groups("lead"), counties=groups("county"))

    def score_sheet(self, report_id: int) -> ScoreSheet:
        """The 拉练评比: per project or per 区县 (as the report's settings say), each criterion's score, the weighted
        total and the rank."""
        report = self.report(report_id)
        rules = self.project_rules_of(report_id)
        scope = str(rules["score_scope"])
        views = [v for v in self.projects(report_id) if not v.placeholder]
        if scope == "county":
            subjects = [(c, c) for c in sorted({v.county for v in views if v.county})]
        else:
            subjects = [(str(v.id), f"{v.seq}. {v.name}") for v in views]
        with self._read() as session:
            scores = {(s.subject, s.criterion): s.score for s in session.scalars(
                select(ProjectScoreRow).where(ProjectScoreRow.report_id == report_id, ProjectScoreRow.scope == scope))}
        lines = score_lines(subjects, rules["criteria"], scores)
        return ScoreSheet(report=report, scope=scope, criteria=list(rules["criteria"]),
                          lines=[ScoreLineView(**vars(line)) for line in lines])

    def set_scores(self, actor: Actor, report_id: int, scores: Mapping[tuple[str, str], float | None]) -> ScoreSheet:
        """Enter 拉练评比 scores (0–100; ``None`` clears one); unknown subjects or criteria are refused whole."""
        require(actor, "review")
        sheet = self.score_sheet(report_id)
        subjects = {line.subject for line in sheet.lines}
        criteria = {str(c["name"]) for c in sheet.criteria}
        for (subject, criterion), value in scores.items():
            if subject not in subjects:
                raise Invalid(f"评比对象「{str(subject)[:40]}」不在本报告的评比表中")
            if criterion not in criteria:
                raise Invalid(f"评比指标「{str(criterion)[:40]}」不存在")
            if value is not None and (value != value or not 0 <= value <= 100):
                raise Invalid("评分必须在 0–100 之间")
        with self._write() as session:
            existing = {(s.subject, s.criterion): s for s in session.scalars(
                select(ProjectScoreRow).where(ProjectScoreRow.report_id == report_id,
                                              ProjectScoreRow.scope == sheet.scope).with_for_update())}
            before: dict[str, object] = {}
            after: dict[str, object] = {}
            for (subject, criterion), value in scores.items():
                row = existing.get((subject, criterion))
                old = row.score if row else None
                if old == value:
                    continue
                key = f"{subject}·{criterion}"
                before[key], after[key] = old, value
                if value is None and row is not None:
                    session.delete(row)
                elif row is not None and value is not None:
                    row.score, row.scorer_id, row.updated_at = float(value), actor.id, now()
                elif value is not None:
                    session.add(ProjectScoreRow(report_id=report_id, scope=sheet.scope, subject=subject,
                                                criterion=criterion, score=float(value), scorer_id=actor.id,
                                                updated_at=now()))
            if after:
                self._audit(session, actor, "project.scores", "project_scores", report_id, report_id=report_id,
                            before={"scope": sheet.scope, **before}, after={"scope": sheet.scope, **after})
        return self.score_sheet(report_id)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
