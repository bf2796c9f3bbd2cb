"""The office's key-project list (重点项目清单) read from XLSX, and the ledger and 红黑榜 written back as XLSX.

Reading takes the lists offices keep: a title above the header, columns in
any order, the usual variant names (项目, 责任单位, 2024年计划投资, 建设地点),
amounts in 万元 or, when the header says so, 亿元, dates as dates or words
(2024年3月, 三季度, 已开工). A list is read whole or rejected whole: every
bad row and every reason is collected with its Excel row number, the same
way ``task_sheet`` reads a 任务分解表 (its ``SheetError`` carries them).
No database: bytes in, rows out.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from govledger.export.task_sheet import _ILLEGAL, SheetError, _load_rows, _text, unique_key
from govledger.extract.deadlines import parse_deadline, shorten
from govledger.limits import (
    text_problem,
)

HEADER_SEARCH_ROWS = 10
# header words an office may use for each column (the first is what we write)
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "项目名称": ("项目名称", "项目", "名称", "重点项目"),
    "项目类别": ("项目类别", "类别", "项目级别", "级别", "项目类型", "类型"),
    "牵头单位": ("牵头单位", "牵头部门", "责任单位", "责任部门", "牵头责任单位", "主管部门"),
    "总投资": ("总投资", "项目总投资", "计划总投资", "估算总投资"),
    "年度计划投资": ("年度计划投资", "年度计划", "本年计划投资", "年度投资计划", "计划投资", "当年计划投资"),
    "计划开工": ("计划开工", "计划开工时间", "开工时间", "计划开工日期", "开工日期"),
    "计划竣工": ("计划竣工", "计划竣工时间", "竣工时间", "计划竣工日期", "竣工日期", "计划完工时间"),
    "计划投产": ("计划投产", "计划投产时间", "投产时间", "计划投运", "投运时间", "计划投产日期"),
    "所在区县": ("所在区县", "区县", "县区", "所在地", "建设地点", "所属区县"),
}
REQUIRED = ("项目名称", "牵头单位", "年度计划投资")
KIND_WORDS = {"省重点": "province", "省级": "province", "省": "province", "省重点项目": "province",
              "市重点": "city", "市级": "city", "市": "city", "市重点项目": "city"}
ONGOING = frozenset({"已开工", "续建", "已竣工", "已投产", "已完工", "在建", "—", "-", "无", "/"})
_UNIT = re.compile(r"[（(]\s*(亿元|万元|亿|万)\s*[)）]|(亿元|万元)$")
_YEAR_PREFIX = re.compile(r"^\d{4}年(度)?")


@dataclass(frozen=True)
class ProjectSheetRow:
    """One project of the list; amounts in 万元; ``line`` is its Excel row."""

    name: str
    kind: str | None
    lead: str
    total_investment: float | None
    annual_plan: float | None
    planned_start: date | None
    planned_finish: date | None
    planned_operate: date | None
    county: str
    line: int = 0


def _header(value: Any) -> tuple[str, float]:
    """A header cell as (column word, factor to 万元): 「总投资（亿元）」 → ("总投资", 10000)."""
    text = re.sub(r"[\s*＊]+", "", unicodedata.normalize("NFKC", _text(value)))
    factor = 1.0
    unit = _UNIT.search(text)
    if unit:
        factor = 10000.0 if (unit.group(1) or unit.group(2) or "").startswith("亿") else 1.0
        text = _UNIT.sub("", text)
    text = re.sub(r"[（(][^)）]*[)）]", "", text)
    return _YEAR_PREFIX.sub("", text), factor


def _columns(row: tuple[Any, ...]) -> dict[str, tuple[int, float]]:
    heads = [_header(v) for v in row]
    found: dict[str, tuple[int, float]] = {}
    for key, variants in COLUMN_NAMES.items():
        for j, (name, factor) in enumerate(heads):
            if name in variants and all(j != i for i, _ in found.values()):
                found[key] = (j, factor)
                break
    return found


def _rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """The list's non-empty rows, read with the 任务分解表's reader (size checks, row limits, one-line errors)."""
    return _load_rows(io.BytesIO(data), "", "重点项目清单")


def _amount(value: Any, factor: float, column: str) -> float | None:
    if value is None or _text(value) in ("", "—", "-", "/"):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", _text(value)).replace(",", "")
        unit = 10000.0 if text.endswith(("亿元", "亿")) else 1.0 if text.endswith(("万元", "万")) else None
        text = re.sub(r"(亿元|万元|亿|万)$", "", text)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{column}「{shorten(_text(value))}」不是数字") from None
        if unit is not None:
            return round(number * unit, 4) if number >= 0 else _negative(column)
    if number != number or number < 0:
        return _negative(column)
    return round(number * factor, 4)


def _negative(column: str) -> float:
    raise ValueError(f"{column}不能为负数")


def _day(value: Any, year: int | None, column: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text or text in ONGOING:
        return None
    try:
        return parse_deadline(text, year)
    except ValueError:
        raise ValueError(f"{column}「{shorten(text)}」无法识别为日期（可写 2024-03-31、2024年3月、三季度末、已开工）") from None


def read_project_sheet(data: bytes, *, year: int | None = None) -> list[ProjectSheetRow]:
    """Every project of the list, or ``SheetError`` with every bad row and every reason (nothing half-read).

    ``year`` dates the cells that name only a month or a quarter (3月, 三季度).
    """
    rows, problems = read_project_sheet_rows(data, year=year)
    if problems:
        raise SheetError(problems)
    return rows


def read_project_sheet_rows(data: bytes, *, year: int | None = None) -> tuple[list[ProjectSheetRow],
                                                                               list[tuple[int, str]]]:
    """The rows and every problem of their cells, for an import that checks them against the database too and
    answers with all reasons at once; a file that cannot be read as a list at all is ``SheetError``."""
    rows = _rows(data)
    header, columns = -1, {}
    for index, (line, row) in enumerate(rows):
        if line > HEADER_SEARCH_ROWS:
            break
        found = _columns(row)
        if "项目名称" in found and len(found) >= 2:
            header, columns = index, found
            break
    if header < 0:
        raise SheetError([(0, f"前{HEADER_SEARCH_ROWS}行中找不到含「项目名称」「牵头单位」「年度计划投资」的表头")])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SheetError([(0, f"缺少「{c}」列") for c in missing])
    problems: list[tuple[int, str]] = []
    out: list[ProjectSheetRow] = []
    seen: dict[str, int] = {}
    for line, row in rows[header + 1:]:

        def cell(key: str, row: tuple[Any, ...] = row) -> Any:
            where = columns.get(key)
            return row[where[0]] if where is not None and where[0] < len(row) else None

        name, lead, county = _text(cell("项目名称")), _text(cell("牵头单位")), _text(cell("所在区县"))
        for value, text_kind, label in ((name, "doc", "项目名称"), (lead, "department", "牵头单位"),
                                   (county, "department", "所在区县")):
            problem = text_problem(value, text_kind, label)
            if problem:
                problems.append((line, problem))
        unique_key(name, "项目名称", line, seen, problems)
        if not lead:
            problems.append((line, "牵头单位为空"))
        kind_text = _text(cell("项目类别"))
        kind = KIND_WORDS.get(kind_text) if kind_text else None
        if kind_text and kind is None:
            problems.append((line, f"项目类别「{shorten(kind_text)}」应为省重点或市重点"))
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for key in ("总投资", "年度计划投资"):
            try:
                values[key] = _amount(cell(key), columns[key][1] if key in columns else 1.0, key)
            except ValueError as exc:
                problems.append((line, str(exc)))
                values[key] = None
                unreadable.add(key)
        if values["年度计划投资"] is None and "年度计划投资" not in unreadable:
            problems.append((line, "年度计划投资为空"))
        if values["总投资"] is not None and values["年度计划投资"] is not None and \
                values["年度计划投资"] > values["总投资"]:
            problems.append((line, "年度计划投资大于总投资"))
        for key in ("计划开工", "计划竣工", "计划投产"):
            try:
                values[key] = _day(cell(key), year, key)
            except ValueError as exc:
                problems.append((line, str(exc)))
                values[key] = None
        out.append(ProjectSheetRow(name=name[:200], kind=kind, lead=lead[:100], total_investment=values["总投资"],
                                   annual_plan=values["年度计划投资"], planned_start=values["计划开工"],
                                   planned_finish=values["计划竣工"], planned_operate=values["计划投产"],
                                   county=county[:100], line=line))
    if not out and not problems:
        problems.append((0, "表中没有项目"))
    return out, problems


# ---------------------------------------------------------------------------- writing


def write_sheets(sheets: Sequence[tuple[str, str, Sequence[str], Sequence[float], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of several sheets, each (sheet name, title, header, column widths, rows), A4 landscape, fit to width;
    text cells stay text (a name starting with = is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    wb.remove(wb.active)
    fill = PatternFill("solid", fgColor="DDE4EE")
    for name, title, header, widths, rows in sheets:
        ws = wb.create_sheet(name[:31])
        last = get_column_letter(len(header))
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        ws.merge_cells(f"A1:{last}1")
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        for col, head in enumerate(header, 1):
            cell = ws.cell(row=2, column=col, value=head)
            cell.font, cell.fill = Font(bold=True), fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
        for r, values in enumerate(rows, 3):
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=r, column=col, value=_ILLEGAL.sub("", value) if isinstance(value, str) else value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A3"
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
