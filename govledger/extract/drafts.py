"""The record being built from one quantity of a sentence, shared by the extractor and the list rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govledger.extract.numbers import Quantity
from govledger.extract.qualifiers import change_verb, rules

QUOTE_LEAD = " 、和及与，\n\r\t\u3000"
CARRY = re.compile(rules()["carry_glue"])
PLAN_SHARE = re.compile(rules()["plan_share"])


@dataclass
class Draft:
    """A record being built from one quantity of a sentence."""

    q: Quantity
    quote_start: int
    metric: str
    indicator: str | None
    measure: str
    bound: str
    strength: str
    sign: float = 1.0
    extra: dict[str, object] = field(default_factory=dict)


def change_verb_tail(left: str) -> str:
    """The change verb at the end of ``left`` (…前十强、增长 → 增长), or ""."""
    verb = change_verb(left)
    return verb if verb and left.rstrip().endswith(verb) else ""


def same_subject(left: str) -> bool:
    """Only change verbs and separators before the number: it shares the figure before's subject.

    A level verb such as 新增 starts a new subject (城镇化率达63%，新增1个…).
    """
    return CARRY.match(left) is not None


def complete_bare_head(metric: str, before: str) -> str:
    """产量 after 粮食播种面积稳定在427万亩、: a bare head noun takes its sentence's subject."""
    for subject in rules().get("bare_heads", {}).get(metric, ()):
        if subject in before:
            return subject + metric
    return metric


def index_to_change(indicator: str | None, q: Quantity) -> None:
    """居民消费价格指数控制在103.5%左右 is a 3.5% rise: a price index over 100 becomes the change."""
    if indicator == "cpi" and q.kind == "percent" and 100 < q.value < 130:
        q.value = round(q.value - 100, 6)
        if q.value_max is not None and 100 < q.value_max < 130:
            q.value_max = round(q.value_max - 100, 6)


def price_change(indicator: str | None, measure: str, metric: str = "") -> str:
    """A consumer-price figure in % is always a change (涨幅), never a share; so is a figure
    whose metric already names a growth rate (经济增长速度的调控目标定为8%)."""
    if measure != "ratio":
        return measure
    names_rate = any(word in metric for word in ("增长", "增速", "涨幅", "增幅"))
    return "growth" if indicator == "cpi" or (indicator and names_rate) else measure
