"""Turn the sentences of a structured report into ledger records.

For each sentence: find the quantities (``numbers``), then for each one
decide what it measures (``metrics``), how (``qualifiers``: measure, bound,
strength, deadline) and whether it is promised or achieved (the layout's
review/plan split). Lists with 分别 and figures that share a subject with
the one before (收入78.8亿元、增长20.2%) are resolved here, because only
this stage sees the quantities of a sentence together.
"""

from __future__ import annotations

import math
import re

from govledger.extract.drafts import (
    INCREMENT_VERBS,
    LEVEL_WORDS,
    PERCENT_OF_BASE,
    PLAN_SHARE,
    QUOTE_LEAD,
    TIMES_OF,
    Draft,
    change_verb_tail,
    complete_bare_head,
    index_to_change,
    price_change,
    same_subject,
)
from govledger.extract.lists import (
    continue_list,
    distribute,
    paired_items,
    respectively,
    respectively_group,
    said_of_each,
    shared_by_items,
    trailing_items,
)
from govledger.extract.metrics import (
    borrow_subject,
    default_unit,
    expand_urban_rural,
    fits_unit,
    is_bare,
    is_bare_alias,
    map_indicator,
    name_the_thing,
    trim_metric,
    variant_of,
)
from govledger.extract.numbers import Quantity, find_quantities, mask_names, round_stated
from govledger.extract.placement import ESTIMATE_FROM, place_draft
from govledger.extract.qualifiers import (
    change_verb,
    classify_bound,
    classify_measure,
    classify_strength,
    is_comparison,
    is_decrease,
    rules,
)
from govledger.extract.ranks import (
    before_rank_lead,
    find_ranks,
    names_level,
    rank_of_previous,
    rank_run,
    ranks_each_listed,
)
from govledger.read.normalize import normalize_text
from govledger.records import Record
from govledger.structure.layout import ReportLayout
from govledger.structure.plans import past_markers as past_markers_of

_CLAUSE_DELIMS = "，；：,:"
_LISTED = re.compile(r"[、和及与]")
_GROWTH_OF = ("增速", "增幅", "增长", "增量", "增加值增速", "涨幅")
_FROM = re.compile(rules()["from_markers"])
_WHOLE_SCOPE = re.compile(rules()["whole_scope"])
_CLOSING_BOUNDS = ("以上", "左右", "以内", "以下")
_OWN_LEVEL_VERB = re.compile(r"^[、，\s]*(?:达到|达|为|是)$")
_YEAR_AT = re.compile(r"(?:19|20)\d\d(?=年)")
_MODIFIER_HEAD = re.compile(rules()["modifier_heads"])
_MODIFIER_HEAD_NEAR = re.compile(r"[^，。；、\d]{0,4}?" + rules()["modifier_heads"])
# besides the plans that begin in the plan year or later (``plans_ahead_pattern``): words of several years ahead
_PREDICATE = re.compile(rules()["predicate_start"])


def extract_records(layout: ReportLayout, doc: str) -> list[Record]:
    """All records of a report in document order, ids ``<doc>#<n>`` from 1."""
    records: list[Record] = []
    past_markers = past_markers_of(layout.year)
    masked = mask_names(layout.norm)  # one pass over the report, not one per sentence
    note = ESTIMATE_FROM.search(layout.norm, layout.body_start, layout.plan_start or layout.body_end)
    estimates_from = note.start() if note else 1 << 62  # （预计数，下同）: every later review figure
    drafts_of = [
        extract_sentence(s.text, masked=masked[s.start : s.end], normalized=True) for s in layout.sentences
    ]
    # paragraphs that state numeric catalogue targets: the list of main targets
    listing = {s.paragraph for s, ds in zip(layout.sentences, drafts_of, strict=True) if any(d.indicator for d in ds)}
    listing |= _bullets_of_a_listing(layout, listing)
    for sentence, drafts in zip(layout.sentences, drafts_of, strict=True):
        for draft in drafts:
            records.append(place_draft(layout, doc, sentence, draft, past_markers, len(records) + 1, estimates_from))
        if sentence.part == "plan":
            for draft in qualitative_targets(sentence.text, in_target_list=sentence.paragraph in listing):
                records.append(place_draft(layout, doc, sentence, draft, past_markers, len(records) + 1, estimates_from))
    records.sort(key=lambda r: (r.start or 0, r.end or 0))
    for n, r in enumerate(records, 1):
        r.id = f"{doc}#{n}"
    return records


