"""CLI commands for official outturns: ``verify-outturn``, ``check-claims`` and ``series``.

``govledger verify REPORT_Y COMMUNIQUE_Y`` also works (``cli_verify`` hands a
communiqué to ``verify_outturn_pair`` here).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govledger.cli import app
from govledger.errors import ReportError
from govledger.serve.console import fail, one_line_errors

console = Console(highlight=False)
_FORMATS = ("table", "jsonl", "csv")


@lru_cache(maxsize=256)
def _load(path: str) -> Any:
    from govledger.track.sources import load_ledger

    if not Path(path).exists():
        raise ReportError(path, "no such file")
    return load_ledger(path)


def load_communique(path: Path) -> Any:
    from govledger.track.outturns import require_kind

    ledger = _load(str(path))
    require_kind(str(path), ledger.records, "communique")
    return ledger


def load_report(path: Path) -> Any:
    from govledger.track.outturns import require_kind

    ledger = _load(str(path))
    require_kind(str(path), ledger.records, "report")
    return ledger


def verify_loaded(ly: Any, lc: Any, report_y: Path, communique: Path, **kw: Any) -> list[Any]:
    """Verdict rows for already loaded ledgers: report Y's targets against the communiqué of Y."""
    from govledger.track.outturns import require_kind, verify_with_outturns

    require_kind(str(report_y), ly.records, "report")
    require_kind(str(communique), lc.records, "communique")
    if ly.year is not None and lc.year is not None and ly.year != lc.year:
        raise ReportError(str(communique), f"the communiqué reports {lc.year}, the report plans {ly.year}")
    return verify_with_outturns(ly.records, lc.records, year=ly.year or lc.year, doc=ly.doc, place=ly.place, **kw)


def verify_outturn_pair(report_y: Path, communique: Path, **kw: Any) -> tuple[Any, Any, list[Any]]:
    """The targets of report Y judged against the communiqué of Y (same year required)."""
    ly, lc = _load(str(report_y)), _load(str(communique))
    return ly, lc, verify_loaded(ly, lc, report_y, communique, **kw)


