"""The workspace commands: the first admin, departments, the demo seed, and the daily digest over real SMTP."""

from __future__ import annotations

import email
import subprocess
import sys
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.store import open_store
from govledger.workspace import SYSTEM, TaskFilter, Workspace
from govledger.workspace.digest import digest_text
from tests.browser_support import free_port
from tests.conftest import REPORTS

_register()
runner = CliRunner()
YAAN = REPORTS / "yaan_2024.txt"


def cli(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def test_first_admin_from_stdin_and_one_line_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "ws.db")
    ok = cli("user", "add", "root", "--admin", "--password-stdin", "--db", db, stdin="correct horse\n")
    assert ok.exit_code == 0, ok.output
    ws = Workspace(open_store(db))
    assert ws.authenticate("root", "correct horse") is not None
    assert ws.authenticate("root", "wrong password") is None
    again = cli("user", "add", "root", "--admin", "--password-stdin", "--db", db, stdin="correct horse\n")
    assert again.exit_code == 2 and "已存在" in again.output
    short = cli("user", "add", "bob", "--password-stdin", "--db", db, stdin="short\n")
    assert short.exit_code == 2 and "至少 10 位" in short.output
    nodept = cli("user", "add", "carol", "--role", "department", "--department", "市财政局", "--password-stdin",
                 "--db", db, stdin="long enough\n")
    assert nodept.exit_code == 2 and "市财政局" in nodept.output
    assert cli("department", "add", "市财政局", "--email", "czj@example.org", "--db", db).exit_code == 0
    dept = cli("user", "add", "carol", "--role", "department", "--department", "市财政局", "--password-stdin",
               "--db", db, stdin="long enough\n")
    assert dept.exit_code == 0, dept.output
    listing = cli("user", "list", "--db", db)
    assert "carol\tdepartment\t市财政局" in listing.output


def test_user_add_never_prints_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "govledger", "user", "add", "x", "--role", "boss", "--password-stdin",
         "--db", str(tmp_path / "ws.db")], input="long enough\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.fixture()
def demo(tmp_path: Path) -> Workspace:
    from govledger.serve.cli_workspace import import_reports, seed_demo

    ws = Workspace(open_store(str(tmp_path / "ws.db")), today=date(2024, 9, 1))
    n, new, failures = import_reports(ws, [YAAN])
    assert (n, failures) == (1, []) and new > 50
    seed_demo(ws)
    # two tasks the office brought forward: on 1 September one is overdue and one due within the fortnight
    items = ws.list_tasks(TaskFilter(), per_page=500).items
    ws.update_task(SYSTEM, items[10].id, items[10].version, {"deadline": date(2024, 8, 31)})
    ws.update_task(SYSTEM, items[11].id, items[11].version, {"deadline": date(2024, 9, 10)})
    return ws


def test_demo_assigns_every_task_and_reimport_is_idempotent(demo: Workspace) -> None:
    from govledger.serve.cli_workspace import import_reports, seed_demo

    report = demo.reports()[0]
    assert demo.list_tasks(TaskFilter(report_id=report.id, stage="draft")).total == 0
    before = demo.list_tasks(TaskFilter(report_id=report.id), per_page=500)
    assert all(t.lead for t in before.items)
    assert import_reports(demo, [YAAN])[:2] == (1, 0)
    _, password = seed_demo(demo)  # a second demo run resets the password, adds nothing
    assert demo.authenticate("admin", password) is not None
    assert demo.list_tasks(TaskFilter(report_id=report.id), per_page=500).total == before.total
    assert len(demo.departments()) == 6


