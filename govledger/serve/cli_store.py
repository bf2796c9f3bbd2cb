"""CLI commands over the database: ``import``, ``list``, ``search`` and ``export``.

``import`` (machinery in ``govledger.serve.importer``) extracts in worker
processes and stores in the main process, one transaction per file, so an
interrupted import leaves only whole reports behind and running it again
skips every report whose text is unchanged (its fingerprint is compared
before the extraction). Failures are collected, not fatal: the summary
names each failed file with its reason and the exit code is 1. Usage
errors (a path that does not exist, a database that cannot be opened) stop
before any work, with one line and exit code 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govledger.cli import app
from govledger.serve.console import err_console, fail, one_line_errors

if TYPE_CHECKING:
    from rich.progress import Progress

    from govledger.records import Record
    from govledger.serve.importer import ImportSummary
    from govledger.store import RecordFilter, Store

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


# ----------------------------------------------------------------------------- import


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]import[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console, disable=not err_console.is_terminal, transient=False,
    )


def store_verdicts(store: Store, summary: ImportSummary) -> None:
    """Judge every pair of consecutive years whose verdicts are missing or whose reports changed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from govledger.store.db import database_errors
    from govledger.track.stored import refresh_verdicts

    with database_errors(store.name), Progress(
        TextColumn("[bold]verdicts[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, disable=not err_console.is_terminal, transient=True,
    ) as progress:
        bar = progress.add_task("", total=None)
        summary.verdict_pairs, summary.verdict_rows = refresh_verdicts(
            store, summary.changed, on_pair=lambda _pair: progress.update(bar, advance=1),
            on_plan=lambda n: progress.update(bar, total=n))


def group_table(summary: ImportSummary) -> Table | None:
    """Files per level and decade: imported or replaced / unchanged / failed."""
    if not summary.by_group:
        return None
    levels = sorted({lv for lv, _, _ in summary.by_group})
    decades = sorted({d for _, d, _ in summary.by_group})
    table = Table()
    table.add_column("level")
    for d in decades:
        table.add_column(d, justify="right")
    for lv in levels:
        cells = []
        for d in decades:
            c = summary.by_group
            stored = c[(lv, d, "imported")] + c[(lv, d, "replaced")]
            unchanged, failed = c[(lv, d, "unchanged")], c[(lv, d, "failed")]
            cells.append("" if stored + unchanged + failed == 0 else f"{stored}/{unchanged}/{failed}")
        table.add_row(lv, *cells)
    return table


def print_summary(summary: ImportSummary) -> None:
    table = Table(title="import summary", title_justify="left")
    table.add_column("status")
    table.add_column("files", justify="right")
    table.add_column("records", justify="right")
    for status in ("imported", "replaced", "unchanged", "failed"):
        records = summary.records.get(status)
        table.add_row(status, str(summary.files[status]), "" if records is None else str(records))
    console.print(table)
    groups = group_table(summary)
    if groups is not None:
        console.print("files by level and decade (stored / unchanged / failed):")
        console.print(groups)
    if summary.verdict_pairs:
        console.print(f"verdicts: {summary.verdict_rows} rows for {summary.verdict_pairs} pairs of consecutive years")
    if summary.failures:
        console.print(Text("failed files:", style="bold red"))
        for path, reason in summary.failures:
            console.print(Text(f"  {path}: {reason}"), soft_wrap=True)
    err_console.print(summary.written())


@app.command("import")
@one_line_errors
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Report files, or folders (a <level>/<place>/<year>.md tree too)")],
    db: DbOption = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", "--workers", help="Extraction processes (default: CPU count)")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Override the detected place for every file")] = None,
    year: Annotated[int | None, typer.Option(help="Override the detected year for every file")] = None,
    force: Annotated[bool, typer.Option(help="Re-extract and replace even unchanged reports")] = False,
) -> None:
    """Extract reports and store them; unchanged reports are skipped, changed ones replaced."""
    from govledger.serve.importer import ImportSummary, expand_inputs, import_files, plan_tasks
    from govledger.store import open_store

    n_jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if n_jobs < 1:
        fail("--jobs must be at least 1")
    files = expand_inputs(paths)
    new_file = _new_sqlite_file(db)
    with open_store(db) as store:
        summary = ImportSummary()
        tasks = plan_tasks(files, store.fingerprints(), place=place, year=year, force=force, summary=summary)
        try:
            with _progress() as progress:
                import_files(store, tasks, n_jobs, force, summary, progress)
            store_verdicts(store, summary)
        finally:
            lone_failure = len(files) == 1 and summary.failures and not summary.records.get("imported")
            if not lone_failure:  # one bad file is one line below, not a table
                print_summary(summary)
    if not files:
        err_console.print("warning: no report files found (.txt .md .docx .pdf .html .htm)")
    stored = summary.files["imported"] + summary.files["replaced"] + summary.files["unchanged"]
    if new_file is not None and stored == 0:
        _remove_database(new_file)  # nothing was stored: leave no empty database behind
    if summary.failures and len(files) == 1 and stored == 0:
        path, reason = summary.failures[0]
        fail(f"{path}: {reason}")  # one file given, one reason: one line, exit 2
    if summary.failures:
        raise typer.Exit(1)


