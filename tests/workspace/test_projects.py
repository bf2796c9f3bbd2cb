"""The key-projects ledger through ``/api/v1`` on the real 雅安 2024 report (SQLite, and PostgreSQL in CI).

Placeholders from the report's own counts, the XLSX project list (every bad
row and reason, nothing written), the monthly report through 反馈→审核 with
its role boundaries, the office's star/snail rule per report, the 拉练评比
sheet, the 红黑榜 通报 as XLSX, 催办 and 季度形象进度. ``today`` is 2024-09-01.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.workspace.conftest import PDF, Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["序号", "项目名称", "项目类别", "责任单位", "总投资（亿元）", "2024年计划投资（万元）", "计划开工时间", "计划竣工",
          "计划投产", "建设地点"]
GOOD = [
    [1, "川藏铁路雅安段", "省重点", "市发展改革委", 100, 50000, "已开工", "2026年12月", None, "雨城区"],
    [2, "雅康高速扩容", "省重点", "市住房城乡建设局", 20, "3亿元", "2024年3月", "2025-06-30", None, "名山区"],
    [3, "雅安数据产业园二期", "市重点", "市发展改革委", 8, 20000, "2024-02-28", "2024年12月", "2025年3月", "雨城区"],
    [4, "荥经砂器文旅街区", "市重点", "市住房城乡建设局", 3, 10000, "2024年5月", "2024年10月", None, "荥经县"],
]


def workbook(rows: list[list[Any]], *, title: str | None = "雅安市2024年重点项目清单") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def state(api: Api) -> dict[str, Any]:
    """What a refused request must leave alone: the project tables, the audit log, every project's version."""
    out = {t: api.sql(f"SELECT count(*) FROM {t}")[0][0] for t in (
        "projects", "project_reports", "project_attachments", "project_settings", "project_scores", "task_milestones",
        "audit_log")}
    out["versions"] = dict(api.sql("SELECT id, version FROM projects"))
    out["figures"] = api.sql("SELECT id, completed, completed_month FROM projects ORDER BY id")
    return out


def import_list(api: Api, rows: list[list[Any]], who: str = "sup") -> Any:
    return api.call(who, "POST", f"/reports/{api.report_id}/projects/import",
                    files={"file": ("清单.xlsx", workbook(rows), XLSX)})


def ledger(api: Api, who: str = "admin") -> dict[str, Any]:
    return dict(api.ok(who, "GET", f"/reports/{api.report_id}/projects"))


def by_name(api: Api, name: str) -> dict[str, Any]:
    return next(p for p in ledger(api)["projects"] if p["name"] == name)


@pytest.fixture
def listed(api: Api) -> Api:
    """雅安 2024 with placeholders from its counts and the four-project list imported."""
    api.ok("sup", "POST", f"/reports/{api.report_id}/projects/placeholders", status=201)
    r = import_list(api, GOOD)
    assert r.status_code == 200, r.text
    return api


def test_placeholders_follow_the_reports_own_counts(api: Api) -> None:
    """「加快建设27个省重点、300个市重点项目」 gives 27 + 300 placeholders, in that order; a second run adds nothing."""
    named = ledger(api)["named"]
    assert named == {"province": [27, "27个省重点"], "city": [300, "300个市重点项目"]}
    assert api.ok("sup", "POST", f"/reports/{api.report_id}/projects/placeholders", status=201) == {"created": 327}
    assert api.ok("sup", "POST", f"/reports/{api.report_id}/projects/placeholders", status=201) == {"created": 0}
    got = ledger(api)
    assert got["by_kind"] == {"province": 27, "city": 300} and got["placeholders"] == 327
    assert got["projects"][0]["kind"] == "province" and got["projects"][27]["kind"] == "city"
    assert all(p["rating"] == "unrated" for p in got["projects"])  # a placeholder is counted, not judged


