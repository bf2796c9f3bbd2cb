"""The extract and eval commands as a user runs them: output format, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govledger.records import FIELDS
from tests.conftest import GOLD, REPORTS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govledger", *args], capture_output=True, text=True, timeout=120
    )


def test_extract_jsonl_is_the_schema() -> None:
    out = run("extract", str(REPORTS / "guangyuan_2024.txt"), "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) > 100
    assert all(list(r)[: len(FIELDS)] == list(FIELDS) for r in rows)
    gdp = [r for r in rows if r["indicator"] == "gdp" and r["kind"] == "target"]
    assert gdp[0]["quote"] == "地区生产总值增长6.5%以上" and gdp[0]["bound"] == "min"


def test_extract_overrides_and_kind_filter() -> None:
    out = run("extract", str(REPORTS / "yaan_2024.txt"), "--place", "雅安", "--year", "2030", "--kind", "target")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows and {(r["place"], r["year"], r["kind"]) for r in rows} == {("雅安", 2030, "target")}


def test_extract_table_format() -> None:
    out = run("extract", str(REPORTS / "yaan_2024.txt"), "--format", "table")
    assert out.returncode == 0
    row = next(line for line in out.stdout.splitlines() if "地区生产总值增长6.5%左右" in line)
    assert "gdp" in row and "approx" in row and "target" in row


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\x00\x01\x02binary" * 100, "binary"), ("今天天气很好，我们去公园散步。".encode(), "not a government work report")],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    out = run("extract", str(path))
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0]
    assert "Traceback" not in out.stderr


def test_missing_file_and_unwritable_output(tmp_path: Path) -> None:
    out = run("extract", str(tmp_path / "nope.txt"))
    assert out.returncode == 2 and "no such file" in out.stderr and "Traceback" not in out.stderr
    out = run("extract", str(REPORTS / "yaan_2024.txt"), "-o", str(tmp_path / "no" / "dir" / "x.jsonl"))
    assert out.returncode == 2 and "cannot write" in out.stderr and "Traceback" not in out.stderr


def test_gbk_report_extracts_like_utf8(tmp_path: Path) -> None:
    text = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    (tmp_path / "yaan_2024.txt").write_bytes(text.encode("gb18030"))
    a = run("extract", str(REPORTS / "yaan_2024.txt")).stdout
    b = run("extract", str(tmp_path / "yaan_2024.txt")).stdout
    assert a == b and a


def test_eval_reports_precision_recall_and_misses() -> None:
    out = run("eval", str(GOLD), "--reports", str(REPORTS))
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("headline: precision")
    f1 = float(last.rsplit("F1", 1)[1])
    assert f1 >= 0.95
