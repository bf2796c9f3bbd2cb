"""What a number measures: trim the metric phrase and map it to the catalogue.

The metric is usually the noun phrase left of the verb (地区生产总值增长6.5%),
sometimes right of the unit (完成28个地质灾害防治项目). The catalogue of
indicators (``data/catalogue.json``) is data users can extend: aliases
are matched longest first, and a metric holding any ``not_if`` word (人均,
比重, 单位…) is a different measure that merely mentions the indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govledger.data import load_json
from govledger.extract.qualifiers import rules

_ENUMERATOR = re.compile(rules()["enumerator_lead"])
_BASE_YEAR_TAIL = re.compile(rules()["base_year_tail"])
_INNER_SPACE = re.compile(r"(?<=\S) +(?=\S)")
_TRAILING_YEAR = re.compile(r"(?:(?:到|至)?(?:19|20)\d\d年(?:底|末)?(?:的)?)$")
_ESTIMATE_ASIDE = re.compile(r"[（(][^（）()]*(?:预计|下同|初步核算|快报)[^（）()]*(?:[）)]|$)")
_TARGET_LEAD_IN = re.compile(rules()["target_lead_in"])
_PLAN_PERIOD_LEAD = re.compile(rules()["plan_period_lead"])
_LEADING_YEAR = re.compile(r"^(?:到|至)?(?:(?:19|20)\d\d|■■■■)年(?:底|末|全年)?(?:前)?|^(?:近|过去)?\d{1,2}年(?:来|间|中)?(?=[^\d])")
_PUNCT = "，。；：、！？“”‘’（）()《》 \u3000—-\n\r\t"

_NUMERAL_WORD = re.compile(r"[一二三四五六七八九十是]+")
_ITEM_SEP = re.compile(r"[、和及与]|以及")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    direction: str
    aliases: tuple[str, ...]
    not_if: tuple[str, ...]
    bare_only: tuple[str, ...]
    anchored: bool
    units: tuple[str, ...]


@lru_cache(maxsize=1)
def catalogue() -> list[Indicator]:
    items = load_json("catalogue.json")["indicators"]
    return [
        Indicator(
            id=i["id"],
            name=i["name"],
            direction=i.get("direction", "up"),
            aliases=tuple(i["aliases"]),
            not_if=tuple(i.get("not_if", [])),
            bare_only=tuple(i.get("bare_only", [])),
            anchored=bool(i.get("anchored", False)),
            units=tuple(i.get("units", [])),
        )
        for i in items
    ]


@lru_cache(maxsize=1)
def _alias_index() -> list[tuple[str, Indicator]]:
    pairs = [(alias, ind) for ind in catalogue() for alias in ind.aliases]
    return sorted(pairs, key=lambda p: -len(p[0]))


@lru_cache(maxsize=1)
def _aliases_by_first_char() -> dict[str, list[tuple[int, str, Indicator]]]:
    """The alias index keyed by first character, each alias with its rank in the index: a metric of a dozen
    characters is looked up in a few lists instead of scanning hundreds of aliases."""
    out: dict[str, list[tuple[int, str, Indicator]]] = {}
    for rank, (alias, ind) in enumerate(_alias_index()):
        if alias:
            out.setdefault(alias[0], []).append((rank, alias, ind))
    return out


def _aliases_in(metric: str) -> list[tuple[str, Indicator]]:
    """The aliases written in ``metric``, in the index's order (longest first)."""
    by_first = _aliases_by_first_char()
    hits: set[tuple[int, str, Indicator]] = set()
    for i, ch in enumerate(metric):
        for entry in by_first.get(ch, ()):
            if metric.startswith(entry[1], i):
                hits.add(entry)
    return [(alias, ind) for _, alias, ind in sorted(hits, key=lambda e: e[0])]


@lru_cache(maxsize=1)
def _global_not_if() -> tuple[str, ...]:
    return tuple(load_json("catalogue.json").get("global_not_if", []))


