"""Score extracted records against gold JSONL, as LEDGER_SCHEMA.md defines it.

A prediction matches a gold record when doc, kind, indicator, measure,
base_unit and bound are equal and base_value agrees within a relative
1e-9. Precision counts predictions that carry a catalogue indicator;
recall counts gold records. Records with a number make the headline;
qualitative targets are scored apart, on doc/kind/indicator only.
Per-field figures come from a looser alignment (same doc, kind and
indicator) so that one wrong field shows up as that field's error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govledger.evaluation.quantities import Score
from govledger.evaluation.quantities import _close as _close

KEY_FIELDS = ("doc", "kind", "indicator", "measure", "base_unit", "bound")
FIELD_CHECKS = ("measure", "value", "base_value", "base_unit", "bound", "strength", "estimated")


@dataclass
class GoldReport:
    numeric: Score = field(default_factory=Score)
    qualitative: Score = field(default_factory=Score)
    by_doc: dict[str, Score] = field(default_factory=dict)
    field_accuracy: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def records_match(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """The schema's match rule for numeric records."""
    return all(pred.get(f) == gold.get(f) for f in KEY_FIELDS) and _close(pred.get("base_value"), gold.get("base_value"))


def _greedy(preds: list[dict[str, Any]], golds: list[dict[str, Any]], same: Any) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if pi not in used and same(p, g):
                used.add(pi)
                pairs.append((pi, gi))
                break
    matched_gold = {gi for _, gi in pairs}
    return pairs, used, matched_gold


def score(predicted: Iterable[dict[str, Any]], gold: Iterable[dict[str, Any]]) -> GoldReport:
    """Score predictions (dicts in schema form) against gold records."""
    gold = list(gold)
    docs = {g["doc"] for g in gold}
    preds = [p for p in predicted if p.get("doc") in docs and p.get("indicator")]
    report = GoldReport()

    num_gold = [g for g in gold if g.get("measure") != "qualitative"]
    num_pred = [p for p in preds if p.get("measure") != "qualitative"]
    pairs, used, matched = _greedy(num_pred, num_gold, records_match)
    report.numeric = Score(len(pairs), len(num_pred) - len(used), len(num_gold) - len(matched))
    report.misses = [g for gi, g in enumerate(num_gold) if gi not in matched]
    report.false_positives = [p for pi, p in enumerate(num_pred) if pi not in used]
    for doc in sorted(docs):
        dp = {pi for pi, p in enumerate(num_pred) if p["doc"] == doc}
        dg = {gi for gi, g in enumerate(num_gold) if g["doc"] == doc}
        tp = sum(1 for pi, gi in pairs if pi in dp)
        report.by_doc[doc] = Score(tp, len(dp) - tp, len(dg) - tp)

    q_gold = [g for g in gold if g.get("measure") == "qualitative"]
    q_pred = [p for p in preds if p.get("measure") == "qualitative"]
    qpairs, qused, qmatched = _greedy(
        q_pred, q_gold, lambda p, g: all(p.get(f) == g.get(f) for f in ("doc", "kind", "indicator"))
    )
    report.qualitative = Score(len(qpairs), len(q_pred) - len(qused), len(q_gold) - len(qmatched))

    # per field: align on doc/kind/indicator, exact matches first, then the rest in order
    loose_key = ("doc", "kind", "indicator")
    exact = {gi: pi for pi, gi in pairs}
    taken = set(exact.values())
    aligned: list[tuple[dict[str, Any], dict[str, Any]]] = [(num_pred[pi], num_gold[gi]) for gi, pi in exact.items()]
    for gi, g in enumerate(num_gold):
        if gi in exact:
            continue
        for pi, p in enumerate(num_pred):
            if pi not in taken and all(p.get(f) == g.get(f) for f in loose_key):
                taken.add(pi)
                aligned.append((p, g))
                break
    for f in FIELD_CHECKS:
        ok = sum(1 for p, g in aligned if (_close(p.get(f), g.get(f)) if f in ("value", "base_value") else p.get(f) == g.get(f)))
        report.field_accuracy[f] = (ok, len(aligned))
    report.field_accuracy["indicator (found)"] = (len(aligned), len(num_gold))
    return report
