"""Fast loading of many reports: rows prepared in the workers, inserted by the driver in bulk.

``prepare_report`` turns a ledger into plain tuples (it runs in the import's
worker processes, so the importer only moves rows). ``BulkWriter`` keeps
one connection and stores each report in its own transaction: SQLite by
``executemany``, PostgreSQL by ``COPY``. ``deferred_search_index`` drops
SQLite's per-row FTS5 triggers for the length of a large import and
rebuilds the index once at the end (also after Ctrl-C); a store left
without its triggers by a killed process is repaired when it is next
opened (``repair_search_index``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from govledger.records import FIELDS
from govledger.store.crud import _RECORD_COLUMNS, ImportOutcome, SentenceData, ledger_sentences
from govledger.store.models import RecordRow, ReportRow, SentenceRow
from govledger.store.verdicts import drop_verdicts_of

if TYPE_CHECKING:
    from govledger.pipeline import Ledger
    from govledger.store.db import Store

SENTENCE_COLUMNS = ("report_id", "n", "text", "section", "start", "end")
RECORD_COLUMNS = ("report_id", "n", "record_id", *_RECORD_COLUMNS, "extra")
_SECTION_AT = RECORD_COLUMNS.index("section")
FTS_TRIGGERS = {
    "sentences_fts_ai": "CREATE TRIGGER IF NOT EXISTS sentences_fts_ai AFTER INSERT ON sentences BEGIN "
    "INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END",
    "sentences_fts_ad": "CREATE TRIGGER IF NOT EXISTS sentences_fts_ad AFTER DELETE ON sentences BEGIN "
    "INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "sentences_fts_au": "CREATE TRIGGER IF NOT EXISTS sentences_fts_au AFTER UPDATE ON sentences BEGIN "
    "INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END",
}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class PreparedReport:
    """One report as rows: the ``reports`` values, sentence and record tuples (``report_id`` left out)."""

    doc: str
    report: dict[str, Any]
    sentences: list[tuple[Any, ...]]
    records: list[tuple[Any, ...]]


def prepare_report(ledger: Ledger, sentences: list[SentenceData] | None = None) -> PreparedReport:
    """The rows of one ledger, ready for the driver (pure: runs in a worker process)."""
    if sentences is None:
        sentences = ledger_sentences(ledger)
    given = getattr(ledger, "has_plan", None)
    has_plan = given if given is not None else (
        any(getattr(s, "part", None) == "plan" for s in ledger.sentences) if ledger.sentences else None
    )
    report = {
        "path": str(ledger.path), "format": ledger.format, "place": ledger.place, "year": ledger.year,
        "level": ledger.level, "sha256": ledger.sha256, "n_chars": len(ledger.text),
        "kind": getattr(ledger, "kind", "report"), "has_plan": has_plan,
    }
    sentence_rows = [(n, s.text, _json(s.section), s.start, s.end) for n, s in enumerate(sentences, 1)]
    record_rows = []
    for n, r in enumerate(ledger.records, 1):
        data = r.model_dump()
        extra = {k: v for k, v in data.items() if k not in FIELDS and k not in _RECORD_COLUMNS}
        values = [n, r.id, *(data.get(c) for c in _RECORD_COLUMNS), _json(extra or None)]
        values[_SECTION_AT - 1] = _json(list(r.section))
        record_rows.append(tuple(values))
    return PreparedReport(ledger.doc, report, sentence_rows, record_rows)


def _quoted(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class BulkWriter:
    """Stores prepared reports over one connection, one transaction per report."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.dialect = store.dialect
        self.conn: Connection = store.engine.connect().execution_options(govledger_write=True)
        raw = self.conn.connection.driver_connection
        if self.dialect == "sqlite" and raw is not None:
            # WAL with synchronous=NORMAL: a commit survives a crash of the program, without an fsync per report
            raw.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save(self, prepared: PreparedReport, *, force: bool = False) -> ImportOutcome:
        """Insert, replace or leave one report in one transaction (retried once if another
        process inserted the same new doc meanwhile)."""
        for attempt in (1, 2):
            try:
                with self.conn.begin():
                    return self._save(prepared, force)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _save(self, p: PreparedReport, force: bool) -> ImportOutcome:
        conn = self.conn
        stmt = select(ReportRow.id, ReportRow.sha256, ReportRow.place, ReportRow.year).where(ReportRow.doc == p.doc)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        existing = conn.execute(stmt).first()
        values = dict(p.report, imported_at=datetime.now(UTC))
        if existing is not None:
            report_id, sha, place, year = existing
            if (sha, place, year) == (p.report["sha256"], p.report["place"], p.report["year"]) and not force:
                return ImportOutcome(p.doc, "unchanged", self._count(RecordRow, report_id),
                                     self._count(SentenceRow, report_id))
            drop_verdicts_of(conn, report_id)
            conn.execute(delete(SentenceRow).where(SentenceRow.report_id == report_id))
            conn.execute(delete(RecordRow).where(RecordRow.report_id == report_id))
            conn.execute(update(ReportRow).where(ReportRow.id == report_id).values(**values))
            status = "replaced"
        else:
            key = conn.execute(insert(ReportRow).values(doc=p.doc, **values)).inserted_primary_key
            assert key is not None
            report_id = key[0]
            status = "imported"
        self._insert("sentences", SENTENCE_COLUMNS, report_id, p.sentences)
        self._insert("records", RECORD_COLUMNS, report_id, p.records)
        return ImportOutcome(p.doc, status, len(p.records), len(p.sentences))  # type: ignore[arg-type]

    def _count(self, model: type[RecordRow] | type[SentenceRow], report_id: int) -> int:
        from sqlalchemy import func

        return int(self.conn.scalar(select(func.count()).where(model.report_id == report_id)) or 0)

    def _insert(self, table: str, columns: tuple[str, ...], report_id: int, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        raw = self.conn.connection.driver_connection
        assert raw is not None
        if self.dialect == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({_quoted(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((report_id, *row))
            return
        marks = ", ".join("?" for _ in columns) if self.dialect == "sqlite" else ", ".join("%s" for _ in columns)
        cur = raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {table} ({_quoted(columns)}) VALUES ({marks})",
                            [(report_id, *row) for row in rows])
        finally:
            cur.close()


# ---------------------------------------------------------------------------- the search index


def _missing_triggers(conn: Connection) -> list[str]:
    present = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in FTS_TRIGGERS if name not in present]


def restore_search_index(store: Store) -> None:
    """Put the FTS5 triggers back and rebuild the index from ``sentences`` in one transaction."""
    if not store.has_fts:
        return
    with store.engine.connect() as conn:
        conn = conn.execution_options(govledger_write=True)
        with conn.begin():
            for sql in FTS_TRIGGERS.values():
                conn.exec_driver_sql(sql)
            conn.exec_driver_sql("INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild')")


PG_TRGM_INDEX = "ix_sentences_text_trgm"
_PG_TRGM_CREATE = f"CREATE INDEX IF NOT EXISTS {PG_TRGM_INDEX} ON sentences USING gin (text gin_trgm_ops)"


def _pg_trigram_state(conn: Connection) -> tuple[bool, bool]:
    """(pg_trgm installed, the sentences' trigram index exists)."""
    ext = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
    idx = conn.exec_driver_sql("SELECT 1 FROM pg_indexes WHERE indexname = %(n)s", {"n": PG_TRGM_INDEX}).first()
    return ext, idx is not None


def restore_pg_trigram_index(store: Store) -> None:
    """Build the trigram index over all sentences at once (faster than row by row during an import)."""
    with store.engine.connect() as conn:
        conn = conn.execution_options(govledger_write=True)
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            conn.exec_driver_sql(_PG_TRGM_CREATE)


def repair_search_index(store: Store) -> bool:
    """After an import that was killed before it could rebuild: triggers back, index rebuilt. True if repaired."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            ext, idx = _pg_trigram_state(conn)
        if ext and not idx:
            restore_pg_trigram_index(store)
            return True
        return False
    if not store.has_fts:
        return False
    with store.engine.connect() as conn:
        missing = _missing_triggers(conn)
    if missing:
        restore_search_index(store)
    return bool(missing)


@contextmanager
def deferred_search_index(store: Store, enabled: bool = True) -> Iterator[bool]:
    """Without SQLite's per-row FTS5 triggers inside, one ``rebuild`` when leaving (even on Ctrl-C).

    On PostgreSQL the ``pg_trgm`` GIN index is dropped and built again at the
    end. Yields whether indexing was deferred.
    """
    if enabled and store.dialect == "postgresql":
        with store.engine.connect() as conn:
            conn = conn.execution_options(govledger_write=True)
            with conn.begin():
                ext, idx = _pg_trigram_state(conn)
                if idx:
                    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_TRGM_INDEX}")
        if not ext:
            yield False
            return
        try:
            yield True
        finally:
            restore_pg_trigram_index(store)
        return
    if not (enabled and store.has_fts):
        yield False
        return
    with store.engine.connect() as conn:
        conn = conn.execution_options(govledger_write=True)
        with conn.begin():
            for name in FTS_TRIGGERS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield True
    finally:
        restore_search_index(store)
