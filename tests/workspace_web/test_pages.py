"""The workspace pages through FastAPI's TestClient: log-in, forms per role, the POST → redirect → GET flows, errors.

Every role opens every page; the forms a role may use are there and the others are not. Every
change goes through the same form a browser would post (with the session's CSRF token), and
errors come back as a Chinese page with the right status code.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from govledger.workspace import SYSTEM, TaskFilter
from tests.workspace.conftest import form_login
from tests.workspace_web.conftest import ACCOUNTS, OVERDUE_SEQ, PASSWORD, YAAN_TASKS

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 32
ROLES = tuple(ACCOUNTS)


def html(response: Any) -> Any:
    """The parsed page (``Any``: a missing node fails the test at once with an AttributeError)."""
    return HTMLParser(response.text)


def task_id(ws: Any, seq: str) -> int:
    for t in ws.list_tasks(TaskFilter(report_id=report_id(ws)), per_page=500).items:
        if t.seq == seq:
            return int(t.id)
    raise AssertionError(f"no task {seq}")


def report_id(ws: Any) -> int:
    return int(ws.reports()[0].id)


def assign(ws: Any, seq: str, lead: int, co: tuple[int, ...] = ()) -> int:
    tid = task_id(ws, seq)
    ws.update_task(SYSTEM, tid, ws.task(tid).version, {"lead_id": lead, "co_ids": list(co)})
    return tid


def error_text(response: Any) -> str:
    node = html(response).css_first("p.error")
    assert node is not None, response.text[:500]
    return node.text()


# ---------------------------------------------------------------------------- log-in


def test_pages_need_a_login_and_the_form_logs_in(login: Any) -> None:
    anon = login(None)
    r = anon.get("/reports/1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/reports/1"
    page = anon.get("/login?next=/reports/1")
    assert page.status_code == 200 and 'name="next" value="/reports/1"' in page.text
    bad = form_login(anon.client, {"username": "sup", "password": "wrong password", "next": "/"})
    assert bad.status_code == 401 and "用户名或密码错误" in error_text(bad)
    ok = form_login(anon.client, {"username": "sup", "password": PASSWORD, "next": "/reports/1"},
                          follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/reports/1"
    assert "httponly" in ok.headers["set-cookie"].lower()
    # a crafted next never leaves the site
    evil = form_login(login(None).client, {"username": "sup", "password": PASSWORD,
                                                   "next": "//evil.example/x"}, follow_redirects=False)
    assert evil.headers["location"] == "/"


def test_logout_ends_the_session(login: Any) -> None:
    sup = login("sup")
    assert sup.get("/").status_code == 200
    out = sup.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert sup.get("/", follow_redirects=False).status_code == 303


def test_post_without_login_redirects_to_login(login: Any, ws: Any) -> None:
    r = login(None).post(f"/tasks/{task_id(ws, '1')}/close", {"version": "1"}, csrf=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# ---------------------------------------------------------------------------- every page, every role


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role_with_its_forms(role: str, login: Any, ws: Any, dept_ids: Any) -> None:
    fgw_task = assign(ws, "3", dept_ids["市发展改革委"], (dept_ids["市财政局"],))
    zjj_task = assign(ws, "5", dept_ids["市住房城乡建设局"])
    rid = report_id(ws)
    user = login(role)
    pages = ["/", f"/reports/{rid}", f"/reports/{rid}/tasks", f"/tasks/{fgw_task}", f"/tasks/{zjj_task}",
             "/reviews", "/digest"]
    for url in pages:
        r = user.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in r.text
        assert "<script>" not in r.text  # CSP: no inline scripts
        assert ACCOUNTS[role][2] in r.text  # who is logged in
    staff = ACCOUNTS[role][0] in ("admin", "supervisor")
    home = html(user.get("/"))
    assert (home.css_first("#import-report") is not None) == (role == "admin")
    dash = html(user.get(f"/reports/{rid}"))
    assert (dash.css_first("#sheet-import") is not None) == staff
    assert (dash.css_first("#public-switch") is not None) == staff
    assert dash.css_first("#export-sheet") is not None
    tasks = html(user.get(f"/reports/{rid}/tasks"))
    assert (tasks.css_first("#merge-form") is not None) == staff
    own = html(user.get(f"/tasks/{fgw_task}"))
    other = html(user.get(f"/tasks/{zjj_task}"))
    for form in ("#edit-form", "#split-form", "#close-form"):
        assert (own.css_first(form) is not None) == staff, form
    # separation of duties (issue 12 item 3): only the task's own departments see the report forms
    may_report = {"admin": False, "sup": False, "fgw": True, "zjj": False, "guest": False}[role]
    assert (own.css_first("#feedback-form") is not None) == may_report
    assert (own.css_first("#extension-form") is not None) == may_report
    may_report_other = {"admin": False, "sup": False, "fgw": False, "zjj": True, "guest": False}[role]
    assert (other.css_first("#feedback-form") is not None) == may_report_other
    admin = user.get("/admin")
    if role == "admin":
        assert admin.status_code == 200 and html(admin).css_first("#add-user") is not None
    else:
        assert admin.status_code == 403 and "无权" in error_text(admin)


def test_status_is_colour_and_text(login: Any, ws: Any) -> None:
    page = html(login("guest").get(f"/reports/{report_id(ws)}"))
    cards = page.css("#status-counts li")
    assert [c.attributes["data-status"] for c in cards] == ["not_started", "in_progress", "behind", "overdue", "done"]
    words = [c.css_first(".status").text().strip() for c in cards]
    assert words == ["未开始", "推进中", "滞后", "逾期", "已完成"]
    overdue = page.css_first('#status-counts li[data-status="overdue"]')
    assert "#cf1322" in (overdue.attributes.get("style") or "")
    assert overdue.css_first(".n").text() == "1"


# ---------------------------------------------------------------------------- the task page


def test_quote_is_marked_inside_its_paragraph_and_everything_is_escaped(login: Any, ws: Any) -> None:
    sup = login("sup")
    tid = task_id(ws, "1")
    page = html(sup.get(f"/tasks/{tid}"))
    source = page.css_first("#source")
    marks = source.css("mark")
    assert [m.text() for m in marks] == ["地区生产总值增长6.5%左右"]
    text = source.text()
    assert text.startswith("2024年全市经济社会发展主要预期目标是：地区生产总值增长6.5%左右，")
    assert "粮食总产量稳定在36万吨以上" in text  # the rest of the paragraph is there, unmarked
    # user text is never markup
    task = ws.task(tid)
    r = sup.post(f"/tasks/{tid}/edit", {"version": str(task.version), "content": "<script>alert(1)</script>任务",
                                        "deadline": "2024-12-31", "weight": "1", "milestones": "<b>Q1</b>"})
    assert r.status_code == 303
    shown = sup.get(f"/tasks/{tid}").text
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;任务" in shown
    assert "<b>Q1</b>" not in shown


def test_highlight_pieces() -> None:
    from govledger.serve.workspace.pages_common import highlight

    assert highlight("甲乙丙丁", "乙丙") == [("甲", False), ("乙丙", True), ("丁", False)]
    # a merged task: each quote marked where it is
    assert highlight("甲乙，丙丁。", "甲乙；丙丁") == [("甲乙", True), ("，", False), ("丙丁", True), ("。", False)]
    assert highlight("甲乙丙", "戊") == [("甲乙丙", False)]
    assert highlight(None, "戊") == []


def test_numeric_target_is_shown_next_to_the_current_value(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])  # 城镇新增就业1.7万人 (the third of the 主要预期目标)
    form = html(login("fgw").get(f"/tasks/{tid}")).css_first("#feedback-form")
    assert "目标 1.7万人" in form.text()
    assert form.css_first('input[name="files"]').attributes["accept"] == ".pdf,.png,.jpg,.jpeg,.gif,.webp,.xlsx"
    assert "multiple" in form.css_first('input[name="files"]').attributes


def test_a_task_with_several_indicators_lists_them_main_first(login: Any, ws: Any) -> None:
    task = next(t for t in ws.list_tasks(per_page=500).items if "规模以上工业增加值增长7.5%" in t.content)
    page = html(login("guest").get(f"/tasks/{task.id}"))
    lines = page.css_first("#indicators").html.split("<br>")
    assert "规模以上工业增加值增长7.5%（主指标" in lines[0] and "新增规模以上工业企业50户" in lines[1]
    assert page.css_first("#target-value").text().strip().startswith("7.5")
    # one figure only: the target value says it all
    jobs = next(t for t in ws.list_tasks(per_page=500).items if t.content == "城镇新增就业1.7万人")
    assert html(login("guest").get(f"/tasks/{jobs.id}")).css_first("#indicators") is None


def test_edit_assigns_and_history_shows_before_and_after(login: Any, ws: Any, dept_ids: Any) -> None:
    sup = login("sup")
    tid = task_id(ws, "7")
    task = ws.task(tid)
    r = sup.client.post(f"/tasks/{tid}/edit", data={
        "csrf_token": sup.csrf, "version": str(task.version), "content": task.content,
        "lead_id": str(dept_ids["市发展改革委"]), "co_ids": [str(dept_ids["市财政局"]), str(dept_ids["市发展改革委"])],
        "deadline": "2024-10-31", "weight": "2", "milestones": "三季度：开工\n四季度：完工"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{tid}?ok=saved"
    after = ws.task(tid)
    assert (after.lead, after.co, after.deadline, after.weight, after.stage) == (
        "市发展改革委", ["市财政局"], date(2024, 10, 31), 2.0, "assigned")
    page = sup.get(r.headers["location"])
    assert "已保存" in html(page).css_first(".notice").text()
    history = html(page).css_first("#history-table").text()
    assert "sup" in history and "修改任务" in history
    assert "牵头单位：— → 市发展改革委" in " ".join(history.split())
    assert "完成时限：2024-12-31 → 2024-10-31" in " ".join(history.split())
    assert "阶段：待交办 → 已交办" in " ".join(history.split())
    # a field that did not change is not listed
    latest = html(page).css_first("#history-table tbody tr").text()
    assert "修改任务" in latest and "任务内容" not in latest and "权重：1 → 2" in " ".join(latest.split())


def test_stale_version_is_a_409_page(login: Any, ws: Any) -> None:
    sup = login("sup")
    tid = task_id(ws, "8")
    old = ws.task(tid).version
    first = sup.post(f"/tasks/{tid}/edit", {"version": str(old), "content": "第一次修改", "deadline": "2024-12-31",
                                            "weight": "1"})
    assert first.status_code == 303
    stale = sup.post(f"/tasks/{tid}/edit", {"version": str(old), "content": "第二次修改", "deadline": "2024-12-31",
                                            "weight": "1"})
    assert stale.status_code == 409
    assert "已被他人修改" in error_text(stale) and "请刷新后再改" in error_text(stale)
    assert ws.task(tid).content == "第一次修改"


def test_csrf_token_missing_or_wrong_is_403(login: Any, ws: Any) -> None:
    sup = login("sup")
    tid = task_id(ws, "1")
    version = str(ws.task(tid).version)
    missing = sup.post(f"/tasks/{tid}/close", {"version": version}, csrf=False)
    assert missing.status_code == 403 and "CSRF" in error_text(missing)
    wrong = sup.post(f"/tasks/{tid}/close", {"version": version, "csrf_token": "x" * 43}, csrf=False)
    assert wrong.status_code == 403
    upload = sup.client.post("/reports/import", files={"file": ("a.txt", b"x", "text/plain")})
    assert upload.status_code == 403
    assert ws.task(tid).stage == "draft"


def test_department_cannot_report_on_another_departments_task(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "5", dept_ids["市住房城乡建设局"])
    fgw = login("fgw")
    r = fgw.post(f"/tasks/{tid}/feedback", {"text": "越权反馈", "percent": "50"})
    assert r.status_code == 403
    assert error_text(r) == "任务 5 不是本单位的任务"
    assert ws.task_detail(tid).feedback == []
    ext = fgw.post(f"/tasks/{tid}/extension", {"new_deadline": "2025-03-31", "reason": "越权"})
    assert ext.status_code == 403
    viewer = login("guest").post(f"/tasks/{tid}/feedback", {"text": "只读用户", "percent": "5"})
    assert viewer.status_code == 403
    # nor edit, split or merge, whatever it sends
    for url, form in ((f"/tasks/{tid}/edit", {"version": "x", "weight": "lots"}),
                      (f"/tasks/{tid}/split", {"version": "1", "parts": "甲|1\n乙|1"}),
                      (f"/reports/{report_id(ws)}/merge", {"task_ids": [str(tid), str(task_id(ws, "6"))]})):
        assert fgw.post(url, form).status_code == 403, url


def test_feedback_with_attachments_review_and_download(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])
    fgw = login("fgw")
    r = fgw.client.post(f"/tasks/{tid}/feedback", data={
        "csrf_token": fgw.csrf, "reported_on": "2024-08-30", "text": "新增就业1.2万人", "current_value": "1.2"},
        files=[("files", ("台账.pdf", PDF, "application/pdf")), ("files", ("现场.png", PNG, "image/png"))],
        follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    detail = ws.task_detail(tid)
    assert detail.task.stage == "reported" and len(detail.feedback) == 1
    fb = detail.feedback[0]
    assert [a.filename for a in fb.attachments] == ["台账.pdf", "现场.png"]
    # the department sees its report pending, without review buttons
    own_view = html(fgw.get(f"/tasks/{tid}")).css_first(f"#feedback-{fb.id}")
    assert "待审核" in own_view.text() and own_view.css_first("form") is None
    download = fgw.get(f"/attachments/{fb.attachments[0].id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    sup = login("sup")
    card = html(sup.get(f"/tasks/{tid}")).css_first(f"#feedback-{fb.id}")
    assert card.css_first(f'form[action="/feedback/{fb.id}/review"]') is not None
    # 退回 needs a reason
    no_reason = sup.post(f"/feedback/{fb.id}/review", {"approve": "0", "note": ""})
    assert no_reason.status_code == 422 and "退回必须写明理由" in error_text(no_reason)
    ok = sup.post(f"/feedback/{fb.id}/review", {"approve": "1", "note": "", "next": f"/tasks/{tid}"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/tasks/{tid}?ok=reviewed"
    task = ws.task(tid)
    assert task.progress == pytest.approx(70.6) and task.current_value == 1.2 and task.stage == "assigned"
    again = sup.post(f"/feedback/{fb.id}/review", {"approve": "1"})
    assert again.status_code == 409 and "已经审核过" in error_text(again)
    page = sup.get(f"/tasks/{tid}").text
    assert "已通过" in page and "审核通过" in page


def test_returned_feedback_keeps_the_reason(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])
    fgw = login("fgw")
    assert fgw.post(f"/tasks/{tid}/feedback", {"text": "完成一半", "percent": "50"}).status_code == 303
    fb = ws.task_detail(tid).feedback[0]
    sup = login("sup")
    assert sup.post(f"/feedback/{fb.id}/review", {"approve": "0", "note": "缺少佐证材料"}).status_code == 303
    text = fgw.get(f"/tasks/{tid}").text
    assert "已退回" in text and "缺少佐证材料" in text
    assert ws.task(tid).progress == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("evil.exe", b"MZ\x90\x00", "类型不允许"),
    ("fake.pdf", b"<html>not a pdf</html>", "内容不是 PDF 文件"),
])
def test_bad_attachment_is_a_422_page(name: str, data: bytes, message: str, login: Any, ws: Any,
                                      dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])
    fgw = login("fgw")
    r = fgw.client.post(f"/tasks/{tid}/feedback", data={"csrf_token": fgw.csrf, "text": "带附件", "percent": "10"},
                        files=[("files", (name, data, "application/octet-stream"))])
    assert r.status_code == 422 and message in error_text(r)
    assert ws.task_detail(tid).feedback == []


def test_bad_report_upload_is_a_422_page(login: Any, ws: Any) -> None:
    admin = login("admin")
    legacy = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600  # an old binary .doc
    r = admin.client.post("/reports/import", data={"csrf_token": admin.csrf},
                          files={"file": ("报告.doc", legacy, "application/msword")})
    assert r.status_code == 422 and "报告.doc" in error_text(r)
    sup = login("sup")
    refused = sup.client.post("/reports/import", data={"csrf_token": sup.csrf},
                              files={"file": ("a.txt", "不是报告".encode(), "text/plain")})
    assert refused.status_code == 403


def test_report_upload_imports_and_redirects_to_the_dashboard(login: Any, bare_ws: Any, app: Any) -> None:
    from tests.workspace_web.conftest import YAAN

    admin = login("admin")
    # the ``app`` fixture already holds 雅安 2024: uploading it again adds nothing and still lands on its dashboard
    r = admin.client.post("/reports/import", data={"csrf_token": admin.csrf},
                          files={"file": (YAAN.name, YAAN.read_bytes(), "text/plain")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{report_id(bare_ws)}?ok=imported"
    assert bare_ws.reports()[0].n_tasks == YAAN_TASKS
    listing = html(admin.get("/")).css_first("#reports").text()
    assert "雅安市" in listing and "2024" in listing and str(YAAN_TASKS) in listing


def test_extension_request_and_decision(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "9", dept_ids["市发展改革委"])
    fgw = login("fgw")
    early = fgw.post(f"/tasks/{tid}/extension", {"new_deadline": "2024-06-30", "reason": "提前"})
    assert early.status_code == 422 and "必须晚于" in error_text(early)
    ok = fgw.post(f"/tasks/{tid}/extension", {"new_deadline": "2025-03-31", "reason": "资金未到位"})
    assert ok.status_code == 303
    assert html(fgw.get(f"/tasks/{tid}")).css_first("#extension-form") is None  # one pending request at a time
    ext = ws.task_detail(tid).extensions[0]
    sup = login("sup")
    reviews = html(sup.get("/reviews"))
    assert reviews.css_first(f'form[action="/extensions/{ext.id}/decide"]') is not None
    r = sup.post(f"/extensions/{ext.id}/decide", {"grant": "1", "note": "同意", "next": "/reviews"})
    assert r.status_code == 303 and r.headers["location"] == "/reviews?ok=decided"
    assert ws.task(tid).deadline == date(2025, 3, 31)
    history = " ".join(html(sup.get(f"/tasks/{tid}")).css_first("#history-table").text().split())
    assert "同意延期" in history and "完成时限：2024-12-31 → 2025-03-31" in history


def test_split_close_reopen_and_merge(login: Any, ws: Any) -> None:
    sup = login("sup")
    tid = task_id(ws, "10")
    version = ws.task(tid).version
    one = sup.post(f"/tasks/{tid}/split", {"version": str(version), "parts": "只有一行|1"})
    assert one.status_code == 422 and "至少要有两个" in error_text(one)
    bad = sup.post(f"/tasks/{tid}/split", {"version": str(version), "parts": "甲|x\n乙|1"})
    assert bad.status_code == 422 and "不是数字" in error_text(bad)
    ok = sup.post(f"/tasks/{tid}/split", {"version": str(version), "parts": "上半年部分|3\n下半年部分｜1\n"})
    assert ok.status_code == 303
    page = html(sup.get(f"/tasks/{tid}"))
    rows = page.css("#children tbody tr")
    assert [r.css("td")[0].text() for r in rows] == ["10.1", "10.2"]
    assert [r.css("td")[3].text() for r in rows] == ["3", "1"]
    assert page.css_first("#split-form") is None and page.css_first("#feedback-form") is None
    # 办结, then 重新打开
    child = ws.task_detail(tid).children[0]
    assert sup.post(f"/tasks/{child.id}/close", {"version": str(child.version), "note": "验收合格"}).status_code == 303
    closed = html(sup.get(f"/tasks/{child.id}"))
    assert closed.css_first("#reopen-form") is not None and closed.css_first("#close-form") is None
    assert closed.css_first(".badges .status").text().strip() == "已完成"
    # the closed part (weight 3 of 4) counts as complete in its parent's roll-up; its own figures stay as reported
    assert ws.task(tid).progress == pytest.approx(75.0)
    assert ws.task(child.id).progress == pytest.approx(0.0)
    reopened = sup.post(f"/tasks/{child.id}/reopen", {"version": str(ws.task(child.id).version)})
    assert reopened.status_code == 303 and ws.task(child.id).stage != "closed"
    # 合并 two plain tasks from the list
    a, b = task_id(ws, "12"), task_id(ws, "13")
    rid = report_id(ws)
    few = sup.post(f"/reports/{rid}/merge", {"task_ids": [str(a)]})
    assert few.status_code == 422 and "至少要选两个" in error_text(few)
    merged = sup.post(f"/reports/{rid}/merge", {"task_ids": [str(a), str(b)]})
    assert merged.status_code == 303 and merged.headers["location"] == f"/tasks/{a}?ok=merged"
    kept = ws.task(a)
    assert "；" in kept.content and kept.quote.count("；") == 1
    source = html(sup.get(f"/tasks/{a}")).css_first("#source")
    assert len(source.css("mark")) >= 1
    assert "合并任务" in sup.get(f"/tasks/{a}").text
    assert sup.get(f"/tasks/{b}").status_code == 404


def test_task_list_groups_filters_and_pages(login: Any, ws: Any, dept_ids: Any) -> None:
    assign(ws, "3", dept_ids["市发展改革委"])
    assign(ws, "20", dept_ids["市财政局"], (dept_ids["市发展改革委"],))
    guest = login("guest")
    rid = report_id(ws)
    page = html(guest.get(f"/reports/{rid}/tasks"))
    headings = [h.text().strip() for h in page.css("tr.group th")]
    assert headings[0] == "2024年主要工作安排"
    assert "一、建设“一区一地”，培育高质量发展新势能" in headings
    rows = page.css("tr.task")
    assert len(rows) == 50
    first = rows[0]
    cells = [c.text(strip=True) for c in first.css("td")]
    assert cells[0] == "1" and cells[1] == "地区生产总值增长6.5%左右" and cells[2] == "未交办"
    assert cells[3] == "2024-12-31" and cells[4].endswith("0%") and cells[5] == "滞后" and cells[6] == "欠进度"
    assert first.css_first(".bar") is not None
    pages = -(-YAAN_TASKS // 50)
    assert f"第 1/{pages} 页" in page.css_first("#task-total").text()
    last = html(guest.get(f"/reports/{rid}/tasks?page={pages}"))
    assert len(last.css("tr.task")) == YAAN_TASKS - 50 * (pages - 1)
    overdue = html(guest.get(f"/reports/{rid}/tasks?status=overdue"))
    assert [r.css("td")[0].text() for r in overdue.css("tr.task")] == [OVERDUE_SEQ]
    mine = html(guest.get(f"/reports/{rid}/tasks?department_id={dept_ids['市发展改革委']}"))
    assert sorted(r.css("td")[0].text() for r in mine.css("tr.task")) == ["20", "3"]
    found = html(guest.get(f"/reports/{rid}/tasks", params={"q": "旅游民宿", "status": "", "stage": ""}))
    (hit,) = [r.css("td")[1].text(strip=True) for r in found.css("tr.task")]
    assert hit.endswith("打响“熊猫雅宿”品牌，新增旅游民宿100家")  # the whole sentence is the task
    drafts = html(guest.get(f"/reports/{rid}/tasks?stage=assigned"))
    assert len(drafts.css("tr.task")) == 2
    assert guest.get(f"/reports/{rid}/tasks?status=lost").status_code == 422
    assert guest.get("/reports/999/tasks").status_code == 404


def test_dashboard_counts_ranking_and_chart_data(login: Any, ws: Any, dept_ids: Any) -> None:
    import json

    tid = assign(ws, "3", dept_ids["市发展改革委"])
    assign(ws, OVERDUE_SEQ, dept_ids["市财政局"])  # the one overdue task
    sup = login("sup")
    rid = report_id(ws)
    page = html(sup.get(f"/reports/{rid}"))
    ranking = page.css("#ranking tbody tr")
    assert [r.css("td")[1].text() for r in ranking] == ["市发展改革委", "市财政局"]
    red = ranking[1].css_first(".status")
    assert red.text().strip() == "红" and red.attributes["data-rag"] == "red"
    assert ranking[0].css_first(".status").text().strip() == "黄"
    assert "年底前完成28个" in page.css_first("#overdue").text()
    data = json.loads(page.css_first("#dashboard-data").text())
    assert data["burnup"]["months"][0] == "1月" and data["burnup"]["total"][0] == YAAN_TASKS
    assert data["burnup"]["done"][8] == 0
    assert page.css_first("#burnup-chart") is not None and page.css_first("#burnup-table") is not None
    assert "0" == page.css_first("#pending-reviews strong").text()
    fgw = login("fgw")
    assert fgw.post(f"/tasks/{tid}/feedback", {"text": "全部完成", "current_value": "1.7"}).status_code == 303
    assert html(sup.get(f"/reports/{rid}")).css_first("#pending-reviews strong").text() == "1"
    fb = ws.task_detail(tid).feedback[0]
    assert sup.post(f"/feedback/{fb.id}/review", {"approve": "1"}).status_code == 303
    after = html(sup.get(f"/reports/{rid}"))
    assert after.css_first('#status-counts li[data-status="done"] .n').text() == "1"
    assert json.loads(after.css_first("#dashboard-data").text())["burnup"]["done"][8] == 1


def test_dashboard_without_echarts_shows_the_table_only(login: Any, ws: Any, app: Any) -> None:
    app.state.has_echarts = False
    page = html(login("sup").get(f"/reports/{report_id(ws)}"))
    assert page.css_first("#burnup-chart") is None and page.css_first("#dashboard-data") is None
    assert page.css_first("#burnup-table") is not None and "npm ci" in page.css_first(".note").text()
    assert page.css_first('script[src="/static/vendor/echarts.min.js"]') is None


# ---------------------------------------------------------------------------- the 任务分解表


def test_sheet_export_and_import(login: Any, ws: Any, dept_ids: Any) -> None:
    from govledger.export.task_sheet import SheetRow, read_task_sheet, write_task_sheet

    assign(ws, "3", dept_ids["市发展改革委"], (dept_ids["市财政局"],))
    sup = login("sup")
    rid = report_id(ws)
    export = sup.get(f"/reports/{rid}/sheet.xlsx")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    rows = read_task_sheet(export.content, year=2024)
    by_seq = {r.seq: r for r in rows}
    assert by_seq["3"].lead == "市发展改革委" and by_seq["3"].co == ("市财政局",)
    # give task 6 to 住建局 through the sheet
    changed = [SheetRow(r.seq, r.content, "市住房城乡建设局" if r.seq == "6" else r.lead, r.co, r.deadline,
                        r.milestones) for r in rows]
    buffer = io.BytesIO()
    write_task_sheet(changed, buffer)
    ok = sup.client.post(f"/reports/{rid}/sheet", data={"csrf_token": sup.csrf},
                         files={"file": ("分解表.xlsx", buffer.getvalue(), "application/octet-stream")},
                         follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/reports/{rid}?ok=sheet")
    assert ws.task(task_id(ws, "6")).lead == "市住房城乡建设局"
    assert "1 项任务有改动" in html(sup.get(ok.headers["location"])).css_first(".notice").text()
    # a sheet naming an unknown department: nothing imported, the bad row listed
    wrong = [SheetRow(r.seq, r.content, "市不存在局" if r.seq == "7" else r.lead, r.co, r.deadline, r.milestones)
             for r in rows]
    buffer = io.BytesIO()
    write_task_sheet(wrong, buffer)
    bad = sup.client.post(f"/reports/{rid}/sheet", data={"csrf_token": sup.csrf},
                          files={"file": ("分解表.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert bad.status_code == 422
    page = html(bad)
    assert "未导入任何内容" in page.css_first("#sheet-import .error").text()
    listed = [li.text() for li in page.css("#sheet-errors li")]
    assert len(listed) == 1 and listed[0].startswith("第") and "市不存在局" in listed[0]
    assert page.css_first("#status-counts") is not None  # the dashboard itself is still there
    junk = sup.client.post(f"/reports/{rid}/sheet", data={"csrf_token": sup.csrf},
                           files={"file": ("a.xlsx", b"not a workbook", "application/octet-stream")})
    assert junk.status_code == 422 and "不是有效的 XLSX 文件" in html(junk).css_first("#sheet-import .error").text()
    fgw = login("fgw")
    assert fgw.client.post(f"/reports/{rid}/sheet", data={"csrf_token": fgw.csrf},
                           files={"file": ("a.xlsx", b"x", "application/octet-stream")}).status_code == 403


# ---------------------------------------------------------------------------- the public page


def test_public_page_only_when_switched_on(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])
    fgw = login("fgw")
    fgw.client.post(f"/tasks/{tid}/feedback", data={"csrf_token": fgw.csrf, "text": "进展", "percent": "30"},
                    files=[("files", ("台账.pdf", PDF, "application/pdf"))])
    anon = login(None)
    doc = ws.reports()[0].doc
    closed = anon.get(f"/public/{doc}")
    assert closed.status_code == 404 and "没有公开页面" in error_text(closed)
    assert anon.get("/public/nowhere_2024").status_code == 404
    assert fgw.post(f"/reports/{report_id(ws)}/public", {"public": "1"}).status_code == 403
    sup = login("sup")
    on = sup.post(f"/reports/{report_id(ws)}/public", {"public": "1"})
    assert on.status_code == 303 and ws.reports()[0].public
    page = anon.get(f"/public/{doc}")
    assert page.status_code == 200
    tree = html(page)
    assert tree.css_first("form") is None  # no edit forms, no log-out
    assert "/attachments/" not in page.text and "台账.pdf" not in page.text
    assert "fgw" not in page.text and "发改委联络员" not in page.text and "history" not in page.text
    assert len(tree.css("#public-tasks tr.task")) == YAAN_TASKS
    assert tree.css_first('#status-counts li[data-status="overdue"] .n').text() == "1"
    assert "地区生产总值增长6.5%左右" in tree.css_first("#public-tasks").text()
    assert '<meta name="viewport"' in page.text
    off = sup.post(f"/reports/{report_id(ws)}/public", {"public": "0"})
    assert off.status_code == 303 and anon.get(f"/public/{doc}").status_code == 404


# ---------------------------------------------------------------------------- reviews, digest, admin


def test_reviews_page_acts_inline_for_supervisors_only(login: Any, ws: Any, dept_ids: Any) -> None:
    tid = assign(ws, "3", dept_ids["市发展改革委"])
    fgw = login("fgw")
    fgw.post(f"/tasks/{tid}/feedback", {"text": "完成七成", "percent": "70"})
    fb = ws.task_detail(tid).feedback[0]
    guest = html(login("guest").get("/reviews"))
    assert "完成七成" in guest.css_first("#pending-feedback").text() and guest.css_first("form.review") is None
    sup = login("sup")
    rid = report_id(ws)
    page = html(sup.get(f"/reviews?report_id={rid}"))
    form = page.css_first(f'form[action="/feedback/{fb.id}/review"]')
    assert form.css_first('input[name="next"]').attributes["value"] == f"/reviews?report_id={rid}"
    r = sup.post(f"/feedback/{fb.id}/review", {"approve": "1", "next": f"/reviews?report_id={rid}"})
    assert r.status_code == 303 and r.headers["location"] == f"/reviews?report_id={rid}&ok=reviewed"
    assert "没有待审核的反馈" in sup.get(r.headers["location"]).text
    # a forged next stays on the site
    tid2 = assign(ws, "5", dept_ids["市发展改革委"])
    fgw.post(f"/tasks/{tid2}/feedback", {"text": "再报", "percent": "10"})
    fb2 = ws.task_detail(tid2).feedback[0]
    evil = sup.post(f"/feedback/{fb2.id}/review", {"approve": "1", "next": "https://evil.example/"})
    assert evil.headers["location"] == "/?ok=reviewed"


def test_digest_per_department(login: Any, ws: Any, dept_ids: Any) -> None:
    assign(ws, OVERDUE_SEQ, dept_ids["市发展改革委"])  # overdue since 2024-08-31
    late = assign(ws, "5", dept_ids["市住房城乡建设局"])
    ws.update_task(SYSTEM, late, ws.task(late).version, {"deadline": date(2024, 9, 10)})  # due within 14 days
    sup = html(login("sup").get("/digest"))
    sections = {s.attributes["data-department"]: s for s in sup.css("section.digest")}
    assert set(sections) == {"市发展改革委", "市住房城乡建设局"}
    assert "年底前完成28个" in sections["市发展改革委"].css_first("table.overdue").text()
    assert sections["市住房城乡建设局"].css_first("table.due_soon") is not None
    assert "14 天内到期" in sections["市住房城乡建设局"].text()
    own = html(login("zjj").get("/digest"))
    assert [s.attributes["data-department"] for s in own.css("section.digest")] == ["市住房城乡建设局"]


def test_admin_manages_departments_and_users(login: Any, ws: Any) -> None:
    admin = login("admin")
    assert admin.post("/admin/departments", {"name": "市教育局", "email": "jyj@example.org"}).status_code == 303
    dept = next(d for d in ws.departments() if d.name == "市教育局")
    dup = admin.post("/admin/departments", {"name": "市教育局"})
    assert dup.status_code == 409 and "已存在" in error_text(dup)
    renamed = admin.post(f"/admin/departments/{dept.id}", {"name": "市教育和体育局", "email": "jyj@example.org",
                                                          "active": "1"})
    assert renamed.status_code == 303
    assert next(d for d in ws.departments() if d.id == dept.id).name == "市教育和体育局"
    r = admin.post("/admin/users", {"username": "jyj", "display_name": "教体局联络员", "password": "long enough pw",
                                    "role": "department", "department_id": str(dept.id)})
    assert r.status_code == 303
    short = admin.post("/admin/users", {"username": "x", "password": "short", "role": "viewer"})
    assert short.status_code == 422 and "至少 10 位" in error_text(short)
    nodept = admin.post("/admin/users", {"username": "y", "password": "long enough pw", "role": "department"})
    assert nodept.status_code == 422 and "必须指定所属单位" in error_text(nodept)
    new = next(u for u in ws.users(SYSTEM) if u.username == "jyj")
    assert (new.role, new.department, new.display_name) == ("department", "市教育和体育局", "教体局联络员")
    page = html(admin.get("/admin"))
    assert "教体局联络员" in page.css_first("#users").text()
    # the new user can log in; then the admin makes them a viewer and deactivates them
    jyj = login(None)
    assert form_login(jyj.client, {"username": "jyj", "password": "long enough pw"},
                           follow_redirects=False).status_code == 303
    assert admin.post(f"/admin/users/{new.id}", {"role": "viewer", "department_id": "",
                                                 "active": "1"}).status_code == 303
    assert next(u for u in ws.users(SYSTEM) if u.username == "jyj").role == "viewer"
    assert admin.post(f"/admin/users/{new.id}", {"role": "viewer", "active": "0"}).status_code == 303
    assert jyj.get("/", follow_redirects=False).status_code == 303  # the session ended with the account
    assert admin.post(f"/admin/departments/{dept.id}", {"name": "市教育和体育局", "active": "0"}).status_code == 303
    assert not next(d for d in ws.departments() if d.id == dept.id).active
    me = next(u for u in ws.users(SYSTEM) if u.username == "admin")
    self_off = admin.post(f"/admin/users/{me.id}", {"role": "admin", "active": "0"})
    assert self_off.status_code == 422 and "不能停用自己" in error_text(self_off)
    sup = login("sup")
    assert sup.post("/admin/departments", {"name": "市某局"}).status_code == 403


def test_unknown_pages_are_404_pages(login: Any) -> None:
    sup = login("sup")
    for url in ("/tasks/99999", "/reports/99999", "/attachments/99999", "/no/such/page"):
        r = sup.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("text/html")
        assert "Content-Security-Policy" in r.headers
