"""The office's own 任务分解表 as XLSX, written and read back in one layout so a round trip changes nothing.

Columns: 序号, 任务内容, 量化指标, 牵头单位, 配合单位, 完成时限, 季度形象进度,
进度, 状态 — one row per task, its indicators one per line in 量化指标 (the
layout of a 任务分解表: the work, then the figures it is judged by). 量化指标,
进度 and 状态 are the workspace's to fill (from the report and the approved
feedback): they are written for the office to read and read back, but an
import never changes them. The reader accepts the sheets offices already keep: a title above the header,
columns in another order, the usual variant names (责任单位, 完成时间),
numbers typed as numbers and dates typed as dates, and deadlines in words
(8月底前, 年底, 三季度末). A sheet is read whole or rejected whole: every
bad row is collected and reported by its Excel row number, and a file that is
not an XLSX at all is a ``SheetError`` too, never a zipfile or XML traceback.

The writer stores text the way the reader returns it (stripped, ``\\n`` line
ends, 配合单位 split and de-duplicated), so export → import → export gives
the same cells whatever the rows held. No database: rows in, rows out.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from govledger.errors import TooLarge
from govledger.extract.deadlines import DEADLINE_PATTERNS, NO_DEADLINE, parse_deadline, shorten
from govledger.limits import (
    SHEET_MAX_COLUMNS,
    SHEET_MAX_ROWS,
    SHEET_MAX_SCANNED_ROWS,
    check_zip,
    text_problem,
)

SHEET_COLUMNS: tuple[str, ...] = ("序号", "任务内容", "量化指标", "牵头单位", "配合单位", "完成时限", "季度形象进度",
                                  "进度", "状态")
SHEET_TITLE = "任务分解表"
WIDTHS = (7, 50, 34, 18, 24, 12, 30, 8, 8)  # fits one A4 landscape page width at fitToWidth=1
# columns the workspace fills: exported for reading, never changed by an import
READ_ONLY_COLUMNS = ("量化指标", "进度", "状态")
MAX_ROWS = SHEET_MAX_ROWS
# the input-size policy (``govledger.limits``) of each column's cells
CELL_KINDS = {"序号": "seq", "任务内容": "content", "量化指标": "cell", "牵头单位": "cell", "配合单位": "cell",
              "完成时限": "cell", "季度形象进度": "milestones", "进度": "cell", "状态": "cell"}
HEADER_SEARCH_ROWS = 10
MAX_SHOWN_PROBLEMS = 10
NOT_XLSX = "不是有效的 XLSX 文件"
# header words an office may use for each column (the first is what we write)
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "序号": ("序号", "编号", "序"),
    "任务内容": ("任务内容", "工作任务", "重点任务", "任务", "目标任务"),
    "量化指标": ("量化指标", "目标指标", "指标", "主要指标"),
    "牵头单位": ("牵头单位", "牵头部门", "责任单位", "责任部门", "牵头责任单位"),
    "配合单位": ("配合单位", "配合部门", "协办单位", "参与单位"),
    "完成时限": ("完成时限", "完成时间", "时限", "时间节点"),
    "季度形象进度": ("季度形象进度", "形象进度", "季度进度", "进度安排"),
    "进度": ("进度", "完成进度", "完成率"),
    "状态": ("状态", "完成状态", "进展状态"),
}
REQUIRED = ("序号", "任务内容", "牵头单位")
_SPLIT_DEPARTMENTS = re.compile(r"[、，,;；/\s]+")
# control characters an XLSX cell cannot hold (the set openpyxl refuses), plus DEL, C1 controls and U+FFFE/U+FFFF,
# which the input-size policy (``govledger.limits``) refuses: dropped on write and read alike, so a round trip holds
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class SheetRow:
    """One row of the 任务分解表; ``line`` is the Excel row it came from (0 when built in code).

    ``indicators`` (one per line), ``progress`` (45%) and ``status`` (推进中)
    are what the workspace knows of the task: written, read back, never imported.
    """

    seq: str
    content: str
    lead: str
    co: tuple[str, ...]
    deadline: date | None
    milestones: str
    line: int = 0
    indicators: str = ""
    progress: str = ""
    status: str = ""


class SheetError(ValueError):
    """Every problem of one sheet, so an office fixes them all in one pass.

    ``problems`` lists (Excel row, message), row 0 for the file as a whole;
    ``str()`` is a single line fit for a flash message or a CLI error.
    """

    problems: list[tuple[int, str]]

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = list(problems)
        parts = [_one_line(f"第{row}行：{msg}" if row else msg) for row, msg in self.problems[:MAX_SHOWN_PROBLEMS]]
        rest = len(self.problems) - MAX_SHOWN_PROBLEMS
        more = f"；……另有 {rest} 处" if rest > 0 else ""
        super().__init__(f"任务分解表有 {len(self.problems)} 处错误：" + "；".join(parts) + more)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


__all__ = ["DEADLINE_PATTERNS", "NO_DEADLINE", "parse_deadline"]


# ---------------------------------------------------------------------------- shared cleaning


def _text(value: Any) -> str:
    """A cell as the reader returns it: stripped, ``\\n`` line ends, 3.0 → "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _ILLEGAL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


