"""The 任务分解表 XLSX: round trips on the real yaan_2024 targets, office variants, and bad sheets rejected whole."""

from __future__ import annotations

import io
import pickle
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from govledger.export import task_sheet
from govledger.export.task_sheet import (
    SHEET_COLUMNS,
    SheetError,
    SheetRow,
    parse_deadline,
    read_task_sheet,
    write_task_sheet,
)
from govledger.pipeline import build_ledger
from tests.conftest import REPORTS

DEPARTMENTS = ("市发展改革委", "市住房城乡建设局", "市农业农村局")
TITLE = "雅安市2024年政府工作报告重点任务分解表"


def _yaan_report() -> Path:
    found = sorted(p for p in REPORTS.iterdir() if "yaan" in p.name.lower() or "雅安" in p.name)
    assert found, f"no 雅安 report in {REPORTS}"
    return found[0]


@pytest.fixture(scope="module")
def yaan_rows() -> list[SheetRow]:
    """The report's tasks as the workspace decomposes them: real sentences, their indicators and deadlines, made-up
    departments, progress and status."""
    from govledger.workspace.decompose import decompose

    ledger = build_ledger(_yaan_report())
    quotes = {r.id: r.quote for r in ledger.records}
    rows = []
    for n, d in enumerate(decompose(ledger.sentences, ledger.records, 2024), 1):
        rows.append(SheetRow(
            seq=str(n), content=d.content, lead=DEPARTMENTS[n % 3],
            co=(DEPARTMENTS[(n + 1) % 3], DEPARTMENTS[(n + 2) % 3]) if n % 2 else (),
            deadline=d.deadline if d.deadline.month != 12 or n % 5 == 0 else None,
            milestones="一季度：启动\n二季度：过半" if n == 1 else ("三季度末完成" if n == 2 else ""),
            indicators="\n".join(quotes[i] for i in d.record_ids), progress=f"{n % 7 * 12.5:g}%" if n % 3 else "",
            status="推进中" if n % 3 else "未开始"))
    rows.insert(3, SheetRow("3.1", "拆分出的子任务：" + rows[2].content, DEPARTMENTS[0], (), date(2024, 6, 30), ""))
    return rows


def _bytes(rows: list[SheetRow], title: str | None = None) -> bytes:
    out = io.BytesIO()
    write_task_sheet(rows, out, title=title)
    return out.getvalue()


def _values(data: bytes) -> list[tuple[object, ...]]:
    wb = load_workbook(io.BytesIO(data))
    return [tuple(c.value for c in row) for row in wb.worksheets[0].iter_rows()]


