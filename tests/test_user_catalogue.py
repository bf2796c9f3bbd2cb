"""A user's own catalogue file adds indicators and aliases without editing the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from govledger.data import merge_catalogue, read_user_catalogue

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REPORT = CORPUS / "other_cities" / "三明市" / "2023.md"


def _extract(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GOVLEDGER_CATALOGUE"}
    return subprocess.run(
        [sys.executable, "-m", "govledger", *args], capture_output=True, text=True, env=env, check=False
    )


def test_user_indicator_is_mapped_only_with_the_file(tmp_path: Path) -> None:
    cat = tmp_path / "mine.json"
    cat.write_text(json.dumps({"indicators": [
        {"id": "tourism_revenue", "name": "旅游总收入", "aliases": ["旅游总收入"], "units": ["元", "%"]},
    ]}, ensure_ascii=False), encoding="utf-8")
    plain = _extract("extract", str(REPORT), "--format", "jsonl")
    mine = _extract("--catalogue", str(cat), "extract", str(REPORT), "--format", "jsonl")
    assert plain.returncode == 0 and mine.returncode == 0, mine.stderr
    ids_plain = {json.loads(line)["indicator"] for line in plain.stdout.splitlines()}
    rows = [json.loads(line) for line in mine.stdout.splitlines()]
    assert "tourism_revenue" not in ids_plain
    tourism = [r for r in rows if r["indicator"] == "tourism_revenue"]
    assert tourism and all("旅游总收入" in r["metric"] for r in tourism)
    # the installed catalogue still works beside it
    assert any(r["indicator"] == "gdp" for r in rows)


def test_bad_catalogue_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"indicators": [{"aliases": ["x"]}]}', encoding="utf-8")
    out = _extract("--catalogue", str(bad), "extract", str(REPORT))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and str(bad) in out.stderr and "Traceback" not in out.stderr


def test_merge_extends_lists_and_keeps_the_rest() -> None:
    base = {"indicators": [{"id": "gdp", "aliases": ["地区生产总值"], "not_if": ["人均"], "direction": "up"}]}
    user = {"indicators": [{"id": "gdp", "aliases": ["全州生产总值"], "not_if": ["县域"]}], "global_not_if": ["等"]}
    merged = merge_catalogue(base, user)
    gdp = merged["indicators"][0]
    assert gdp["aliases"] == ["地区生产总值", "全州生产总值"] and gdp["not_if"] == ["人均", "县域"]
    assert gdp["direction"] == "up" and merged["global_not_if"] == ["等"]
    assert base["indicators"][0]["aliases"] == ["地区生产总值"]  # the installed table is not changed


def test_read_user_catalogue_names_the_problem(tmp_path: Path) -> None:
    p = tmp_path / "c.json"
    p.write_text("{not json", encoding="utf-8")
    try:
        read_user_catalogue(str(p))
    except Exception as exc:  # ReportError
        assert "not JSON" in str(exc) and str(p) in str(exc)
    else:
        raise AssertionError("a broken file must be refused")
