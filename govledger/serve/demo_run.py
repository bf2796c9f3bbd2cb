"""The demo's half year on the command line: mid-June as today, the seeding under a Rich progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govledger.serve.console import err_console

if TYPE_CHECKING:
    from govledger.workspace import Workspace


def run_half_year(ws: Workspace, password: str, departments: tuple[str, ...], *, fixed_today: bool) -> None:
    """Set today to 15 June of the seed report's year (unless ``--today`` was given), add the liaison accounts, and
    play the half year with a progress bar per phase; says in one line what it did, or why it did nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from govledger.serve.demo_seed import demo_today, ensure_liaisons, seed_half_year

    if not fixed_today:
        ws.fixed_today = demo_today(ws)
    ensure_liaisons(ws, password, {d.name: d.id for d in ws.departments()}, departments)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        current: list[TaskID] = []

        def progress(text: str, total: int) -> None:
            if text:
                current[:] = [bar.add_task(text, total=total)]
            elif current:
                bar.advance(current[0], total)

        seeded = seed_half_year(ws, progress=progress)
    if seeded is None:
        err_console.print(f"demo: today is {ws.today()}; the seed report already has activity (or is missing)")
        return
    err_console.print(f"demo: today is {ws.today()}; {seeded.feedback} progress reports ({seeded.approved} approved, "
                      f"{seeded.returned} returned, {seeded.pending} waiting), {seeded.extensions} extension requests, "
                      f"{seeded.projects} key projects with {seeded.project_reports} monthly reports")
