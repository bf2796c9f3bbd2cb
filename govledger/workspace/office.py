"""Office ergonomics on tasks: 季度形象进度 (Q1–Q4 planned milestones, 欠进度 against them) and 催办.

催办 is a recorded reminder to one department about one task: an audit row
of its own (shown in the task's history), and an e-mail to the department's
address when it has one and the workspace can send mail (``mailer``, or
SMTP from the same ``GOVLEDGER_SMTP_*`` settings the ``digest`` command
uses). The e-mail's outcome is part of the audit row, so the history says
whether the department was mailed.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Callable, Mapping
from datetime import date
from email.message import EmailMessage

from sqlalchemy import func, select

from govledger.errors import Invalid, NotFound
from govledger.limits import clean_text, is_one_address
from govledger.store.project_models import TaskMilestoneRow
from govledger.store.work_models import AuditRow, DepartmentRow, TaskRow
from govledger.workspace.base import Actor, require
from govledger.workspace.dashboard import DashboardMixin
from govledger.workspace.project_rules import check_quarters, milestone_lag, quarter_end
from govledger.workspace.project_views import QuarterMilestone, ReminderView, TaskOffice
from govledger.workspace.rules import workspace_rules
from govledger.workspace.views import TaskView

Mailer = Callable[[EmailMessage], None]
log = logging.getLogger("govledger.workspace")


def smtp_mailer_from_env() -> Mailer | None:
    """A mailer over the SMTP server of ``GOVLEDGER_SMTP_HOST`` (port, user, password, STARTTLS, from: the digest's
    variables), or ``None`` when no server is configured: a workspace without mail still records every 催办."""
    host = os.environ.get("GOVLEDGER_SMTP_HOST")
    if not host:
        return None
    port = int(os.environ.get("GOVLEDGER_SMTP_PORT", "25") or 25)
    user, password = os.environ.get("GOVLEDGER_SMTP_USER"), os.environ.get("GOVLEDGER_SMTP_PASSWORD", "")
    starttls = os.environ.get("GOVLEDGER_SMTP_STARTTLS", "").lower() in ("1", "true", "yes")

    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if starttls:
                smtp.starttls()
            if user:
                smtp.login(user, password)
            smtp.send_message(message)

    return send


def reminder_message(task: TaskView, department: str, address: str, note: str, sender: str, today: date,
                     report_name: str) -> EmailMessage:
    """The 催办 e-mail: which task, its deadline and progress, and the office's words."""
    days = (task.deadline - today).days
    when = f"已逾期 {-days} 天" if days < 0 else "今天到期" if days == 0 else f"距完成时限还有 {days} 天"
    message = EmailMessage()
    message["Subject"] = " ".join(f"【督查催办】{department}：{report_name} 任务 {task.seq}".split())
    message["From"] = sender
    message["To"] = address
    body = [f"{department}：", "", f"请抓紧办理 {report_name} 的任务 {task.seq}：", f"  {task.content}",
            f"完成时限 {task.deadline.isoformat()}（{when}），当前进度 {task.progress:g}%，{task.status_label}。"]
    if note:
        body += ["", f"督查室意见：{note}"]
    body += ["", "请及时在督查工作台填报进展并上传佐证材料。"]
    message.set_content("\n".join(body) + "\n")
    return message


