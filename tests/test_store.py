"""The store on SQLite and PostgreSQL: migrations, idempotent imports, replacement, rollback,
search over Chinese text, filters, and the export writers read back."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from govledger.errors import ReportError
from govledger.export.tables import format_for, write_records
from govledger.export.xlsx import target_value
from govledger.pipeline import build_ledger
from govledger.records import FIELDS, Record, record_dict
from govledger.store import RecordFilter, open_store, resolve_url
from govledger.store import crud as store_crud
from govledger.store.db import MIGRATIONS, include_name
from tests.conftest import REPORTS
from tests.store_support import (
    PG_ENV,
    make_ledger,
    make_record,
    pg_url_or_skip,
    sentences_of,
    snapshot,
    store_url,  # noqa: F401  (fixture)
)

TEXT_V1 = "全市改造老旧小区228个。新建养老服务中心5个。地区生产总值增长6.5%左右。"
TEXT_V2 = "全市新建口袋公园12个。城镇新增就业1.7万人。"


def _v1(doc: str = "testcity_2024") -> list[Record]:
    return [
        make_record(doc, 1, quote="改造老旧小区228个", metric="改造老旧小区", value=228.0, base_value=228.0),
        make_record(doc, 2, quote="新建养老服务中心5个", metric="新建养老服务中心", value=5.0, base_value=5.0,
                    kind="achievement", period=2023, estimated=True, deadline="2024-12-31"),
        make_record(doc, 3, quote="地区生产总值增长6.5%左右", metric="地区生产总值", indicator="gdp",
                    measure="growth", value=6.5, unit="%", base_value=6.5, base_unit="%", bound="approx"),
    ]


# ----------------------------------------------------------------------------- schema


def test_migration_creates_exactly_the_models(store_url: str) -> None:  # noqa: F811
    """The hand-written migrations and the models agree, so autogenerate of later revisions starts clean."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from govledger.store.base import Base

    with open_store(store_url) as store, store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": False})
        assert compare_metadata(ctx, Base.metadata) == []
        assert ctx.get_current_revision() == _head()