def test_digest_lists_overdue_tasks_by_department(demo: Workspace) -> None:
    entries = demo.digest()
    overdue = [t for e in entries for t in e["overdue"]]
    due_soon = [t for e in entries for t in e["due_soon"]]
    assert [t.deadline for t in overdue] == [date(2024, 8, 31)]
    assert [t.deadline for t in due_soon] == [date(2024, 9, 10)]
    subject, body = digest_text(entries[0], base_url="http://localhost:8000/")
    assert entries[0]["department"] in subject and "逾期" in subject
    assert "http://localhost:8000/digest" in body
    for t in entries[0]["overdue"] + entries[0]["due_soon"]:
        assert f"[{t.seq}]" in body
    assert ("已逾期 1 天" in body) == bool(entries[0]["overdue"])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def test_digest_is_sent_through_a_real_smtp_server(demo: Workspace, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    from govledger.workspace import SYSTEM as _SYSTEM

    due = [e["department"] for e in demo.digest()]
    target = next(d for d in demo.departments() if d.name == due[0])
    demo.update_department(_SYSTEM, target.id, email="dept@example.org")
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = cli("digest", "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from",
                     "duchashi@example.org", "--today", "2024-09-01", "--db", str(demo.store.engine.url.database))
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "sent 1 reminders" in result.output
    assert ("no e-mail address for" in result.output) == (len(due) > 1)
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "dept@example.org"
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert target.name in subject
    body = msg.get_payload(decode=True)
    assert isinstance(body, bytes) and "督查工作台" in body.decode("utf-8")


def test_digest_send_to_a_closed_port_is_one_line(demo: Workspace) -> None:
    port = free_port()
    result = cli("digest", "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--today", "2024-09-01",
                 "--db", str(demo.store.engine.url.database))
    assert result.exit_code == 2
    assert "SMTP 127.0.0.1" in result.output


def test_system_actor_is_admin() -> None:
    assert SYSTEM.can("manage_users") and SYSTEM.can("import")


class _PickyInbox(_Inbox):
    """Refuses one recipient, as a real server refuses an unknown mailbox."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: Any) -> str:
        if address.startswith("refuse@"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_digest_goes_on_past_a_failing_recipient(demo: Workspace) -> None:
    """A stored address that is a list (saved before addresses were checked) and a mailbox the server refuses:
    both are reported by name, every other department still gets its reminder, the exit code says so."""
    from aiosmtpd.controller import Controller
    from sqlalchemy import text

    due = [e["department"] for e in demo.digest()]
    by_name = {d.name: d.id for d in demo.departments()}
    if len(due) < 3:  # the demo deals tasks to six departments: give two more something due soon
        for name in [n for n in by_name if n not in due][: 3 - len(due)]:
            task = demo.list_tasks(TaskFilter(department_id=by_name[name]), per_page=1).items[0]
            demo.update_task(SYSTEM, task.id, task.version, {"lead_id": by_name[name], "deadline": date(2024, 9, 5)})
        due = [e["department"] for e in demo.digest()]
    assert len(due) >= 3
    with demo.store.engine.begin() as conn:
        conn.execute(text("UPDATE departments SET email = :e WHERE name = :n"), {"e": "a@x.org, b@y.org", "n": due[0]})
    demo.update_department(SYSTEM, by_name[due[1]], email="refuse@example.org")
    for name in due[2:]:
        demo.update_department(SYSTEM, by_name[name], email=f"d{by_name[name]}@example.org")
    inbox = _PickyInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = cli("digest", "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--today", "2024-09-01",
                     "--db", str(demo.store.engine.url.database))
    finally:
        controller.stop()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"not sent: {due[0]}" in result.output and f"not sent: {due[1]}" in result.output
    assert f"sent {len(due) - 2} reminders" in result.output and "2 failed" in result.output
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"d{by_name[n]}@example.org" for n in due[2:])


def test_tokens_are_listed_and_revoked_from_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "ws.db")
    ws = Workspace(open_store(db))
    user = ws.add_user(SYSTEM, "bot", "correct horse battery", "viewer")
    first, _ = ws.issue_credential(user.id, "token", "cron")
    second, _ = ws.issue_credential(user.id, "token", "backup")
    listing = cli("user", "tokens", "bot", "--db", db)
    assert listing.exit_code == 0 and "cron" in listing.output and "backup" in listing.output
    assert first not in listing.output  # never the secret
    token_id = int(listing.output.splitlines()[0].split("\t")[0])
    one = cli("user", "revoke", "bot", "--token", str(token_id), "--db", db)
    assert one.exit_code == 0 and "revoked 1" in one.output
    assert ws.resolve_credential(first, "token") is None and ws.resolve_credential(second, "token") is not None
    missing = cli("user", "revoke", "bot", "--token", "999", "--db", db)
    assert missing.exit_code == 2 and "no token 999" in missing.output
    every = cli("user", "revoke", "bot", "--db", db)
    assert every.exit_code == 0 and ws.resolve_credential(second, "token") is None
    assert "token.revoke" in [a.action for a in ws.history(limit=5)]
