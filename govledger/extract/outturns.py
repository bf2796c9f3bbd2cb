"""Statistical communiqués (统计公报) → ``outturn`` records.

A communiqué states the official figures of a finished year in short
declarative sentences (全年国内生产总值…亿元，比上年增长…%). The number
grammar, the quantity drafts and the catalogue are the work-report ones
(``extractor.extract_sentence``); what differs is written in
``data/communique.json``: old wordings (国民生产总值, 农村居民人均纯收入,
全国财政收入), which figures are a part (a region, a quarter, a sector, a
median) rather than the national indicator, the 名义/实际 split of income
growth, the year-end or average basis of an unemployment rate, and amounts
that are a change over last year (比上年增加1454万吨), not a level.

Footnote markers ([3], ①) sit between a metric and its number; they are cut
out of the sentence before the grammar sees it, and every offset is mapped
back, so quotes stay verbatim slices of the communiqué text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govledger.data import load_json
from govledger.extract.drafts import Draft
from govledger.extract.extractor import extract_sentence
from govledger.extract.metrics import catalogue, fits_unit, map_indicator, trim_metric
from govledger.extract.numbers import Quantity, round_stated
from govledger.extract.placement import names_other_place
from govledger.read.normalize import normalize_text
from govledger.records import Record
from govledger.structure.doctype import communique_rules as rules
from govledger.structure.doctype import read_head
from govledger.structure.layout import split_lines
from govledger.structure.sentences import split_sentences

_DELIMS = "，；：,;:"
_TABLE_ROW = re.compile(r"^(?:[|\-]\s|\|)")
_HEADING = re.compile(r"^#{1,6}\s")
_IMAGE = re.compile(r"^!\[")
_NOTE = re.compile(r"^(?:\[\d{1,3}\]|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])")


def _clean(sentence: str) -> tuple[str, list[int]]:
    """The sentence without footnote markers, and for each kept character its offset in the sentence."""
    keep: list[int] = []
    out: list[str] = []
    cut = [(m.start(), m.end()) for m in rules()["_footnote"].finditer(sentence)]
    j = 0
    for i, ch in enumerate(sentence):
        while j < len(cut) and cut[j][1] <= i:
            j += 1
        if j < len(cut) and cut[j][0] <= i < cut[j][1]:
            continue
        out.append(ch)
        keep.append(i)
    return "".join(out), keep


def _is_prose(line: str) -> bool:
    """Sentences, not tables, headings, images or notes on sources."""
    if _TABLE_ROW.match(line) or _HEADING.match(line) or _IMAGE.match(line):
        return False
    return any(ch in line for ch in "，。；")


def _comm_indicator(metric: str, measure: str, place: str | None) -> str | None:
    """The catalogue id of a communiqué metric: communiqué wordings first, then the catalogue.

    An alias counts only at the head of the metric (after 全年, 全国 or the place's
    name): 信息技术服务业增加值 holds 服务业增加值 but is one industry, not services.
    """
    r = rules()
    if any(w in metric for w in r["not_indicator"]):
        return None
    local = place is not None and place != "全国"
    for alias, ind in r["_aliases"]:
        i = metric.find(alias)
        if i < 0 or (local and alias in r["national_only_aliases"]):
            continue
        prefix = metric[:i]
        if prefix.endswith(("（", "(")):
            prefix = ""  # 占总人口比重（常住人口城镇化率）: the bracket names the indicator
        if place and prefix.startswith(place):
            prefix = prefix[len(place):]
        if local:
            prefix = re.sub(r["local_prefix"], "", prefix)  # 全省地方一般公共预算收入: the province's own
        if not r["_prefix_ok"].match(prefix) or _vetoed(ind, metric, alias) or not _ends_with(metric, [alias]):
            return None
        return ind
    found = map_indicator(metric, measure, allow_bare=False)
    item = next((i for i in catalogue() if i.id == found), None)
    return found if item is not None and _ends_with(metric, item.aliases) else None


def _ends_with(metric: str, aliases: Sequence[str]) -> bool:
    """The indicator's wording is the head of the metric (last, but for 人数, 平均值, a bracket)."""
    for alias in aliases:
        i = metric.rfind(alias)
        if i >= 0 and rules()["_tail_ok"].match(metric[i + len(alias) :]):
            return True
    return False


