"""The number grammar on real phrases (fixtures) and generated Chinese numerals (properties)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govledger.extract.numbers import find_quantities, mask_names, parse_chinese_numeral, parse_number

CASES = json.loads((Path(__file__).parent / "data" / "quantities.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_quantities_of_real_phrases(text: str, expected: list[list[object]]) -> None:
    got = [
        [q.value, q.value_max, q.unit, q.base_unit, round(q.value * q.factor, 6), q.suffix]
        for q in find_quantities(text)
    ]
    assert got == [[*e[:4], pytest.approx(e[4]), e[5]] for e in expected]


def test_mask_keeps_length() -> None:
    text = "“6·1”芦山地震、5G、PM2.5、2024年、第十九届、1+3+3"
    assert len(mask_names(text)) == len(text)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("三", 3), ("十", 10), ("十五", 15), ("二十", 20), ("一百零五", 105), ("两千", 2000), ("三万五千", 35000),
     ("一亿二千万", 120_000_000), ("千", 1000), ("百", 100), ("两", 2)],
)
def test_parse_chinese_numeral(numeral: str, value: int) -> None:
    assert parse_chinese_numeral(numeral) == value


_CN = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Write 1 ≤ n < 1e8 the way reports do (一万二千零五)."""
    def below_10k(x: int, leading: bool) -> str:
        out, zero = "", False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit_value % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero or (not out and not leading and unit_value < 1000):
                out += "零" if out or not leading else ""
            zero = False
            out += ("" if (d == 1 and unit == "十" and not out and leading) else _CN[d]) + unit
        return out

    high, low = divmod(n, 10_000)
    if not high:
        return below_10k(low, True)
    text = below_10k(high, True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10k(low, False)
    return text


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numeral_round_trip(n: int) -> None:
    assert parse_chinese_numeral(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_arabic_round_trip(whole: int, frac: int) -> None:
    assert parse_number(f"{whole}.{frac:02d}") == pytest.approx(whole + frac / 100)


@given(st.text(alphabet="0123456789.%万亿元个增长以上左右、，—-一二三十百千成倍年月第“”+·GA", max_size=40))
def test_find_quantities_never_crashes_and_spans_are_inside(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)


def test_first_character_hint_of_the_masks_changes_nothing() -> None:
    """masks.json first_chars only lets the engine skip positions: masking is the same without it."""
    import re

    from govledger.data import load_json
    from govledger.extract.numbers import mask_names
    from govledger.read import normalize_text, read_report
    from tests.conftest import REPORTS

    plain = re.compile("|".join(f"(?:{p})" for p in load_json("masks.json")["patterns"]))
    for path in sorted(REPORTS.glob("*.txt"))[:12]:
        text = normalize_text(read_report(path).text)
        assert mask_names(text) == plain.sub(lambda m: "■" * len(m.group()), text)