def _office_sheet(rows: list[list[object]], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _problems(data: bytes, year: int | None = 2024) -> list[tuple[int, str]]:
    with pytest.raises(SheetError) as err:
        read_task_sheet(data, year=year)
    return err.value.problems


# ---------------------------------------------------------------------------- round trip


def test_the_real_report_gives_rows_worth_testing(yaan_rows: list[SheetRow]) -> None:
    assert len(yaan_rows) > 150
    assert any(r.deadline for r in yaan_rows)
    assert any("\n" in r.milestones for r in yaan_rows)
    assert any("\n" in r.indicators for r in yaan_rows)  # a task with several indicators, one per line
    assert any(not r.indicators for r in yaan_rows)  # and tasks without a figure
    assert [r.seq for r in yaan_rows[:5]] == ["1", "2", "3", "3.1", "4"]


@pytest.mark.parametrize("title", [None, TITLE])
def test_round_trip_changes_nothing(yaan_rows: list[SheetRow], title: str | None) -> None:
    first = _bytes(yaan_rows, title)
    back = read_task_sheet(first, year=2024)
    assert [replace(r, line=0) for r in back] == yaan_rows
    header = 2 if title else 1
    assert [r.line for r in back] == list(range(header + 1, header + 1 + len(yaan_rows)))
    second = _bytes(back, title)
    assert _values(second) == _values(first)


def test_write_returns_the_number_of_data_rows(yaan_rows: list[SheetRow]) -> None:
    assert write_task_sheet(iter(yaan_rows), io.BytesIO()) == len(yaan_rows)
    assert write_task_sheet([], io.BytesIO(), title=TITLE) == 0


def test_written_layout(yaan_rows: list[SheetRow], tmp_path: Path) -> None:
    path = tmp_path / "任务分解表.xlsx"
    write_task_sheet(yaan_rows, path, title=TITLE)
    wb = load_workbook(path)
    assert wb.sheetnames == ["任务分解表"]
    ws = wb.worksheets[0]
    assert ws["A1"].value == TITLE and ws["A1"].font.b and ws["A1"].alignment.horizontal == "center"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:I1"]
    assert tuple(c.value for c in ws[2]) == SHEET_COLUMNS and all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws["B3"].alignment.wrap_text and ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    # 序号 and 完成时限 are text cells: "3.1" and "1" do not turn into numbers, dates not into serials
    seqs = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=1) for i in range(3, 8)}
    assert seqs["1"].data_type == "s" and seqs["3.1"].data_type == "s"
    deadlines = [ws.cell(row=i, column=6) for i in range(3, ws.max_row + 1) if ws.cell(row=i, column=6).value]
    assert deadlines and all(c.data_type == "s" and re.fullmatch(r"\d{4}-\d\d-\d\d", c.value) for c in deadlines)
    co = [ws.cell(row=i, column=5).value for i in range(3, ws.max_row + 1) if ws.cell(row=i, column=5).value]
    assert co[0] == "市农业农村局、市发展改革委"
    # the task, then the figures it is judged by, then who, by when, and how far it got
    assert SHEET_COLUMNS == ("序号", "任务内容", "量化指标", "牵头单位", "配合单位", "完成时限", "季度形象进度", "进度", "状态")
    figures = next(ws.cell(row=i, column=3) for i in range(3, ws.max_row + 1)
                   if "规模以上工业增加值增长7.5%" in (ws.cell(row=i, column=3).value or ""))
    assert figures.value == "规模以上工业增加值增长7.5%\n新增规模以上工业企业50户"  # the main indicator first
    assert ws.cell(row=3, column=8).value == "12.5%" and ws.cell(row=3, column=9).value == "推进中"


def test_header_is_row_one_without_a_title(yaan_rows: list[SheetRow]) -> None:
    ws = load_workbook(io.BytesIO(_bytes(yaan_rows))).worksheets[0]
    assert tuple(c.value for c in ws[1]) == SHEET_COLUMNS
    assert ws["A2"].value == "1" and ws["A2"].data_type == "s"
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1" and not ws.merged_cells.ranges


def test_text_that_looks_like_a_formula_stays_text() -> None:
    rows = [SheetRow("1", "=HYPERLINK(\"http://x\")", "市发展改革委", (), None, "+1 -1")]
    data = _bytes(rows)
    assert load_workbook(io.BytesIO(data)).worksheets[0]["B2"].data_type == "s"
    assert [replace(r, line=0) for r in read_task_sheet(data)] == rows


def test_writer_stores_what_the_reader_returns() -> None:
    """Untidy rows built in code come back tidied, and a second export equals the first."""
    rows = [SheetRow(" 7 ", " 改造老旧小区228个\r\n ", "市住房城乡建设局 ", ("市财政局", "市财政局", "市自然资源局、市水利局"),
                     date(2024, 8, 31), "6月底过半\r\n年底完成\x0b")]
    first = _bytes(rows)
    back = read_task_sheet(first)
    assert back[0] == SheetRow("7", "改造老旧小区228个", "市住房城乡建设局", ("市财政局", "市自然资源局", "市水利局"),
                               date(2024, 8, 31), "6月底过半\n年底完成", line=2)
    assert _values(_bytes(back)) == _values(first)


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_text, _text, st.lists(_text, max_size=3), st.none() | st.dates(), _text), max_size=6))
def test_any_rows_export_import_export_identically(items: list[tuple[str, str, list[str], date | None, str]]) -> None:
    rows = [SheetRow(f"{i}.{i}", "任务" + content, lead, tuple(co), deadline, milestones)
            for i, (content, lead, co, deadline, milestones) in enumerate(items, 1)]
    first = _bytes(rows)
    back = read_task_sheet(first)
    assert [r.deadline for r in back] == [r.deadline for r in rows]
    assert _values(_bytes(back)) == _values(first)


# ---------------------------------------------------------------------------- sheets as offices keep them


