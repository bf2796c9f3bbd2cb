"""What the public views show, computed once at start-up and kept in memory.

``PublicData.load(folder)`` extracts every report of a folder (``load_ledger``),
pairs ``<place>_<Y>`` with ``<place>_<Y+1>`` like ``govledger verify-dir``,
judges each pair (``verify_reports``) and builds the panel (``panel``). The
view functions return plain JSON-ready dicts: the HTML pages and the
``/api/public/...`` twins render the same dicts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govledger.data import load_json
from govledger.errors import ReportError
from govledger.structure.places import normalise_place
from govledger.track.panel import panel
from govledger.track.sources import LoadedLedger, doc_place_year, load_ledger, pair_files, report_files
from govledger.track.verify import (
    VERDICTS,
    VerdictRow,
    one_year_targets,
    summarise,
    target_key,
    verify_reports,
)

# verdict → (Chinese label, symbol); the CSS class is v-<verdict>; the colour is never the only cue
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "met": ("已完成", "✓"),
    "missed": ("未完成", "✗"),
    "partly_met": ("部分完成", "◐"),
    "not_reported": ("未报告", "？"),
    "not_comparable": ("不可比", "≠"),
    "not_judged": ("未评判", "—"),
}
_LEVEL_ORDER = {"national": 0, "province": 1, "city": 2, "county": 3}
LEVEL_LABELS = {"national": "全国", "province": "省级", "city": "地市级", "county": "县级"}
MEASURE_LABELS = {
    "growth": "增长率", "value": "总量", "ratio": "比率", "change": "变化", "avg_growth": "年均增长",
    "cum_growth": "累计增长", "rank": "位次", "qualitative": "定性",
}
BOUND_LABELS = {"min": "以上", "max": "以内", "approx": "左右", "exact": "", "range": "区间"}
# display scales for amounts in base units (元, 人, 斤 …): the largest that keeps the numbers readable
_SCALES = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"), (1.0, ""))


class NotFound(LookupError):
    """A doc, place or indicator the loaded folder does not have."""


def _clean(x: Any) -> Any:
    """pandas NA / NaN → None, numpy scalars → Python, whole floats → int."""
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float):
        if math.isinf(x):
            return None
        if x.is_integer() and abs(x) < 1e15:
            return int(x)
    return x


def verdict_info(verdict: str | None) -> dict[str, Any]:
    if verdict is None:
        return {"verdict": None, "verdict_label": "待核对", "verdict_symbol": "·"}
    label, symbol = VERDICT_LABELS.get(verdict, (verdict, "·"))
    return {"verdict": verdict, "verdict_label": label, "verdict_symbol": symbol}


def _catalogue_names() -> dict[str, str]:
    try:
        data = load_json("catalogue.json")
        return {i["id"]: i.get("name", i["id"]) for i in data.get("indicators", [])}
    except (OSError, KeyError, ValueError):
        return {}


@dataclass
class Doc:
    doc: str
    slug: str  # the place part of the file name: guowuyuan, anhui …
    place: str  # normalised Chinese name
    level: str | None
    year: int | None
    next_doc: str | None = None
    prev_doc: str | None = None
    rows: list[VerdictRow] | None = None  # None when the next year's report is not in the folder


@dataclass
class PublicData:
    folder: str
    docs: dict[str, Doc] = field(default_factory=dict)
    ledgers: dict[str, LoadedLedger] = field(default_factory=dict)
    df: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[tuple[str, str]] = field(default_factory=list)
    indicator_names: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, folder: str | Path, *, tolerance_pp: float = 0.2, tolerance_rel: float = 0.01) -> PublicData:
        t0 = time.perf_counter()
        out = cls(str(folder), indicator_names=_catalogue_names())
        files = report_files(folder)
        by_path: dict[Path, LoadedLedger] = {}
        for f in files:
            if doc_place_year(f) is None:
                continue
            try:
                by_path[f] = load_ledger(f)
            except ReportError as exc:
                out.errors.append((f.name, exc.reason))
        for f, lg in by_path.items():
            key = doc_place_year(f)
            assert key is not None
            p = normalise_place(lg.place)
            year = lg.year if lg.year is not None else key[1]
            out.ledgers[lg.doc] = lg
            out.docs[lg.doc] = Doc(lg.doc, key[0], p.name if p else (lg.place or key[0]),
                                   (p.level if p and p.level else lg.level), year)
        for y, y1 in pair_files([f for f in files if f in by_path]):
            ly, ly1 = by_path[y], by_path[y1]
            try:
                rows = verify_reports(ly, ly1, tolerance_pp=tolerance_pp, tolerance_rel=tolerance_rel)
            except ValueError as exc:
                out.errors.append((f"{y.name} / {y1.name}", str(exc)))
                continue
            out.docs[ly.doc].rows = rows
            out.docs[ly.doc].next_doc = ly1.doc
            out.docs[ly1.doc].prev_doc = ly.doc
        out.df = panel(list(by_path.values()), tolerance_pp=tolerance_pp, tolerance_rel=tolerance_rel)
        out.seconds = time.perf_counter() - t0
        return out

    # ------------------------------------------------------------------ helpers

    def indicator_name(self, indicator: str | None) -> str:
        if not indicator:
            return ""
        return self.indicator_names.get(indicator, indicator)

    def _place_docs(self) -> dict[str, list[Doc]]:
        out: dict[str, list[Doc]] = {}
        for d in self.docs.values():
            out.setdefault(d.slug, []).append(d)
        for docs in out.values():
            docs.sort(key=lambda d: d.year or 0)
        return out

    def find_place(self, place: str) -> str:
        """The slug of a place given as slug (anhui) or name (安徽 / 安徽省)."""
        by_slug = self._place_docs()
        if place in by_slug:
            return place
        p = normalise_place(place)
        for slug, docs in by_slug.items():
            if p is not None and docs[0].place == p.name:
                return slug
        raise NotFound(f"no reports of place {place!r}")

    def _headline(self) -> pd.DataFrame:
        df = self.df
        if df.empty:
            return df
        t = df[(df["kind"] == "target") & (df["period"] == df["year"]) & df["indicator"].notna()]
        return t[t["restated"].fillna(False) == False]  # noqa: E712 — nullable boolean column

    def years(self) -> list[int]:
        return sorted({d.year for d in self.docs.values() if d.year is not None})

    def indicators(self) -> list[dict[str, Any]]:
        t = self._headline()
        counts = t["indicator"].value_counts() if not t.empty else pd.Series(dtype="int64")
        return [{"indicator": str(k), "name": self.indicator_name(str(k)), "targets": int(v)} for k, v in counts.items()]

    # ------------------------------------------------------------------ views

    def index(self) -> dict[str, Any]:
        places: list[dict[str, Any]] = []
        for slug, docs in self._place_docs().items():
            places.append({
                "slug": slug,
                "place": docs[0].place,
                "level": docs[0].level,
                "level_label": LEVEL_LABELS.get(docs[0].level or "", docs[0].level or ""),
                "reports": [
                    {"doc": d.doc, "year": d.year, "verified": d.rows is not None, "next_doc": d.next_doc,
                     "counts": summarise(d.rows) if d.rows is not None else None}
                    for d in docs
                ],
            })
        places.sort(key=lambda p: (_LEVEL_ORDER.get(str(p["level"] or ""), 9), str(p["slug"])))
        return {
            "folder": self.folder,
            "places": places,
            "years": self.years(),
            "indicators": self.indicators(),
            "pairs": sum(1 for d in self.docs.values() if d.rows is not None),
            "errors": [{"file": f, "reason": r} for f, r in self.errors],
        }

    def report(self, doc: str) -> dict[str, Any]:
        d = self.docs.get(doc)
        if d is None:
            raise NotFound(f"no report {doc!r}")
        head = {
            "doc": d.doc, "slug": d.slug, "place": d.place, "level": d.level, "year": d.year,
            "next_doc": d.next_doc, "prev_doc": d.prev_doc, "verified": d.rows is not None,
        }
        if d.rows is None:
            # no next-year report: the one-year targets, not yet judged
            seen: set[tuple[Any, ...]] = set()
            targets = []
            for t in one_year_targets(self.ledgers[doc].records, d.year):
                k = target_key(t)
                if k in seen:
                    continue
                seen.add(k)
                targets.append({
                    "indicator": t.indicator, "indicator_name": self.indicator_name(t.indicator),
                    "metric": t.metric, "target_quote": t.quote, "target_value": _clean(t.value),
                    "target_unit": t.unit, "bound": t.bound,
                    **verdict_info(None),
                })
            return {**head, "counts": None, "total": len(targets), "rows": targets}
        rows = []
        for r in d.rows:
            rows.append({
                "indicator": r.indicator, "indicator_name": self.indicator_name(r.indicator),
                "metric": r.metric, "measure": r.measure,
                "target_quote": r.target_quote, "target_value": _clean(r.target_value),
                "target_value_max": _clean(r.target_value_max), "target_unit": r.target_unit, "bound": r.bound,
                "outcome_doc": r.outcome_doc, "outcome_quote": r.outcome_quote,
                "outcome_value": _clean(r.outcome_value), "outcome_unit": r.outcome_unit,
                "outcome_estimated": r.outcome_estimated,
                "match_score": r.match_score, "reason": r.reason, "restated": len(r.also_stated),
                **verdict_info(r.verdict),
            })
        counts = summarise(d.rows)
        return {
            **head,
            "counts": [{"verdict": v, "count": counts[v], **verdict_info(v)} for v in VERDICTS],
            "total": len(rows),
            "rows": rows,
        }

    def indicator(self, indicator: str, year: int | None = None, measure: str | None = None) -> dict[str, Any]:
        t = self._headline()
        t = t[t["indicator"] == indicator] if not t.empty else t
        if t.empty:
            raise NotFound(f"no targets for indicator {indicator!r}")
        years = sorted(int(y) for y in t["year"].dropna().unique())
        if year is None:
            judged = t[t["verdict"].notna()]
            year = int(judged["year"].max()) if not judged.empty else years[-1]
        ty = t[t["year"] == year]
        measures = [str(m) for m in ty["measure"].value_counts().index]
        if measure is None:
            measure = measures[0] if measures else None
        rows_df = ty[ty["measure"] == measure] if measure is not None else ty
        # the first target per place (the headline figure; a stretch figure follows its floor)
        rows_df = rows_df.drop_duplicates(["place"], keep="first")
        base_units = rows_df["base_unit"].dropna()
        base_unit = str(base_units.mode().iloc[0]) if not base_units.empty else None
        biggest = max([abs(float(v)) for v in rows_df["base_value"].dropna()] or [0.0])
        divisor, prefix = 1.0, ""
        if base_unit not in ("%", "pp", None):
            divisor, prefix = next((s for s in _SCALES if biggest >= s[0]), (1.0, ""))
        unit = f"{prefix}{base_unit}" if base_unit else ""
        slugs = {d.place: d.slug for d in self.docs.values()}

        def scaled(v: Any, u: Any) -> Any:
            v = _clean(v)
            if v is None or (u is not None and base_unit is not None and u != base_unit):
                return None
            return _clean(round(float(v) / divisor, 6))

        rows = []
        rows_df = rows_df.assign(_order=rows_df["level"].map(lambda x: _LEVEL_ORDER.get(str(x), 9)))
        for _, r in rows_df.sort_values(["_order", "place"], kind="stable").iterrows():
            doc = self.docs.get(str(r["doc"]))
            rows.append({
                "place": r["place"], "slug": slugs.get(r["place"]), "level": _clean(r["level"]),
                "doc": r["doc"], "verified": bool(doc and doc.rows is not None),
                "target_quote": r["quote"], "target": scaled(r["base_value"], r["base_unit"]),
                "target_max": _clean(r["value_max"]), "bound": _clean(r["bound"]),
                "outcome_quote": _clean(r["outcome_quote"]),
                "outcome": scaled(r["outcome_base_value"], r["outcome_base_unit"]),
                "outcome_estimated": bool(_clean(r["outcome_estimated"]) or False),
                **verdict_info(_clean(r["verdict"])),
            })
        return {
            "indicator": indicator, "name": self.indicator_name(indicator), "year": year, "years": years,
            "measure": measure, "measure_label": MEASURE_LABELS.get(measure or "", measure or ""),
            "measures": [{"measure": m, "label": MEASURE_LABELS.get(m, m)} for m in measures],
            "unit": unit, "rows": rows,
        }

    def place(self, place: str) -> dict[str, Any]:
        slug = self.find_place(place)
        docs = self._place_docs()[slug]
        name = docs[0].place
        t = self._headline()
        t = t[t["place"] == name] if not t.empty else t
        t = t.drop_duplicates(["year", "indicator", "measure"], keep="first") if not t.empty else t
        years = [d.year for d in docs if d.year is not None]
        series: dict[tuple[str, str], dict[str, Any]] = {}
        for _, r in t.sort_values(["indicator", "measure", "year"], kind="stable").iterrows():
            key = (str(r["indicator"]), str(r["measure"]))
            s = series.setdefault(key, {
                "indicator": key[0], "name": self.indicator_name(key[0]), "measure": key[1],
                "measure_label": MEASURE_LABELS.get(key[1], key[1]), "unit": _clean(r["base_unit"]), "years": {},
            })
            s["years"][str(int(r["year"]))] = {
                "doc": r["doc"], "target_quote": r["quote"], "target": _clean(r["base_value"]),
                "target_max": _clean(r["value_max"]), "bound": _clean(r["bound"]),
                "outcome_quote": _clean(r["outcome_quote"]), "outcome": _clean(r["outcome_base_value"]),
                **verdict_info(_clean(r["verdict"])),
            }
        indicators = list(series.values())
        for s in indicators:
            values = [s["years"][str(y)]["target"] for y in years if str(y) in s["years"]]
            change = None
            if len(values) >= 2 and values[-1] is not None and values[-2] is not None:
                change = "raised" if values[-1] > values[-2] else "lowered" if values[-1] < values[-2] else "unchanged"
            s["change"] = change
            s["change_label"] = {"raised": "上调", "lowered": "下调", "unchanged": "持平"}.get(change or "", "")
        # the chart: percentage targets (growth / ratio in %), one bar per year
        pct = [s for s in indicators if s["unit"] in ("%", "pp") and s["measure"] in ("growth", "ratio")]
        return {
            "slug": slug, "place": name, "level": docs[0].level,
            "level_label": LEVEL_LABELS.get(docs[0].level or "", docs[0].level or ""),
            "years": years,
            "reports": [{"doc": d.doc, "year": d.year, "verified": d.rows is not None} for d in docs],
            "indicators": indicators,
            "chart": {
                "categories": [f"{s['name']}（{s['measure_label']}）" for s in pct],
                "years": years,
                "series": [
                    {"year": y, "values": [s["years"].get(str(y), {}).get("target") for s in pct]} for y in years
                ],
            },
        }
