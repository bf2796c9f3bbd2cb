"""Write ledger records as CSV, JSONL, Parquet or XLSX, to a file or a stream.

One entry point, ``write_records``, serves ``govledger extract``, ``list``
and ``export``. Files are written to a temporary name beside the target and
renamed at the end, so a failed export never leaves a half-written file.
Columns are the schema-v1 fields in schema order (plus ``start``/``end``);
CSV joins ``section`` with `` / `` for people, JSONL and Parquet keep it a list.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from govledger.errors import ReportError
from govledger.records import FIELDS, Record, record_dict

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
COLUMNS: tuple[str, ...] = (*FIELDS, "start", "end")
SECTION_JOIN = " / "


def format_for(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for (``.csv``, ``.jsonl``/``.ndjson``, ``.parquet``/``.pq``, ``.xlsx``)."""
    suffix = Path(path).suffix.lower()
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
           ".xlsx": "xlsx"}.get(suffix)
    if fmt is None:
        raise ReportError(str(path), "unknown export format (use .csv, .xlsx, .parquet or .jsonl)")
    return fmt


def _csv_row(record: Record) -> list[Any]:
    data = record_dict(record)
    row: list[Any] = []
    for key in COLUMNS:
        value = data.get(key)
        if key == "section":
            value = SECTION_JOIN.join(record.section)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        row.append("" if value is None else value)
    return row


def write_csv(records: Iterable[Record], fh: IO[str]) -> int:
    """CSV with a header row; returns the number of records written."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for record in records:
        writer.writerow(_csv_row(record))
        n += 1
    return n


def write_jsonl(records: Iterable[Record], fh: IO[str]) -> int:
    """One schema-v1 JSON object per line (what ``govledger extract --format jsonl`` prints)."""
    n = 0
    for record in records:
        fh.write(json.dumps(record_dict(record), ensure_ascii=False) + "\n")
        n += 1
    return n


def parquet_schema() -> Any:
    """The Arrow schema of a ledger table: typed columns, ``section`` a list of strings."""
    import pyarrow as pa

    types: dict[str, Any] = {
        "year": pa.int32(), "period": pa.int32(), "estimated": pa.bool_(), "section": pa.list_(pa.string()),
        "value": pa.float64(), "value_max": pa.float64(), "base_value": pa.float64(),
        "start": pa.int64(), "end": pa.int64(),
    }
    return pa.schema([(key, types.get(key, pa.string())) for key in COLUMNS])


def write_parquet(records: Iterable[Record], target: str | os.PathLike[str] | IO[bytes], batch: int = 5000) -> int:
    """Parquet in row groups of ``batch`` records, so a whole database streams through flat memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        rows: list[dict[str, Any]] = []
        for record in records:
            rows.append(record.model_dump(include=set(COLUMNS)))
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                n += len(rows)
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            n += len(rows)
    return n


def _atomic_write(path: Path, write: Callable[[Path], int]) -> int:
    """Run ``write`` on a temporary file beside ``path`` and move it into place only when it succeeded."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(str(path), f"cannot write: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ReportError(str(path), f"cannot write: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        n = write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReportError(str(path), f"cannot write: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_records(
    records: Iterable[Record],
    out: str | os.PathLike[str] | IO[str] | IO[bytes] | None,
    fmt: str | None = None,
    *,
    all_records: bool = False,
) -> int:
    """Write ``records`` to ``out`` (a path, a stream, or ``None`` for stdout) as ``fmt``.

    ``fmt`` defaults to the file name's suffix. XLSX is the 任务分解表 (see
    ``govledger.export.xlsx``): its first sheet lists the targets unless
    ``all_records``, its second sheet every record. Parquet and XLSX need a
    file or a binary stream. Returns the number of records written.
    """
    if out is None:
        out = sys.stdout
    if fmt is None:
        if not isinstance(out, str | os.PathLike):
            raise ValueError("write_records needs fmt when writing to a stream")
        fmt = format_for(out)
    if fmt not in FORMATS:
        raise ReportError(str(getattr(out, "name", out)), f"unknown format {fmt!r} (use {', '.join(FORMATS)})")

    def to_path(tmp: Path) -> int:
        if fmt == "csv":
            # a byte-order mark so that Excel opens the Chinese text as UTF-8
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                return write_csv(records, fh)
        if fmt == "jsonl":
            with tmp.open("w", encoding="utf-8") as fh:
                return write_jsonl(records, fh)
        if fmt == "parquet":
            return write_parquet(records, str(tmp))
        from govledger.export.xlsx import write_task_table

        return write_task_table(records, tmp, all_records=all_records)

    if isinstance(out, str | os.PathLike):
        return _atomic_write(Path(out), to_path)
    # a stream
    if fmt in ("csv", "jsonl"):
        writer = write_csv if fmt == "csv" else write_jsonl
        if isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
            return writer(records, out)  # type: ignore[arg-type]
        wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")  # type: ignore[type-var]
        try:
            return writer(records, wrapper)
        finally:
            wrapper.flush()
            wrapper.detach()  # leave the caller's binary stream open
    if hasattr(out, "encoding"):
        raise ReportError(str(getattr(out, "name", "<stdout>")), f"{fmt} is binary: give an output file")
    if fmt == "parquet":
        return write_parquet(records, out)  # type: ignore[arg-type]
    from govledger.export.xlsx import write_task_table

    return write_task_table(records, out, all_records=all_records)  # type: ignore[arg-type]
