"""What the extractor makes of the whole corpus, without labels: refusals, years, plan parts, metrics.

Prints, for every work report under ``--corpus`` (statistical communiqués are left to their own
reader): how many were refused and why, how many got a plan year different from the file name (the
corpus names files by plan year) and why, how many have no plan part, and the share of numeric
records whose metric is empty or a bare verb (实施, 培育, 二 — a metric that names nothing).

    .venv/bin/python bench/corpus_quality.py [--corpus ../shared/corpus] [--jobs 2]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from govledger.errors import ReportError
from govledger.extract.metrics import is_bare
from govledger.pipeline import build_ledger

_YEAR = re.compile(r"^((?:19|20)\d\d)")


def one(path: str) -> dict[str, object]:
    file_year = _YEAR.match(Path(path).name)
    try:
        ledger = build_ledger(path)
    except ReportError as exc:
        return {"path": path, "refused": exc.reason}
    numeric = [r for r in ledger.records if r.measure != "qualitative"]
    return {
        "path": path,
        "year": ledger.year,
        "file_year": int(file_year.group(1)) if file_year else None,
        "notes": ledger.notes,
        "plan": any(r.kind == "target" for r in ledger.records),
        "records": len(numeric),
        "bare": [r.metric for r in numeric if is_bare(r.metric)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    files = sorted(
        str(p) for p in Path(args.corpus).rglob("*.md")
        if p.parent.name != "statistical_communiques" and not p.name.isupper() and p.name != "README.md"
    )
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one, files, chunksize=16))
    refused = [r for r in rows if "refused" in r]
    done = [r for r in rows if "refused" not in r]
    other_year = [r for r in done if r["file_year"] and r["year"] != r["file_year"]]
    no_plan = [r for r in done if not r["plan"]]
    records = sum(int(r["records"]) for r in done)  # type: ignore[call-overload]
    bare = [m for r in done for m in r["bare"]]  # type: ignore[attr-defined]
    print(f"work reports: {len(rows)}, refused: {len(refused)} ({len(refused) / len(rows):.2%})")
    for r in refused:
        print(f"  refused {r['path']}: {r['refused']}")
    print(f"plan year = file name: {len(done) - len(other_year)}/{len(done)} "
          f"({(len(done) - len(other_year)) / len(done):.2%})")
    for r in other_year:
        print(f"  {r['path']}: plan year {r['year']} — {'; '.join(r['notes'])}")  # type: ignore[arg-type]
    print(f"no target at all (no plan part or a review-only text): {len(no_plan)}")
    print(f"numeric records: {records:,}; empty or bare-verb metric: {len(bare):,} ({len(bare) / records:.2%})")
    print("most frequent bare metrics:", Counter(bare).most_common(12))


if __name__ == "__main__":
    main()
