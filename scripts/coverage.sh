#!/usr/bin/env bash
# docs/coverage.png and docs/coverage.txt: what govledger gets out of the whole corpus, by level and
# five-year period (issue 8 item 6). Imports ../shared/corpus into $DB first (resumable: unchanged
# reports are skipped), then reads the coverage from the store.
set -euo pipefail
mkdir -p "$(dirname "$0")/../docs"
cd "$(dirname "$0")/.."
DB=${DB:-corpus.db}
CORPUS=${CORPUS:-../shared/corpus}
PY=${PY:-.venv/bin/python}
"$PY" -m govledger import "$CORPUS" --db "$DB" > docs/corpus_import.txt || true  # failures are listed there
"$PY" -m govledger coverage --db "$DB" --chart docs/coverage.png --limit 0 > docs/coverage.txt
echo "wrote docs/coverage.png and docs/coverage.txt"
