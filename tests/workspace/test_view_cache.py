"""The cached task views are refreshed, not rebuilt, after a write, and always equal a fresh build.

``ReadingMixin.all_views`` keeps a report's views and, when the report's
version moves, rebuilds only the views of tasks whose version moved and of
parents whose roll-up moved. These tests drive a random sequence of real
writes (feedback and approval, edits, 交办, split, merge, 延期, 催办, 季度形象进度,
办结 and reopening, a renamed department) on 雅安 2024, through the service
that holds the cache, and after each compare its views with those a new
``Workspace`` on the same database builds from nothing; on SQLite and, with
``GOVLEDGER_TEST_PG_URL``, on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from govledger.errors import WorkspaceError
from govledger.workspace import SYSTEM, Actor, TaskFilter, Workspace
from tests.workspace.conftest import TODAY, Api


def _actors(api: Api) -> dict[str, Actor]:
    return {u.username: Actor(u.id, u.username, u.role, u.department_id) for u in api.ws.users(SYSTEM)}


def _fresh(api: Api) -> list[Any]:
    """The report's views as a workspace with empty caches builds them (the rows read afresh)."""
    return Workspace(api.ws.store, today=TODAY).all_views(api.report_id)


def _write(api: Api, ws: Any, actors: dict[str, Actor], rng: random.Random, step: int) -> str:
    """One random real write on the report; returns its name (a refused one still counts: it must change nothing)."""
    views = ws.all_views(api.report_id)
    leaves = [v for v in views if v.n_children == 0 and v.stage != "closed"]
    task = rng.choice(leaves)
    sup, depts = actors["sup"], list(api.depts.values())
    kind = rng.choice(("feedback", "feedback", "edit", "assign", "split", "merge", "extension", "remind",
                       "milestones", "close", "reopen"))
    if kind == "feedback":
        lead = task.lead_id or depts[0]
        if task.lead_id is None:
            ws.update_task(sup, task.id, task.version, {"lead_id": lead})
        who = next(a for a in actors.values() if a.role == "department" and a.department_id == lead)
        if who is None:
            return "skip"
        fb = ws.submit_feedback(who, task.id, text="按计划推进", percent=float(rng.randint(5, 100)))
        if rng.random() < 0.8:
            ws.review_feedback(sup, fb.id, True)
    elif kind == "edit":
        ws.update_task(sup, task.id, task.version, {"weight": float(rng.randint(1, 4)),
                                                    "deadline": task.deadline - timedelta(days=rng.randint(0, 90))})
    elif kind == "assign":
        ws.assign_tasks(sup, api.report_id, {v.id: (rng.choice(depts), [rng.choice(depts)])
                                             for v in rng.sample(leaves, 5)})
    elif kind == "split":
        ws.split_task(sup, task.id, task.version, [(f"{task.content}（第{k}部分）", float(k)) for k in (1, 2, 3)])
    elif kind == "merge":
        a, b = rng.sample([v for v in leaves if v.parent_id is None], 2)
        ws.merge_tasks(sup, [a.id, b.id])
    elif kind == "extension":
        lead = task.lead_id or depts[1]
        if task.lead_id is None:
            ws.update_task(sup, task.id, task.version, {"lead_id": lead})
        who = next(a for a in actors.values() if a.role == "department" and a.department_id == lead)
        ext = ws.request_extension(who, task.id, task.deadline + timedelta(days=30), "施工期延长")
        ws.decide_extension(sup, ext.id, rng.random() < 0.7)
    elif kind == "remind":
        if task.lead_id is None:
            ws.update_task(sup, task.id, task.version, {"lead_id": depts[2]})
        ws.remind_task(sup, task.id, "请抓紧推进")
    elif kind == "milestones":
        ws.set_task_milestones(sup, task.id, {1: (10.0, "完成前期"), 2: (float(rng.randint(20, 60)), "开工")})
    elif kind == "close":
        ws.close_task(sup, task.id, task.version, "已办结")
    else:
        closed = [v for v in views if v.stage == "closed"]
        if not closed:
            return "skip"
        ws.reopen_task(actors["admin"], closed[0].id, closed[0].version, "重新推进")
    return kind


def test_refreshed_views_equal_a_fresh_build_after_random_writes(api: Api) -> None:
    ws = api.ws
    actors = _actors(api)
    # some of the report split in parts, some progress, so the roll-up has parents at two depths
    first = ws.all_views(api.report_id)
    for v in first[:6]:
        parts = ws.split_task(SYSTEM, v.id, v.version, [(f"{v.content}（{k}）", 1.0) for k in (1, 2)])
        ws.split_task(SYSTEM, parts[0].id, parts[0].version, [(f"{parts[0].content}（{k}）", 1.0) for k in (1, 2)])
    assert ws.all_views(api.report_id) == _fresh(api)
    rng = random.Random(20240901)
    done: list[str] = []
    reused_after_one_task = 0
    for step in range(45):
        before = {v.id: v for v in ws.all_views(api.report_id)}
        try:
            kind = _write(api, ws, actors, rng, step)
        except WorkspaceError:  # a write the rules refuse (merge of a part, feedback on a closed task) changes nothing
            kind = "refused"
        done.append(kind)
        after = ws.all_views(api.report_id)
        assert after == _fresh(api), f"step {step} ({kind}) left the cached views different from a fresh build"
        if kind in ("edit", "close", "milestones"):
            reused_after_one_task += sum(1 for v in after if before.get(v.id) is v)
    # a department renamed: every view shows the new name
    ws.update_department(SYSTEM, api.depts["市财政局"], name="市财政局（国资委）")
    assert ws.all_views(api.report_id) == _fresh(api)
    assert any(v.lead == "市财政局（国资委）" for v in _fresh(api)) or not any(
        v.lead_id == api.depts["市财政局"] for v in _fresh(api))
    assert {"feedback", "split", "merge", "close", "extension", "remind", "milestones"} <= set(done), done
    # the refresh really is incremental: after a one-task write most views are the very same objects
    assert reused_after_one_task > 100