def _bullets_of_a_listing(layout: ReportLayout, listing: set[int]) -> set[int]:
    """"——经济中心城市建设…迈上5000亿元" / "——美丽宜居城市…单位GDP能耗持续下降": the dash bullets
    next to a list of main targets belong to that list."""
    out: set[int] = set()
    paras = layout.paragraphs

    def bullet(i: int) -> bool:
        return layout.norm.startswith("——", paras[i].start)

    for i in sorted(listing):
        if not bullet(i):
            continue
        for step in (1, -1):
            j = i + step
            while 0 <= j < len(paras) and bullet(j) and j not in listing:
                out.add(j)
                j += step
    return out


def extract_sentence(text: str, *, masked: str | None = None, normalized: bool = False) -> list[Draft]:
    """Drafts for every quantity and rank of one sentence (offsets relative to it).

    ``extract_records`` passes the sentence already normalised and masked (it masks the
    whole report once); called on its own, the sentence is normalised and masked here.
    """
    if not normalized:
        text = normalize_text(text)
    if masked is None:
        masked = mask_names(text)
    quantities = [q for q in find_quantities(text, masked) if not _is_modifier(text, q)]
    quantities += find_ranks(text, masked)
    quantities.sort(key=lambda q: q.start)
    drafts: list[Draft] = []
    i = 0
    prev_end = 0
    last_list: list[Draft] = []
    while i < len(quantities):
        q = quantities[i]
        boundary = max(_last_delim(text, q.start), prev_end)
        left = text[boundary : q.start]
        if last_list and same_subject(left):
            group = respectively_group(text, quantities, i)
            if len(group) == len(last_list):
                # 分别达6.9万元、3.4万元，(分别)增长4.2%、5.3%: the second run shares the list's items
                drafts.extend(continue_list(text, boundary, left, group, last_list))
                prev_end = group[-1].end
                i += len(group)
                continue
        if same_subject(left) and (("分别" in left and not trim_metric(left.partition("分别")[0]))
                                   or _joined_run(text, respectively_group(text, quantities, i))):
            # 城乡居民人均可支配收入达到54448元和22791元，分别增长6.8%和10% / …15781元，…4761元，实际增长8.4%和8%
            group = respectively_group(text, quantities, i)
            listed = trailing_items(drafts)
            if len(listed) == len(group):
                # 城乡居民人均可支配收入达到54448元和22791元，分别增长6.8%和10%
                last_list = continue_list(text, boundary, left, group, listed)
                drafts.extend(last_list)
                prev_end = group[-1].end
                i += len(group)
                continue
        if "分别" in left or (q.kind != "rank" and paired_items(left, len(respectively_group(text, quantities, i)))):
            group = respectively_group(text, quantities, i)
            last_list = respectively(text, boundary, left, group)
            drafts.extend(last_list)
            prev_end = group[-1].end
            i += len(group)
            continue
        ranked = _draft(text, boundary, left, q, drafts) if q.kind == "rank" and len(last_list) >= 2 else None
        if ranked is not None and ranks_each_listed(last_list, ranked):
            # 城乡居民人均可支配收入分别达30400元和15000元，稳居中部省会城市首位: the rank of each listed level;
            # 进出口总额、出口总额分别达11000亿元和6500亿元，稳居…第5位和第4位: one rank each, in order
            ranks = rank_run(text, quantities, i)
            if len(ranks) != len(last_list):
                ranks = [q] * len(last_list)
            drafts.extend(Draft(r, ranked.quote_start, x.metric, x.indicator, "rank", ranked.bound, ranked.strength)
                          for r, x in zip(ranks, last_list, strict=True))
            prev_end = ranks[-1].end
            i += len(set(map(id, ranks)))
            last_list = []
            continue
        last_list = []
        items = shared_by_items(left, drafts)
        if items:
            drafts.extend(said_of_each(text, boundary, left, q, items))
            prev_end = q.end
            i += 1
            continue
        drafts.extend(distribute(_draft(text, boundary, left, q, drafts), left))
        prev_end = q.end
        i += 1
    for k, d in enumerate(drafts):
        if d.indicator is None and is_bare(d.metric):
            d.metric = borrow_subject(d.metric, [e.metric for e in drafts[:k]])
            if d.measure == "growth":
                d.indicator, d.metric = _subject_before_rate(d.metric, d.measure)
    kept = [d for d in drafts if d.measure != "skip"]
    for d in kept:
        if d.measure == "ratio" and d.indicator is not None and default_unit(d.indicator) != "%":
            d.indicator = None  # 不低于…农村居民人均纯收入60%: a share of an amount, not the amount
    _settle_bare_aliases(text, kept)
    _settle_whole_and_part(text, kept)
    _share_closing_bound(text, kept)
    return kept


