"""The 任务分解表: the targets of a report as a supervision office prints and tracks them.

Sheet 1 (任务分解表) has one row per target: 序号, 任务内容 (the verbatim
quote), 指标, 目标值 (the figure as an official writes it: 6.5%以上, 下降
10%左右, 第1位, 力争8%), 完成时限, 所在章节, with a bold frozen header, wrapped
text, widths that fit an A4 landscape page and the header repeated on every
printed page. Sheet 2 (全部记录) holds every record given with all schema
fields, so the workbook loses nothing. Written in openpyxl's write-only mode
so that a whole database exports in flat memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import IO, Any

from govledger.records import Record, record_dict

TASK_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("任务内容", 50), ("指标", 22), ("目标值", 18), ("完成时限", 12), ("所在章节", 46),
)
BOUND_WORDS = {"min": "以上", "max": "以内", "approx": "左右", "exact": ""}
STRENGTH_WORDS = {"ensure": "确保", "strive": "力争", "plain": ""}
CHANGE_MEASURES = {"growth", "avg_growth", "cum_growth", "pp_change"}
TASK_SHEET = "任务分解表"
ALL_SHEET = "全部记录"


def number_text(value: float) -> str:
    """A number as written in a report: no trailing zeros, no exponent (1.3, 228, 0.25)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def target_value(record: Record) -> str:
    """目标值: value and unit with the bound word (6.5%以上), a fall as 下降, a rank as 第N位.

    A qualitative target has no number; its words after the metric stand in
    (居民收入增长与经济增长基本同步 → 增长与经济增长基本同步).
    """
    if record.value is None:
        words = record.quote
        if record.metric and words.startswith(record.metric):
            words = words[len(record.metric):].lstrip("，,、 ")
        return words or record.quote
    unit = record.unit or ""
    value, value_max = record.value, record.value_max
    prefix = ""
    if value < 0 and (value_max is None or value_max <= 0):
        prefix = "下降" if record.measure in CHANGE_MEASURES else "减少"
        value = -value
        value_max = -value_max if value_max is not None else None
        if value_max is not None:
            value, value_max = min(value, value_max), max(value, value_max)
    if record.measure == "rank":
        core = f"第{number_text(value)}{unit or '位'}"
    elif value_max is not None:
        core = f"{number_text(value)}{unit}—{number_text(value_max)}{unit}"
    else:
        core = f"{number_text(value)}{unit}"
    return f"{STRENGTH_WORDS.get(record.strength, '')}{prefix}{core}{BOUND_WORDS.get(record.bound, '')}"


def task_rows(records: Iterable[Record]) -> Iterable[list[Any]]:
    """The rows of the 任务分解表, numbered from 1."""
    for n, r in enumerate(records, 1):
        yield [n, r.quote, r.metric, target_value(r), r.deadline or "", " / ".join(r.section)]


def _styled_row(ws: Any, values: list[Any], *, bold: bool = False, wrap: bool = True) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    alignment = Alignment(wrap_text=wrap, vertical="top")
    font = Font(bold=True) if bold else None
    fill = PatternFill("solid", fgColor="DDE4EE") if bold else None
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value)
        cell.alignment = alignment
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells


def _sheet(wb: Any, title: str, header: list[str], widths: Sequence[float], rows: Iterable[list[Any]]) -> int:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.append(_styled_row(ws, header, bold=True))
    n = 0
    for row in rows:
        ws.append(_styled_row(ws, row))
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n + 1}"
    return n


def _all_rows(records: list[Record]) -> Iterable[list[Any]]:
    from govledger.export.tables import COLUMNS

    for r in records:
        data = record_dict(r)
        data["section"] = " / ".join(r.section)
        yield [data.get(key) for key in COLUMNS]


def write_task_table(
    records: Iterable[Record], out: str | os.PathLike[str] | IO[bytes], *, all_records: bool = False
) -> int:
    """Write the workbook; sheet 1 lists the targets (every record with ``all_records``
    or when no record is a target), sheet 2 every record. Returns the rows of sheet 1."""
    from openpyxl import Workbook

    from govledger.export.tables import COLUMNS

    records = list(records)
    tasks = records if all_records else [r for r in records if r.kind == "target"]
    if not tasks and not all_records:
        tasks = records
    wb = Workbook(write_only=True)
    n = _sheet(wb, TASK_SHEET, [c for c, _ in TASK_COLUMNS], [w for _, w in TASK_COLUMNS], task_rows(tasks))
    widths = [{"sentence": 60, "quote": 36, "metric": 22, "section": 40}.get(c, 12) for c in COLUMNS]
    _sheet(wb, ALL_SHEET, list(COLUMNS), widths, _all_rows(records))
    wb.save(out)
    return n
