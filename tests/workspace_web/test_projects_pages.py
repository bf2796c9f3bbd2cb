"""The pages of the key-projects ledger, the 红黑榜 通报, the 拉练评比, the 督办单, 催办 and 季度形象进度.

Rendered through the real app on 雅安 2024 (``today`` 2024-09-01): every page for every role with the forms
that role may use, no English words on them, the import errors at the top of the page, the monthly report
through its forms, and the print layout of the 督办单.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.workspace.test_projects import GOOD, workbook
from tests.workspace_web.conftest import ACCOUNTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_LATIN = {"Ctrl", "XLSX", "PDF", "KB", "MB", "A4", "YYYY", "MM", "DD", "png", "jpg", "jpeg", "gif", "webp", "pdf",
                 "xlsx"}


def visible_words(html: str) -> set[str]:
    """Latin words a reader sees: tags, scripts, styles, attribute values and entities removed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN}


@pytest.fixture
def listed(ws: Any) -> Any:
    from govledger.workspace import SYSTEM

    report = ws.reports()[0]
    ws.create_placeholders(SYSTEM, report.id)
    ws.import_projects(SYSTEM, report.id, workbook(GOOD))
    return ws


def project_id(ws: Any, name: str) -> int:
    return next(p.id for p in ws.projects(ws.reports()[0].id) if p.name == name)


@pytest.mark.parametrize("role", ["admin", "sup", "fgw", "zjj", "guest"])
def test_every_project_page_renders_for_every_role_in_chinese(role: str, login: Any, listed: Any) -> None:
    from govledger.workspace import SYSTEM

    report = listed.reports()[0].id
    rail = project_id(listed, "川藏铁路雅安段")
    task = listed.list_tasks(per_page=5).items[2]
    listed.update_task(SYSTEM, task.id, task.version, {"lead_id": listed.departments()[0].id})
    b = login(role)
    pages = {url: b.get(url) for url in ("/projects", f"/reports/{report}/projects", f"/reports/{report}/projects/board",
                                         f"/reports/{report}/projects/scores", f"/projects/{rail}",
                                         f"/tasks/{task.id}", f"/tasks/{task.id}/print")}
    for url, r in pages.items():
        assert r.status_code == 200, url
        # account names (操作人 in the task page's history, shared with pages.py) are what users typed, not labels
        assert visible_words(r.text) - {"system", *ACCOUNTS} == set(), (url, visible_words(r.text))
    assert "system" not in visible_words(pages[f"/projects/{rail}"].text)
    ledger = pages[f"/reports/{report}/projects"].text
    office = role in ("admin", "sup")
    assert ('id="import-form"' in ledger) == office and ('id="rules-form"' in ledger) == office
    assert ('id="placeholders-form"' in ledger) == office
    assert ('id="project-report-form"' in pages[f"/projects/{rail}"].text) == (role == "fgw")  # 市发展改革委 leads it
    assert ('id="project-edit-form"' in pages[f"/projects/{rail}"].text) == office
    task_page = pages[f"/tasks/{task.id}"].text
    assert ('id="remind-form"' in task_page) == office and ('id="milestones-form"' in task_page) == office
    assert f'href="/tasks/{task.id}/print"' in task_page
    assert ('name="s|' in pages[f"/reports/{report}/projects/scores"].text) == office


def test_a_bad_list_shows_every_row_and_reason_at_the_top(login: Any, listed: Any) -> None:
    report = listed.reports()[0].id
    sup = login("sup")
    bad = GOOD + [[5, "", "国重点", "市发展改革委", "许多", 100, None, None, None, "雨城区"],
                  [6, "宝兴大熊猫国家公园入口社区", "市重点", "市熊猫局", 5, None, None, None, None, "宝兴县"]]
    before = len(listed.projects(report)), [p.version for p in listed.projects(report)]
    r = sup.client.post(f"/reports/{report}/projects/import", data={"csrf_token": sup.csrf},
                        files={"file": ("清单.xlsx", workbook(bad), XLSX)})
    assert r.status_code == 422
    top = r.text.index('id="import-error"')
    assert top < r.text.index("<h2>项目台账</h2>")
    block = r.text[top:r.text.index("</div>", top)]
    assert "项目清单有 5 处错误，未导入任何项目" in block
    for line in ("第7行：项目名称为空", "第7行：项目类别「国重点」应为省重点或市重点", "第7行：总投资「许多」不是数字",
                 "第8行：年度计划投资为空", "第8行：牵头单位「市熊猫局」不在单位名单中（请先在管理页添加）"):
        assert f"<li>{line}</li>" in block
    assert (len(listed.projects(report)), [p.version for p in listed.projects(report)]) == before