def test_office_layout_with_titles_variant_names_numbers_and_dates() -> None:
    data = _office_sheet([
        ["2024年政府工作报告重点任务分解表"],
        ["（督查室 2024年2月）"],
        ["编号", " 完成 时间 ", "重点任务", "责任单位", "配合部门", "形象进度"],
        [1, datetime(2024, 8, 31), "改造老旧小区228个", "市住房城乡建设局", "市财政局、市自然资源局", "6月底完成过半"],
        [2.0, "年底前", "城镇新增就业1.7万人", "市人力资源社会保障局", "市财政局，市教育局; 市财政局", None],
        [None, None, None, None, None, None],
        ["3", "三季度末", "粮食总产量稳定在36万吨以上", "市农业农村局", "", ""],
        [" 3.1 ", "8月底前", "高标准农田10万亩", "市农业农村局", "市水利局/市财政局\n市自然资源局", "一季度：规划\n二季度：开工"],
    ])
    rows = read_task_sheet(data, year=2024)
    assert [r.seq for r in rows] == ["1", "2", "3", "3.1"]
    assert [r.line for r in rows] == [4, 5, 7, 8]
    assert rows[0].deadline == date(2024, 8, 31) and rows[0].co == ("市财政局", "市自然资源局")
    assert rows[1].deadline == date(2024, 12, 31) and rows[1].co == ("市财政局", "市教育局")
    assert rows[2].deadline == date(2024, 9, 30) and rows[2].lead == "市农业农村局" and rows[2].co == ()
    assert rows[3].co == ("市水利局", "市财政局", "市自然资源局") and rows[3].deadline == date(2024, 8, 31)
    assert rows[0].milestones == "6月底完成过半" and rows[1].milestones == ""
    assert rows[3].milestones == "一季度：规划\n二季度：开工"


@pytest.mark.parametrize("seq", [3, 3.0])
def test_numeric_seq_cells_read_as_text(seq: object) -> None:
    data = _office_sheet([["序号", "任务内容", "牵头单位"], [seq, "改造老旧小区228个", "市住房城乡建设局"],
                          [12.5, "新建5G基站800个", "市经济和信息化局"]])
    assert [r.seq for r in read_task_sheet(data)] == ["3", "12.5"]


def test_excel_date_cells_for_deadlines() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "任务内容", "牵头单位", "完成时限"])
    ws.append(["1", "改造老旧小区228个", "市住房城乡建设局", date(2024, 6, 30)])
    ws.append(["2", "新建5G基站800个", "市经济和信息化局", datetime(2024, 11, 30, 18, 0)])
    ws["D2"].number_format = "yyyy年m月d日"
    out = io.BytesIO()
    wb.save(out)
    rows = read_task_sheet(out.getvalue(), year=2024)
    assert [r.deadline for r in rows] == [date(2024, 6, 30), date(2024, 11, 30)]


def test_optional_columns_may_be_missing() -> None:
    data = _office_sheet([["工作任务", "序号", "牵头部门"], ["全面完成年度目标", "1", "市发展改革委"]])
    assert read_task_sheet(data) == [SheetRow("1", "全面完成年度目标", "市发展改革委", (), None, "", line=2)]


def test_reads_the_sheet_named_任务分解表_else_the_first() -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由督查室填写"])
    sheet = wb.create_sheet("任务分解表")
    sheet.append(["序号", "任务内容", "牵头单位"])
    sheet.append(["1", "改造老旧小区228个", "市住房城乡建设局"])
    other = wb.create_sheet("二季度")
    other.append(["序号", "任务内容", "牵头单位"])
    other.append(["9", "新建5G基站800个", "市经济和信息化局"])
    out = io.BytesIO()
    wb.save(out)
    assert [r.seq for r in read_task_sheet(out.getvalue())] == ["1"]
    assert [r.seq for r in read_task_sheet(out.getvalue(), name="二季度")] == ["9"]
    assert [r.seq for r in read_task_sheet(_office_sheet([["序号", "任务内容", "牵头单位"], ["5", "任务", ""]]))] == ["5"]


