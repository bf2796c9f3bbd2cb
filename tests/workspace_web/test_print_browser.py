"""The print layouts in headless Chromium: the 督办单 is one A4 page with no navigation or forms, and the project
ledger reads on a 390 px phone without sideways scrolling. Screenshots and the PDF go to ``test-artifacts/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import serve_in_thread
from tests.workspace.test_projects import GOOD, workbook
from tests.workspace_web.conftest import PASSWORD

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@pytest.fixture
def office_server(ws: Any, dept_ids: dict[str, int]) -> Iterator[tuple[str, int, int]]:
    """The app over 雅安 2024 with its project list, and the task with the longest quote assigned, with all four
    quarterly milestones described and a long free-text note: the fullest 督办单 the report gives."""
    from govledger.serve.workspace.app import create_app
    from govledger.workspace import SYSTEM

    report = ws.reports()[0].id
    ws.create_placeholders(SYSTEM, report)
    ws.import_projects(SYSTEM, report, workbook(GOOD))
    task = max(ws.list_tasks(per_page=500).items, key=lambda t: len(t.quote) + len(t.content))
    note = "一季度：完成方案编制和项目审批；二季度：开工建设并完成投资过半；三季度：主体工程基本完成；四季度：全面完成并验收。"
    ws.update_task(SYSTEM, task.id, task.version, {
        "lead_id": dept_ids["市发展改革委"], "co_ids": [dept_ids["市住房城乡建设局"], dept_ids["市财政局"]],
        "milestones": note})
    ws.set_task_milestones(SYSTEM, task.id, {1: (15.0, "完成方案编制和项目审批"), 2: (50.0, "开工建设，完成投资过半"),
                                             3: (80.0, "主体工程基本完成"), 4: (100.0, "全面完成并通过验收")})
    with serve_in_thread(create_app(ws)) as url:
        yield url, task.id, report


def test_duban_is_one_a4_page(browser: Any, office_server: tuple[str, int, int], artifacts: Path) -> None:
    browser.run(duban_is_one_page, *office_server, artifacts)


def duban_is_one_page(browser: Any, base: str, task_id: int, report: int, artifacts: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "sup")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/tasks/{task_id}/print")
        assert page.is_visible("header.top") and page.is_visible(".print-button")
        page.emulate_media(media="print")
        assert not page.is_visible("header.top") and not page.is_visible(".print-button")
        assert page.is_visible("#duban table.sign")
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        (artifacts / "duban.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1
        # and it is not a page squeezed into unreadability: the sheet fills most of the A4 height at 96 dpi
        height = page.evaluate("document.getElementById('duban').getBoundingClientRect().height")
        assert 400 < height < 1123 - 2 * 53  # A4 is 1123 px tall; the @page margins take 14 mm each
        page.set_viewport_size({"width": 794, "height": 1123})
        page.screenshot(path=str(artifacts / "duban-print.png"), full_page=True)
    finally:
        ctx.close()


def test_project_ledger_on_a_phone(browser: Any, office_server: tuple[str, int, int], artifacts: Path) -> None:
    browser.run(ledger_on_phone, *office_server, artifacts)


def ledger_on_phone(browser: Any, base: str, task_id: int, report: int, artifacts: Path) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        page = ctx.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "guest")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/reports/{report}/projects")
        assert page.evaluate(NO_OVERFLOW)
        # each project is a card: its rating, completion and pace visible without scrolling sideways
        first = page.locator("#projects tbody tr").first
        box = first.locator("td[data-label='评定']").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert first.locator(".rating").inner_text().endswith("蜗牛项目")
        page.screenshot(path=str(artifacts / "projects-phone.png"))
        page.goto(f"{base}/reports/{report}/projects/board")
        assert page.evaluate(NO_OVERFLOW)
        page.screenshot(path=str(artifacts / "board-phone.png"), full_page=True)
    finally:
        ctx.close()