@lru_cache(maxsize=1)
def _shares() -> frozenset[str]:
    return frozenset(load_json("catalogue.json").get("share_indicators", []))


@lru_cache(maxsize=1)
def _anchor_exclude() -> re.Pattern[str]:
    return re.compile(load_json("catalogue.json").get("anchor_exclude", "(?!)"))


@lru_cache(maxsize=1)
def _anchor_prefix() -> re.Pattern[str]:
    return re.compile(load_json("catalogue.json")["anchor_prefix"])


@lru_cache(maxsize=1)
def _noise_regex() -> re.Pattern[str]:
    words = sorted(rules()["leading_noise"], key=len, reverse=True)
    return re.compile("^(?:" + "|".join(map(re.escape, words)) + ")+")


@lru_cache(maxsize=1)
def _verb_tail_regex() -> re.Pattern[str]:
    table = rules()
    words = table["increase_verbs"] + table["decrease_verbs"] + table["level_verbs"] + list(table["bound_prefix"])
    words += ["分别", "同比", "比上年", "较上年", "年均", "年平均", "平均每年", "每年平均", "累计", "均", "都", "总量", "规模", "达", "以上",
              "预计"]
    words += ["确保", "力争", "争取", "努力", "了", "仍", "实际", "名义", "按可比口径计算", "按可比价格计算", "按可比价计算", "计算", "可比"]  # 即GDP确保实现3500亿元: a strength word before the verb
    words += ["提高至", "提升至", "上升至", "攀升至", "增至", "降至", "下降至", "增长至", "至"]
    words += ["由负转正", "恢复到正增长", "恢复正增长", "实现正增长", "恢复到正", "转正"]  # GDP由负转正，增长1.5%
    words = sorted(set(words), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")+$")


def subject_vetoes(subject: str, first_item: str, indicator: str | None) -> bool:
    """What a list's shared subject says of every item: 非公经济产值、固定资产投资和吸纳就业占比分别达到…
    (a share: 占比 closes the list), 新片区挂牌以来规模以上工业总产值、全社会固定资产投资分别… (a zone's
    figures: the place before the first item)."""
    if indicator is None:
        return False
    tail = subject[len(subject.rstrip("的")) - 2 :] if len(subject) >= 2 else subject
    if indicator not in _shares() and any(subject.endswith(w) or tail.endswith(w) for w in _global_not_if()):
        return True
    lead = subject[: max(subject.find(first_item), 0)]
    if _anchor_exclude().search(lead) is not None:
        return True
    return map_indicator(first_item) is None and _anchor_exclude().search(first_item) is not None


def names_a_joined_alias(metric: str) -> bool:
    """The metric holds a catalogue name that itself joins two words (货物和服务进出口): not a list to split."""
    return any(("和" in alias or "、" in alias) and alias in metric for alias, _ in _aliases_in(metric))


def is_bare_alias(metric: str, indicator: str | None) -> bool:
    """True when ``metric`` is only a ``bare_only`` alias of ``indicator`` (投资 for fixed-asset investment)."""
    ind = _by_id().get(indicator or "")
    return ind is not None and metric.strip(_PUNCT) in ind.bare_only


@lru_cache(maxsize=65536)
def map_indicator(metric: str, measure: str | None = None, allow_bare: bool = True) -> str | None:
    """Catalogue id of a metric phrase, or None. Longest alias first; ``not_if`` words veto.

    A ``bare_only`` alias (投资 for fixed-asset investment) counts only as the whole
    metric and for a growth rate, the way the list of main targets uses it.
    """
    if not metric:
        return None
    for alias, ind in _aliases_in(metric):
        bare_ok = allow_bare and metric.strip(_PUNCT) == alias and measure in (None, "growth")
        if alias in ind.bare_only and not bare_ok:
            continue
        if any(word in metric for word in ind.not_if if word not in alias):
            return None
        if ind.id not in _shares() and any(word in metric for word in _global_not_if()):
            return None
        prefix = metric[: metric.find(alias)]
        if ind.anchored and (not _anchor_prefix().match(prefix) or _anchor_exclude().search(prefix)):
            return None  # 开发区规上工业增加值: a part's figure, not the government's own
        return ind.id
    return None


