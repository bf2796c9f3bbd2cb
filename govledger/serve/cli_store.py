"""CLI commands over the database: ``import``, ``list``, ``search`` and ``export``.

``import`` extracts in worker processes and stores in the main process, one
transaction per file, so an interrupted import leaves only whole reports
behind and running it again skips every report whose text is unchanged
(its sha256 is compared before the extraction). Failures are collected, not
fatal: the summary names each failed file with its reason and the exit code
is 1. Usage errors (a path that does not exist, a database that cannot be
opened) stop before any work, with one line and exit code 2.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from govledger.cli import app
from govledger.errors import ReportError
from govledger.records import Record
from govledger.serve.console import err_console, fail, one_line_errors

if TYPE_CHECKING:
    from govledger.pipeline import Ledger
    from govledger.store import RecordFilter, SentenceData, Store

REPORT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="GOVLEDGER_DB", help="Database URL or SQLite file (default: govledger.db)"),
]
DocOption = Annotated[str | None, typer.Option(help="Only this document id")]
IndicatorOption = Annotated[str | None, typer.Option(help="Only this catalogue indicator (gdp, cpi, ...)")]
KindOption = Annotated[str | None, typer.Option(help="Only 'target' or 'achievement' records")]
PlaceOption = Annotated[str | None, typer.Option(help="Only this place (a prefix matches: 四川 → 四川省)")]
YearOption = Annotated[int | None, typer.Option(help="Only reports of this year")]


# ----------------------------------------------------------------------------- import: the worker side


@dataclass(frozen=True)
class ImportTask:
    """One file to extract; ``known_sha`` is the stored text's sha256 when a match means "skip"."""

    path: str
    doc: str
    place: str | None = None
    year: int | None = None
    known_sha: str | None = None


@dataclass
class TaskResult:
    """What a worker sends back: a ledger to store, "unchanged", or a one-line failure."""

    task: ImportTask
    status: str  # "ledger", "unchanged" or "failed"
    ledger: Ledger | None = None
    sentences: list[SentenceData] | None = None
    reason: str = ""


