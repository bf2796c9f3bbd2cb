"""A synthetic corpus of thousands of reports: extraction, import, verify and panel figures.

Real paragraphs of ../shared/reports are recombined into new reports, each
with a title, a review part for year Y-1 and a plan part for year Y, under
a place name drawn from govledger/data/places.json, with the years moved to
Y-1/Y and every quantity scaled by a random factor (years, ordinals and
names such as 5G are left alone). Places get two consecutive years, so the
corpus has pairs to verify. The corpus goes to a temporary folder (deleted
afterwards unless --keep). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_corpus.py [--n 2000] [--workers 2] [--seed 7] [--keep]
    .venv/bin/python bench/bench_corpus.py --corpus ../shared/corpus [--pg postgresql://…/db] [--workers 2]

With ``--corpus DIR`` the real corpus is measured instead: ``govledger import``
of the whole tree into a new SQLite database (and into PostgreSQL with
``--pg``, whose ``public`` schema is emptied first), wall time and peak RSS;
the same import again (every report unchanged: the resume path); a full-text
search right after; the panel built from the store.

Figures printed: generation time; extraction reports/s and characters/s
(all workers) with the peak RSS; ``govledger import`` into a temporary
SQLite database when the store's CLI is installed; the panel build
(verify of every pair included) and the latency of the panel queries.
The panel is built from the catalogue-indicator records (the headline
figures researchers compare); all records are streamed to JSONL on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from govledger.data import load_json
from govledger.records import Record, record_dict

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年)")
# a number not part of a year, a name (5G, 1+N, 第N届/号/次), a date or a heading ordinal
_NUMBER = re.compile(r"(?<![\d.A-Za-z+＋第])(\d+(?:\.\d+)?)(?![\d.]|[A-Za-z+＋]|届|号|次|年|月|日|条|项|批|个百分点以)")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# ----------------------------------------------------------------------------- corpus


def _paragraphs(reports: Path) -> tuple[list[str], list[str], list[str]]:
    """(review paragraphs, plan paragraphs, target paragraphs) of the real reports, with {Y} / {Y-1} slots."""
    from govledger.read import read_report
    from govledger.structure import analyse_report

    review: list[str] = []
    plan: list[str] = []
    targets: list[str] = []
    for f in sorted(reports.glob("*.txt")):
        src = read_report(f)
        layout = analyse_report(src.text, file_name=src.doc)
        if not layout.is_report or layout.year is None:
            continue
        year = layout.year
        part_of = {s.paragraph: s.part for s in layout.sentences}
        for i, p in enumerate(layout.paragraphs):
            if p.level is not None or i not in part_of:
                continue
            text = layout.text[p.start : p.end].strip(" \u3000\xa0\t")
            if len(text) < 40 or len(text) > 1500 or text.startswith(("现在，我代表", "各位代表")):
                continue

            def slot(m: re.Match[str], year: int = year) -> str:
                y = int(m.group(1))
                return "{Y}" if y == year else "{Y-1}" if y == year - 1 else m.group(1)

            text = _YEAR.sub(slot, text.replace("{", "（").replace("}", "）"))
            if part_of[i] == "review":
                review.append(text)
            elif "预期目标" in text:
                targets.append(text)
            else:
                plan.append(text)
    return review, plan, targets


def _scale_numbers(text: str, rng: random.Random) -> str:
    def scale(m: re.Match[str]) -> str:
        s = m.group(1)
        if "." in s:
            decimals = len(s.split(".")[1])
            return f"{float(s) * rng.uniform(0.7, 1.3):.{decimals}f}"
        n = int(s)
        if n < 10:
            return s
        return str(max(1, round(n * rng.uniform(0.7, 1.3))))

    return _NUMBER.sub(scale, text)


def _places(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(file key, place name) for ``n`` places: real cities and provinces first, then made-up counties."""
    names = [p["name"] for p in load_json("places.json")["places"] if p["level"] in ("city", "province")]
    rng.shuffle(names)
    out = [(f"p{i:05d}", name) for i, name in enumerate(names[:n])]
    i = len(out)
    while len(out) < n:
        out.append((f"p{i:05d}", f"{rng.choice(names)[:2]}{'东西南北新'[i % 5]}县"))
        i += 1
    return out


