"""Role boundaries of ``/api/v1`` on SQLite and PostgreSQL: who may write what, and that a refusal writes nothing.

- admin: everything;
- supervisor: assign, split, merge, close, review, reopen, extensions, publish, sheets (not accounts or imports);
- department: reads; feedback and extension requests only on tasks it leads or helps with;
- viewer: reads only.

Every write route of the API is tried as every role (``WRITES`` must name
them all: a new route without a role test fails ``test_every_write_route_is_tried``),
each against a target the permitted roles can really change, so a 2xx for one
role and a 403 for another are the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from govledger.workspace.rules import workspace_rules
from tests.workspace.conftest import ACCOUNTS, GUANGYUAN, PASSWORD, Api

ADMIN_ONLY = {"POST /users", "PATCH /users/{user_id}", "POST /departments", "PATCH /departments/{department_id}",
              "POST /reports"}
DEPARTMENT_MAY = {"POST /tasks/{task_id}/feedback", "POST /tasks/{task_id}/extensions"}


@dataclass
class Scene:
    """Targets every write can succeed on: tasks in each state, a pending feedback and extension, spare accounts."""

    own: dict[str, Any]  # led by 市发展改革委 (fgw)
    helped: dict[str, Any]  # led by 市财政局, 市发展改革委 helps
    foreign: dict[str, Any]  # led by 市住房城乡建设局 (zjj)
    unassigned: dict[str, Any]
    plain: list[dict[str, Any]]  # unassigned tasks to edit, split, merge and close
    closed: dict[str, Any]
    feedback_id: int
    extension_id: int
    user_id: int
    department_id: int


@pytest.fixture
def scene(api: Api) -> Scene:
    tasks = [t for t in api.all_tasks() if t["indicator"] is None]
    own = api.assign(tasks[0], "市发展改革委")
    helped = api.assign(tasks[1], "市财政局", co=("市发展改革委",))
    foreign = api.assign(tasks[2], "市住房城乡建设局")
    reviewed = api.assign(tasks[3], "市住房城乡建设局")
    r = api.feedback("zjj", reviewed, percent=40)
    assert r.status_code == 201, r.text
    extended = api.assign(tasks[4], "市住房城乡建设局")
    ext = api.ok("zjj", "POST", f"/tasks/{extended['id']}/extensions", 201,
                 json={"new_deadline": "2025-03-31", "reason": "汛期"})
    closed = api.ok("sup", "POST", f"/tasks/{tasks[5]['id']}/close", json={})
    user = api.ok("admin", "POST", "/users", 201, json={"username": "spare", "password": PASSWORD, "role": "viewer"})
    return Scene(own=own, helped=helped, foreign=foreign, unassigned=tasks[6], plain=tasks[7:11], closed=closed,
                 feedback_id=r.json()["id"], extension_id=ext["id"], user_id=user["id"],
                 department_id=api.depts["市教育局"])


# route (as declared) → the request, built when it is sent so that it names the current versions
Request = tuple[str, str, Callable[[Api, Scene], dict[str, Any]]]


def _sheet(api: Api, s: Scene) -> dict[str, Any]:
    data = api.call("admin", "GET", f"/reports/{api.report_id}/sheet").content
    return {"files": {"file": ("任务分解表.xlsx", data)}}


def _version(api: Api, task: dict[str, Any]) -> int:
    return int(api.task(task["id"])["version"])


WRITES: list[Request] = [
    ("POST /users", "/users", lambda a, s: {"json": {"username": "new1", "password": PASSWORD, "role": "viewer"}}),
    ("PATCH /users/{user_id}", "/users/{user}", lambda a, s: {"json": {"role": "supervisor"}}),
    ("POST /departments", "/departments", lambda a, s: {"json": {"name": "市审计局"}}),
    ("PATCH /departments/{department_id}", "/departments/{department}", lambda a, s: {"json": {"email": "x@example.org"}}),
    ("POST /reports", "/reports", lambda a, s: {"files": {"file": ("guangyuan_2024.txt", GUANGYUAN.read_bytes())}}),
    ("PATCH /reports/{report_id}", "/reports/{report}", lambda a, s: {"json": {"public": True}}),
    ("POST /reports/{report_id}/sheet", "/reports/{report}/sheet", _sheet),
    ("PATCH /tasks/{task_id}", "/tasks/{plain0}",
     lambda a, s: {"json": {"version": _version(a, s.plain[0]), "lead_id": a.depts["市教育局"]}}),
    ("POST /tasks/{task_id}/split", "/tasks/{plain1}/split",
     lambda a, s: {"json": {"version": _version(a, s.plain[1]), "parts": [{"content": "一"}, {"content": "二"}]}}),
    ("POST /tasks/merge", "/tasks/merge", lambda a, s: {"json": {"task_ids": [s.plain[2]["id"], s.plain[3]["id"]]}}),
    ("POST /tasks/{task_id}/close", "/tasks/{plain0}/close", lambda a, s: {"json": {"note": "销号"}}),
    ("POST /tasks/{task_id}/reopen", "/tasks/{closed}/reopen", lambda a, s: {"json": {"note": "重新打开"}}),
    ("POST /tasks/{task_id}/feedback", "/tasks/{own}/feedback", lambda a, s: {"data": {"text": "进展", "percent": "30"}}),
    ("POST /feedback/{feedback_id}/review", "/feedback/{feedback}/review", lambda a, s: {"json": {"approve": True}}),
    ("POST /tasks/{task_id}/extensions", "/tasks/{own}/extensions",
     lambda a, s: {"json": {"new_deadline": "2025-06-30", "reason": "资金未到位"}}),
    ("POST /extensions/{extension_id}/decide", "/extensions/{extension}/decide", lambda a, s: {"json": {"grant": True}}),
]


def _path(template: str, api: Api, s: Scene) -> str:
    return template.format(user=s.user_id, department=s.department_id, report=api.report_id, plain0=s.plain[0]["id"],
                           plain1=s.plain[1]["id"], closed=s.closed["id"], own=s.own["id"], feedback=s.feedback_id,
                           extension=s.extension_id)


def _send(api: Api, who: str, s: Scene, request: Request) -> Any:
    route, template, build = request
    method = route.split()[0]
    return api.call(who, method, _path(template, api, s), **build(api, s))


def test_every_write_route_is_tried() -> None:
    from fastapi.routing import APIRoute

    from govledger.serve.workspace.api import router

    declared = {f"{m} {r.path.removeprefix('/api/v1')}" for r in router.routes if isinstance(r, APIRoute)
                for m in r.methods - {"GET", "HEAD"}}
    assert len(declared) > 10
    # every user's own credentials (log-in, own password, own tokens): each role may, tested in test_hardening.py
    own = {"POST /auth/token", "POST /me/password", "DELETE /tokens/{token_id}"}
    assert declared - own == {route for route, _, _ in WRITES}


@pytest.mark.parametrize("who", ["admin", "sup", "fgw", "guest"])
def test_write_matrix(api: Api, scene: Scene, who: str) -> None:
    role = ACCOUNTS[who][0]
    # separation of duties (issue 12): only the responsible departments report; the office reviews
    allowed = {"admin": {r for r, _, _ in WRITES} - DEPARTMENT_MAY,
               "supervisor": {r for r, _, _ in WRITES} - ADMIN_ONLY - DEPARTMENT_MAY,
               "department": DEPARTMENT_MAY, "viewer": set()}[role]
    for request in WRITES:
        route = request[0]
        before = api.state()
        r = _send(api, who, scene, request)
        if route in allowed:
            assert r.status_code in (200, 201), f"{who} {route}: {r.status_code} {r.text}"
        else:
            assert r.status_code == 403, f"{who} {route}: {r.status_code} {r.text}"
            label = workspace_rules()["roles"][role]["label"]  # the role's Chinese name, never its code
            assert r.json()["error"] == f"当前角色（{label}）无权执行此操作"
            assert api.state() == before, f"{who} {route} changed the database"


@pytest.mark.parametrize("who", ["sup", "fgw", "guest"])
def test_admin_only_endpoints_are_refused(api: Api, who: str) -> None:
    dept = api.depts["市教育局"]
    sup_id = next(u["id"] for u in api.ok("admin", "GET", "/users") if u["username"] == "sup")
    before = api.state()
    for method, path, kw in (
        ("GET", "/users", {}),
        ("POST", "/users", {"json": {"username": "x1", "password": PASSWORD, "role": "admin"}}),
        ("PATCH", f"/users/{sup_id}", {"json": {"role": "admin"}}),
        ("PATCH", f"/users/{sup_id}", {"json": {"active": False}}),
        ("POST", "/departments", {"json": {"name": "市审计局"}}),
        ("PATCH", f"/departments/{dept}", {"json": {"active": False}}),
        ("POST", "/reports", {"files": {"file": ("guangyuan_2024.txt", GUANGYUAN.read_bytes())}}),
        ("POST", "/reports", {"files": {"file": ("x.txt", b"not a report")}}),  # refused before it is read
    ):
        r = api.call(who, method, path, **kw)
        assert r.status_code == 403, (who, method, path, r.text)
    assert api.state() == before
    # a user cannot raise its own role either
    me = api.ok(who, "GET", "/me")
    assert api.call(who, "PATCH", f"/users/{me['id']}", json={"role": "admin"}).status_code == 403


@pytest.mark.parametrize("who", ["admin", "sup", "fgw", "zjj", "guest"])
def test_every_role_reads(api: Api, scene: Scene, who: str) -> None:
    report = api.report_id
    for path in ("/me", "/reports", f"/reports/{report}", f"/reports/{report}/dashboard", f"/reports/{report}/sheet",
                 "/departments", f"/tasks?report_id={report}", f"/tasks/{scene.foreign['id']}",
                 f"/tasks/{scene.foreign['id']}/history", "/feedback", "/extensions", "/digest",
                 f"/audit?task_id={scene.foreign['id']}"):
        r = api.call(who, "GET", path)
        assert r.status_code == 200, (who, path, r.text)
    fb = api.ok(who, "GET", f"/tasks/{scene.own['id']}")
    assert fb["task"]["lead"] == "市发展改革委"
    # the whole audit log is for those who supervise
    assert api.call(who, "GET", "/audit").status_code == (200 if who in ("admin", "sup") else 403)


def test_department_reports_only_on_its_own_tasks(api: Api, scene: Scene) -> None:
    ext = {"new_deadline": "2025-06-30", "reason": "资金未到位"}
    for task in (scene.foreign, scene.unassigned):
        before = api.state()
        r = api.feedback("fgw", task, "不该由我报", percent=50)
        assert r.status_code == 403 and r.json()["error"] == f"任务 {task['seq']} 不是本单位的任务"
        r = api.call("fgw", "POST", f"/tasks/{task['id']}/extensions", json=ext)
        assert r.status_code == 403 and "不是本单位的任务" in r.json()["error"]
        assert api.state() == before
    # as lead and as co-department it may
    for task in (scene.own, scene.helped):
        fb = api.feedback("fgw", task, "按计划推进", percent=50)
        assert fb.status_code == 201 and fb.json()["author"] == "fgw", fb.text
        assert api.call("fgw", "POST", f"/tasks/{task['id']}/extensions", json=ext).status_code == 201
    # but it cannot approve its own report, decide its own extension, or close the task
    fb_id = api.ok("sup", "GET", "/feedback")[-1]["feedback"]["id"]
    ext_id = api.ok("sup", "GET", "/extensions")[-1]["extension"]["id"]
    before = api.state()
    assert api.call("fgw", "POST", f"/feedback/{fb_id}/review", json={"approve": True}).status_code == 403
    assert api.call("fgw", "POST", f"/extensions/{ext_id}/decide", json={"grant": True}).status_code == 403
    assert api.call("fgw", "POST", f"/tasks/{scene.own['id']}/close", json={}).status_code == 403
    assert api.call("fgw", "PATCH", f"/tasks/{scene.own['id']}", json={
        "version": _version(api, scene.own), "deadline": "2025-12-31"}).status_code == 403
    assert api.state() == before
    # the boundary follows the assignment: dropped as co-department, the task is no longer its own
    helped = api.task(scene.helped["id"])
    api.patch(helped, co_ids=[])
    assert api.feedback("fgw", helped).status_code == 403
    # added as co-department to another department's task, it may report on it
    api.patch(api.task(scene.foreign["id"]), co_ids=[api.depts["市发展改革委"]])
    assert api.feedback("fgw", scene.foreign, "协助完成").status_code == 201


def test_department_of_a_moved_user_follows_the_user(api: Api, scene: Scene) -> None:
    """An account moved to another department loses the old department's tasks at once (same token)."""
    fgw = next(u for u in api.ok("admin", "GET", "/users") if u["username"] == "fgw")
    api.ok("admin", "PATCH", f"/users/{fgw['id']}", json={"department_id": api.depts["市住房城乡建设局"]})
    assert api.feedback("fgw", scene.own).status_code == 403
    assert api.feedback("fgw", scene.foreign).status_code == 201