def _vetoed(indicator: str, metric: str, alias: str) -> bool:
    """The catalogue's veto words hold for communiqué wordings too (户籍人口城镇化率, 第三产业增加值比重)."""
    item = next((i for i in catalogue() if i.id == indicator), None)
    words = list(item.not_if) if item else []
    if indicator not in load_json("catalogue.json").get("share_indicators", []):
        words += load_json("catalogue.json").get("global_not_if", [])
    return any(w in metric and w not in alias for w in words)  # bare 投资 is never the national total here


def _headless(metric: str, before: str) -> str | None:
    """实际使用金额535亿美元 after 全年新批外商直接投资项目…: the sentence named the indicator earlier."""
    for rule in rules()["headless"]:
        if re.match(rule["metric"], metric) and re.search(rule["context"], before):
            return str(rule["indicator"])
    return None


def _is_part(indicator: str, context: str) -> bool:
    """A region, quarter, sector or component figure: not the national (or the place's) indicator."""
    r = rules()
    allowed = set(r["part_allowed"].get(indicator, []))
    words = [w for w in r["part_markers"] if w not in allowed] + r["indicator_parts"].get(indicator, [])
    return any(w in context for w in words)


def _is_increment(d: Draft, left: str) -> bool:
    """比上年增加1454万吨, 多增11万人: an amount that is a change, not the level."""
    if d.q.kind != "amount":
        return False
    tail = left.rstrip(" 了约近")
    return any(tail.endswith(w) for w in rules()["increment"])


def _basis(context: str) -> str | None:
    r = rules()
    if any(w in context for w in r["average"] if w != "全年") or "平均" in context:
        return "average"
    if any(w in context for w in r["year_end"]):
        return "year_end"
    return None


@dataclass
class _Found:
    draft: Draft
    indicator: str
    start: int  # offset of the quote in the communiqué text
    end: int
    extra: dict[str, object]


def _clause_start(clean: str, pos: int) -> int:
    return max(clean.rfind(ch, 0, pos) for ch in _DELIMS) + 1


def flat_drafts(clean: str) -> list[Draft]:
    """全年居民消费价格与上年持平: a change of zero written in words."""
    out = []
    for m in rules()["_flat"].finditer(clean):
        start = _clause_start(clean, m.start())
        lead = len(clean[start:]) - len(clean[start:].lstrip(" 、"))
        q = Quantity(m.start(), m.end(), m.end(), 0.0, None, None, "%", 1.0, "percent", "")
        out.append(Draft(q, start + lead, trim_metric(clean[start : m.start()]), None, "growth", "exact", "plain"))
    return out