def test_path_sources_whatever_their_suffix(yaan_rows: list[SheetRow], tmp_path: Path) -> None:
    upload = tmp_path / "upload.tmp"  # an upload saved under a temporary name is still an XLSX
    upload.write_bytes(_bytes(yaan_rows[:3]))
    assert [r.seq for r in read_task_sheet(upload, year=2024)] == ["1", "2", "3"]
    assert [r.seq for r in read_task_sheet(str(upload), year=2024)] == ["1", "2", "3"]
    with upload.open("rb") as handle:
        assert len(read_task_sheet(handle, year=2024)) == 3


def test_a_wrong_dimension_does_not_hide_rows() -> None:
    """Some tools write <dimension ref="A1"/>; read-only openpyxl would stop at row 1 if trusted."""
    data = _office_sheet([["序号", "任务内容", "牵头单位"], ["1", "改造老旧小区228个", "市住房城乡建设局"],
                          ["2", "新建5G基站800个", "市经济和信息化局"]])
    data = _rewrite(data, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml))
    assert [r.seq for r in read_task_sheet(data)] == ["1", "2"]


def test_blank_rows_do_not_count_towards_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_sheet, "MAX_ROWS", 3)
    rows: list[list[object]] = [["序号", "任务内容", "牵头单位"]]
    for n in range(1, 4):
        rows.append([str(n), f"任务{n}", "市发展改革委"])
        rows += [[" ", None, ""]] * 5
    assert len(read_task_sheet(_office_sheet(rows))) == 3
    rows.append(["4", "任务4", "市发展改革委"])
    assert _problems(_office_sheet(rows)) == [(0, "数据超过 3 行上限")]


def test_the_cap_is_20000_rows() -> None:
    assert task_sheet.MAX_ROWS == 20000


# ---------------------------------------------------------------------------- deadlines in words


@pytest.mark.parametrize("text, expected", [
    # the phrasings the reports and the offices' sheets use
    ("8月底前", date(2024, 8, 31)), ("6月底前", date(2024, 6, 30)), ("年底前", date(2024, 12, 31)),
    ("9月底", date(2024, 9, 30)), ("7月底", date(2024, 7, 31)), ("年底", date(2024, 12, 31)),
    ("年末", date(2024, 12, 31)), ("年内", date(2024, 12, 31)), ("全年", date(2024, 12, 31)),
    ("12月底", date(2024, 12, 31)), ("12月底前", date(2024, 12, 31)), ("年底前完成", date(2024, 12, 31)),
    ("8月底前完成", date(2024, 8, 31)), ("2024年8月底", date(2024, 8, 31)), ("2025年6月底前", date(2025, 6, 30)),
    ("2024年底", date(2024, 12, 31)), ("2025年底前", date(2025, 12, 31)), ("2024年年底", date(2024, 12, 31)),
    ("2025年内", date(2025, 12, 31)), ("2026年", date(2026, 12, 31)), ("2026", date(2026, 12, 31)),
    # before a month begins
    ("8月前", date(2024, 7, 31)), ("8月以前", date(2024, 7, 31)), ("3月前", date(2024, 2, 29)),
    ("1月前", date(2023, 12, 31)), ("2025年8月前", date(2025, 7, 31)),
    # dates
    ("2024-08-31", date(2024, 8, 31)), ("2024/8/31", date(2024, 8, 31)), ("2024.8.31", date(2024, 8, 31)),
    ("2024年8月31日", date(2024, 8, 31)), ("2024年8月31日前", date(2024, 8, 31)),
    ("2024-08-31 00:00:00", date(2024, 8, 31)), ("2024-08", date(2024, 8, 31)), ("2024/2", date(2024, 2, 29)),
    # months in other hands
    ("2月底", date(2024, 2, 29)), ("8月", date(2024, 8, 31)), ("8月份", date(2024, 8, 31)),
    ("8月末", date(2024, 8, 31)), ("十二月底前", date(2024, 12, 31)), ("八月底", date(2024, 8, 31)),
    ("8月上旬", date(2024, 8, 10)), ("8月中旬前", date(2024, 8, 20)), ("8月下旬", date(2024, 8, 31)),
    ("８月底前", date(2024, 8, 31)), (" 8 月 底 前 ", date(2024, 8, 31)), ("6月底前。", date(2024, 6, 30)),
    # quarters and halves
    ("一季度末", date(2024, 3, 31)), ("第一季度", date(2024, 3, 31)), ("二季度末", date(2024, 6, 30)),
    ("三季度末", date(2024, 9, 30)), ("第三季度末前", date(2024, 9, 30)), ("四季度", date(2024, 12, 31)),
    ("2025年一季度末", date(2025, 3, 31)), ("3季度", date(2024, 9, 30)), ("上半年", date(2024, 6, 30)),
    ("上半年前", date(2024, 6, 30)), ("下半年", date(2024, 12, 31)), ("年中", date(2024, 6, 30)),
    # open-ended and empty
    ("长期", None), ("持续推进", None), ("长期坚持", None), ("常态化", None), ("", None), ("  ", None), (None, None),
    # cells typed as dates or numbers
    (datetime(2024, 5, 1, 9, 0), date(2024, 5, 1)), (date(2024, 5, 1), date(2024, 5, 1)),
    (2025, date(2025, 12, 31)), (2025.0, date(2025, 12, 31)),
])
def test_parse_deadline(text: object, expected: date | None) -> None:
    assert parse_deadline(text, 2024) == expected