def generate(folder: Path, n: int, reports: Path, seed: int) -> tuple[int, int]:
    """Write ``n`` synthetic reports (pairs of consecutive years) into ``folder``; returns (files, characters)."""
    rng = random.Random(seed)
    review, plan, targets = _paragraphs(reports)
    if not (review and plan and targets):
        raise SystemExit(f"no usable paragraphs under {reports}")
    chars = 0
    files = 0
    for key, place in _places((n + 1) // 2, rng):
        first = rng.randint(2019, 2029)
        for year in (first, first + 1):
            if files >= n:
                break
            parts = [
                f"{year}年{place}政府工作报告",
                f"——{year}年1月{rng.randint(10, 28)}日在{place}第十{rng.choice('四五六七')}届人民代表大会第{rng.choice('一二三四五')}次会议上",
                "各位代表：",
                f"现在，我代表{place}人民政府，向大会报告工作，请予审议。",
                f"一、{year - 1}年工作回顾",
                *rng.sample(review, k=min(len(review), rng.randint(8, 16))),
                f"二、{year}年目标任务和重点工作",
                rng.choice(targets),
                *rng.sample(plan, k=min(len(plan), rng.randint(10, 22))),
                "各位代表！让我们团结奋斗，为全面完成今年目标任务而努力奋斗！",
            ]
            text = "\n".join(_scale_numbers(p, rng).replace("{Y-1}", str(year - 1)).replace("{Y}", str(year))
                             for p in parts) + "\n"
            (folder / f"{key}_{year}.txt").write_text(text, encoding="utf-8")
            chars += len(text)
            files += 1
    return files, chars


# ----------------------------------------------------------------------------- extraction


def _extract_one(path: str) -> tuple[str, int, int, list[dict[str, Any]], str | None, int | None, str | None, str]:
    """Extract one file: (doc, characters, records, indicator records as dicts, place, year, error, jsonl)."""
    from govledger.errors import ReportError
    from govledger.pipeline import build_ledger

    try:
        ledger = build_ledger(path)
    except ReportError as exc:
        return Path(path).stem, 0, 0, [], None, None, exc.reason, ""
    lines = "".join(json.dumps(record_dict(r), ensure_ascii=False) + "\n" for r in ledger.records)
    kept = [r.model_dump() for r in ledger.records if r.indicator]
    return ledger.doc, len(ledger.text), len(ledger.records), kept, ledger.place, ledger.year, None, lines


def extract_all(files: list[Path], workers: int, sink: Path) -> tuple[float, int, int, list[Record], list[str]]:
    """Extract every file (in ``workers`` processes), streaming all records to ``sink`` as JSONL."""
    start = time.perf_counter()
    chars = n_records = 0
    kept: list[Record] = []
    errors: list[str] = []
    paths = [str(f) for f in files]
    with open(sink, "w", encoding="utf-8") as out:
        results: Iterator[Any]
        if workers > 1:
            pool = ProcessPoolExecutor(max_workers=workers)
            results = pool.map(_extract_one, paths, chunksize=16)
        else:
            pool = None
            results = map(_extract_one, paths)
        for doc, c, n, recs, _place, _year, err, lines in results:
            if err:
                errors.append(f"{doc}: {err}")
                continue
            chars += c
            n_records += n
            out.write(lines)
            kept.extend(Record.model_validate(r) for r in recs)
        if pool is not None:
            pool.shutdown()
    return time.perf_counter() - start, chars, n_records, kept, errors


# ----------------------------------------------------------------------------- import, panel


def store_import(folder: Path, db: Path, workers: int) -> str:
    """``govledger import`` into a temporary SQLite database, when the store's CLI exists."""
    try:
        import govledger.serve.cli_store  # noqa: F401
    except ModuleNotFoundError:
        return "govledger import: skipped (the store's CLI is not installed yet)"
    cmd = [sys.executable, "-m", "govledger.cli", "import", str(folder), "--db", f"sqlite:///{db}"]
    help_text = subprocess.run([*cmd[:4], "--help"], capture_output=True, text=True).stdout
    if "--workers" in help_text:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    took = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return f"govledger import: failed (exit {proc.returncode}): {tail[0]}"
    n = len(list(folder.glob("*.txt")))
    size = db.stat().st_size / 1e6 if db.exists() else 0
    return (f"govledger import into SQLite: {took:.1f} s, {n / took:.1f} reports/s, database {size:.1f} MB, "
            f"peak RSS of the import {_children_rss_mb():.0f} MB")


def _latency(fn: Callable[[], Any], rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def panel_figures(records: list[Record], tmp: Path) -> list[str]:
    from govledger.track.panel import export_panel, panel, target_changes, target_gaps, targets_for

    start = time.perf_counter()
    df = panel(records)
    build = time.perf_counter() - start
    out = [f"panel build (verify of every pair included): {build:.2f} s, {len(df):,} rows, "
           f"{df['verdict'].notna().sum():,} targets with a verdict"]
    years = sorted(int(y) for y in df["year"].dropna().unique())
    year = years[len(years) // 2] if years else 2025
    place = str(df["place"].dropna().iloc[0]) if len(df) else ""
    queries: dict[str, Callable[[], Any]] = {
        f"targets_for(df, 'gdp', {year})": lambda: targets_for(df, "gdp", year, measure="growth"),
        "target_gaps(df, 'budget_revenue', 2023–2025)": lambda: target_gaps(df, "budget_revenue", range(2023, 2026)),
        f"target_changes(df, '{place}')": lambda: target_changes(df, place),
        "verdict counts by year (groupby)": lambda: df.groupby(["year", "verdict"]).size(),
    }
    for name, fn in queries.items():
        out.append(f"  {name}: {_latency(fn):.1f} ms (median of 7)")
    pq = tmp / "panel.parquet"
    start = time.perf_counter()
    export_panel(df, pq)
    out.append(f"  export to Parquet: {(time.perf_counter() - start) * 1000:.0f} ms, {pq.stat().st_size / 1e6:.1f} MB")
    return out


def _import_cmd(corpus: Path, url: str, workers: int) -> tuple[float, str, int]:
    """Run ``govledger import`` as a user does; (seconds, closing line, exit code)."""
    cmd = [sys.executable, "-m", "govledger", "import", str(corpus), "--db", url, "--jobs", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "160"})
    took = time.perf_counter() - start
    lines = (proc.stderr.strip().splitlines() or ["?"])
    return took, lines[-1], proc.returncode


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from govledger.store import resolve_url

    engine = create_engine(resolve_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def corpus_figures(corpus: Path, workers: int, pg: str | None, tmp: Path) -> None:
    """The real corpus: import into SQLite (and PostgreSQL), resume, search, panel."""
    from govledger.read import REPORT_SUFFIXES
    from govledger.track.sources import is_report_file

    files = [p for p in corpus.rglob("*") if is_report_file(p, REPORT_SUFFIXES)]
    size = sum(p.stat().st_size for p in files)
    print(f"corpus: {len(files):,} files, {size / 1e6:.0f} MB in {corpus}; {workers} workers, {os.cpu_count()} CPUs")
    targets = [("SQLite", f"sqlite:///{tmp / 'corpus.db'}")]
    if pg:
        _empty_postgres(pg)
        targets.append(("PostgreSQL", pg))
    for name, url in targets:
        took, line, code = _import_cmd(corpus, url, workers)
        print(f"govledger import into {name}: {took:.1f} s ({took / 60:.1f} min), {len(files) / took:.1f} files/s, "
              f"exit {code}, peak RSS of one process {_children_rss_mb():.0f} MB\n  {line}")
        again, line, _ = _import_cmd(corpus, url, workers)
        print(f"  again (all unchanged, the resume path): {again:.1f} s\n  {line}")
        from govledger.store import open_store

        with open_store(url, create=False) as store:
            start = time.perf_counter()
            hits = store.search_sentences("老旧小区改造", limit=50)
            print(f"  search right after the import: {len(hits)} sentences in {(time.perf_counter() - start) * 1000:.0f} ms")
        from govledger.track.panel import panel

        start = time.perf_counter()
        df = panel(url)
        print(f"  panel from the store: {time.perf_counter() - start:.1f} s, {len(df):,} rows, "
              f"{df['verdict'].notna().sum():,} targets with a verdict")
        if name == "SQLite":
            print(f"  database file: {(tmp / 'corpus.db').stat().st_size / 1e6:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="number of synthetic reports")
    ap.add_argument("--reports", default=str(Path(__file__).resolve().parents[2] / "shared" / "reports"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    ap.add_argument("--no-import", action="store_true", help="skip govledger import")
    ap.add_argument("--corpus", help="measure the real corpus in this folder instead of a synthetic one")
    ap.add_argument("--pg", help="with --corpus: also import into this PostgreSQL database (its schema is emptied)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="govledger-bench-"))
    if args.corpus:
        try:
            corpus_figures(Path(args.corpus), args.workers, args.pg, tmp)
        finally:
            if args.keep:
                print(f"kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    corpus = tmp / "reports"
    corpus.mkdir()
    try:
        start = time.perf_counter()
        files_n, chars = generate(corpus, args.n, Path(args.reports), args.seed)
        gen = time.perf_counter() - start
        print(f"corpus: {files_n} reports, {chars:,} characters (avg {chars // max(files_n, 1):,}), "
              f"generated in {gen:.1f} s → {corpus}")
        files = sorted(corpus.glob("*.txt"))
        took, xchars, n_records, kept, errors = extract_all(files, args.workers, tmp / "records.jsonl")
        ok = files_n - len(errors)
        print(f"extraction ({args.workers} worker{'s' if args.workers > 1 else ''}): {took:.1f} s, "
              f"{ok / took:.1f} reports/s, {xchars / took:,.0f} chars/s, {n_records:,} records "
              f"({len(kept):,} with a catalogue indicator); {len(errors)} files refused")
        for e in errors[:3]:
            print(f"  refused: {e}")
        print(f"peak RSS: this process {_rss_mb():.0f} MB, worker processes {_children_rss_mb():.0f} MB")
        if not args.no_import:
            print(store_import(corpus, tmp / "bench.db", args.workers))
        for line in panel_figures(kept, tmp):
            print(line)
        print(f"peak RSS at the end: {_rss_mb():.0f} MB")
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
