"""The pure rules under the workspace: 序时进度 and status, progress from figures and roll-ups, evidence checks, decompose.

No database and no app: plain values in, plain values out, so each rule is
pinned down at its edges (the deadline day itself, exactly the margin, the
limit to the byte) and with a few hypothesis properties.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govledger.errors import Invalid, TooLarge
from govledger.workspace.evidence import allowed_extensions, attachment_rules, check_attachment
from govledger.workspace.rules import (
    TaskFacts,
    classify_pace,
    department_rag,
    derive_status,
    numeric_progress,
    ranking_score,
    rollup,
    status_colour,
    status_label,
    time_share,
    weighted_progress,
    workspace_rules,
)
from govledger.workspace.views import record_deadline
from tests.store_support import make_record

JAN1, DEC31, SEP1 = date(2024, 1, 1), date(2024, 12, 31), date(2024, 9, 1)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def facts(progress: float = 0.0, *, has: bool | None = None, closed: bool = False, deadline: date = DEC31,
          start: date = JAN1) -> TaskFacts:
    return TaskFacts(start, deadline, progress, progress > 0 if has is None else has, closed)


# ----------------------------------------------------------------------------- 序时进度 and pace


def test_time_share() -> None:
    assert time_share(JAN1, DEC31, SEP1) == pytest.approx(100 * 245 / 366)  # 2024 is a leap year
    assert time_share(JAN1, DEC31, JAN1) == pytest.approx(100 / 366)  # the first day counts as elapsed
    assert time_share(JAN1, DEC31, DEC31) == 100.0
    assert time_share(JAN1, DEC31, date(2023, 12, 1)) == 0.0  # before the start
    assert time_share(JAN1, DEC31, date(2025, 6, 1)) == 100.0  # after the deadline
    assert time_share(DEC31, JAN1, SEP1) == 100.0  # a deadline before the start: all the time is gone
    assert time_share(SEP1, SEP1, SEP1) == 100.0


@given(st.dates(date(2000, 1, 1), date(2060, 12, 31)), st.integers(0, 4000), st.integers(-5000, 5000))
def test_time_share_is_a_percent_that_never_goes_back(start: date, length: int, offset: int) -> None:
    deadline, today = start + timedelta(days=length), start + timedelta(days=offset)
    share = time_share(start, deadline, today)
    assert 0.0 <= share <= 100.0
    assert time_share(start, deadline, today + timedelta(days=1)) >= share


def test_pace_margin_edges() -> None:
    assert classify_pace(57.0, 67.0, 10) == "on_pace"  # exactly the margin behind is still on pace
    assert classify_pace(56.9, 67.0, 10) == "behind"
    assert classify_pace(77.0, 67.0, 10) == "on_pace"
    assert classify_pace(77.1, 67.0, 10) == "ahead"
    assert classify_pace(0.0, 5.0) == "on_pace" and classify_pace(0.0, 10.1) == "behind"


# ----------------------------------------------------------------------------- status


def test_status_rules_in_order() -> None:
    assert derive_status(facts(0, closed=True, deadline=date(2024, 3, 31)), SEP1) == "done"  # 办结 beats 逾期
    assert derive_status(facts(100), SEP1) == "done"
    assert derive_status(facts(100, deadline=date(2024, 3, 31)), SEP1) == "done"
    assert derive_status(facts(99.9, deadline=date(2024, 8, 31)), SEP1) == "overdue"
    assert derive_status(facts(0, deadline=SEP1), SEP1) == "behind"  # the deadline day itself is not yet overdue
    assert derive_status(facts(0, deadline=SEP1 - timedelta(days=1)), SEP1) == "overdue"
    assert derive_status(facts(0), SEP1) == "behind"  # nothing reported by September: 滞后, not 未开始
    assert derive_status(facts(56.9), SEP1) == "behind"
    assert derive_status(facts(57.0), SEP1) == "in_progress"
    assert derive_status(facts(90), SEP1) == "in_progress"
    assert derive_status(facts(0), date(2024, 1, 20)) == "not_started"
    assert derive_status(facts(0, has=True), date(2024, 1, 20)) == "in_progress"  # reported, even if 0%
    assert derive_status(facts(0, deadline=date(2031, 12, 31)), SEP1) == "not_started"
    assert derive_status(facts(30, has=False), SEP1, margin=50) == "in_progress"
    assert derive_status(facts(0), SEP1, margin=70) == "not_started"  # a wider margin tolerates more


@given(st.floats(0, 100), st.booleans(), st.booleans(), st.integers(-400, 400))
def test_status_is_always_one_of_five_and_done_wins(progress: float, has: bool, closed: bool, days: int) -> None:
    f = TaskFacts(JAN1, DEC31, progress, has, closed)
    status = derive_status(f, SEP1 + timedelta(days=days))
    assert status in workspace_rules()["statuses"]
    assert (status == "done") == (closed or progress >= 100)


def test_status_words_and_colours() -> None:
    rules = workspace_rules()
    assert {s: status_label(s) for s in rules["statuses"]} == {
        "not_started": "未开始", "in_progress": "推进中", "done": "已完成", "behind": "滞后", "overdue": "逾期"}
    assert all(status_colour(s).startswith("#") for s in rules["statuses"])
    assert rules["paces"] == {"behind": "欠进度", "on_pace": "达进度", "ahead": "超进度"}


def test_roles_table_is_what_the_issue_asks() -> None:
    """Issue 12 item 3, separation of duties: the office (admin, supervisor) reviews and reads evidence, only the
    task's own departments report (feedback, extension requests) and read its evidence."""
    roles = workspace_rules()["roles"]
    assert set(roles["admin"]["can"]) >= {"manage_users", "manage_departments", "import", "assign", "review",
                                          "reopen", "publish", "read", "read_evidence"}
    assert not {"feedback", "extension_request"} & set(roles["admin"]["can"])
    assert set(roles["supervisor"]["can"]) == {"read", "assign", "review", "reopen", "publish", "read_evidence"}
    assert set(roles["department"]["can"]) == {"read", "feedback", "extension_request", "read_evidence"}
    assert set(roles["department"]["own_department_only"]) == {"feedback", "extension_request", "read_evidence"}
    assert roles["viewer"]["can"] == ["read"]