@pytest.mark.parametrize("text", [
    "下月", "尽快", "近期", "2024-13-01", "2024-02-30", "8月32日前", "13月底", "13月前", "0月底", "五季度",
    "2030年前", "45535", "明年", "Q3", True, 3.5,
])
def test_parse_deadline_refuses_to_guess(text: object) -> None:
    with pytest.raises(ValueError, match="完成时限「.*」无法识别"):
        parse_deadline(text, 2024)


@pytest.mark.parametrize("text", ["8月底前", "年底前", "三季度末", "上半年", "8月前"])
def test_a_month_without_a_year_needs_the_plan_year(text: str) -> None:
    with pytest.raises(ValueError, match="没有年份"):
        parse_deadline(text, None)


def test_a_year_in_the_text_needs_no_plan_year() -> None:
    assert parse_deadline("2025年8月底前", None) == date(2025, 8, 31)
    assert parse_deadline("2025-08-31", None) == date(2025, 8, 31)


def test_deadline_patterns_are_a_table() -> None:
    assert len(task_sheet.DEADLINE_PATTERNS) >= 5
    assert all(isinstance(p, re.Pattern) and callable(h) for p, h in task_sheet.DEADLINE_PATTERNS)


# ---------------------------------------------------------------------------- bad sheets, rejected whole


def test_every_bad_row_is_reported_at_once() -> None:
    data = _office_sheet([
        ["2024年重点任务分解表"],
        ["序号", "任务内容", "牵头单位", "配合单位", "完成时限", "季度形象进度"],
        ["1", "改造老旧小区228个", "市住房城乡建设局", "", "下月", ""],
        ["", "城镇新增就业1.7万人", "市人力资源社会保障局", "", "年底前", ""],
        ["3", "", "市农业农村局", "", "", ""],
        ["4", "粮食总产量稳定在36万吨以上", "市农业农村局", "", "三季度末", ""],
        ["1", "重复的序号", "市农业农村局", "", "2024-02-30", ""],
    ])
    problems = _problems(data)
    assert problems == [
        (3, "完成时限「下月」无法识别"),
        (4, "序号为空"),
        (5, "任务内容为空"),
        (7, "序号「1」与第3行重复"),
        (7, "完成时限「2024-02-30」无法识别：不是有效日期"),
    ]
    with pytest.raises(SheetError) as err:
        read_task_sheet(data, year=2024)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("任务分解表有 5 处错误：第3行：完成时限「下月」无法识别；第4行：序号为空；")
    assert isinstance(err.value, ValueError)


def test_month_deadlines_without_a_year_are_row_problems() -> None:
    data = _office_sheet([["序号", "任务内容", "牵头单位", "完成时限"], ["1", "改造老旧小区228个", "市住房城乡建设局", "8月底前"],
                          ["2", "新建5G基站800个", "市经济和信息化局", "2024-11-30"]])
    assert _problems(data, year=None) == [(2, "完成时限「8月底前」无法识别：没有年份")]
    assert read_task_sheet(data, year=2024)[0].deadline == date(2024, 8, 31)