_ZONE = re.compile(rules()["zone_subjects"])
_COUNTED = re.compile(r"[\d个家所批首和及与]")
_SUBJECTLESS = re.compile(rules()["subjectless_openers"])


def _in_a_zone(text: str, at: int) -> bool:
    """高新区“一区多园”发展格局初步形成，实现生产总值120亿元: the figure is the zone's, not the city's.

    The figure's clause opens on a verb (实现, 完成), so its subject is that of the clause before, and that
    clause opens on a zone; a clause with a subject of its own (综合保税区通过验收，外贸进出口232.4亿元)
    or a zone counted (新增绿色工业园区21个) does not make a part."""
    clause = _last_delim(text, at)
    if not _SUBJECTLESS.match(text, clause) or clause == 0:
        return False
    before = _last_delim(text, clause - 1)
    opening = text[before:clause].lstrip("，；：、 ")
    zone = _ZONE.search(opening[:12])
    return zone is not None and zone.start() <= 4 and not _COUNTED.search(opening[: zone.start()])


def _joined_run(text: str, group: list[Quantity]) -> bool:
    """实际增长8.4%和8%: two or more figures of one unit joined by 和/、 (not a comma-separated list of new figures)."""
    return len(group) >= 2 and all(
        text[a.end : b.start] in ("和", "、", "及") and a.base_unit == b.base_unit for a, b in zip(group, group[1:], strict=False))


def _share_closing_bound(text: str, drafts: list[Draft]) -> None:
    """出栏生猪600万头、蔬菜总产量450万吨以上: a qualifier written once after the last figure of a 、 list
    applies to every item (LEDGER_SCHEMA: "分别增长8%、10%左右")."""
    for k in range(len(drafts) - 2, -1, -1):
        a, b = drafts[k], drafts[k + 1]
        closes = b.q.end >= len(text) or text[b.q.end] in "，。；！" or drafts[k + 1].extra.get("shared_bound")
        if (closes and a.bound == "exact" and not a.q.suffix
                and (b.q.suffix in _CLOSING_BOUNDS or b.extra.get("shared_bound"))
                and a.measure == b.measure and text[a.q.end : b.quote_start].strip() == "、"):
            a.bound = b.bound
            a.extra["shared_bound"] = True


def _continues_a_part(left: str, metric: str, drafts: list[Draft]) -> bool:
    """新通道进出口货物149.48万吨、进出口额65.8亿元: a 、 item on the same topic (进出口) as the item before,
    which named a part (the corridor's trade), is that part's figure too, not the catalogue's."""
    if not drafts or not left.lstrip().startswith("、"):
        return False
    prev = drafts[-1]
    if prev.indicator is not None or not prev.metric:
        return False
    return any(metric[i : i + 3] in prev.metric for i in range(max(len(metric) - 2, 0)))


def _settle_bare_aliases(text: str, drafts: list[Draft]) -> None:
    """投资增长12% names fixed-asset investment in a list of main figures (地区生产总值…，投资…) or said of the
    whole year or place (全年投资增长5%左右); otherwise it is the investment of whatever the sentence is about
    (“数字临沧”建设加快推进，投资增长91%)."""
    named = {d.indicator for d in drafts if d.indicator is not None and not is_bare_alias(d.metric, d.indicator)}
    for d in drafts:
        if d.indicator is not None and is_bare_alias(d.metric, d.indicator) and not named - {d.indicator}:
            if _WHOLE_SCOPE.search(text, 0, d.q.start) is None:
                d.indicator = None