# ----------------------------------------------------------------------------- progress from figures


def test_numeric_progress_of_amounts() -> None:
    assert numeric_progress(228, "exact", "value", 114) == 50.0  # 改造老旧小区228个, 114 done
    assert numeric_progress(20, "min", "value", 25) == 100.0  # 20个以上: more is capped at 100
    assert numeric_progress(36, "approx", "value", 12) == pytest.approx(33.3)
    assert numeric_progress(3, "exact", "value", 1) == 33.3  # one decimal
    assert numeric_progress(228, "exact", "value", -5) == 0.0
    assert numeric_progress(228, "exact", "value", 0) == 0.0
    # no figure that fits: the department's percent counts instead
    assert numeric_progress(None, "exact", "value", 5) is None
    assert numeric_progress(228, "exact", "value", None) is None
    assert numeric_progress(0, "exact", "value", 5) is None
    assert numeric_progress(None, "exact", "qualitative", 5) is None


def test_numeric_progress_of_growth_ratio_and_level_targets() -> None:
    """Issue 12: an approved 当前值 8.1 on 规模以上工业增加值增长7.5% (yaan_2024) is 100 %, not 0 % and 逾期."""
    assert numeric_progress(7.5, "exact", "growth", 8.1, indicator="industrial_va", metric="规模以上工业增加值") == 100.0
    assert numeric_progress(7.5, "exact", "growth", 7.5, indicator="industrial_va") == 100.0
    assert numeric_progress(7.5, "exact", "growth", 6.0, indicator="industrial_va") == 80.0
    # 地区生产总值增长6.5%左右: within the verdict rules' 0.2 points it is met
    assert numeric_progress(6.5, "approx", "growth", 6.4, indicator="gdp") == 100.0
    assert numeric_progress(6.5, "approx", "growth", 6.1, indicator="gdp") == 93.8
    assert numeric_progress(6.5, "min", "growth", 6.4, indicator="gdp") == 98.5  # 6.5%以上 has no tolerance
    assert numeric_progress(6.0, "exact", "growth", -1.0, indicator="fixed_asset_investment") == 0.0
    # 基本养老保险参保率达到95%以上, 机架规模达到4万个: a ratio or a level reached
    assert numeric_progress(95, "min", "ratio", 90, metric="基本养老保险参保率") == 94.7
    assert numeric_progress(4, "exact", "value", 4.2, metric="中国·雅安大数据产业园机架") == 100.0