def variant_of(indicator: str | None, metric: str) -> int | None:
    """Which wording group of an indicator a metric names (catalogue ``variants``), or None."""
    if indicator is None:
        return None
    for k, group in enumerate(_variants().get(indicator, ())):
        if any(word in metric for word in group):
            return k
    return None


@lru_cache(maxsize=1)
def _variants() -> dict[str, list[list[str]]]:
    return {i["id"]: i["variants"] for i in load_json("catalogue.json")["indicators"] if i.get("variants")}


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Indicator]:
    return {ind.id: ind for ind in catalogue()}


def fits_unit(indicator: str | None, base_unit: str | None) -> bool:
    """A figure can belong to an indicator only in one of its units (no GDP in 个)."""
    if indicator is None or base_unit is None:
        return True
    ind = _by_id().get(indicator)
    return ind is None or not ind.units or base_unit in ind.units


def default_unit(indicator: str | None) -> str | None:
    """The base unit to assume when the text leaves it out (地区生产总值迈上5万亿)."""
    ind = _by_id().get(indicator or "")
    return ind.units[0] if ind and ind.units else None


@lru_cache(maxsize=65536)
def trim_metric(left: str) -> str:
    """Strip leading noise (全市, 预计, 力争…) and trailing verbs (增长, 达到…) off a phrase."""
    text = _ESTIMATE_ASIDE.sub("", left).strip(_PUNCT)  # 地区生产总值（预计，下同）: the aside is not the name
    if " " in text:
        text = _INNER_SPACE.sub("", text)  # 单位 GDP能耗: a space typed inside a name
    text = _LEADING_YEAR.sub("", text).strip(_PUNCT)
    text = _ENUMERATOR.sub("", text).strip(_PUNCT)  # 一是新增城镇就业
    named = _TARGET_LEAD_IN.sub("", text).strip(_PUNCT)  # 今年…主要预期目标是生产总值 (not 经济增长预期目标为)
    text = named or text
    text = _PLAN_PERIOD_LEAD.sub("", text).strip(_PUNCT) or text  # “十三五”时期生产总值
    text = _noise_regex().sub("", text).strip(_PUNCT)
    text = _LEADING_YEAR.sub("", text).strip(_PUNCT)  # 力争到2025年社会消费品零售总额: the year after the lead-in
    text = _BASE_YEAR_TAIL.sub("", text).strip(_PUNCT)  # 死亡人数比2020年: the base, before its year goes
    text = _TRAILING_YEAR.sub("", text).strip(_PUNCT)  # 提高到2012年的32350元: the year the figure is of
    text = _verb_tail_regex().sub("", text).strip(_PUNCT)
    text = _BASE_YEAR_TAIL.sub("", text).strip(_PUNCT)  # 比2019年增长8%: the base is not the name
    text = _TRAILING_YEAR.sub("", text).strip(_PUNCT)  # 生产总值到2021年超过万亿元
    text = _noise_regex().sub("", text).strip(_PUNCT)
    return text


def right_metric(after: str) -> str:
    """The noun phrase right of a unit (完成28个【地质灾害防治项目】), cut at the next verb or stop."""
    stops = rules()["right_metric_stops"]
    cut = len(after)
    for word in stops:
        i = after.find(word)
        if 0 <= i < cut:
            cut = i
    return after[:cut].strip(_PUNCT)[:20]


MARKS = re.compile(r"[“”‘’\"'（）()《》\s]")


