"""Score extracted records against the hand-labelled plan-part quantities.

Why a second scorer: the gold file (``gold/*.jsonl``) only holds catalogue
indicators, so it cannot tell whether *every* quantified target of a plan
part comes out, nor whether the extractor invents records there.  The labels
under ``tests/data/labels/`` hold every quantity of the plan part of several
reports (city, province, national), each with its ``start`` offset, and
``spans.json`` gives the character span of each plan part.

The rules, as the labels' README states them:

* A prediction matches a label when ``doc``, ``kind``, ``measure``,
  ``base_unit`` and ``bound`` are equal and ``base_value`` agrees within a
  relative 1e-9.  Metric wording and catalogue ids are not part of the key:
  they are reported as per-field accuracy on the matched pairs instead.
* Matching is one-to-one and greedy in document order: labels are taken in
  order of ``start``; each takes the unused matching prediction nearest to
  its own ``start`` (the first one when offsets are missing).
* Recall is over the numeric labels; ``qualitative`` labels (targets without
  a number) are scored apart on ``doc``/``kind``/``indicator``.
* Precision is over the numeric predictions that lie in a labelled plan part:
  the prediction's ``doc`` has a span and its ``start`` (the character offset
  of its quote, an extra field the extractor emits) falls inside it.  A
  prediction without ``start`` for a doc with a span is counted (it cannot be
  placed, so it is not given the benefit of the doubt).  A doc without a span
  counts all its predictions.  Predictions of documents that have no labels
  are ignored.

Everything here is a pure function of its arguments; reading the label files
is left to :func:`load_labels`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govledger.evaluation.metric_words import metric_agrees

Record = dict[str, Any]
Span = tuple[int, int]

KEY_FIELDS: tuple[str, ...] = ("doc", "kind", "measure", "base_unit", "bound")
FIELD_CHECKS: tuple[str, ...] = ("value", "unit", "metric", "strength", "deadline", "estimated", "indicator")
QUALITATIVE = "qualitative"


@dataclass
class Score:
    """True positives, false positives, false negatives and the usual ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class QuantityScore:
    """The result of :func:`score_quantities`."""

    numeric: Score = field(default_factory=Score)
    qualitative: Score = field(default_factory=Score)
    by_doc: dict[str, Score] = field(default_factory=dict)
    # field -> (correct, compared) over the matched numeric pairs
    field_accuracy: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: list[Record] = field(default_factory=list)
    false_positives: list[Record] = field(default_factory=list)
    matched: list[tuple[Record, Record]] = field(default_factory=list)  # (prediction, label)
    ignored_predictions: int = 0  # other documents, outside the plan span

    @property
    def precision(self) -> float:
        return self.numeric.precision

    @property
    def recall(self) -> float:
        return self.numeric.recall

    @property
    def f1(self) -> float:
        return self.numeric.f1

    def to_dict(self) -> dict[str, Any]:
        return {
            "numeric": self.numeric.to_dict(),
            "qualitative": self.qualitative.to_dict(),
            "by_doc": {d: s.to_dict() for d, s in sorted(self.by_doc.items())},
            "field_accuracy": {
                f: {"correct": ok, "total": n, "accuracy": ok / n if n else 0.0}
                for f, (ok, n) in self.field_accuracy.items()
            },
            "misses": self.misses,
            "false_positives": self.false_positives,
            "ignored_predictions": self.ignored_predictions,
        }


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def quantity_match(pred: Mapping[str, Any], label: Mapping[str, Any]) -> bool:
    """The match rule: key fields equal, ``base_value`` within relative 1e-9."""
    return all(pred.get(f) == label.get(f) for f in KEY_FIELDS) and _close(
        pred.get("base_value"), label.get("base_value")
    )


def _field_equal(name: str, pred: Mapping[str, Any], label: Mapping[str, Any]) -> bool:
    if name == "value":
        return _close(pred.get(name), label.get(name))
    return pred.get(name) == label.get(name)


def _start(rec: Mapping[str, Any]) -> int | None:
    s = rec.get("start")
    return s if isinstance(s, int) and not isinstance(s, bool) else None


def _order(recs: list[Record]) -> list[int]:
    """Indices in document order: by doc, then start (records without start keep their place last)."""
    return sorted(
        range(len(recs)),
        key=lambda i: (str(recs[i].get("doc")), _start(recs[i]) is None, _start(recs[i]) or 0, i),
    )


