"""The supervision workflow in headless Chromium (system /usr/bin/chromium, no `playwright install`).

One walk through the real pages: the admin imports 雅安 2024 through the upload form and
assigns two tasks to two departments; a department files progress with a PDF; the supervisor
approves it; the dashboard counts and the ECharts burn-up chart move; the 任务分解表 downloads
and reads back with the assignments in it. Screenshots (desktop and 390×844 phone) go to
``test-artifacts/``. Skipped locally without Chromium or playwright; with CI=true that fails instead.
Each test hands its body to the ``browser`` fixture's own thread (see ``conftest.BrowserThread``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.workspace_web.conftest import PASSWORD, YAAN, YAAN_TASKS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"
CHART_SERIES = """() => {
    const el = document.getElementById('burnup-chart');
    const chart = el && window.echarts ? window.echarts.getInstanceByDom(el) : null;
    return chart ? chart.getOption().series.map(s => ({name: s.name, data: s.data})) : null;
}"""
CHART_INK = """sel => {
    const c = document.querySelector(sel + ' canvas');
    if (!c) { return 0; }
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
    return n;
}"""


def _page(ctx: Any) -> Any:
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    p.js_errors = errors
    # the pages must never reach beyond the local server
    p.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
            else route.abort())
    return p


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page: Any, base: str) -> None:
    page.click("form.logout button[type=submit]")
    page.wait_for_url(f"{base}/login")


def status_count(page: Any, status: str) -> int:
    return int(page.inner_text(f'#status-counts li[data-status="{status}"] .n'))


def burnup(page: Any) -> dict[str, list[Any]]:
    page.wait_for_selector("#burnup-chart canvas", state="attached", timeout=15000)
    series = page.evaluate(CHART_SERIES)
    assert series is not None, "ECharts did not draw the burn-up chart"
    assert page.evaluate(CHART_INK, "#burnup-chart") > 500  # pixels were really drawn
    return {s["name"]: s["data"] for s in series}


def open_task(page: Any, base: str, report: int, content: str) -> int:
    page.goto(f"{base}/reports/{report}/tasks")
    page.click(f"#task-list a:text-is('{content}')")
    page.wait_for_selector("#source mark")
    return int(page.url.rsplit("/", 1)[1].split("?")[0])


def assign(page: Any, lead: str, co: list[str]) -> None:
    page.select_option("#edit-form select[name=lead_id]", label=lead)
    page.select_option("#edit-form select[name=co_ids]", label=co)
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector(".notice")
    assert page.inner_text(".notice") == "已保存。"


def test_supervision_workflow_in_browser(browser: Any, live_server: str, artifacts: Path, tmp_path: Path) -> None:
    browser.run(supervision_workflow, live_server, artifacts, tmp_path)


def supervision_workflow(browser: Any, live_server: str, artifacts: Path, tmp_path: Path) -> None:
    from govledger.export.task_sheet import read_task_sheet

    base = live_server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    try:
        page = _page(ctx)
        # the admin imports the report through the upload form
        log_in(page, base, "admin")
        assert "还没有导入报告" in page.inner_text("main")
        page.set_input_files("#import-report input[name=file]", str(YAAN))
        page.click("#import-report button[type=submit]")
        page.wait_for_url(f"{base}/reports/*?ok=imported")
        report = int(page.url.split("/reports/")[1].split("?")[0])
        assert "报告已导入" in page.inner_text(".notice")
        assert page.title().startswith("雅安市 2024 年督查看板")
        before_done = status_count(page, "done")
        assert before_done == 0 and status_count(page, "overdue") == 0
        chart = burnup(page)
        assert chart["计划完成"][-1] == YAAN_TASKS and chart["实际完成"][8] == 0 and chart["实际完成"][9] is None

        # … and assigns two tasks to two departments with the edit form
        jobs = open_task(page, base, report, "城镇新增就业1.7万人")
        assert page.inner_text("#source mark") == "城镇新增就业1.7万人"
        assign(page, "市发展改革委", ["市财政局"])
        assert page.inner_text("#lead") == "市发展改革委" and page.inner_text("#co") == "市财政局"
        grain = open_task(page, base, report, "粮食总产量稳定在36万吨以上")
        assign(page, "市住房城乡建设局", ["市发展改革委"])
        assert "修改任务" in page.inner_text("#history-table")
        log_out(page, base)

        # the 发改委 files progress with a PDF; it cannot report on 住建局's task
        log_in(page, base, "fgw")
        page.goto(f"{base}/tasks/{grain}")
        assert page.locator("#feedback-form").count() == 1  # 发改委 is a co-department of this one
        page.goto(f"{base}/tasks/{jobs}")
        assert "目标 1.7万人" in page.inner_text("#feedback-form")
        assert page.locator("#edit-form").count() == 0
        evidence = tmp_path / "就业台账.pdf"
        evidence.write_bytes(PDF)
        page.fill("#feedback-form textarea[name=text]", "前8个月城镇新增就业1.7万人，全年目标已完成。")
        page.fill("#feedback-form input[name=current_value]", "1.7")
        page.set_input_files("#feedback-form input[name=files]", str(evidence))
        page.click("#feedback-form button[type=submit]")
        page.wait_for_url(f"{base}/tasks/{jobs}?ok=feedback")
        assert "等待督查审核" in page.inner_text(".notice")
        assert "待审核" in page.inner_text("#feedback article")
        assert page.locator("#feedback a[href^='/attachments/']").inner_text() == "就业台账.pdf"
        log_out(page, base)

        # the supervisor approves it from the review list (退回 without a reason is held back by the form)
        log_in(page, base, "sup")
        page.goto(f"{base}/reviews")
        card = page.locator("#pending-feedback article.feedback")
        assert card.count() == 1 and "前8个月城镇新增就业1.7万人" in card.inner_text()
        card.locator("button[value='0']").click()
        assert page.url == f"{base}/reviews"
        assert card.locator("input[name=note]").evaluate("e => e.validity.valueMissing")
        card.locator("button[value='1']").click()
        page.wait_for_url(f"{base}/reviews?ok=reviewed")
        assert "没有待审核的反馈" in page.inner_text("#pending-feedback")

        # the dashboard and the burn-up chart have moved
        page.goto(f"{base}/reports/{report}")
        assert status_count(page, "done") == before_done + 1
        chart = burnup(page)
        assert chart["实际完成"][8] == 1
        assert page.evaluate(CHART_INK, "#status-chart") > 500
        assert "市发展改革委" in page.inner_text("#ranking")
        page.screenshot(path=str(artifacts / "workspace_dashboard.png"), full_page=True)

        # the 任务分解表 downloads and reads back with the assignments
        with page.expect_download() as info:
            page.click("#export-sheet")
        download = info.value
        assert download.suggested_filename.endswith("任务分解表.xlsx")
        rows = {r.seq: r for r in read_task_sheet(Path(download.path()).read_bytes(), year=2024)}
        assert len(rows) == YAAN_TASKS
        assert rows["3"].lead == "市发展改革委" and rows["3"].co == ("市财政局",)  # 城镇新增就业1.7万人
        assert rows["4"].lead == "市住房城乡建设局" and rows["4"].co == ("市发展改革委",)  # 粮食总产量

        page.goto(f"{base}/tasks/{jobs}")
        assert page.inner_text(".badges .status").strip() == "已完成"
        assert "审核通过" in page.inner_text("#history-table")
        page.screenshot(path=str(artifacts / "workspace_task.png"), full_page=True)
        assert page.js_errors == []
    finally:
        ctx.close()

    # phone width: no sideways scrolling of the page, the chart still drawn
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    try:
        p = _page(phone)
        log_in(p, base, "sup")
        p.goto(f"{base}/reports/{report}")
        assert burnup(p)["实际完成"][8] == 1
        assert p.evaluate(NO_OVERFLOW)
        p.screenshot(path=str(artifacts / "workspace_dashboard_phone.png"), full_page=True)
        p.goto(f"{base}/tasks/{jobs}")
        assert p.evaluate(NO_OVERFLOW)
        assert p.inner_text("#source mark") == "城镇新增就业1.7万人"
        p.screenshot(path=str(artifacts / "workspace_task_phone.png"), full_page=True)
        p.goto(f"{base}/reports/{report}/tasks")
        assert p.evaluate(NO_OVERFLOW)  # the wide table scrolls inside its box
        p.screenshot(path=str(artifacts / "workspace_tasks_phone.png"))
        assert p.js_errors == []
    finally:
        phone.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_login_page_at_width(browser: Any, live_server: str, width: int) -> None:
    browser.run(login_page_at_width, live_server, width)


def login_page_at_width(browser: Any, live_server: str, width: int) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 844})
    try:
        p = _page(ctx)
        p.goto(f"{live_server}/reports/1")
        p.wait_for_url(f"{live_server}/login?next=/reports/1")
        assert p.evaluate(NO_OVERFLOW)
        p.fill("input[name=username]", "guest")
        p.fill("input[name=password]", "wrong password")
        p.click("form[action='/login'] button[type=submit]")
        assert p.inner_text("p.error") == "用户名或密码错误"
        # the refused log-in answers 401, which Chromium logs as a failed resource; nothing else may fail
        assert [e for e in p.js_errors if "status of 401" not in e] == []
    finally:
        ctx.close()
