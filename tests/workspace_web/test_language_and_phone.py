"""Every workspace page in Chinese, drawn with a CJK font, and readable on a 390 px phone (headless Chromium).

A walk through the pages as admin, supervisor, department and viewer on 雅安 2024 with real
assignments, feedback, a return and an extension. On each page the visible text (``innerText``)
may hold no run of four or more Latin letters once addresses (URLs, paths, e-mail) and document ids
are set aside, except an allow-list (usernames, file types, the Ctrl key); the page title's font, as Chromium reports the platform font it used, must be one
``fc-list :lang=zh`` names — so the test fails on a machine without a Chinese font. At 390 px the
task list and the 红黑榜 do not scroll sideways and each row's 完成时限 / 进度 / 状态 (and the ranking's
逾期 / 预警 / 得分) lie inside the screen.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govledger.workspace import SYSTEM, Actor, TaskFilter
from tests.browser_support import serve_in_thread
from tests.workspace_web.conftest import ACCOUNTS, PASSWORD

LATIN = re.compile(r"[A-Za-z]{4,}")
# what may be Latin on a Chinese page: addresses (URLs, paths, e-mail), document ids, log-in names, file types,
# the Ctrl key; removed before looking for words
NOT_WORDS = re.compile(r"https?://\S+|/[\w/.?=&%-]+|[\w.+-]+@[\w.-]+|\b[a-z]+_\d{4}\b")
ALLOWED = re.compile(r"^(?:XLSX|xlsx|docx|html|Ctrl|JPEG|jpeg|WEBP|webp)$")
USERNAMES = set(ACCOUNTS) | {"system"}


def cjk_families() -> set[str]:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


@pytest.fixture
def busy_ws(ws: Any, dept_ids: dict[str, int]) -> Any:
    """雅安 2024 with work in it: tasks assigned, feedback approved and returned, an extension pending."""
    users = {u.username: u for u in ws.users(SYSTEM)}

    def actor(name: str) -> Actor:
        u = users[name]
        return Actor(u.id, u.username, u.role, u.department_id)

    tasks = ws.list_tasks(TaskFilter(report_id=ws.reports()[0].id), per_page=500).items
    fgw, zjj = dept_ids["市发展改革委"], dept_ids["市住房城乡建设局"]
    for i, t in enumerate(tasks[:30]):
        ws.update_task(SYSTEM, t.id, t.version, {"lead_id": fgw if i % 2 == 0 else zjj, "co_ids": []})
    mine = [t for t in ws.list_tasks(TaskFilter(department_id=fgw), per_page=500).items][:3]
    fb = ws.submit_feedback(actor("fgw"), mine[0].id, text="已完成年度目标的六成", percent=60.0)
    ws.review_feedback(actor("sup"), fb.id, True)
    fb = ws.submit_feedback(actor("fgw"), mine[1].id, text="推进中", percent=20.0)
    ws.review_feedback(actor("sup"), fb.id, False, "请补充佐证材料")
    ws.submit_feedback(actor("fgw"), mine[2].id, text="项目已开工", percent=35.0)
    ws.request_extension(actor("fgw"), mine[2].id, date(2025, 3, 31), "用地审批延后")
    ws.set_public(SYSTEM, ws.reports()[0].id, True)
    return ws


@pytest.fixture
def busy_server(busy_ws: Any) -> Iterator[str]:
    from govledger.serve.workspace.app import create_app

    with serve_in_thread(create_app(busy_ws)) as url:
        yield url


def pages_for(role: str, report: int, task: int) -> list[str]:
    common = ["/", f"/reports/{report}", f"/reports/{report}/tasks", f"/tasks/{task}", "/reviews", "/digest",
              "/search?q=项目", "/public", "/public/report/yaan_2024", "/public/yaan_2024"]
    extra = {"admin": ["/admin", "/admin/audit"], "department": ["/my"]}
    return common + extra.get(role, [])


def english_words(text: str) -> list[str]:
    text = NOT_WORDS.sub(" ", text)
    return sorted({w for w in LATIN.findall(text) if not ALLOWED.match(w) and w not in USERNAMES})


def english_on(page: Any) -> list[str]:
    return english_words(page.evaluate("document.body.innerText"))


def test_the_check_finds_what_issue_12_saw() -> None:
    """The words the issue found on the pages are caught; addresses and document ids are not words."""
    assert english_words("当前角色（department）无权执行此操作") == ["department"]
    assert english_words("units do not convert (元 vs 个)") == ["convert", "units"]
    assert english_words("pp_change，pp") == ["change"]
    assert english_words("数据：/api/public/report/yaan_2024 · 邮箱 dept0@example.org · 上传 .docx") == []


def font_of(page: Any, selector: str) -> list[str]:
    """The platform fonts Chromium used for the element's text (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [f["familyName"] for f in fonts]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def walk(browser: Any, base: str, report: int, task: int, artifacts: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    cjk = cjk_families()
    assert cjk, "no Chinese font installed (fc-list :lang=zh is empty): pages would show boxes"
    for username, (role, _, _) in ACCOUNTS.items():
        if username == "zjj":
            continue  # one department user is enough for the words; zjj's pages are fgw's
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        try:
            page = ctx.new_page()
            log_in(page, base, username)
            for path in pages_for(role, report, task):
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (username, path)
                words = english_on(page)
                if words:
                    found[f"{username} {path}"] = words
                families = font_of(page, "h1")
                assert any(f in cjk for f in families), (path, families)
            page.screenshot(path=str(artifacts / f"workspace_walk_{role}.png"), full_page=False)
        finally:
            ctx.close()
    return found


