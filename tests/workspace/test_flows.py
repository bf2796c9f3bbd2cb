"""``/api/v1`` flows end to end on SQLite and on the real PostgreSQL server: the office's year, step by step, with each role.

The workspace holds the real 雅安 2024 report (one task per actionable plan sentence); ``today`` is
fixed at 2024-09-01 so 序时进度 and statuses do not drift with the calendar.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from govledger.store.db import resolve_url
from tests.conftest import REPORTS
from tests.store_support import store_url  # noqa: F401  (fixture)
from tests.workspace.conftest import form_login

YAAN = REPORTS / "yaan_2024.txt"
TODAY = date(2024, 9, 1)
PASSWORD = "correct horse battery"
ROLES = {"admin": ("admin", None), "sup": ("supervisor", None), "fgw": ("department", "市发展改革委"),
         "zjj": ("department", "市住房城乡建设局"), "guest": ("viewer", None)}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def yaan_ledger() -> Any:
    from govledger.pipeline import build_ledger

    return build_ledger(YAAN)


class Api:
    """A test client with one bearer token per role, and the ids the tests need."""

    def __init__(self, client: TestClient, tokens: dict[str, str], depts: dict[str, int], report_id: int,
                 url: str) -> None:
        self.client, self.tokens, self.depts, self.report_id, self.url = client, tokens, depts, report_id, url

    def call(self, who: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, "/api/v1" + path, headers=headers, **kw)

    def tasks(self, who: str = "admin", **params: Any) -> dict[str, Any]:
        r = self.call(who, "GET", "/tasks", params={"report_id": self.report_id, "per_page": 500, **params})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def task(self, seq: str) -> dict[str, Any]:
        return next(t for t in self.tasks()["items"] if t["seq"] == seq)

    def find(self, predicate: Any) -> dict[str, Any]:
        return next(t for t in self.tasks()["items"] if predicate(t))

    def assign(self, task: dict[str, Any], lead: str, co: tuple[str, ...] = ()) -> dict[str, Any]:
        r = self.call("sup", "PATCH", f"/tasks/{task['id']}", json={
            "version": task["version"], "lead_id": self.depts[lead], "co_ids": [self.depts[c] for c in co]})
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture()
def api(store_url: str, yaan_ledger: Any) -> Iterator[Api]:  # noqa: F811
    from govledger.serve.workspace.app import create_app
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    store = open_store(store_url)
    ws = Workspace(store, today=TODAY)
    depts = {name: ws.add_department(SYSTEM, name).id for name in ("市发展改革委", "市住房城乡建设局", "市财政局")}
    for username, (role, dept) in ROLES.items():
        ws.add_user(SYSTEM, username, PASSWORD, role, department_id=depts[dept] if dept else None)
    ws.import_ledger(SYSTEM, yaan_ledger)
    client = TestClient(create_app(ws))
    tokens = {}
    for username in ROLES:
        r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        tokens[username] = r.json()["token"]
    try:
        yield Api(client, tokens, depts, ws.reports()[0].id, store_url)
    finally:
        client.close()
        store.close()


# ----------------------------------------------------------------------------- auth


def test_tokens_and_logins(api: Api) -> None:
    assert api.call(None, "GET", "/tasks").status_code == 401
    assert api.client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    bad = api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong password"})
    assert bad.status_code == 401 and bad.json()["error"] == "用户名或密码错误"
    me = api.call("fgw", "GET", "/me").json()
    assert me["role"] == "department" and me["department"] == "市发展改革委"
    # a disabled account's token stops working at once
    fgw_id = me["id"]
    assert api.call("admin", "PATCH", f"/users/{fgw_id}", json={"active": False}).status_code == 200
    assert api.call("fgw", "GET", "/me").status_code == 401


def test_cookie_sessions_need_the_csrf_header(api: Api) -> None:
    c = api.client
    r = form_login(c, {"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    denied = c.post("/api/v1/departments", json={"name": "市教育局"})
    assert denied.status_code == 403 and "CSRF" in denied.json()["error"]
    c.cookies.clear()


# ----------------------------------------------------------------------------- admin endpoints and roles


@pytest.mark.parametrize("who", ["sup", "fgw", "guest"])
def test_admin_endpoints_refuse_other_roles(api: Api, who: str) -> None:
    assert api.call(who, "GET", "/users").status_code == 403
    assert api.call(who, "POST", "/users", json={"username": "x1", "password": PASSWORD, "role": "viewer"}
                    ).status_code == 403
    assert api.call(who, "POST", "/departments", json={"name": "市教育局"}).status_code == 403
    assert api.call(who, "PATCH", f"/departments/{api.depts['市财政局']}", json={"active": False}).status_code == 403
    r = api.call(who, "POST", "/reports", files={"file": ("yaan_2024.txt", YAAN.read_bytes())})
    assert r.status_code == 403


def test_admin_manages_users_and_departments(api: Api) -> None:
    r = api.call("admin", "POST", "/departments", json={"name": "市教育局", "email": "jyj@example.org"})
    assert r.status_code == 201
    dept = r.json()
    assert api.call("admin", "POST", "/departments", json={"name": "市教育局"}).status_code == 409
    assert api.call("admin", "PATCH", f"/departments/{dept['id']}", json={"email": "not-an-address"}
                    ).status_code == 422
    assert api.call("admin", "PATCH", f"/departments/{dept['id']}", json={"name": "市教育体育局"}).json()["name"] \
        == "市教育体育局"
    assert any(d["name"] == "市教育体育局" for d in api.call("guest", "GET", "/departments").json())
    new = api.call("admin", "POST", "/users", json={
        "username": "jyj", "password": PASSWORD, "role": "department", "department_id": dept["id"]})
    assert new.status_code == 201 and new.json()["department"] == "市教育体育局"
    assert api.call("admin", "POST", "/users", json={"username": "x", "password": PASSWORD, "role": "department"}
                    ).status_code == 422  # a department user needs a department
    assert api.call("admin", "POST", "/users", json={"username": "y", "password": "short", "role": "viewer"}
                    ).status_code == 422
    users = api.call("admin", "GET", "/users").json()
    assert {u["username"] for u in users} >= {"admin", "jyj", "guest"}
    me = next(u for u in users if u["username"] == "admin")
    assert api.call("admin", "PATCH", f"/users/{me['id']}", json={"active": False}).status_code == 422


@pytest.mark.parametrize("who", ["guest", "fgw"])
def test_read_only_roles_cannot_change_tasks(api: Api, who: str) -> None:
    t = api.task("1")
    tid = t["id"]
    assert api.call(who, "PATCH", f"/tasks/{tid}", json={"version": t["version"], "weight": 2}).status_code == 403
    assert api.call(who, "POST", f"/tasks/{tid}/split", json={
        "version": t["version"], "parts": [{"content": "a"}, {"content": "b"}]}).status_code == 403
    assert api.call(who, "POST", "/tasks/merge", json={"task_ids": [tid, tid + 1]}).status_code == 403
    assert api.call(who, "POST", f"/tasks/{tid}/close", json={}).status_code == 403
    assert api.call(who, "PATCH", f"/reports/{api.report_id}", json={"public": True}).status_code == 403
    assert api.call(who, "GET", "/audit").status_code == 403
    assert api.call(who, "GET", f"/tasks/{tid}").status_code == 200  # reading is fine
    assert api.task("1")["version"] == t["version"]


def test_viewer_cannot_file_feedback_or_extensions(api: Api) -> None:
    t = api.assign(api.task("4"), "市发展改革委")
    r = api.call("guest", "POST", f"/tasks/{t['id']}/feedback", data={"text": "进展", "percent": "10"})
    assert r.status_code == 403
    r = api.call("guest", "POST", f"/tasks/{t['id']}/extensions", json={"new_deadline": "2025-03-31", "reason": "x"})
    assert r.status_code == 403


# ----------------------------------------------------------------------------- the flow


def _numeric_task(api: Api) -> dict[str, Any]:
    """A count target from the report (改造老旧小区228个): progress comes from the current value."""
    return api.find(lambda t: t["measure"] == "value" and t["target_unit"] == "个" and t["bound"] == "exact"
                    and (t["target_value"] or 0) >= 50)


def test_department_files_feedback_only_on_its_own_tasks(api: Api) -> None:
    own = api.assign(_numeric_task(api), "市住房城乡建设局", co=("市财政局",))
    other = api.assign(api.task("1"), "市发展改革委")
    r = api.call("zjj", "POST", f"/tasks/{other['id']}/feedback", data={"text": "不该由我报"})
    assert r.status_code == 403 and "不是本单位的任务" in r.json()["error"]
    r = api.call("zjj", "POST", f"/tasks/{other['id']}/extensions", json={"new_deadline": "2025-06-30", "reason": "x"})
    assert r.status_code == 403
    half = own["target_value"] / 2
    r = api.call("zjj", "POST", f"/tasks/{own['id']}/feedback", data={
        "text": "已完成一半", "current_value": str(half), "reported_on": "2024-08-30"},
        files=[("files", ("进度照片.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    fb = r.json()
    assert fb["state"] == "pending" and fb["author"] == "zjj" and fb["attachments"][0]["size"] == len(PDF)
    # pending feedback does not count
    assert api.task(own["seq"])["progress"] == 0 and api.task(own["seq"])["stage"] == "reported"
    listed = api.call("sup", "GET", "/feedback", params={"report_id": api.report_id}).json()
    assert [x["feedback"]["id"] for x in listed] == [fb["id"]]
    assert api.call("zjj", "POST", f"/feedback/{fb['id']}/review", json={"approve": True}).status_code == 403
    assert api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": True}).status_code == 200
    assert api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": True}).status_code == 409
    after = api.task(own["seq"])
    assert after["progress"] == 50.0 and after["current_value"] == half and after["stage"] == "assigned"
    assert api.call("guest", "GET", f"/attachments/{fb['attachments'][0]['id']}").status_code == 403
    download = api.call("sup", "GET", f"/attachments/{fb['attachments'][0]['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    # the co-department may report too
    r = api.call("admin", "POST", "/users", json={"username": "czj", "password": PASSWORD, "role": "department",
                                                  "department_id": api.depts["市财政局"]})
    token = api.client.post("/api/v1/auth/token", json={"username": "czj", "password": PASSWORD}).json()["token"]
    api.tokens["czj"] = token
    assert api.call("czj", "POST", f"/tasks/{own['id']}/feedback", data={"text": "资金已拨付"}).status_code == 201


def test_return_needs_a_reason_and_does_not_count(api: Api) -> None:
    t = api.assign(api.task("1"), "市发展改革委")  # 地区生产总值增长6.5%左右: a growth rate, judged by its figure
    fb = api.call("fgw", "POST", f"/tasks/{t['id']}/feedback", data={"text": "上半年增长6.1%", "current_value": "6.1",
                                                                      "percent": "60"}).json()
    r = api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": False})
    assert r.status_code == 422 and "理由" in r.json()["error"]
    r = api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": False, "note": "缺统计局数据"})
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert api.task("1")["progress"] == 0
    fb2 = api.call("fgw", "POST", f"/tasks/{t['id']}/feedback", data={"text": "补充数据", "current_value": "6.1",
                                                                       "percent": "70"}).json()
    api.call("sup", "POST", f"/feedback/{fb2['id']}/review", json={"approve": True})
    done = api.task("1")
    assert done["content"] == "地区生产总值增长6.5%左右"
    assert done["progress"] == 93.8  # the approved figure against the target, not the percent typed beside it
    assert done["status"] == "in_progress"  # 6.1 of 6.5: short of it, ahead of 序时进度 (67% on 1 September)


def test_statuses_are_derived_and_filterable(api: Api) -> None:
    t = api.task("9")
    api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": t["version"], "deadline": "2024-08-31"})
    everything = api.tasks()
    counts: dict[str, int] = {}
    for t in everything["items"]:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    overdue = [t for t in everything["items"] if t["deadline"] < TODAY.isoformat()]
    assert overdue and all(t["status"] == "overdue" and t["status_label"] == "逾期" for t in overdue)
    # nothing reported by September while 67% of the year has gone: 滞后, with its pace word
    behind = [t for t in everything["items"] if t["deadline"] == "2024-12-31"]
    assert behind and all(t["status"] == "behind" and t["pace"] == "behind" for t in behind)
    for status, n in counts.items():
        page = api.tasks(status=status)
        assert page["total"] == n and all(t["status"] == status for t in page["items"])
    assert api.call("admin", "GET", "/tasks", params={"status": "late"}).status_code == 422


def test_pagination_and_filters(api: Api) -> None:
    total = api.tasks()["total"]
    assert total > 50
    seen = []
    for page in range(1, -(-total // 50) + 1):
        r = api.call("guest", "GET", "/tasks", params={"report_id": api.report_id, "page": page, "per_page": 50}).json()
        assert r["total"] == total and r["page"] == page
        seen += [t["id"] for t in r["items"]]
    assert len(seen) == total == len(set(seen))
    gdp = api.tasks(indicator="gdp")
    assert gdp["total"] >= 1 and all(t["indicator"] == "gdp" for t in gdp["items"])
    t = api.task("11")
    api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": t["version"], "deadline": "2024-06-30"})
    early = api.tasks(deadline_to="2024-09-30")
    late = api.tasks(deadline_from="2024-10-01")
    assert early["total"] + late["total"] == total and early["total"] > 0
    q = api.tasks(q="老旧小区")
    assert q["total"] >= 1 and all("老旧小区" in t["content"] for t in q["items"])
    api.assign(api.task("2"), "市财政局", co=("市发展改革委",))
    mine = api.tasks(department_id=api.depts["市发展改革委"])
    assert [t["seq"] for t in mine["items"]] == ["2"]  # as co-department
    assert api.call("guest", "GET", "/tasks", params={"per_page": 501}).status_code == 422
    assert api.tasks(report_id=999)["total"] == 0


def test_split_rolls_progress_up_at_any_depth(api: Api) -> None:
    parent = api.assign(api.task("5"), "市发展改革委")
    r = api.call("sup", "POST", f"/tasks/{parent['id']}/split", json={
        "version": parent["version"], "parts": [{"content": "上半年部分", "weight": 1}, {"content": "下半年部分", "weight": 3}]})
    assert r.status_code == 201, r.text
    a, b = r.json()
    assert (a["seq"], b["seq"]) == ("5.1", "5.2") and a["quote"] == parent["quote"] and a["lead"] == "市发展改革委"
    b2 = api.call("sup", "POST", f"/tasks/{b['id']}/split", json={
        "version": b["version"], "parts": [{"content": "甲", "weight": 1}, {"content": "乙", "weight": 1}]}).json()
    assert [c["seq"] for c in b2] == ["5.2.1", "5.2.2"]
    assert api.call("fgw", "POST", f"/tasks/{parent['id']}/feedback", data={"text": "x"}).status_code == 422
    for task_id, percent in ((a["id"], 100), (b2[0]["id"], 50)):
        fb = api.call("fgw", "POST", f"/tasks/{task_id}/feedback", data={"text": "进展", "percent": str(percent)}).json()
        assert api.call("sup", "POST", f"/feedback/{fb['id']}/review", json={"approve": True}).status_code == 200
    # 5.2 = mean(50, 0) = 25; 5 = (1×100 + 3×25) / 4 = 43.75
    assert api.task("5.2")["progress"] == 25.0
    assert api.task("5")["progress"] == pytest.approx(43.8, abs=0.05)
    assert api.task("5.1")["status"] == "done"
    detail = api.call("guest", "GET", f"/tasks/{parent['id']}").json()
    assert [c["seq"] for c in detail["children"]] == ["5.1", "5.2"]


def test_merge_close_and_reopen(api: Api) -> None:
    t6, t7 = api.task("6"), api.task("7")
    r = api.call("sup", "POST", "/tasks/merge", json={"task_ids": [t6["id"], t7["id"]]})
    assert r.status_code == 200
    merged = r.json()
    assert merged["content"] == f"{t6['content']}；{t7['content']}"
    assert merged["record_ids"] == t6["record_ids"] + t7["record_ids"]
    assert api.call("guest", "GET", f"/tasks/{t7['id']}").status_code == 404
    closed = api.call("sup", "POST", f"/tasks/{merged['id']}/close", json={"note": "已销号"}).json()
    assert closed["stage"] == "closed" and closed["status"] == "done" and closed["completed_on"] == "2024-09-01"
    assert api.call("sup", "POST", f"/tasks/{merged['id']}/close", json={}).status_code == 409
    reopened = api.call("sup", "POST", f"/tasks/{merged['id']}/reopen", json={"note": "数据有误"}).json()
    assert reopened["stage"] == "draft" and reopened["status"] != "done"
    history = api.call("guest", "GET", f"/tasks/{merged['id']}/history").json()
    assert [h["action"] for h in history][:3] == ["task.reopen", "task.close", "task.merge"]


def test_extensions_grant_and_refuse(api: Api) -> None:
    t = api.assign(api.task("8"), "市发展改革委")
    old = t["deadline"]
    r = api.call("fgw", "POST", f"/tasks/{t['id']}/extensions", json={"new_deadline": old, "reason": "x"})
    assert r.status_code == 422  # not later than the current deadline
    ext = api.call("fgw", "POST", f"/tasks/{t['id']}/extensions", json={"new_deadline": "2025-03-31",
                                                                        "reason": "汛期停工"}).json()
    assert api.call("fgw", "POST", f"/tasks/{t['id']}/extensions", json={"new_deadline": "2025-04-30",
                                                                         "reason": "再延"}).status_code == 409
    assert [x["extension"]["id"] for x in api.call("sup", "GET", "/extensions").json()] == [ext["id"]]
    assert api.call("fgw", "POST", f"/extensions/{ext['id']}/decide", json={"grant": True}).status_code == 403
    refused = api.call("sup", "POST", f"/extensions/{ext['id']}/decide", json={"grant": False, "note": "不同意"})
    assert refused.json()["state"] == "refused" and api.task("8")["deadline"] == old
    ext2 = api.call("fgw", "POST", f"/tasks/{t['id']}/extensions", json={"new_deadline": "2025-03-31",
                                                                         "reason": "补充理由"}).json()
    assert api.call("sup", "POST", f"/extensions/{ext2['id']}/decide", json={"grant": True}).json()["state"] == "granted"
    assert api.task("8")["deadline"] == "2025-03-31"


def test_stale_edit_gets_409_and_changes_nothing(api: Api) -> None:
    t = api.task("3")
    first = api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": t["version"], "weight": 2})
    assert first.status_code == 200
    second = api.call("admin", "PATCH", f"/tasks/{t['id']}", json={"version": t["version"], "weight": 5,
                                                                   "milestones": "一季度启动"})
    assert second.status_code == 409 and "已被他人修改" in second.json()["error"]
    now = api.task("3")
    assert now["weight"] == 2 and now["milestones"] == "" and now["version"] == t["version"] + 1
    assert api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": now["version"], "weight": 0}
                    ).status_code == 422
    assert api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": now["version"], "deadline": "2023-01-01"}
                    ).status_code == 422
    assert api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": now["version"], "lead_id": 999}
                    ).status_code == 422
    assert api.call("sup", "PATCH", f"/tasks/{t['id']}", json={"version": now["version"], "colour": "red"}
                    ).status_code == 422
    assert api.task("3")["version"] == now["version"]


# ----------------------------------------------------------------------------- evidence files


def test_attachments_are_type_and_size_checked_and_nothing_is_saved(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    t = api.assign(api.task("4"), "市发展改革委")
    before = len(api.call("sup", "GET", "/audit").json())
    fake = api.call("fgw", "POST", f"/tasks/{t['id']}/feedback", data={"text": "x"},
                    files=[("files", ("证明.pdf", "这其实是文本".encode(), "application/pdf"))])
    assert fake.status_code == 422 and "不是 PDF" in fake.json()["error"]
    exe = api.call("fgw", "POST", f"/tasks/{t['id']}/feedback", data={"text": "x"},
                   files=[("files", ("run.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert exe.status_code == 422 and "类型不允许" in exe.json()["error"]
    from govledger.workspace import evidence

    rules = dict(evidence.attachment_rules())
    monkeypatch.setattr(evidence, "attachment_rules", lambda: {**rules, "max_bytes": 1000})
    big = api.call("fgw", "POST", f"/tasks/{t['id']}/feedback", data={"text": "x"},
                   files=[("files", ("big.pdf", PDF + b"0" * 2000, "application/pdf"))])
    assert big.status_code == 413
    assert api.call("sup", "GET", "/feedback").json() == []
    assert len(api.call("sup", "GET", "/audit").json()) == before
    assert api.task("4")["stage"] == "assigned"


# ----------------------------------------------------------------------------- reports, sheets, dashboard, digest


def test_report_upload_is_idempotent_and_rejects_non_reports(api: Api) -> None:
    n = api.tasks()["total"]
    again = api.call("admin", "POST", "/reports", files={"file": ("yaan_2024.txt", YAAN.read_bytes())})
    assert again.status_code == 201 and again.json()["status"] == "unchanged" and again.json()["new_tasks"] == 0
    assert api.tasks()["total"] == n
    for name, data in (("菜谱.txt", "红烧肉的做法：先焯水，再炒糖色。".encode()), ("empty.txt", b"")):
        r = api.call("admin", "POST", "/reports", files={"file": (name, data)})
        assert r.status_code == 422 and name in r.json()["error"] and "\n" not in r.json()["error"]
    reports = api.call("guest", "GET", "/reports").json()
    assert [r["doc"] for r in reports] == ["yaan_2024"] and reports[0]["n_tasks"] == n
    assert api.call("guest", "GET", f"/reports/{api.report_id}").json()["place"] == "雅安市"
    assert api.call("guest", "GET", "/reports/999").status_code == 404
    assert api.call("sup", "PATCH", f"/reports/{api.report_id}", json={"public": True}).json()["public"] is True


def _sheet(api: Api) -> bytes:
    r = api.call("guest", "GET", f"/reports/{api.report_id}/sheet")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return bytes(r.content)


def test_sheet_round_trip_and_bulk_assignment(api: Api) -> None:
    from govledger.export.task_sheet import SheetRow, read_task_sheet, write_task_sheet

    api.assign(api.task("1"), "市发展改革委", co=("市财政局",))
    data = _sheet(api)
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("表.xlsx", data)})
    assert r.status_code == 200 and r.json() == {"changed": 0}
    rows = read_task_sheet(data, year=2024)
    assert rows[0].lead == "市发展改革委" and rows[0].co == ("市财政局",)
    edited = [SheetRow(r.seq, r.content, "市住房城乡建设局" if r.seq in ("2", "3") else r.lead, r.co,
                       date(2024, 10, 31) if r.seq == "2" else r.deadline, "三季度：开工" if r.seq == "3" else r.milestones)
              for r in rows]
    out = io.BytesIO()
    write_task_sheet(edited, out)
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("表.xlsx", out.getvalue())})
    assert r.status_code == 200 and r.json() == {"changed": 2}
    assert api.task("2")["lead"] == "市住房城乡建设局" and api.task("2")["deadline"] == "2024-10-31"
    assert api.task("3")["milestones"] == "三季度：开工" and api.task("3")["stage"] == "assigned"
    assert api.call("fgw", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("表.xlsx", data)}
                    ).status_code == 403


def test_bad_sheet_rows_are_listed_and_nothing_is_saved(api: Api) -> None:
    from govledger.export.task_sheet import SheetRow, read_task_sheet, write_task_sheet

    rows = read_task_sheet(_sheet(api), year=2024)
    versions = {t["seq"]: t["version"] for t in api.tasks()["items"]}
    bad = list(rows)
    bad[0] = SheetRow(bad[0].seq, bad[0].content, "市发展改革委", (), None, "")  # valid, must not be saved either
    bad[1] = SheetRow(bad[1].seq, bad[1].content, "市教育局", (), None, "")  # unknown department
    bad.append(SheetRow("999", "多出来的任务", "市财政局", (), None, ""))  # unknown 序号
    out = io.BytesIO()
    write_task_sheet(bad, out)
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("表.xlsx", out.getvalue())})
    assert r.status_code == 422
    body = r.json()
    assert "未导入任何内容" in body["error"] and "市教育局" in body["error"]
    assert sorted(d["row"] for d in body["details"]) == [3, len(bad) + 1]
    assert {t["seq"]: t["version"] for t in api.tasks()["items"]} == versions
    broken = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("表.xlsx", b"PK\x03\x04junk")})
    assert broken.status_code == 422 and "XLSX" in broken.json()["error"]


def test_dashboard_digest_and_audit(api: Api) -> None:
    early = api.task("9")
    r = api.call("sup", "PATCH", f"/tasks/{early['id']}", json={
        "version": early["version"], "lead_id": api.depts["市住房城乡建设局"], "deadline": "2024-08-31"})
    assert r.status_code == 200
    soon = api.task("10")
    r = api.call("sup", "PATCH", f"/tasks/{soon['id']}", json={
        "version": soon["version"], "lead_id": api.depts["市发展改革委"], "deadline": "2024-09-10"})
    assert r.status_code == 200
    d = api.call("guest", "GET", f"/reports/{api.report_id}/dashboard").json()
    assert sum(d["counts"].values()) == d["total"] == api.tasks()["total"]
    assert d["counts"]["overdue"] >= 1 and d["unassigned"] == d["total"] - 2
    ranking = {row["department"]: row for row in d["departments"]}
    assert ranking["市住房城乡建设局"]["rag"] == "red" and ranking["市发展改革委"]["rank"] == 1
    assert [t["seq"] for t in d["due_soon"]] == [soon["seq"]]
    assert len(d["burnup"]["months"]) == 12 and d["burnup"]["done"][9] is None  # October is still ahead
    digest = api.call("sup", "GET", "/digest").json()
    assert {x["department"] for x in digest} == {"市住房城乡建设局", "市发展改革委"}
    mine = api.call("fgw", "GET", "/digest").json()
    assert [x["department"] for x in mine] == ["市发展改革委"] and mine[0]["due_soon"][0]["seq"] == soon["seq"]
    log = api.call("sup", "GET", "/audit", params={"task_id": soon["id"]}).json()
    assert log[0]["action"] == "task.update" and log[0]["username"] == "sup"
    assert log[0]["before"]["deadline"] == "2024-12-31" and log[0]["after"]["deadline"] == "2024-09-10"


def test_audit_log_is_append_only_in_the_database(api: Api) -> None:
    api.assign(api.task("1"), "市发展改革委")
    engine = create_engine(resolve_url(api.url))
    try:
        for statement in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE username = 'sup' AND action = 'task.update'")).scalar() == 1
    finally:
        engine.dispose()


def test_errors_are_json_4xx(api: Api) -> None:
    r = api.call("admin", "GET", "/tasks/99999")
    assert r.status_code == 404 and r.json() == {"error": "任务 99999 不存在", "details": []}
    r = api.call("admin", "PATCH", "/tasks/1", json={"weight": 2})  # no version
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "version"
    r = api.call("admin", "GET", "/no-such-endpoint")
    assert r.status_code == 404 and "error" in r.json()
    assert api.call("admin", "GET", "/openapi.json").json()["info"]["title"].startswith("govledger")