def test_import_fills_placeholders_kind_by_kind(listed: Api) -> None:
    got = ledger(listed)
    assert got["placeholders"] == 323 and len(got["projects"]) == 327
    rail = by_name(listed, "川藏铁路雅安段")
    assert rail["seq"] == 1 and rail["kind"] == "province" and rail["lead"] == "市发展改革委"
    assert rail["total_investment"] == 1_000_000 and rail["annual_plan"] == 50000  # 100 亿元 in 万元
    assert rail["planned_start"] is None and rail["planned_finish"] == "2026-12-31"  # 已开工: no planned start
    road = by_name(listed, "雅康高速扩容")
    assert road["annual_plan"] == 30000 and road["planned_start"] == "2024-03-31"
    assert by_name(listed, "雅安数据产业园二期")["seq"] == 28  # the first 市重点 placeholder
    # re-importing the same list changes nothing and writes no audit row
    before = state(listed)
    assert import_list(listed, GOOD).json() == {"created": 0, "updated": 0, "filled": 0}
    assert state(listed) == before


def test_a_list_with_bad_rows_names_every_row_and_reason_and_writes_nothing(listed: Api) -> None:
    before = state(listed)
    bad = GOOD + [
        [5, "", "国重点", "市发展改革委", "许多", 100, None, None, None, "雨城区"],
        [6, "宝兴大熊猫国家公园入口社区", "市重点", "市熊猫局", 5, None, "明年", None, None, "宝兴县"],
        [7, "川藏铁路雅安段", "省重点", "市发展改革委", 1, 20000, None, None, None, "雨城区"],
    ]
    r = import_list(listed, bad)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "项目清单有 8 处错误，未导入任何项目"
    got = {(d["row"], d["error"]) for d in body["details"]}
    assert got == {
        (7, "项目名称为空"), (7, "项目类别「国重点」应为省重点或市重点"), (7, "总投资「许多」不是数字"),
        (8, "年度计划投资为空"), (8, "计划开工「明年」无法识别为日期（可写 2024-03-31、2024年3月、三季度末、已开工）"),
        (8, "牵头单位「市熊猫局」不在单位名单中（请先在管理页添加）"),
        (9, "项目名称「川藏铁路雅安段」与第3行重复"), (9, "年度计划投资大于总投资"),
    }
    assert state(listed) == before
    # a file that is no sheet at all is one line, not a traceback
    r = listed.call("sup", "POST", f"/reports/{listed.report_id}/projects/import",
                    files={"file": ("清单.xlsx", b"not a zip", XLSX)})
    assert r.status_code == 422 and "不是有效的 XLSX 文件" in r.json()["error"]
    # a sheet without the required columns says which
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目名称", "所在区县"])
    wb.active.append(["某项目", "雨城区"])
    buffer = io.BytesIO()
    wb.save(buffer)
    r = listed.call("sup", "POST", f"/reports/{listed.report_id}/projects/import",
                    files={"file": ("清单.xlsx", buffer.getvalue(), XLSX)})
    assert [d["error"] for d in r.json()["details"]] == ["缺少「牵头单位」列", "缺少「年度计划投资」列"]
    assert state(listed) == before


def report_form(month: str = "2024-08", completed: str = "30000", **extra: str) -> dict[str, str]:
    return {"month": month, "completed": completed, "text": "主体工程加快推进，完成桥梁下部结构", **extra}


