"""One app: the public views inside the workspace app, verdicts on a supervisor's task page, Chinese labels.

Real reports: 国务院 2024 and 2025 (the 2025 report's review judges the 2024 targets), 雅安 2024.
"""

from __future__ import annotations

from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from govledger.workspace import SYSTEM, TaskFilter
from tests.conftest import REPORTS


@pytest.fixture(scope="session")
def national() -> dict[str, Any]:
    from govledger.pipeline import build_ledger

    out = {}
    for stem in ("guowuyuan_2024", "guowuyuan_2025"):
        path = REPORTS / f"{stem}.txt"
        if not path.is_file():
            pytest.skip(f"sample report {path} missing")
        out[stem] = build_ledger(path)
    return out


def gdp_task(ws: Any, doc: str) -> int:
    report = ws.report_by_doc(doc)
    for t in ws.list_tasks(TaskFilter(report_id=report.id), per_page=500).items:
        if "国内生产总值增长5%左右" in t.quote:
            return int(t.id)
    raise AssertionError("no GDP task in " + doc)


def test_supervisor_sees_verdict_and_both_quotes_once_the_next_report_is_imported(
        login: Any, bare_ws: Any, national: dict[str, Any]) -> None:
    from govledger.serve.workspace.api_common import store_report

    store_report(bare_ws, SYSTEM, national["guowuyuan_2024"])
    tid = gdp_task(bare_ws, "guowuyuan_2024")
    sup = login("sup")
    before = HTMLParser(sup.get(f"/tasks/{tid}").text)
    assert before.css_first("#verdict") is None  # no 2025 report yet: nothing to judge by
    store_report(bare_ws, SYSTEM, national["guowuyuan_2025"])  # verdicts are stored at import
    page = sup.get(f"/tasks/{tid}")
    assert page.status_code == 200
    box = HTMLParser(page.text).css_first("#verdict")
    assert box is not None
    assert box.css_first(".verdict").attributes["data-verdict"] == "met" and "已完成" in box.text()
    assert "国内生产总值增长5%左右" in box.css_first("q.target-quote").text()
    outcome = box.css_first("q.outcome-quote").text()
    assert outcome == "增长5%"  # the 2025 review: 国内生产总值……增长5%
    assert "2025 年报告" in box.text()


def test_full_app_shows_only_reports_marked_public(login: Any, ws: Any) -> None:
    """``govledger serve`` (scope "marked"): a report card exists only while the report's 公开 switch is on."""
    anon = login(None)
    assert anon.get("/public/report/yaan_2024").status_code == 404
    assert "yaan_2024" not in anon.get("/api/public/index").text
    sup = login("sup")
    assert sup.post(f"/reports/{ws.reports()[0].id}/public", {"public": "1"}).status_code == 303
    card = anon.get("/api/public/report/yaan_2024").json()
    assert card["place"] == "雅安市" and card["verified"] is False and card["rows"]
    page = anon.get("/public/report/yaan_2024")
    assert page.status_code == 200 and "库中还没有 雅安市 2025 年的报告" in page.text
    # the workspace pages are still there, behind the log-in
    assert anon.get("/reports/1", follow_redirects=False).status_code == 303


def test_reasons_and_units_read_in_chinese() -> None:
    from govledger.serve.labels import label, reason_zh, unit_label

    assert reason_zh("units do not convert (元 vs 个)", "not_comparable") == "单位无法换算（实际数单位 元，目标单位 个）"
    assert reason_zh("target is growth, outcome is pp_change", "not_comparable") == "口径不同：目标为增长率，实际数为百分点变化"
    assert reason_zh("outcome 5.0% vs target 5%, e=0.2; higher is better (catalogue): o ≥ t − e; outcome is an "
                     "estimate (预计)", "met") == "实际 5.0%，目标 5%，容差 0.2（实际数为预计数）"
    assert reason_zh("override by 张三 at 2025-03-01T10:00:00+00:00: 统计公报修订 (automatic: met — x)", "missed") \
        == "人工裁定（张三）：统计公报修订"
    assert reason_zh("something nobody wrote a pattern for", "not_judged") == "该目标不能自动评判"
    assert unit_label("pp") == "个百分点" and label("measures", "pp_change") == "百分点变化"
    assert label("roles", "department") == "责任单位" and label("verdicts", "nonsense") == "（未知）"


def test_forbidden_and_validation_errors_are_chinese(login: Any, ws: Any) -> None:
    fgw = login("fgw")
    r = fgw.post(f"/reports/{ws.reports()[0].id}/public", {"public": "1"})
    assert r.status_code == 403 and "当前角色（责任单位）无权执行此操作" in r.text and "department）" not in r.text
    sup = login("sup")
    r = sup.client.get("/api/v1/tasks", params={"page": "abc"})
    assert r.status_code == 422 and r.json()["error"] == "输入有误：页码应为整数"


