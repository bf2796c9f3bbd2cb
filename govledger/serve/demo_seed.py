"""The demo's half year: what a supervision office's workspace looks like on 15 June.

``govledger serve --demo`` starts the workspace as of the middle of the seed
report's year, so the first screen is not all red. ``seed_half_year`` then
plays the months from January to mid-June through the workspace's own
methods, as the people would: the office brings some deadlines forward and
sets quarterly milestones; each department's liaison reports (some fully
done, most on or near pace, some behind); the office approves, returns one
report with a reason, grants an extension and leaves some work waiting for
review. For the key projects it makes placeholders from the report's counts,
names a share of them (marked 演示 so nobody mistakes them for the city's real
list) and files their monthly investment reports. Every step is an audited
write; the figures are drawn from a fixed seed, so two demos look alike.
A Rich progress bar shows where it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from govledger.workspace import SYSTEM, Actor

if TYPE_CHECKING:
    from govledger.workspace import Workspace
    from govledger.workspace.views import ReportView

DEMO_REPORT = "yaan_2024"
DEMO_DAY = (6, 15)  # mid-June of the report's year
# liaison accounts of the demo departments (cli_workspace.DEMO_DEPARTMENTS order), beyond fgw and zjj
LIAISONS = (("fgw", "发改委联络员"), ("jxj", "经信局联络员"), ("zjj", "住建局联络员"), ("nyj", "农业农村局联络员"),
            ("sthj", "生态环境局联络员"), ("rsj", "人社局联络员"))
COUNTIES = ("雨城区", "名山区", "荥经县", "汉源县", "石棉县", "天全县", "芦山县", "宝兴县")
NAMED_PROJECTS = {"province": 27, "city": 45}  # placeholders given a (demo) name and figures


@dataclass
class Seeded:
    """What the half year produced, for the closing line of the demo."""

    feedback: int = 0
    approved: int = 0
    returned: int = 0
    pending: int = 0
    extensions: int = 0
    projects: int = 0
    project_reports: int = 0


def demo_today(ws: Workspace, doc: str = DEMO_REPORT) -> date | None:
    """15 June of the seed report's year (the newest report's year when the seed report is absent)."""
    reports = ws.reports()
    seed = next((r for r in reports if r.doc == doc), None) or next((r for r in reports if r.year), None)
    return date(seed.year, *DEMO_DAY) if seed is not None and seed.year else None


def ensure_liaisons(ws: Workspace, password: str, departments: dict[str, int], names: tuple[str, ...]) -> None:
    """One liaison account per demo department (same password as the other demo accounts)."""
    existing = {u.username for u in ws.users(SYSTEM)}
    for (username, display), department in zip(LIAISONS, names, strict=True):
        if username in existing:
            ws.set_password(SYSTEM, username, password)
        else:
            ws.add_user(SYSTEM, username, password, "department", display_name=display,
                        department_id=departments[department])


def seed_half_year(ws: Workspace, *, doc: str = DEMO_REPORT, progress: Callable[[str, int], None] | None = None,
                   ) -> Seeded | None:
    """Play January to ``ws.today()`` on the seed report; ``None`` when it is absent or already has feedback.

    ``progress(description, total)`` is called at the start of each phase and
    ``progress("", 1)`` after each step (the CLI drives a Rich bar with it).
    """
    report = next((r for r in ws.reports() if r.doc == doc), None)
    if report is None or ws.pending_feedback(report.id) or any(v.current_value is not None or v.progress
                                                                for v in ws.all_views(report.id)):
        return None
    tick = progress or (lambda _text, _n: None)
    rng = random.Random(2024)
    today = ws.today()
    year = report.year or today.year
    users = {u.username: u for u in ws.users(SYSTEM)}
    office = users["duchashi"]
    sup = Actor(office.id, office.username, office.role)
    by_dept: dict[int | None, Actor] = {u.department_id: Actor(u.id, u.username, u.role, u.department_id)
               for u in users.values() if u.role == "department"}
    leaves = [v for v in ws.all_views(report.id) if v.n_children == 0 and v.lead_id in by_dept]
    out = Seeded()

    # the office brings a fifth of the deadlines forward (一季度末, 5月底, 6月底, 二季度末 in the autumn)
    tick("交办：调整完成时限、设置季度形象进度", len(leaves))
    forward = (date(year, 3, 31), date(year, 5, 31), date(year, 6, 30), date(year, 9, 30))
    plan: dict[int, str] = {}
    for i, task in enumerate(leaves):
        kind = rng.random()
        if i % 5 == 0:
            deadline = forward[(i // 5) % len(forward)]
            task = ws.update_task(SYSTEM, task.id, task.version, {"deadline": deadline})
        plan[task.id] = ("done" if kind < 0.2 else "on_pace" if kind < 0.7 else "behind" if kind < 0.82
                         else "pending" if kind < 0.94 else "silent")
        if i % 3 == 0:
            ws.set_task_milestones(sup, task.id, {1: (20.0, "完成方案和前期工作"), 2: (50.0, "过半"),
                                                  3: (75.0, ""), 4: (100.0, "全面完成")})
        tick("", 1)

    tick("反馈与审核：各单位报送进展，督查室审核", len(leaves))
    returned = False
    for task in ws.all_views(report.id):
        if task.id not in plan:
            continue
        who = by_dept[task.lead_id]
        mode = plan[task.id]
        if mode == "on_pace" and task.deadline < today:
            mode = "done"  # a task brought forward and on pace was finished by its deadline
        share = min(1.0, (today - task.start_date).days / max(1, (task.deadline - task.start_date).days))
        if mode == "silent" or (task.deadline < today and mode == "behind"):
            tick("", 1)  # left for the 红黑榜: nothing reported (逾期 once its deadline has passed)
            continue
        if mode == "done":
            percent = 100.0
            on = min(today - timedelta(days=1), task.deadline) - timedelta(days=rng.randint(0, 150))
        elif mode in ("on_pace", "pending"):
            percent = round(min(95.0, 100 * share * rng.uniform(0.95, 1.35)), 0)
            on = today - timedelta(days=rng.randint(3, 20))
        else:
            percent = round(100 * share * rng.uniform(0.2, 0.55), 0)
            on = today - timedelta(days=rng.randint(5, 30))
        on = max(on, task.start_date)
        if mode == "pending":  # an earlier report approved, the latest one waiting for review
            first = ws.submit_feedback(who, task.id, text=_words("on_pace", percent),
                                       reported_on=max(task.start_date, on - timedelta(days=30)), percent=percent)
            ws.review_feedback(sup, first.id, True, "")
            out.feedback += 1
            out.approved += 1
            percent = min(99.0, percent + 8)
        fb = ws.submit_feedback(who, task.id, text=_words(mode, percent), reported_on=on, percent=percent)
        out.feedback += 1
        if mode == "pending":
            out.pending += 1
        elif not returned and mode == "on_pace":
            ws.review_feedback(sup, fb.id, False, "佐证材料不足，请补充现场照片和验收资料后重新报送")
            returned = True
            out.returned += 1
        else:
            ws.review_feedback(sup, fb.id, True, "")
            out.approved += 1
        tick("", 1)

    # 延期: one granted, one waiting
    open_tasks = [v for v in ws.all_views(report.id) if v.n_children == 0 and v.lead_id in by_dept
                  and v.status != "done" and v.deadline >= today]
    tick("延期申请", 2)
    for n, task in enumerate(open_tasks[:2]):
        ext = ws.request_extension(by_dept[task.lead_id], task.id, task.deadline + timedelta(days=61),
                                   "受要素保障和施工季节影响，申请顺延两个月完成")
        if n == 0:
            ws.decide_extension(sup, ext.id, True, "同意，请按新时限倒排工期")
        out.extensions += 1
        tick("", 1)

    seed_projects(ws, report, sup, by_dept, out, tick)
    return out


def _words(mode: str, percent: float) -> str:
    if mode == "done":
        return "已全面完成年度任务，相关验收资料已归档。"
    if mode == "behind":
        return f"受资金和用地等要素制约，目前完成约 {percent:g}%，正在协调解决。"
    return f"按计划推进，目前完成约 {percent:g}%，下一步将加快进度。"


def seed_projects(ws: Workspace, report: ReportView, sup: Actor, by_dept: dict[int | None, Actor],
                  out: Seeded, tick: Callable[[str, int], None]) -> None:
    """Placeholders from the report's counts; a share of them named (演示) with figures and monthly reports."""
    if not ws.named_project_counts(report.id):
        return
    ws.create_placeholders(SYSTEM, report.id)
    rng = random.Random(f"projects of {report.doc}")  # its own stream: the spread does not move with the task count
    today = ws.today()
    year = report.year or today.year
    depts = [d for d in ws.departments(active_only=True) if d.id in by_dept]
    chosen = []
    for kind, n in NAMED_PROJECTS.items():
        chosen += [p for p in ws.projects(report.id) if p.placeholder and p.kind == kind][:n]
    tick("重点项目：补全项目信息", len(chosen))
    named = []
    for i, p in enumerate(chosen, 1):
        plan = float(rng.choice((8000, 12000, 20000, 30000, 50000, 80000)))
        start = date(year, rng.randint(1, 8), 28) if rng.random() < 0.4 else None
        view = ws.update_project(SYSTEM, p.id, p.version, {
            "name": f"演示{'省' if p.kind == 'province' else '市'}重点项目{i:02d}", "lead_id": depts[i % len(depts)].id,
            "county": COUNTIES[i % len(COUNTIES)], "total_investment": plan * rng.choice((2, 3, 5)),
            "annual_plan": plan, "planned_start": start, "planned_finish": date(year + 1, 12, 31)})
        named.append(view)
        out.projects += 1
        tick("", 1)
    months = [date(year, m, 1) for m in range(1, today.month)]
    tick("重点项目：各单位月报与审核", len(named))
    returned = False
    # departments differ (one pushes its projects, one lets them drift), projects differ around their department
    tempo: dict[int | None, float] = {d.id: t for d, t in zip(depts, (1.3, 1.15, 1.0, 0.9, 0.75, 0.6), strict=False)}
    for p in named:
        who = by_dept[p.lead_id]
        speed = tempo.get(p.lead_id, 1.0) * rng.choice((0.6, 0.8, 0.9, 1.0, 1.1, 1.3))
        done = 0.0
        for month in months:
            share = (month.month / 12) * speed * rng.uniform(0.9, 1.1)
            done = max(done, round((p.annual_plan or 0) * min(share, 1.0), 0))
            started = p.planned_start if p.planned_start and p.planned_start.month <= month.month and speed > 0.5 \
                and p.planned_start <= today else None
            r = ws.submit_project_report(who, p.id, month=month, completed=done, started_on=started,
                                         text=f"{month.month}月完成投资 {done:g} 万元，工程按计划推进。")
            out.project_reports += 1
            if month == months[-1] and rng.random() < 0.15:
                continue  # the May report still waiting for review
            if not returned and month == months[-1]:
                ws.review_project_report(sup, r.id, False, "累计完成投资与统计联网直报数据不一致，请核实后重报")
                returned = True
                continue
            ws.review_project_report(sup, r.id, True, "")
        tick("", 1)
