"""The office's own 任务分解表 as XLSX, written and read back in one layout so a round trip changes nothing.

Columns: 序号, 任务内容, 牵头单位, 配合单位, 完成时限, 季度形象进度. The
reader accepts the sheets offices already keep: a title above the header,
columns in another order, the usual variant names (责任单位, 完成时间),
numbers typed as numbers and dates typed as dates, and deadlines in words
(8月底前, 年底, 三季度末). A sheet is read whole or rejected whole: every
bad row is collected and reported by its Excel row number.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

SHEET_COLUMNS: tuple[str, ...] = ("序号", "任务内容", "牵头单位", "配合单位", "完成时限", "季度形象进度")
SHEET_TITLE = "任务分解表"
WIDTHS = (8, 60, 20, 30, 14, 40)
MAX_ROWS = 20000
HEADER_SEARCH_ROWS = 10
# header words an office may use for each column (the first is what we write)
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "序号": ("序号", "编号", "序"),
    "任务内容": ("任务内容", "工作任务", "重点任务", "任务", "目标任务"),
    "牵头单位": ("牵头单位", "牵头部门", "责任单位", "牵头责任单位"),
    "配合单位": ("配合单位", "配合部门", "协办单位", "参与单位"),
    "完成时限": ("完成时限", "完成时间", "时限", "时间节点"),
    "季度形象进度": ("季度形象进度", "形象进度", "季度进度", "进度安排"),
}
REQUIRED = ("序号", "任务内容", "牵头单位")
_SPLIT_DEPARTMENTS = re.compile(r"[、，,;；/\s]+")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class SheetRow:
    """One row of the 任务分解表; ``line`` is the Excel row it came from (0 when built in code)."""

    seq: str
    content: str
    lead: str
    co: tuple[str, ...]
    deadline: date | None
    milestones: str
    line: int = 0


class SheetError(ValueError):
    """Every problem of one sheet; ``str()`` is one line, ``problems`` lists (row, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        parts = [f"第{row}行：{msg}" if row else msg for row, msg in problems[:8]]
        more = "……" if len(problems) > 8 else ""
        super().__init__(f"任务分解表有 {len(problems)} 处错误：" + "；".join(parts) + more)


# ---------------------------------------------------------------------------- deadlines in words


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _year_of(match: re.Match[str], year: int | None, text: str) -> int:
    given = match.groupdict().get("y")
    if given:
        return int(given)
    if year is None:
        raise ValueError(f"完成时限「{text}」没有年份")
    return year


def _ymd(m: re.Match[str], year: int | None, text: str) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _month(m: re.Match[str], year: int | None, text: str) -> date:
    return _month_end(_year_of(m, year, text), int(m["m"]))


def _before_month(m: re.Match[str], year: int | None, text: str) -> date:
    """8月前: before August begins, so the end of July."""
    y, month = _year_of(m, year, text), int(m["m"])
    return date(y - 1, 12, 31) if month == 1 else _month_end(y, month - 1)


def _quarter(m: re.Match[str], year: int | None, text: str) -> date:
    q = _CN_DIGITS.get(m["q"]) or int(m["q"])
    return _month_end(_year_of(m, year, text), 3 * q)


def _half(m: re.Match[str], year: int | None, text: str) -> date:
    return _month_end(_year_of(m, year, text), 6 if m["h"] == "上" else 12)


def _year_end(m: re.Match[str], year: int | None, text: str) -> date:
    return date(_year_of(m, year, text), 12, 31)


_Y = r"(?:(?P<y>\d{4})年?)?"
DEADLINE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int | None, str], date]], ...] = (
    (re.compile(r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?(?:前|之前)?"), _ymd),
    (re.compile(_Y + r"(?P<m>\d{1,2})月(?:(?:底|末|份|中旬|上旬|下旬)(?:前|之前)?)?"), _month),
    (re.compile(_Y + r"(?P<m>\d{1,2})月(?:以)?前"), _before_month),
    (re.compile(_Y + r"(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?(?:前)?"), _quarter),
    (re.compile(_Y + r"(?P<h>[上下])半年(?:前)?"), _half),
    (re.compile(_Y + r"(?:年底|年末|全年|年内|12月底)(?:前|之前)?"), _year_end),
    (re.compile(r"(?P<y>\d{4})(?:[-/.](?P<m2>12))?"), _year_end),
)
NO_DEADLINE = ("长期", "持续推进", "长期坚持", "持续", "常态化")


def parse_deadline(value: object, year: int | None) -> date | None:
    """A 完成时限 cell as a date; ``None`` for an empty cell or an open-ended one (长期, 持续推进).

    Unknown wording raises ``ValueError``, so an import never guesses a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = re.sub(r"\s+", "", str(value))
    if not text:
        return None
    if text in NO_DEADLINE:
        return None
    for pattern, handler in DEADLINE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return handler(match, year, text)
            except ValueError as exc:
                raise ValueError(str(exc) if "完成时限" in str(exc) else f"完成时限「{text}」不是有效日期") from None
    raise ValueError(f"完成时限「{text}」无法识别")


# ---------------------------------------------------------------------------- writing


def _seq_text(seq: str) -> str:
    return str(seq).strip()


def write_task_sheet(rows: Iterable[SheetRow], out: str | os.PathLike[str] | IO[bytes], *,
                     title: str | None = None) -> int:
    """Write the sheet (optionally under a merged title row); 序号 and 完成时限 are text cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    header_row = 1
    if title:
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SHEET_COLUMNS))
        header_row = 2
    fill = PatternFill("solid", fgColor="DDE4EE")
    for col, name in enumerate(SHEET_COLUMNS, 1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    n = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, row in enumerate(rows, 1):
        values = (_seq_text(row.seq), row.content, row.lead, "、".join(row.co),
                  row.deadline.isoformat() if row.deadline else "", row.milestones)
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=header_row + n, column=col, value=value)
            cell.data_type = "s"
            cell.alignment = wrap
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    wb.save(out)
    return n


