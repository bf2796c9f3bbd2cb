#!/usr/bin/env bash
# The main job on the sample reports: set up, import all of ../shared/reports into govledger.db,
# score the extractor against the gold records, and export a 任务分解表 and a Parquet panel.
set -euo pipefail
cd "$(dirname "$0")/.."
REPORTS=${REPORTS:-../shared/reports}
if [ ! -x .venv/bin/govledger ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
fi
mkdir -p out
.venv/bin/govledger import "$REPORTS" --db govledger.db
.venv/bin/govledger eval ../shared/gold/indicators_dev.jsonl --reports "$REPORTS" --show-misses 5
.venv/bin/govledger extract "$REPORTS/yaan_2024.txt" --format xlsx -o out/yaan_2024_任务分解表.xlsx
.venv/bin/govledger export out/records.parquet --db govledger.db
echo "wrote govledger.db, out/yaan_2024_任务分解表.xlsx, out/records.parquet"