def test_the_message_stays_one_short_line() -> None:
    rows: list[list[object]] = [["序号", "任务内容", "牵头单位", "完成时限"]]
    rows += [[f"第\n{n}", f"任务{n}", "市发展改革委", "明年" * 100] for n in range(30)]
    with pytest.raises(SheetError) as err:
        read_task_sheet(_office_sheet(rows), year=2024)
    assert len(err.value.problems) == 30
    text = str(err.value)
    assert "\n" not in text and text.startswith("任务分解表有 30 处错误：") and "另有 20 处" in text
    assert len(text) < 1200


def test_missing_lead_column() -> None:
    data = _office_sheet([["序号", "任务内容", "完成时限"], ["1", "改造老旧小区228个", "年底前"]])
    assert _problems(data) == [(0, "缺少「牵头单位」列")]
    with pytest.raises(SheetError, match="缺少「牵头单位」列"):
        read_task_sheet(data)


def test_missing_content_column() -> None:
    data = _office_sheet([["序号", "工作内容", "责任单位"], ["1", "改造老旧小区228个", "市住房城乡建设局"]])
    assert _problems(data) == [(0, "缺少「任务内容」列")]


def test_no_header_in_the_first_ten_rows() -> None:
    rows: list[list[object]] = [[f"说明{n}"] for n in range(10)]
    rows += [["序号", "任务内容", "牵头单位"], ["1", "x", "y"]]
    [(line, message)] = _problems(_office_sheet(rows))
    assert line == 0 and "表头" in message


def _rewrite(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def _zip_of(name: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, text)
    return out.getvalue()


_GOOD = _office_sheet([["序号", "任务内容", "牵头单位"], ["1", "改造老旧小区228个", "市住房城乡建设局"]])
NOT_XLSX = [
    b"",
    b"\x00\x01garbage",
    bytes(range(256)) * 8,
    "序号,任务内容,牵头单位\n1,改造老旧小区228个,市住房城乡建设局\n".encode(),
    "序号,任务内容\n1,改造\n".encode("gb18030"),
    b"PK\x03\x04broken",
    _GOOD[: len(_GOOD) // 2],
    _zip_of("readme.txt", "not a workbook"),
    _zip_of("word/document.xml", "<w:document/>"),
    _rewrite(_GOOD, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]),
    _rewrite(_GOOD, "xl/workbook.xml", lambda xml: b"<<<"),
]


@pytest.mark.parametrize("payload", NOT_XLSX, ids=range(len(NOT_XLSX)))
def test_not_an_xlsx(payload: bytes) -> None:
    with pytest.raises(SheetError) as err:  # any other exception type fails the test
        read_task_sheet(payload, year=2024)
    assert err.value.problems == [(0, "不是有效的 XLSX 文件")]


def test_a_csv_file_named_by_path(tmp_path: Path) -> None:
    for name in ("任务分解表.csv", "任务分解表.xlsx"):
        path = tmp_path / name
        path.write_text("序号,任务内容,牵头单位\n1,改造老旧小区228个,市住房城乡建设局\n", encoding="utf-8")
        with pytest.raises(SheetError) as err:
            read_task_sheet(path)
        assert err.value.problems == [(0, "不是有效的 XLSX 文件")]


def test_a_missing_file_or_a_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "nowhere.xlsx", tmp_path):
        with pytest.raises(SheetError) as err:
            read_task_sheet(path)
        [(line, message)] = err.value.problems
        assert line == 0 and str(path) in message


def test_sheet_error_survives_pickling() -> None:
    err = SheetError([(5, "完成时限「下月」无法识别"), (9, "序号为空")])
    assert str(err) == "任务分解表有 2 处错误：第5行：完成时限「下月」无法识别；第9行：序号为空"
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("8月底前全面完成灾后恢复重建项目", "2024-08-31"),
        ("8月前完成28个项目", "2024-07-31"),  # before August begins: the same reading as a sheet cell
        ("年内新增城镇就业5万人以上", "2024-12-31"),
        ("三季度末前建成投用", "2024-09-30"),
        ("上半年完成主体工程", "2024-06-30"),
        ("加快建设27个省重点项目", None),
    ],
)
def test_the_extractor_reads_deadlines_with_the_sheet_grammar(sentence: str, expected: str | None) -> None:
    from govledger.extract.deadlines import find_deadline

    assert find_deadline(sentence, 2024) == expected
    cell = parse_deadline(sentence[: sentence.index("前") + 1], 2024) if "前" in sentence and expected else None
    if cell is not None:
        assert cell.isoformat() == expected