def test_supervisor_and_admin_do_not_file_feedback(api: Api, scene: Scene) -> None:
    """Separation of duties (issue 12 item 3, which reverses the earlier "督查组现场核实" rule): the office reviews,
    only the responsible departments report; nothing is written by a refused report."""
    before = api.state()
    for who in ("sup", "admin"):
        r = api.feedback(who, scene.foreign, "督查组现场核实", percent=20)
        assert r.status_code == 403, r.text
        ext = api.call(who, "POST", f"/tasks/{scene.unassigned['id']}/extensions", json={
            "new_deadline": "2025-06-30", "reason": "统筹调整"})
        assert ext.status_code == 403
    assert api.state() == before


def test_a_disabled_or_unknown_account_cannot_write(api: Api, scene: Scene) -> None:
    sup_id = next(u["id"] for u in api.ok("admin", "GET", "/users") if u["username"] == "sup")
    api.ok("admin", "PATCH", f"/users/{sup_id}", json={"active": False})
    before = api.state()
    for who in ("sup", None):
        r = _send(api, who, scene, WRITES[7]) if who else api.call(None, "PATCH", f"/tasks/{scene.plain[0]['id']}",
                                                                      json={"version": 1, "weight": 2})
        assert r.status_code == 401, r.text
    assert api.state() == before


