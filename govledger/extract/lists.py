"""Lists: one figure said of several items, several figures of several items.

分别 lists (城乡居民人均可支配收入分别增长5%、7%), a second run that shares
the list's items (分别达6.9万元、3.4万元，增长4.2%、5.3%), one figure said of a
list (营业收入、利润均增长12%), a shared figure after parallel items
(城镇…23384元，农村…11000元，均增长6%) and paired lists without 分别
(粮食种植面积、产量稳定在300万亩、105万吨以上). Only this stage sees the
quantities of a sentence together, so lists are resolved here.
"""

from __future__ import annotations

import re

from govledger.extract.drafts import (
    INCREMENT_VERBS,
    PLAN_SHARE,
    QUOTE_LEAD,
    Draft,
    complete_bare_head,
    index_to_change,
    price_change,
    times_of_base,
)
from govledger.extract.metrics import (
    expand_urban_rural,
    fits_unit,
    map_indicator,
    names_a_joined_alias,
    split_items,
    subject_vetoes,
    trim_metric,
)
from govledger.extract.numbers import Quantity
from govledger.extract.qualifiers import (
    change_verb,
    classify_bound,
    classify_measure,
    classify_strength,
    is_comparison,
    is_decrease,
    rules,
)

_EACH = re.compile(r"(?<![年平])[均都](?:比上年|同比)?(?:首次)?(?:增长|下降|提高|降低|达到|达|超过|保持|控制|实现|突破)")
_SHARED = re.compile(r"[均都同](?:比上年)?(?:首次)?(?:增长|下降|提高|降低|达到|达|超过|保持|控制|实现|突破|迈上|跨过|跨越)")


def distribute(d: Draft, left: str) -> list[Draft]:
    """营业收入、利润均增长12%: one figure said of a list gives one record per item.

    A 、 list always shares the figure; a pair joined by 和 only with 均/都 or when
    the second is a short noun (完工个数和投资额达到85%), because 和 also occurs
    inside names (信息传输软件和信息技术服务业).
    """
    metric = d.metric
    if d.extra.get("carried") or not metric or "分别" in left or "等" in metric:
        return [d]  # …等重点产业产值: a named group's total, not each member's
    if d.measure == "value" and not _SHARED.search(left):
        return [d]  # 预算内投资、国债和债券资金70亿元: one total for the list
    if d.indicator is not None and names_a_joined_alias(metric):
        return [d]  # 货物和服务进出口总额均增长15%: one indicator whose name holds the 和
    pair = expand_urban_rural(metric, 2) if _EACH.search(left) else None
    if pair:
        items = pair  # 城乡居民人均可支配收入均增长14%左右: each of urban and rural
    elif "、" in metric:
        items = split_items(metric)
    elif "和" in metric:
        parts = metric.split("和")
        both_catalogue = all(map_indicator(p, d.measure, allow_bare=False) for p in parts)
        if len(parts) != 2 or not (_SHARED.search(left) or len(parts[1]) <= 5 or both_catalogue):
            return [d]
        items = split_items(metric)
    else:
        return [d]
    if len(items) < 2 or any(len(i) < 2 for i in items):
        return [d]
    out = []
    for item in items:
        copy = Draft(d.q, d.quote_start, item, map_indicator(item, d.measure, allow_bare=False), d.measure,
                      d.bound, d.strength, d.sign, dict(d.extra))
        if not fits_unit(copy.indicator, d.q.base_unit) or is_comparison(left):
            copy.indicator = None
        out.append(copy)
    return out


_SPAN_MARKERS = ("年均", "年平均", "累计")
_FROM = re.compile(rules()["from_markers"])
_SHARED_LEAD = re.compile(r"^[，、；\s]*[均都](?:比上年|同比)?")


def paired_items(left: str, group_size: int) -> bool:
    """粮食种植面积、产量稳定在300万亩、105万吨以上: as many items as adjacent figures, no 分别."""
    items = split_items(trim_metric(left))
    return group_size >= 2 and len(items) == group_size and all(len(i) >= 2 for i in items)


def shared_by_items(left: str, drafts: list[Draft]) -> list[Draft]:
    """城镇…23384元，农村…11000元，均增长6%: the items a trailing 均/都 figure is said of."""
    if not _SHARED_LEAD.match(left) or trim_metric(left):
        return []
    return trailing_items(drafts)


def trailing_items(drafts: list[Draft]) -> list[Draft]:
    """The run of distinct subjects the sentence just listed (…54448元和22791元), or []."""
    items: list[Draft] = []
    for d in reversed(drafts):
        if d.measure == "skip" or not d.metric or any(d.metric == i.metric for i in items):
            break
        if items and d.q.kind != items[-1].q.kind:
            break
        items.append(d)
    return list(reversed(items)) if len(items) >= 2 else []