def test_monthly_report_goes_through_review_and_counts_when_approved(listed: Api) -> None:
    rail = by_name(listed, "川藏铁路雅安段")
    assert rail["rating"] == "snail" and rail["share"] == 0.0  # nothing reported by 1 September
    r = listed.call("fgw", "POST", f"/projects/{rail['id']}/reports", data=report_form(),
                    files={"files": ("现场照片.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["state"] == "pending" and report["month"] == "2024-08-01" and len(report["attachments"]) == 1
    assert by_name(listed, "川藏铁路雅安段")["completed"] == 0  # counts only once approved
    # returned: a reason is required, and the figure does not count
    r = listed.call("sup", "POST", f"/project-reports/{report['id']}/review", json={"approve": False})
    assert r.status_code == 422 and r.json()["error"] == "退回必须写明理由"
    returned = listed.ok("sup", "POST", f"/project-reports/{report['id']}/review",
                         json={"approve": False, "note": "佐证材料与填报金额不符"})
    assert returned["state"] == "returned" and by_name(listed, "川藏铁路雅安段")["completed"] == 0
    again = listed.call("fgw", "POST", f"/projects/{rail['id']}/reports", data=report_form(completed="30000"))
    listed.ok("sup", "POST", f"/project-reports/{again.json()['id']}/review", json={"approve": True})
    rail = by_name(listed, "川藏铁路雅安段")
    # 30000 of 50000 万元 = 60 % by the end of August, when 66.8 % of 2024 had passed: pace 0.9, 正常推进
    assert rail["completed"] == 30000 and rail["completed_month"] == "2024-08-01"
    assert rail["share"] == 60.0 and rail["expected"] == 66.7 and rail["pace"] == 0.9
    assert rail["rating"] == "normal"
    # a cumulative figure may not fall below the approved one
    r = listed.call("fgw", "POST", f"/projects/{rail['id']}/reports", data=report_form(completed="1000"))
    assert r.status_code == 422 and "不能少于已审核的 30000 万元" in r.json()["error"]
    detail = listed.ok("admin", "GET", f"/projects/{rail['id']}")
    actions = [h["action"] for h in detail["history"]]
    assert actions[:4] == ["project_report.approve", "project_report.submit", "project_report.return",
                           "project_report.submit"]


def test_milestones_reached_come_from_approved_reports(listed: Api) -> None:
    """荥经砂器文旅街区 was to start in May: a snail until a report of its start is approved."""
    park = by_name(listed, "荥经砂器文旅街区")
    assert park["late"] == ["开工"] and park["rating"] == "snail"
    r = listed.call("zjj", "POST", f"/projects/{park['id']}/reports",
                    data=report_form(completed="8000", started_on="2024-05-20"))
    listed.ok("sup", "POST", f"/project-reports/{r.json()['id']}/review", json={"approve": True})
    park = by_name(listed, "荥经砂器文旅街区")
    assert park["started_on"] == "2024-05-20" and park["late"] == []
    assert park["pace"] == 1.2 and park["rating"] == "star"  # 80 % of the plan at 66.7 % of the year


@pytest.mark.parametrize("who", ["zjj", "czj", "sup", "admin", "guest"])
def test_only_the_lead_department_reports(listed: Api, who: str) -> None:
    """川藏铁路 is led by 市发展改革委: another department, the office and a viewer are refused, nothing written."""
    rail = by_name(listed, "川藏铁路雅安段")
    before = state(listed)
    r = listed.call(who, "POST", f"/projects/{rail['id']}/reports", data=report_form(),
                    files={"files": ("照片.pdf", PDF, "application/pdf")})
    assert r.status_code == 403
    assert "牵头" in r.json()["error"] or "无权" in r.json()["error"]
    assert state(listed) == before


def test_nobody_approves_their_own_report(listed: Api) -> None:
    """A liaison who became a supervisor cannot approve the report they filed; a department cannot review at all."""
    rail = by_name(listed, "川藏铁路雅安段")
    report = listed.call("fgw", "POST", f"/projects/{rail['id']}/reports", data=report_form()).json()
    before = state(listed)
    r = listed.call("zjj", "POST", f"/project-reports/{report['id']}/review", json={"approve": True})
    assert r.status_code == 403 and state(listed) == before
    fgw_id = listed.sql("SELECT id FROM users WHERE username = 'fgw'")[0][0]
    listed.ok("admin", "PATCH", f"/users/{fgw_id}", json={"role": "supervisor"})
    listed.login("fgw")
    before = state(listed)
    r = listed.call("fgw", "POST", f"/project-reports/{report['id']}/review", json={"approve": True})
    assert r.status_code == 403 and r.json()["error"] == "不能审核自己提交的月报"
    assert state(listed) == before
    listed.ok("sup", "POST", f"/project-reports/{report['id']}/review", json={"approve": True})


def test_project_evidence_is_for_the_lead_and_the_office(listed: Api) -> None:
    rail = by_name(listed, "川藏铁路雅安段")
    report = listed.call("fgw", "POST", f"/projects/{rail['id']}/reports", data=report_form(),
                         files={"files": ("现场照片.pdf", PDF, "application/pdf")}).json()
    url = f"/project-attachments/{report['attachments'][0]['id']}"
    for who, status in (("fgw", 200), ("sup", 200), ("admin", 200), ("zjj", 403), ("guest", 403)):
        r = listed.call(who, "GET", url)
        assert r.status_code == status, who
        if status == 200:
            assert r.content == PDF


def test_viewer_and_departments_cannot_keep_the_ledger(listed: Api) -> None:
    """Every change of the office's is refused to a viewer and a department, with nothing written."""
    rail = by_name(listed, "川藏铁路雅安段")
    task = listed.all_tasks()[0]
    listed.assign(task, "市发展改革委")
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", f"/reports/{listed.report_id}/projects/import",
         {"files": {"file": ("清单.xlsx", workbook(GOOD), XLSX)}}),
        ("POST", f"/reports/{listed.report_id}/projects/placeholders", {}),
        ("PUT", f"/reports/{listed.report_id}/projects/rules", {"json": {"star_pace": 1.5}}),
        ("PUT", f"/reports/{listed.report_id}/projects/scores",
         {"json": {"scores": [{"subject": str(rail["id"]), "criterion": "投资完成", "score": 90}]}}),
        ("PATCH", f"/projects/{rail['id']}", {"json": {"version": rail["version"], "county": "名山区"}}),
        ("PUT", f"/tasks/{task['id']}/milestones", {"json": {"quarters": [{"quarter": 1, "percent": 20}]}}),
        ("POST", f"/tasks/{task['id']}/remind", {"json": {"note": "请报送"}}),
    ]
    for who in ("guest", "fgw"):
        for method, path, kw in calls:
            before = state(listed)
            r = listed.call(who, method, path, **kw)
            assert r.status_code == 403, f"{who} {method} {path}: {r.status_code}"
            assert "无权" in r.json()["error"]
            assert state(listed) == before


def test_the_office_sets_the_star_and_snail_rule_per_report(listed: Api) -> None:
    park = by_name(listed, "荥经砂器文旅街区")
    r = listed.call("zjj", "POST", f"/projects/{park['id']}/reports",
                    data=report_form(completed="8000", started_on="2024-05-20"))
    listed.ok("sup", "POST", f"/project-reports/{r.json()['id']}/review", json={"approve": True})
    assert by_name(listed, "荥经砂器文旅街区")["rating"] == "star"
    rules = listed.ok("sup", "PUT", f"/reports/{listed.report_id}/projects/rules", json={"star_pace": 1.5})
    assert rules["star_pace"] == 1.5 and rules["snail_pace"] == 0.6
    assert by_name(listed, "荥经砂器文旅街区")["rating"] == "normal"
    r = listed.call("sup", "PUT", f"/reports/{listed.report_id}/projects/rules", json={"snail_pace": 2.0})
    assert r.status_code == 422 and r.json()["error"] == "蜗牛项目进度比必须小于明星项目进度比"
    assert listed.ok("admin", "GET", f"/reports/{listed.report_id}/projects")["rules"]["snail_pace"] == 0.6


def test_lalian_scores_weighted_total_and_rank(listed: Api) -> None:
    """拉练评比: the office's criteria and weights, scores per project, weighted totals, equal totals share a rank."""
    listed.ok("sup", "PUT", f"/reports/{listed.report_id}/projects/rules",
              json={"criteria": [{"name": "投资完成", "weight": 60}, {"name": "形象进度", "weight": 40}]})
    ids = {name: str(by_name(listed, name)["id"]) for name in
           ("川藏铁路雅安段", "雅康高速扩容", "雅安数据产业园二期", "荥经砂器文旅街区")}
    scores = [(ids["川藏铁路雅安段"], 90, 80), (ids["雅康高速扩容"], 80, 95), (ids["雅安数据产业园二期"], 70, 80)]
    body = [{"subject": s, "criterion": c, "score": v} for s, a, b in scores
            for c, v in (("投资完成", a), ("形象进度", b))]
    sheet = listed.ok("sup", "PUT", f"/reports/{listed.report_id}/projects/scores", json={"scores": body})
    lines = {line["subject"]: line for line in sheet["lines"]}
    assert lines[ids["川藏铁路雅安段"]]["total"] == 86.0  # (60×90 + 40×80) / 100
    assert lines[ids["雅康高速扩容"]]["total"] == 86.0
    assert lines[ids["雅安数据产业园二期"]]["total"] == 74.0
    assert lines[ids["川藏铁路雅安段"]]["rank"] == lines[ids["雅康高速扩容"]]["rank"] == 1
    assert lines[ids["雅安数据产业园二期"]]["rank"] == 3
    assert lines[ids["荥经砂器文旅街区"]]["total"] is None and lines[ids["荥经砂器文旅街区"]]["rank"] is None
    assert [line["subject"] for line in sheet["lines"][:3]][2] == ids["雅安数据产业园二期"]
    before = state(listed)
    for bad in ({"subject": ids["雅康高速扩容"], "criterion": "投资完成", "score": 120},
                {"subject": ids["雅康高速扩容"], "criterion": "群众满意度", "score": 80},
                {"subject": "99999", "criterion": "投资完成", "score": 80}):
        r = listed.call("sup", "PUT", f"/reports/{listed.report_id}/projects/scores", json={"scores": [bad]})
        assert r.status_code == 422, bad
    assert state(listed) == before
    # per 区县: the same sheet over the counties of the list
    listed.ok("sup", "PUT", f"/reports/{listed.report_id}/projects/rules", json={"score_scope": "county"})
    sheet = listed.ok("sup", "PUT", f"/reports/{listed.report_id}/projects/scores", json={"scores": [
        {"subject": "雨城区", "criterion": "投资完成", "score": 88}, {"subject": "名山区", "criterion": "投资完成", "score": 92}]})
    assert [(line["label"], line["rank"]) for line in sheet["lines"]] == [("名山区", 1), ("雨城区", 2), ("荥经县", None)]


def test_red_black_board_and_its_xlsx(listed: Api) -> None:
    from openpyxl import load_workbook

    park = by_name(listed, "荥经砂器文旅街区")
    r = listed.call("zjj", "POST", f"/projects/{park['id']}/reports",
                    data=report_form(completed="8000", started_on="2024-05-20"))
    listed.ok("sup", "POST", f"/project-reports/{r.json()['id']}/review", json={"approve": True})
    board = listed.ok("guest", "GET", f"/reports/{listed.report_id}/projects/board")
    assert [p["name"] for p in board["red"]] == ["荥经砂器文旅街区"]
    assert {p["name"] for p in board["black"]} == {"川藏铁路雅安段", "雅康高速扩容", "雅安数据产业园二期"}
    counties = {g["name"]: g for g in board["counties"]}
    assert counties["荥经县"]["board"] == "red" and counties["荥经县"]["rank"] == 1
    assert counties["雨城区"]["board"] == "black" and counties["雨城区"]["snails"] == 2
    r = listed.call("guest", "GET", f"/reports/{listed.report_id}/projects/board.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["红榜（明星项目）", "黑榜（蜗牛项目）", "牵头单位排名", "区县排名"]
    red = list(wb["红榜（明星项目）"].iter_rows(min_row=3, values_only=True))
    assert red[0][1] == "荥经砂器文旅街区" and red[0][-1] == "明星项目"
    ranks = [row[:2] for row in wb["区县排名"].iter_rows(min_row=3, values_only=True)]
    assert ranks[0] == (1, "荥经县")


def test_remind_is_recorded_and_mailed(listed: Api) -> None:
    """催办: its own audit row in the task history, and an e-mail to a department that has an address."""
    sent: list[Any] = []
    listed.ws.mailer = sent.append
    task = listed.assign(listed.all_tasks()[3], "市发展改革委", ("市住房城乡建设局",))
    got = listed.ok("sup", "POST", f"/tasks/{task['id']}/remind", status=201, json={"note": "请于本周五前报送进展"})
    assert got["mailed"] == "sent" and got["department"] == "市发展改革委" and got["email"] == "dept0@example.org"
    assert len(sent) == 1 and sent[0]["To"] == "dept0@example.org"
    assert sent[0]["Subject"] == f"【督查催办】市发展改革委：雅安市2024年政府工作报告 任务 {task['seq']}"
    assert "请于本周五前报送进展" in sent[0].get_content() and task["content"] in sent[0].get_content()
    history = listed.ok("admin", "GET", f"/tasks/{task['id']}")["history"]
    assert history[0]["action"] == "task.remind"
    assert history[0]["after"] == {"department": "市发展改革委", "note": "请于本周五前报送进展",
                                   "email": "dept0@example.org", "mailed": "已发送邮件"}
    # a department without an address is still reminded, on the record
    listed.ok("admin", "PATCH", f"/departments/{listed.depts['市住房城乡建设局']}", json={"email": ""})
    got = listed.ok("sup", "POST", f"/tasks/{task['id']}/remind", status=201,
                    json={"department_id": listed.depts["市住房城乡建设局"]})
    assert got["mailed"] == "no_address" and len(sent) == 1
    assert listed.ok("admin", "GET", f"/tasks/{task['id']}/milestones")["reminders"] == 2
    # only the task's own departments can be reminded
    before = state(listed)
    r = listed.call("sup", "POST", f"/tasks/{task['id']}/remind", json={"department_id": listed.depts["市财政局"]})
    assert r.status_code == 422 and state(listed) == before


def test_quarterly_milestones_and_the_behind_mark(listed: Api) -> None:
    """On 1 September the Q2 plan (50 % by 30 June) must stand: a task at 0 % is 欠进度 until its progress reaches it."""
    task = listed.assign(listed.all_tasks()[5], "市发展改革委")
    quarters = [{"quarter": 1, "percent": 20, "text": "完成项目谋划"}, {"quarter": 2, "percent": 50},
                {"quarter": 4, "percent": 100, "text": "全部开工"}]
    office = listed.ok("sup", "PUT", f"/tasks/{task['id']}/milestones", json={"quarters": quarters})
    assert [m["percent"] for m in office["milestones"]] == [20, 50, None, 100]
    assert office["lag"] == {"quarter": 2, "label": "二季度", "percent": 50.0, "progress": 0.0}
    listed.report_progress("fgw", task, percent=55)
    assert listed.ok("admin", "GET", f"/tasks/{task['id']}/milestones")["lag"] is None
    history = listed.ok("admin", "GET", f"/tasks/{task['id']}")["history"]
    assert [h for h in history if h["action"] == "task.milestones"][0]["after"] == {
        "Q1": "20% 完成项目谋划", "Q2": "50%", "Q4": "100% 全部开工"}
    before = state(listed)
    r = listed.call("sup", "PUT", f"/tasks/{task['id']}/milestones",
                    json={"quarters": [{"quarter": 1, "percent": 60}, {"quarter": 2, "percent": 40}]})
    assert r.status_code == 422 and r.json()["error"] == "二季度计划完成百分比不能低于上一季度"
    assert state(listed) == before


def test_a_failing_mail_server_still_records_the_reminder(listed: Api) -> None:
    def refuse(_message: Any) -> None:
        raise OSError("Connection refused")

    listed.ws.mailer = refuse
    task = listed.assign(listed.all_tasks()[4], "市发展改革委")
    got = listed.ok("sup", "POST", f"/tasks/{task['id']}/remind", status=201, json={})
    assert got["mailed"] == "failed"
    history = listed.ok("admin", "GET", f"/tasks/{task['id']}")["history"]
    assert history[0]["action"] == "task.remind" and history[0]["after"]["mailed"] == "邮件发送失败"
