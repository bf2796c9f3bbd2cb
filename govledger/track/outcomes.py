"""Finding the outcome of a target: the achievements of report Y+1 that can judge year Y.

Catalogue indicator first, else metric similarity; several-year figures
(年均, 累计, a five-year review's totals — ``Record.scope`` says which
passage a figure sits in) never judge a one-year target; among the rest the
same measure and unit win, then the score, a whole-year figure over a
quarter's, the place's own figure over a comparison with the country.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from govledger.extract.metrics import variant_of
from govledger.records import Record
from govledger.track.judge import MULTI_YEAR, clause_before, measures_compatible, vocabulary
from govledger.track.similarity import metric_similarity, ngrams

SEVERAL = "several"
_PARTIAL_PERIOD = re.compile(r"[一二三四1-4]季度|上半年|前三季度|\d{1,2}[-—~至]\d{1,2}月|前\d{1,2}个月|\d{1,2}月份")
_MULTI_CONTEXT = re.compile(r"累计|五年来|五年间|过去五年|十四五|年均|连续\d+年|20\d\d年以来|以来")
_OTHER_PLACE = re.compile(r"(?:高于|低于|快于|慢于|超过|领先)全国|全国平均")


@lru_cache(maxsize=65536)
def is_flow(metric: str) -> bool:
    """New builds (新增, 新建 …) rather than a stock."""
    return any(w in metric for w in vocabulary()["flow_words"])


def outcomes_of(records: Iterable[Record], year: int | None) -> list[Record]:
    """The achievements of report Y+1 that may judge year ``year``: period == year or unknown."""
    return [r for r in records if r.kind == "achievement" and (r.period is None or year is None or r.period == year)]


def one_year_targets(records: Iterable[Record], year: int | None) -> list[Record]:
    """The targets of report Y for year Y itself (multi-year plans have another period or none)."""
    return [r for r in records if r.kind == "target" and year is not None and r.period == year]


@dataclass
class Match:
    """The outcome chosen for a target, with how and how well it matched."""

    target: Record
    outcome: Record | None
    score: float | None
    by: str | None  # "indicator", "metric" or None
    note: str = ""
    candidates: int = 0


def several_year_reason(o: Record, year: int | None) -> str | None:
    """Why an achievement is a figure for several years (so it cannot judge one year), or None.

    The extract stage decided it once (``Record.scope``); this only names the reason.
    """
    if o.measure in MULTI_YEAR:
        return o.measure
    if o.scope == SEVERAL:
        for word, reason in (("累计", "several-year total (累计)"), ("年均", "several-year average (年均)")):
            if word in o.quote:
                return reason
        return "a figure for several years (a five-year review)"
    return None


def _rank(
    target: Record, outcome: Record, score: float, order: int, year: int | None
) -> tuple[float, ...]:
    context = clause_before(outcome)
    several = outcome.scope == SEVERAL
    return (
        1.0 if measures_compatible(target, outcome) else 0.0,
        1.0 if outcome.base_unit == target.base_unit else 0.0,
        score,
        0.0 if several else 1.0,
        0.0 if _PARTIAL_PERIOD.search(context) else 1.0,
        0.0 if _MULTI_CONTEXT.search(context) else 1.0,
        0.0 if _OTHER_PLACE.search(context) else 1.0,
        1.0 if "全年" in context else 0.0,
        -float(order),
    )


def _similarity(target: Record, outcome: Record) -> float:
    score = metric_similarity(target.metric, outcome.metric)
    t_flow = is_flow(target.metric)
    o_flow = is_flow(outcome.metric)
    if t_flow != o_flow:  # new builds vs a stock
        score *= 0.8
    return round(score, 4)


class _BigramIndex:
    """Off-catalogue outcomes by the character bigrams of their metric.

    A metric that shares no bigram with the target's scores 0 (and the
    containment rule needs a shared run of four characters), so only the
    outcomes sharing one are scored; ``every`` keeps them all (a threshold of 0).
    """

    def __init__(self, outcomes: Sequence[Record], *, every: bool) -> None:
        self.every = every
        self.eligible = [i for i, o in enumerate(outcomes) if o.indicator is None and o.measure != "qualitative"]
        self.by_gram: dict[str, list[int]] = {}
        for i in self.eligible:
            for g in ngrams(outcomes[i].metric):
                self.by_gram.setdefault(g, []).append(i)

    def candidates(self, metric: str) -> list[int]:
        """Indices of the outcomes worth scoring against ``metric``, in document order."""
        if self.every:
            return self.eligible
        found: set[int] = set()
        for g in ngrams(metric):
            found.update(self.by_gram.get(g, ()))
        return sorted(found)


def _same_wording(target: Record, outcome: Record) -> bool:
    """外商直接投资 does not judge 实际利用外资 (catalogue ``variants``); unnamed wordings match any."""
    t = variant_of(target.indicator, target.metric)
    o = variant_of(outcome.indicator, outcome.metric)
    return t is None or o is None or t == o


def match_outcomes(
    targets: Sequence[Record],
    outcomes: Sequence[Record],
    threshold: float = 0.5,
    *,
    year: int | None = None,
) -> list[Match]:
    """For each target, the best outcome: catalogue indicator first, else metric similarity.

    ``outcomes`` should already be the achievements about the target year
    (``outcomes_of``). Several-year figures never judge a one-year target
    (``several_year_reason``; ``Record.scope`` tells which records sit in
    a five-year review); among the rest, the same measure and
    base unit win, then the score, then a one-year over a several-year
    paragraph, a whole-year figure over a quarter's, the place's own figure
    over a comparison with the country, and document order.
    """
    out: list[Match] = []
    by_metric = _BigramIndex(outcomes, every=threshold <= 0)
    for target in targets:
        scored: list[tuple[Record, float, int]] = []
        if target.indicator:
            by = "indicator"
            scored = [
                (o, 1.0, i)
                for i, o in enumerate(outcomes)
                if o.indicator == target.indicator and _same_wording(target, o)
            ]
        else:
            by = "metric"
            for i in by_metric.candidates(target.metric):
                o = outcomes[i]
                s = _similarity(target, o)
                if s >= threshold:
                    scored.append((o, s, i))
        dropped: list[str] = []
        usable: list[tuple[Record, float, int]] = []
        for o, s, i in scored:
            why = several_year_reason(o, year) if target.measure not in MULTI_YEAR else None
            if why:
                dropped.append(f"{o.quote} ({why})")
            elif o.measure == "qualitative" or o.base_value is None:
                dropped.append(f"{o.quote} (no number)")
            else:
                usable.append((o, s, i))
        note = ""
        if dropped:
            note = "set aside: " + "; ".join(dropped[:3]) + (" …" if len(dropped) > 3 else "")
        if not usable:
            out.append(Match(target, None, None, None, note, len(scored)))
            continue
        best, score, _ = max(usable, key=lambda c: _rank(target, c[0], c[1], c[2], year))
        out.append(Match(target, best, score, by, note, len(scored)))
    return out