def _settle_whole_and_part(text: str, drafts: list[Draft]) -> None:
    """地方财政收入452.96亿元，增长13%，其中公共财政预算收入340.62亿元，增长12.8%: when a 其中 part is the
    indicator, the same figures of the whole before it are a wider total, not the indicator twice."""
    for k, d in enumerate(drafts):
        if d.indicator is None or not text.startswith("其中", d.quote_start):
            continue
        part_measures = {e.measure for e in drafts[k:] if e.indicator == d.indicator}
        for earlier in drafts[:k]:
            if (earlier.indicator == d.indicator and earlier.measure in part_measures
                    and variant_of(d.indicator, earlier.metric) == variant_of(d.indicator, d.metric)):
                earlier.indicator = None  # (实际利用外资…，其中外商直接投资…: two wordings the catalogue keeps apart)


def _subject_before_rate(metric: str, measure: str) -> tuple[str | None, str]:
    """服务业增加值增速连续四个季度居全省第1位、全年增长9.2%: the subject is what stands before 增速."""
    for rate_word in ("增速", "增幅"):
        head = metric.split(rate_word, 1)[0] if rate_word in metric[2:] else ""
        found = map_indicator(head, measure) if head else None
        if found is not None:
            return found, head
    return None, metric


def _last_delim(text: str, pos: int) -> int:
    best = 0
    for ch in _CLAUSE_DELIMS:
        j = text.rfind(ch, 0, pos)
        if j + 1 > best:
            best = j + 1
    opened = text.rfind("（", 0, best)
    if best and opened > text.rfind("）", 0, best) and 0 <= text.find("）", best, pos):
        return _last_delim(text, opened)  # 地区生产总值（预计，下同）7100亿元: the comma is inside a bracket
    return best


def _is_modifier(text: str, q: Quantity) -> bool:
    """10亿元以上项目, 千亿级产业: a threshold inside a noun phrase, not a figure of its own."""
    follow = text[q.end : q.end + 1]
    if not follow or not ("\u4e00" <= follow <= "\u9fff"):
        return False
    if follow == "的" and q.kind == "amount" and q.base_unit in ("元", "美元") and _MODIFIER_HEAD_NEAR.match(text, q.end + 1):
        return True  # GDP过500亿元的县市区, 进出口总额超过1亿美元的外贸企业: a size class of what follows
    if follow in rules()["modifier_followers"]:
        return False
    if text.startswith(("级", "规模"), q.num_end) and not text.startswith("规模以上", q.num_end):
        return True  # 千亿级, 百亿规模 (but 3.6个百分点规模以上工业增加值…: a lost comma before the next subject)
    if q.kind == "amount" and q.base_unit in ("元", "美元") and _MODIFIER_HEAD.match(text, q.end):
        return True  # 超200亿元县, 百亿元企业: a size class, not an amount
    if q.base_unit == "个" and follow in "万亿千百十":
        return True  # 跨过3个万亿元台阶: a count of thresholds, not a figure
    if q.suffix in ("以上", "以下"):
        if q.kind == "percent" or q.base_unit in _COUNTERS:
            return False  # 90%以上行政村 / 5个以上医疗集团: a share or a count of what follows
        return not text.startswith(("的", "和", "增长", "水平"), q.end)
    if q.chinese and q.kind == "amount":
        if q.start > 0 and text[q.start - 1] == "个":
            return True  # 跨越3个千亿元台阶
        return not text.startswith(("大关", "规模", "台阶", "以上"), q.end)
    return False


_YEAR_LEAD = re.compile(r"^(?:(?:19|20)\d\d|■■■■)年(?:底|末|全年)?")
_VERB_OR_FIGURE = re.compile(
    r"\d|连跨|跨越|跨过|迈上|突破|达到|达|增长|实现|完成|超过|首次|再上|站上|跃上|由负转正|转正|恢复|[一二三四]季度|上半年|前三季度"
    r"|力争|确保|争取|跨"
)


def _previous_clause_subject(text: str, boundary: int) -> str:
    """The noun phrase that opens the clause before ``boundary`` (its subject), or ""."""
    end = boundary - 1
    if end <= 0:
        return ""
    start = _last_delim(text, end)
    clause = text[start:end]
    cut = _VERB_OR_FIGURE.search(clause)
    subject = trim_metric(clause[: cut.start()] if cut else "")
    return subject if len(subject) >= 2 else ""