def _sentence_outturns(
    clean: str, drafts: list[Draft], para_before: str, place: str | None, wide_before: str = ""
) -> list[tuple[Draft, str, dict[str, object]]]:
    """Keep the drafts that state a catalogue indicator for the whole place and year."""
    r = rules()
    flats = [f for f in flat_drafts(clean) if not any(d.q.start < f.q.end and f.q.start < d.q.end for d in drafts)]
    drafts = sorted(drafts + flats, key=lambda d: d.q.start)  # 与上年持平, unless the grammar read it already
    out: list[tuple[Draft, str, dict[str, object]]] = []
    dropped: set[str] = set()  # 外贸货物吞吐量45亿吨，增长4.0%: the growth of a level that is not the indicator
    for i, d in enumerate(drafts):
        clause_start = _clause_start(clean, d.q.start)
        clause = clean[clause_start : d.q.start]
        wide_words = [w for w in r["wide_part_markers"] if w in wide_before + clean[:clause_start]]
        if d.bound == "exact" and any(clause.rstrip().endswith(w) for w in r["min_words"]):
            d.bound = "min"  # 跃上10万亿元的新台阶: a milestone is a floor
        if i > 0 and (r["_carry"].match(d.metric) or not d.metric):
            d.metric = drafts[i - 1].metric  # 比上年增长4.7%，扣除价格因素，实际增长2.1%: same subject
        elif i > 0 and d.metric.startswith("占") and "（" not in d.metric:
            d.metric = drafts[i - 1].metric + d.metric  # 城镇人口…，占总人口比重为52.6%
        verb = next((w for w in r["change_words"] if clause.rstrip().endswith(w)), None)
        if verb and d.q.kind == "percent" and d.measure == "ratio":
            d.measure, d.sign = "growth", float(r["change_words"][verb])  # 增产3.1%
        elif i > 0 and r["_whole_year"].match(clause.strip()):
            d.metric = r["_period"].sub("", drafts[0].metric)  # 一季度…，全年平均比上年上涨3.3%
            dropped.discard(d.metric)
            if d.measure == "avg_growth":
                d.measure = "growth"  # the year's average over last year's, not a several-year average
        indicator = _comm_indicator(d.metric, d.measure, place) or _headless(d.metric, wide_before + clean[:clause_start])
        if indicator in r["rate_indicators"] and d.q.unit in (None, "持平") and d.q.value == 0:
            d.measure, d.q.base_unit = "pp_change", "pp"  # 与上年末持平 after a rate
        if indicator is not None and d.measure == "pp_change" and indicator not in r["rate_indicators"]:
            continue  # 增幅比上年回落12.6个百分点: a change of the growth rate, not of the indicator
        if indicator is not None and not fits_unit(indicator, d.q.base_unit):
            dropped.add(d.metric)
        if indicator is None or d.metric in dropped:
            continue
        if names_other_place(d.metric, place):
            dropped.add(d.metric)  # 成都市地区生产总值 in a provincial communiqué
            continue
        allowed = r["part_allowed"].get(indicator, [])
        if _is_part(indicator, d.metric + clause) or any(w not in allowed for w in wide_words):
            dropped.add(d.metric)
            continue
        if _is_increment(d, clause):
            continue
        extra: dict[str, object] = {}
        if indicator in ("resident_income", "urban_income", "rural_income") and d.measure == "growth":
            if any(w in clause for w in rules()["nominal"]):
                extra["nominal"] = True
            elif not any(w in clause for w in rules()["real"]):
                # 增长8.9%，扣除价格因素，实际增长7.4%: the figure before the real one is nominal
                nxt = drafts[i + 1] if i + 1 < len(drafts) else None
                if nxt is not None and nxt.measure == "growth" and any(
                    w in clean[d.q.end : nxt.q.start] for w in rules()["real"]
                ):
                    extra["nominal"] = True
        elif d.measure == "growth" and indicator != "foreign_investment" and any(w in clause for w in rules()["real"]):
            extra["real"] = True  # 扣除价格因素，实际增长12.0%: a deflated figure beside the nominal headline
        if indicator in ("unemployment_surveyed", "unemployment_registered") and d.measure == "ratio":
            basis = _basis(clean[max(0, clause_start - 12) : d.q.start]) or (
                "year_end" if indicator == "unemployment_registered" else _basis(para_before[-40:])
            )
            if basis:
                extra["basis"] = basis
        out.append((d, indicator, extra))
    return out


def extract_outturns(text: str, doc: str, *, place: str | None = None, year: int | None = None) -> list[Record]:
    """Every catalogue figure a communiqué states for its place and year, as ``outturn`` records."""
    norm = normalize_text(text)
    head = read_head(norm)
    place = place or (head.place if not head.national else "全国")
    year = year or head.year
    records: list[Record] = []
    seen: set[tuple[int, int, str, str]] = set()
    section: list[str] = []
    for a, b in split_lines(norm):
        line = norm[a:b]
        if _HEADING.match(line):
            section = [line.lstrip("# ").strip()]
            continue
        if not _is_prose(line) or _NOTE.match(line):
            continue  # tables are read apart; a footnote ([34]按…老口径推算…) explains, it does not report
        for sa, sb in split_sentences(norm, a, b):
            raw = norm[sa:sb]
            clean, keep = _clean(raw)
            if not clean.strip():
                continue
            drafts = extract_sentence(clean)
            wide = norm[max(a, norm.rfind("。", a, sa) + 1) : sa]
            for d, indicator, extra in _sentence_outturns(clean, drafts, norm[a:sa], place, wide):
                q_start = d.quote_start
                q_end = int(d.extra.get("quote_end", d.q.end))  # type: ignore[call-overload]
                if q_end <= q_start or q_end > len(keep):
                    continue
                start, end = sa + keep[q_start], sa + keep[q_end - 1] + 1
                while start < end and norm[start] in "（(“\"":
                    start += 1  # （折1263亿美元: the bracket belongs to the sentence, not the quote
                key = (start, end, indicator, d.measure)
                if key in seen:
                    continue
                seen.add(key)
                records.append(_record(text, doc, place, year, section, raw, d, indicator, extra, start, end))
    records.extend(_table_records(text, norm, doc, place, year))
    records.sort(key=lambda r: (r.start or 0, r.end or 0))
    for n, r in enumerate(records, 1):
        r.id = f"{doc}#{n}"
    return records


