"""Fixtures of the ``/api/v1`` tests: a workspace on SQLite and on PostgreSQL with the real 雅安 2024 report.

``db_url`` runs each test once on a fresh SQLite file and once on the
PostgreSQL database named by ``GOVLEDGER_TEST_PG_URL`` (its ``public``
schema wiped first, as ``tests/store_support.py`` does); without that
variable the PostgreSQL runs are skipped locally and fail under ``CI=true``.
``today`` is fixed at 2024-09-01, so 序时进度 and statuses do not drift with
the calendar. Password hashing is made cheap (argon2 at its minimum cost):
the tests make a dozen accounts and tokens per test, and the real cost
would dominate their run time without testing anything more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import REPORTS
from tests.store_support import pg_url_or_skip, wipe_postgres

YAAN = REPORTS / "yaan_2024.txt"
GUANGYUAN = REPORTS / "guangyuan_2024.txt"
TODAY = date(2024, 9, 1)
# the 任务分解表 of 雅安 2024: one task per actionable sentence of its plan (tests/workspace/test_decompose.py)
YAAN_TASKS = 191
PASSWORD = "correct horse battery"
DEPARTMENTS = ("市发展改革委", "市住房城乡建设局", "市财政局", "市教育局")
# username → (role, department)
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "sup": ("supervisor", None),
    "fgw": ("department", "市发展改革委"),
    "zjj": ("department", "市住房城乡建设局"),
    "czj": ("department", "市财政局"),
    "guest": ("viewer", None),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from govledger import security

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security, "_hasher", lambda: hasher)


@pytest.fixture(scope="session")
def yaan_ledger() -> Any:
    if not YAAN.is_file():
        pytest.skip(f"sample report {YAAN} missing")
    from govledger.pipeline import build_ledger

    return build_ledger(YAAN)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or the wiped PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ws.db'}"
        return
    url = pg_url_or_skip()
    wipe_postgres(url)
    yield url


class Api:
    """A test client with one bearer token per account, and helpers the tests share."""

    def __init__(self, client: TestClient, ws: Any, tokens: dict[str, str], depts: dict[str, int],
                 report_id: int, url: str) -> None:
        self.client, self.ws, self.tokens, self.depts = client, ws, tokens, depts
        self.report_id, self.url = report_id, url

    @property
    def backend(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"

    def call(self, who: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.request(method, "/api/v1" + path, headers=headers, **kw)

    def ok(self, who: str, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        """The JSON body of a call that must succeed with ``status``."""
        r = self.call(who, method, path, **kw)
        assert r.status_code == status, f"{method} {path} as {who}: {r.status_code} {r.text}"
        return r.json()

    def login(self, username: str) -> str:
        r = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.tokens[username] = str(r.json()["token"])
        return self.tokens[username]

    # ---------------------------------------------------------------- tasks

    def tasks(self, who: str = "admin", **params: Any) -> dict[str, Any]:
        query = {"report_id": self.report_id, "per_page": 500, **params}
        return dict(self.ok(who, "GET", "/tasks", params={k: v for k, v in query.items() if v is not None}))

    def all_tasks(self) -> list[dict[str, Any]]:
        return list(self.tasks()["items"])

    def task(self, task_id: int) -> dict[str, Any]:
        return dict(self.ok("admin", "GET", f"/tasks/{task_id}")["task"])

    def find(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        found = [t for t in self.all_tasks() if predicate(t)]
        assert found, "no task matches"
        return found[0]

    def by_content(self, words: str) -> dict[str, Any]:
        return self.find(lambda t: words in t["content"])

    def patch(self, task: dict[str, Any], who: str = "sup", **changes: Any) -> dict[str, Any]:
        return dict(self.ok(who, "PATCH", f"/tasks/{task['id']}", json={"version": task["version"], **changes}))

    def assign(self, task: dict[str, Any], lead: str, co: tuple[str, ...] = ()) -> dict[str, Any]:
        return self.patch(task, lead_id=self.depts[lead], co_ids=[self.depts[c] for c in co])

    def feedback(self, who: str, task: dict[str, Any], text_: str = "进展顺利", **fields: Any) -> Any:
        files = fields.pop("files", None)
        data = {"text": text_, **{k: str(v) for k, v in fields.items()}}
        return self.call(who, "POST", f"/tasks/{task['id']}/feedback", data=data, files=files)

    def approve(self, feedback_id: int, who: str = "sup") -> dict[str, Any]:
        return dict(self.ok(who, "POST", f"/feedback/{feedback_id}/review", json={"approve": True}))

    def report_progress(self, dept_user: str, task: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """File feedback as ``dept_user``, approve it as the supervisor; the task afterwards."""
        r = self.feedback(dept_user, task, **fields)
        assert r.status_code == 201, r.text
        self.approve(r.json()["id"])
        return self.task(task["id"])

    # ---------------------------------------------------------------- the database underneath

    def sql(self, statement: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.ws.store.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(statement), params).all()]

    def state(self) -> dict[str, Any]:
        """Everything a refused or failed request must leave alone: row counts and every task's version."""
        out: dict[str, Any] = {}
        for table in ("tasks", "feedback", "attachments", "extensions", "audit_log", "departments", "users",
                      "reports"):
            out[table] = self.sql(f"SELECT count(*) FROM {table}")[0][0]
        out["versions"] = dict(self.sql("SELECT id, version FROM tasks"))
        out["public"] = dict(self.sql("SELECT report_id, public FROM report_settings"))
        out["users"] = self.sql("SELECT id, role, active, department_id FROM users ORDER BY id")
        out["departments"] = self.sql("SELECT id, name, email, active FROM departments ORDER BY id")
        return out


def make_api(url: str, ledger: Any) -> tuple[Api, Any]:
    from govledger.serve.workspace.app import create_app
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    store = open_store(url)
    ws = Workspace(store, today=TODAY)
    depts = {name: ws.add_department(SYSTEM, name, f"dept{i}@example.org").id for i, name in enumerate(DEPARTMENTS)}
    for username, (role, dept) in ACCOUNTS.items():
        ws.add_user(SYSTEM, username, PASSWORD, role, department_id=depts[dept] if dept else None)
    outcome, new = ws.import_ledger(SYSTEM, ledger)
    assert outcome.status == "imported" and new > 50
    client = TestClient(create_app(ws))
    api = Api(client, ws, {}, depts, ws.report_by_doc(ledger.doc).id, url)
    for username in ACCOUNTS:
        api.login(username)
    return api, store


@pytest.fixture
def api(db_url: str, yaan_ledger: Any) -> Iterator[Api]:
    """The workspace over ``db_url`` with 雅安 2024 imported (191 tasks, none assigned), six accounts logged in."""
    made, store = make_api(db_url, yaan_ledger)
    try:
        yield made
    finally:
        made.client.close()
        store.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def form_login(client: Any, data: dict[str, Any], **kw: Any) -> Any:
    """Post the log-in form as a browser does: fetch the page first for its form token (log-in CSRF)."""
    page = client.get("/login")
    found = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert found, "no log-in form token on the page"
    return client.post("/login", data={**data, "login_token": found.group(1)}, **kw)
