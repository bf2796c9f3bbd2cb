"""Where a figure stands in the report: a target or an achievement, for which year, estimated or not.

The extractor finds drafts (a figure, its metric, measure and bound) sentence by sentence; this module
places each one using the report's layout (plan part, review, past-plan recalls, 预计 notes) and builds
the record in the schema's field order. Kind, period and scope are decided here once and carried on
the record, so nothing downstream re-reads the text for them.
"""

from __future__ import annotations

import re

from govledger.data import load_json
from govledger.extract.deadlines import find_deadline
from govledger.extract.drafts import LEVEL_WORDS, Draft
from govledger.extract.metrics import fits_unit, map_indicator
from govledger.extract.numbers import round_stated
from govledger.extract.qualifiers import rules
from govledger.extract.scope import SEVERAL, record_scope
from govledger.records import Record, trusted_record
from govledger.structure.layout import ReportLayout, Sentence
from govledger.structure.plans import plans_ahead_pattern

_SPACES = re.compile(r"\s+")
_NATIONAL_ALIASES = {a: i for i, names in load_json("catalogue.json")["national_aliases"].items() for a in names}
_TARGET_YEAR = re.compile(r"到((?:19|20)\d\d)年")  # the year a target is for (到2000年 in 河北 1998 too)
_YEAR_AT = re.compile(r"(?:19|20)\d\d(?=年)")
_MULTI_YEAR_WORDS = (*load_json("structure.json")["multi_year_words"], r"到20\d\d年")
_MULTI_YEAR_PARA_WORDS = (*load_json("structure.json")["multi_year_words"], "纲要")


def place_draft(
    layout: ReportLayout, doc: str, sentence: Sentence, d: Draft, past: re.Pattern[str], n: int,
    estimates_from: int = 1 << 62,
) -> Record:
    year = layout.year
    recall = past.search(sentence.text, 0, d.quote_start + 1) if d.quote_start >= 0 else None
    if recall is None and sentence.part == "plan":
        para = layout.paragraphs[sentence.paragraph]
        # a paragraph that opens on the past (过去五年, “十四五”时期 in 2026) recalls it throughout
        first = para.start + (layout.norm[para.start : para.start + 1] in "“\"")
        recall = _PAST_OPENER.match(layout.norm, para.start) or past.match(layout.norm, first)
    if recall is None and sentence.part == "plan" and year:
        # 1987年全国进出口总额达到827亿美元 in the 1988 plan part: a figure of a year gone by
        opening = _YEAR_AT.match(sentence.text, d.quote_start)
        recall = opening if opening and int(opening.group()) < year else None
    is_target = sentence.part == "plan" and recall is None or _promises_a_later_year(sentence.text, d.q.start, year)
    kind = "target" if is_target else "achievement"
    period: int | None
    if kind == "achievement":
        period = year - 1 if year else None
    else:
        period = target_period(layout, sentence, d.measure, d.quote_start, d.q.start)
    q = d.q
    if d.indicator and names_other_place(d.metric, layout.place):
        d.indicator = None  # 临夏州经济总量: a part of the province, not the province
    elif d.indicator is None and layout.level == "national" and d.metric in _NATIONAL_ALIASES:
        named = _NATIONAL_ALIASES[d.metric]  # 财政收入6.13万亿元 in the State Council's report
        d.indicator = named if fits_unit(named, d.q.base_unit) else None
    elif d.indicator is None and d.measure != "qualitative" and (own := _without_own_name(d.metric, layout.place)):
        # 东莞经济总量名列全国第21位 (总量 trimmed as a level word)
        named = next((i for w in ("", *LEVEL_WORDS) if (i := map_indicator(own + w, d.measure))), None)
        d.indicator = named if fits_unit(named, d.q.base_unit) else None
    qualitative = d.measure == "qualitative"
    value = None if qualitative else d.sign * q.value
    value_max = None if qualitative or q.value_max is None else d.sign * q.value_max
    base_value = None if value is None else round_stated(value * q.factor)
    quote_end = int(d.extra.get("quote_end", q.end))  # type: ignore[call-overload]
    start = sentence.start + d.quote_start
    end = sentence.start + quote_end
    scope = record_scope(
        kind=kind, measure=d.measure, period=period, plan_year=year, review_run=sentence.review_run,
        sentence=sentence.text, quote_start=d.quote_start, quote_end=quote_end,
        indicator=d.indicator, metric=d.metric,
    )
    if kind == "achievement" and scope == SEVERAL and d.measure != "rank":
        period = None  # a total or change over several years is about no single year (schema)
    over_years = scope == SEVERAL if kind == "achievement" else period is None  # a review's run, a plan's goals
    if over_years and d.measure == "growth" and (q.unit in ("番", "倍") or kind == "target"):
        # 实现翻番, 40年来增长20.1倍 over a review's or a plan's years, a plan's 国民生产总值增长百分之四十四:
        # against their start (a review's 增长41.6% stays growth, as the labellers read it)
        d.measure = "cum_growth"
    # built without validation, in the schema's field order: every field is set here from typed values
    # (tests/test_extract.py validates every record of the sample reports against the model); validating
    # 13,000 records cost 7 % of extraction, ``model_construct`` another 8 %
    return trusted_record({
        "id": f"{doc}#{n}",
        "doc": doc,
        "place": layout.place,
        "year": year,
        "period": period,
        "kind": kind,
        "estimated": kind == "achievement" and (_ESTIMATE.search(sentence.text) is not None or start >= estimates_from),
        "section": list(sentence.section),
        "sentence": _SPACES.sub("", sentence.text),
        "quote": layout.text[start:end],
        "metric": d.metric,
        "indicator": d.indicator,
        "measure": d.measure,
        "value": value,
        "value_max": value_max,
        "unit": q.unit if q.unit not in ("", "持平") else None,  # 增长45以上, 同比持平: no unit written
        "base_value": base_value,
        "base_unit": q.base_unit,
        "bound": d.bound,
        "strength": d.strength,
        "deadline": find_deadline(sentence.text, year, q.start) if kind == "target" else None,
        "start": start,
        "end": end,
        "scope": scope,
    })


