"""The report card and indicator views in headless Chromium (system /usr/bin/chromium, no `playwright install`).

Skipped locally when Chromium or playwright is missing; with CI=true a missing browser fails instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def _canvas_size(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#chart canvas", state="attached", timeout=15000)
    box = page.eval_on_selector("#chart canvas", "c => [c.width, c.height, c.getBoundingClientRect().width]")
    return float(box[0]), float(box[1])


def _chart_has_ink(page) -> bool:  # type: ignore[no-untyped-def]
    """Some pixels of the chart canvas are not blank (ECharts really drew)."""
    return bool(page.eval_on_selector("#chart canvas", """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
        return n > 500;
    }"""))


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    p.js_errors = errors
    # the pages must never reach beyond the local server
    p.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
            else route.abort())
    yield p
    ctx.close()


def test_report_card_in_browser(page, live_server: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/public/report/guowuyuan_2024")
    assert page.title().startswith("全国 2024 年目标成绩单")
    gdp_row = page.locator("#verdicts tr.row", has_text="国内生产总值增长5%左右")
    assert gdp_row.count() == 1
    badge = gdp_row.locator(".verdict")
    assert badge.inner_text().strip().endswith("已完成")
    assert badge.get_attribute("data-verdict") == "met"
    assert "增长5%" in gdp_row.locator("td").nth(2).inner_text()
    # the colour comes with the text: the badge is green and says 已完成
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(26, 127, 55)"
    counts = page.locator(".counts li")
    assert counts.count() == 6
    assert "未报告" in page.locator(".counts").inner_text()
    page.screenshot(path=str(artifacts / "public_report_guowuyuan_2024.png"), full_page=True)
    assert page.js_errors == []


def test_indicator_view_in_browser(page, live_server: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/public/indicator/gdp?year=2025")
    w, h = _canvas_size(page)
    assert w > 100 and h > 100
    assert _chart_has_ink(page)
    table = page.locator("#places").inner_text()
    for place in ("安徽省", "上海市", "云南省"):
        assert place in table
    assert "已完成" in table
    page.screenshot(path=str(artifacts / "public_indicator_gdp_2025.png"), full_page=True)
    assert page.js_errors == []


def test_place_view_and_phone_width(browser, live_server: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        p = ctx.new_page()
        p.goto(f"{live_server}/public/place/guowuyuan")
        w, h = _canvas_size(p)
        assert w > 100 and h > 100
        # no sideways scrolling at phone width
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        p.screenshot(path=str(artifacts / "public_place_guowuyuan_phone.png"), full_page=True)
        p.goto(f"{live_server}/public/report/guowuyuan_2024")
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        p.screenshot(path=str(artifacts / "public_report_guowuyuan_2024_phone.png"), full_page=True)
    finally:
        ctx.close()
