"""Place names: one canonical spelling, a level and a document-id stem for every government.

The one place table is ``govledger/data/places.json`` (national, the
provincial-level governments with their short forms, prefecture-level cities
and autonomous prefectures). Names not in the table keep their own spelling
(without a trailing 人民政府) and get a level from their suffix. The level is
decided here, in the structure stage, and carried on the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govledger.data import load_json

_GOV_SUFFIX = re.compile(r"(?:人民政府|政府)$")
_PARENS = re.compile(r"[（(][^）)]*[）)]$")


@dataclass(frozen=True)
class Place:
    name: str
    level: str | None  # "national", "province", "city", "county"
    province: str | None = None
    pinyin: str | None = None  # stem of the document id in a corpus tree (yaan → yaan_2024)


@lru_cache(maxsize=1)
def _table() -> dict[str, Place]:
    data = load_json("places.json")
    table: dict[str, Place] = {}
    for entry in data["places"]:
        place = Place(entry["name"], entry.get("level"), entry.get("province"), entry.get("pinyin"))
        # full names first, so an alias never shadows another place's own name
        table.setdefault(entry["name"], place)
    for entry in data["places"]:
        place = table[entry["name"]]
        for alias in entry.get("aliases", []):
            table.setdefault(alias, place)
    return table


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    """Every name and alias of two or more characters → canonical name (for finding a place in text)."""
    return {k: v.name for k, v in _table().items() if len(k) >= 2}


def level_from_suffix(name: str) -> str | None:
    if name.endswith(("省", "自治区")):
        return "province"
    if name.endswith(("市", "州", "盟", "地区")):
        return "city"
    if name.endswith(("县", "区", "旗")):
        return "county"
    return None


@lru_cache(maxsize=4096)
def normalise_place(name: str | None) -> Place | None:
    """广元 / 广元市 / 广元市人民政府 → Place('广元市', 'city'); None for no name."""
    if name is None:
        return None
    raw = name.strip(" \u3000\t\r\n")
    if not raw:
        return None
    table = _table()
    for cand in (raw, _GOV_SUFFIX.sub("", raw), _PARENS.sub("", raw)):
        if cand in table:
            return table[cand]
    bare = _GOV_SUFFIX.sub("", _PARENS.sub("", raw))
    for suffix in ("市", "省", "自治区"):
        if bare.endswith(suffix) and bare[: -len(suffix)] in table:
            return table[bare[: -len(suffix)]]
    return Place(bare, level_from_suffix(bare))


def same_place(a: str | None, b: str | None) -> bool | None:
    """True/False when both names are known, None when either is missing."""
    pa, pb = normalise_place(a), normalise_place(b)
    if pa is None or pb is None:
        return None
    return pa.name == pb.name
