"""Paragraphs, headings, body limits and the review/plan split of a report.

Reports differ in layout (one paragraph per line, Wikisource blank-line
runs, web pages with furniture, docx indents) but share a grammar: an
opening "各位代表：", a review part, a plan part headed by a year and words
such as 工作安排 or 目标任务, and a closing rally "各位代表！…让我们…".
The rules that recognise each piece are data in ``data/structure.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from govledger.data import load_json
from govledger.read.furniture import load_furniture_patterns
from govledger.read.normalize import normalize_text
from govledger.structure.markup import mask_markup
from govledger.structure.metadata import DocFacts, decide_facts
from govledger.structure.place import place_from_text
from govledger.structure.plans import five_year_plan, reviews_the_past, section_speaks_of_several_years
from govledger.structure.scope import line_scopes, scope_at
from govledger.structure.sentences import split_sentences

Part = Literal["review", "plan"]

_NUMBERED_1 = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBERED_2 = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMBERED_3 = re.compile(r"^\d{1,2}[\.、](?!\d)")
_TERMINAL = "。；！？：，、"
_RUN_IN = re.compile(r"^[^，。；：、\d%“”（）]{3,24}。")
_WS = " \u3000\t\r\n"
# a quantity written with digits, or in words as the reports of the 1950s–1980s do (百分之九十五, 三千万吨)
_QUANTITY_MARK = re.compile(r"\d|百分之|[一二三四五六七八九十百千万]+(?:亿|万)?(?:元|吨|斤|人|个|公里|亩)")
_CONTINUATION = re.compile(r"[：，、；。）]|(?:是|为|要)：")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the body as a span of the report text."""

    start: int
    end: int
    level: int | None  # heading level (0 part, 1 一、, 2 （一）, 3 1.) or None for prose


@dataclass(frozen=True)
class Sentence:
    """A sentence with everything the extractor needs to know about where it stands."""

    start: int
    end: int
    text: str  # normalised text of the span
    section: tuple[str, ...]
    part: Part
    paragraph: int
    multi_year: bool  # under a heading about a multi-year plan (十五五, 今后五年)
    review_run: str = "annual"  # in a run of paragraphs reviewing several years (过去五年…): "several"


@dataclass
class ReportLayout:
    """The structure of one report: plain data for the extractor."""

    text: str  # the report text as read; quotes are cut from it
    norm: str  # normalised, same length as ``text``
    place: str | None
    year: int | None
    level: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    plan_start: int | None = None
    body_start: int = 0
    body_end: int = 0
    is_report: bool = True
    why_not: str = ""
    facts: DocFacts | None = None  # place, level, plan year, delivery date and how they were decided


@lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern[str]]:
    """Each list of structure.json as one alternation, so a line costs one search per rule."""
    raw = load_json("structure.json")
    return {
        key: re.compile("|".join(f"(?:{p})" for p in value))
        for key, value in raw.items()
        if isinstance(value, list) and key not in ("plan_paragraph_fallback", "title", "speaker", "congress", "past_markers",
                                                   "past_plan_markers", "multi_year_words", "multi_year_markers")
    }


def _any(pattern: re.Pattern[str], line: str) -> bool:
    return pattern.search(line) is not None


def split_lines(norm: str) -> list[tuple[int, int]]:
    """Non-empty lines as (start, end) spans with surrounding white space trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(norm)
    while pos < n:
        nl = norm.find("\n", pos)
        stop = n if nl < 0 else nl
        a, b = pos, stop
        while a < b and norm[a] in _WS:
            a += 1
        while b > a and norm[b - 1] in _WS:
            b -= 1
        if b > a:
            spans.append((a, b))
        pos = stop + 1
    return spans


def join_broken_lines(norm: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a line that stops mid-sentence (ends in ，or 、) with the line after it.

    Pages saved from the web also split a bold lead-in from its sentence
    ("主要预期目标" / "是：地区生产总值…"): a line that opens with 是：/为：
    or with punctuation continues the line before.
    """
    joined: list[tuple[int, int]] = []
    for a, b in lines:
        continues = _CONTINUATION.match(norm, a) is not None
        if joined and (continues or norm[joined[-1][1] - 1] in "，、") and not _is_heading_text(norm[a:b]):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return joined


def _is_heading_text(line: str) -> bool:
    return bool(_NUMBERED_1.match(line) or _NUMBERED_2.match(line))


def _is_plan_heading(line: str) -> bool:
    """Forward-looking part heading: explicit plan words, or a numbered year without review words."""
    rules = _rules()
    if _any(rules["review_heading"], line):
        # 2025年主要工作和“十四五”发展成就 is a review; 发展成就和“十五五”时期主要目标 looks ahead
        return _any(rules["plan_heading"], line) and _any(rules["plan_over_review"], line)
    return _any(rules["plan_heading"], line) or _any(rules["plan_heading_weak"], line)


_HEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分[，、：\s]*)?[“\"]?")


