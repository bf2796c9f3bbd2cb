#!/usr/bin/env bash
# The main job on the sample reports: set up, import all of ../shared/reports into govledger.db,
# score the extractor against the gold records, export a 任务分解表 and a Parquet panel, then start
# the supervision workspace on the same database with demo accounts (it prints the admin password).
# The demo workspace opens as of 15 June of the seed report's year (yaan_2024: 2024-06-15) with half a year of
# feedback, approvals, a return, an extension and key-project monthly reports already in it (a progress bar shows
# the seeding). NO_SERVE=1 stops after the batch job; PORT (default 8000) and TODAY (YYYY-MM-DD, overrides the
# mid-June date) tune the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
REPORTS=${REPORTS:-../shared/reports}
if [ ! -x .venv/bin/govledger ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
fi
if [ ! -f node_modules/echarts/dist/echarts.min.js ] && command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund >/dev/null
fi
mkdir -p out
.venv/bin/govledger import "$REPORTS" --db govledger.db
.venv/bin/govledger eval ../shared/gold/indicators_dev.jsonl --reports "$REPORTS" --show-misses 5
.venv/bin/govledger extract "$REPORTS/yaan_2024.txt" --format xlsx -o out/yaan_2024_任务分解表.xlsx
.venv/bin/govledger export out/records.parquet --db govledger.db
echo "wrote govledger.db, out/yaan_2024_任务分解表.xlsx, out/records.parquet"
if [ "${NO_SERVE:-0}" != "1" ]; then
  exec .venv/bin/govledger serve --db govledger.db --reports "$REPORTS" --demo --port "${PORT:-8000}" \
    ${TODAY:+--today "$TODAY"}
fi