def test_monthly_report_and_review_through_the_forms(login: Any, listed: Any) -> None:
    rail = project_id(listed, "川藏铁路雅安段")
    fgw, zjj, sup = login("fgw"), login("zjj"), login("sup")
    r = zjj.client.post(f"/projects/{rail}/report", data={"csrf_token": zjj.csrf, "month": "2024-08",
                                                           "completed": "30000", "text": "桥梁下部结构完成"})
    assert r.status_code == 403 and "只有牵头单位可以填报" in r.text
    r = fgw.client.post(f"/projects/{rail}/report", data={"csrf_token": fgw.csrf, "month": "2024-08",
                                                           "completed": "30000", "text": "桥梁下部结构完成"},
                        files={"files": ("现场照片.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/projects/{rail}?ok=project_report"
    assert "月报已提交，等待督查审核。" in fgw.get(r.headers["location"]).text
    pending = listed.pending_project_reports()[0][1]
    page = sup.get(f"/reports/{listed.reports()[0].id}/projects").text
    assert "待审核月报（1）" in page and f'action="/project-reports/{pending.id}/review"' in page
    r = sup.post(f"/project-reports/{pending.id}/review", {"approve": "1", "next": f"/projects/{rail}"})
    assert r.status_code == 303
    page = sup.get(f"/projects/{rail}").text
    assert "30,000 万元（截至 2024年8月底）" in page and "月报审核通过" in page
    history = page[page.index('id="history-table"'):]
    assert "项目类别</span>：省重点" in history and "province" not in history  # the kind as a word
    assert sup.get(f"/project-attachments/{pending.attachments[0].id}").content == PDF
    assert zjj.get(f"/project-attachments/{pending.attachments[0].id}").status_code == 403


def test_the_duban_sheet_is_a_print_layout(login: Any, listed: Any, dept_ids: Any) -> None:
    from govledger.workspace import SYSTEM

    task = listed.list_tasks(per_page=5).items[0]
    listed.update_task(SYSTEM, task.id, task.version, {"lead_id": dept_ids["市发展改革委"],
                                                       "co_ids": [dept_ids["市财政局"]]})
    sup = login("sup")
    sup.post(f"/tasks/{task.id}/milestones", {"q1_percent": "20", "q1_text": "完成方案", "q2_percent": "50"})
    page = sup.get(f"/tasks/{task.id}/print").text
    sheet = page[page.index('id="duban"'):]
    for words in (task.content, "市发展改革委", "市财政局", "2024年12月31日", "一季度", "20%", "完成方案",
                  "二季度", "50%", "签收单位（盖章）", "签收人", "督查室（盖章）", "二季度欠进度"):
        assert words in sheet, words
    assert "<form" not in sheet and "<nav" not in sheet
    css = sup.get("/static/workspace/projects.css").text
    assert "@page { size: A4" in css
    assert re.search(r"@media print \{\s*header\.top, \.noprint, \.notice, nav, form, button \{ display: none", css)


def test_remind_and_quarters_from_the_task_page(login: Any, listed: Any, dept_ids: Any) -> None:
    from govledger.workspace import SYSTEM

    sent: list[Any] = []
    listed.mailer = sent.append
    task = listed.list_tasks(per_page=5).items[1]
    listed.update_task(SYSTEM, task.id, task.version, {"lead_id": dept_ids["市住房城乡建设局"]})
    sup = login("sup")
    r = sup.post(f"/tasks/{task.id}/milestones", {"q1_percent": "60", "q2_percent": "40"})
    assert r.status_code == 422 and "二季度计划完成百分比不能低于上一季度" in r.text
    sup.post(f"/tasks/{task.id}/milestones", {"q1_percent": "10", "q2_percent": "40", "q2_text": "完成主体"})
    r = sup.post(f"/tasks/{task.id}/remind", {"note": "请本周报送", "department_id": str(dept_ids["市住房城乡建设局"])})
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{task.id}?ok=reminded"
    page = sup.get(r.headers["location"]).text
    assert "已催办。" in page and "已催办 1 次" in page
    assert "欠进度</strong>：二季度末计划完成 40%，实际进度 0%" in page
    history = page[page.index('id="history-table"'):]
    assert "催办" in history and "请本周报送" in history and "已发送邮件" in history
    assert "修改季度形象进度" in history and "40% 完成主体" in history
    assert len(sent) == 1 and sent[0]["To"] == "dept1@example.org"
    guest = login("guest")
    assert guest.post(f"/tasks/{task.id}/remind", {"note": "x"}).status_code == 403
    assert len(sent) == 1


def test_board_page_and_exports(login: Any, listed: Any) -> None:
    from openpyxl import load_workbook

    report = listed.reports()[0].id
    guest = login("guest")
    page = guest.get(f"/reports/{report}/projects/board").text
    assert "红榜（明星项目 0 个）" in page and "黑榜（蜗牛项目 4 个）" in page and 'class="a4 bulletin"' in page
    assert "牵头单位排名" in page and "区县排名" in page
    r = guest.get(f"/reports/{report}/projects/list.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content))["重点项目台账"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 327 and rows[0][1] == "川藏铁路雅安段" and rows[0][-1] == "蜗牛项目"