def test_numeric_progress_of_ceilings_and_decreases() -> None:
    """A ceiling is met while at or below it; the direction is the catalogue's (cpi, unemployment: down)."""
    # guangyuan_2024: 居民消费价格涨幅控制在3%左右, 城镇调查失业率5.5%左右
    assert numeric_progress(3.0, "approx", "growth", 0.3, indicator="cpi", metric="居民消费价格") == 100.0
    assert numeric_progress(3.0, "approx", "growth", 3.2, indicator="cpi") == 100.0  # within 0.2 points
    assert numeric_progress(3.0, "approx", "growth", 3.6, indicator="cpi") == 83.3
    assert numeric_progress(5.5, "approx", "ratio", 5.2, indicator="unemployment_surveyed") == 100.0
    assert numeric_progress(5.5, "approx", "ratio", 6.6, indicator="unemployment_surveyed") == 83.3
    # the same figures on an up indicator would be short of the target: the direction decides
    assert numeric_progress(3.0, "approx", "growth", 0.3, indicator="gdp") == 10.0
    # a bound 以内 is a ceiling whatever the indicator
    assert numeric_progress(3.5, "max", "value", 1) == 100.0
    assert numeric_progress(3.5, "max", "value", 7) == 50.0
    # 力争全市规上工业单位增加值能耗同比下降10%以上 (guangyuan_2024): stored −10, the figure signed alike
    down = {"indicator": "industrial_energy_intensity", "metric": "规上工业单位增加值能耗"}
    assert numeric_progress(-10, "min", "growth", -11, **down) == 100.0
    assert numeric_progress(-10, "min", "growth", -4, **down) == 40.0
    assert numeric_progress(-10, "min", "growth", 2, **down) == 0.0
    # off the catalogue the metric's words give the direction (data/verdicts.json)
    assert numeric_progress(3.0, "exact", "ratio", 2.5, metric="城镇登记失业率") == 100.0


def test_weighted_progress() -> None:
    assert weighted_progress([]) == 0.0
    assert weighted_progress([(1, 100), (3, 0)]) == 25.0
    assert weighted_progress([(2, 50), (2, 50)]) == 50.0
    assert weighted_progress([(0, 100), (0, 0)]) == 50.0  # no weights at all: plain mean
    assert weighted_progress([(-1, 100), (1, 20)]) == 20.0  # a negative weight counts as none


def test_rollup_at_any_depth() -> None:
    #        1
    #      /   \
    #   2 (w1)  3 (w3)
    #          /   \
    #      4 (w1)  5 (w1)
    parent_of: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 3, 5: 3, 6: None}
    weight = {1: 1.0, 2: 1.0, 3: 3.0, 4: 1.0, 5: 1.0, 6: 2.0}
    own = {1: 99.0, 2: 100.0, 3: 99.0, 4: 50.0, 5: 0.0, 6: 12.34}
    out = rollup(parent_of, weight, own)
    assert out == {1: 43.8, 2: 100.0, 3: 25.0, 4: 50.0, 5: 0.0, 6: 12.3}  # a parent's own figure is ignored
    deeper = rollup({**parent_of, 7: 5, 8: 5}, {**weight, 7: 1.0, 8: 3.0}, {**own, 7: 100.0, 8: 0.0})
    assert deeper[5] == 25.0 and deeper[3] == 37.5 and deeper[1] == pytest.approx(53.1)


def test_rollup_survives_bad_shapes() -> None:
    assert rollup({1: 2, 2: 1}, {1: 1.0, 2: 1.0}, {1: 40.0, 2: 60.0}) in ({1: 40.0, 2: 40.0}, {1: 60.0, 2: 60.0})
    assert rollup({1: 99}, {}, {1: 30.0}) == {1: 30.0}  # a parent outside the map: a root
    assert rollup({}, {}, {}) == {}


@settings(max_examples=60)
@given(st.lists(st.tuples(st.floats(0.01, 1000), st.floats(0, 100)), min_size=1, max_size=8), st.integers(1, 4))
def test_rollup_of_a_chain_stays_between_its_leaves(leaves: list[tuple[float, float]], depth: int) -> None:
    parent_of: dict[int, int | None] = {0: None}
    for level in range(1, depth):
        parent_of[level] = level - 1
    weight, own = {i: 1.0 for i in parent_of}, {i: 0.0 for i in parent_of}
    for n, (w, p) in enumerate(leaves, 100):
        parent_of[n], weight[n], own[n] = depth - 1, w, p
    out = rollup(parent_of, weight, own)
    lo, hi = min(p for _, p in leaves), max(p for _, p in leaves)
    assert all(lo - 0.1 <= out[i] <= hi + 0.1 for i in range(depth))
    assert out[0] == out[depth - 1]


def test_department_rag_and_ranking() -> None:
    assert department_rag({"done": 3, "overdue": 1}) == "red"
    assert department_rag({"done": 3, "behind": 1}) == "amber"
    assert department_rag({"done": 3, "in_progress": 2}) == department_rag({}) == "green"
    assert ranking_score({"done": 2, "in_progress": 2}) == 50.0
    assert ranking_score({"done": 1, "overdue": 1}) == -50.0  # an overdue task costs two done ones
    assert ranking_score({"done": 1, "behind": 1}) == 0.0
    assert ranking_score({}) == 0.0


# ----------------------------------------------------------------------------- evidence files


