"""Throughput and memory of extraction, .txt → JSONL records, on one core.

Prints figures; asserts nothing (machines are noisy: compare the ratio of
the full job to the bare pass within one run). The bare pass only reads
the files and splits sentences, so the ratio shows what extraction costs.

    .venv/bin/python bench/bench_extract.py [--reports ../shared/reports] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import time
import tracemalloc
from pathlib import Path

from govledger.pipeline import ledger_from_source
from govledger.read import read_report
from govledger.read.normalize import normalize_text
from govledger.records import record_dict
from govledger.structure.sentences import split_sentences


def bare_pass(files: list[Path]) -> int:
    chars = 0
    for f in files:
        text = normalize_text(read_report(f).text)
        split_sentences(text)
        chars += len(text)
    return chars


def full_pass(files: list[Path]) -> tuple[int, int]:
    chars = records = 0
    sink = io.StringIO()
    for f in files:
        source = read_report(f)
        ledger = ledger_from_source(source)
        for r in ledger.records:
            sink.write(json.dumps(record_dict(r), ensure_ascii=False))
            sink.write("\n")
        sink.seek(0)
        sink.truncate()
        chars += len(source.text)
        records += len(ledger.records)
    return chars, records


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", default=str(Path(__file__).resolve().parents[2] / "shared" / "reports"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    files = sorted(p for p in Path(args.reports).glob("*.txt") if p.name != "SOURCES.md")
    full_pass(files[:2])  # warm caches (rule tables, regexes)
    bare_t, bare_chars = timed(bare_pass, files)
    best = float("inf")
    chars = records = 0
    rss: list[int] = []
    for _ in range(args.rounds):
        t, (chars, records) = timed(full_pass, files)
        best = min(best, t)
        rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    tracemalloc.start()
    full_pass(files)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(files)
    print(f"files: {n}, characters: {chars:,}, records: {records:,}")
    print(f"bare pass (read + split sentences): {bare_t:.3f} s, {bare_chars / bare_t:,.0f} chars/s")
    print(f"full extraction to JSONL (best of {args.rounds}): {best:.3f} s, {chars / best:,.0f} chars/s per core, "
          f"{n / best:.1f} reports/s, {best / n * 1000:.1f} ms per report (avg {chars // n:,} chars)")
    print(f"full / bare time ratio: {best / bare_t:.1f}x")
    print(f"peak Python heap during one pass over {n} files: {peak / 1e6:.1f} MB")
    print(f"max RSS after each round (MB): {rss}  (flat = memory does not grow with files processed)")


if __name__ == "__main__":
    main()