def _table_records(text: str, norm: str, doc: str, place: str | None, year: int | None) -> list[Record]:
    """Figures of the tables written as text (``tables.py``), quoted by their whole row."""
    from govledger.extract.tables import table_figures

    out = []
    for f in table_figures(norm, split_lines(norm), year):
        base_value = round_stated(f.value * f.factor)
        out.append(Record.model_validate({
            "id": "", "doc": doc, "place": place, "year": year, "period": year, "kind": "outturn", "estimated": False,
            "section": ["表"], "sentence": text[f.start : f.end], "quote": text[f.start : f.end], "metric": f.label,
            "indicator": f.indicator, "measure": f.measure, "value": f.value, "value_max": None, "unit": f.unit,
            "base_value": base_value, "base_unit": f.base_unit, "bound": "exact", "strength": "plain",
            "deadline": None, "start": f.start, "end": f.end, "table": True,  # extra: read from a table row
        }))
    return out


def _record(text: str, doc: str, place: str | None, year: int | None, section: list[str], sentence: str,
            d: Draft, indicator: str, extra: dict[str, object], start: int, end: int) -> Record:
    q = d.q
    value = d.sign * q.value
    value_max = None if q.value_max is None else d.sign * q.value_max
    base_value = round_stated(value * q.factor)
    rec = Record(
        id="", doc=doc, place=place, year=year, period=year, kind="outturn", estimated=False,
        section=list(section), sentence=re.sub(r"\s+", "", sentence), quote=text[start:end],
        metric=d.metric, indicator=indicator, measure=d.measure,  # type: ignore[arg-type]
        value=value, value_max=value_max, unit=q.unit, base_value=base_value, base_unit=q.base_unit,
        bound=d.bound,  # type: ignore[arg-type]
        strength="plain", deadline=None, start=start, end=end,
    )
    for key, val in extra.items():
        setattr(rec, key, val)  # nominal / real / basis: extras the schema allows
    return rec


_SENTENCE_END = "。）)”」！？.;；"


def check_complete(norm: str) -> str | None:
    """Why a communiqué text is cut short, or None: its last line must end a sentence or a table row."""
    lines = [norm[a:b] for a, b in split_lines(norm)]
    if not lines:
        return "empty"
    last = lines[-1].rstrip("* ")
    table_row = _TABLE_ROW.match(last) or (
        re.search(r"\d\s+[-\d.]+\s*$", last) is not None and not re.search("[，。；]", last)
    )
    if not last or last[-1] in _SENTENCE_END or table_row:
        return None
    return f"truncated: ends mid-sentence ('…{last[-20:]}')"


def communique_records(source: Any, kind: Any, *, doc: str, place: str | None = None,
                       year: int | None = None) -> tuple[list[Record], str | None]:
    """The outturn records of a communiqué and its level; ``ReportError`` when it is cut short or has no figures.

    The pipeline wraps them in a ``Ledger`` (this stage knows nothing of ledgers or fingerprints).
    """
    from govledger.errors import ReportError

    norm = normalize_text(source.text)
    records = extract_outturns(source.text, doc, place=place, year=year)
    if not records:
        raise ReportError(source.path, f"no official figures found ({kind.label}, {kind.changes} year-on-year changes)")
    why = check_complete(norm)
    if why:
        raise ReportError(source.path, f"{why} ({kind.label})")
    head = read_head(norm)
    return records, ("national" if head.national and place is None else None)