def _zip(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for m in members:
            zf.writestr(m, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "ctype"), [
    ("验收报告.pdf", PDF, "application/pdf"),
    ("SCAN.PDF", PDF, "application/pdf"),
    ("照片.png", PNG, "image/png"),
    ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"),
    ("照片.JPEG", b"\xff\xd8\xff\xe1" + b"\x00" * 10, "image/jpeg"),
    ("动图.gif", b"GIF89a" + b"\x00" * 10, "image/gif"),
    ("旧图.gif", b"GIF87a" + b"\x00" * 10, "image/gif"),
    ("图.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ("台账.xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("../../etc/证明.pdf", PDF, "application/pdf"),
])
def test_accepted_evidence(name: str, data: bytes, ctype: str) -> None:
    assert check_attachment(name, data) == ctype


@pytest.mark.parametrize(("name", "data", "words"), [
    ("证明.pdf", "这其实是一段文本".encode(), "不是 PDF"),
    ("照片.png", PDF, "不是 PNG"),
    ("照片.jpg", PNG, "不是 JPG"),
    ("图.webp", b"RIFF\x10\x00\x00\x00AVI LIST", "不是 WEBP"),  # RIFF, but not WebP
    ("台账.xlsx", _zip("[Content_Types].xml", "word/document.xml"), "不是 XLSX"),  # a Word file renamed
    ("台账.xlsx", b"PK\x03\x04 broken zip", "不是 XLSX"),
    ("run.exe", b"MZ\x90\x00", "类型不允许"),
    ("宏.xlsm", _zip("xl/workbook.xml"), "类型不允许"),
    ("README", b"hello", "类型不允许"),
    ("空.pdf", b"", "空文件"),
    ("", PDF, "缺少文件名"),
    ("dir/", PDF, "类型不允许"),  # the last part of the path is the name
])
def test_refused_evidence(name: str, data: bytes, words: str) -> None:
    with pytest.raises(Invalid, match=words) as caught:
        check_attachment(name, data)
    assert caught.value.status == 422 and "\n" not in caught.value.message


def test_evidence_size_limit() -> None:
    limit = int(attachment_rules()["max_bytes"])
    assert limit == 10 * 1024 * 1024
    at_limit = PDF + b"0" * (limit - len(PDF))
    assert check_attachment("a.pdf", at_limit) == "application/pdf"
    with pytest.raises(TooLarge, match="超过上限 10 MB") as caught:
        check_attachment("a.pdf", at_limit + b"0")
    assert caught.value.status == 413
    with pytest.raises(TooLarge):
        check_attachment("a.pdf", PDF + b"0" * 100, max_bytes=50)
    with pytest.raises(TooLarge):  # size is checked before type: a huge file is never sniffed
        check_attachment("a.exe", b"0" * 100, max_bytes=50)


def test_allowed_extensions() -> None:
    assert set(allowed_extensions()) == {"pdf", "png", "jpg", "jpeg", "gif", "webp", "xlsx"}
    assert attachment_rules()["max_files"] == 5


# ----------------------------------------------------------------------------- deadlines of drafts


def test_record_deadline() -> None:
    assert record_deadline(make_record("d", 1, deadline="2024-08-31"), 2024) == date(2024, 8, 31)
    assert record_deadline(make_record("d", 1, deadline="2024-06-30T00:00:00"), 2024) == date(2024, 6, 30)
    assert record_deadline(make_record("d", 1, deadline=None, period=2025), 2024) == date(2025, 12, 31)
    assert record_deadline(make_record("d", 1, deadline="2024年底", period=None, year=None), 2023) == date(2023, 12, 31)
    assert record_deadline(make_record("d", 1, deadline=None, period=None, year=2024), 2023) == date(2024, 12, 31)


def test_ranking_ties_follow_the_stated_rule_and_boards_name_commendation_and_criticism() -> None:
    """Issue 12 item 6: equal scores are ordered by fewer 逾期, fewer 滞后, higher completion; fully equal ones share
    a rank. 红榜 is the commendation list (nothing late, something done), 黑榜 the criticism list (anything 逾期)."""
    from govledger.workspace.rules import RANKING_RULE, board_of, ranking_key

    # the same score −100, different reasons: two overdue of four beats one overdue of two? no — fewer overdue wins
    a = {"overdue": 1, "not_started": 1}            # score −100, 1 overdue
    b = {"overdue": 2, "done": 2}                     # score −50
    c = {"behind": 2}                                 # score −100, 0 overdue
    d = {"overdue": 1, "in_progress": 1}              # score −100, 1 overdue: ties with a
    order = sorted(["a", "b", "c", "d"], key=lambda k: (ranking_key({"a": a, "b": b, "c": c, "d": d}[k]), k))
    assert order == ["b", "c", "a", "d"]
    assert ranking_key(a) == ranking_key(d)
    assert "并列" in RANKING_RULE and "逾期少者在前" in RANKING_RULE
    assert board_of({"done": 3, "in_progress": 1}) == "red"
    assert board_of({"done": 3, "overdue": 1}) == "black"
    assert board_of({"done": 3, "behind": 1}) == ""
    assert board_of({"not_started": 2}) == ""