class OfficeMixin(DashboardMixin):
    """季度形象进度 and 催办 on tasks."""

    mailer: Mailer | None = None  # set by tests or a deployment; else SMTP from the environment, if configured
    mail_sender: str = os.environ.get("GOVLEDGER_SMTP_FROM", "duchashi@localhost")

    def task_office(self, task_id: int) -> TaskOffice:
        """A task's quarterly milestones, its 欠进度 mark, and how many times it was 催办."""
        view = self.task(task_id)
        year = self.report(view.report_id).year or view.deadline.year
        with self._read() as session:
            planned = {m.quarter: m for m in session.scalars(
                select(TaskMilestoneRow).where(TaskMilestoneRow.task_id == task_id))}
            reminders = int(session.scalar(select(func.count()).where(
                AuditRow.task_id == task_id, AuditRow.action == "task.remind")) or 0)
        labels = workspace_rules()["quarter_milestones"]["labels"]
        milestones = [QuarterMilestone(quarter=q, label=labels[str(q)],
                                       percent=planned[q].percent if q in planned else None,
                                       text=planned[q].text if q in planned else "", due=quarter_end(year, q))
                      for q in (1, 2, 3, 4)]
        return TaskOffice(task_id=task_id, milestones=milestones, lag=self._lag(view, year, planned_percents(planned)),
                          reminders=reminders)

    def _lag(self, view: TaskView, year: int, planned: Mapping[int, float]) -> dict[str, object] | None:
        margin = float(workspace_rules()["quarter_milestones"]["lag_margin"])
        found = milestone_lag(year, self.today(), planned, view.progress,
                              view.status == "done" or view.stage == "closed", margin)
        if found is None:
            return None
        quarter, percent = found
        label = workspace_rules()["quarter_milestones"]["labels"][str(quarter)]
        return {"quarter": quarter, "label": label, "percent": percent, "progress": view.progress}

    def milestone_lags(self, report_id: int) -> dict[int, dict[str, object]]:
        """Task id → 欠进度 mark for every task of a report behind its quarterly milestone (for lists and badges)."""
        year = self.report(report_id).year or self.today().year
        with self._read() as session:
            rows = session.execute(select(TaskMilestoneRow.task_id, TaskMilestoneRow.quarter, TaskMilestoneRow.percent)
                                   .join(TaskRow, TaskRow.id == TaskMilestoneRow.task_id)
                                   .where(TaskRow.report_id == report_id)).all()
        planned: dict[int, dict[int, float]] = {}
        for task_id, quarter, percent in rows:
            planned.setdefault(task_id, {})[quarter] = percent
        out: dict[int, dict[str, object]] = {}
        for view in self.all_views(report_id):
            if view.id in planned:
                lag = self._lag(view, year, planned[view.id])
                if lag is not None:
                    out[view.id] = lag
        return out

    def set_task_milestones(self, actor: Actor, task_id: int,
                            values: Mapping[int, tuple[float | None, str]]) -> TaskOffice:
        """Set a task's 季度形象进度: per quarter the progress planned by its end and what should stand by then.

        A quarter left without a percent is cleared. Percents never fall from
        one quarter to the next. One audit row holds the plan before and after.
        """
        require(actor, "assign")
        clean = check_quarters({q: (p, clean_text(t, "milestones")) for q, (p, t) in values.items()})
        with self._write() as session:
            task = session.get(TaskRow, task_id, with_for_update=True)
            if task is None:
                raise NotFound(f"任务 {task_id} 不存在")
            rows = {m.quarter: m for m in session.scalars(
                select(TaskMilestoneRow).where(TaskMilestoneRow.task_id == task_id))}
            before: dict[str, object] = {f"Q{q}": f"{m.percent:g}% {m.text}".strip() for q, m in sorted(rows.items())}
            for quarter, row in rows.items():
                if quarter not in clean:
                    session.delete(row)
            for quarter, (percent, text) in clean.items():
                existing = rows.get(quarter)
                if existing is None:
                    session.add(TaskMilestoneRow(task_id=task_id, quarter=quarter, percent=percent, text=text))
                else:
                    existing.percent, existing.text = percent, text
            after: dict[str, object] = {f"Q{q}": f"{p:g}% {t}".strip() for q, (p, t) in sorted(clean.items())}
            if before != after:
                task.version += 1
                self._audit(session, actor, "task.milestones", "task", task.id, task_id=task.id,
                            report_id=task.report_id, before=before, after=after)
        return self.task_office(task_id)

    def remind_task(self, actor: Actor, task_id: int, note: str = "", department_id: int | None = None) -> ReminderView:
        """催办: remind the task's lead department (or one of its co-departments) about it, by audit row and e-mail."""
        require(actor, "assign")
        note = clean_text(note, "note")
        view = self.task(task_id)
        target = department_id if department_id is not None else view.lead_id
        if target is None:
            raise Invalid(f"任务 {view.seq} 还没有交办，无法催办")
        if target != view.lead_id and target not in view.co_ids:
            raise Invalid("只能催办该任务的牵头或配合单位")
        report = self.report(view.report_id)
        report_name = f"{report.place or report.doc}{report.year or ''}年政府工作报告"
        with self._read() as session:
            dept = session.get(DepartmentRow, target)
            if dept is None:
                raise NotFound(f"单位 {target} 不存在")
            name, email = dept.name, dept.email
        # the mail goes out before the write transaction, so a slow SMTP server never holds the write lock;
        # the audit row then records what happened to it
        address = email if email and is_one_address(email) else None
        mailer = self.mailer if self.mailer is not None else smtp_mailer_from_env()
        if address is None:
            mailed = "no_address"
        elif mailer is None:
            mailed = "no_mailer"
        else:
            try:
                mailer(reminder_message(view, name, address, note, self.mail_sender, self.today(), report_name))
                mailed = "sent"
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                log.warning("催办 mail to %s failed: %s", address, str(exc).splitlines()[0][:120] if str(exc) else exc)
                mailed = "failed"
        with self._write() as session:
            task = session.get(TaskRow, task_id, with_for_update=True)
            if task is None:
                raise NotFound(f"任务 {task_id} 不存在")
            self._audit(session, actor, "task.remind", "task", task.id, task_id=task.id, report_id=task.report_id,
                        after={"department": name, "note": note, "email": address or "", "mailed": MAILED[mailed]})
        return ReminderView(task_id=task_id, department=name, email=address, mailed=mailed, note=note)


MAILED = {"sent": "已发送邮件", "no_address": "该单位没有电子邮箱，未发邮件", "no_mailer": "未配置邮件服务器，未发邮件",
          "failed": "邮件发送失败"}


def planned_percents(rows: Mapping[int, TaskMilestoneRow]) -> dict[int, float]:
    return {q: m.percent for q, m in rows.items()}
