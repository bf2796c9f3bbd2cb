"""How well a report's tasks read as an office's 任务分解表: counts without labels, and checks against labels.

Without labels (``task_quality``): tasks per report, fragments (a task text
that names no work — no action verb with something it acts on — or that
starts or ends inside a clause of its sentence, as "省重点、300个" did;
a clause of the 主要预期目标 that names its indicator and figure without a
verb, 城镇调查失业率5.5%左右, is counted apart as a bare target),
duplicates (two tasks with the same text, or the same target figure as
the indicator of two tasks), and the share of target records attached to
some task (it should be all of them).

With labels (``check_labels``, ``tests/data/task_labels/<doc>.json``): read
off the report by hand, each entry a group of short phrases that must all
stand in one task, a different task for every group, and phrases that must
stand in no task (slogans, review sentences, headings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govledger.records import Record
from govledger.workspace.decompose import action_verb, is_whole_clause
from govledger.workspace.views import TaskDraft


@dataclass
class Quality:
    """The label-free figures of one report's tasks."""

    doc: str
    tasks: int
    with_indicators: int
    qualitative: int
    no_verb: list[str] = field(default_factory=list)
    bare_targets: list[str] = field(default_factory=list)
    not_whole: list[str] = field(default_factory=list)
    same_text: list[str] = field(default_factory=list)
    same_target: list[str] = field(default_factory=list)
    targets: int = 0
    attached: int = 0

    @property
    def fragments(self) -> int:
        return len(set(self.no_verb) | set(self.not_whole))

    @property
    def duplicates(self) -> int:
        return len(self.same_text) + len(self.same_target)

    @property
    def attached_share(self) -> float:
        return 100.0 * self.attached / self.targets if self.targets else 100.0


def task_quality(doc: str, drafts: Sequence[TaskDraft], records: Sequence[Record]) -> Quality:
    """The label-free figures of ``drafts`` made from ``records``."""
    targets = [r for r in records if r.kind == "target"]
    by_id = {r.id: r for r in targets}
    q = Quality(doc=doc, tasks=len(drafts), with_indicators=sum(1 for d in drafts if d.record_ids),
                qualitative=sum(1 for d in drafts if not d.record_ids), targets=len(targets))
    attached = {i for d in drafts for i in d.record_ids}
    q.attached = sum(1 for r in targets if r.id in attached)
    for d in drafts:
        if action_verb(d.content) is not None:
            continue
        if d.record_ids and d.metric and d.metric in d.content:
            q.bare_targets.append(d.content)  # 城镇调查失业率5.5%左右: an indicator and its figure, as the report lists them
        else:
            q.no_verb.append(d.content)
    q.not_whole = [d.quote for d in drafts if not is_whole_clause(d.quote, d.sentence)]
    q.same_text = [t for t, n in Counter(d.content for d in drafts).items() if n > 1]
    owners: dict[tuple[Any, ...], set[str]] = {}
    for d in drafts:
        for i in d.record_ids:
            r = by_id.get(i)
            if r is not None and r.value is not None:
                owners.setdefault((r.indicator or r.metric, r.measure, r.value, r.unit), set()).add(d.seq)
    q.same_target = [f"{k[0]} {k[2]:g}{k[3] or ''}" for k, seqs in owners.items() if len(seqs) > 1]
    return q


def check_labels(drafts: Sequence[TaskDraft], labels: dict[str, Any]) -> list[str]:
    """What the tasks get wrong against ``labels``: one line per miss, empty when all hold."""
    problems: list[str] = []
    used: dict[str, str] = {}
    for group in labels.get("tasks", []):
        phrases = group["phrases"]
        holders = [d for d in drafts if all(p in d.content for p in phrases)]
        if len(holders) != 1:
            problems.append(f"{'、'.join(phrases)}: in {len(holders)} tasks, expected one")
            continue
        seq = holders[0].seq
        if seq in used:
            problems.append(f"{'、'.join(phrases)}: shares task {seq} with {used[seq]}")
        used[seq] = "、".join(phrases)
    for phrase in labels.get("not_tasks", []):
        found = [d.seq for d in drafts if phrase in d.content]
        if found:
            problems.append(f"{phrase}: should be no task, is in {', '.join(found)}")
    for text in labels.get("not_task_texts", []):
        found = [d.seq for d in drafts if d.content == text]
        if found:
            problems.append(f"{text}: a heading, not a task, is task {', '.join(found)}")
    return problems