def extract_task(task: ImportTask) -> TaskResult:
    """Read, compare the sha256 with the stored one, and only if it differs structure and extract.

    Runs in a worker process, so it never raises: every problem comes back
    as a ``failed`` result with a reason that fits on one line.
    """
    from govledger.pipeline import ledger_from_source
    from govledger.read import read_report
    from govledger.store.crud import ledger_sentences
    from govledger.track.sources import text_fingerprint

    try:
        source = read_report(task.path)
        if task.known_sha is not None and text_fingerprint(source.text) == task.known_sha:
            return TaskResult(task, "unchanged")
        ledger = ledger_from_source(source, doc=task.doc, place=task.place, year=task.year)
        return TaskResult(task, "ledger", ledger, ledger_sentences(ledger))
    except ReportError as exc:
        return TaskResult(task, "failed", reason=exc.reason)
    except MemoryError:
        return TaskResult(task, "failed", reason="out of memory")
    except Exception as exc:  # a bug in a stage must not stop the other files
        first = (str(exc).splitlines() or [""])[0]
        return TaskResult(task, "failed", reason=f"internal error: {type(exc).__name__}: {first}")


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists: the parent holds database connections and a progress thread,
    which a plain fork would copy into the workers."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["govledger.pipeline", "govledger.serve.cli_store"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_init() -> None:
    """Workers leave Ctrl-C to the main process, which cancels what is queued and reports once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_tasks(tasks: list[ImportTask], jobs: int) -> Iterator[TaskResult]:
    """Results of ``tasks`` as they finish, at most ``2 * jobs`` in flight (memory stays flat)."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield extract_task(task)
        return
    pending = deque(tasks)
    running: dict[Future[TaskResult], ImportTask] = {}
    from concurrent.futures import FIRST_COMPLETED, wait

    workers = min(jobs, len(tasks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_worker_init) as pool:
        try:
            while pending or running:
                while pending and len(running) < 2 * jobs:
                    task = pending.popleft()
                    try:
                        running[pool.submit(extract_task, task)] = task
                    except BrokenProcessPool:
                        yield TaskResult(task, "failed", reason="a worker process died (out of memory?)")
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = running.pop(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        yield TaskResult(task, "failed", reason="a worker process died (out of memory?)")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


# ----------------------------------------------------------------------------- import: the main side


@dataclass
class ImportSummary:
    """Counts per status and the failed files with their reasons."""

    files: dict[str, int] = field(default_factory=lambda: {"imported": 0, "unchanged": 0, "replaced": 0, "failed": 0})
    records: dict[str, int] = field(default_factory=lambda: {"imported": 0, "unchanged": 0, "replaced": 0})
    failures: list[tuple[str, str]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # docs imported or replaced: their verdicts are recomputed
    verdict_pairs: int = 0
    verdict_rows: int = 0

    def add(self, status: str, n_records: int = 0) -> None:
        self.files[status] += 1
        if status in self.records:
            self.records[status] += n_records

    def fail(self, path: str, reason: str) -> None:
        self.add("failed")
        self.failures.append((path, reason))


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the report files (.txt .docx .pdf .html .htm) directly inside folders named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise ReportError(str(path), "no such file or folder")
    return files


def plan_tasks(
    files: list[Path], fingerprints: dict[str, tuple[str, str | None, int | None]], *,
    place: str | None, year: int | None, force: bool, summary: ImportSummary,
) -> list[ImportTask]:
    """One task per file; a second file with the same doc id (a.txt and a.pdf) fails instead of
    silently replacing the first."""
    from govledger.read.files import doc_id_for

    tasks: list[ImportTask] = []
    seen: dict[str, Path] = {}
    for path in files:
        doc = doc_id_for(path)
        if doc in seen:
            summary.fail(str(path), f"same document id {doc!r} as {seen[doc]} in this import")
            continue
        seen[doc] = path
        known = fingerprints.get(doc)
        # the cheap check only holds when nothing but the text decides the ledger
        skip_sha = known[0] if known and not force and place is None and year is None else None
        tasks.append(ImportTask(str(path), doc, place, year, skip_sha))
    return tasks


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]import[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console, disable=not err_console.is_terminal, transient=False,
    )


def import_files(store: Store, tasks: list[ImportTask], jobs: int, force: bool, summary: ImportSummary) -> None:
    """Extract ``tasks`` in ``jobs`` processes and store each result in its own transaction."""
    stored_counts = {r.doc: r.n_records for r in store.reports()} if tasks else {}
    with _progress() as progress:
        bar = progress.add_task("", total=len(tasks))
        for result in run_tasks(tasks, jobs):
            progress.update(bar, advance=1, description=Path(result.task.path).name)
            if result.status == "failed":
                summary.fail(result.task.path, result.reason)
            elif result.status == "unchanged" or result.ledger is None:
                summary.add("unchanged", stored_counts.get(result.task.doc, 0))
            else:
                try:
                    outcome = store.save_ledger(result.ledger, result.sentences, force=force)
                except ReportError as exc:
                    summary.fail(result.task.path, exc.reason)
                    continue
                except Exception as exc:  # the transaction rolled back; the other files still go in
                    first = (str(exc).splitlines() or [""])[0]
                    summary.fail(result.task.path, f"not stored: {type(exc).__name__}: {first}")
                    continue
                summary.add(outcome.status, outcome.n_records)
                if outcome.status != "unchanged":
                    summary.changed.add(outcome.doc)


def store_verdicts(store: Store, summary: ImportSummary) -> None:
    """Judge every pair of consecutive years whose verdicts are missing or whose reports changed."""
    from govledger.store.db import database_errors
    from govledger.track.stored import refresh_verdicts

    with database_errors(store.name):
        summary.verdict_pairs, summary.verdict_rows = refresh_verdicts(store, summary.changed)


def print_summary(summary: ImportSummary) -> None:
    table = Table(title="import summary", title_justify="left")
    table.add_column("status")
    table.add_column("files", justify="right")
    table.add_column("records", justify="right")
    for status in ("imported", "replaced", "unchanged", "failed"):
        records = summary.records.get(status)
        table.add_row(status, str(summary.files[status]), "" if records is None else str(records))
    console.print(table)
    if summary.verdict_pairs:
        console.print(f"verdicts: {summary.verdict_rows} rows for {summary.verdict_pairs} pairs of consecutive years")
    if summary.failures:
        console.print(Text("failed files:", style="bold red"))
        for path, reason in summary.failures:
            console.print(Text(f"  {path}: {reason}"), soft_wrap=True)


@app.command("import")
@one_line_errors
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Report files, or folders of .txt/.docx/.pdf/.html reports")],
    db: DbOption = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", "--workers", help="Extraction processes (default: CPU count)")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Override the detected place for every file")] = None,
    year: Annotated[int | None, typer.Option(help="Override the detected year for every file")] = None,
    force: Annotated[bool, typer.Option(help="Re-extract and replace even unchanged reports")] = False,
) -> None:
    """Extract reports and store them; unchanged reports are skipped, changed ones replaced."""
    from govledger.store import open_store

    n_jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if n_jobs < 1:
        fail("--jobs must be at least 1")
    files = expand_inputs(paths)
    with open_store(db) as store:
        summary = ImportSummary()
        tasks = plan_tasks(files, store.fingerprints(), place=place, year=year, force=force, summary=summary)
        try:
            import_files(store, tasks, n_jobs, force, summary)
            store_verdicts(store, summary)
        finally:
            print_summary(summary)
    if not files:
        err_console.print("warning: no report files found (.txt .docx .pdf .html .htm)")
    if summary.failures:
        raise typer.Exit(1)


# ----------------------------------------------------------------------------- list, search, export


