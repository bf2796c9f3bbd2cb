"""Issue 12 item 1: the plan part of a report becomes a 任务分解表 — one task per actionable sentence, its figures
as indicators; no fragments, no duplicates, every target attached. On the two seed city reports and hand labels."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govledger.evaluation.task_quality import check_labels, task_quality
from govledger.structure.layout import Sentence
from govledger.workspace.decompose import action_verb, clean_content, decompose, is_whole_clause
from govledger.workspace.views import TaskDraft
from tests.conftest import REPORTS
from tests.store_support import make_record

LABELS = Path(__file__).resolve().parents[1] / "data" / "task_labels"


@pytest.fixture(scope="module")
def ledgers() -> dict[str, Any]:
    from govledger.pipeline import build_ledger

    out = {}
    for doc in ("yaan_2024", "guangyuan_2024"):
        path = REPORTS / f"{doc}.txt"
        if not path.is_file():
            pytest.skip(f"sample report {path} missing")
        out[doc] = build_ledger(path)
    return out


def drafts_of(ledger: Any) -> list[TaskDraft]:
    return decompose(ledger.sentences, ledger.records, ledger.year)


def by_words(drafts: list[TaskDraft], words: str) -> TaskDraft:
    found = [d for d in drafts if words in d.content]
    assert len(found) == 1, f"{words}: {len(found)} tasks"
    return found[0]


# ----------------------------------------------------------------------------- the seed reports


@pytest.mark.parametrize("doc", ["yaan_2024", "guangyuan_2024"])
def test_seed_reports_read_as_a_task_sheet(ledgers: dict[str, Any], doc: str) -> None:
    ledger = ledgers[doc]
    drafts = drafts_of(ledger)
    q = task_quality(doc, drafts, ledger.records)
    assert q.fragments == 0, q.no_verb + q.not_whole
    assert q.duplicates == 0, q.same_text + q.same_target
    assert q.attached == q.targets > 50  # every target is some task's indicator
    assert q.tasks > 150 and q.qualitative > 100  # sentences without a figure are tasks too
    assert [d.seq for d in drafts] == [str(i) for i in range(1, len(drafts) + 1)]
    assert all(d.quote in d.sentence and is_whole_clause(d.quote, d.sentence) for d in drafts)
    labels = json.loads((LABELS / f"{doc}.json").read_text(encoding="utf-8"))
    assert check_labels(drafts, labels) == []


def test_the_fragments_of_issue_12_are_one_task_with_four_indicators(ledgers: dict[str, Any]) -> None:
    ledger = ledgers["yaan_2024"]
    drafts = drafts_of(ledger)
    assert not [d for d in drafts if d.content in ("加快建设27个", "省重点、300个", "大力推动50个")]
    task = by_words(drafts, "加快建设27个省重点、300个市重点项目")
    quotes = {r.id: r.quote for r in ledger.records}
    assert [quotes[i] for i in task.record_ids] == [
        "固定资产投资（不含农户）增长6%", "加快建设27个", "省重点、300个", "大力推动50个"]
    # the main indicator is the catalogue's: its figure is what a 当前值 is judged against
    assert (task.indicator, task.measure, task.target_value, task.target_unit) == (
        "fixed_asset_investment", "growth", 6.0, "%")
    assert task.section[-1] == "持续扩大有效益的投资"


def test_the_growth_target_of_issue_12_is_the_main_indicator_of_its_task(ledgers: dict[str, Any]) -> None:
    task = by_words(drafts_of(ledgers["yaan_2024"]), "规模以上工业增加值增长7.5%")
    assert task.content == "深入实施工业强市行动，新增规模以上工业企业50户，规模以上工业增加值增长7.5%"
    assert (task.indicator, task.target_value, len(task.record_ids)) == ("industrial_va", 7.5, 2)


def test_qualitative_sentences_are_tasks_and_headings_group_them(ledgers: dict[str, Any]) -> None:
    drafts = drafts_of(ledgers["yaan_2024"])
    rail = by_words(drafts, "加快川藏铁路雅林段建设")
    assert rail.content == "加快川藏铁路雅林段建设，推动川藏铁路名山站货运场项目开工"
    assert (rail.record_ids, rail.measure, rail.target_value, rail.deadline) == ([], "qualitative", None,
                                                                                   date(2024, 12, 31))
    assert rail.section[-1] == "奋力攻坚基础设施"
    # a heading the structure stage did not see (it has quotes in it) still groups its sentences
    assert by_words(drafts, "掌上办").section[-1] == "持续打造“四个一流”营商环境"
    # a run-in heading of the 加强政府自身建设 part: 我们将 is no part of its name or of a task's text
    assert by_words(drafts, "深入落实“第一议题”制度").section[-1] == "我们将坚持把政治建设摆在首位"
    assert not [d for d in drafts if d.content.startswith(("我们将", "一是"))]


def test_the_expected_targets_are_one_task_each(ledgers: dict[str, Any]) -> None:
    drafts = drafts_of(ledgers["guangyuan_2024"])
    first = drafts[:8]
    assert [d.indicator for d in first] == ["gdp", "industrial_va", "fixed_asset_investment", "retail_sales",
                                            "budget_revenue", "resident_income", "unemployment_surveyed", "cpi"]
    assert first[7].content == "居民消费价格涨幅控制在3%左右" and first[7].target_value == 3.0
    # the review paragraph inside 加强政府自身建设 and the lead-ins give no tasks
    assert not [d for d in drafts if "办结率100%" in d.sentence or d.sentence.startswith("过去一年")]


def test_an_earlier_deadline_in_words_stands_for_a_sentence_without_figures() -> None:
    text = "8月底前全面完成重建项目。"
    s = Sentence(0, len(text), text, ("工作安排", "一、重建"), "plan", 1, False)
    (task,) = decompose([s], [], 2024)
    assert task.deadline == date(2024, 8, 31) and task.start_date == date(2024, 1, 1)


# ----------------------------------------------------------------------------- restated targets, re-imports


def _sentences(paragraphs: list[list[str]]) -> tuple[str, list[Sentence]]:
    text, out = "", []
    for n, paragraph in enumerate(paragraphs):
        for sentence in paragraph:
            out.append(Sentence(len(text), len(text) + len(sentence), sentence, ("2024年工作安排", "二、工业"),
                                "plan", n, False))
            text += sentence
        text += "\n"
    return text, out


def _target(text: str, n: int, quote: str, **fields: Any) -> Any:
    start = text.index(quote, fields.pop("after", 0))
    return make_record("d", n, quote=quote, sentence="", start=start, end=start + len(quote), **fields)


def test_a_restated_target_links_to_the_task_that_named_it() -> None:
    growth = {"indicator": "industrial_va", "metric": "规模以上工业增加值", "measure": "growth", "value": 7.5,
              "unit": "%"}
    text, sentences = _sentences([
        ["深入实施工业强市行动，规模以上工业增加值增长7.5%。", "大力培育瞪羚企业，规模以上工业增加值增长7.5%。"],
        ["确保规模以上工业增加值增长7.5%。", "深入实施工业强市行动，规模以上工业增加值增长7.5%。"],
    ])
    records = [_target(text, 1, "规模以上工业增加值增长7.5%", **growth),
               _target(text, 2, "规模以上工业增加值增长7.5%", after=20, **growth),
               _target(text, 3, "规模以上工业增加值增长7.5%", after=40, **growth),
               _target(text, 4, "规模以上工业增加值增长7.5%", after=50, **growth)]
    drafts = decompose(sentences, records, 2024)
    # the second sentence names other work too: a task of its own, the restated figure linked to the first
    assert [d.content for d in drafts] == ["深入实施工业强市行动，规模以上工业增加值增长7.5%", "大力培育瞪羚企业，规模以上工业增加值增长7.5%"]
    assert drafts[0].record_ids == ["d#1", "d#2", "d#3", "d#4"] and drafts[1].record_ids == []
    assert drafts[0].target_value == 7.5 and drafts[1].target_value is None


def test_a_sentence_said_twice_is_one_task_with_both_figures() -> None:
    inns = {"metric": "新增旅游民宿", "unit": "家", "value": 100.0}
    text, sentences = _sentences([["打响“熊猫雅宿”品牌，新增旅游民宿100家。"], ["打响“熊猫雅宿”品牌，新增旅游民宿100家。"],
                                  ["精心打造国际旅游线路，新增旅游民宿100家。"]])
    records = [_target(text, 1, "新增旅游民宿100家", **inns), _target(text, 2, "新增旅游民宿100家", after=25, **inns),
               _target(text, 3, "新增旅游民宿100家", after=50, **inns)]
    drafts = decompose(sentences, records, 2024)
    assert [(d.content, d.record_ids) for d in drafts] == [
        ("打响“熊猫雅宿”品牌，新增旅游民宿100家", ["d#1", "d#2", "d#3"]), ("精心打造国际旅游线路，新增旅游民宿100家", [])]


def test_a_corrected_report_adds_only_new_tasks() -> None:
    text, sentences = _sentences([["推动“一区”建设形成有效突破之势。", "编制实施试验区初步规划。", "新增旅游民宿100家。",
                                   "争取省级层面出台支持政策。"]])
    records = [_target(text, 1, "新增旅游民宿100家", metric="新增旅游民宿", unit="家", value=100.0)]
    every = decompose(sentences, records, 2024, first_seq=1)
    assert [(d.seq, d.content, d.record_ids) for d in every] == [
        ("1", "编制实施试验区初步规划", []), ("2", "新增旅游民宿100家", ["d#1"]), ("3", "争取省级层面出台支持政策", [])]
    again = decompose(sentences, records, 2024, first_seq=4, skip={(every[0].sentence, every[0].quote)})
    assert [(d.seq, d.position, d.content) for d in again] == [("4", 4, "新增旅游民宿100家"), ("5", 5, "争取省级层面出台支持政策")]
    assert all(d.section == ["2024年工作安排", "二、工业", "推动“一区”建设形成有效突破之势"] for d in every)
    # a task made one per figure by an older version (its quote is the record's) keeps its sentence from doubling
    legacy = decompose(sentences, records, 2024, skip={(sentences[2].text, "新增旅游民宿100家")})
    assert [d.content for d in legacy] == ["编制实施试验区初步规划", "争取省级层面出台支持政策"]
    assert decompose([], [], 2024) == []


def test_a_target_without_a_sentence_still_gets_a_task() -> None:
    lone = make_record("d", 9, quote="新建项目9个", sentence="新建项目9个。", start=None, end=None)
    other = make_record("d", 8, kind="achievement")
    (task,) = decompose([], [lone, other], 2024)
    assert (task.content, task.record_ids, task.target_value) == ("新建项目9个", ["d#9"], 9.0)


# ----------------------------------------------------------------------------- the rules of data/tasks.json


@pytest.mark.parametrize(("text", "verb"), [
    ("加快川藏铁路雅林段建设", "建设"), ("持续提升天然气保供能力", "提升"), ("城镇新增就业1.7万人", "新增"),
    ("有风有雨是常态，风雨兼程是状态", None), ("守初心、担使命，一行胜千言", None), ("加快", None),
])
def test_action_verb(text: str, verb: str | None) -> None:
    found = action_verb(text)
    assert (found is None) == (verb is None) and (verb is None or found in text)


def test_clean_content_and_whole_clauses() -> None:
    assert clean_content("一是坚决把“一区一地引领”作为方向指引，提升雅安战略位势。") == "坚决把“一区一地引领”作为方向指引，提升雅安战略位势"
    assert clean_content("我们将坚持把政治建设摆在首位。") == "坚持把政治建设摆在首位"
    sentence = "优化项目推进机制，加快建设27个省重点、300个市重点项目，固定资产投资增长6%。"
    assert is_whole_clause("加快建设27个省重点、300个市重点项目", sentence)
    assert not is_whole_clause("加快建设27个", sentence) and not is_whole_clause("省重点、300个", sentence)
    assert not is_whole_clause("不在句中", sentence)


# ----------------------------------------------------------------------------- a corrected report in the store


def test_a_corrected_report_keeps_the_tasks_and_links_them_to_the_new_records(api: Any, tmp_path: Path) -> None:
    """Records are numbered through the report: dropping a sentence renumbers the rest. The stored tasks keep their
    assignments and point at their sentence's records again; no task is added twice."""
    from govledger.pipeline import build_ledger
    from govledger.workspace import SYSTEM

    housing = api.assign(api.by_content("改造老旧小区228个"), "市住房城乡建设局")
    n = api.tasks()["total"]
    text = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    assert text.count("粮食总产量稳定在36万吨以上。") == 1
    corrected = tmp_path / "yaan_2024.txt"
    corrected.write_text(text.replace("粮食总产量稳定在36万吨以上。", ""), encoding="utf-8")
    ledger = build_ledger(corrected, doc="yaan_2024")
    outcome, new = api.ws.import_ledger(SYSTEM, ledger)
    assert (outcome.status, new) == ("replaced", 0)
    assert api.tasks()["total"] == n  # the dropped sentence's task stays: a year of work is never deleted
    after = api.task(housing["id"])
    (record,) = [r for r in ledger.records if r.quote == "改造老旧小区228个"]
    assert after["record_ids"] == [record.id] != housing["record_ids"]
    assert (after["lead"], after["target_value"], after["version"]) == ("市住房城乡建设局", 228.0, housing["version"] + 1)
    entry = api.ok("sup", "GET", "/audit", params={"limit": 1})[0]
    assert entry["action"] == "report.import" and entry["after"]["relinked_tasks"] > 40
    # importing it once more changes nothing
    assert api.ws.import_ledger(SYSTEM, ledger)[1] == 0 and api.task(housing["id"])["version"] == after["version"]
