"""Start-up of single-file commands (issue 11 item 4), measured the way hyperfine does: N runs each,
min / median wall time and CPU time of the whole process.

    .venv/bin/python bench/bench_startup.py [--runs 10] [--report ../shared/reports/yaan_2024.txt]

Also prints the heaviest imports of ``govledger --help`` (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _run(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--report", default=str(Path(__file__).resolve().parents[2] / "shared" / "reports" / "yaan_2024.txt"))
    args = ap.parse_args()
    py = [sys.executable]
    # an installed package has its bytecode (pip compiles it); a checkout under PYTHONDONTWRITEBYTECODE=1 would
    # compile every changed module on every run and measure the compiler, not the start-up
    package = Path(__file__).resolve().parents[1] / "govledger"
    subprocess.run([*py, "-m", "compileall", "-q", str(package)], stdout=subprocess.DEVNULL, check=True)
    commands = {
        "python -c pass": [*py, "-c", "pass"],
        "govledger --help": [*py, "-m", "govledger", "--help"],
        "govledger extract <one report> --format jsonl": [*py, "-m", "govledger", "extract", args.report, "--format",
                                                          "jsonl"],
    }
    for name, cmd in commands.items():
        _run(cmd)  # warm the file cache and the bytecode
        walls, cpus = zip(*(_run(cmd) for _ in range(args.runs)), strict=True)
        print(f"{name}: wall min {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
              f"CPU median {statistics.median(cpus):.3f} s ({args.runs} runs)")
    proc = subprocess.run([*py, "-X", "importtime", "-m", "govledger", "--help"], capture_output=True, text=True,
                          env={**os.environ})
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))
    total = sum(us for us, _ in rows)
    print(f"govledger --help imports {total / 1000:.0f} ms in all (top-level modules, -X importtime); heaviest:")
    for us, name in sorted(rows, reverse=True)[:6]:
        print(f"  {name}: {us / 1000:.0f} ms")
    every = [ln.split("|")[2].strip() for ln in proc.stderr.splitlines() if ln.count("|") == 2]
    heavy = sorted({n.split(".")[0] for n in every} & {"pandas", "pyarrow", "sqlalchemy", "fastapi", "pydantic"})
    print(f"heavy libraries imported by --help: {heavy or 'none'}")


if __name__ == "__main__":
    main()
