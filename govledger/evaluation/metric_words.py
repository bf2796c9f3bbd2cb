"""Does a record's metric name the thing counted? Two measures a reader can check.

The labels' metric wording is free text: an exact match is too strict a
judge (新建紧密型城市医疗集团 and 紧密型城市医疗集团 both name it), so agreement
also accepts one wording inside the other when the shorter one is more
than a bare verb. Over a whole corpus, with no labels, what can be counted
is the failure itself: an empty metric or a bare verb (实施, 培育, 二).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govledger.extract.metrics import MARKS, is_bare


def metric_agrees(predicted: str | None, label: str | None) -> bool:
    """Equal after dropping quote marks, or one inside the other and the shorter is not bare."""
    p, lab = MARKS.sub("", predicted or ""), MARKS.sub("", label or "")
    if p == lab:
        return True
    short, long_ = (p, lab) if len(p) <= len(lab) else (lab, p)
    return not is_bare(short) and short in long_


def bare_share(records: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(records whose metric is empty or a bare verb, records) over numeric records."""
    bare = total = 0
    for r in records:
        if r.get("measure") == "qualitative":
            continue
        total += 1
        bare += is_bare(r.get("metric"))
    return bare, total