def test_no_english_on_any_page_and_chinese_font(browser: Any, busy_server: str, busy_ws: Any,
                                                 artifacts: Path) -> None:
    report = busy_ws.reports()[0].id
    task = next(t.id for t in busy_ws.list_tasks(TaskFilter(report_id=report), per_page=500).items if t.lead_id)
    found = browser.run(walk, busy_server, report, task, artifacts)
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


INSIDE = """(sel) => Array.from(document.querySelectorAll(sel)).slice(0, 12).map(el => {
    const r = el.getBoundingClientRect();
    return [el.innerText.trim().slice(0, 20), r.left >= 0 && r.right <= window.innerWidth + 1 && r.width > 0];
})"""


def phone(browser: Any, base: str, report: int, artifacts: Path) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    out: dict[str, Any] = {}
    try:
        page = ctx.new_page()
        log_in(page, base, "sup")
        page.goto(f"{base}/reports/{report}/tasks")
        out["tasks_width"] = page.evaluate("document.scrollingElement.scrollWidth")
        for cell in ("deadline", "progress", "state-cell"):
            out[f"tasks {cell}"] = page.evaluate(INSIDE, f"#task-list tr.task td.{cell}")
        page.screenshot(path=str(artifacts / "workspace_tasks_phone_cards.png"))
        page.goto(f"{base}/reports/{report}")
        out["dashboard_width"] = page.evaluate("document.scrollingElement.scrollWidth")
        for label in ("逾期", "预警", "得分", "榜单"):
            out[f"ranking {label}"] = page.evaluate(INSIDE, f'#ranking td[data-label="{label}"]')
        page.locator("#ranking").screenshot(path=str(artifacts / "workspace_ranking_phone_cards.png"))
    finally:
        ctx.close()
    return out


def test_task_list_and_ranking_fit_a_phone(browser: Any, busy_server: str, busy_ws: Any, artifacts: Path) -> None:
    out = browser.run(phone, busy_server, busy_ws.reports()[0].id, artifacts)
    assert out.pop("tasks_width") <= 390 and out.pop("dashboard_width") <= 390
    for what, cells in out.items():
        assert cells, f"{what}: no cells found"
        outside = [text for text, inside in cells if not inside]
        assert outside == [], f"{what}: off-screen at 390 px: {outside}"
