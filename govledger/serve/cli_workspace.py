"""CLI commands of the supervision workspace: ``serve``, ``user add|list|password|tokens|revoke``, ``department add``,
``digest``.

``govledger serve --reports DIR --demo`` is the newcomer's minute: it
imports the reports (each target becomes a task), creates a demo admin
with a fresh random password that it prints, a few departments with the
tasks dealt out among them, and starts the web workspace as of 15 June of
the seed report's year with half a year of activity played through the
workspace (``demo_seed.py``; ``--today`` overrides the date).
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from govledger.cli import app
from govledger.errors import ReportError
from govledger.serve.console import err_console, fail, one_line_errors

if TYPE_CHECKING:
    from govledger.workspace import Workspace

user_app = typer.Typer(help="Workspace accounts: add users (the first admin), list them, reset a password.",
                       no_args_is_help=True)
department_app = typer.Typer(help="The managed list of departments (牵头/配合单位).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(department_app, name="department")

DbOption = Annotated[str | None, typer.Option("--db", help="Database: file path or URL (default $GOVLEDGER_DB or govledger.db)")]
DEMO_DEPARTMENTS = ("市发展改革委", "市经济和信息化局", "市住房城乡建设局", "市农业农村局", "市生态环境局", "市人力资源社会保障局")
REPORT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


def _workspace(db: str | None, today: str | None = None, margin: float | None = None,
               token_days: int | None = None, time_zone: str | None = None) -> Workspace:
    from govledger.store import open_store
    from govledger.workspace import Workspace
    from govledger.workspace.rules import DEFAULT_MARGIN

    fixed = None
    if today:
        try:
            fixed = date.fromisoformat(today)
        except ValueError:
            fail(f"--today {today}: not a date (YYYY-MM-DD)")
    from govledger.workspace import TOKEN_DAYS

    if token_days is not None and not 1 <= token_days <= 3650:
        fail(f"--token-days {token_days}: must be between 1 and 3650")
    if time_zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"--time-zone {time_zone}: not a time zone name (e.g. Asia/Shanghai)")
    return Workspace(open_store(db), today=fixed, margin=DEFAULT_MARGIN if margin is None else margin,
                     token_days=token_days or TOKEN_DAYS, time_zone=time_zone)


def _password(from_stdin: bool) -> str:
    """The new password: from stdin (scripts), ``$GOVLEDGER_PASSWORD``, or an interactive hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    env = os.environ.get("GOVLEDGER_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        fail("no password: use --password-stdin, set GOVLEDGER_PASSWORD, or run in a terminal")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
@one_line_errors
def user_add(
    username: Annotated[str, typer.Argument(help="Log-in name")],
    admin: Annotated[bool, typer.Option("--admin", help="Make an administrator (same as --role admin)")] = False,
    role: Annotated[str, typer.Option(help="admin, supervisor, department or viewer")] = "viewer",
    department: Annotated[str | None, typer.Option(help="Department name (required for --role department)")] = None,
    display_name: Annotated[str | None, typer.Option("--name", help="Name shown in the pages")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    db: DbOption = None,
) -> None:
    """Add a user; ``govledger user add admin --admin`` creates the first administrator."""
    from govledger.workspace import SYSTEM

    ws = _workspace(db)
    dept_id = None
    if department:
        match = [d for d in ws.departments() if d.name == department]
        if not match:
            fail(f"department {department!r} does not exist (add it with `govledger department add`)")
        dept_id = match[0].id
    user = ws.add_user(SYSTEM, username, _password(password_stdin), "admin" if admin else role,
                       display_name=display_name, department_id=dept_id)
    err_console.print(f"added user {user.username} ({user.role}{', ' + user.department if user.department else ''})")


@user_app.command("password")
@one_line_errors
def user_password(
    username: Annotated[str, typer.Argument(help="Log-in name")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    db: DbOption = None,
) -> None:
    """Set a new password; every session and API token of the user ends."""
    from govledger.workspace import SYSTEM

    _workspace(db).set_password(SYSTEM, username, _password(password_stdin))
    err_console.print(f"password of {username} changed")


@user_app.command("tokens")
@one_line_errors
def user_tokens(username: Annotated[str, typer.Argument(help="Log-in name")], db: DbOption = None) -> None:
    """List a user's API tokens (id, name, issued, expires); never the secrets."""
    from govledger.workspace import SYSTEM

    for t in _workspace(db).tokens(SYSTEM, username):
        expires = t["expires_at"].isoformat(timespec="minutes") if t["expires_at"] else "never"
        typer.echo(f"{t['id']}\t{t['name']}\t{t['created_at'].isoformat(timespec='minutes')}\t{expires}"
                   f"{chr(9) + 'expired' if t['expired'] else ''}")


@user_app.command("revoke")
@one_line_errors
def user_revoke(
    username: Annotated[str, typer.Argument(help="Log-in name")],
    token: Annotated[int | None, typer.Option("--token", help="Only this token id (see `user tokens`)")] = None,
    db: DbOption = None,
) -> None:
    """Revoke a user's API tokens and sessions (all of them, or one token with --token)."""
    from govledger.workspace import SYSTEM

    ws = _workspace(db)
    if token is not None and token not in {t["id"] for t in ws.tokens(SYSTEM, username)}:
        fail(f"user {username} has no token {token}")
    n = ws.revoke_tokens(SYSTEM, token_id=token) if token is not None else ws.revoke_tokens(SYSTEM, username=username)
    err_console.print(f"revoked {n} credential(s) of {username}")


@user_app.command("list")
@one_line_errors
def user_list(db: DbOption = None) -> None:
    """List the accounts."""
    from govledger.workspace import SYSTEM

    for u in _workspace(db).users(SYSTEM):
        typer.echo(f"{u.id}\t{u.username}\t{u.role}\t{u.department or ''}\t{'active' if u.active else 'disabled'}")


@department_app.command("add")
@one_line_errors
def department_add(
    name: Annotated[str, typer.Argument(help="Department name, e.g. 市发展改革委")],
    email: Annotated[str | None, typer.Option(help="Address for the daily reminder")] = None,
    db: DbOption = None,
) -> None:
    """Add a department to the managed list."""
    from govledger.workspace import SYSTEM

    d = _workspace(db).add_department(SYSTEM, name, email)
    err_console.print(f"added department {d.id} {d.name}")


def _report_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES)
        elif p.exists():
            files.append(p)
        else:
            fail(f"{p}: no such file or folder")
    return files


def import_reports(ws: Workspace, files: list[Path]) -> tuple[int, int, list[str]]:
    """Import reports with their tasks under a progress bar; (reports, new tasks, one-line failures)."""
    from rich.progress import Progress

    from govledger.pipeline import build_ledger
    from govledger.serve.workspace.api_common import store_report
    from govledger.workspace import SYSTEM

    done = new_tasks = 0
    failures: list[str] = []
    with Progress(console=err_console, transient=True) as progress:
        bar = progress.add_task("importing reports", total=len(files))
        for f in files:
            try:
                _, n = store_report(ws, SYSTEM, build_ledger(f))
                done += 1
                new_tasks += n
            except ReportError as exc:
                failures.append(str(exc))
            progress.advance(bar)
    return done, new_tasks, failures


def seed_demo(ws: Workspace) -> tuple[str, str]:
    """Demo accounts and departments, and the unassigned tasks dealt out among the departments.

    Returns (admin username, password). The password is new on every run,
    so a demo database never keeps a known password.
    """
    from govledger.workspace import SYSTEM, TaskFilter

    password = secrets.token_urlsafe(9)
    existing = {d.name: d.id for d in ws.departments()}
    for name in DEMO_DEPARTMENTS:
        if name not in existing:
            existing[name] = ws.add_department(SYSTEM, name).id
    users = {u.username for u in ws.users(SYSTEM)}
    accounts = [("admin", "admin", None, "演示管理员"), ("duchashi", "supervisor", None, "督查室"),
                ("fgw", "department", DEMO_DEPARTMENTS[0], "发改委联络员"),
                ("zjj", "department", DEMO_DEPARTMENTS[2], "住建局联络员"), ("guest", "viewer", None, "访客")]
    for username, role, dept, display in accounts:
        if username in users:
            ws.set_password(SYSTEM, username, password)
        else:
            ws.add_user(SYSTEM, username, password, role, display_name=display,
                        department_id=existing[dept] if dept else None)
    ids = [existing[n] for n in DEMO_DEPARTMENTS]
    from rich.progress import track

    for report in track(ws.reports(), description="演示：交办任务", console=err_console, transient=True):
        page = ws.list_tasks(TaskFilter(report_id=report.id, stage="draft"), per_page=500)
        leads = {task.id: (ids[i % len(ids)], [ids[(i + 1) % len(ids)]]) for i, task in enumerate(page.items)}
        if leads:
            ws.assign_tasks(SYSTEM, report.id, leads)
    return "admin", password


@app.command("serve")
@one_line_errors
def serve(
    reports: Annotated[list[Path] | None, typer.Option("--reports", help="Report files or folders to import first")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Create demo accounts (printed) and assign tasks")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD (demos, training)")] = None,
    margin: Annotated[float, typer.Option(help="Points behind 序时进度 before a task is 滞后")] = 10.0,
    secure_cookies: Annotated[bool, typer.Option(help="Mark cookies Secure (behind HTTPS)")] = False,
    token_days: Annotated[int, typer.Option(envvar="GOVLEDGER_TOKEN_DAYS", help="Lifetime of new API tokens, days")] = 30,
    public_docs: Annotated[bool, typer.Option(help="Serve /api/docs and the OpenAPI schema without a log-in")] = False,
    time_zone: Annotated[str | None, typer.Option(envvar="GOVLEDGER_TIME_ZONE",
                                                  help="Time zone of 'today' and displayed times (default Asia/Shanghai)")] = None,
    public_only: Annotated[bool, typer.Option("--public-only", help="Serve only the read-only public views "
                                              "(/public, /api/public): no log-in, no workspace")] = False,
    public_reports: Annotated[str | None, typer.Option(help="Reports the public views show: 'marked' (公开 switch "
                                                       "on; default) or 'all' (default with --public-only)")] = None,
    db: DbOption = None,
) -> None:
    """Start the web app on the store: the supervision workspace, /api/v1 and the public views (/public)."""
    import uvicorn

    from govledger.serve.workspace.app import create_app, echarts_path

    if not 0 < port < 65536:
        fail(f"port {port} is out of range")
    if public_reports not in (None, "marked", "all"):
        fail(f"--public-reports {public_reports}: must be 'marked' or 'all'")
    ws = _workspace(db, today, margin, token_days, time_zone)
    if reports:
        files = _report_files(reports)
        n, new, failures = import_reports(ws, files)
        err_console.print(f"imported {n} of {len(files)} reports, {new} new tasks")
        for line in failures:
            err_console.print(f"  skipped: {line}", markup=False)
    if demo:
        username, password = seed_demo(ws)
        from govledger.serve.demo_run import run_half_year

        run_half_year(ws, password, DEMO_DEPARTMENTS, fixed_today=today is not None)
        err_console.print(f"demo log-in: [bold]{username}[/bold] / [bold]{password}[/bold]  "
                          f"(also duchashi, fgw, jxj, zjj, nyj, sthj, rsj, guest with the same password)")
    elif not ws.has_users() and not public_only:
        err_console.print("no accounts yet: create the first with `govledger user add NAME --admin`")
    if not echarts_path().is_file():
        err_console.print("warning: node_modules/echarts is missing (run `npm ci`): charts are replaced by tables")
    if public_only:
        err_console.print(f"public views (read-only) on http://{host}:{port}/public")
    else:
        err_console.print(f"workspace on http://{host}:{port}/  (public views: /public, API docs: /api/docs)")
    uvicorn.run(create_app(ws, secure_cookies=secure_cookies, public_docs=public_docs, read_only=public_only,
                           public_scope=public_reports, warm_views=True), host=host, port=port, log_level="warning")


@app.command("public")
@one_line_errors
def public(
    reports: Annotated[list[Path] | None, typer.Option("--reports", help="Report or communiqué files or folders "
                                                       "to import into the store first")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8001,
    public_reports: Annotated[str, typer.Option(help="'all' (every stored report) or 'marked'")] = "all",
    db: DbOption = None,
) -> None:
    """The read-only public views of the store: the same app as `govledger serve --public-only`."""
    serve(reports=reports, demo=False, host=host, port=port, today=None, margin=10.0, secure_cookies=False,
          token_days=30, public_docs=False, time_zone=None, public_only=True, public_reports=public_reports, db=db)


@app.command("digest")
@one_line_errors
def digest(
    send: Annotated[bool, typer.Option("--send", help="E-mail each department its reminder")] = False,
    smtp_host: Annotated[str, typer.Option(envvar="GOVLEDGER_SMTP_HOST", help="SMTP server")] = "localhost",
    smtp_port: Annotated[int, typer.Option(envvar="GOVLEDGER_SMTP_PORT", help="SMTP port")] = 25,
    smtp_user: Annotated[str | None, typer.Option(envvar="GOVLEDGER_SMTP_USER", help="SMTP log-in")] = None,
    smtp_password: Annotated[str | None, typer.Option(envvar="GOVLEDGER_SMTP_PASSWORD", help="SMTP password")] = None,
    starttls: Annotated[bool, typer.Option(envvar="GOVLEDGER_SMTP_STARTTLS", help="Use STARTTLS")] = False,
    sender: Annotated[str, typer.Option("--from", envvar="GOVLEDGER_SMTP_FROM", help="From address")] = "duchashi@localhost",
    base_url: Annotated[str | None, typer.Option(help="Workspace URL for the link in the mail")] = None,
    today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD")] = None,
    db: DbOption = None,
) -> None:
    """每日提醒: print (or e-mail) each department's overdue and due-soon tasks."""
    from govledger.workspace.digest import digest_message, digest_text

    entries = _workspace(db, today).digest()
    if not entries:
        err_console.print("nothing overdue or due soon")
        return
    if not send:
        for entry in entries:
            subject, body = digest_text(entry, base_url=base_url)
            typer.echo(f"{subject}\n{body}")
        return
    import smtplib  # here, not at the top: it pulls in ssl and email, ~40 ms of every command's start-up

    sent, skipped, failed = 0, [], []
    try:
        with smtplib.SMTP(smtp_host, smtp_port, timeout=30) as smtp:
            if starttls:
                smtp.starttls()
            if smtp_user:
                smtp.login(smtp_user, smtp_password or "")
            for entry in entries:
                name = str(entry["department"])
                if not entry.get("email"):
                    skipped.append(name)
                    continue
                try:  # one bad address (or one refusal by the server) must not cost the others their reminder
                    smtp.send_message(digest_message(entry, sender, base_url=base_url))
                    sent += 1
                except (ValueError, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused) as exc:
                    failed.append(f"{name} <{entry['email']}>: {str(exc).splitlines()[0][:120]}")
    except (OSError, smtplib.SMTPException) as exc:
        fail(f"SMTP {smtp_host}:{smtp_port}: {exc} (sent {sent} before the failure)")
    for line in failed:
        err_console.print(f"  not sent: {line}", markup=False)
    err_console.print(f"sent {sent} reminders" + (f"; no e-mail address for {', '.join(skipped)}" if skipped else "")
                      + (f"; {len(failed)} failed" if failed else ""))
    if failed:
        raise typer.Exit(1)