def _listed_bound(left: str, q: Quantity, prev: Draft) -> str:
    """超过4.55万元、2.28万元 / 迈上4000亿元、5000亿元: a bound word before the list covers it."""
    own = classify_bound(left, q.suffix)
    if own == "exact" and _OWN_LEVEL_VERB.search(left):
        return own  # 突破100亿斤、达101亿斤: the second figure has its own verb and says the exact level
    return prev.bound if own == "exact" and not q.suffix and not prev.q.suffix else own


def _draft(text: str, boundary: int, left: str, q: Quantity, drafts: list[Draft]) -> Draft:
    times_of = TIMES_OF.search(left) if q.unit == "倍" else None
    share_of_base = PERCENT_OF_BASE.search(left) if q.kind == "percent" and q.unit == "%" else None
    if times_of is not None or share_of_base is not None:
        # 生产总值2500亿元，是2008年的1.6倍: a level 1.6 times the base year's is a 60 % rise since then;
        # 投资增长21%，恢复到2019年的93%: a level at 93 % of the base year's is a 7 % fall since then
        cut = times_of or share_of_base
        assert cut is not None
        d = _draft(text, boundary, left[: cut.start()] + "增长", q, drafts)
        q.value = round_stated(q.value - (1 if times_of is not None else 100))
        d.measure, d.extra["quote_end"] = "cum_growth", q.end
        return d
    verb = change_verb(left)
    quote_start = boundary + len(left) - len(left.lstrip(QUOTE_LEAD))
    if text.startswith("预计", quote_start):
        quote_start += 2  # 预计 is recorded in ``estimated``, not quoted
    if _FROM.search(left):
        measure = "skip"  # 从11.37万亿元提高到14.58万亿元: the starting level is not a result
    elif q.kind == "rank":
        measure = "rank"
        if any(word in left for word in _GROWTH_OF):
            measure = "skip"  # a rank of growth, not of the level
    elif q.unit == "持平":
        # 同比持平 of a level is a growth of 0; 增幅与上年持平 says two growth rates were equal
        equal_rates = any(w in left for w in _GROWTH_OF) or (
            drafts and drafts[-1].measure == "growth" and not trim_metric(left))  # …，公共财政预算收入与上年持平: its own
        measure = "skip" if equal_rates else "growth"
    else:
        measure = classify_measure(q.kind, left, verb)
    increment = q.kind == "amount" and verb in INCREMENT_VERBS and left.rstrip().endswith(verb)
    written = trim_metric(left)
    metric = complete_bare_head(written, text[: q.start])
    if q.kind == "rank":
        metric = trim_metric(before_rank_lead(left))
        if (metric in LEVEL_WORDS or not metric) and drafts and measure == "rank":
            return rank_of_previous(text, quote_start, left, q, drafts[-1])
    carried = False
    if metric and drafts and _PREDICATE.match(metric) and left.lstrip().startswith("、"):
        metric = ""  # 总值达到5.53万亿元、稳居全国前十强、增长4.8%: a predicate, same subject
        left = "、" + change_verb_tail(left)
    if not metric and not drafts and left.strip() and same_subject(_YEAR_LEAD.sub("", left.strip())):
        # 全省地区生产总值连跨4个千亿台阶，2024年达到1.3万亿元: the clause before names the subject
        metric = _previous_clause_subject(text, boundary)
    if not metric and drafts and (left.strip() or q.unit == "持平") and same_subject(_YEAR_LEAD.sub("", left.strip())):
        prev = drafts[-1]
        metric = prev.metric
        carried = True
        if verb is None and left.strip()[:1] in ("、", "和") and prev.q.kind == q.kind:
            # 年均增长5.3%、8.1%: a bare list shares the verb (and 城乡 splits into 城镇/农村)
            measure, sign_verb = prev.measure, prev.sign
            pair = expand_urban_rural(prev.metric, 2)
            if pair:
                prev.metric, prev.indicator = pair[0], map_indicator(pair[0], prev.measure)
                metric = pair[1]
                d = Draft(q, quote_start, metric, map_indicator(metric, measure), measure,
                          _listed_bound(left, q, prev), classify_strength(text[: q.start]), sign_verb)
                return d
            return Draft(q, quote_start, metric, prev.indicator, measure, _listed_bound(left, q, prev),
                          classify_strength(text[: q.start]), sign_verb)
        if verb is None and prev.q.kind == q.kind == "percent" and prev.measure in ("growth", "avg_growth"):
            measure = prev.measure  # 增长6.5%左右，努力争取7.5%: the stretch figure of the same growth
        if measure == "rank" and drafts[-1].measure in ("growth", "avg_growth") and not names_level(left):
            measure = "skip"  # 增长13%、保持全国第2位: the rank of the growth rate
    if carried:
        before = drafts[-1].extra.get("increment_of")
        indicator = drafts[-1].indicator or (before if isinstance(before, str) else None)
        extra: dict[str, object] = {"carried": True}
    else:
        indicator = map_indicator(metric, measure) or map_indicator(metric + (verb or ""), measure)
        for level_word in LEVEL_WORDS:  # 经济总量突破4000亿元: 总量 was trimmed as a verb tail
            if indicator is None and metric and metric + level_word in left:
                indicator = map_indicator(metric + level_word, measure)
        extra = {}
    if indicator is None and measure == "growth":
        indicator, metric = _subject_before_rate(metric, measure)
    if indicator is not None and not carried and (_continues_a_part(left, written, drafts) or _in_a_zone(text, q.start)):
        indicator = None
    if not carried and indicator is None:
        metric = name_the_thing(metric, text[q.end : q.end + 30])
    if increment:
        # 人均可支配收入达到7041.9元，增加430.5元: an increment is no level of the indicator (the 增长6.5% after it is)
        extra["increment_of"], indicator = indicator, None
    if is_comparison(left) or PLAN_SHARE.search(left) or not fits_unit(indicator, q.base_unit):
        indicator = None
        metric = metric or "比较"
    index_to_change(indicator, q)
    if indicator and q.base_unit is None and q.kind == "amount":
        q.base_unit = default_unit(indicator)
    measure = price_change(indicator, measure, metric)
    if indicator == "cpi" and measure == "cum_growth" and not _YEAR_AT.search(left):
        measure = "growth"  # 居民消费价格指数累计上涨2.5%: the year's running total, not a change over years
    if q.unit == "番" and q.value >= 2:
        measure = "cum_growth"  # 翻了七番: several doublings take several years
    bound = classify_bound(left, q.suffix)
    strength = classify_strength(text[: q.start])
    sign = -1.0 if is_decrease(verb) and q.kind != "rank" else 1.0
    return Draft(q, quote_start, metric, indicator, measure, bound, strength, sign, extra)