def unique_key(value: str, label: str, line: int, seen: dict[str, int], problems: list[tuple[int, str]]) -> None:
    """A row's key (序号 of a task, 项目名称 of a project) must be there and must not repeat an earlier row's."""
    if not value:
        problems.append((line, f"{label}为空"))
    elif value in seen:
        problems.append((line, f"{label}「{shorten(value)}」与第{seen[value]}行重复"))
    else:
        seen[value] = line


def split_departments(text: str) -> tuple[str, ...]:
    """配合单位 as names: split on 、，,;；/ and whitespace, order kept, duplicates dropped."""
    return tuple(dict.fromkeys(p for p in _SPLIT_DEPARTMENTS.split(text) if p))


def _cells(row: SheetRow) -> tuple[str, ...]:
    return (_text(row.seq), _text(row.content), _text(row.indicators), _text(row.lead),
            "、".join(split_departments("、".join(_text(c) for c in row.co))),
            row.deadline.isoformat() if row.deadline else "", _text(row.milestones), _text(row.progress),
            _text(row.status))


# ---------------------------------------------------------------------------- writing


def write_task_sheet(rows: Iterable[SheetRow], out: str | os.PathLike[str] | IO[bytes], *,
                     title: str | None = None) -> int:
    """Write the sheet (under a merged title row when ``title`` is given); returns the data rows.

    Every value is a text cell, so 序号 "12.1" and "1" and 完成时限 "2024-08-31"
    come back exactly as written instead of as numbers or dates.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    last = get_column_letter(len(SHEET_COLUMNS))
    header_row = 1
    if title:
        cell = ws.cell(row=1, column=1, value=_one_line(_text(title)))
        cell.data_type = "s"
        cell.font = Font(bold=True, size=14)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A1:{last}1")
        ws.row_dimensions[1].height = 30
        header_row = 2
    fill = PatternFill("solid", fgColor="DDE4EE")
    for col, name in enumerate(SHEET_COLUMNS, 1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    wrap = Alignment(wrap_text=True, vertical="top")
    n = 0
    for n, row in enumerate(rows, 1):
        for col, value in enumerate(_cells(row), 1):
            cell = ws.cell(row=header_row + n, column=col)
            if value:  # an empty cell stays empty rather than an empty string
                cell.value = value
                cell.data_type = "s"  # "=…" stays text, never a formula
            cell.alignment = wrap
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + n}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    wb.save(out)
    return n


# ---------------------------------------------------------------------------- reading


def _header_name(value: Any) -> str:
    return re.sub(r"[\s*＊]+", "", unicodedata.normalize("NFKC", _text(value)))


def _columns(row: tuple[Any, ...]) -> dict[str, int]:
    """Which cell holds which column, by header word; the first match of each column wins."""
    names = [_header_name(v) for v in row]
    columns: dict[str, int] = {}
    for key, variants in COLUMN_NAMES.items():
        for j, name in enumerate(names):
            if name in variants and j not in columns.values():
                columns[key] = j
                break
    return columns


def _find_header(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, dict[str, int]]:
    """The header: the first of the first rows with 序号 and 任务内容, else the missing columns."""
    best: dict[str, int] = {}
    for index, (line, row) in enumerate(rows):
        if line > HEADER_SEARCH_ROWS:
            break
        columns = _columns(row)
        if "序号" in columns and "任务内容" in columns:
            return index, columns
        if len(columns) > len(best):
            best = columns
    if len(best) >= 2:  # a header with a required column missing, not a sheet without a header
        raise SheetError([(0, f"缺少「{c}」列") for c in REQUIRED if c not in best])
    raise SheetError([(0, f"前{HEADER_SEARCH_ROWS}行中找不到含「序号」「任务内容」的表头")])


def _non_empty_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Rows with something in them; a sheet of millions of empty rows stops at ``SHEET_MAX_SCANNED_ROWS``."""
    for line, row in enumerate(ws.iter_rows(values_only=True, max_col=SHEET_MAX_COLUMNS), 1):
        if line > SHEET_MAX_SCANNED_ROWS:
            raise SheetError([(0, f"工作表超过 {SHEET_MAX_SCANNED_ROWS} 行（含空行），请删去多余的行")])
        if any(_text(v) for v in row):
            yield line, tuple(row)


