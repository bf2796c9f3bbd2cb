"""From the plan part of a report to the tasks of its 任务分解表: one task per actionable sentence.

An office's 任务分解表 lists every sentence of the work plan that names work
to be done (加快川藏铁路雅安段建设), with or without a figure; the figures
(target records) in it are that task's indicators. So a task is a whole
sentence of the plan part, never the fragment of a sentence one figure sits
in ("加快建设27个" was a task of its own once). Which sentences name work is
decided by ``data/tasks.json`` (action verbs, sentences to skip, review
openers), and by where the sentence stands:

- a paragraph's short first sentence without a comma is its heading
  (加快先进制造业集群发展。) and groups the tasks under it;
- a paragraph that only introduces the sections after it (the 总体要求 before
  the first numbered part, the lead sentence under 一、…) gives no tasks;
- a sentence that is a bare list of targets (the 主要预期目标) gives one task
  per clause, so that 地区生产总值增长6.5%左右 can be given to the 统计局
  and judged against its own figure;
- a target restated later (the same indicator, figure and unit in another
  sentence) is linked to the task that first named it instead of making a
  near-duplicate task; so is a sentence whose text repeats an earlier task;
- every target record belongs to some task, even one outside the plan part.

The task's first indicator is its main one (a catalogue indicator such as
规模以上工业增加值 before a count of enterprises): it fills the task's single
target columns, which the progress rule compares the approved 当前值 with.

Pure: sentences and records in, ``TaskDraft`` out; the store saves them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Protocol

from govledger.extract.deadlines import find_deadline
from govledger.records import Record
from govledger.workspace.views import TaskDraft, record_deadline

_HAN = re.compile(r"[\u4e00-\u9fff]")
_TERMINAL = "。；！？!?;"


class SentenceLike(Protocol):
    """What decomposition reads of a sentence (``govledger.structure.layout.Sentence`` has it all)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def section(self) -> Sequence[str]: ...
    @property
    def part(self) -> str: ...
    @property
    def paragraph(self) -> int: ...


@dataclass(frozen=True)
class TaskRules:
    """``data/tasks.json`` compiled once."""

    verbs: tuple[str, ...]
    skip: tuple[re.Pattern[str], ...]
    review: tuple[re.Pattern[str], ...]
    strip: tuple[re.Pattern[str], ...]
    clause_marks: str
    lead_in_mark: str
    heading_max: int


@cache
def task_rules() -> TaskRules:
    """The decomposition rules of ``data/tasks.json``."""
    text = resources.files("govledger.data").joinpath("tasks.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return TaskRules(
        verbs=tuple(sorted(data["action_verbs"], key=len, reverse=True)),
        skip=tuple(re.compile(p) for p in data["skip_sentences"]),
        review=tuple(re.compile(p) for p in data["review_openers"]),
        strip=tuple(re.compile(p) for p in data["strip_prefixes"]),
        clause_marks=str(data["clause_marks"]),
        lead_in_mark=str(data["lead_in_mark"]),
        heading_max=int(data["heading_max_chars"]),
    )


def action_verb(text: str) -> str | None:
    """The first action verb of ``text`` that leaves two Chinese characters of what it acts on, else ``None``.

    "推动“一区”建设形成有效突破之势" names work; "有风有雨是常态" names none.
    The characters may stand before the verb (地区生产总值增长6.5%) or after it.
    """
    for verb in task_rules().verbs:
        at = text.find(verb)
        if at >= 0 and len(_HAN.findall(text[:at] + text[at + len(verb):])) >= 2:
            return verb
    return None


