"""Fixtures and builders shared by the store tests (imported by test_store and test_cli_store).

``store_url`` runs a test once on a fresh SQLite file and once on the
PostgreSQL database named by ``GOVLEDGER_TEST_PG_URL`` (its ``public``
schema is wiped before each test: give it a throwaway database, as
``.ci/run`` does). Without that variable the PostgreSQL runs are skipped on
a developer machine but fail under ``CI=true``, so CI cannot pass while
silently testing SQLite only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from govledger.pipeline import Ledger
from govledger.records import Record
from govledger.store import SentenceData, Store
from govledger.store.db import resolve_url

PG_ENV = "GOVLEDGER_TEST_PG_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pg_url_or_skip() -> str:
    """The PostgreSQL test URL; skip without one, fail without one under CI."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if in_ci():
            pytest.fail(f"CI=true but {PG_ENV} is not set: the PostgreSQL store tests must run in CI")
        pytest.skip(f"{PG_ENV} not set (PostgreSQL store tests run in CI; see .ci/run)")
    return url


def wipe_postgres(url: str) -> None:
    """Drop every table (and the pg_trgm extension) so each test starts from an empty database."""
    engine = create_engine(resolve_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with nothing in it: a new SQLite file, or the wiped PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    url = pg_url_or_skip()
    wipe_postgres(url)
    yield url


def make_record(doc: str, n: int, **fields: Any) -> Record:
    """A valid schema-v1 record; keywords override the defaults."""
    data: dict[str, Any] = {
        "id": f"{doc}#{n}", "doc": doc, "place": "雅安市", "year": 2024, "period": 2024, "kind": "target",
        "estimated": False, "section": ["2024年主要工作安排", "一、抓项目"], "sentence": f"句子{n}。",
        "quote": f"新建项目{n}个", "metric": "新建项目", "indicator": None, "measure": "value", "value": float(n),
        "value_max": None, "unit": "个", "base_value": float(n), "base_unit": "个", "bound": "exact",
        "strength": "plain", "deadline": None, "start": n * 10, "end": n * 10 + 6,
    }
    data.update(fields)
    return Record.model_validate(data)


def make_ledger(doc: str, text_: str, records: list[Record], *, place: str | None = "雅安市",
                year: int | None = 2024) -> Ledger:
    """A ledger built by hand (no extractor involved)."""
    return Ledger(
        doc=doc, path=f"/reports/{doc}.txt", format="txt", place=place, year=year, text=text_,
        sha256=hashlib.sha256(text_.encode("utf-8")).hexdigest(), records=records, level="city",
    )


def sentences_of(text_: str) -> list[SentenceData]:
    """Sentences split at 。 with their offsets: enough structure for search tests."""
    out, pos = [], 0
    for part in text_.split("。"):
        if part.strip():
            out.append(SentenceData(part.strip() + "。", ["测试章节"], pos, pos + len(part) + 1))
        pos += len(part) + 1
    return out


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger tables (without timestamps that a no-op must also keep)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for table in ("reports", "sentences", "records"):
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            out[table] = [tuple(row) for row in rows]
    return out
