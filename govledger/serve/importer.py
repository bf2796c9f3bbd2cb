"""The machinery of ``govledger import``: plan, extract in workers, store in bulk, summarise.

Workers read, compare the text's fingerprint with the stored one (an
unchanged report is not extracted again), extract, and turn the ledger into
rows (``store.bulk.prepare_report``). The main process only inserts: one
transaction per report over one connection, at most ``2 × jobs`` results in
flight, so memory stays flat whatever the number of files. On SQLite a
large import defers the FTS5 index to one rebuild at the end (also after
Ctrl-C). The summary counts files by level and decade and names every
failure with its reason.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govledger.errors import ReportError

if TYPE_CHECKING:
    from rich.progress import Progress

    from govledger.store import Store
    from govledger.store.bulk import PreparedReport

# a large import (this many files to extract, and at least a tenth of what is stored) defers the FTS5 index
DEFER_INDEX_AT = 50


@dataclass(frozen=True)
class ImportTask:
    """One file to extract; ``known_sha`` is the stored fingerprint when a match means "skip"."""

    path: str
    doc: str
    place: str | None = None
    year: int | None = None
    known_sha: str | None = None
    level: str | None = None  # from the folder tree, for the summary of a file that fails
    path_year: int | None = None


@dataclass
class TaskResult:
    """What a worker sends back: rows to store, "unchanged", or a one-line failure."""

    task: ImportTask
    status: str  # "rows", "unchanged" or "failed"
    prepared: PreparedReport | None = None
    reason: str = ""


def prepare_task(task: ImportTask) -> TaskResult:
    """Read, skip if unchanged, extract and prepare rows (in a worker process: never raises)."""
    from govledger.pipeline import ledger_from_source
    from govledger.read import read_report
    from govledger.store.bulk import prepare_report
    from govledger.track.sources import text_fingerprint

    try:
        source = read_report(task.path)
        if task.known_sha is not None and text_fingerprint(source.text) == task.known_sha:
            return TaskResult(task, "unchanged")
        ledger = ledger_from_source(source, doc=task.doc, place=task.place, year=task.year)
        return TaskResult(task, "rows", prepare_report(ledger))
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
        ctx.set_forkserver_preload(["govledger.pipeline", "govledger.serve.importer", "govledger.store.bulk"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_init() -> None:
    """Workers leave Ctrl-C to the main process, which cancels what is queued and reports once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_tasks(tasks: list[ImportTask], jobs: int) -> Iterator[TaskResult]:
    """Results of ``tasks`` as they finish, at most ``2 * jobs`` in flight (memory stays flat)."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield prepare_task(task)
        return
    pending = deque(tasks)
    running: dict[Future[TaskResult], ImportTask] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=_pool_context(),
                             initializer=_worker_init) as pool:
        try:
            while pending or running:
                while pending and len(running) < 2 * jobs:
                    task = pending.popleft()
                    try:
                        running[pool.submit(prepare_task, task)] = task
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


# ----------------------------------------------------------------------------- the summary


def decade(year: int | None) -> str:
    return f"{year // 10 * 10}s" if year else "?"


@dataclass
class ImportSummary:
    """Counts per status, per level and decade, and the failed files with their reasons."""

    files: dict[str, int] = field(default_factory=lambda: {"imported": 0, "unchanged": 0, "replaced": 0, "failed": 0})
    records: dict[str, int] = field(default_factory=lambda: {"imported": 0, "unchanged": 0, "replaced": 0})
    failures: list[tuple[str, str]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # docs imported or replaced: their verdicts are recomputed
    by_group: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (level, decade, status) → files
    verdict_pairs: int = 0
    verdict_rows: int = 0
    index_rebuilt: bool = False
    interrupted: bool = False

    def add(self, status: str, n_records: int = 0, level: str | None = None, year: int | None = None) -> None:
        self.files[status] += 1
        if status in self.records:
            self.records[status] += n_records
        self.by_group[(level or "?", decade(year), status)] += 1

    def fail(self, path: str, reason: str, level: str | None = None, year: int | None = None) -> None:
        self.add("failed", level=level, year=year)
        self.failures.append((path, reason))

    def written(self) -> str:
        """The closing line: what the import wrote."""
        stored = self.files["imported"] + self.files["replaced"]
        n = self.records["imported"] + self.records["replaced"]
        parts = [f"wrote {stored} reports ({n} records)", f"{self.files['unchanged']} unchanged",
                 f"{self.files['failed']} failed"]
        if self.verdict_pairs:
            parts.append(f"{self.verdict_rows} verdicts for {self.verdict_pairs} pairs of years")
        if self.index_rebuilt:
            parts.append("search index rebuilt")
        return ("interrupted: " if self.interrupted else "") + ", ".join(parts)


# ----------------------------------------------------------------------------- planning


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the report files inside folders named (sub-folders too: a corpus tree)."""
    from govledger.read import REPORT_SUFFIXES
    from govledger.track.sources import is_report_file

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if is_report_file(p, REPORT_SUFFIXES)))
        elif path.exists():
            files.append(path)
        else:
            raise ReportError(str(path), "no such file or folder")
    return files


