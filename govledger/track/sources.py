"""Where verify and the panel get their records: report files, saved JSONL, folders, the store.

A report file goes through ``build_ledger``; a ``.jsonl`` file is the output
of ``govledger extract --format jsonl`` read back (so a verified extraction
can be kept and judged again without re-reading the report). A
``LedgerReader`` with a store takes a report's records from the store when
the stored copy was extracted from the same text with the same rules
(``text_fingerprint``), and never extracts one file twice in a run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from pydantic import ValidationError

from govledger.errors import ReportError
from govledger.records import Record

if TYPE_CHECKING:
    from govledger.store import Store

REPORT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".jsonl")
_DOC_NAME = re.compile(r"^(?P<place>.+?)[_\-](?P<year>(?:19|20)\d\d)$")
_NOTES_NAME = re.compile(r"^[A-Z][A-Z_\-]*$")
_YEAR_NAME = re.compile(r"^(?P<year>(?:19|20)\d\d)$")


@dataclass
class LoadedLedger:
    """The part of a ``Ledger`` that verify and the panel need."""

    doc: str
    place: str | None
    year: int | None
    records: list[Record] = field(default_factory=list)
    level: str | None = None
    path: str = ""
    text: str | None = None  # the report text the records' start/end point into (None for JSONL)


def read_jsonl_records(path: str | Path) -> list[Record]:
    """Records from a JSONL file (one schema-v1 object per line)."""
    p = Path(path)
    records: list[Record] = []
    try:
        with p.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    records.append(Record.model_validate(json.loads(line)))
                except (json.JSONDecodeError, ValidationError) as exc:
                    raise ReportError(str(p), f"line {n} is not a ledger record ({type(exc).__name__})") from None
    except FileNotFoundError:
        raise ReportError(str(p), "no such file") from None
    except UnicodeDecodeError:
        raise ReportError(str(p), "not UTF-8 JSONL") from None
    return records


def text_fingerprint(text: str) -> str:
    """``Ledger.sha256`` from the text alone: the text and the rule tables that turned it into records.

    Equal fingerprints mean re-extracting would give the same records, so
    the stored ones can be used (a test checks it equals ``build_ledger``'s).
    """
    from govledger import pipeline

    rules = pipeline.rules_fingerprint() if hasattr(pipeline, "rules_fingerprint") else b""
    return hashlib.sha256(text.encode("utf-8") + rules).hexdigest()


def _jsonl_ledger(p: Path) -> LoadedLedger:
    records = read_jsonl_records(p)
    doc = records[0].doc if records else p.stem
    place = next((r.place for r in records if r.place), None)
    year = next((r.year for r in records if r.year), None)
    if year is None:
        m = _DOC_NAME.match(p.stem)
        year = int(m.group("year")) if m else None
    return LoadedLedger(doc, place, year, records, None, str(p))


def load_ledger(path: str | Path) -> LoadedLedger:
    """One report (any format ``build_ledger`` reads) or a saved ``.jsonl`` extraction."""
    p = Path(path)
    if p.suffix.lower() == ".jsonl":
        return _jsonl_ledger(p)
    from govledger.pipeline import build_ledger

    ledger = build_ledger(p)
    return LoadedLedger(ledger.doc, ledger.place, ledger.year, ledger.records, ledger.level, str(p), ledger.text)


class LedgerReader:
    """Loads each file once per run; with a store, reuses the stored records of an unchanged report.

    ``extracted`` and ``from_store`` count what happened, for the closing
    line of a command.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._stored = {i.doc: i for i in store.reports()} if store is not None else {}
        self._cache: dict[str, LoadedLedger] = {}
        self.extracted = 0
        self.from_store = 0

    def __enter__(self) -> LedgerReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cache.clear()

    def load(self, path: str | Path) -> LoadedLedger:
        """The ledger of ``path``, from this run's cache, the store, or a fresh extraction."""
        p = Path(path)
        key = str(p.resolve())
        if key not in self._cache:
            self._cache[key] = self._load(p)
        return self._cache[key]

    def _load(self, p: Path) -> LoadedLedger:
        if p.suffix.lower() == ".jsonl":
            return _jsonl_ledger(p)
        if not p.exists():
            raise ReportError(str(p), "no such file")
        from govledger.pipeline import ledger_from_source
        from govledger.read import read_report

        source = read_report(p)
        info = self._stored.get(source.doc)
        if self.store is not None and info is not None and info.sha256 == text_fingerprint(source.text):
            self.from_store += 1
            records = self.store.list_records(doc=source.doc)
            return LoadedLedger(info.doc, info.place, info.year, records, info.level, str(p))
        ledger = ledger_from_source(source)
        self.extracted += 1
        return LoadedLedger(ledger.doc, ledger.place, ledger.year, ledger.records, ledger.level, str(p), ledger.text)


def report_files(folder: str | Path) -> list[Path]:
    """Report files of a folder and its sub-folders (a ``<level>/<place>/<year>.md`` tree), sorted by path."""
    d = Path(folder)
    if not d.is_dir():
        raise ReportError(str(d), "not a folder")
    return sorted(p for p in d.rglob("*") if is_report_file(p))


def is_report_file(p: Path, suffixes: tuple[str, ...] = REPORT_SUFFIXES) -> bool:
    """A file with a report suffix that is not a folder's notes (README.md, SOURCES.md: an upper-case name)."""
    return p.is_file() and p.suffix.lower() in suffixes and not _NOTES_NAME.match(p.stem)


def doc_place_year(path: str | Path) -> tuple[str, int] | None:
    """('guangyuan', 2024) for guangyuan_2024.txt, ('岳阳市', 2018) for 岳阳市/2018.md; else None."""
    p = Path(path)
    m = _DOC_NAME.match(p.stem)
    if m:
        return m.group("place"), int(m.group("year"))
    y = _YEAR_NAME.match(p.stem)
    if y and p.parent.name:
        return str(p.parent), int(y.group("year"))
    return None


def pair_files(files: list[Path]) -> list[tuple[Path, Path]]:
    """Pairs (<place>_<Y>, <place>_<Y+1>) among the files, by place then year."""
    by_key: dict[tuple[str, int], Path] = {}
    for f in files:
        key = doc_place_year(f)
        if key is None:
            continue
        # prefer a report file over a saved extraction of the same document
        if key not in by_key or by_key[key].suffix == ".jsonl":
            by_key[key] = f
    pairs = []
    for (place, year), f in sorted(by_key.items()):
        nxt = by_key.get((place, year + 1))
        if nxt is not None:
            pairs.append((f, nxt))
    return pairs


def iter_ledgers(
    folder: str | Path, errors: list[tuple[str, str]] | None = None, *, reader: LedgerReader | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> Iterator[LoadedLedger]:
    """Each report of a folder, extracted (or from ``reader``'s store); files that fail are skipped
    (and listed in ``errors``)."""
    for f in report_files(folder):
        if on_file is not None:
            on_file(f)
        try:
            yield reader.load(f) if reader is not None else load_ledger(f)
        except ReportError as exc:
            if errors is None:
                raise
            errors.append((str(f), exc.reason))
