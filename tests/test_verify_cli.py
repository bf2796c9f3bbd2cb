"""The verify, verify-dir, verify-override and panel commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.records import Record, record_dict
from tests.conftest import REPORTS
from tests.test_verify import rec

_register()
runner = CliRunner()


def _write(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(json.dumps(record_dict(r), ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    y = [
        rec("地区生产总值增长6.5%左右", 6.5, indicator="gdp", metric="地区生产总值", bound="approx",
            doc="guangyuan_2024", year=2024),
        rec("社会消费品零售总额增长8%", 8, indicator="retail_sales", metric="社会消费品零售总额",
            doc="guangyuan_2024", year=2024),
    ]
    y1 = [
        rec("预计地区生产总值增长6.4%", 6.4, kind="achievement", indicator="gdp", metric="地区生产总值",
            estimated=True, doc="guangyuan_2025", year=2025),
    ]
    return _write(tmp_path / "guangyuan_2024.jsonl", y), _write(tmp_path / "guangyuan_2025.jsonl", y1)


def test_verify_jsonl_one_object_per_target(pair: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1]), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(r["indicator"], r["verdict"]) for r in rows] == [("gdp", "met"), ("retail_sales", "not_reported")]
    assert rows[0]["outcome_estimated"] is True and rows[0]["match_score"] == 1.0
    assert rows[1]["outcome_quote"] is None


def test_verify_tolerance_option(pair: tuple[Path, Path]) -> None:
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1]), "-f", "jsonl", "--tolerance", "0"])
    assert json.loads(res.stdout.splitlines()[0])["verdict"] == "missed"


def test_verify_csv_and_table(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "v.csv"
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1]), "-f", "csv", "-o", str(out)])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["verdict"] == "met" and rows[0]["target_quote"] == "地区生产总值增长6.5%左右"
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1])])
    assert res.exit_code == 0
    assert "not_reported" in res.stdout and "met: 1" in res.stdout


def test_verify_errors_are_one_line_exit_2(pair: tuple[Path, Path], tmp_path: Path) -> None:
    res = runner.invoke(app, ["verify", str(pair[0]), str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "missing.txt" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = runner.invoke(app, ["verify", str(pair[1]), str(pair[0])])  # years the wrong way round
    assert res.exit_code == 2 and "not the year after" in res.output
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1]), "--format", "xml"])
    assert res.exit_code == 2 and "unknown format" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    res = runner.invoke(app, ["verify", str(bad), str(pair[1])])
    assert res.exit_code == 2 and "line 1" in res.output


def test_overrides_from_the_cli(pair: tuple[Path, Path], tmp_path: Path) -> None:
    from govledger.store import open_store
    from govledger.store.verdicts import list_overrides

    db = str(tmp_path / "overrides.db")
    open_store(db).close()
    res = runner.invoke(app, ["verify-override", "--db", db, "--doc", "guangyuan_2024", "--quote", "社会消费品零售总额",
                              "--verdict", "missed", "--reason", "statistical bulletin: 5.1%", "--by", "analyst"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["verify", str(pair[0]), str(pair[1]), "-f", "jsonl", "--db", db])
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[1]["verdict"] == "missed" and rows[1]["overridden"] and rows[1]["auto_verdict"] == "not_reported"
    assert "by analyst" in rows[1]["reason"]
    res = runner.invoke(app, ["verify-override", "--db", db, "--doc", "x", "--quote", "q", "--verdict", "kept",
                              "--reason", "r", "--by", "analyst"])
    assert res.exit_code == 2 and "verdict must be one of" in res.output
    with open_store(db) as store:
        assert len(list_overrides(store)) == 1  # nothing half-written
    res = runner.invoke(app, ["verify-override", "--db", str(tmp_path / "missing.db"), "--doc", "x", "--quote", "q",
                              "--verdict", "met", "--reason", "r", "--by", "a"])
    assert res.exit_code == 2 and "missing.db" in res.output


def test_verify_dir_pairs_files(pair: tuple[Path, Path], tmp_path: Path) -> None:
    _write(tmp_path / "yaan_2024.jsonl", [rec("地区生产总值增长6%", 6, indicator="gdp", doc="yaan_2024",
                                               place="雅安市")])  # no 2025: not paired
    res = runner.invoke(app, ["verify-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "verdicts per pair" in res.stdout and "yaan" not in res.stdout
    res = runner.invoke(app, ["verify-dir", str(tmp_path), "-f", "jsonl"])
    docs = [json.loads(line)["doc"] for line in res.stdout.splitlines()]
    assert docs == ["guangyuan_2024", "guangyuan_2024"]
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(app, ["verify-dir", str(empty)])
    assert res.exit_code == 2 and "no pairs" in res.output


def test_panel_command(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "panel.parquet"
    res = runner.invoke(app, ["panel", str(tmp_path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert len(df) == 3 and set(df["place"]) == {"广元市"}
    res = runner.invoke(app, ["panel", str(tmp_path), "--indicator", "gdp", "--kind", "target"])
    assert res.exit_code == 0 and res.stdout.count("\n") == 2  # header + one row
    res = runner.invoke(app, ["panel", str(tmp_path / "nope")])
    assert res.exit_code == 2


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
def test_verify_real_reports_table() -> None:
    res = runner.invoke(app, ["verify", str(REPORTS / "guowuyuan_2024.txt"), str(REPORTS / "guowuyuan_2025.txt"),
                              "--format", "jsonl", "--indicators"])
    assert res.exit_code == 0, res.output
    rows = {json.loads(line)["indicator"]: json.loads(line) for line in res.stdout.splitlines()}
    assert rows["gdp"]["verdict"] == "met" and rows["gdp"]["outcome_value"] == 5
    assert rows["gdp"]["target_quote"] == "国内生产总值增长5%左右"