def part_named_by_year(line: str, year: int | None) -> Part | None:
    """A slogan heading names its part by the year it opens with.

    "2017年：“四大会战”强力开启…" reviews the year before the plan year;
    "2018年：向着…迈进" and "扎实做好今年各项工作" look ahead. Only the
    plan year decided by the metadata stage makes this decidable.
    """
    body = line[_HEADING_NUMBER.match(line).end() :]  # type: ignore[union-attr]
    plan_years = five_year_plan(body)
    if year is not None and plan_years is not None and not _any(_rules()["review_heading"], line):
        first, last = plan_years  # "“十三五”：努力实现…" in 2016 looks ahead; in 2021 it looks back
        return "plan" if first <= year <= last else "review" if last == year - 1 else None
    reviews = _any(_rules()["review_heading"], line)
    if year is not None:
        if body.startswith(f"{year - 1}年") and "目标" not in body[:12]:
            return "review"
        if body.startswith(f"{year}年") and not reviews:
            return "plan"
        # "三、开拓创新，扎实抓好2016年各项工作" / "二、牢记嘱托 踔厉奋发的2023"
        names_year = re.search(rf"(?<!\d){year}(?:年|$)", body) is not None
        names_last = re.search(rf"(?<!\d){year - 1}(?:年|$)", body) is not None
        if names_year and not names_last and not reviews:
            return "plan"
        if names_last and not names_year:
            return "review"
    if "今年" in body and "工作" in body and not reviews:
        return "plan"
    return None


@lru_cache(maxsize=1)
def heading_level(line: str, year: int | None = None) -> int | None:
    """Heading level of a paragraph, or None when it is prose."""
    rules = _rules()
    if len(line) > 60 or "。" in line[:-1]:
        return None
    if line[-1] in "。；！？!?：":
        return None
    is_part = (
        _any(rules["review_heading"], line) or _is_plan_heading(line) or part_named_by_year(line, year) is not None
    )
    if _NUMBERED_1.match(line):
        return 0 if is_part else 1
    if _NUMBERED_2.match(line):
        return 2
    if _NUMBERED_3.match(line) and len(line) <= 40:
        return 3
    if len(line) <= 40 and "，" not in line:
        return 0 if is_part else 1
    return None


def _find_body(norm: str, lines: list[tuple[int, int]]) -> tuple[int, int]:
    """Index range [first, last) of the lines that belong to the report itself."""
    rules = _rules()
    first = 0
    limit = max(1, int(len(lines) * 0.4))
    for i, (a, b) in enumerate(lines[:limit]):
        if _any(rules["opening"], norm[a:b]):
            first = i
            break
    for i, (a, b) in enumerate(lines[:first]):
        line = norm[a:b].strip("*# ")
        if _NUMBERED_1.match(line) and len(line) <= 40 and _any(rules["review_heading"], line):
            # "一、2014年工作回顾" before the first 各位代表 (which opens a later paragraph): the review is the body
            first = i
            break
    last = len(lines)
    furniture = load_furniture_patterns()
    for i in range(first + 1, len(lines)):
        a, b = lines[i]
        if _any(rules["after_body"], norm[a:b]) or furniture.is_tail_marker(norm[a:b]):
            last = i
            break
    return first, last


def _find_closing(norm: str, paragraphs: list[Paragraph], plan_index: int | None) -> int:
    """Index after the closing rally paragraph (if found after the plan start)."""
    rules = _rules()
    start = plan_index if plan_index is not None else len(paragraphs) // 2
    last = len(paragraphs)
    for i in range(start, len(paragraphs)):
        p = paragraphs[i]
        if _any(rules["closing"], norm[p.start : p.end]):
            last = i + 1  # several paragraphs may rally; the report ends with the last one
    return last


def _part_after_review(norm: str, paragraphs: list[Paragraph], year: int | None) -> int | None:
    """The numbered part that follows the review part, when no heading names the plan.

    "一、2019年工作回顾 / 二、坚定不移推动高质量发展… / 三、建设人民满意的服务型政府":
    what comes after the review looks ahead.
    """
    seen_review = False
    for i, p in enumerate(paragraphs):
        line = norm[p.start : p.end]
        if p.level not in (0, 1) or not _NUMBERED_1.match(line):
            continue  # the parts of a report are its 一、二、三 headings, plan words or not
        if _any(_rules()["review_heading"], line) or part_named_by_year(line, year) == "review":
            seen_review = True
        elif seen_review:
            return i
    return None