def _greedy(
    preds: list[Record], labels: list[Record], same: Callable[[Record, Record], bool]
) -> list[tuple[int, int]]:
    """One-to-one greedy matching, labels in document order, nearest prediction first."""
    by_doc: dict[Any, list[int]] = {}
    for pi in _order(preds):
        by_doc.setdefault(preds[pi].get("doc"), []).append(pi)
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for li in _order(labels):
        lab = labels[li]
        ls = _start(lab)
        best: int | None = None
        best_dist = math.inf
        for pi in by_doc.get(lab.get("doc"), []):
            if pi in used or not same(preds[pi], lab):
                continue
            ps = _start(preds[pi])
            dist = abs(ps - ls) if ps is not None and ls is not None else math.inf
            if best is None or dist < best_dist:
                best, best_dist = pi, dist
        if best is not None:
            used.add(best)
            pairs.append((best, li))
    return pairs


def _spans_from(
    labels: Iterable[Record], spans: Mapping[str, Span] | None
) -> tuple[list[Record], dict[str, Span]]:
    """Split span entries ({doc, plan_start, plan_end}) from label records."""
    found: dict[str, Span] = {}
    records: list[Record] = []
    for rec in labels:
        if "plan_start" in rec and "plan_end" in rec and "measure" not in rec:
            found[str(rec["doc"])] = (int(rec["plan_start"]), int(rec["plan_end"]))
        else:
            records.append(rec)
    if spans:
        found.update({d: (int(s[0]), int(s[1])) for d, s in spans.items()})
    return records, found


def in_plan_part(pred: Mapping[str, Any], spans: Mapping[str, Span]) -> bool:
    """Whether a prediction counts for precision (see the module docstring)."""
    span = spans.get(str(pred.get("doc")))
    if span is None:
        return True
    s = _start(pred)
    return s is None or span[0] <= s < span[1]


def score_quantities(
    predicted: list[Record], labels: list[Record], spans: Mapping[str, Span] | None = None
) -> QuantityScore:
    """Score predicted ledger records against the plan-part labels.

    ``labels`` may also contain the span entries of ``spans.json``
    (``{"doc", "plan_start", "plan_end"}``); ``spans`` (doc -> (start, end))
    overrides them.  See the module docstring for the rules.
    """
    records, plan = _spans_from(labels, spans)
    docs = {r.get("doc") for r in records}
    result = QuantityScore()

    candidates: list[Record] = []
    for p in predicted:
        if p.get("doc") in docs and in_plan_part(p, plan):
            candidates.append(p)
        else:
            result.ignored_predictions += 1

    num_labels = [r for r in records if r.get("measure") != QUALITATIVE]
    num_preds = [p for p in candidates if p.get("measure") != QUALITATIVE]
    pairs = _greedy(num_preds, num_labels, quantity_match)
    used = {pi for pi, _ in pairs}
    matched = {li for _, li in pairs}
    result.numeric = Score(len(pairs), len(num_preds) - len(used), len(num_labels) - len(matched))
    result.misses = [num_labels[i] for i in _order(num_labels) if i not in matched]
    result.false_positives = [num_preds[i] for i in _order(num_preds) if i not in used]
    result.matched = [(num_preds[pi], num_labels[li]) for pi, li in sorted(pairs, key=lambda x: x[1])]

    for doc in sorted(str(d) for d in docs):
        tp = sum(1 for _, li in pairs if num_labels[li].get("doc") == doc)
        n_pred = sum(1 for p in num_preds if p.get("doc") == doc)
        n_lab = sum(1 for r in num_labels if r.get("doc") == doc)
        result.by_doc[doc] = Score(tp, n_pred - tp, n_lab - tp)

    q_labels = [r for r in records if r.get("measure") == QUALITATIVE]
    q_preds = [p for p in candidates if p.get("measure") == QUALITATIVE]
    qpairs = _greedy(
        q_preds, q_labels, lambda p, g: all(p.get(f) == g.get(f) for f in ("doc", "kind", "indicator"))
    )
    result.qualitative = Score(len(qpairs), len(q_preds) - len(qpairs), len(q_labels) - len(qpairs))

    for name in FIELD_CHECKS:
        ok = sum(1 for p, lab in result.matched if _field_equal(name, p, lab))
        result.field_accuracy[name] = (ok, len(result.matched))
    named = sum(1 for p, lab in result.matched if metric_agrees(p.get("metric"), lab.get("metric")))
    result.field_accuracy["metric (names the thing)"] = (named, len(result.matched))
    return result


def load_labels(directory: str | Path) -> tuple[list[Record], dict[str, Span]]:
    """Read every ``<doc>.jsonl`` label file and ``spans.json`` of a label directory."""
    root = Path(directory)
    records: list[Record] = []
    for path in sorted(root.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    spans: dict[str, Span] = {}
    span_file = root / "spans.json"
    if span_file.exists():
        with open(span_file, encoding="utf-8") as fh:
            for entry in json.load(fh):
                spans[str(entry["doc"])] = (int(entry["plan_start"]), int(entry["plan_end"]))
    return records, spans