def test_bulk_assign_changes_each_task_with_its_own_audit_row(login: Any, ws: Any, dept_ids: Any) -> None:
    tasks = ws.list_tasks(TaskFilter(report_id=ws.reports()[0].id), per_page=5).items
    sup = login("sup")
    lead = dept_ids["市财政局"]
    before = len(ws.history(limit=1000))
    r = sup.post(f"/reports/{tasks[0].report_id}/assign",
                 {"task_ids": [str(t.id) for t in tasks[:3]], "bulk_lead_id": str(lead)})
    assert r.status_code == 303 and "ok=assigned" in r.headers["location"]
    assert [ws.task(t.id).lead_id for t in tasks[:3]] == [lead] * 3 and ws.task(tasks[3].id).lead_id is None
    entries = ws.history(limit=1000)[: len(ws.history(limit=1000)) - before]
    assert sorted(e.task_id for e in entries if e.action == "task.update") == sorted(t.id for t in tasks[:3])
    # nothing ticked, or no department: a Chinese message and no change
    assert "请先勾选" in sup.post(f"/reports/{tasks[0].report_id}/assign", {"bulk_lead_id": str(lead)}).text
    r = sup.post(f"/reports/{tasks[0].report_id}/assign", {"task_ids": [str(tasks[4].id)], "bulk_lead_id": ""})
    assert r.status_code == 422 and ws.task(tasks[4].id).lead_id is None
    assert login("fgw").post(f"/reports/{tasks[0].report_id}/assign",
                             {"task_ids": [str(tasks[4].id)], "bulk_lead_id": str(lead)}).status_code == 403


def test_admin_resets_a_password_and_reads_the_audit_log(login: Any, ws: Any) -> None:
    from tests.workspace.conftest import form_login

    admin = login("admin")
    guest_id = next(u.id for u in ws.users(SYSTEM) if u.username == "guest")
    assert login("sup").post(f"/admin/users/{guest_id}/password", {"password": "a new long secret"}).status_code == 403
    r = admin.post(f"/admin/users/{guest_id}/password", {"password": "a new long secret"})
    assert r.status_code == 303 and "ok=password" in r.headers["location"]
    anon = login(None)
    assert form_login(anon.client, {"username": "guest", "password": "a new long secret", "next": "/"},
                      follow_redirects=False).status_code == 303
    log = admin.get("/admin/audit")
    assert log.status_code == 200
    rows = HTMLParser(log.text).css("#audit-log tbody tr")
    assert 1 <= len(rows) <= 50 and "重设密码" in rows[0].text()
    assert login("sup").get("/admin/audit").status_code == 403


def test_cross_report_lists_name_their_report(login: Any, ws: Any, dept_ids: Any, national: dict[str, Any]) -> None:
    from govledger.serve.workspace.api_common import store_report
    from govledger.workspace import Actor

    store_report(ws, SYSTEM, national["guowuyuan_2024"])
    fgw_dept = dept_ids["市发展改革委"]
    yaan = ws.list_tasks(TaskFilter(report_id=ws.report_by_doc("yaan_2024").id), per_page=1).items[0]
    gwy = ws.list_tasks(TaskFilter(report_id=ws.report_by_doc("guowuyuan_2024").id), per_page=1).items[0]
    for t in (yaan, gwy):
        ws.update_task(SYSTEM, t.id, ws.task(t.id).version, {"lead_id": fgw_dept})
    fgw_user = next(u for u in ws.users(SYSTEM) if u.username == "fgw")
    actor = Actor(fgw_user.id, fgw_user.username, fgw_user.role, fgw_user.department_id)
    ws.submit_feedback(actor, yaan.id, text="进展", percent=10.0)
    ws.submit_feedback(actor, gwy.id, text="进展", percent=10.0)
    reviews = HTMLParser(login("sup").get("/reviews").text)
    names = [n.text() for n in reviews.css("#pending-feedback .report-name")]
    assert sorted(names) == ["全国 2024 年", "雅安市 2024 年"]
    mine = HTMLParser(login("fgw").get("/my").text)
    assert {n.text() for n in mine.css("#my-tasks .report-name")} == {"全国 2024 年", "雅安市 2024 年"}
    assert login("sup").get("/my", follow_redirects=False).status_code == 303  # a department's page
    found = HTMLParser(login("guest").get("/search", params={"q": "国内生产总值"}).text)
    assert "全国 2024 年" in {n.text() for n in found.css("#search-results .report-name")}
    digest = login("sup").get("/digest", params={"report_id": ws.report_by_doc("yaan_2024").id})
    assert digest.status_code == 200 and "每日提醒：雅安市 2024 年" in digest.text
