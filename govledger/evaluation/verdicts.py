"""Score verdicts against hand-judged pairs (``tests/data/verdict_labels``).

A label is one target of report Y, read by hand against report Y+1 with the
schema's verdict rules. The pipeline's verdict for it is the row of
``verify_reports(Y, Y+1)`` whose target has the same indicator, measure, bound
and value; a label with no such row counts as a disagreement (the target was
not extracted, so it could not be judged). Agreement is the share of labels
whose verdict the pipeline gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govledger.track.verify import VerdictRow

NOT_EXTRACTED = "target not extracted"
JudgePair = Callable[[Path, Path], list[VerdictRow]]


@dataclass
class VerdictScore:
    agree: int = 0
    total: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, predicted)
    disagreements: list[tuple[dict[str, Any], VerdictRow | None]] = field(default_factory=list)
    per_pair: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.agree / self.total if self.total else 0.0


def previous_year_path(next_path: Path) -> Path:
    """corpus/other_cities/绵阳市/2024.md → …/2023.md: the labels name Y+1's file; Y sits beside it."""
    return next_path.with_name(f"{int(next_path.stem) - 1}{next_path.suffix}")


def _same_target(label: dict[str, Any], row: VerdictRow) -> bool:
    if (row.indicator, row.measure, row.bound) != (label.get("indicator"), label.get("measure"), label.get("bound")):
        return False
    a = label.get("target_value")
    if a is None:
        return row.target_value is None
    # the value as written (5000 亿元) or in the base unit (翻番: 1 番 is 100 %)
    return any(b is not None and abs(float(a) - float(b)) <= 1e-9 * max(abs(float(a)), abs(float(b)), 1e-12)
               for b in (row.target_value, row.target_base_value))


def _match(label: dict[str, Any], rows: Sequence[VerdictRow], taken: set[int]) -> VerdictRow | None:
    """The row of the same target; among several (a target restated), the one whose quote the label's holds."""
    found = [(i, r) for i, r in enumerate(rows) if i not in taken and _same_target(label, r)]
    if not found:
        # a target restated later in the report is folded into its first statement (``also_stated``) and
        # shares its verdict: the label of the restatement is judged by that row
        return next((r for r in rows if _same_target(label, r) and r.also_stated), None)
    quote = str(label.get("target_quote") or "")
    i, row = max(found, key=lambda ir: (ir[1].target_quote in quote or quote in ir[1].target_quote, -ir[0]))
    taken.add(i)
    return row


def score_verdicts(labels: Sequence[dict[str, Any]], shared: Path, judge: JudgePair) -> VerdictScore:
    """Judge each labelled pair once with ``judge(path_y, path_y1)`` and compare verdict by verdict."""
    result = VerdictScore()
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for label in labels:
        by_pair.setdefault(str(label["next_path"]), []).append(label)
    for next_path, pair_labels in sorted(by_pair.items()):
        y1 = shared / next_path
        rows = judge(previous_year_path(y1), y1)
        taken: set[int] = set()
        agree = 0
        for label in pair_labels:
            row = _match(label, rows, taken)
            predicted = row.verdict if row is not None else NOT_EXTRACTED
            result.confusion[(str(label["verdict"]), predicted)] += 1
            if predicted == label["verdict"]:
                agree += 1
            else:
                result.disagreements.append((label, row))
        result.agree += agree
        result.total += len(pair_labels)
        result.per_pair[str(pair_labels[0]["doc"])] = (agree, len(pair_labels))
    return result