def test_project_writes_leave_the_task_views_cached(api: Api) -> None:
    """重点项目 writes (placeholders, edits, 月报 and its review) are audited but do not touch the task views."""
    ws = api.ws
    actors = _actors(api)
    views = ws.all_views(api.report_id)
    assert ws.create_placeholders(actors["admin"], api.report_id) > 0
    project = ws.projects(api.report_id)[0]
    project = ws.update_project(actors["admin"], project.id, project.version,
                                {"name": "雅安经开区标准厂房项目", "lead_id": api.depts["市发展改革委"], "annual_plan": 5000.0})
    month = date(TODAY.year, TODAY.month, 1) - timedelta(days=1)
    row = ws.submit_project_report(actors["fgw"], project.id, month=month, completed=1200.0, text="主体完工")
    ws.review_project_report(actors["sup"], row.id, True)
    assert ws.all_views(api.report_id) is views
    # and a task write still refreshes them
    task = next(v for v in views if v.n_children == 0)
    ws.update_task(actors["sup"], task.id, task.version, {"weight": 2.0})
    assert ws.all_views(api.report_id) is not views
    assert ws.all_views(api.report_id) == _fresh(api)


def test_my_tasks_read_every_report_with_one_key_query(api: Api) -> None:
    """An unfiltered list (我的任务 reads every report) matches the per-report views and sees a write at once."""
    ws = api.ws
    fgw = api.depts["市发展改革委"]
    task = ws.all_views(api.report_id)[3]
    ws.update_task(SYSTEM, task.id, task.version, {"lead_id": fgw})
    mine = ws.list_tasks(TaskFilter(department_id=fgw), per_page=500).items
    assert [v.id for v in mine] == [v.id for v in ws.all_views(api.report_id) if v.lead_id == fgw or fgw in v.co_ids]
    page = api.client.get("/my", headers={"Authorization": f"Bearer {api.tokens['fgw']}"})
    assert page.status_code == 200 and task.content[:20] in page.text
    # 我的任务's queue: the department's unsplit tasks, 逾期 first, then by deadline; kept until one changes
    queue = ws.department_queue(fgw)
    assert queue is ws.department_queue(fgw)
    order = ["overdue", "behind", "in_progress", "not_started", "done"]
    assert [v.id for v in queue] == [v.id for v in sorted((v for v in mine if not v.n_children),
                                                          key=lambda v: (order.index(v.status), v.deadline))]
    ws.update_task(SYSTEM, task.id, ws.task(task.id).version, {"deadline": date(2024, 8, 1)})
    moved = ws.department_queue(fgw)
    assert moved is not queue and moved[0].id == task.id and moved[0].status == "overdue"
    # the runs kept per report and merged give the order a full sort of the department's tasks gives
    mine = ws.list_tasks(TaskFilter(department_id=fgw), per_page=500).items
    assert [v.id for v in moved] == [v.id for v in sorted((v for v in mine if not v.n_children),
                                                          key=lambda v: (order.index(v.status), v.deadline))]


def test_a_task_changed_without_a_version_bump_still_refreshes(api: Api) -> None:
    """Every change to a task moves its version (``AuditGuard``), so the refresh never keeps a stale view of it."""
    from govledger.store.work_models import TaskRow

    ws = api.ws
    task = ws.all_views(api.report_id)[0]
    with ws._write() as session:
        row = session.get(TaskRow, task.id)
        assert row is not None
        row.content = "未经服务层的修改"
        ws._audit(session, SYSTEM, "task.update", "task", task.id, task_id=task.id, report_id=api.report_id,
                  before={"content": task.content}, after={"content": row.content})
    now = ws.task(task.id)
    assert now.content == "未经服务层的修改" and now.version == task.version + 1
    assert ws.all_views(api.report_id) == _fresh(api)


def test_the_server_builds_every_view_when_it_starts(api: Api) -> None:
    """``govledger serve`` warms the views in the background at start-up (and after midnight): the first
    我的任务 of a new server reads built views, and they equal a fresh build."""
    from fastapi.testclient import TestClient

    from govledger.serve.workspace.app import create_app

    ws = Workspace(api.ws.store, today=TODAY)
    assert not ws._cache
    app = create_app(ws, warm_views=True)
    with TestClient(app):
        assert app.state.warmer.ready.wait(60), "the views were not built in the background"
    assert set(ws._cache) >= {api.report_id}
    assert ws._cache[api.report_id].views == _fresh(api)
    queues = {d: ws._department_queues[d][1] for d in api.depts.values()}  # every department's 我的任务, sorted
    assert all(q is ws.department_queue(d) for d, q in queues.items())  # a request reuses them
    assert sum(len(q) for q in queues.values()) == sum(1 for v in _fresh(api) if v.lead_id and not v.n_children)
    # the app tests build leave it off: no thread, nothing built behind their back
    assert create_app(Workspace(api.ws.store, today=TODAY)).state.warmer is None