def _new_sqlite_file(db: str | None) -> Path | None:
    """The SQLite file this command is about to create, or None (it exists, or the store is PostgreSQL)."""
    from govledger.store.db import resolve_url

    url = resolve_url(db)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.exists() else path


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


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


# ----------------------------------------------------------------------------- coverage


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


@app.command()
@one_line_errors
def coverage(
    source: Annotated[Path | None, typer.Argument(help="A folder of reports (imported into --db first); "
                                                       "without it, what the store holds")] = None,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    chart: Annotated[Path | None, typer.Option(help="Also write a PNG chart here (needs matplotlib)")] = None,
    limit: Annotated[int, typer.Option(help="List at most this many reports below the rest (0: all)")] = 50,
) -> None:
    """Share of reports with place, plan year, plan part, GDP target and outcome, and of pairs with
    verdicts, per level × five-year period; lists the reports below the rest."""
    import json

    from govledger.store import open_store
    from govledger.track.coverage import FACT_LABELS, FACTS, coverage_of_store, write_chart

    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r} (use table or json)")
    if chart is not None and chart.suffix.lower() != ".png":
        fail(f"{chart}: the chart is a .png file")
    with open_store(db, create=source is not None) as store:
        if source is not None:
            from govledger.serve.importer import ImportSummary, expand_inputs, import_files, plan_tasks

            summary = ImportSummary()
            tasks = plan_tasks(expand_inputs([source]), store.fingerprints(), place=None, year=None, force=False,
                               summary=summary)
            with _progress() as progress:
                import_files(store, tasks, os.cpu_count() or 1, False, summary, progress)
            store_verdicts(store, summary)
            err_console.print(summary.written())
        cov = coverage_of_store(store)
    if fmt == "json":
        sys.stdout.write(json.dumps(cov.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(title="coverage by level and five-year period", title_justify="left")
        for col in ("level", "period", "reports", *(FACT_LABELS[k] for k in FACTS), "pairs", FACT_LABELS["judged_pair"]):
            table.add_column(col, justify="left" if col in ("level", "period") else "right")
        for g in cov.groups:
            table.add_row(g.level, g.period, str(g.reports), *(_pct(g.shares[k]) for k in FACTS), str(g.pairs),
                          _pct(g.judged_pair_share))
        console.print(table)
        below = cov.below()
        console.print(f"{len(below)} reports lack what most of their group has"
                      + (f" (first {limit}; --limit 0 for all)" if limit and len(below) > limit else "") + ":")
        for r in below[: limit or None]:
            console.print(Text(f"  {r.level} {r.period} {r.doc} ({r.path}): "
                               + ", ".join(FACT_LABELS[k] for k in r.missing)), soft_wrap=True)
    if chart is not None:
        from govledger.serve.cli_verify import require_extra

        require_extra("panel", "matplotlib")
        write_chart(cov, str(chart))
        err_console.print(f"wrote the chart to {chart}")
