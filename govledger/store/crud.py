"""What the store does with rows: save a ledger, read records back, search sentences.

Records go in and come out as ``Record`` objects; callers never see rows.
Saving compares the report text's sha256 (and place/year, which overrides
can change) with what is stored, so re-importing a folder only touches the
reports that changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, column, delete, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govledger.records import FIELDS, Record, trusted_record
from govledger.store.models import RecordRow, ReportRow, SentenceRow
from govledger.store.verdicts import drop_verdicts_of

if TYPE_CHECKING:
    from govledger.pipeline import Ledger
    from govledger.store.db import Store

Status = Literal["imported", "unchanged", "replaced"]
_SPACE = re.compile(r"\s+")
_RECORD_COLUMNS = tuple(f for f in FIELDS if f != "id") + ("start", "end", "scope")


@dataclass(frozen=True)
class ImportOutcome:
    """What ``save_ledger`` did with one report."""

    doc: str
    status: Status
    n_records: int
    n_sentences: int


@dataclass(frozen=True)
class SentenceData:
    """A sentence as stored: whitespace removed (like ``Record.sentence``), offsets into the report text."""

    text: str
    section: list[str]
    start: int
    end: int


@dataclass(frozen=True)
class SentenceHit:
    """A search result: the sentence and where it stands."""

    doc: str
    place: str | None
    year: int | None
    n: int
    section: list[str]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ReportInfo:
    """A stored report (what ``govledger.track`` and the web workspace list)."""

    doc: str
    path: str
    format: str
    place: str | None
    year: int | None
    level: str | None
    sha256: str
    n_chars: int
    imported_at: datetime
    n_records: int
    kind: str = "report"  # or "communique"
    has_plan: bool | None = None  # a plan part was found (None: imported before migration 0003)


@dataclass
class RecordFilter:
    """Filters of ``list`` and ``export``; ``None`` means any. ``place`` matches a prefix (四川 → 四川省)."""

    doc: str | None = None
    indicator: str | None = None
    kind: str | None = None
    place: str | None = None
    year: int | None = None
    measure: str | None = None
    limit: int | None = None


# ---------------------------------------------------------------------------- sentences of a ledger


def ledger_sentences(ledger: Ledger) -> list[SentenceData]:
    """The body sentences of a ledger's report, for search.

    Uses ``ledger.sentences`` when the pipeline provides them; otherwise the
    structure stage runs again on the text (a few milliseconds), so that any
    ``Ledger`` can be saved.
    """
    given = getattr(ledger, "sentences", None)
    if given is None:
        from govledger.structure import analyse_report

        given = analyse_report(ledger.text, file_name=ledger.doc, place=ledger.place, year=ledger.year).sentences
    out: list[SentenceData] = []
    for s in given:
        if isinstance(s, SentenceData):
            out.append(s)
            continue
        cleaned = _SPACE.sub("", str(s.text))
        if cleaned:
            out.append(SentenceData(cleaned, list(s.section), int(s.start), int(s.end)))
    return out


# ---------------------------------------------------------------------------- writing


def _record_values(record: Record, report_id: int, n: int) -> dict[str, Any]:
    data = record.model_dump()
    row = {key: data.get(key) for key in _RECORD_COLUMNS}
    extra = {k: v for k, v in data.items() if k not in FIELDS and k not in _RECORD_COLUMNS}
    row.update(report_id=report_id, n=n, record_id=record.id, section=list(record.section), extra=extra or None)
    return row


def _report_values(ledger: Ledger) -> dict[str, Any]:
    return {
        "path": str(ledger.path),
        "format": ledger.format,
        "place": ledger.place,
        "year": ledger.year,
        "level": ledger.level,
        "sha256": ledger.sha256,
        "n_chars": len(ledger.text),
        "imported_at": datetime.now(UTC),
        "kind": getattr(ledger, "kind", None) or "report",
        "has_plan": getattr(ledger, "has_plan", None),
    }


def _count(session: Session, column: Any, report_id: int) -> int:
    return int(session.scalar(select(func.count()).where(column == report_id)) or 0)


def _save(session: Session, ledger: Ledger, sentences: list[SentenceData], force: bool) -> ImportOutcome:
    existing = session.scalars(select(ReportRow).where(ReportRow.doc == ledger.doc).with_for_update()).first()
    status: Status
    if existing is not None:
        same = (existing.sha256, existing.place, existing.year) == (ledger.sha256, ledger.place, ledger.year)
        if same and not force:
            return ImportOutcome(
                ledger.doc, "unchanged",
                _count(session, RecordRow.report_id, existing.id), _count(session, SentenceRow.report_id, existing.id),
            )
        drop_verdicts_of(session, existing.id)
        session.execute(delete(SentenceRow).where(SentenceRow.report_id == existing.id))
        session.execute(delete(RecordRow).where(RecordRow.report_id == existing.id))
        for key, value in _report_values(ledger).items():
            setattr(existing, key, value)
        report_id, status = existing.id, "replaced"
    else:
        row = ReportRow(doc=ledger.doc, **_report_values(ledger))
        session.add(row)
        session.flush()
        report_id, status = row.id, "imported"
    if sentences:
        session.execute(
            insert(SentenceRow),
            [
                {"report_id": report_id, "n": n, "text": s.text, "section": s.section, "start": s.start, "end": s.end}
                for n, s in enumerate(sentences, 1)
            ],
        )
    if ledger.records:
        session.execute(insert(RecordRow), [_record_values(r, report_id, n) for n, r in enumerate(ledger.records, 1)])
    return ImportOutcome(ledger.doc, status, len(ledger.records), len(sentences))


def save_ledger(
    store: Store, ledger: Ledger, sentences: list[SentenceData] | None = None, *, force: bool = False
) -> ImportOutcome:
    """Insert, replace or leave one report, all in one transaction.

    The write transaction takes the lock first (``BEGIN IMMEDIATE`` on
    SQLite, ``SELECT … FOR UPDATE`` on PostgreSQL); if another process still
    inserted the same new doc in between, the unique constraint fires and
    the save runs once more, now seeing that report.
    """
    if sentences is None:
        sentences = ledger_sentences(ledger)
    engine = store.engine.execution_options(govledger_write=True)
    for attempt in (1, 2):
        try:
            with Session(engine) as session, session.begin():
                return _save(session, ledger, sentences, force)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------------------- reading


def _like_literal(term: str) -> str:
    """``term`` with LIKE's wildcards escaped (escape character ``\\``)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _escape_like(term: str) -> str:
    return "%" + _like_literal(term) + "%"