_COUNTERS = frozenset({"个", "家", "所", "座", "项", "条", "处", "批", "支", "套", "台", "辆", "艘", "架", "张"})


def qualitative_targets(text: str, in_target_list: bool = False) -> list[Draft]:
    """与经济增长基本同步 / 完成省下达的…目标任务: catalogue targets stated without a number.

    Trend words (持续下降, 保持全区前列, 保持稳定增长) are targets only in the list of
    main targets; in the work plan the same words describe work, not a promise.
    """
    out: list[Draft] = []
    if rules()["_qualitative_any"].search(text) is None:
        return out
    patterns = rules()["_qualitative"] + (rules()["_qualitative_listed"] if in_target_list else [])
    seen: set[str] = set()  # one record per indicator and sentence, however many wordings match it
    for rx, width in patterns:
        for m in rx.finditer(text):
            if "items" in rx.groupindex and m.group("items"):  # 完成省下达的【能耗强度】目标
                subject, start = m.group("items"), m.start()
            else:
                start = max(_last_delim(text, m.start()), 0)
                if width is not None:
                    start = max(start, m.start() - width)  # the items: the clause before the wording, up to its width
                    if m.start() - start < 2:
                        continue
                subject = text[start : m.start()]
            for item in _LISTED.split(trim_metric(subject)):
                item = complete_bare_head(trim_metric(item), subject)  # 粮食播种面积和产量 → 粮食产量
                indicator = map_indicator(item)
                if indicator is None or indicator in seen:
                    continue
                seen.add(indicator)
                q = Quantity(start, m.end(), m.end(), math.nan, None, None, None, 1.0, "qualitative", "", False)
                d = Draft(q, start, item, indicator, "qualitative", "exact", classify_strength(text[:start]))
                out.append(d)
    return out