def test_evidence_is_read_by_the_tasks_departments_and_the_office_only(api: Api) -> None:
    """Issue 12 item 3: another department or a viewer cannot download a task's evidence; nothing is leaked."""
    from tests.workspace.conftest import PDF

    tasks = [t for t in api.all_tasks() if t["indicator"] is None]
    task = api.assign(tasks[0], "市发展改革委", co=("市财政局",))
    r = api.feedback("fgw", task, percent=10, files=[("files", ("佐证.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    attachment = r.json()["attachments"][0]["id"]
    for who, code in (("fgw", 200), ("czj", 200), ("sup", 200), ("admin", 200), ("zjj", 403), ("guest", 403)):
        got = api.call(who, "GET", f"/attachments/{attachment}")
        assert got.status_code == code, (who, got.status_code)
        if code == 403:
            assert PDF not in got.content


def test_nobody_reviews_their_own_request(api: Api) -> None:
    """A user who filed feedback (say, as a department contact later made supervisor) cannot approve it."""
    tasks = [t for t in api.all_tasks() if t["indicator"] is None]
    task = api.assign(tasks[0], "市发展改革委")
    fb = api.feedback("fgw", task, percent=50).json()
    ext = api.ok("fgw", "POST", f"/tasks/{task['id']}/extensions", 201, json={"new_deadline": "2025-06-30", "reason": "x"})
    fgw_id = api.ok("fgw", "GET", "/me")["id"]
    api.ok("admin", "PATCH", f"/users/{fgw_id}", json={"role": "supervisor"})
    before = api.state()
    own = api.call("fgw", "POST", f"/feedback/{fb['id']}/review", json={"approve": True})
    assert own.status_code == 403 and "自己" in own.json()["error"]
    own_ext = api.call("fgw", "POST", f"/extensions/{ext['id']}/decide", json={"grant": True})
    assert own_ext.status_code == 403
    assert api.state() == before
    assert api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": True}).status_code == 200