def _record_filters(f: RecordFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.doc is not None:
        # through the report's id: (report_id, n) is indexed, records.doc is not
        where.append(RecordRow.report_id == select(ReportRow.id).where(ReportRow.doc == f.doc).scalar_subquery())
    if f.indicator is not None:
        where.append(RecordRow.indicator == f.indicator)
    if f.kind is not None:
        where.append(RecordRow.kind == f.kind)
    if f.measure is not None:
        where.append(RecordRow.measure == f.measure)
    if f.year is not None:
        where.append(RecordRow.year == f.year)
    if f.place is not None:
        where.append(or_(RecordRow.place == f.place, RecordRow.place.like(_like_literal(f.place) + "%", escape="\\")))
    return where


def row_record(row: RecordRow) -> Record:
    """A stored row back as the ``Record`` it was saved from (extras included)."""
    return _record_from_values({key: getattr(row, key) for key in _READ_COLUMNS})


_READ_COLUMNS = ("record_id", *_RECORD_COLUMNS, "extra")
_MODEL_FIELDS = tuple(Record.model_fields)
_READ_SELECT = tuple(getattr(RecordRow, c) for c in _READ_COLUMNS)


def _record_from_values(data: dict[str, Any]) -> Record:
    """A record from stored column values: already validated when saved, so constructed without checks."""
    data["id"] = data.pop("record_id")
    data["section"] = list(data["section"] or [])
    extra = data.pop("extra", None) or {}
    data.update((k, v) for k, v in extra.items() if k in _MODEL_FIELDS)
    data = {k: data[k] for k in _MODEL_FIELDS if k in data}  # the schema's field order (JSONL output)
    return trusted_record(data, {k: v for k, v in extra.items() if k not in _MODEL_FIELDS})


def _records_statement(filters: RecordFilter) -> Select:  # type: ignore[type-arg]
    stmt = select(*_READ_SELECT).where(*_record_filters(filters)).order_by(RecordRow.doc, RecordRow.n)
    return stmt.limit(filters.limit) if filters.limit is not None else stmt


def list_records(store: Store, filters: RecordFilter) -> list[Record]:
    """Records matching ``filters``, by doc and position in the report."""
    with Session(store.engine) as session:
        return [_record_from_values(dict(zip(_READ_COLUMNS, row, strict=True)))
                for row in session.execute(_records_statement(filters))]


def iter_records(store: Store, filters: RecordFilter, batch: int = 2000) -> Iterable[Record]:
    """Like ``list_records`` but streamed in batches, for exports of the whole database."""
    with Session(store.engine) as session:
        for row in session.execute(_records_statement(filters).execution_options(yield_per=batch)):
            yield _record_from_values(dict(zip(_READ_COLUMNS, row, strict=True)))


class PanelRecord(NamedTuple):
    """The fields of a record that the panel and the verdicts read (no sentence, no section): light
    enough to read a whole corpus back in seconds."""

    id: str
    doc: str
    place: str | None
    year: int | None
    period: int | None
    kind: str
    estimated: bool
    quote: str
    metric: str
    indicator: str | None
    measure: str
    value: float | None
    value_max: float | None
    unit: str | None
    base_value: float | None
    base_unit: str | None
    bound: str
    strength: str
    deadline: str | None


_PANEL_SELECT = tuple(getattr(RecordRow, "record_id" if f == "id" else f) for f in PanelRecord._fields)


def panel_records_by_doc(store: Store) -> dict[str, list[PanelRecord]]:
    """Every record as a ``PanelRecord``, grouped by report, each report's in its own order.

    One plain scan through the driver's cursor, no ORDER BY and no per-value result processing: a corpus has
    half a million records, and sorting them in the database costs more than putting the few out-of-order
    reports (re-imported ones) in order here. ``estimated`` comes as the driver gives it (0/1 on SQLite).
    """
    stmt = select(*_PANEL_SELECT, RecordRow.n)
    sql = str(stmt.compile(dialect=store.engine.dialect))
    at_doc, at_n = PanelRecord._fields.index("doc"), len(PanelRecord._fields)
    by_doc: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            for row in cursor.fetchall():
                rows = by_doc.get(row[at_doc])
                if rows is None:
                    rows = by_doc[row[at_doc]] = []
                rows.append(row)
        finally:
            cursor.close()
    out: dict[str, list[PanelRecord]] = {}
    make = PanelRecord._make
    for doc, rows in by_doc.items():
        if any(rows[i][at_n] > rows[i + 1][at_n] for i in range(len(rows) - 1)):
            rows.sort(key=lambda r: r[at_n])
        out[doc] = [make(row[:at_n]) for row in rows]
    return out


def _search_statement(store: Store, terms: list[str]) -> Select:  # type: ignore[type-arg]
    stmt = select(SentenceRow, ReportRow.doc, ReportRow.place, ReportRow.year).join(
        ReportRow, SentenceRow.report_id == ReportRow.id
    )
    # the trigram index needs three characters; shorter terms (两字 such as 养老) scan with LIKE
    long_terms = [t for t in terms if len(t) >= 3]
    if store.has_fts and long_terms:
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        fts = text("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH :match").bindparams(match=match)
        stmt = stmt.where(SentenceRow.id.in_(fts.columns(column("rowid", Integer))))
        terms = [t for t in terms if len(t) < 3]
    for term in terms:
        stmt = stmt.where(SentenceRow.text.ilike(_escape_like(term), escape="\\"))
    return stmt


def search_sentences(store: Store, query: str, *, limit: int = 20, doc: str | None = None) -> list[SentenceHit]:
    """Sentences that contain every term of ``query`` (terms split on whitespace), by doc and position."""
    terms = [t for t in query.split() if t]
    if not terms:
        return []
    stmt = _search_statement(store, terms)
    if doc is not None:
        stmt = stmt.where(ReportRow.doc == doc)
    stmt = stmt.order_by(ReportRow.doc, SentenceRow.n).limit(limit)
    with Session(store.engine) as session:
        return [
            SentenceHit(d, place, year, s.n, list(s.section or []), s.text, s.start, s.end)
            for s, d, place, year in session.execute(stmt).all()
        ]


def reports(store: Store) -> list[ReportInfo]:
    """Every stored report with its number of records."""
    counts = (
        select(RecordRow.report_id, func.count().label("n")).group_by(RecordRow.report_id).subquery()
    )
    stmt = (
        select(ReportRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.report_id == ReportRow.id)
        .order_by(ReportRow.doc)
    )
    with Session(store.engine) as session:
        return [
            ReportInfo(r.doc, r.path, r.format, r.place, r.year, r.level, r.sha256, r.n_chars, r.imported_at, int(n),
                       r.kind, r.has_plan)
            for r, n in session.execute(stmt).all()
        ]


def fingerprints(store: Store) -> dict[str, tuple[str, str | None, int | None]]:
    """doc → (sha256, place, year) of every stored report."""
    with Session(store.engine) as session:
        rows = session.execute(select(ReportRow.doc, ReportRow.sha256, ReportRow.place, ReportRow.year)).all()
        return {doc: (sha, place, year) for doc, sha, place, year in rows}
