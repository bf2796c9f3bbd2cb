"""The 任务分解表 XLSX: round trips on the real yaan_2024 targets, office variants, and bad sheets rejected whole."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from govledger.export.task_sheet import (
    SheetError,
    SheetRow,
    parse_deadline,
    read_task_sheet,
    write_task_sheet,
)
from govledger.pipeline import build_ledger
from tests.conftest import REPORTS

DEPARTMENTS = ("市发展改革委", "市住房城乡建设局", "市农业农村局")


@pytest.fixture(scope="module")
def yaan_rows() -> list[SheetRow]:
    ledger = build_ledger(REPORTS / "yaan_2024.txt")
    targets = [r for r in ledger.records if r.kind == "target"]
    rows = []
    for n, r in enumerate(targets, 1):
        rows.append(SheetRow(
            seq=str(n), content=r.quote, lead=DEPARTMENTS[n % 3], co=(DEPARTMENTS[(n + 1) % 3],) if n % 2 else (),
            deadline=date.fromisoformat(r.deadline) if r.deadline else None,
            milestones="一季度：启动\n二季度：过半" if n == 1 else ""))
    rows.insert(3, SheetRow("3.1", "拆分出的子任务", DEPARTMENTS[0], (), date(2024, 6, 30), ""))
    return rows


def _bytes(rows: list[SheetRow], title: str | None = None) -> bytes:
    out = io.BytesIO()
    write_task_sheet(rows, out, title=title)
    return out.getvalue()


def _values(data: bytes) -> list[tuple[object, ...]]:
    wb = load_workbook(io.BytesIO(data))
    return [tuple(c.value for c in row) for row in wb.worksheets[0].iter_rows()]


@pytest.mark.parametrize("title", [None, "雅安市2024年政府工作报告重点任务分解表"])
def test_round_trip_changes_nothing(yaan_rows: list[SheetRow], title: str | None) -> None:
    assert len(yaan_rows) > 50 and any(r.deadline for r in yaan_rows)  # real targets, some with 月底前 deadlines
    first = _bytes(yaan_rows, title)
    back = read_task_sheet(first, year=2024)
    assert [replace(r, line=0) for r in back] == yaan_rows
    assert back[0].line == (3 if title else 2)
    second = _bytes(back, title)
    assert _values(second) == _values(first)


def test_seq_and_deadline_are_text_cells(yaan_rows: list[SheetRow]) -> None:
    wb = load_workbook(io.BytesIO(_bytes(yaan_rows)))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["序号", "任务内容", "牵头单位", "配合单位", "完成时限", "季度形象进度"]
    assert ws["A2"].value == "1" and ws["A2"].data_type == "s"
    assert ws.freeze_panes == "A2"


def _office_sheet(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_office_layout_with_titles_variant_names_numbers_and_dates() -> None:
    data = _office_sheet([
        ["2024年政府工作报告重点任务分解表"],
        ["（督查室 2024年2月）"],
        ["编号", "完成时间", "重点任务", "责任单位", "配合部门", "形象进度"],
        [1, datetime(2024, 8, 31), "改造老旧小区228个", "市住房城乡建设局", "市财政局、市自然资源局", "6月底完成过半"],
        [2.0, "年底前", "城镇新增就业1.7万人", "市人力资源社会保障局", "市财政局，市教育局; 市财政局", None],
        [None, None, None, None, None, None],
        ["3", "三季度末", "粮食总产量稳定在36万吨以上", "市农业农村局", "", ""],
    ])
    rows = read_task_sheet(data, year=2024)
    assert [r.seq for r in rows] == ["1", "2", "3"]
    assert rows[0].deadline == date(2024, 8, 31) and rows[0].co == ("市财政局", "市自然资源局")
    assert rows[1].deadline == date(2024, 12, 31) and rows[1].co == ("市财政局", "市教育局")
    assert rows[2].deadline == date(2024, 9, 30) and rows[2].line == 7
    assert rows[0].milestones == "6月底完成过半"


@pytest.mark.parametrize("text, expected", [
    ("8月底前", date(2024, 8, 31)), ("6月底前", date(2024, 6, 30)), ("年底前", date(2024, 12, 31)),
    ("年底", date(2024, 12, 31)), ("全年", date(2024, 12, 31)), ("12月底", date(2024, 12, 31)),
    ("2024年8月底", date(2024, 8, 31)), ("2025年6月底前", date(2025, 6, 30)), ("8月前", date(2024, 7, 31)),
    ("2024-08-31", date(2024, 8, 31)), ("2024/8/31", date(2024, 8, 31)), ("2024.8.31", date(2024, 8, 31)),
    ("2024年8月31日", date(2024, 8, 31)), ("2月底", date(2024, 2, 29)), ("一季度末", date(2024, 3, 31)),
    ("第一季度", date(2024, 3, 31)), ("三季度末", date(2024, 9, 30)), ("上半年", date(2024, 6, 30)),
    ("下半年", date(2024, 12, 31)), ("2025年底前", date(2025, 12, 31)), ("长期", None), ("持续推进", None),
    ("", None), (None, None), (datetime(2024, 5, 1, 9, 0), date(2024, 5, 1)), (date(2024, 5, 1), date(2024, 5, 1)),
])
def test_parse_deadline(text: object, expected: date | None) -> None:
    assert parse_deadline(text, 2024) == expected


@pytest.mark.parametrize("text", ["下月", "尽快", "2024-13-01", "8月32日前"])
def test_parse_deadline_refuses_to_guess(text: str) -> None:
    with pytest.raises(ValueError):
        parse_deadline(text, 2024)


def test_month_without_year_needs_the_report_year() -> None:
    with pytest.raises(ValueError, match="年份"):
        parse_deadline("8月底前", None)


def test_every_bad_row_is_reported_at_once() -> None:
    data = _office_sheet([
        ["序号", "任务内容", "牵头单位", "配合单位", "完成时限", "季度形象进度"],
        ["1", "改造老旧小区228个", "市住房城乡建设局", "", "下月", ""],
        ["", "城镇新增就业1.7万人", "市人力资源社会保障局", "", "", ""],
        ["3", "", "市农业农村局", "", "", ""],
        ["1", "重复的序号", "市农业农村局", "", "", ""],
    ])
    with pytest.raises(SheetError) as err:
        read_task_sheet(data, year=2024)
    rows = sorted(r for r, _ in err.value.problems)
    assert rows == [2, 3, 4, 5]
    text = str(err.value)
    assert "\n" not in text and "第2行" in text and "下月" in text and "与第2行重复" in text


def test_missing_lead_column() -> None:
    data = _office_sheet([["序号", "任务内容", "完成时限"], ["1", "改造老旧小区228个", "年底前"]])
    with pytest.raises(SheetError, match="牵头单位"):
        read_task_sheet(data, year=2024)


@pytest.mark.parametrize("payload", [b"", b"\x00\x01garbage", "序号,任务内容\n1,改造\n".encode(), b"PK\x03\x04broken"])
def test_not_an_xlsx(payload: bytes) -> None:
    with pytest.raises(SheetError) as err:
        read_task_sheet(payload, year=2024)
    assert err.value.problems == [(0, "不是有效的 XLSX 文件")]