def _load_rows(data: Any, name: str, what: str = "任务分解表") -> list[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows of the sheet with their Excel row numbers, or ``SheetError`` (``what`` names the
    kind of sheet in the size error: the project list is read the same way)."""
    from openpyxl import load_workbook

    try:  # the declared unpacked sizes, before any XML is parsed: a zip bomb stops here
        check_zip(data, "sheet", what)
    except TooLarge as exc:
        raise SheetError([(0, exc.message)]) from None
    try:
        wb = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # zipfile, XML, openpyxl and KeyError failures alike mean "not an XLSX"
        raise SheetError([(0, NOT_XLSX)]) from None
    try:
        sheets = wb.worksheets
        if not sheets:
            raise SheetError([(0, "文件中没有工作表")])
        ws = wb[name] if name in wb.sheetnames and wb[name] in sheets else sheets[0]
        ws.reset_dimensions()  # some tools write a wrong <dimension>; read what is really there
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for item in _non_empty_rows(ws):
            rows.append(item)
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise SheetError([(0, f"数据超过 {MAX_ROWS} 行上限")])
        return rows
    except SheetError:
        raise
    except Exception:
        raise SheetError([(0, NOT_XLSX)]) from None
    finally:
        wb.close()


def _read_rows(source: str | os.PathLike[str] | bytes | IO[bytes], name: str) -> list[tuple[int, tuple[Any, ...]]]:
    if isinstance(source, bytes | bytearray | memoryview):
        return _load_rows(io.BytesIO(bytes(source)), name)
    if isinstance(source, str | os.PathLike):
        # open it ourselves: openpyxl refuses a path by its suffix (an upload saved as .tmp)
        try:
            with open(source, "rb") as handle:
                return _load_rows(handle, name)
        except FileNotFoundError:
            raise SheetError([(0, f"找不到文件「{os.fspath(source)}」")]) from None
        except OSError:
            raise SheetError([(0, f"无法读取文件「{os.fspath(source)}」")]) from None
    return _load_rows(source, name)


def _sheet_row(line: int, row: tuple[Any, ...], columns: dict[str, int], year: int | None,
               seen: dict[str, int], problems: list[tuple[int, str]]) -> SheetRow:
    """One data row; its problems are appended to ``problems`` rather than raised."""

    def get(key: str) -> Any:
        j = columns.get(key)
        return row[j] if j is not None and j < len(row) else None

    seq, content = _text(get("序号")), _text(get("任务内容"))
    for key, kind in CELL_KINDS.items():
        value = get(key)
        if isinstance(value, str):
            problem = text_problem(_text(value), kind, key)
            if problem:
                problems.append((line, problem))
                if key == "任务内容":
                    content = content[:40]
                elif key == "序号":
                    seq = seq[:32]
    unique_key(seq, "序号", line, seen, problems)
    if not content:
        problems.append((line, "任务内容为空"))
    try:
        deadline = parse_deadline(get("完成时限"), year)
    except ValueError as exc:
        problems.append((line, str(exc)))
        deadline = None
    return SheetRow(seq=seq, content=content, lead=_text(get("牵头单位")),
                    co=split_departments(_text(get("配合单位"))), deadline=deadline,
                    milestones=_text(get("季度形象进度")), line=line, indicators=_text(get("量化指标")),
                    progress=_text(get("进度")), status=_text(get("状态")))


def read_task_sheet(source: str | os.PathLike[str] | bytes | IO[bytes], *, year: int | None = None,
                    name: str = SHEET_TITLE) -> list[SheetRow]:
    """The data rows of a 任务分解表, or ``SheetError`` listing every bad row (nothing half-read).

    Reads the worksheet called ``name`` if there is one, else the first; ``year``
    dates the cells that name only a month or a quarter (8月底前).
    """
    out, problems = read_task_sheet_rows(source, year=year, name=name)
    if problems:
        raise SheetError(problems)
    return out


def read_task_sheet_rows(source: str | os.PathLike[str] | bytes | IO[bytes], *, year: int | None = None,
                         name: str = SHEET_TITLE) -> tuple[list[SheetRow], list[tuple[int, str]]]:
    """Every data row and every problem of its cells: for an import that checks the rows against the database
    too and names all reasons of all rows in one answer. A file that cannot be read as a sheet is ``SheetError``."""
    rows = _read_rows(source, name)
    header, columns = _find_header(rows)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SheetError([(0, f"缺少「{c}」列") for c in missing])
    data = rows[header + 1:]
    if len(data) > MAX_ROWS:
        raise SheetError([(0, f"数据超过 {MAX_ROWS} 行上限")])
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    out = [_sheet_row(line, row, columns, year, seen, problems) for line, row in data]
    return out, problems
