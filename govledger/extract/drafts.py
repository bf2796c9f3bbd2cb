"""The record being built from one quantity of a sentence, shared by the extractor and the list rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govledger.extract.numbers import Quantity, round_stated
from govledger.extract.qualifiers import change_verb, rules

QUOTE_LEAD = " 、和及与，\n\r\t\u3000"
CARRY = re.compile(rules()["carry_glue"])
INCREMENT_VERBS = frozenset({"增加", "增收", "减少", "提高", "下降", "增长"})  # …达到7041.9元，增加430.5元
LEVEL_WORDS = ("总量", "规模", "总额", "总量规模")  # 经济总量突破4000亿元: trimmed as a verb tail, yet part of the name
# 是2008年的1.6倍 / 恢复到2019年的93%: a level against a base year's, which is a change since then
# (是“十二五”的1.3倍 compares two plans' totals, which the schema leaves out: only a plan's end is a base)
TIMES_OF = re.compile(r"(?:是|为|相当于)(?:(?:19|20)\d\d年(?:末|底)?|“?十[一二三四五六七八九]?五”?(?:末|期末)|五年前)(?:的)?$")
PERCENT_OF_BASE = re.compile(r"(?:恢复到|恢复至|是|为|相当于)(?:19|20)\d\d年(?:同期)?(?:水平)?的$")
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
    strict = metric in rules()["bare_heads_named_alone"]
    named = [(at, s) for s in rules()["bare_heads"].get(metric, ()) if (at := before.rfind(s)) >= 0
             and (not strict or _opens_a_name(before, at))]
    return max(named)[1] + metric if named else metric  # the nearest: 服务业发展势头良好，预计实现增加值370亿元


_NAME_OPENERS = ("全市", "全省", "全区", "全州", "全县", "全年", "预计", "实现", "其中", "新增", "力争", "确保")


def _opens_a_name(text: str, at: int) -> bool:
    """服务业 at the start of a clause names the sector; inside 现代服务业投资 it is a part of another name."""
    return at == 0 or not "\u4e00" <= text[at - 1] <= "\u9fff" or text[:at].endswith(_NAME_OPENERS)


def index_to_change(indicator: str | None, q: Quantity) -> None:
    """居民消费价格指数控制在103.5%左右 is a 3.5% rise, 为99.6% a 0.4% fall: a price index (上年=100) becomes the
    change (no consumer-price change is 90 % or more in a year)."""
    if indicator == "cpi" and q.kind == "percent" and 90 < q.value < 130 and q.value != 100:
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


def times_of_base(q: Quantity, left: str) -> bool:
    """分别是2010年的2倍、1.9倍: each figure of a list against the base year becomes its change since then."""
    if q.unit == "倍" and TIMES_OF.search(left.replace("分别", "")):
        q.value = round_stated(q.value - 1)
        return True
    return False
