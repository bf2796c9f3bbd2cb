"""Throughput and memory of extraction, .txt → JSONL records, on one core.

Prints figures; asserts nothing (machines are noisy: compare the ratio of
the full job to the bare pass within one run). The bare pass only reads
the files and splits sentences, so the ratio shows what extraction costs.

    .venv/bin/python bench/bench_extract.py [--reports ../shared/reports] [--rounds 5]

It also times a naive catalogue pass (a dozen regexes over the whole text,
the first thing one would write) in the same run, best of N, warm.
"""

from __future__ import annotations

import argparse
import io
import json
import re
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


# The naive pass a researcher would write first: read and normalise the text, split it into
# sentences, and run a dozen catalogue patterns (alias, a few words, a number, a unit) over each,
# one dict per match, JSON out. It knows nothing of parts, lists, bounds, masks or quotes.
_GAP = r"[^，。；、\d]{0,8}?"
_NUM = r"(-?\d+(?:\.\d+)?)"
_NAIVE = [
    re.compile(f"({alias}){_GAP}{_NUM}({units})")
    for alias, units in (
        ("地区生产总值|国内生产总值|生产总值|GDP|经济总量", "%|亿元|万亿元"),
        ("规模以上工业增加值|规上工业增加值|规模工业增加值", "%|亿元"),
        ("全社会固定资产投资|固定资产投资", "%|亿元"),
        ("社会消费品零售总额", "%|亿元"),
        ("地方一般公共预算收入|一般公共预算收入|地方级财政收入", "%|亿元"),
        ("城乡居民人均可支配收入|居民人均可支配收入|城镇居民人均可支配收入|农村居民人均可支配收入", "%|元|万元"),
        ("城镇新增就业|新增城镇就业|新增就业", "万人|人"),
        ("城镇调查失业率|城镇登记失业率", "%"),
        ("居民消费价格", "%"),
        ("粮食总产量|粮食产量", "亿斤|万吨|万斤"),
        ("外贸进出口总额|进出口总额|外贸进出口", "%|亿元|亿美元"),
        ("实际利用外资|实际使用外资|外商直接投资", "%|亿美元|万美元"),
        ("常住人口城镇化率|城镇化率", "%"),
    )
]


def naive_pass(files: list[Path]) -> tuple[int, int]:
    chars = records = 0
    sink = io.StringIO()
    for f in files:
        text = normalize_text(f.read_text(encoding="utf-8"))
        for a, b in split_sentences(text):
            sentence = text[a:b]
            for rx in _NAIVE:
                for m in rx.finditer(sentence):
                    row = {"doc": f.stem, "metric": m.group(1), "value": float(m.group(2)), "unit": m.group(3),
                           "sentence": sentence, "quote": m.group(0), "start": a + m.start(), "end": a + m.end()}
                    sink.write(json.dumps(row, ensure_ascii=False))
                    sink.write("\n")
                    records += 1
        sink.seek(0)
        sink.truncate()
        chars += len(text)
    return chars, records


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
    """CPU seconds of this process (the issue's table is in chars per CPU-second): other jobs on a busy
    2-core machine stretch wall time, not this."""
    start = time.process_time()
    out = fn(*args)
    return time.process_time() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", default=str(Path(__file__).resolve().parents[2] / "shared" / "reports"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    files = sorted(p for p in Path(args.reports).glob("*.txt") if p.name != "SOURCES.md")
    full_pass(files[:2])  # warm caches (rule tables, regexes)
    bare_t, bare_chars = min(timed(bare_pass, files) for _ in range(args.rounds))
    best = float("inf")
    chars = records = 0
    rss: list[int] = []
    for _ in range(args.rounds):
        t, (chars, records) = timed(full_pass, files)
        best = min(best, t)
        rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    naive = float("inf")
    naive_records = 0
    for _ in range(args.rounds):
        t, (_, naive_records) = timed(naive_pass, files)
        naive = min(naive, t)
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
    print(f"naive catalogue regex pass (13 patterns, best of {args.rounds}): {naive:.3f} s, "
          f"{chars / naive:,.0f} chars/s, {naive_records:,} matches")
    print(f"govledger speed vs the naive pass (same run): {naive / best:.2f}x  (>= 1.00 means govledger is as fast)")
    print(f"peak Python heap during one pass over {n} files: {peak / 1e6:.1f} MB")
    print(f"max RSS after each round (MB): {rss}  (flat = memory does not grow with files processed)")


if __name__ == "__main__":
    main()
