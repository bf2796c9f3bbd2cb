"""CLI commands that need no database: ``extract``, ``eval`` and ``bench``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govledger.cli import app
from govledger.errors import ReportError
from govledger.serve.console import fail, one_line_errors

if TYPE_CHECKING:  # loaded when a command runs: pydantic and the rule tables cost start-up time
    from govledger.evaluation.quantities import Score
    from govledger.records import Record


def build_ledger(*args: object, **kwargs: object) -> Any:
    from govledger.pipeline import build_ledger as build

    return build(*args, **kwargs)  # type: ignore[arg-type]


def record_dict(record: Record) -> dict[str, object]:
    from govledger.records import record_dict as as_dict

    return as_dict(record)

console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


@app.command()
@one_line_errors
def extract(
    file: Annotated[Path, typer.Argument(help="Report file: .txt, .docx, .pdf or .html")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv, xlsx or table")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")] = None,
    doc: Annotated[str | None, typer.Option(help="Document id (default: file name)")] = None,
    place: Annotated[str | None, typer.Option(help="Override the detected place")] = None,
    year: Annotated[int | None, typer.Option(help="Override the detected year")] = None,
    kind: Annotated[str | None, typer.Option(help="Only 'target' or 'achievement' records")] = None,
) -> None:
    """Extract the ledger records of one report (schema v1) and print them."""
    if fmt not in ("jsonl", "csv", "xlsx", "table"):
        fail(f"unknown format {fmt!r} (use jsonl, csv, xlsx or table)")
    ledger = build_ledger(file, doc=doc, place=place, year=year)
    records = [r for r in ledger.records if kind is None or r.kind == kind]
    if fmt == "table":
        print_table(records)
    elif fmt == "jsonl":
        write_jsonl(records, output)
    else:
        if fmt == "xlsx" and output is None:
            fail("--format xlsx needs --output FILE.xlsx")
        from govledger.export.tables import write_records

        write_records(records, output if output is not None else sys.stdout, fmt)


def write_jsonl(records: list[Record], output: Path | None) -> None:
    lines = (json.dumps(record_dict(r), ensure_ascii=False) + "\n" for r in records)
    if output is None:
        sys.stdout.writelines(lines)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
    except OSError as exc:
        raise ReportError(str(output), f"cannot write: {exc.strerror}") from None


def print_table(records: list[Record]) -> None:
    table = Table(show_lines=False)
    for col in ("#", "kind", "indicator", "metric", "measure", "value", "unit", "bound", "strength", "deadline", "quote"):
        table.add_column(col, overflow="fold")
    for r in records:
        value = "" if r.value is None else f"{r.value:g}" + (f"—{r.value_max:g}" if r.value_max is not None else "")
        table.add_row(
            r.id.rsplit("#", 1)[-1], r.kind, r.indicator or "", r.metric, r.measure, value, r.unit or "",
            r.bound, r.strength, r.deadline or "", r.quote,
        )
    console.print(table)


@app.command("eval")
@one_line_errors
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold JSONL file(s)")],
    reports: Annotated[Path, typer.Option(help="Folder holding <doc>.txt for every gold doc")] = Path("../shared/reports"),
    labels: Annotated[Path | None, typer.Option(help="Folder of labelled plan-part records (tests/data/labels)")] = None,
    show_misses: Annotated[int, typer.Option(help="How many misses and false positives to list")] = 30,
    shared: Annotated[Path, typer.Option(help="Folder the gold's `path` fields are relative to")] = Path("../shared"),
) -> None:
    """Score the extractor against gold records (precision, recall, F1; per field; misses).

    A gold record with a ``path`` (relative to ``--shared``) names its report file; others are
    found as ``<doc>.txt`` in ``--reports``.
    """
    from govledger.evaluation.gold import load_jsonl, score

    gold_records = [g for path in gold for g in _load_or_fail(load_jsonl, path)]
    paths = {str(g["doc"]): shared / str(g["path"]) for g in gold_records if g.get("path")}
    docs = sorted({str(g["doc"]) for g in gold_records})
    predicted = [
        record_dict(r)
        for doc in docs
        for r in build_ledger(paths.get(doc) or _report_path(reports, doc), doc=doc).records
    ]
    result = score(predicted, gold_records)
    _print_scores("Catalogue indicators vs gold", [("numeric (headline)", result.numeric),
                                                    ("qualitative", result.qualitative), *result.by_doc.items()])
    _print_fields("Per field, on records aligned by doc/kind/indicator", result.field_accuracy)
    for title, rows in (("misses", result.misses), ("false positives", result.false_positives)):
        if rows:
            console.print(f"[bold]{title}[/bold] ({len(rows)})")
            for row in rows[:show_misses]:
                console.print(
                    f"  {row['doc']} {row['kind']} {row.get('indicator')} {row.get('measure')} "
                    f"{row.get('base_value')} {row.get('base_unit')} {row.get('bound')} | {row.get('quote')}"
                )
    if labels is not None:
        _eval_labels(labels, reports, show_misses)
    s = result.numeric
    console.print(f"headline: precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f}")


def _print_scores(title: str, rows: list[tuple[str, Score]]) -> None:
    table = Table(title=title)
    for col in ("scope", "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(col)
    for name, sc in rows:
        table.add_row(name, str(sc.tp), str(sc.fp), str(sc.fn), f"{sc.precision:.3f}", f"{sc.recall:.3f}", f"{sc.f1:.3f}")
    console.print(table)


def _print_fields(title: str, accuracy: dict[str, tuple[int, int]]) -> None:
    fields = Table(title=title)
    fields.add_column("field")
    fields.add_column("correct")
    for name, (ok, n) in accuracy.items():
        fields.add_row(name, f"{ok}/{n}" + (f" ({ok / n:.3f})" if n else ""))
    console.print(fields)


def _eval_labels(labels: Path, reports: Path, show: int) -> None:
    """Every plan-part quantity of the hand-labelled reports: precision, recall, per field."""
    from govledger.evaluation.quantities import load_labels, score_quantities

    label_rows, spans = load_labels(labels)
    docs = sorted({str(row["doc"]) for row in label_rows})
    predicted = [record_dict(r) for doc in docs for r in build_ledger(_report_path(reports, doc)).records]
    result = score_quantities(predicted, label_rows, spans)
    _print_scores(f"Every plan-part quantity vs hand labels ({labels})", [
        ("numeric (all quantities)", result.numeric), ("qualitative", result.qualitative), *result.by_doc.items()])
    _print_fields("Per field, on matched quantities", result.field_accuracy)
    for title, rows in (("label misses", result.misses), ("label false positives", result.false_positives)):
        if rows and show:
            console.print(f"[bold]{title}[/bold] ({len(rows)})")
            for row in rows[:show]:
                console.print(f"  {row['doc']} {row['kind']} {row.get('measure')} {row.get('value')} {row.get('unit')} "
                              f"{row.get('bound')} | {row.get('quote')}")
    s = result.numeric
    console.print(f"labels: precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f}")


def _load_or_fail(loader, path: Path) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    try:
        return list(loader(path))
    except FileNotFoundError:
        raise ReportError(str(path), "no such file") from None
    except (ValueError, KeyError) as exc:
        raise ReportError(str(path), f"not gold JSONL: {exc}") from None


def _report_path(reports: Path, doc: str) -> Path:
    for suffix in (".txt", ".docx", ".pdf", ".html", ".htm"):
        path = reports / f"{doc}{suffix}"
        if path.exists():
            return path
    raise ReportError(str(reports / doc), "gold names a report that is not in --reports")
