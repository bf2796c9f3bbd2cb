"""CLI commands of the tracker: ``verify``, ``verify-dir``, ``eval-verdicts``, ``verify-override``, ``verdicts``
and ``panel``.

Every command takes records: report files are extracted once per run, or
their records are read from the store (``--db``, or ``govledger.db`` when it
exists) when the stored copy was made from the same text with the same
rules. Manual verdicts are rows of the store.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govledger.cli import app
from govledger.errors import ReportError
from govledger.serve.console import err_console, fail, one_line_errors
from govledger.serve.labels import num

if TYPE_CHECKING:
    from govledger.store import Store
    from govledger.track.sources import LedgerReader

console = Console(highlight=False)

_COLOURS = {
    "met": "green", "missed": "red", "partly_met": "yellow", "not_reported": "magenta",
    "not_comparable": "cyan", "not_judged": "dim",
}
_FORMATS = ("table", "jsonl", "csv")


def _check_format(fmt: str) -> None:
    if fmt not in _FORMATS:
        fail(f"unknown format {fmt!r} (use {', '.join(_FORMATS)})")


def _open_out(output: Path | None) -> Any:
    if output is None:
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(str(output), f"cannot write: {exc.strerror}") from None


def write_rows(rows: Sequence[Any], fmt: str, output: Path | None = None, title: str | None = None) -> None:
    """Print verdict rows as a Rich table, JSONL (every field) or CSV (the main columns)."""
    from govledger.track.verify import ROW_COLUMNS

    if fmt == "table":
        print_rows(rows, title)
        return
    fh = _open_out(output)
    try:
        if fmt == "jsonl":
            for r in rows:
                fh.write(json.dumps(r.as_dict(), ensure_ascii=False) + "\n")
        else:
            cols = (*ROW_COLUMNS, "target_id", "outcome_id", "match_by", "gap", "also_stated", "overridden")
            w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                d = r.as_dict()
                d["also_stated"] = " ".join(d["also_stated"])
                w.writerow(d)
    finally:
        if fh is not sys.stdout:
            fh.close()


def print_rows(rows: Sequence[Any], title: str | None = None) -> None:
    from govledger.track.verify import summarise

    table = Table(title=title, show_lines=False)
    for col in ("indicator / metric", "target", "outcome", "verdict", "score", "note"):
        table.add_column(col, overflow="fold")
    for r in rows:
        what = r.indicator or r.metric
        note = []
        if r.outcome_estimated:
            note.append("预计")
        if r.also_stated:
            note.append(f"+{len(r.also_stated)} restated")
        if r.overridden:
            note.append("override")
        if r.verdict in ("not_reported", "not_comparable", "not_judged", "partly_met") or r.overridden:
            note.append(r.reason)
        colour = _COLOURS.get(r.verdict, "white")
        table.add_row(
            what, r.target_quote, r.outcome_quote or "—", f"[{colour}]{r.verdict}[/{colour}]",
            "" if r.match_score is None else f"{r.match_score:.2f}", "; ".join(note),
        )
    console.print(table)
    counts = summarise(rows)
    console.print("  ".join(f"{k}: {v}" for k, v in counts.items()) + f"  (targets: {len(rows)})")


DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="GOVLEDGER_DB",
                 help="Store to read unchanged reports' records and manual verdicts from (default: govledger.db if it exists)"),
]
# the options of ``verify`` and ``verify-dir``: one judgement, so one set of knobs and one wording of them
ToleranceOption = Annotated[float, typer.Option(help="Tolerance in percentage points for 左右 (%/pp figures)")]
ToleranceRelOption = Annotated[float, typer.Option(help="Relative tolerance for 左右 amounts (0.01 = 1 %)")]
ThresholdOption = Annotated[float, typer.Option(help="Least metric similarity for an off-catalogue match")]
AllRowsOption = Annotated[bool, typer.Option("--all", help="Every target record: restatements and multi-year plans too")]
IndicatorsOption = Annotated[bool, typer.Option("--indicators", help="Only catalogue-indicator targets")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write jsonl/csv here")]


@contextmanager
def optional_store(db: str | None) -> Iterator[Store | None]:
    """The store named by ``--db``; without it ``govledger.db`` when that file exists, else none."""
    from govledger.store import open_store
    from govledger.store.db import DEFAULT_URL, resolve_url

    if db is None and not Path(str(resolve_url(DEFAULT_URL).database)).exists():
        yield None
        return
    with open_store(db, create=False) as store:
        yield store


def require_extra(extra: str, *modules: str) -> None:
    """Stop with one line naming the extra to install when an optional package is missing."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        from rich.markup import escape

        fail(escape(f"this command needs {', '.join(missing)}: pip install 'govledger[{extra}]'"))


