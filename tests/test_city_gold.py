"""City reports of the corpus against hand-read records: the visible gold and the project's own labels.

The files are checked as data (every quote verbatim in its report, fields the
schema allows) and the extractor is held to the level it reaches now, so a
change that loses city recall or precision fails here first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govledger.evaluation.gold import score
from govledger.pipeline import build_ledger
from govledger.records import record_dict

SHARED = Path(__file__).resolve().parents[2] / "shared"
CITY_DEV = SHARED / "gold" / "indicators_city_dev.jsonl"
OWN = sorted((Path(__file__).resolve().parent / "data" / "city_labels").glob("*.jsonl"))


def _load(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def _predict(gold: list[dict[str, Any]]) -> list[dict[str, Any]]:
    paths = {g["doc"]: SHARED / g["path"] for g in gold}
    return [record_dict(r) for doc, path in sorted(paths.items()) for r in build_ledger(path, doc=doc).records]


def test_own_city_labels_cover_what_issue_8_asks() -> None:
    gold = _load(OWN)
    docs = {g["doc"] for g in gold}
    years = {int(d.rsplit("_", 1)[1]) for d in docs}
    assert len(docs) >= 8 and min(years) < 2016 and max(years) >= 2023
    for g in gold:
        text = (SHARED / g["path"]).read_text(encoding="utf-8")
        assert g["quote"] in text, g
        assert g["kind"] in ("achievement", "target") and g["bound"] in ("min", "max", "approx", "exact")


@pytest.mark.parametrize(("paths", "least_f1"), [([CITY_DEV], 0.97), (OWN, 0.96)], ids=["city_dev", "own_labels"])
def test_city_catalogue_f1(paths: list[Path], least_f1: float) -> None:
    gold = _load(paths)
    result = score(_predict(gold), gold)
    assert result.numeric.f1 >= least_f1, (result.numeric, result.misses[:10], result.false_positives[:10])


def test_december_reports_carry_the_next_plan_year() -> None:
    # hengyang_2023 was delivered on 2022-12-29: its targets are for 2023
    ledger = build_ledger(SHARED / "corpus/other_cities/衡阳市/2023.md")
    assert ledger.year == 2023 and ledger.delivered == "2022-12-29"
    assert {r.period for r in ledger.records if r.kind == "target" and r.scope == "annual"} == {2023}