def _head() -> str:
    """The newest revision of the migration scripts (a new migration must not break this test)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return str(head)


def test_revision_files_ship_and_chain() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    revisions = {r.revision: r.down_revision for r in script.walk_revisions()}
    assert revisions["0001_ledger"] is None
    assert revisions["0003_ledger_scope"] == "0002_workspace"
    assert len(script.get_heads()) == 1


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_store(url).close()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "base")
    engine = create_engine(url)
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    engine.dispose()
    assert names <= {"alembic_version"}
    with open_store(url) as store:
        assert store.has_fts and store.reports() == []


# ----------------------------------------------------------------------------- saving


def test_save_and_read_back_records(store_url: str) -> None:  # noqa: F811
    ledger = make_ledger("testcity_2024", TEXT_V1, _v1())
    ledger.records[0] = ledger.records[0].model_copy(update={"confidence": 0.9})  # an extra field survives
    with open_store(store_url) as store:
        outcome = store.save_ledger(ledger, sentences_of(TEXT_V1))
        assert (outcome.status, outcome.n_records, outcome.n_sentences) == ("imported", 3, 3)
        back = store.list_records()
    assert [record_dict(r) for r in back] == [record_dict(r) for r in ledger.records]
    assert back[0].model_extra == {"confidence": 0.9}
    info = open_store(store_url, create=False).reports()
    assert [(i.doc, i.place, i.year, i.level, i.n_records, i.n_chars) for i in info] == [
        ("testcity_2024", "雅安市", 2024, "city", 3, len(TEXT_V1))
    ]


def test_reimport_is_a_no_op(store_url: str) -> None:  # noqa: F811
    ledger = make_ledger("testcity_2024", TEXT_V1, _v1())
    with open_store(store_url) as store:
        store.save_ledger(ledger, sentences_of(TEXT_V1))
        before = snapshot(store)
        again = store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        assert (again.status, again.n_records, again.n_sentences) == ("unchanged", 3, 3)
        assert snapshot(store) == before


def test_changed_text_replaces_the_report(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        store.save_ledger(make_ledger("other_2024", TEXT_V1, _v1("other_2024")), sentences_of(TEXT_V1))
        new = [make_record("testcity_2024", 1, quote="新建口袋公园12个", value=12.0, base_value=12.0)]
        outcome = store.save_ledger(make_ledger("testcity_2024", TEXT_V2, new), sentences_of(TEXT_V2))
        assert outcome.status == "replaced"
        assert [r.quote for r in store.list_records(doc="testcity_2024")] == ["新建口袋公园12个"]
        assert len(store.list_records(doc="other_2024")) == 3  # the other report is untouched
        assert [h.doc for h in store.search_sentences("老旧小区")] == ["other_2024"]
        assert [h.doc for h in store.search_sentences("口袋公园")] == ["testcity_2024"]
        assert len(store.reports()) == 2


def test_place_override_is_a_change(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        moved = make_ledger("testcity_2024", TEXT_V1, _v1(), place="雅安")
        assert store.save_ledger(moved, sentences_of(TEXT_V1)).status == "replaced"
        assert store.save_ledger(moved, sentences_of(TEXT_V1), force=True).status == "replaced"
        assert store.reports()[0].place == "雅安"


def _fail_on_third_record(monkeypatch: pytest.MonkeyPatch) -> None:
    real = store_crud._record_values
    calls = {"n": 0}

    def flaky(record: Record, report_id: int, n: int) -> dict[str, object]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(record, report_id, n)

    monkeypatch.setattr(store_crud, "_record_values", flaky)


def test_failed_first_import_leaves_nothing(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    with open_store(store_url) as store:
        empty = snapshot(store)
        _fail_on_third_record(monkeypatch)
        with pytest.raises(RuntimeError, match="disk on fire"):
            store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        assert snapshot(store) == empty
        assert store.search_sentences("老旧小区") == []


def test_failed_replacement_keeps_the_old_report(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        before = snapshot(store)
        _fail_on_third_record(monkeypatch)
        newer = [make_record("testcity_2024", n) for n in range(1, 6)]
        with pytest.raises(RuntimeError):
            store.save_ledger(make_ledger("testcity_2024", TEXT_V2, newer), sentences_of(TEXT_V2))
        assert snapshot(store) == before
        assert [h.doc for h in store.search_sentences("老旧小区")] == ["testcity_2024"]
        assert store.search_sentences("口袋公园") == []


def test_concurrent_saves_of_one_new_report(store_url: str) -> None:  # noqa: F811
    """Two writers racing on the same new doc: one imports, the other sees it unchanged."""
    statuses: list[str] = []
    errors: list[BaseException] = []
    with open_store(store_url) as store:
        def save() -> None:
            try:
                ledger = make_ledger("testcity_2024", TEXT_V1, _v1())
                statuses.append(store.save_ledger(ledger, sentences_of(TEXT_V1)).status)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=save) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sorted(statuses) == ["imported", "unchanged", "unchanged", "unchanged"]
        assert len(store.list_records()) == 3


# ----------------------------------------------------------------------------- reading


def test_list_filters(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        sc = [make_record("sc_2025", 1, place="四川省", year=2025, indicator="gdp", measure="growth")]
        store.save_ledger(make_ledger("sc_2025", TEXT_V2, sc, place="四川省", year=2025), sentences_of(TEXT_V2))
        assert len(store.list_records()) == 4
        assert {r.doc for r in store.list_records(indicator="gdp")} == {"testcity_2024", "sc_2025"}
        assert [r.quote for r in store.list_records(kind="achievement")] == ["新建养老服务中心5个"]
        assert [r.doc for r in store.list_records(place="四川")] == ["sc_2025"]
        assert [r.doc for r in store.list_records(place="雅安市", year=2024, kind="target", indicator="gdp")] == [
            "testcity_2024"
        ]
        assert store.list_records(place="%") == [] and store.list_records(year=1999) == []
        assert len(store.list_records(RecordFilter(limit=2))) == 2
        assert [r.id for r in store.list_records(doc="testcity_2024", measure="growth")] == ["testcity_2024#3"]


def test_search_chinese_text(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
        hits = store.search_sentences("老旧小区")
        assert [h.text for h in hits] == ["全市改造老旧小区228个。"]
        assert hits[0].section == ["测试章节"] and hits[0].doc == "testcity_2024" and hits[0].n == 1
        assert [h.n for h in store.search_sentences("养老")] == [2]  # two characters: the LIKE fallback
        assert [h.n for h in store.search_sentences("新建 中心")] == [2]  # every term must occur
        assert store.search_sentences("老旧小区 养老") == []
        assert [h.n for h in store.search_sentences("6.5%")] == [3]
        for odd in ('"', "%", "_", "'); DROP TABLE sentences; --", "AND OR NOT", "*"):
            store.search_sentences(odd)
        assert store.search_sentences("   ") == []
        assert len(store.search_sentences("。", limit=2)) == 2
        assert store.search_sentences("老旧小区", doc="nope_2024") == []


def test_real_reports(store_url: str) -> None:  # noqa: F811
    """Real reports through the whole pipeline: counts equal the ledger, and re-import is a no-op."""
    ledgers = [build_ledger(REPORTS / name) for name in ("yaan_2024.txt", "guangyuan_2024.txt")]
    with open_store(store_url) as store:
        for ledger in ledgers:
            outcome = store.save_ledger(ledger)
            assert outcome.status == "imported" and outcome.n_records == len(ledger.records)
            assert outcome.n_sentences > 50
        assert len(store.list_records()) == sum(len(lg.records) for lg in ledgers)
        for ledger in ledgers:
            assert [record_dict(r) for r in store.list_records(doc=ledger.doc)] == [
                record_dict(r) for r in ledger.records
            ]
        before = snapshot(store)
        assert {store.save_ledger(lg).status for lg in ledgers} == {"unchanged"}
        assert snapshot(store) == before
        hits = store.search_sentences("老旧小区")
        assert {h.doc for h in hits} == {"yaan_2024", "guangyuan_2024"}
        assert all("老旧小区" in h.text for h in hits)
        assert any(h.section and "2024" in h.section[0] for h in hits)


def test_read_api_and_panel(store_url: str) -> None:  # noqa: F811
    from govledger.store import api

    with open_store(store_url) as store:
        store.save_ledger(make_ledger("testcity_2024", TEXT_V1, _v1()), sentences_of(TEXT_V1))
    docs = api.list_documents(store_url)
    assert [(d.doc, d.place, d.year, d.level) for d in docs] == [("testcity_2024", "雅安市", 2024, "city")]
    assert len(api.list_records(store_url, doc="testcity_2024")) == 3
    from govledger.track.panel import panel

    frame = panel(store_url)
    assert len(frame) == 3 and set(frame["doc"]) == {"testcity_2024"}


# ----------------------------------------------------------------------------- opening


def test_url_forms(tmp_path: Path) -> None:
    assert str(resolve_url(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert str(resolve_url("rel.db")) == "sqlite:///rel.db"
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(ReportError, match="not a database URL"):
        resolve_url("nota://url:with:colons:x")


def test_default_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVLEDGER_DB", raising=False)
    assert str(resolve_url(None)) == "sqlite:///govledger.db"
    monkeypatch.setenv("GOVLEDGER_DB", str(tmp_path / "env.db"))
    open_store().close()
    assert (tmp_path / "env.db").exists()


def test_bad_database_paths(tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("not a database, just text " * 100, encoding="utf-8")
    cases = {
        str(tmp_path / "missing" / "x.db"): "does not exist",
        str(a_file / "x.db"): "not a folder",
        str(tmp_path): "is a folder",
        str(a_file): "not a database",
    }
    for path, reason in cases.items():
        with pytest.raises(ReportError, match=reason) as info:
            open_store(path)
        assert "\n" not in str(info.value)
    with pytest.raises(ReportError, match="no such store database"):
        open_store(tmp_path / "nothing.db", create=False)
    assert not (tmp_path / "nothing.db").exists()


def test_unreachable_server_is_one_line() -> None:
    with pytest.raises(ReportError) as info:
        open_store("postgresql://nobody:secret@127.0.0.1:9/none?connect_timeout=3")
    message = str(info.value)
    assert "127.0.0.1" in message and "secret" not in message and "\n" not in message


def test_ci_demands_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PG_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=PG_ENV):
        pg_url_or_skip()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        pg_url_or_skip()


# ----------------------------------------------------------------------------- export writers


def test_writers_read_back(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd
    import pyarrow.parquet as pq

    records = _v1()
    assert write_records(records, tmp_path / "r.csv") == 3
    frame = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert list(frame.columns)[: len(FIELDS)] == list(FIELDS) and len(frame) == 3
    assert frame["section"][0] == "2024年主要工作安排 / 一、抓项目"

    write_records(records, tmp_path / "r.jsonl")
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Record.model_validate(json.loads(line)) for line in lines] == records

    write_records(records, tmp_path / "r.parquet")
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == 3 and table.column("section").to_pylist()[0] == ["2024年主要工作安排", "一、抓项目"]
    assert table.schema.field("value").type == "double"

    assert write_records(records, tmp_path / "r.xlsx") == 2  # targets only
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["任务分解表"]
    assert [c.value for c in ws[1]] == ["序号", "任务内容", "指标", "目标值", "完成时限", "所在章节"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width >= 40
    assert [c.value for c in ws[3]][:4] == [2, "地区生产总值增长6.5%左右", "地区生产总值", "6.5%左右"]
    assert wb["全部记录"].max_row == 4
    assert write_records(records, tmp_path / "all.xlsx", all_records=True) == 3


def test_writers_to_streams_and_errors(tmp_path: Path) -> None:
    records = _v1()
    text_out = io.StringIO()
    write_records(records, text_out, "jsonl")
    assert len(text_out.getvalue().splitlines()) == 3
    raw = io.BytesIO()
    write_records(records, raw, "csv")
    assert raw.getvalue().decode("utf-8").startswith("id,doc,place")
    assert not raw.closed
    binary = io.BytesIO()
    write_records(records, binary, "parquet")
    assert binary.getvalue()[:4] == b"PAR1"
    with pytest.raises(ReportError, match="binary"):
        write_records(records, io.StringIO(), "xlsx")
    with pytest.raises(ReportError, match="unknown export format"):
        format_for(tmp_path / "x.docx")
    with pytest.raises(ReportError, match="does not exist"):
        write_records(records, tmp_path / "no" / "x.csv")


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> object:
        yield _v1()[0]
        raise RuntimeError("database went away")

    out = tmp_path / "r.parquet"
    with pytest.raises(RuntimeError):
        write_records(broken(), out)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"measure": "growth", "value": 6.5, "unit": "%", "bound": "min"}, "6.5%以上"),
        ({"measure": "growth", "value": -10.0, "unit": "%", "bound": "min"}, "下降10%以上"),
        ({"measure": "growth", "value": 5.0, "value_max": 6.0, "unit": "%"}, "5%—6%"),
        ({"measure": "rank", "value": 1.0, "unit": "位"}, "第1位"),
        ({"measure": "value", "value": 1.3, "unit": "万亿元", "strength": "strive"}, "力争1.3万亿元"),
        ({"measure": "pp_change", "value": -0.3, "unit": "个百分点", "bound": "approx"}, "下降0.3个百分点左右"),
        ({"measure": "qualitative", "value": None, "unit": None, "metric": "居民收入",
          "quote": "居民收入增长与经济增长基本同步"}, "增长与经济增长基本同步"),
    ],
)
def test_target_value_as_written(fields: dict[str, object], expected: str) -> None:
    assert target_value(make_record("x_2024", 1, **fields)) == expected


def test_postgres_url_is_used_when_given() -> None:
    """Guard: under CI the PostgreSQL parametrisations above really ran against a server."""
    url = pg_url_or_skip()
    with open_store(url) as store:
        assert store.dialect == "postgresql"
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is not None