def said_of_each(text: str, boundary: int, left: str, q: Quantity, items: list[Draft]) -> list[Draft]:
    verb = change_verb(left)
    quote_start = boundary + len(left) - len(left.lstrip(QUOTE_LEAD))
    measure = classify_measure(q.kind, left, verb)
    sign = -1.0 if is_decrease(verb) else 1.0
    return [
        Draft(q, quote_start, item.metric, item.indicator if fits_unit(item.indicator, q.base_unit) else None,
              measure, classify_bound(left, q.suffix), classify_strength(text[: q.start]), sign)
        for item in items
    ]


def respectively_group(text: str, quantities: list[Quantity], i: int) -> list[Quantity]:
    group = [quantities[i]]
    for q in quantities[i + 1 :]:
        gap = text[group[-1].end : q.start]
        # 分别增长3.5%和7.5%，10件重大民生实事: a figure of another kind after a comma starts a new clause
        same_run = "，" not in gap or q.kind == group[-1].kind
        if gap and len(gap.strip()) <= 2 and all(ch in "、和及， " for ch in gap) and same_run:
            group.append(q)
        else:
            break
    return group


def respectively(text: str, boundary: int, left: str, group: list[Quantity]) -> list[Draft]:
    """城乡居民人均可支配收入分别增长5%、7% → one draft per item, metric completed."""
    subject_raw, _, after = left.partition("分别")
    subject = trim_metric(subject_raw)
    items = expand_urban_rural(subject, len(group)) or split_items(subject)
    if len(group) == 1 and len(items) > 1:
        group = group * len(items)  # 工业投资、技改投资分别增长8%以上: one figure for each item
    elif len(items) != len(group):
        items = [subject] * len(group)
    verb = change_verb(after) or change_verb(subject_raw)
    # 城镇居民和农村居民人均可支配收入年均增长11.4%和13.3%: a change word after the last item is every item's
    at = subject_raw.find(subject) if subject else -1
    shared_tail = "分别" not in left and at >= 0 and change_verb(subject_raw[at + len(subject) :]) is not None
    quote_start = boundary + len(left) - len(left.lstrip(QUOTE_LEAD))
    out: list[Draft] = []
    shared_suffix = group[-1].suffix
    for q, item in zip(group, items, strict=True):
        if not q.suffix and shared_suffix in ("左右", "以上", "以内"):
            q.suffix = shared_suffix  # 分别增长5%、6.5%左右: the qualifier covers the list
        metric = complete_bare_head(trim_metric(item) or subject, text[:boundary] + subject_raw)
        # 失业率、消费价格涨幅分别控制在5%、3%: each item may carry its own change word
        item_verb = change_verb(item + after) or (verb if change_verb(subject_raw) is None or shared_tail else None)
        # 城乡居民人均可支配收入年均分别增长…: the several-year marker sits in the shared subject
        lead = "".join(m for m in _SPAN_MARKERS if m in subject_raw and m not in item)
        if (base := rules()["_cum"].search(subject_raw)) is not None and base.group() not in item:
            lead += base.group()  # 城乡居民人均可支配收入比“十二五”末分别增长…: against the base, for each
        measure = "rank" if q.kind == "rank" else classify_measure(q.kind, left.replace(subject_raw, item + lead), item_verb)
        if times_of_base(q, after):
            measure = "cum_growth"  # 分别是2010年的2倍、1.9倍
        if _FROM.search(after):
            measure = "skip"  # 分别从42238元、24410元增加到…: the starting levels are no result (the next list is)
        indicator = map_indicator(metric, measure, allow_bare=False)
        if subject_vetoes(subject, items[0], indicator):
            indicator = None
        index_to_change(indicator, q)
        if is_comparison(left) or PLAN_SHARE.search(after) or not fits_unit(indicator, q.base_unit):
            indicator = None
        measure = price_change(indicator, measure, metric)
        bound = classify_bound(after or subject_raw, q.suffix)
        strength = classify_strength(text[: q.start])
        sign = -1.0 if is_decrease(verb) else 1.0
        d = Draft(q, quote_start, metric, indicator, measure, bound, strength, sign)
        d.extra["quote_end"] = group[-1].end
        out.append(d)
    return out


def continue_list(text: str, boundary: int, left: str, group: list[Quantity], items: list[Draft]) -> list[Draft]:
    verb = change_verb(left)
    quote_start = boundary + len(left) - len(left.lstrip(QUOTE_LEAD))
    out = []
    for q, item in zip(group, items, strict=True):
        measure = "cum_growth" if times_of_base(q, left) else classify_measure(q.kind, left, verb)
        indicator = item.indicator if fits_unit(item.indicator, q.base_unit) else None
        if q.kind == "amount" and verb in INCREMENT_VERBS and left.rstrip().endswith(verb):
            indicator = None  # 分别达到31294元、17782元，增加9791元、6136元: increments, no levels
        sign = -1.0 if is_decrease(verb) else 1.0
        d = Draft(q, quote_start, item.metric, indicator, measure, classify_bound(left, q.suffix),
                   classify_strength(text[: q.start]), sign)
        d.extra["quote_end"] = group[-1].end
        out.append(d)
    return out


