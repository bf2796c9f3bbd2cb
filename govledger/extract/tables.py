"""Tables written as text in statistical communiqués → catalogue figures.

Communiqués repeat (and in old years only give) figures in tables that reach
us as text: Markdown pipe rows (``| 进出口总额 | 14221 | | 23.2 |``), bullet
rows (``- 居民消费价格 2.6 2.7 2.5``) or plain lines (``粮 食 37898 万吨 -7．0``).
A table is a run of lines that are not prose; its caption and header lines
say what each column is (level, growth, share, a year, a count) and in
which unit. A row counts when its label names a catalogue indicator (or is
the 总计 row of a table whose caption names one). The column words and
label rules are data (``communique.json``, key ``tables``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govledger.data import load_json
from govledger.extract.metrics import catalogue, fits_unit
from govledger.extract.numbers import unit_table

_NUM = re.compile(r"^-?\d+(?:\.\d+)?$")
_PAREN_UNIT = re.compile(r"[（(]([^（()）]{1,4})[)）]")


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    raw = dict(load_json("communique.json")["tables"])
    for key in ("growth", "share", "count", "label", "unit_line", "caption", "noise", "total", "year", "column",
                "label_prefix", "index"):
        raw["_" + key] = re.compile(raw[key])
    return raw


@dataclass
class TableFigure:
    """One catalogue figure read from a table row (offsets of the row in the text)."""

    indicator: str
    measure: str
    value: float
    unit: str | None
    base_unit: str | None
    factor: float
    start: int
    end: int
    label: str


def _cells(line: str) -> list[str] | None:
    """Cells of a pipe row; None for a separator or a line that is not a pipe row."""
    if not line.startswith("|"):
        return None
    cells = [_clean(c) for c in line.strip().strip("|").split("|")]
    if all(set(c) <= set("-: ") for c in cells):
        return []
    return cells


def _clean(s: str) -> str:
    return _rules()["_noise"].sub(" ", s).strip(" \u3000\t")


def _tokens(line: str) -> tuple[str, list[tuple[float, str | None]]]:
    """A bullet/plain row as (label, [(number, unit written after it)])."""
    text = _clean(re.sub(r"^[-*]\s+", "", line))
    label: list[str] = []
    values: list[tuple[float, str | None]] = []
    for tok in text.split():
        if _NUM.match(tok):
            values.append((float(tok), None))
        elif values and unit_table().match(tok, 0) and len(tok) <= 3:
            values[-1] = (values[-1][0], tok)
        elif not values:
            label.append(tok)
        else:
            break
    return "".join(label), values


def _kinds(header: str, year: int | None) -> list[tuple[str, str | None]]:
    """Column kinds in order of their header words: (kind, unit in brackets)."""
    r = _rules()
    out: list[tuple[str, str | None]] = []
    for m in r["_column"].finditer(header):
        kind = next(k for k, v in m.groupdict().items() if v)
        if kind == "year":
            digits = m.group()[:4]
            kind = "other_year" if digits.isdigit() and year is not None and int(digits) != year else "level"
        unit = _PAREN_UNIT.match(header, m.end())
        out.append((kind, unit.group(1) if unit else None))
    return out


def _header_kinds(lines: list[str], year: int | None) -> list[tuple[str, str | None]]:
    """Column kinds of a bullet table's header; a two-line header gives group kinds to pairs of sub-columns."""
    whole = _kinds(" ".join(lines), year)
    if len(lines) < 2:
        return whole
    sub, groups = _kinds(lines[-1], year), _kinds(" ".join(lines[:-1]), year)
    if groups and len(sub) == 2 * len(groups):
        return [(g[0], g[1]) if g[0] == "count" else s for g, pair in zip(groups, zip(sub[::2], sub[1::2], strict=True), strict=True) for s in pair]
    return whole


def _cell_kind(cell: str, year: int | None) -> tuple[str, str | None]:
    r = _rules()
    unit = _PAREN_UNIT.search(cell)
    u = unit.group(1) if unit else None
    if not cell:
        return "empty", None
    if r["_year"].match(cell):
        return ("level" if year is not None and cell.startswith(str(year)) else "other_year"), None
    for kind in ("growth", "share", "count", "unit_line", "label"):
        if r["_" + kind].search(cell):
            return ("unit_col" if kind == "unit_line" else kind), u
    return "level", u


def _unit_of(written: str | None) -> tuple[str, str | None, float] | None:
    if not written:
        return None
    hit = unit_table().match(written, 0)
    if hit is None or not hit[1]:
        return None
    return hit[0], hit[1], hit[2]


def _label_indicator(label: str, caption: str, kind: str) -> str | None:
    """Which indicator a row label (or a 总计 row of a captioned table) states."""
    from govledger.extract.outturns import _comm_indicator, _is_part, rules

    r = _rules()
    label = r["_label_prefix"].sub("", label)
    for rule in r["rows"]:
        if label == rule["label"] and rule["caption"] in caption and kind in rule["columns"]:
            return str(rule["indicator"])
    if r["_total"].match(label):
        found = next((str(ind) for alias, ind in rules()["_aliases"] if alias in caption), None)
        found = found or next((i.id for i in catalogue() if any(a in caption for a in i.aliases if len(a) >= 4)), None)
        # 分行业城镇固定资产投资: the title itself names a part (its column words do not: 合同项目)
        title = next((h for h in caption.split("\n") if r["_caption"].search(h)), caption.split("\n")[0])
        return None if found is None or _is_part(found, title) else found
    ind = _comm_indicator(label, "value", None)
    return None if ind is None or _is_part(ind, label) else ind