def clean_content(text: str) -> str:
    """A clause as a task's text: without 一是/我们将 in front and the full stop behind."""
    out = text.strip().rstrip(_TERMINAL)
    for pattern in task_rules().strip:
        out = pattern.sub("", out, count=1).strip()
    return out or text.strip().rstrip(_TERMINAL)


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a sentence between commas, terminators left off."""
    marks = task_rules().clause_marks + _TERMINAL
    spans: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in marks:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def is_whole_clause(content: str, sentence: str) -> bool:
    """True when ``content`` starts and ends on clause boundaries of ``sentence`` ("省重点、300个" does not)."""
    at = sentence.find(content)
    if at < 0:
        return False
    end = at + len(content)
    marks = task_rules().clause_marks + task_rules().lead_in_mark + _TERMINAL
    opens = at == 0 or sentence[at - 1] in marks or any(p.match(sentence[:at] + content) for p in task_rules().strip)
    return opens and (end == len(sentence) or sentence[end] in marks)


def _key(record: Record) -> tuple[str, str, float, str] | None:
    """What makes two target records the same target: indicator (else metric), measure, figure, unit."""
    if record.value is None:
        return None
    return (record.indicator or record.metric, record.measure, record.value, record.unit or "")


def main_first(records: Sequence[Record]) -> list[Record]:
    """Indicators with the main one first: a catalogue indicator with a figure, else any figure, else text order."""
    ranked = sorted(range(len(records)), key=lambda i: (
        0 if records[i].indicator and records[i].value is not None else 1 if records[i].value is not None else 2, i))
    return [records[i] for i in ranked]


@dataclass
class _Unit:
    """A task in the making: a sentence or one clause of it, with its records."""

    sentence: SentenceLike
    start: int  # of the clause in the report text
    end: int
    text: str
    section: list[str]
    records: list[Record]
    linked: list[str] = field(default_factory=list)  # restated targets elsewhere in the report


def _paragraphs(sentences: Iterable[SentenceLike]) -> list[list[SentenceLike]]:
    out: list[list[SentenceLike]] = []
    for s in sentences:
        if out and out[-1][0].paragraph == s.paragraph:
            out[-1].append(s)
        else:
            out.append([s])
    return out


def _heading(paragraph: list[SentenceLike], has_records: set[int]) -> str | None:
    """The paragraph's run-in heading (its short first sentence without a comma), or ``None``."""
    first = paragraph[0]
    text = first.text.strip()
    if len(paragraph) < 2 or id(first) in has_records or len(text) > task_rules().heading_max:
        return None
    if any(mark in text for mark in task_rules().clause_marks) or not text.endswith("。"):
        return None
    return clean_content(text)


def _is_intro(index: int, paragraphs: list[list[SentenceLike]], headed: set[int]) -> bool:
    """A paragraph without heading that only introduces the headed paragraphs after it in its section."""
    if index in headed:
        return False
    section = tuple(paragraphs[index][0].section)
    for later in range(index + 1, len(paragraphs)):
        other = tuple(paragraphs[later][0].section)
        if other[:len(section)] != section:
            return False  # left the section
        if later in headed or len(other) > len(section):
            return True
    return False


def _target_list(sentence: SentenceLike, records: list[Record]) -> list[tuple[int, int, list[Record]]] | None:
    """The clauses of a bare list of targets, each with its records; ``None`` when any clause carries none."""
    text = sentence.text
    lead = text.find(task_rules().lead_in_mark)
    offset = lead + 1 if lead >= 0 else 0
    spans = [(a + offset, b + offset) for a, b in clause_spans(text[offset:])]
    if len(spans) < 2:
        return None
    out = []
    for a, b in spans:
        inside = [r for r in records if r.start is not None and a <= r.start - sentence.start < b]
        if not inside:
            return None
        out.append((a, b, inside))
    return out


def _actionable(text: str) -> bool:
    rules = task_rules()
    if any(p.search(text) for p in rules.skip) or text.rstrip().endswith(rules.lead_in_mark):
        return False
    return action_verb(text) is not None


def plan_units(sentences: Sequence[SentenceLike], targets: Sequence[Record]) -> list[_Unit]:
    """The sentences and clauses that become tasks, in report order, each with its target records."""
    rules = task_rules()
    plan = [s for s in sentences if s.part == "plan"]
    owner: dict[int, SentenceLike] = {}
    for r in targets:
        if r.start is None:
            continue
        found = next((s for s in plan if s.start <= r.start < s.end), None) or \
            next((s for s in sentences if s.start <= r.start < s.end), None)
        if found is not None:
            owner[id(r)] = found
    by_sentence: dict[int, list[Record]] = {}
    for r in targets:
        if id(r) in owner:
            by_sentence.setdefault(id(owner[id(r)]), []).append(r)
    # a target outside the plan part (a five-year figure in the review) still gets its sentence's task
    extra = [s for s in sentences if s.part != "plan" and id(s) in by_sentence]
    ordered = sorted([*plan, *extra], key=lambda s: s.start)
    paragraphs = _paragraphs(ordered)
    carrying = set(by_sentence)
    headings = {i: _heading(p, carrying) for i, p in enumerate(paragraphs)}
    headed = {i for i, h in headings.items() if h}
    units: list[_Unit] = []
    for i, paragraph in enumerate(paragraphs):
        heading = headings[i]
        body = paragraph[1:] if heading else paragraph
        quiet = any(p.match(paragraph[0].text) for p in rules.review) or _is_intro(i, paragraphs, headed)
        for s in body:
            records = by_sentence.get(id(s), [])
            section = list(s.section)
            if heading and (not section or clean_content(section[-1]) != heading):
                section.append(heading)
            if not records and (quiet or s.part != "plan" or not _actionable(s.text)):
                continue
            clauses = _target_list(s, records) if len(records) > 1 else None
            if clauses:
                units += [_Unit(s, s.start + a, s.start + b, s.text[a:b], section, rs) for a, b, rs in clauses]
            else:
                units.append(_Unit(s, s.start, s.end, s.text, section, records))
    return units


