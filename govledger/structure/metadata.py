"""Who reports, for which plan year, delivered when: decided once, from three witnesses.

A report names its government and year in up to three places, trusted in this
order: the document header (a Markdown front-matter ``title``, or the title
lines above 各位代表), the path of a corpus tree (``<level>/<place>/<year>.md``,
whose file name is the plan year by the corpus convention), and the text
(the meeting line, the review and plan headings). The first witness that
speaks wins; where a later one disagrees, the disagreement is kept in
``notes`` so a user can see why a year or a place was chosen.

A report delivered in December is for the next year (衡阳市 2022年12月29日 →
plan year 2023): the delivery date is never the plan year by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

from govledger.data import load_json
from govledger.structure.place import place_in_lines
from govledger.structure.places import Place, level_from_suffix, normalise_place

_DATE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日")
# a plan year written in a work report's title: 2024年雅安市政府工作报告, 雅安市2024年政府工作报告
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)年(?!\d{1,2}月)[^年（(]{0,14}政府工作报告")
_STEM = re.compile(r"^((?:19|20)\d\d)(?:[-_](.+))?$")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_HEADING_YEAR = re.compile(r"^(?:[一二三四五六七八九十]+、)?((?:19|20)\d\d)年(?:工作)?(?:的)?(?:工作)?回顾")
_PLAN_YEAR = re.compile(
    r"^(?:[一二三四五六七八九十]+、)?((?:19|20)\d\d)年.{0,14}(?:工作安排|目标任务|重点任务|工作任务|总体要求|主要任务|工作部署|重点工作|工作重点)"
)


@dataclass(frozen=True)
class DocFacts:
    """The facts about a document that every later stage reads and none re-derives."""

    place: str | None
    level: str | None  # national, province, city, county
    year: int | None  # the plan year
    delivered: str | None = None  # ISO date when the header or text gives it
    title: str | None = None
    source: str | None = None
    doc: str | None = None  # document id when the path is a corpus tree (yaan_2024)
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Witness:
    place: str | None = None
    year: int | None = None
    delivered: str | None = None
    year_how: str = ""
    month: int | None = None  # delivery month, when the year came from a delivery date


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """The ``key: value`` pairs of a leading ``---`` block and the offset where the body starts."""
    if not text.startswith("---"):
        return {}, 0
    end = text.find("\n---", 3)
    if end < 0 or text[3:end].strip() == "":
        return {}, 0
    block_end = text.find("\n", end + 4)
    block_end = len(text) if block_end < 0 else block_end + 1
    pairs: dict[str, str] = {}
    for line in text[3:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            pairs[key.strip()] = value.strip().strip("'\"")
    return pairs, block_end


def _plan_year_of_date(year: int, month: int) -> int:
    """December delivery is for the next year; any other month for its own."""
    return year + 1 if month == 12 else year


@lru_cache(maxsize=1)
def _corpus_folders() -> dict[str, str]:
    """Folder name of a corpus tree → level, or ``communique`` for the statistical communiqués."""
    folders: dict[str, str] = load_json("structure.json")["corpus_folders"]
    return folders


def header_witness(title: str | None) -> _Witness:
    """Place, plan year and delivery date stated by the title."""
    if not title:
        return _Witness()
    place = place_in_lines([title], keys=("title",))
    dates = _DATE.findall(title)
    delivered = None
    year = None
    how = ""
    month = None
    if dates:
        y, month, d = (int(x) for x in dates[0])
        delivered = f"{y:04d}-{month:02d}-{d:02d}"
        year, how = _plan_year_of_date(y, month), f"delivered {delivered}"
    explicit = _TITLE_YEAR.search(_DATE.sub("", title))
    if explicit:
        year, how, month = int(explicit.group(1)), "title year", None
    return _Witness(place, year, delivered, how, month)


def path_witness(path: str) -> tuple[_Witness, str | None, str | None]:
    """Facts of a ``<folder>/<place>/<year>.md`` tree: (witness, level hint, document id)."""
    parts = PurePath(path).parts
    stem = PurePath(path).stem
    m = _STEM.match(stem)
    if not m or len(parts) < 2:
        found = _ANY_YEAR.search(stem)
        return _Witness(year=int(found.group(1)) if found else None, year_how="file name"), None, None
    year = int(m.group(1))
    folders = _corpus_folders()
    parent = parts[-2]
    if parent in folders:  # national/2024.md, statistical_communiques/2023.md
        kind = folders[parent]
        prefix = "communique" if kind == "communique" else "guowuyuan" if kind == "national" else parent
        place = "全国" if kind in ("national", "communique") else None
        return _Witness(place, year, year_how="file name"), kind, f"{prefix}_{stem}"
    known = normalise_place(parent)
    level_hint = folders.get(parts[-3]) if len(parts) >= 3 else None
    if known is None or (known.pinyin is None and level_hint is None):
        return _Witness(year=year, year_how="file name"), None, None
    doc = f"{known.pinyin}_{stem}" if known.pinyin else None
    return _Witness(known.name, year, year_how="file name"), level_hint, doc


def text_witness(norm: str, header_lines: list[str]) -> _Witness:
    """Plan year from the meeting line and the part headings; place is left to the caller."""
    for line in header_lines:
        m = _DATE.search(line)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            by_heading = _heading_year(norm)
            year = _plan_year_of_date(y, mo)
            if mo == 11 and by_heading == y + 1:  # a new congress in November may plan the next year
                year = by_heading
            return _Witness(
                year=year, delivered=f"{y:04d}-{mo:02d}-{d:02d}", year_how="meeting date", month=mo
            )
    named = _heading_year(norm)
    return _Witness(year=named, year_how="part headings") if named else _Witness()


def _heading_year(norm: str) -> int | None:
    """The plan year named by the first review heading (+1) or plan heading of the text."""
    for line in norm.splitlines():
        s = line.strip(" \u3000*#")
        m = _HEADING_YEAR.match(s)
        if m:
            return int(m.group(1)) + 1
        m = _PLAN_YEAR.match(s)
        if m:
            return int(m.group(1))
    return None


def decide_facts(
    *,
    path: str,
    title: str | None,
    source: str | None,
    norm: str,
    header_lines: list[str],
    text_place: str | None,
) -> DocFacts:
    """Combine the witnesses in order of trust and note where they disagree."""
    head = header_witness(title)
    by_path, level_hint, doc = path_witness(path)
    by_text = text_witness(norm, header_lines)
    if head.month == 11 and head.year is not None and by_text.year == head.year + 1:
        # a new congress in November may already plan the next year: the headings say so
        fixed = by_text.year
        if fixed is not None:
            head = _Witness(head.place, fixed, head.delivered, f"delivered {head.delivered}, part headings")
    notes: list[str] = []

    year, year_how = None, ""
    for w in (head, by_path, by_text):
        if w.year is not None:
            if year is None:
                year, year_how = w.year, w.year_how
            elif w.year != year:
                notes.append(f"plan year {year} ({year_how}); {w.year_how} says {w.year}")
    if year is not None and by_text.year == year + 1:
        # 一、2003年工作回顾 … 2004年经济社会发展的主要预期目标 under the title 2003年…政府工作报告 (四川 names its
        # reports by the year reviewed), or a meeting on 2021年12月21日 in 兰州市/2021.md: what the report's own text
        # says it reviews and plans wins over its name (never by more than the one year a name can lag)
        notes.append(f"plan year {by_text.year} ({by_text.year_how}); {year_how} says {year}")
        year, year_how = by_text.year, by_text.year_how
    delivered = head.delivered or by_text.delivered

    place_name = None
    for name, how in ((head.place, "title"), (by_path.place, "path"), (text_place, "text")):
        if name is None:
            continue
        known = normalise_place(name)
        canonical = known.name if known else name
        if place_name is None:
            place_name = canonical
        elif canonical != place_name and not _contains(canonical, place_name):
            notes.append(f"place {place_name}; {how} says {canonical}")
    place = normalise_place(place_name)
    level = _level(place, level_hint)
    return DocFacts(place_name, level, year, delivered, title, source, doc, tuple(notes))


def _contains(a: str, b: str) -> bool:
    """雅安 vs 雅安市: the same place written short."""
    return a in b or b in a


def _level(place: Place | None, hint: str | None) -> str | None:
    if place is not None and place.level:
        return place.level
    if hint in ("national", "province", "city", "county"):
        return hint
    return level_from_suffix(place.name) if place else None
