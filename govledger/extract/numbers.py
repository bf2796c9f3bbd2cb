"""The number grammar: find quantities (number + unit) in a sentence.

Reports write numbers in Arabic digits (1.3万亿元, 4.5%—5%) and in Chinese
numerals (千亿元, 两成, 三成以上). Chinese numeral characters also occur
inside ordinary words (一般, 零售, 进一步, 千方百计), so a Chinese numeral
only counts when it carries a measuring unit (see ``units.json``). Names
that contain digits (5G, “6·1”, 2024年, 第十九届) are masked first
(``masks.json``); masking replaces characters one for one so offsets hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govledger.data import load_json
from govledger.read.normalize import normalize_text

MASK = "■"
_ARABIC = r"\d+(?:,\d{3})*(?:\. ?\d+)?"  # 184. 37亿元: a space typed after the point
_CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"  # 一点六倍, 十三点七
_CN_PERCENT = re.compile(r"百分之(?P<n>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)")
_NUMBER = re.compile(f"(?P<a>{_ARABIC})|(?P<c>{_CHINESE})")
_RANGE_SEP = "—-~至到"
_LIST_SEP = "、和及"
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


@dataclass
class Quantity:
    """A number with its unit, as found in a sentence (offsets relative to it)."""

    start: int  # first character of the number (or of a range)
    end: int  # after the unit and any bound suffix
    num_end: int  # after the unit, before the suffix
    value: float
    value_max: float | None
    unit: str | None  # as written (multiplier + base)
    base_unit: str | None
    factor: float  # value * factor = base_value
    kind: str  # "percent", "pp", "times", "amount", "rank"
    suffix: str  # bound word written right after the unit (以上, 左右, …) or ""
    chinese: bool = False


class UnitTable:
    """Longest-match lookup of units written after a number."""

    def __init__(self, data: dict[str, object]) -> None:
        self.multipliers: dict[str, float] = dict(data["multipliers"])  # type: ignore[call-overload]
        self.special: dict[str, dict[str, object]] = dict(data["special"])  # type: ignore[call-overload]
        self.base: dict[str, str] = dict(data["base_units"])  # type: ignore[call-overload]
        self.chinese_ok: set[str] = set(data["chinese_numeral_units"])  # type: ignore[call-overload]
        self._forms = self._build_forms()
        self._max_len = max(len(k) for k in self._forms)
        self._first = frozenset(k[0] for k in self._forms)  # most numbers (一 of 进一步) fail on the first character

    def may_start(self, text: str, pos: int) -> bool:
        """Whether a unit can begin at ``pos`` (one set lookup, before any parsing)."""
        return text[pos : pos + 1] in self._first

    def match(self, text: str, pos: int) -> tuple[str, str, float, str] | None:
        """At ``pos``: (written unit, base unit, factor, kind) or None. Longest match wins."""
        if text[pos : pos + 1] not in self._first:
            return None
        window = text[pos : pos + self._max_len]
        for length in range(min(len(window), self._max_len), 0, -1):
            hit = self._forms.get(window[:length])
            if hit is not None:
                return hit
        return None

    def _build_forms(self) -> dict[str, tuple[str, str, float, str]]:
        """Every written form, each with its reading; on a clash the reading with fewer parts wins."""
        forms: dict[str, tuple[int, tuple[str, str, float, str]]] = {}

        def add(word: str, parts: int, value: tuple[str, str, float, str]) -> None:
            if word not in forms or parts < forms[word][0]:
                forms[word] = (parts, value)

        for word, spec in self.special.items():
            add(word, 1, (word, str(spec["base_unit"]), float(spec["factor"]), str(spec["kind"])))  # type: ignore[arg-type]
        for word, base in self.base.items():
            add(word, 1, (word, base, 1e4 if word == "万元" else 1.0, "amount"))
        for mult, factor in self.multipliers.items():
            add(mult, 3, (mult, "", factor, "amount"))  # a bare multiplier (1.7万) when no unit follows
            for word, base in self.base.items():
                if word != "万元":
                    add(mult + word, 2, (mult + word, base, factor, "amount"))
        return {word: value for word, (_, value) in forms.items()}


@lru_cache(maxsize=1)
def unit_table() -> UnitTable:
    return UnitTable(load_json("units.json"))


@lru_cache(maxsize=1)
def _mask_regex() -> re.Pattern[str]:
    data = load_json("masks.json")
    # a first-character lookahead lets the engine skip most positions without trying every branch
    first = data.get("first_chars", "")
    lead = f"(?=[{first}])" if first else ""
    return re.compile(lead + "(?:" + "|".join(f"(?:{p})" for p in data["patterns"]) + ")")


def mask_names(text: str) -> str:
    """Replace numbers that are names (years, 5G, “6·1”, 第N届…) by ``MASK``; same length."""
    return _mask_regex().sub(lambda m: MASK * len(m.group()), text)


def parse_chinese_numeral(s: str) -> float | None:
    """Value of a Chinese numeral such as 三, 十五, 一百二十, 两千五百万; None if malformed."""
    if not s:
        return None
    total = 0.0
    section = 0.0
    digit: float | None = None
    for ch in s:
        if ch in _DIGITS:
            if digit is not None and digit != 0:  # "三五" is not a numeral
                return None
            digit = float(_DIGITS[ch])
        elif ch in _SMALL_UNITS:
            section += (1.0 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            section += digit or 0.0
            if section == 0:
                section = 1.0
            total = (total + section) * _BIG_UNITS[ch] if ch == "亿" else total + section * _BIG_UNITS[ch]
            section = 0.0
            digit = None
        else:
            return None
    return total + section + (digit or 0.0)


def round_stated(x: float) -> float:
    """Multiplying out 1.95万 gives 19499.999…; round to the precision a report can state."""
    return float(f"{x:.10g}")


def parse_number(s: str) -> float | None:
    """Value of an Arabic (1,200.5) or Chinese (一千二百, 十三点七) numeral."""
    if s and s[0].isdigit():
        return float(s.replace(",", "").replace(" ", ""))
    whole, dot, fraction = s.partition("点")
    value = parse_chinese_numeral(whole)
    if value is None or not dot:
        return value
    if not fraction or any(ch not in _DIGITS for ch in fraction):
        return None
    return float(f"{int(value)}." + "".join(str(_DIGITS[ch]) for ch in fraction))


def _split_chinese_multiplier(s: str) -> tuple[str, str]:
    """千亿 → (千, 亿): the trailing 万/亿 of a Chinese numeral belongs to the unit; in 三亿零五百三十万吨 the 万 is
    part of the numeral (亿 before it), and so is anything after a 点."""
    if "点" in s:
        return s, ""
    for tail in ("万亿", "亿", "万"):
        if tail == "万" and "亿" in s:
            break
        if s.endswith(tail) and len(s) > len(tail):
            return s[: -len(tail)], tail
    return s, ""


def find_quantities(text: str, masked: str | None = None) -> list[Quantity]:
    """All quantities of a sentence, with ranges joined and shared units spread.

    ``text`` may be raw report text: it is normalised here (length-preserving).
    """
    if masked is None:
        masked = mask_names(normalize_text(text))
    table = unit_table()
    suffixes = _bound_suffixes()
    found: list[Quantity] = []
    bare: list[tuple[int, int, float]] = []  # numbers without a unit, waiting for one
    unitless: list[tuple[int, int, float]] = []  # every number left without a unit
    for m in _NUMBER.finditer(masked):
        start, end = m.span()
        chinese = m.group("c") is not None
        if start > 0 and (masked[start - 1].isascii() and masked[start - 1].isalnum()):
            continue
        raw = m.group()
        unit_pos = end
        if chinese:
            raw, tail = _split_chinese_multiplier(raw)
            unit_pos = start + len(raw)
            milestone = masked.startswith(_MILESTONES, end) or masked[end : end + 1] in ("，", "。", "；")  # 突破千亿，
            if tail and milestone and m.group() in _MAGNITUDES and _reaches(masked, start):
                # 迈上万亿台阶, 突破千亿大关: a round magnitude as a milestone, in the indicator's own unit
                count, multiplier = _MAGNITUDES[m.group()]
                found.append(Quantity(start, end, end, count, None, multiplier, None, table.multipliers[multiplier],
                                      "amount", "", True))
                continue
            if m.group() == "万亿" and _reaches(masked, start) and (unit := table.match(masked, start)) and unit[1]:
                # 到2021年超过万亿元: one 万亿 (千亿元 and 百亿元 have a numeral of their own)
                found.append(Quantity(start, start + len(unit[0]), start + len(unit[0]), 1.0, None, unit[0], unit[1],
                                      unit[2], unit[3], "", True))
                continue
            if raw in ("", "万", "亿") or not table.may_start(masked, unit_pos):
                continue  # 进一步, 一批: a Chinese numeral counts only with a unit right after it
        value = parse_number(raw)
        if value is None:
            continue
        pos = unit_pos
        approx_word = ""
        if masked[pos : pos + 1] in ("多", "余") and (not chinese or masked[pos + 1 : pos + 2] in ("万", "亿")):
            approx_word = masked[pos]
            pos += 1
        unit = table.match(masked, pos)
        if unit is None and not chinese and masked.startswith(" ", pos):
            unit, pos = _unit_after_spaces(masked, pos, table)
        if unit is None or (unit[1] == "" and chinese):
            if not chinese:
                bare.append((start, end, value))
                unitless.append((start, end, value))
            continue
        written, base, factor, kind = unit
        if chinese and not _chinese_ok(raw, written, base, kind, table):
            continue
        num_end = pos + len(written)
        if base == "" and masked[num_end : num_end + 1] in ("多", "余"):
            # 1万余人: the approximation word sits between multiplier and unit
            after = table.match(masked, num_end + 1)
            if after and after[1] and after[0] in table.base:
                approx_word = masked[num_end]
                written, base = written + approx_word + after[0], after[1]
                num_end += 1 + len(after[0])
        if masked[num_end : num_end + 1] in ("多", "余"):
            approx_word = masked[num_end]
            num_end += 1
        suffix = approx_word
        gap = 0  # 涨幅在 3% 左右: a space typed between the figure and its qualifier
        while masked.startswith(" ", num_end + gap) and gap < 2:
            gap += 1
        for word in suffixes:
            if masked.startswith(word, num_end + gap):
                suffix = word
                break
        num_end_q = num_end + gap if suffix in suffixes else num_end
        if not suffix and masked.startswith("内", num_end) and not masked.startswith("内容", num_end):
            suffix = "内"
        q_end = num_end_q + (len(suffix) if suffix and suffix not in ("多", "余") else 0)
        if not chinese and start > 0 and masked[start - 1] == "-" and _word_pattern("signed_after").search(masked, 0, start - 1):
            start, value = start - 1, -value  # 增长-16.8%: the sign belongs to the figure
        q = Quantity(start, q_end, num_end, value, None, written, base or None, factor, kind, suffix, chinese)
        if not _attach_pending(masked, q, bare, found):
            found.append(q)
    if "百分之" in masked:  # 增长百分之十三点七 (older reports write percentages out)
        found.extend(_chinese_percents(masked, suffixes))
    if "翻" in masked or "倍增" in masked:  # every doubling is written with 翻 or 倍增
        found.extend(find_doublings(masked))
    if unitless:
        taken = {q.start for q in found}
        found.extend(_unitless_rates(masked, [b for b in unitless if b[0] not in taken], found))
    found.extend(find_flat(masked))
    found.sort(key=lambda q: q.start)
    return found


@lru_cache(maxsize=1)
def _bound_suffixes() -> tuple[str, ...]:
    """The bound words of two or more characters written after a unit, longest first (one-character ones such
    as 多 are read separately)."""
    words = load_json("qualifiers.json")["bound_suffix"]
    return tuple(w for w in sorted(words, key=len, reverse=True) if len(w) > 1)


@lru_cache(maxsize=8)
def _word_pattern(key: str) -> re.Pattern[str]:
    """A qualifiers.json pattern, compiled once (these run for every sentence)."""
    return re.compile(load_json("qualifiers.json")[key])


def find_flat(masked: str) -> list[Quantity]:
    """同比持平 / 零增长: a level unchanged is a growth of 0 (the extractor decides what is flat)."""
    return [Quantity(m.start(), m.end(), m.end(), 0.0, None, "持平", "%", 1.0, "percent", "", False)
            for m in _word_pattern("flat").finditer(masked)]


def _unitless_rates(
    masked: str, bare: list[tuple[int, int, float]], found: list[Quantity]
) -> list[Quantity]:
    """增长45以上 in a list of percentages: the % was left out, not the meaning; so is 居民消费价格指数控制在
    103.5以内 (an index, 上年=100, which the extractor turns into a change)."""
    in_rates = any(q.kind == "percent" for q in found)
    suffixes = ("以上", "左右", "以内", "以下")
    out = []
    for start, end, value in bare:
        follow = masked[end : end + 2]
        ends_clause = end >= len(masked) or masked[end] in "、，；。" or follow in suffixes
        rate = in_rates and 0 < value < 100 and _word_pattern("rate_verbs").search(masked, max(0, start - 3), start)
        index = 100 < value < 130 and _word_pattern("price_index_lead").search(masked, max(0, start - 12), start)
        if (rate or index) and ends_clause:
            suffix = follow if follow in suffixes else ""
            out.append(Quantity(start, end + len(suffix), end, value, None, "", "%", 1.0, "percent", suffix, False))
    return out


def _unit_after_spaces(
    masked: str, pos: int, table: UnitTable
) -> tuple[tuple[str, str, float, str] | None, int]:
    """354 亿元, 5 %: some collected texts put a space between number and unit."""
    skip = pos
    while skip < len(masked) and skip - pos < 2 and masked[skip] == " ":
        skip += 1
    unit = table.match(masked, skip)
    return (unit, skip) if unit is not None and unit[1] else (None, pos)


# 倍增 is a doubling only as a clause's last word (规模工业增加值倍增，): 倍增计划 is a programme, 1.5倍增长 a rise
_DOUBLING = re.compile(r"翻(?:了)?(?P<n>\d+|[一二两三四五六七八九十]+)番(?P<suffix>以上|多)?|翻番|(?<![\d双])倍增(?=[，。；、）])")


def find_doublings(masked: str) -> list[Quantity]:
    """翻一番 / 翻了七番以上: N doublings are a growth of (2^N − 1) × 100 %."""
    out = []
    for m in _DOUBLING.finditer(masked):
        n = parse_number(m.group("n")) if m.group("n") else 1.0
        if n is None or not 0 < n <= 20:
            continue
        suffix = m.group("suffix") or ""
        end = m.end("n") + 1 if m.group("n") else m.end()
        factor = (2**n - 1) * 100 / n
        out.append(Quantity(m.start(), m.end(), end, n, None, "番", "%", factor, "times", suffix))
    return out


_MILESTONES = ("台阶", "大关")
_MILESTONE_VERBS = ("迈上", "跨上", "跨过", "跨越", "突破", "站上", "站稳", "跃上", "迈入", "跨入", "达到", "超过", "登上", "迈过")


def _reaches(masked: str, start: int) -> bool:
    """迈上万亿台阶 reaches the level; 再跨百亿台阶 adds one more step of a hundred million (not the level)."""
    return masked[max(0, start - 2) : start] in _MILESTONE_VERBS and masked[start - 3 : start - 2] != "再"


_MAGNITUDES = {"十亿": (10.0, "亿"), "百亿": (100.0, "亿"), "千亿": (1000.0, "亿"), "万亿": (1.0, "万亿")}


def _chinese_percents(masked: str, suffixes: tuple[str, ...]) -> list[Quantity]:
    """百分之七点五左右: a percentage written in words."""
    out = []
    for m in _CN_PERCENT.finditer(masked):
        value = parse_number(m.group("n"))
        if value is None:
            continue
        suffix = next((w for w in suffixes if masked.startswith(w, m.end())), "")
        out.append(Quantity(m.start(), m.end() + len(suffix), m.end(), value, None, "%", "%", 1.0, "percent", suffix,
                            True))
    return out


def _chinese_ok(raw: str, written: str, base: str, kind: str, table: UnitTable) -> bool:
    """Chinese numerals count only with a measuring unit, never with counters like 个/项."""
    if kind in ("percent", "pp", "times"):
        return written != "%" and raw not in ("百", "千", "万")
    has_magnitude = any(ch in raw for ch in "十百千") or written[:1] in ("万", "亿", "千", "百")
    unit_word = written
    for mult in sorted(table.multipliers, key=len, reverse=True):
        if written.startswith(mult) and written[len(mult) :] in table.base:
            unit_word = written[len(mult) :]
            break
    return has_magnitude and unit_word in table.chinese_ok


def _attach_pending(masked: str, q: Quantity, bare: list[tuple[int, int, float]], found: list[Quantity]) -> bool:
    """Join "4.5—5%" into a range and give "20.9、36.2、54个百分点" their shared unit.

    Returns True when ``q`` was merged into the previous quantity (a range).
    """
    # a range written with units on both ends: 5%—6%
    if found:
        prev = found[-1]
        gap = masked[prev.end : q.start]
        if gap and len(gap) <= 2 and all(ch in _RANGE_SEP for ch in gap) and prev.base_unit == q.base_unit:
            prev.value_max = q.value * q.factor / prev.factor
            prev.end, prev.num_end, prev.suffix = q.end, q.num_end, q.suffix
            bare.clear()
            return True
    chain: list[tuple[int, int, float]] = []
    cursor = q.start
    while bare:
        b_start, b_end, b_value = bare[-1]
        gap = masked[b_end:cursor]
        if not gap or len(gap) > 2 or not all(ch in _RANGE_SEP + _LIST_SEP for ch in gap):
            break
        chain.append(bare.pop())
        cursor = b_start
    bare.clear()
    if not chain:
        return False
    chain.reverse()
    first_gap = masked[chain[-1][1] : q.start]
    if len(chain) == 1 and all(ch in _RANGE_SEP for ch in first_gap):
        q.value_max, q.value, q.start = q.value, chain[0][2], chain[0][0]
        return False
    for b_start, b_end, b_value in chain:
        found.append(
            Quantity(b_start, b_end, b_end, b_value, None, q.unit, q.base_unit, q.factor, q.kind, "", False)
        )
    return False