def table_figures(norm: str, lines: list[tuple[int, int]], year: int | None) -> list[TableFigure]:
    """Catalogue figures of every table in the text (``lines``: non-empty line spans)."""
    r = _rules()
    out: list[TableFigure] = []
    header: list[str] = []
    kinds: list[tuple[str, str | None]] = []
    cell_kinds: list[tuple[str, str | None]] = []
    unit_line: str | None = None
    columns_text: list[str] = []  # header lines that name columns (not the caption, not the unit line)
    prev_prose = ""
    for a, b in lines:
        line = norm[a:b]
        if line.startswith(("#", "![")):
            header, kinds, cell_kinds, unit_line, columns_text = [], [], [], None, []
            continue
        is_table = line.startswith(("|", "- ")) or not re.search("[。；]", line) or r["_caption"].search(line[:20])
        if not is_table:
            prev_prose = line
            header, kinds, cell_kinds, unit_line, columns_text = [], [], [], None, []
            continue
        cells = _cells(line)
        if cells == []:
            continue
        if cells is not None:
            label, values = _pipe_row(cells)
            if values and all(r["_year"].match(c) for c in cells[1:] if _NUM.match(c)):
                values = []  # | 指标 | 单位 | 2001 | 2002 |: a header of years, not figures
        else:
            label, values = _tokens(line)
        if not values or not label:
            if r["_caption"].search(_clean(line)[:20]):
                header, kinds, cell_kinds, unit_line, columns_text = [], [], [], None, []  # a new table
            if not header and prev_prose.endswith(("：", ":")):
                header.append(prev_prose)
            text = " ".join(cells) if cells is not None else _clean(line)
            header.append(text)
            m = r["_unit_line"].search(text)
            if m and ("：" in text or ":" in text):
                unit_line = text.split("：")[-1].split(":")[-1].strip()
            if cells is not None and len(cells) > 1:
                cell_kinds = [_cell_kind(c, year) for c in cells]
            elif not r["_caption"].search(text[:20]) and not m and not text.endswith(("：", ":")):
                columns_text.append(text)
                kinds = _header_kinds(columns_text, year)
            continue
        caption = "\n".join(header)
        out.extend(_row_figures(label, values, cells, caption, kinds, cell_kinds, unit_line, a, b, line))
    return out


def _pipe_row(cells: list[str]) -> tuple[str, list[tuple[float, str | None]]]:
    label = cells[0] if cells else ""
    values: list[tuple[float, str | None]] = [(float(c), None) for c in cells[1:] if _NUM.match(c)]
    return label, values


def _row_figures(label: str, values: list[tuple[float, str | None]], cells: list[str] | None, caption: str,
                 kinds: list[tuple[str, str | None]], cell_kinds: list[tuple[str, str | None]],
                 unit_line: str | None, a: int, b: int, line: str) -> list[TableFigure]:
    r = _rules()
    columns: list[tuple[str, str | None, float, str | None]] = []  # kind, written unit, value, row unit
    if cells is not None and cell_kinds and len(cells) == len(cell_kinds):
        row_unit = None
        for cell, (kind, unit) in zip(cells[1:], cell_kinds[1:], strict=True):
            if kind == "unit_col":
                row_unit = cell or row_unit
            elif kind == "label":
                break  # a second table side by side: only the first label's columns
            elif _NUM.match(cell):
                columns.append((kind, unit, float(cell), row_unit))
    else:
        use = kinds or [(k, None) for k in r["default_columns"]]
        if any(w in caption for w in r["first_column_only"]):
            values, use = values[:1], [(r["first_column_kind"], None)]
        if len(values) != len(use):
            return []
        columns = [(k, u, v, ru) for (k, u), (v, ru) in zip(use, values, strict=True)]
    if any(w in caption for w in r["growth_captions"]) and not any(k in ("growth", "level") for k, *_ in columns):
        columns = [("growth", None, v, None) for _, _, v, _ in columns[:1]]
    out: list[TableFigure] = []
    bad_row = False  # a level in a unit the indicator cannot have (外贸货物吞吐量 in 吨): the row is another thing
    prev_kind = "level"
    for kind, unit, value, row_unit in columns:
        owner, prev_kind = prev_kind, kind
        if kind not in ("level", "growth", "share") or (kind == "growth" and owner in ("count", "other_year")):
            continue
        indicator = _label_indicator(label, caption, kind)
        if indicator is None:
            continue
        if kind == "level":
            written = row_unit or unit or unit_line
            u = _unit_of(written)
            if u is None:
                bad_row = bad_row or written is not None
                continue
            measure = "ratio" if u[1] == "%" else "value"
            fig = TableFigure(indicator, measure, value, u[0], u[1], u[2], a, b, label)
        else:
            if kind == "growth" and r["_index"].search(caption):
                value = round(value - 100, 10)  # 居民消费价格指数（以上年为100） 100.7: a rise of 0.7%
            fig = TableFigure(indicator, "growth" if kind == "growth" else "ratio", value, "%", "%", 1.0, a, b, label)
        if fits_unit(indicator, fig.base_unit) and not _vetoed_by_caption(indicator, caption, label):
            out.append(fig)
        elif kind == "level":
            bad_row = True
    return [] if bad_row else out


def _vetoed_by_caption(indicator: str, caption: str, label: str) -> bool:
    """规模以上工业 in a table of profits is not the value added: the indicator's veto words in the caption."""
    if _rules()["_total"].match(_rules()["_label_prefix"].sub("", label)):
        return False  # the 总计 row is what the caption names
    item = next((i for i in catalogue() if i.id == indicator), None)
    return item is not None and any(w in caption and w not in label for w in item.not_if if len(w) >= 2)
