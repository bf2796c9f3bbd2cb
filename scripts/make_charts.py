"""Write the README's charts: the GDP growth target against the official outturn, 1978–2025.

Usage (from the repository root, with ../shared beside it and the [docs] extra installed):
    python scripts/make_charts.py [--corpus ../shared/corpus] [--out docs]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from govledger.serve.charts import series_chart
from govledger.serve.cli_outturns import outturn_series


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--out", default="docs")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = outturn_series("gdp", args.corpus, "growth")
    series_chart(rows, out / "series_gdp.png", title="全国国内生产总值增长率（%）：预期目标与统计公报")
    (out / "series_gdp.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{out / 'series_gdp.png'}: {sum(r['outturn_value'] is not None for r in rows)} outturns, "
          f"{sum(r['target_value'] is not None for r in rows)} targets")


if __name__ == "__main__":
    main()