def decompose(
    sentences: Sequence[SentenceLike], records: Sequence[Record], year: int, *, first_seq: int = 1,
    skip: Collection[tuple[str, str]] = (),
) -> list[TaskDraft]:
    """The tasks of a report, numbered from ``first_seq``: one per actionable sentence (or target clause) of its plan.

    ``skip`` holds the (sentence, quote) pairs that already have a task, so that
    importing a corrected version of a report adds only the new tasks and
    leaves a year of assignments alone; a pair naming one of a unit's target
    quotes counts too, so that tasks made one per figure are not doubled.
    """
    targets = [r for r in records if r.kind == "target"]
    units = plan_units(sentences, targets)
    placed = {id(r) for u in units for r in u.records}
    seen: dict[tuple[str, str, float, str], _Unit] = {}
    by_text: dict[str, _Unit] = {}
    kept: list[_Unit] = []
    for unit in units:
        fresh: list[Record] = []
        restated: list[Record] = []
        for r in unit.records:
            key = _key(r)
            first = seen.get(key) if key else None
            if first is not None and first.sentence is not unit.sentence:
                first.linked.append(r.id)  # a target restated: it belongs to the task that named it first
                restated.append(r)
            else:
                fresh.append(r)
        unit.records = fresh
        content = clean_content(unit.text)
        owner = by_text.get(content)
        if owner is not None:  # the same words again: one task
            owner.linked += [r.id for r in fresh]
        for r in fresh:
            key = _key(r)
            if key:
                seen.setdefault(key, owner or unit)
        if owner is not None:
            continue
        if restated and not fresh:
            rest = unit.text
            for r in restated:
                rest = rest.replace(r.quote, "")
            if not _actionable(rest):  # nothing but the restated figures
                continue
        by_text[content] = unit
        kept.append(unit)
    drafts: list[TaskDraft] = []
    seq = first_seq
    for unit in kept:
        draft = _draft(unit, seq, year)
        if (draft.sentence, draft.quote) in skip or any((unit.sentence.text, r.quote) in skip for r in unit.records):
            continue
        drafts.append(draft)
        seq += 1
    for r in targets:  # a target with no sentence of its own (no offsets): a task of its quote, as before
        if id(r) not in placed and (r.sentence, r.quote) not in skip and not any(r.id in d.record_ids for d in drafts):
            drafts.append(_record_draft(r, seq, year))
            seq += 1
    return drafts


def _draft(unit: _Unit, seq: int, year: int) -> TaskDraft:
    indicators = main_first(unit.records)
    main = indicators[0] if indicators else None
    if indicators:
        deadline = max(record_deadline(r, year) for r in indicators)
    else:
        found = find_deadline(unit.text, year)
        deadline = date.fromisoformat(found) if found else date(year, 12, 31)
    return TaskDraft(
        seq=str(seq), position=seq, content=clean_content(unit.text),
        record_ids=[r.id for r in indicators] + [i for i in unit.linked if i not in {r.id for r in indicators}],
        quote=unit.text.strip(), sentence=unit.sentence.text, section=list(unit.section),
        quote_start=unit.start, quote_end=unit.end,
        indicator=main.indicator if main else None, metric=main.metric if main else "",
        measure=main.measure if main else "qualitative", target_value=main.value if main else None,
        target_unit=main.unit if main else None, bound=main.bound if main else "exact",
        start_date=min(date(year, 1, 1), deadline), deadline=deadline,
    )


def _record_draft(record: Record, seq: int, year: int) -> TaskDraft:
    deadline = record_deadline(record, year)
    return TaskDraft(
        seq=str(seq), position=seq, content=record.quote, record_ids=[record.id], quote=record.quote,
        sentence=record.sentence, section=list(record.section), quote_start=record.start, quote_end=record.end,
        indicator=record.indicator, metric=record.metric, measure=record.measure, target_value=record.value,
        target_unit=record.unit, bound=record.bound, start_date=min(date(year, 1, 1), deadline), deadline=deadline,
    )
