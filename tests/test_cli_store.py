"""import / list / search / export as a user runs them: summaries, exit codes, one-line errors,
and files that read back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.records import Record
from govledger.store import open_store
from tests.conftest import REPORTS
from tests.store_support import store_url  # noqa: F401  (fixture)

_register()
runner = CliRunner()
SAMPLES = ("yaan_2024.txt", "guangyuan_2024.txt")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point, for what CliRunner cannot show (tracebacks, process exit codes)."""
    return subprocess.run([sys.executable, "-m", "govledger", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """Two real reports and one empty file in a folder of their own (copied into tmp, never the repo)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in SAMPLES:
        shutil.copy(REPORTS / name, folder / name)
    (folder / "broken_2024.txt").write_bytes(b"")
    (folder / "NOTES.md").write_text("not a report", encoding="utf-8")  # a folder's notes: not picked up
    return folder


def test_import_summary_failures_and_resume(reports: Path, store_url: str) -> None:  # noqa: F811
    first = runner.invoke(app, ["import", str(reports), "--db", store_url, "--jobs", "1"])
    assert first.exit_code == 1, first.output
    assert "broken_2024.txt: empty file" in first.output
    assert "NOTES.md" not in first.output
    with open_store(store_url) as store:
        docs = {r.doc: r.n_records for r in store.reports()}
        n_records = len(store.list_records())
    assert set(docs) == {"yaan_2024", "guangyuan_2024"} and sum(docs.values()) == n_records > 100

    (reports / "broken_2024.txt").unlink()
    again = runner.invoke(app, ["import", str(reports), "--db", store_url, "--jobs", "1"])
    assert again.exit_code == 0, again.output
    row = next(line for line in again.output.splitlines() if "unchanged" in line)
    assert "2" in row and str(n_records) in row
    with open_store(store_url) as store:
        assert len(store.list_records()) == n_records


def test_unchanged_reports_are_skipped_before_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govledger import pipeline
    from govledger.track.sources import text_fingerprint as ledger_fingerprint

    ledger = pipeline.build_ledger(REPORTS / "yaan_2024.txt")
    assert ledger_fingerprint(ledger.text) == ledger.sha256  # the cheap check computes the pipeline's value
    db = tmp_path / "s.db"
    report = str(REPORTS / "yaan_2024.txt")
    assert runner.invoke(app, ["import", report, "--db", str(db), "-j", "1"]).exit_code == 0

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged report was extracted again")

    monkeypatch.setattr(pipeline, "ledger_from_source", no_extraction)
    out = runner.invoke(app, ["import", report, "--db", str(db), "-j", "1"])
    assert out.exit_code == 0, out.output
    assert any("unchanged" in line and " 1 " in line for line in out.output.splitlines())


def test_import_in_parallel_and_replace(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    for name in (*SAMPLES, "guowuyuan_2024.txt"):
        shutil.copy(REPORTS / name, folder / name)
    db = tmp_path / "ledger.db"
    out = runner.invoke(app, ["import", str(folder), "--db", str(db), "--jobs", "2"])
    assert out.exit_code == 0, out.output
    with open_store(db) as store:
        assert len(store.reports()) == 3
        before = len(store.list_records(doc="yaan_2024"))
    # an edited report is replaced, the others are skipped
    text = (folder / "yaan_2024.txt").read_text(encoding="utf-8")
    (folder / "yaan_2024.txt").write_text(text.replace("改造老旧小区228个", "改造老旧小区300个"), encoding="utf-8")
    out = runner.invoke(app, ["import", str(folder), "--db", str(db), "--jobs", "2"])
    assert out.exit_code == 0, out.output
    lines = {line.split()[1]: line for line in out.output.splitlines() if line.startswith("│")}
    assert " 1 " in lines["replaced"] and " 2 " in lines["unchanged"]
    with open_store(db) as store:
        quotes = [r.quote for r in store.list_records(doc="yaan_2024")]
        assert len(quotes) == before and not any("228个" in q for q in quotes)


def test_a_failed_save_rolls_back_that_file_only(reports: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from govledger.store.bulk import BulkWriter

    real = BulkWriter._insert

    def flaky(self: BulkWriter, table: str, columns: tuple[str, ...], report_id: int, rows: list[tuple[object, ...]]) -> None:
        if table == "records" and any(r[1] == "yaan_2024#50" for r in rows):
            raise RuntimeError("disk on fire")
        real(self, table, columns, report_id, rows)

    monkeypatch.setattr(BulkWriter, "_insert", flaky)
    db = tmp_path / "f.db"
    out = runner.invoke(app, ["import", str(reports), "--db", str(db), "--jobs", "2"])
    assert out.exit_code == 1
    assert "yaan_2024.txt: not stored: RuntimeError: disk on fire" in out.output
    with open_store(db) as store:
        assert [r.doc for r in store.reports()] == ["guangyuan_2024"]
        assert {r.doc for r in store.list_records()} == {"guangyuan_2024"}
        assert {h.doc for h in store.search_sentences("老旧小区")} == {"guangyuan_2024"}


def test_import_overrides_and_duplicate_doc_ids(tmp_path: Path) -> None:
    shutil.copy(REPORTS / "yaan_2024.txt", tmp_path / "yaan_2024.txt")
    (tmp_path / "yaan_2024.html").write_text("<html><body>x</body></html>", encoding="utf-8")
    db = tmp_path / "o.db"
    out = runner.invoke(
        app, ["import", str(tmp_path / "yaan_2024.txt"), str(tmp_path / "yaan_2024.html"), "--db", str(db),
              "--place", "雅安", "--year", "2030", "-j", "1"],
    )
    assert out.exit_code == 1 and "same document id 'yaan_2024'" in out.output
    with open_store(db) as store:
        assert {(r.place, r.year) for r in store.list_records()} == {("雅安", 2030)}


def test_unwritable_database_is_one_line_exit_2(tmp_path: Path) -> None:
    """Through the real entry point: exit code 2, one line on stderr, no traceback, nothing written."""
    report = str(REPORTS / "yaan_2024.txt")
    cases = [(str(tmp_path / "no" / "such" / "dir.db"), "does not exist")]
    if Path("/proc/self").is_dir():  # tests run as root in CI, and root can write anywhere but /proc
        cases.append(("/proc/govledger-test.db", "/proc/govledger-test.db"))
    for db, reason in cases:
        out = run("import", report, "--db", db)
        assert out.returncode == 2, (db, out.stdout, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and reason in lines[0], out.stderr
        assert "Traceback" not in out.stderr + out.stdout and out.stdout == ""
    assert not (tmp_path / "no").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    report = str(REPORTS / "yaan_2024.txt")
    cases = [
        (["import", str(tmp_path / "missing.txt"), "--db", str(tmp_path / "x.db")], "no such file"),
        (["import", report, "--db", str(tmp_path / "x.db"), "--jobs", "0"], "--jobs"),
        (["list", "--db", str(tmp_path / "never.db")], "no such store database"),
        (["search", "老旧小区", "--db", str(tmp_path / "never.db")], "no such store database"),
        (["export", str(tmp_path / "a.csv"), "--db", str(tmp_path / "never.db")], "no such store database"),
        (["import", report, "--db", "postgresql://u:pw@127.0.0.1:9/x?connect_timeout=3"], "127.0.0.1"),
    ]
    for args, reason in cases:
        out = runner.invoke(app, args)
        assert out.exit_code == 2, (args, out.output)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0] and "pw@" not in lines[0], (args, out.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture
def filled_db(tmp_path: Path) -> Path:
    db = tmp_path / "filled.db"
    out = runner.invoke(app, ["import", *(str(REPORTS / n) for n in SAMPLES), "--db", str(db), "-j", "1"])
    assert out.exit_code == 0, out.output
    return db


def test_list_formats_and_filters(filled_db: Path) -> None:
    with open_store(filled_db) as store:
        stored = store.list_records(doc="yaan_2024")
    out = runner.invoke(app, ["list", "--db", str(filled_db), "--doc", "yaan_2024", "--format", "jsonl"])
    assert out.exit_code == 0
    rows = [Record.model_validate(json.loads(line)) for line in out.stdout.splitlines()]
    assert rows == stored
    out = runner.invoke(app, ["list", "--db", str(filled_db), "--indicator", "gdp", "--kind", "target",
                              "--format", "csv"])
    lines = out.stdout.splitlines()
    assert lines[0].startswith("id,doc,place") and len(lines) >= 3
    assert all(",target," in line for line in lines[1:])
    out = runner.invoke(app, ["list", "--db", str(filled_db), "--place", "广元", "--limit", "3"])
    assert out.exit_code == 0 and "guangyuan_2024" in out.stdout and "yaan_2024" not in out.stdout
    assert "3 records" in out.stderr
    bad = runner.invoke(app, ["list", "--db", str(filled_db), "--kind", "plan"])
    assert bad.exit_code == 2 and "unknown kind" in bad.output


def test_search_highlights(filled_db: Path) -> None:
    out = runner.invoke(app, ["search", "老旧小区", "--db", str(filled_db)])
    assert out.exit_code == 0, out.output
    assert "【老旧小区】" in out.stdout and "yaan_2024 · " in out.stdout and "guangyuan_2024 · " in out.stdout
    assert "2024年" in out.stdout  # the section path is shown
    out = runner.invoke(app, ["search", "老旧小区", "--db", str(filled_db), "--doc", "yaan_2024", "--limit", "1"])
    assert out.stdout.count("【老旧小区】") >= 1 and "guangyuan" not in out.stdout


def test_export_files_read_back(filled_db: Path, tmp_path: Path) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    with open_store(filled_db) as store:
        n_all = len(store.list_records())
        n_targets = len(store.list_records(kind="target"))
    xlsx = tmp_path / "任务分解表.xlsx"
    out = runner.invoke(app, ["export", str(xlsx), "--db", str(filled_db)])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["任务分解表"]
    assert [c.value for c in ws[1]] == ["序号", "任务内容", "指标", "目标值", "完成时限", "所在章节"]
    assert ws.freeze_panes == "A2" and ws.max_row == n_targets + 1
    assert wb["全部记录"].max_row == n_all + 1
    runner.invoke(app, ["export", str(xlsx), "--db", str(filled_db), "--all"])
    assert openpyxl.load_workbook(xlsx)["任务分解表"].max_row == n_all + 1

    parquet = tmp_path / "r.parquet"
    assert runner.invoke(app, ["export", str(parquet), "--db", str(filled_db)]).exit_code == 0
    assert pq.read_table(parquet).num_rows == n_all
    runner.invoke(app, ["export", str(parquet), "--db", str(filled_db), "--doc", "yaan_2024", "--kind", "target"])
    assert 0 < pq.read_table(parquet).num_rows < n_targets

    csv_out, jsonl_out = tmp_path / "r.csv", tmp_path / "r.jsonl"
    runner.invoke(app, ["export", str(csv_out), "--db", str(filled_db), "--indicator", "gdp"])
    runner.invoke(app, ["export", str(jsonl_out), "--db", str(filled_db), "--indicator", "gdp"])
    csv_rows = csv_out.read_text(encoding="utf-8-sig").splitlines()[1:]
    jsonl_rows = [json.loads(line) for line in jsonl_out.read_text(encoding="utf-8").splitlines()]
    assert len(csv_rows) == len(jsonl_rows) > 0 and {r["indicator"] for r in jsonl_rows} == {"gdp"}

    bad = runner.invoke(app, ["export", str(tmp_path / "r.docx"), "--db", str(filled_db)])
    assert bad.exit_code == 2 and "unknown export format" in bad.output


def test_large_import_defers_the_search_index_and_search_works_after(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from govledger.serve import importer
    from govledger.store.bulk import FTS_TRIGGERS

    monkeypatch.setattr(importer, "DEFER_INDEX_AT", 1)
    (reports / "broken_2024.txt").unlink()
    db = tmp_path / "d.db"
    out = runner.invoke(app, ["import", str(reports), "--db", str(db), "--jobs", "2"])
    assert out.exit_code == 0, out.output
    assert "search index rebuilt" in out.output
    with open_store(db) as store:
        assert {h.doc for h in store.search_sentences("老旧小区")} == {"yaan_2024", "guangyuan_2024"}
        # a process killed inside the import leaves no triggers: the next open puts them back and rebuilds
        with store.engine.begin() as conn:
            for name in FTS_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text("DELETE FROM sentences_fts"))
    with open_store(db) as store:
        assert {h.doc for h in store.search_sentences("老旧小区")} == {"yaan_2024", "guangyuan_2024"}
        with store.engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
        assert set(FTS_TRIGGERS) <= names


def test_import_summary_by_level_and_decade(reports: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["import", str(reports), "--db", str(tmp_path / "g.db"), "--jobs", "1"])
    assert "by level and decade" in out.output
    assert "city" in out.output and "2020s" in out.output
    assert "wrote 2 reports" in out.output and "1 failed" in out.output


def test_ctrl_c_keeps_whole_reports_and_the_search_index(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the first stored report: that report stays whole, the FTS5 triggers are back and
    the index rebuilt, the summary says "interrupted", and the next run goes on from there."""
    from govledger.serve import importer

    monkeypatch.setattr(importer, "DEFER_INDEX_AT", 1)
    (reports / "broken_2024.txt").unlink()
    real = importer.store_result
    calls = []

    def interrupt_after_first(*args: object, **kwargs: object) -> None:
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "store_result", interrupt_after_first)
    db = tmp_path / "i.db"
    out = runner.invoke(app, ["import", str(reports), "--db", str(db), "--jobs", "1"])
    assert out.exit_code == 130 and "interrupted" in out.output
    with open_store(db) as store:
        (first,) = [r.doc for r in store.reports()]
        assert {h.doc for h in store.search_sentences("老旧小区")} == {first}
        with store.engine.connect() as conn:
            from sqlalchemy import text

            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
        assert {"sentences_fts_ai", "sentences_fts_ad", "sentences_fts_au"} <= names
    monkeypatch.setattr(importer, "store_result", real)
    again = runner.invoke(app, ["import", str(reports), "--db", str(db), "--jobs", "1"])
    assert again.exit_code == 0, again.output
    assert "wrote 1 reports" in again.output and "1 unchanged" in again.output


def test_large_postgres_import_builds_the_trigram_index_at_the_end(
    reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from govledger.serve import importer
    from govledger.store.bulk import PG_TRGM_INDEX
    from tests.store_support import pg_url_or_skip, wipe_postgres

    url = pg_url_or_skip()
    wipe_postgres(url)
    monkeypatch.setattr(importer, "DEFER_INDEX_AT", 1)
    (reports / "broken_2024.txt").unlink()
    out = runner.invoke(app, ["import", str(reports), "--db", url, "--jobs", "2"])
    assert out.exit_code == 0, out.output
    assert "search index rebuilt" in out.output

    def index_exists(store: object) -> bool:
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            return conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": PG_TRGM_INDEX}).first() is not None

    with open_store(url) as store:
        if not store.engine.connect().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
            pytest.skip("pg_trgm is not available on this server")
        assert index_exists(store)
        assert {h.doc for h in store.search_sentences("老旧小区")} == {"yaan_2024", "guangyuan_2024"}
        with store.engine.begin() as conn:  # an import killed before it could build the index again
            conn.execute(text(f"DROP INDEX {PG_TRGM_INDEX}"))
    with open_store(url) as store:
        assert index_exists(store)


def test_one_bad_file_is_one_line_and_leaves_no_database(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("购物清单：苹果、梨。", encoding="utf-8")
    db = tmp_path / "new.db"
    res = runner.invoke(app, ["import", str(bad), "--db", str(db)])
    assert res.exit_code == 2
    assert "import summary" not in res.stdout and str(bad) in res.output
    assert not db.exists() and not Path(str(db) + "-wal").exists()
