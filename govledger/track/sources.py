"""Where verify and the panel get their records: report files, saved JSONL, folders.

A report file goes through ``build_ledger``; a ``.jsonl`` file is the output
of ``govledger extract --format jsonl`` read back (so a verified extraction
can be kept and judged again without re-reading the report).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from govledger.errors import ReportError
from govledger.records import Record

REPORT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm", ".jsonl")
_DOC_NAME = re.compile(r"^(?P<place>.+?)[_\-](?P<year>(?:19|20)\d\d)$")


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


def load_ledger(path: str | Path) -> LoadedLedger:
    """One report (any format ``build_ledger`` reads) or a saved ``.jsonl`` extraction."""
    p = Path(path)
    if p.suffix.lower() == ".jsonl":
        records = read_jsonl_records(p)
        doc = records[0].doc if records else p.stem
        place = next((r.place for r in records if r.place), None)
        year = next((r.year for r in records if r.year), None)
        if year is None:
            m = _DOC_NAME.match(p.stem)
            year = int(m.group("year")) if m else None
        return LoadedLedger(doc, place, year, records, None, str(p))
    from govledger.pipeline import build_ledger

    ledger = build_ledger(p)
    return LoadedLedger(ledger.doc, ledger.place, ledger.year, ledger.records, ledger.level, str(p), ledger.text)


def report_files(folder: str | Path) -> list[Path]:
    """Report files of a folder (not recursive), sorted by name."""
    d = Path(folder)
    if not d.is_dir():
        raise ReportError(str(d), "not a folder")
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def doc_place_year(path: str | Path) -> tuple[str, int] | None:
    """('guangyuan', 2024) for guangyuan_2024.txt; None when the name has no year."""
    m = _DOC_NAME.match(Path(path).stem)
    return (m.group("place"), int(m.group("year"))) if m else None


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


def iter_ledgers(folder: str | Path, errors: list[tuple[str, str]] | None = None) -> Iterator[LoadedLedger]:
    """Each report of a folder, extracted; files that fail are skipped (and listed in ``errors``)."""
    for f in report_files(folder):
        try:
            yield load_ledger(f)
        except ReportError as exc:
            if errors is None:
                raise
            errors.append((str(f), exc.reason))