def _overrides_for(store: Store | None, docs: list[str]) -> list[Any]:
    if store is None:
        return []
    from govledger.track.stored import stored_overrides

    return stored_overrides(store, docs)


def _verify_pair(reader: LedgerReader, y: Path, y1: Path, *, tolerance: float, tolerance_rel: float,
                 threshold: float, include_all: bool, indicators_only: bool) -> tuple[Any, Any, list[Any]]:
    from govledger.track.overrides import apply_overrides
    from govledger.track.verify import verify_reports

    for p in (y, y1):
        if not p.exists():
            raise ReportError(str(p), "no such file")
    ly, ly1 = reader.load(y), reader.load(y1)
    if any(r.kind == "outturn" for r in [*ly.records[:1], *ly1.records[:1]]):  # a statistical communiqué
        from govledger.serve.cli_outturns import verify_loaded

        rows = verify_loaded(ly, ly1, y, y1, tolerance_pp=tolerance, tolerance_rel=tolerance_rel,
                             include_all=include_all)
        apply_overrides(rows, _overrides_for(reader.store, [ly.doc]))
        return ly, ly1, [r for r in rows if r.indicator] if indicators_only else rows
    try:
        rows = verify_reports(ly, ly1, tolerance_pp=tolerance, tolerance_rel=tolerance_rel, threshold=threshold,
                              include_all=include_all)
    except ValueError as exc:
        raise ReportError(f"{y} / {y1}", str(exc)) from None
    apply_overrides(rows, _overrides_for(reader.store, [ly.doc]))
    if indicators_only:
        rows = [r for r in rows if r.indicator]
    return ly, ly1, rows


def _read_line(reader: LedgerReader) -> str:
    return f"reports extracted: {reader.extracted}, read from the store: {reader.from_store}"