_ESTIMATE = re.compile("|".join(rules()["estimate_markers"]))
ESTIMATE_FROM = re.compile(rules()["estimate_from_here"])
_PAST_OPENER = re.compile("|".join(load_json("structure.json")["past_paragraph_openers"]))
_PLACE_PREFIX = re.compile(r"^([\u4e00-\u9fa5]{2,6}?)(市|州|县|区|盟|地区|自治州)")
_PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "州", "县", "区", "盟")


def _short_name(place: str) -> str:
    for suffix in _PLACE_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


def _without_own_name(metric: str, place: str | None) -> str:
    """东莞经济总量 in 东莞市's report → 经济总量 (the reporting government's own name, without 市), else ""."""
    if place is None:
        return ""
    short = _short_name(place)
    return metric[len(short) :] if len(short) >= 2 and metric.startswith(short) and len(metric) > len(short) + 1 else ""


def names_other_place(metric: str, place: str | None) -> bool:
    """True when the metric opens with a place name that is not the reporting government."""
    m = _PLACE_PREFIX.match(metric)
    if not m or m.group(1).startswith(("全", "本", "我")) or place is None:
        return False
    if m.group(2) == "地区" and metric.startswith("生产总值", m.end()):
        return False  # 单位地区生产总值能耗: 地区生产总值 is the economy, not a place (甘州区生产总值 is a district's)
    short = _short_name(place)
    return not (m.group(1).startswith(short) or short.startswith(m.group(1)))


def target_period(
    layout: ReportLayout, sentence: Sentence, measure: str, quote_start: int, figure_at: int | None = None
) -> int | None:
    """The year a target is for: 到2030年 names it; a multi-year plan without one has none.

    The plan year wins when the paragraph speaks of 今年 or names the year, because
    reports often put this year's targets under a "十五五" heading.
    """
    year = layout.year
    before = sentence.text[: max(quote_start, 0) + 1]
    # the nearest 到YYYY年 before the figure: …翻三番，到2010年国内生产总值比2000年再翻一番 is for 2010
    named = list(_TARGET_YEAR.finditer(sentence.text, 0, max(quote_start + 1, figure_at or 0)))
    m = named[-1] if named else None
    if m and year and int(m.group(1)) != year:
        return int(m.group(1))
    for at in (max(quote_start, 0), 0):  # the quote's opening, or the sentence's (…4900亿公斤，力争达到5000亿公斤)
        opening = _YEAR_AT.match(sentence.text, at)
        if opening and year and int(opening.group()) > year:
            return int(opening.group())  # 2000年粮食总产量要保证达到4900亿公斤 in the 1996 report
    para = layout.paragraphs[sentence.paragraph]
    # up to the figure: 今年 opening the quote itself (今年自治区财政科技投入再翻一番) names the year too
    para_text = layout.norm[para.start : sentence.start + max(quote_start + 1, figure_at or 0)]
    this_year = "今年" in para_text or (year is not None and f"{year}年" in para_text)
    ahead = plans_ahead_pattern(year, _MULTI_YEAR_WORDS).search(before)
    if ahead is not None and not _names_this_year(before[ahead.end() :], year) or measure == "avg_growth":
        return None  # (与“九五”计划相衔接，今年全省主要…指标初步安排为：… is this year's list)
    heading_names_year = year is not None and any(f"{year}年" in h for h in sentence.section)
    section_multi = sentence.multi_year and not heading_names_year
    if (section_multi or plans_ahead_pattern(year, _MULTI_YEAR_PARA_WORDS).search(para_text)) and not this_year:
        return None
    return year


def _names_this_year(text: str, year: int | None) -> bool:
    return "今年" in text or (year is not None and f"{year}年" in text)


_DONE = re.compile(r"实现了|完成了|已经|已|提前实现|提前完成|提前.{1,2}年")


def _promises_a_later_year(text: str, figure_at: int, year: int | None) -> bool:
    """确保到2000年全省国内生产总值比1980年翻三番 in the review of 河北 1998 (a report with no plan part): a figure
    promised for a year not yet reached is a target wherever it is told, unless the clause says it is done
    (提前两年实现到2020年翻番的目标)."""
    if year is None or figure_at < 0:
        return False
    clause_start = max(text.rfind(ch, 0, figure_at) for ch in "。；，") + 1
    clause = text[clause_start:figure_at]
    later = [m for m in _TARGET_YEAR.finditer(clause) if int(m.group(1)) > year]
    return bool(later) and _DONE.search(clause) is None