def _write(dicts: Sequence[dict[str, Any]], fmt: str, output: Path | None) -> None:
    try:
        fh = sys.stdout if output is None else open(output, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(str(output), f"cannot write: {exc.strerror}") from None
    try:
        if fmt == "jsonl":
            for d in dicts:
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        elif dicts:
            w = csv.DictWriter(fh, fieldnames=list(dicts[0]))
            w.writeheader()
            w.writerows(dicts)
    finally:
        if fh is not sys.stdout:
            fh.close()


def _table(title: str, dicts: Sequence[dict[str, Any]], cols: Sequence[str]) -> None:
    t = Table(title=title)
    for c in cols:
        t.add_column(c, overflow="fold")
    for d in dicts:
        t.add_row(*("" if d.get(c) is None else str(d.get(c)) for c in cols))
    console.print(t)


@app.command("verify-outturn")
@one_line_errors
def verify_outturn(
    report_y: Annotated[Path | None, typer.Argument(help="Report of year Y (its targets are judged)")] = None,
    communique: Annotated[Path | None, typer.Argument(help="Statistical communiqué of year Y (the official outcome)")] = None,
    report_next: Annotated[Path | None, typer.Option("--beside", help="Report Y+1: show its verdict beside, flag disagreements")] = None,
    corpus: Annotated[Path | None, typer.Option(help="Corpus folder: every national/<Y>.md vs statistical_communiques/<Y>.md, beside national/<Y+1>.md")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Was each target of year Y met by the official figure? Optionally beside report Y+1's own account."""
    from govledger.serve.cli_verify import write_rows
    from govledger.track.outturns import compare_verdicts
    from govledger.track.verify import verify_records

    if fmt not in _FORMATS:
        fail(f"unknown format {fmt!r} (use {', '.join(_FORMATS)})")
    if corpus is not None:
        _verify_corpus(corpus, fmt, output)
        return
    if report_y is None or communique is None:
        fail("give REPORT_Y COMMUNIQUE_Y, or --corpus DIR")
        return
    ly, lc, rows = verify_outturn_pair(report_y, communique)
    if report_next is None:
        write_rows(rows, fmt, output, title=f"{ly.doc} targets vs communiqué {lc.doc}")
        return
    ln = load_report(report_next)
    reported = verify_records(ly.records, ln.records, year=ly.year, doc=ly.doc, place=ly.place)
    pairs = compare_verdicts(rows, reported, ln.records)
    if fmt == "table":
        _table(f"{ly.doc}: communiqué {lc.doc} vs report {ln.doc}", pairs,
               ("indicator", "target_quote", "official_verdict", "official_quote", "report_verdict", "report_quote", "disagree"))
        console.print(f"targets: {len(pairs)}  disagreements: {sum(p['disagree'] for p in pairs)}")
    else:
        _write(pairs, fmt, output)


def _verify_corpus(corpus: Path, fmt: str, output: Path | None) -> None:
    """Per year: verdicts of the national targets against the communiqué, and disagreements with report Y+1."""
    from govledger.track.outturns import compare_verdicts, corpus_pairs
    from govledger.track.verify import VERDICTS, summarise, verify_records

    per_year: list[dict[str, Any]] = []
    every: list[dict[str, Any]] = []
    failed: list[str] = []
    for y, rep, comm, nxt in corpus_pairs(corpus, 1978, 2025):
        if rep is None or comm is None:
            continue
        try:
            ly, _, rows = verify_outturn_pair(rep, comm)
            rows = [r for r in rows if r.indicator]
            next_records = load_report(nxt).records if nxt else []
            reported = verify_records(ly.records, next_records, year=y) if nxt else []
        except ReportError as exc:
            failed.append(str(exc))
            continue
        pairs = compare_verdicts(rows, reported, next_records)
        every.extend(pairs)
        row: dict[str, Any] = {"year": y, "targets": len(rows)}
        row.update(summarise(rows))
        row["disagree"] = sum(p["disagree"] for p in pairs)
        per_year.append(row)
    if fmt == "table":
        _table("national targets vs the statistical communiqué (catalogue indicators)", per_year,
               ("year", "targets", *VERDICTS, "disagree"))
        totals = {k: sum(int(r.get(k, 0)) for r in per_year) for k in ("targets", *VERDICTS, "disagree")}
        console.print("  ".join(f"{k}: {v}" for k, v in totals.items()))
    else:
        _write(every, fmt, output)
    for line in failed:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {line}")


def _claims_for(report: Path, communique: Path) -> list[Any]:
    from govledger.track.outturns import check_claims

    lr, lc = load_report(report), load_communique(communique)
    year = lc.year or ((lr.year - 1) if lr.year else None)
    if lr.year is not None and lc.year is not None and lr.year != lc.year + 1:
        raise ReportError(str(report), f"report of {lr.year} does not review {lc.year}")
    return check_claims(lr.records, lc.records, year=year)


@app.command("check-claims")
@one_line_errors
def check_claims_cmd(
    report: Annotated[Path | None, typer.Argument(help="Report of year Y+1 (its review of Y)")] = None,
    communique: Annotated[Path | None, typer.Argument(help="Statistical communiqué of year Y")] = None,
    corpus: Annotated[Path | None, typer.Option(help="Corpus folder: every national/<Y+1>.md vs statistical_communiques/<Y>.md")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Does report Y+1 state year Y as the communiqué does? equal / rounded / different / not in the communiqué."""
    from govledger.track.outturns import CLAIM_STATUSES, corpus_pairs

    if fmt not in _FORMATS:
        fail(f"unknown format {fmt!r} (use {', '.join(_FORMATS)})")
    checks: list[Any] = []
    per_year: list[dict[str, Any]] = []
    failed: list[str] = []
    if corpus is not None:
        for y, _, comm, nxt in corpus_pairs(corpus, 1978, 2025):
            if nxt is None or comm is None:
                continue
            try:
                got = _claims_for(nxt, comm)
            except ReportError as exc:
                failed.append(str(exc))
                continue
            checks.extend(got)
            row: dict[str, Any] = {"year": y, "report": nxt.stem, "claims": len(got)}
            row.update({s: sum(c.status == s for c in got) for s in CLAIM_STATUSES})
            per_year.append(row)
    elif report is not None and communique is not None:
        checks = _claims_for(report, communique)
    else:
        fail("give REPORT_Y+1 COMMUNIQUE_Y, or --corpus DIR")
    dicts = [c.as_dict() for c in checks]
    if fmt != "table":
        _write(dicts, fmt, output)
    else:
        if per_year:
            _table("claims per report", per_year, ("year", "report", "claims", *CLAIM_STATUSES))
        else:
            _table("claims vs communiqué", dicts, ("indicator", "measure", "claim_quote", "outturn_quote", "status",
                                                    "difference", "estimated"))
        totals = {s: sum(c.status == s for c in checks) for s in CLAIM_STATUSES}
        est = sum(1 for c in checks if c.estimated and c.status == "different")
        console.print("  ".join(f"{k}: {v}" for k, v in totals.items()) + f"  (claims: {len(checks)}; different and 预计: {est})")
    for line in failed:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {line}")


def outturn_series(indicator: str, corpus: str | Path, measure: str = "growth",
                   first: int = 1978, last: int = 2025) -> list[dict[str, Any]]:
    """Per year: national target and official outturn of ``indicator`` with both quotes (plain dicts)."""
    from govledger.track.outturns import corpus_pairs, series_rows, verify_with_outturns

    rows: dict[int, list[Any]] = {}
    outturns: dict[int, list[Any]] = {}
    for y, rep, comm, _ in corpus_pairs(corpus, first, last):
        try:
            lc = load_communique(comm) if comm else None
        except ReportError:
            lc = None
        if lc is not None:
            outturns[y] = lc.records
        if rep is None:
            continue
        try:
            lr = load_report(rep)
        except ReportError:
            continue
        rows[y] = verify_with_outturns(lr.records, lc.records if lc else [], year=y, doc=lr.doc, place=lr.place)
    return series_rows(rows, outturns, indicator, measure)


@app.command("series")
@one_line_errors
def series_cmd(
    indicator: Annotated[str, typer.Argument(help="Catalogue indicator, e.g. gdp")],
    corpus: Annotated[Path, typer.Option(help="Corpus folder with national/ and statistical_communiques/")] = Path("../shared/corpus"),
    measure: Annotated[str, typer.Option(help="growth, value, ratio…")] = "growth",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    chart: Annotated[Path | None, typer.Option(help="Also write a PNG chart here (needs matplotlib)")] = None,
) -> None:
    """The long series: national target vs official outturn per year, with both quotes."""
    from govledger.data import load_json

    if indicator not in {i["id"] for i in load_json("catalogue.json")["indicators"]}:
        fail(f"unknown indicator {indicator!r}")
    rows = outturn_series(indicator, corpus, measure)
    if fmt == "table":
        _table(f"{indicator} ({measure}): target vs official outturn", rows,
               ("year", "target_value", "target_bound", "target_quote", "outturn_value", "outturn_quote", "verdict"))
    else:
        _write(rows, fmt, output)
    if chart is not None:
        from govledger.serve.charts import series_chart

        name = next(i["name"] for i in load_json("catalogue.json")["indicators"] if i["id"] == indicator)
        from govledger.serve.labels import label

        series_chart(rows, chart, title=f"全国{name.replace('地区', '国内')}（{label('measures', measure)}）：预期目标与统计公报")
        console.print(f"chart → {chart}")
