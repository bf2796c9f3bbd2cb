"""Verdicts in the store (issue 10 items 1–2): one code path for files, JSONL and the database;
verdicts computed at import, recomputed on re-import, overrides as rows with an audit entry.
Every test runs on SQLite and on PostgreSQL (``store_url``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.store import open_store
from govledger.store.work_models import AuditRow
from govledger.track.panel import panel
from govledger.track.stored import override_verdict, refresh_verdicts, stored_verdicts, verdicts_json
from govledger.track.verify import verify_reports
from tests.conftest import REPORTS
from tests.store_support import store_url  # noqa: F401  (fixture)

_register()
runner = CliRunner()
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
PAIR = ("guowuyuan_2024.txt", "guowuyuan_2025.txt")


def _import(folder: Path, url: str) -> str:
    res = runner.invoke(app, ["import", str(folder), "--db", url, "--jobs", "1"])
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture
def pair_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pair"
    folder.mkdir()
    for name in PAIR:
        shutil.copy(REPORTS / name, folder / name)
    return folder


def test_import_of_both_years_stores_their_verdicts(pair_folder: Path, store_url: str) -> None:  # noqa: F811
    out = _import(pair_folder, store_url)
    assert "verdicts:" in out and "1 pairs" in out
    from govledger.track.sources import load_ledger

    expected = verify_reports(load_ledger(pair_folder / PAIR[0]), load_ledger(pair_folder / PAIR[1]), include_all=True)
    with open_store(store_url) as store:
        rows = stored_verdicts(store, place="全国", year=2024)
        assert [(r.target_id, r.verdict, r.outcome_id) for r in rows] == [
            (r.target_id, r.verdict, r.outcome_id) for r in expected
        ]
        gdp = next(r for r in rows if r.indicator == "gdp")
        assert gdp.verdict == "met" and gdp.outcome_quote and gdp.outcome_doc == "guowuyuan_2025"
        assert stored_verdicts(store, year=2025) == []  # no 2026 report in this store
        as_json = verdicts_json(store, doc="guowuyuan_2024")
        assert len(as_json) == len(rows)
        json.dumps(as_json, ensure_ascii=False)
    res = runner.invoke(app, ["verdicts", "--db", store_url, "--place", "国务院", "--year", "2024", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.splitlines()) == len(rows)


def test_reimport_of_either_side_recomputes(pair_folder: Path, store_url: str) -> None:  # noqa: F811
    _import(pair_folder, store_url)
    with open_store(store_url) as store:
        before = {r.target_id: r.verdict for r in stored_verdicts(store)}
    # the Y+1 report changes: GDP grew 4 %, so the 5 % target is missed
    later = pair_folder / PAIR[1]
    text = later.read_text(encoding="utf-8")
    assert "134.9万亿元、增长5%，" in text
    later.write_text(text.replace("134.9万亿元、增长5%，", "134.9万亿元、增长4%，"), encoding="utf-8")
    out = _import(pair_folder, store_url)
    assert "replaced" in out and "verdicts:" in out
    with open_store(store_url) as store:
        after = {r.target_id: r for r in stored_verdicts(store)}
    assert set(after) == set(before)
    gdp = [r for r in after.values() if r.indicator == "gdp" and r.measure == "growth"]
    assert gdp and all(r.verdict == "missed" and r.outcome_value == 4 for r in gdp)
    assert any(before[r.target_id] == "met" for r in gdp)


def test_overrides_are_rows_with_an_audit_entry(pair_folder: Path, store_url: str) -> None:  # noqa: F811
    _import(pair_folder, store_url)
    with open_store(store_url) as store:
        gdp = next(r for r in stored_verdicts(store, doc="guowuyuan_2024") if r.indicator == "gdp")
        override_verdict(store, doc="guowuyuan_2024", target_id=gdp.target_id, verdict="missed",
                         reason="统计公报修订为4.9%", by="analyst")
        with pytest.raises(ValueError, match="reason"):
            override_verdict(store, doc="guowuyuan_2024", target_id=gdp.target_id, verdict="met", reason=" ", by="a")
        row = next(r for r in stored_verdicts(store, doc="guowuyuan_2024") if r.target_id == gdp.target_id)
        assert row.verdict == "missed" and row.overridden and row.auto_verdict == "met"
        assert "by analyst" in row.reason and "统计公报修订为4.9%" in row.reason
        with Session(store.engine) as session:
            audit = session.scalars(select(AuditRow).where(AuditRow.action == "override_verdict")).all()
        assert len(audit) == 1 and audit[0].username == "analyst" and audit[0].after["verdict"] == "missed"
        # the override outlives a recomputation of the verdicts
        refresh_verdicts(store, changed={"guowuyuan_2024"})
        row = next(r for r in stored_verdicts(store, doc="guowuyuan_2024") if r.target_id == gdp.target_id)
        assert row.verdict == "missed" and row.auto_verdict == "met"
    # the panel of the store shows the person's verdict too
    frame = panel(store_url)
    assert frame.loc[frame["record_id"] == gdp.target_id, "verdict"].tolist() == ["missed"]
    others = frame[(frame["doc"] == "guowuyuan_2024") & (frame["record_id"] != gdp.target_id)]
    assert "met" in set(others["verdict"].dropna())


def test_panel_of_folder_equals_panel_of_database(tmp_path: Path, store_url: str) -> None:  # noqa: F811
    """All 67 sample reports: the panel from the files and from the store are the same frame."""
    res = runner.invoke(app, ["import", str(REPORTS), "--db", store_url, "--jobs", "2"])
    assert res.exit_code == 0, res.output
    from_files = panel(REPORTS)
    from_db = panel(store_url)
    assert len(from_files) > 10_000 and from_files["verdict"].notna().sum() > 1500
    assert from_files.equals(from_db)
    # and with the store as the reader of a folder: no report is extracted again
    from govledger.track.sources import LedgerReader

    with open_store(store_url) as store, LedgerReader(store) as reader:
        via_reader = panel(REPORTS, reader=reader)
        assert reader.extracted == 0 and reader.from_store == 67
    assert via_reader.equals(from_files)


def test_panel_of_a_store_with_a_communique_equals_the_folder(tmp_path: Path, store_url: str) -> None:  # noqa: F811
    """A communiqué imported beside two national reports: the store's panel carries its outturn rows and the
    official figure beside the 2024 targets, as the folder's panel does (one code path for both)."""
    corpus = REPORTS.parent / "corpus"
    shutil.copy(corpus / "national" / "2024.md", tmp_path / "guowuyuan_2024.md")
    shutil.copy(corpus / "national" / "2025.md", tmp_path / "guowuyuan_2025.md")
    shutil.copy(corpus / "statistical_communiques" / "2024.md", tmp_path / "communique_2024.md")
    _import(tmp_path, store_url)
    from_files = panel(tmp_path)
    from_db = panel(store_url)
    assert (from_db["kind"] == "outturn").sum() > 40
    gdp = from_db[(from_db["kind"] == "target") & (from_db["period"] == 2024) & (from_db["indicator"] == "gdp")]
    assert gdp["official_base_value"].iloc[0] == 5.0
    assert from_files.equals(from_db)