def _progress(label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(f"[bold]{label}[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err_console, disable=not err_console.is_terminal,
    )


@app.command()
@one_line_errors
def verify(
    report_y: Annotated[Path, typer.Argument(help="Report of year Y (its targets are judged)")],
    report_y1: Annotated[Path, typer.Argument(help="Report of year Y+1 of the same place (its review)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
    tolerance: ToleranceOption = 0.2,
    tolerance_rel: ToleranceRelOption = 0.01,
    threshold: ThresholdOption = 0.5,
    all_rows: AllRowsOption = False,
    indicators_only: IndicatorsOption = False,
    db: DbOption = None,
    output: OutputOption = None,
) -> None:
    """Was each target of report Y met? One row per target, judged against report Y+1."""
    from govledger.track.sources import LedgerReader

    _check_format(fmt)
    if tolerance < 0 or tolerance_rel < 0:
        fail("tolerances must not be negative")
    with optional_store(db) as store, LedgerReader(store) as reader:
        ly, ly1, rows = _verify_pair(reader, report_y, report_y1, tolerance=tolerance, tolerance_rel=tolerance_rel,
                                     threshold=threshold, include_all=all_rows, indicators_only=indicators_only)
    write_rows(rows, fmt, output, title=f"{ly.doc} targets vs {ly1.doc} review ({ly.place}, {ly.year})")
    if output is not None:
        err_console.print(f"wrote {len(rows)} verdict rows to {output}")


@app.command("verify-dir")
@one_line_errors
def verify_dir(
    folder: Annotated[Path, typer.Argument(help="Folder of reports named <place>_<year>.<ext> or <place>/<year>.<ext>")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table (summary per pair), jsonl or csv (every row)")] = "table",
    tolerance: ToleranceOption = 0.2,
    tolerance_rel: ToleranceRelOption = 0.01,
    threshold: ThresholdOption = 0.5,
    all_rows: AllRowsOption = False,
    indicators_only: IndicatorsOption = False,
    db: DbOption = None,
    output: OutputOption = None,
) -> None:
    """Pair <place>_<Y> with <place>_<Y+1> in a folder and verify every pair (summary per pair)."""
    from govledger.structure.places import normalise_place
    from govledger.track.sources import LedgerReader, pair_files, report_files
    from govledger.track.verify import VERDICTS, summarise

    _check_format(fmt)
    pairs = pair_files(report_files(folder))
    if not pairs:
        fail(f"{folder}: no pairs of files named <place>_<year> and <place>_<year+1>")
    summary = Table(title=f"verdicts per pair in {folder}")
    for col in ("pair", "place", "year", "targets", *VERDICTS):
        summary.add_column(col, justify="right" if col not in ("pair", "place") else "left")
    all_rows_out: list[Any] = []
    totals = dict.fromkeys(VERDICTS, 0)
    failed: list[str] = []
    with optional_store(db) as store, LedgerReader(store) as reader, _progress("verify") as progress:
        bar = progress.add_task("", total=len(pairs))
        for y, y1 in pairs:
            progress.update(bar, advance=1, description=f"{y.stem} → {y1.stem}")
            try:
                ly, _, rows = _verify_pair(reader, y, y1, tolerance=tolerance, tolerance_rel=tolerance_rel,
                                           threshold=threshold, include_all=all_rows,
                                           indicators_only=indicators_only)
            except ReportError as exc:
                failed.append(str(exc))
                summary.add_row(f"{y.stem} → {y1.stem}", "[red]error[/red]", "", "", exc.reason)
                continue
            counts = summarise(rows)
            for k, v in counts.items():
                totals[k] += v
            all_rows_out.extend(rows)
            place = normalise_place(ly.place)
            summary.add_row(f"{y.stem} → {y1.stem}", place.name if place else "", num(ly.year), str(len(rows)),
                            *(str(counts[k]) for k in VERDICTS))
        read_line = _read_line(reader)
    summary.add_row("all", "", "", str(sum(totals.values())), *(str(totals[k]) for k in VERDICTS), style="bold")
    if fmt == "table":
        console.print(summary)
    else:
        write_rows(all_rows_out, fmt, output)
    err_console.print(f"{len(pairs)} pairs, {len(all_rows_out)} verdict rows"
                      + (f" written to {output}" if output is not None and fmt != "table" else "") + f"; {read_line}")
    if failed:
        for line in failed:
            Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {line}")
        raise typer.Exit(2)


@app.command("eval-verdicts")
@one_line_errors
def eval_verdicts(
    labels: Annotated[list[Path], typer.Argument(help="Hand-judged verdicts (tests/data/verdict_labels/*.jsonl)")],
    shared: Annotated[Path, typer.Option(help="Folder the labels' `next_path` fields are relative to")] = Path("../shared"),
    show: Annotated[int, typer.Option(help="How many disagreements to list")] = 30,
) -> None:
    """Score verdicts against pairs judged by hand: agreement, a confusion table, each disagreement."""
    from govledger.evaluation.outturns import load_labels
    from govledger.evaluation.verdicts import score_verdicts
    from govledger.pipeline import build_ledger
    from govledger.track.verify import verify_reports

    rows = [label for path in labels for label in load_labels(path)]
    if not rows:
        fail("no labels in " + ", ".join(map(str, labels)))
    result = score_verdicts(rows, shared, lambda y, y1: verify_reports(build_ledger(y), build_ledger(y1), include_all=True))
    table = Table(title="verdicts vs hand labels (rows: label, columns: govledger)")
    predicted = sorted({p for _, p in result.confusion})
    table.add_column("label \\ govledger")
    for p in predicted:
        table.add_column(p, justify="right")
    for g in sorted({g for g, _ in result.confusion}):
        table.add_row(g, *(str(result.confusion.get((g, p), "")) for p in predicted))
    console.print(table)
    for label, row in result.disagreements[:show]:
        got = row.verdict if row is not None else "target not extracted"
        console.print(f"  {label['doc']} {label['indicator']} {label['measure']} {label['target_value']} "
                      f"{label['verdict']} → {got} | {label['target_quote']} | "
                      f"{row.outcome_quote if row is not None else ''}")
    for doc, (agree, total) in result.per_pair.items():
        console.print(f"  {doc}: {agree}/{total}")
    console.print(f"verdicts: {result.agree}/{result.total} agree ({result.accuracy:.3f})")


@app.command("verify-override")
@one_line_errors
def verify_override(
    doc: Annotated[str, typer.Option(help="Document id of the target's report (e.g. guowuyuan_2024)")],
    verdict: Annotated[str, typer.Option(help="met, missed, partly_met, not_reported, not_comparable or not_judged")],
    reason: Annotated[str, typer.Option(help="Why (kept with the verdict)")],
    by: Annotated[str, typer.Option(help="Who decides (kept in the audit log)")],
    quote: Annotated[str | None, typer.Option(help="The target quote (or a part of it)")] = None,
    target_id: Annotated[str | None, typer.Option("--id", help="The target record id")] = None,
    db: Annotated[str | None, typer.Option("--db", envvar="GOVLEDGER_DB", help="Database URL or SQLite file")] = None,
) -> None:
    """Record a manual verdict with its reason in the store (a row and an audit entry; earlier ones stay)."""
    from govledger.store import open_store
    from govledger.track.stored import override_verdict

    with open_store(db, create=False) as store:
        try:
            ov = override_verdict(store, doc=doc, verdict=verdict, reason=reason, by=by, target_id=target_id,
                                  target_quote=quote)
        except ValueError as exc:
            fail(str(exc))
            return
    console.print(f"override recorded in {store.name}: {ov.doc} {ov.target_quote or ov.target_id} → {ov.verdict}")


@app.command("verdicts")
@one_line_errors
def verdicts_cmd(
    place: Annotated[str | None, typer.Option(help="Only this place (广元 → 广元市)")] = None,
    year: Annotated[int | None, typer.Option(help="Only targets of this year")] = None,
    doc: Annotated[str | None, typer.Option(help="Only the targets of this document")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
    db: Annotated[str | None, typer.Option("--db", envvar="GOVLEDGER_DB", help="Database URL or SQLite file")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write jsonl/csv here")] = None,
) -> None:
    """Stored verdicts (computed at import when both years of a place are in the store), overrides applied."""
    from govledger.store import open_store
    from govledger.track.stored import stored_verdicts

    _check_format(fmt)
    with open_store(db, create=False) as store:
        rows = stored_verdicts(store, place=place, year=year, doc=doc)
    write_rows(rows, fmt, output, title=f"stored verdicts ({store.name})")
    if output is not None:
        err_console.print(f"wrote {len(rows)} verdict rows to {output}")


@app.command("panel")
@one_line_errors
def panel_cmd(
    source: Annotated[str, typer.Argument(help="Folder of reports, a report/JSONL file, or a database URL")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write .csv or .parquet (else print CSV)")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this catalogue indicator")] = None,
    year: Annotated[int | None, typer.Option(help="Only reports of this year")] = None,
    kind: Annotated[str | None, typer.Option(help="Only 'target' or 'achievement'")] = None,
    indicators_only: Annotated[bool, typer.Option("--indicators", help="Only catalogue-indicator records")] = False,
    changes: Annotated[str | None, typer.Option(help="Print target changes vs last year for this place")] = None,
    db: DbOption = None,
) -> None:
    """The panel: targets and outcomes by place × year × indicator, with verdicts (CSV/Parquet)."""
    require_extra("panel", "pandas", "pyarrow")
    from govledger.track.panel import export_panel, panel, target_changes
    from govledger.track.sources import LedgerReader, report_files

    is_folder = Path(source).is_dir()
    with optional_store(db if is_folder else None) as store, LedgerReader(store) as reader, \
            _progress("panel") as progress:
        bar = progress.add_task("", total=len(report_files(source)) if is_folder else None)
        df = panel(source, indicators_only=indicators_only or indicator is not None, reader=reader,
                   on_file=lambda f: progress.update(bar, advance=1, description=f.name))
        read_line = _read_line(reader) if is_folder else f"read from {source}"
    if changes is not None:
        df = target_changes(df, changes)
    else:
        if indicator is not None:
            df = df[df["indicator"] == indicator]
        if year is not None:
            df = df[df["year"] == year]
        if kind is not None:
            df = df[df["kind"] == kind]
    if output is None:
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        sys.stdout.write(buf.getvalue())
        err_console.print(f"{len(df)} rows; {read_line}")
        return
    export_panel(df, output)
    err_console.print(f"wrote {len(df)} rows to {output}; {read_line}")
