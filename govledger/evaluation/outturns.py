"""Score outturn records of statistical communiqués against hand labels that carry a ``path``.

Matching follows LEDGER_SCHEMA's gold rule, with the document named by its
file: ``path`` + ``kind`` + ``indicator`` + ``measure`` + ``base_unit`` + ``bound``
equal and ``base_value`` within a relative 1e-9. Each gold record matches at most
one prediction. Precision is over predicted records with a catalogue indicator.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govledger.errors import ReportError
from govledger.evaluation.quantities import Score

Predict = Callable[[Path], list[dict[str, Any]]]


@dataclass
class OutturnScore(Score):
    """The one Score type, with what an outturn evaluation lists besides."""

    per_doc: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)  # gold without a prediction
    extras: list[dict[str, Any]] = field(default_factory=list)  # predictions without gold


def load_labels(path: str | Path) -> list[dict[str, Any]]:
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ReportError(str(p), f"cannot read: {exc.strerror}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            raise ReportError(str(p), f"line {n} is not JSON") from None
    return out


def _same(g: dict[str, Any], p: dict[str, Any]) -> bool:
    for key in ("kind", "indicator", "measure", "base_unit", "bound"):
        if g.get(key) != p.get(key):
            return False
    a, b = g.get("base_value"), p.get("base_value")
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def score_outturns(gold: Sequence[dict[str, Any]], predicted_by_path: dict[str, list[dict[str, Any]]]) -> OutturnScore:
    """P/R over the documents named in ``gold``; predictions keyed by the same ``path``."""
    score = OutturnScore()
    by_path: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        by_path[g["path"]].append(g)
    for path, golds in by_path.items():
        preds = [p for p in predicted_by_path.get(path, []) if p.get("indicator")]
        used = [False] * len(preds)
        tp = 0
        for g in golds:
            hit = next((i for i, p in enumerate(preds) if not used[i] and _same(g, p)), None)
            if hit is None:
                score.misses.append(g)
            else:
                used[hit] = True
                tp += 1
        fp = used.count(False)
        score.extras.extend(p for p, u in zip(preds, used, strict=True) if not u)
        fn = len(golds) - tp
        score.per_doc[path] = (tp, fp, fn)
        score.tp, score.fp, score.fn = score.tp + tp, score.fp + fp, score.fn + fn
    return score


def predict_outturns(file: Path) -> list[dict[str, Any]]:
    """``govledger extract`` on one communiqué, as plain dicts."""
    from govledger.pipeline import build_ledger
    from govledger.records import record_dict

    return [record_dict(r) for r in build_ledger(file).records]


def evaluate_outturn_labels(labels: str | Path, shared: str | Path, predict: Predict = predict_outturns) -> OutturnScore:
    """Extract every communiqué the labels name (``path`` relative to ``shared``) and score."""
    gold = load_labels(labels)
    paths: Iterable[str] = sorted({g["path"] for g in gold})
    return score_outturns(gold, {p: predict(Path(shared) / p) for p in paths})