def _find_plan_start(norm: str, paragraphs: list[Paragraph], year: int | None) -> int | None:
    after_review = _part_after_review(norm, paragraphs, year)
    for i, p in enumerate(paragraphs):
        line = norm[p.start : p.end]
        if p.level == 0 and "回顾" not in line:
            by_year = part_named_by_year(line, year)  # "2021年的主要工作" in 2022 is the review
            if by_year == "plan" or (by_year is None and _is_plan_heading(line)):
                if after_review is not None and after_review < i and not _any(
                        _rules()["lessons_heading"], norm[paragraphs[after_review].start : paragraphs[after_review].end]):
                    # 一、…回顾 / 二、加快建设…“五个淮北” / 三、2022年主要工作: the part after the review looks ahead
                    return after_review
                return i
    if after_review is not None:
        return after_review
    fallbacks = load_json("structure.json")["plan_paragraph_fallback"]
    ystr = str(year) if year else r"20\d\d"
    pats = re.compile("|".join(f"(?:{f.replace('{year}', ystr)})" for f in fallbacks))
    for i, p in enumerate(paragraphs):
        if i > len(paragraphs) // 5 and _any(pats, norm[p.start : p.end]):
            return i
    return None


def analyse_report(
    text: str, *, file_name: str = "", place: str | None = None, year: int | None = None
) -> ReportLayout:
    """Find body, headings, sentences and review/plan parts of ``text``.

    ``file_name`` is the path as given (a corpus tree path is a witness of
    place and year); ``place`` and ``year`` given by the user win over all.
    """
    norm, header = mask_markup(normalize_text(text))
    rules = _rules()
    lines = split_lines(norm)
    first, last = _find_body(norm, lines)
    header_lines = [norm[a:b] for a, b in lines[: first + 1]]
    facts = decide_facts(
        path=file_name,
        title=header.get("title"),
        source=header.get("source"),
        norm=norm,
        header_lines=header_lines,
        text_place=place_from_text(norm, header_lines),
    )
    level = facts.level
    if place is not None:
        from govledger.structure.places import normalise_place

        known = normalise_place(place)
        level = known.level if known else None
    place = place or facts.place
    year = year or facts.year
    furniture = load_furniture_patterns()
    body_lines = [
        (a, b)
        for a, b in lines[first:last]
        if not furniture.is_furniture(norm[a:b])
    ]
    body_lines = join_broken_lines(norm, body_lines)
    paragraphs = [Paragraph(a, b, heading_level(norm[a:b], year)) for a, b in body_lines]
    plan_index = _find_plan_start(norm, paragraphs, year)
    closing = _find_closing(norm, paragraphs, plan_index)
    paragraphs = paragraphs[:closing]
    layout = ReportLayout(
        text=text, norm=norm, place=place, year=year, level=level, paragraphs=paragraphs, facts=facts
    )
    if paragraphs:
        layout.body_start, layout.body_end = paragraphs[0].start, paragraphs[-1].end
    if plan_index is not None and plan_index < len(paragraphs):
        layout.plan_start = paragraphs[plan_index].start
    layout.sentences = _sentences(norm, paragraphs, plan_index, year)
    has_review = any(
        p.level == 0 and ("回顾" in norm[p.start : p.end] or part_named_by_year(norm[p.start : p.end], year) == "review")
        for p in paragraphs
    )
    opens = any(_any(rules["opening"], norm[p.start : p.end]) for p in paragraphs[:40])
    digits = len(_QUANTITY_MARK.findall(norm, layout.body_start, layout.body_end))
    if not paragraphs:
        layout.is_report, layout.why_not = False, "no text"
    elif plan_index is None and not has_review and not opens and not _names_itself_a_report([*header_lines, header.get("title", "")]):
        # a speech to the congress without part headings is still a report (its achievements count)
        layout.is_report, layout.why_not = False, "no opening (各位代表), review or plan part found"
    elif digits < 5:
        layout.is_report, layout.why_not = False, "no quantities found"
    return layout


def _names_itself_a_report(header_lines: list[str]) -> bool:
    return any("工作报告" in line for line in header_lines)


def _sentences(
    norm: str, paragraphs: list[Paragraph], plan_index: int | None, year: int | None = None
) -> list[Sentence]:
    """Sentences of prose paragraphs, each with its section path, part and review run."""
    out: list[Sentence] = []
    starts, scopes = line_scopes(norm, year - 1) if year else ([], [])
    path: dict[int, str] = {}
    multi_of: dict[tuple[str, ...], bool] = {}
    for i, p in enumerate(paragraphs):
        line = norm[p.start : p.end]
        part: Part = "plan" if plan_index is not None and i >= plan_index else "review"
        if p.level is not None:
            path = {k: v for k, v in path.items() if k < p.level}
            path[p.level] = line
            continue
        section = [path[k] for k in sorted(path)]
        run_in = _RUN_IN.match(line)
        if run_in:
            section.append(line[: run_in.end() - 1])
        key = tuple(section)
        if part == "plan" and any(reviews_the_past(h, year) for h in section[1:]):
            part = "review"  # the 十二五 achievements told before the 十三五 goals, inside the plan part
        multi = multi_of.get(key)
        if multi is None:  # paragraphs under one heading share it: decided once per section
            multi = multi_of[key] = section_speaks_of_several_years(section, year)
        run = scope_at(starts, scopes, p.start) if part == "review" and starts else "annual"
        for a, b in split_sentences(norm, p.start, p.end):
            out.append(Sentence(a, b, norm[a:b], key, part, i, multi, run))
    return out