def _filters(
    doc: str | None, indicator: str | None, kind: str | None, place: str | None, year: int | None,
    limit: int | None = None,
) -> RecordFilter:
    from govledger.store import RecordFilter

    if kind is not None and kind not in ("target", "achievement"):
        fail(f"unknown kind {kind!r} (use target or achievement)")
    if limit is not None and limit < 0:
        fail("--limit must be 0 (no limit) or more")
    return RecordFilter(doc=doc, indicator=indicator, kind=kind, place=place, year=year, limit=limit or None)


def records_table(records: list[Record]) -> Table:
    """The records as a Rich table: where each comes from, what it measures, and its quote."""
    table = Table(show_lines=False)
    for col in ("doc", "#", "kind", "indicator", "metric", "measure", "value", "unit", "bound", "deadline", "quote"):
        table.add_column(col, overflow="fold")
    for r in records:
        value = "" if r.value is None else f"{r.value:g}" + (f"—{r.value_max:g}" if r.value_max is not None else "")
        table.add_row(
            r.doc, r.id.rsplit("#", 1)[-1], r.kind, r.indicator or "", r.metric, r.measure, value, r.unit or "",
            r.bound, r.deadline or "", r.quote,
        )
    return table


@app.command("list")
@one_line_errors
def list_(
    db: DbOption = None,
    doc: DocOption = None,
    indicator: IndicatorOption = None,
    kind: KindOption = None,
    place: PlaceOption = None,
    year: YearOption = None,
    limit: Annotated[int | None, typer.Option(help="At most this many records (0: all)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
) -> None:
    """List stored records, filtered."""
    from govledger.export.tables import write_records
    from govledger.store import open_store

    if fmt not in ("table", "jsonl", "csv"):
        fail(f"unknown format {fmt!r} (use table, jsonl or csv)")
    filters = _filters(doc, indicator, kind, place, year, limit)
    with open_store(db, create=False) as store:
        records = store.list_records(filters)
    if fmt == "table":
        console.print(records_table(records))
        err_console.print(f"{len(records)} records")
    else:
        write_records(records, sys.stdout, fmt)


def highlight(sentence: str, terms: list[str], *, plain: bool) -> Text:
    """The sentence with every occurrence of the terms marked: styled on a terminal, 【…】 in a pipe."""
    spans: list[tuple[int, int]] = []
    folded = sentence.casefold()
    for term in terms:
        t = term.casefold()
        start = folded.find(t)
        while t and start >= 0:
            spans.append((start, start + len(t)))
            start = folded.find(t, start + len(t))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if plain:
        out, pos = [], 0
        for a, b in merged:
            out += [sentence[pos:a], "【", sentence[a:b], "】"]
            pos = b
        out.append(sentence[pos:])
        return Text("".join(out))
    text = Text(sentence)
    for a, b in merged:
        text.stylize("bold black on yellow", a, b)
    return text


@app.command()
@one_line_errors
def search(
    query: Annotated[str, typer.Argument(help="Words to find (every word must occur), e.g. 老旧小区")],
    db: DbOption = None,
    doc: DocOption = None,
    limit: Annotated[int, typer.Option(help="At most this many sentences")] = 20,
) -> None:
    """Full-text search over the sentences of every stored report."""
    from govledger.store import open_store

    terms = query.split()
    if not terms:
        fail("empty query")
    with open_store(db, create=False) as store:
        hits = store.search_sentences(query, limit=max(limit, 1), doc=doc)
    plain = not console.is_terminal
    for hit in hits:
        where = " / ".join(hit.section) or "(no section)"
        console.print(Text(f"{hit.doc} · {where} · #{hit.n}", style="bold"))
        line = Text("  ")
        line.append_text(highlight(hit.text, terms, plain=plain))
        console.print(line)
    err_console.print(f"{len(hits)} sentences" + (" (limit reached)" if len(hits) >= limit else ""))


@app.command()
@one_line_errors
def export(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .xlsx (任务分解表), .parquet or .jsonl")],
    db: DbOption = None,
    doc: DocOption = None,
    indicator: IndicatorOption = None,
    kind: KindOption = None,
    place: PlaceOption = None,
    year: YearOption = None,
    all_records: Annotated[
        bool, typer.Option("--all", help="XLSX: every record in the 任务分解表, not only targets")
    ] = False,
) -> None:
    """Export stored records; the format follows the file name."""
    from govledger.export.tables import format_for, write_records
    from govledger.store import open_store
    from govledger.store.crud import iter_records
    from govledger.store.db import database_errors

    fmt = format_for(out)
    filters = _filters(doc, indicator, kind, place, year)
    with open_store(db, create=False) as store, database_errors(store.name):
        n = write_records(iter_records(store, filters), out, fmt, all_records=all_records)
    what = "rows in the 任务分解表" if fmt == "xlsx" else "records"
    err_console.print(f"wrote {n} {what} to {out}")
