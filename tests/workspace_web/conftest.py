"""Fixtures of the workspace pages: a fresh SQLite workspace with accounts and departments, the real 雅安 2024 report.

``today`` is fixed at 2024-09-01, so 序时进度 and statuses do not drift with the calendar.
The ledger is built once per session (it is the slow part); every test gets its own database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser, serve_in_thread
from tests.conftest import REPORTS
from tests.workspace.conftest import form_login

YAAN = REPORTS / "yaan_2024.txt"
TODAY = date(2024, 9, 1)
PASSWORD = "correct horse battery"
DEPARTMENTS = ("市发展改革委", "市住房城乡建设局", "市财政局")
# username → (role, department name or None, display name)
ACCOUNTS: dict[str, tuple[str, str | None, str]] = {
    "admin": ("admin", None, "管理员甲"),
    "sup": ("supervisor", None, "督查室乙"),
    "fgw": ("department", "市发展改革委", "发改委联络员"),
    "zjj": ("department", "市住房城乡建设局", "住建局联络员"),
    "guest": ("viewer", None, "访客丁"),
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def yaan_ledger() -> Any:
    if not YAAN.is_file():
        pytest.skip(f"sample report {YAAN} missing")
    from govledger.pipeline import build_ledger

    return build_ledger(YAAN)


def _bare_workspace(folder: Path) -> Any:
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    ws = Workspace(open_store(f"sqlite:///{folder / 'ws.db'}"), today=TODAY)
    ids = {name: ws.add_department(SYSTEM, name, f"dept{i}@example.org").id for i, name in enumerate(DEPARTMENTS)}
    for username, (role, dept, display) in ACCOUNTS.items():
        ws.add_user(SYSTEM, username, PASSWORD, role, display_name=display,
                    department_id=ids[dept] if dept else None)
    return ws


# 序号 of the yaan_2024 task the ``ws`` fixture makes overdue (8月底前全面完成…，年底前完成28个地质灾害防治项目)
OVERDUE_SEQ = "151"
YAAN_TASKS = 191


@pytest.fixture
def bare_ws(tmp_path: Path) -> Any:
    """Accounts and departments, no report yet."""
    return _bare_workspace(tmp_path)


@pytest.fixture
def ws(bare_ws: Any, yaan_ledger: Any) -> Any:
    """The workspace with 雅安 2024 imported (191 tasks, one per actionable plan sentence, none assigned)."""
    from govledger.workspace import SYSTEM

    outcome, new = bare_ws.import_ledger(SYSTEM, yaan_ledger)
    assert outcome.status == "imported" and new > 50
    # the office brought 年底前完成28个地质灾害防治项目 forward to 8月底: one task is overdue on 1 September
    task = next(t for t in bare_ws.list_tasks(per_page=500).items if "年底前完成28个地质灾害防治项目" in t.content)
    assert task.seq == OVERDUE_SEQ
    bare_ws.update_task(SYSTEM, task.id, task.version, {"deadline": date(2024, 8, 31)})
    return bare_ws


@pytest.fixture
def dept_ids(ws: Any) -> dict[str, int]:
    return {d.name: d.id for d in ws.departments()}


@pytest.fixture
def app(ws: Any) -> Any:
    from govledger.serve.workspace.app import create_app

    return create_app(ws)


class Browser:
    """A TestClient logged in as one user, with the CSRF token of its session at hand."""

    def __init__(self, client: Any, username: str | None) -> None:
        self.client = client
        self.username = username
        self.csrf = ""
        if username is not None:
            r = form_login(client, {"username": username, "password": PASSWORD, "next": "/"},
                            follow_redirects=False)
            assert r.status_code == 303, r.text
            page = client.get("/")
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert found, "no CSRF token on the reports page"
            self.csrf = found.group(1)

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.csrf
        kw.setdefault("follow_redirects", False)
        return self.client.post(url, data=body, **kw)


@pytest.fixture
def login(app: Any) -> Iterator[Any]:
    """``login("sup")`` → a ``Browser`` with its own cookie jar; ``login(None)`` is anonymous."""
    from fastapi.testclient import TestClient

    clients: list[Any] = []

    def make(username: str | None) -> Browser:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        return Browser(c, username)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


# ---------------------------------------------------------------------------- the real browser


@pytest.fixture
def live_server(bare_ws: Any) -> Iterator[str]:
    """uvicorn on 127.0.0.1 and a free port, in a thread, over a workspace with accounts but no report."""
    from govledger.serve.workspace.app import create_app

    with serve_in_thread(create_app(bare_ws)) as url:
        yield url


class BrowserThread:
    """Chromium driven from one dedicated thread: ``run(fn, *args)`` calls ``fn(browser, *args)`` there.

    Playwright's sync API allows one instance per thread. ``tests/web_public`` keeps its own
    session-wide instance on the main thread, so when the whole suite runs, a second one on the
    main thread would be refused ("Sync API inside the asyncio loop"). A thread of our own makes
    this suite independent of whichever other browser tests run in the same session.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workspace-chromium")
        self._pw: Any = None
        self._browser: Any = None
        self._pool.submit(self._start).result(timeout=120)

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    def run(self, fn: Any, *args: Any) -> Any:
        return self._pool.submit(fn, self._browser, *args).result(timeout=600)

    def close(self) -> None:
        try:
            self._pool.submit(self._stop).result(timeout=60)
        finally:
            self._pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserThread]:
    require_browser()
    runner = BrowserThread()
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