def _tree_facts(path: Path) -> tuple[str, str | None, int | None]:
    """(doc id, level, plan year) that the path alone gives (a corpus tree names them)."""
    from govledger.read.files import doc_id_for

    try:
        from govledger.structure.metadata import path_witness
    except ImportError:  # pragma: no cover - an older structure stage
        return doc_id_for(path), None, None
    witness, level, doc = path_witness(str(path))
    return doc or doc_id_for(path), level, witness.year


def plan_tasks(
    files: list[Path], fingerprints: dict[str, tuple[str, str | None, int | None]], *,
    place: str | None, year: int | None, force: bool, summary: ImportSummary,
) -> list[ImportTask]:
    """One task per file; a second file with the same doc id (a.txt and a.pdf) fails instead of
    silently replacing the first."""
    tasks: list[ImportTask] = []
    seen: dict[str, Path] = {}
    for path in files:
        doc, level, path_year = _tree_facts(path)
        if doc in seen:
            summary.fail(str(path), f"same document id {doc!r} as {seen[doc]} in this import", level, path_year)
            continue
        seen[doc] = path
        known = fingerprints.get(doc)
        # the cheap check only holds when nothing but the text decides the ledger
        skip_sha = known[0] if known and not force and place is None and year is None else None
        tasks.append(ImportTask(str(path), doc, place, year, skip_sha, level, path_year))
    return tasks


# ----------------------------------------------------------------------------- storing


def store_result(writer: Any, result: TaskResult, force: bool, summary: ImportSummary,
                 stored_counts: dict[str, int]) -> None:
    """One worker result into the store (its own transaction) and the summary."""
    task = result.task
    if result.status == "failed" or (result.status == "rows" and result.prepared is None):
        summary.fail(task.path, result.reason, task.level, task.path_year)
        return
    if result.status == "unchanged" or result.prepared is None:
        summary.add("unchanged", stored_counts.get(task.doc, 0), task.level, task.path_year)
        return
    prepared = result.prepared
    level, year = prepared.report.get("level") or task.level, prepared.report.get("year") or task.path_year
    try:
        outcome = writer.save(prepared, force=force)
    except ReportError as exc:
        summary.fail(task.path, exc.reason, level, year)
        return
    except Exception as exc:  # the transaction rolled back; the other files still go in
        first = (str(exc).splitlines() or [""])[0]
        summary.fail(task.path, f"not stored: {type(exc).__name__}: {first}", level, year)
        return
    summary.add(outcome.status, outcome.n_records, level, year)
    if outcome.status != "unchanged":
        summary.changed.add(outcome.doc)


def import_files(store: Store, tasks: list[ImportTask], jobs: int, force: bool, summary: ImportSummary,
                 progress: Progress | None = None) -> None:
    """Extract ``tasks`` in ``jobs`` processes and store each result in its own transaction."""
    from govledger.store.bulk import BulkWriter, deferred_search_index

    infos = store.reports() if tasks else []
    stored_counts = {r.doc: r.n_records for r in infos}
    to_extract = sum(1 for t in tasks if t.known_sha is None)
    defer = to_extract >= DEFER_INDEX_AT and to_extract * 10 >= len(infos)
    bar = progress.add_task("", total=len(tasks)) if progress is not None else None
    with deferred_search_index(store, defer) as deferred, BulkWriter(store) as writer:
        summary.index_rebuilt = deferred
        try:
            for result in run_tasks(tasks, jobs):
                if progress is not None and bar is not None:
                    progress.update(bar, advance=1, description=Path(result.task.path).name)
                store_result(writer, result, force, summary, stored_counts)
        except KeyboardInterrupt:
            summary.interrupted = True
            raise