@lru_cache(maxsize=1)
def _bare_words() -> frozenset[str]:
    table = rules()
    return frozenset(table["action_verbs"]) | frozenset(table["deadline_lead"]) | frozenset(table["leading_noise"])


def is_bare(metric: str | None) -> bool:
    """Empty, one character, a bare verb or lead-in, or only numerals (二, 一是): names nothing."""
    m = MARKS.sub("", metric or "")
    return len(m) < 2 or m in _bare_words() or _NUMERAL_WORD.fullmatch(m) is not None


def borrow_subject(metric: str, earlier: list[str]) -> str:
    """竣工124个 after 重点项目320个: a figure that names nothing counts what the sentence counted.

    An action verb keeps its place (新开工 + 重点项目); anything else bare gives way.
    """
    subject = next((m for m in reversed(earlier) if not is_bare(m)), None)
    if subject is None:
        return metric
    return (metric if metric in rules()["action_verbs"] else "") + subject


def name_the_thing(metric: str, after: str) -> str:
    """The metric a reader can use when the words before the figure do not name what is counted.

    实施30项市级疏堵工程 → 实施市级疏堵工程; 提速推进华纳碳酸钙等175个重点项目 →
    提速推进重点项目; 年底前完成28个地质灾害防治项目 → 完成地质灾害防治项目.
    """
    table = rules()
    right = right_metric(after)
    if not right:
        return metric
    for lead in sorted(table["deadline_lead"], key=len, reverse=True):
        if metric.startswith(lead):
            metric = metric[len(lead) :]
            break
    if not metric:
        return right
    if metric.endswith("等"):
        verb = next((v for v in sorted(table["action_verbs"], key=len, reverse=True) if metric.startswith(v)), "")
        return verb + right
    if metric in table["action_verbs"]:
        return metric + right
    if len(MARKS.sub("", metric)) < 2:
        return right  # 对62条…, 有2家…: a preposition or particle, not a subject
    return metric


_HEADS = ("增加值", "产量", "产值", "收入", "营业收入", "总额", "投资", "面积", "人数", "数量", "规模", "比重", "覆盖率", "率", "利润", "总量", "产能", "能耗")


def split_items(subject: str) -> list[str]:
    """A 、/和/及 list (茶叶、猕猴桃产量) as complete metrics (茶叶产量, 猕猴桃产量)."""
    items = [s for s in _ITEM_SEP.split(subject) if s]
    if len(items) < 2:
        return items
    items = [_complete_parallel(i, items[-1]) for i in items[:-1]] + [items[-1]]
    head = next((h for h in sorted(_HEADS, key=len, reverse=True) if items[-1].endswith(h)), None)
    if head:
        # 地区生产总值、财政收入: an item that is already a catalogue name keeps it
        items = [i if i.endswith(_HEADS) or i.endswith(("量", "数")) or map_indicator(i, allow_bare=False) else i + head
                 for i in items]  # …拥有量、…企业数量, 事故起数、死亡人数: already a measure
    return items


def _complete_parallel(item: str, last: str) -> str:
    """城镇 beside 农村常住居民人均可支配收入 → 城镇常住居民人均可支配收入."""
    for group in rules()["parallel_prefixes"]:
        if item in group:
            for partner in group:
                if partner != item and last.startswith(partner):
                    return item + last[len(partner) :]
    return item


def expand_urban_rural(subject: str, n: int) -> list[str] | None:
    """城乡居民人均可支配收入分别… with two figures: the first is urban, the second rural; 三次产业增加值分别…
    with three: the primary, secondary and tertiary industries."""
    if n == 2 and subject.startswith("城乡"):
        rest = subject[2:]
        return ["城镇" + rest, "农村" + rest]
    if n == 3 and subject.startswith(("三次产业", "一二三产业", "一、二、三产业")):
        rest = subject.split("产业", 1)[1]
        return [f"第{k}产业{rest}" for k in "一二三"]
    return None
