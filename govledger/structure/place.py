"""Which government speaks, as the text says it (the weakest of the three witnesses).

Speaker lines ("北京市市长 殷勇"), meeting lines ("在…第十六届人民代表大会…")
and a title line inside the text name the place. City reports often carry
none of these, so the last resort is the city of the place table named most
often. ``metadata.decide_facts`` weighs this against the header and the path.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from govledger.data import load_json
from govledger.structure.places import normalise_place, short_names

_BAD_NAME = re.compile(r"[\d和与及的在对了把为向是部署委府我代表人民]")


def place_from_text(norm: str, header_lines: list[str]) -> str | None:
    """The reporting government named by the text, or None."""
    rules = load_json("structure.json")
    place = _place_from_lines(header_lines, rules) or _place_from_lines(norm.splitlines()[:60], rules)
    head = norm[:6000]
    if place is None and (
        any(m in head for m in rules["national_markers"][:1]) or ("国内生产总值" in norm and "国务院" in norm)
    ):
        return "全国"
    return place or _most_frequent_city(norm)


def _place_from_lines(lines: list[str], rules: dict[str, list[str]]) -> str | None:
    for key in ("title", "speaker", "congress"):
        for pattern in rules[key]:
            rx = re.compile(pattern)
            for line in lines:
                m = rx.search(line.strip(" \u3000*"))
                if m and m.group("place") not in ("", "省", "市"):
                    name = re.sub(r"(?:19|20)\d\d年$", "", m.group("place").strip("　 —"))
                    name = re.sub(r"^(?:19|20)\d\d年", "", name)
                    if len(name) >= 2 and not name.startswith(("各", "本", "我")) and not _BAD_NAME.search(name):
                        return name
    return None


@lru_cache(maxsize=1)
def _city_roots() -> dict[str, str]:
    """Short name (雅安) → full name (雅安市) for the cities of the place table."""
    roots: dict[str, str] = {}
    for short, full in short_names().items():
        place = normalise_place(full)
        if place is not None and place.level == "city" and len(short) < len(full):
            roots.setdefault(short, full)
    return roots


def _most_frequent_city(norm: str) -> str | None:
    """The city named most often (at least three times), for untitled city reports."""
    counts: Counter[str] = Counter()
    for root, full in _city_roots().items():
        counts[full] += norm.count(root)
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    return name if n >= 3 else None