# ---------------------------------------------------------------------------- reading


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [re.sub(r"\s+", "", _cell_text(v)) for v in row]
        columns: dict[str, int] = {}
        for key, variants in COLUMN_NAMES.items():
            for j, name in enumerate(names):
                if name in variants and j not in columns.values():
                    columns[key] = j
                    break
        if "序号" in columns and "任务内容" in columns:
            return i, columns
    return None


def _open_rows(source: str | os.PathLike[str] | bytes | IO[bytes]) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    data: Any = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        wb = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        raise SheetError([(0, "不是有效的 XLSX 文件")]) from None
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        rows: list[tuple[Any, ...]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise SheetError([(0, f"行数超过 {MAX_ROWS} 行上限")])
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError) as exc:
        if isinstance(exc, SheetError):
            raise
        raise SheetError([(0, "不是有效的 XLSX 文件")]) from None
    finally:
        wb.close()


def split_departments(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in _SPLIT_DEPARTMENTS.split(text) if p))


def read_task_sheet(source: str | os.PathLike[str] | bytes | IO[bytes], *, year: int | None = None,
                    name: str = SHEET_TITLE) -> list[SheetRow]:
    """The data rows of a 任务分解表, or ``SheetError`` listing every bad row (nothing half-read)."""
    rows = _open_rows(source)
    found = _find_header(rows)
    if found is None:
        raise SheetError([(0, f"{name}中找不到「序号」「任务内容」表头")])
    header, columns = found
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SheetError([(0, f"缺少「{c}」列") for c in missing])

    def get(row: tuple[Any, ...], key: str) -> Any:
        j = columns.get(key)
        return row[j] if j is not None and j < len(row) else None

    out: list[SheetRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows[header + 1:], header + 2):
        if all(_cell_text(v) == "" for v in row):
            continue
        seq, content = _cell_text(get(row, "序号")), _cell_text(get(row, "任务内容"))
        if not seq:
            problems.append((i, "序号为空"))
        elif seq in seen:
            problems.append((i, f"序号「{seq}」与第{seen[seq]}行重复"))
        else:
            seen[seq] = i
        if not content:
            problems.append((i, "任务内容为空"))
        try:
            deadline = parse_deadline(get(row, "完成时限"), year)
        except ValueError as exc:
            problems.append((i, str(exc)))
            deadline = None
        out.append(SheetRow(seq=seq, content=content, lead=_cell_text(get(row, "牵头单位")),
                            co=split_departments(_cell_text(get(row, "配合单位"))), deadline=deadline,
                            milestones=_cell_text(get(row, "季度形象进度")).replace("\r\n", "\n"), line=i))
    if len(out) > MAX_ROWS:
        raise SheetError([(0, f"行数超过 {MAX_ROWS} 行上限")])
    if problems:
        raise SheetError(problems)
    return out
