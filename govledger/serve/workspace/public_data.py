"""What the public views show, read from the store: report cards, places, indicators, the national series.

Every view is computed from stored records and stored verdicts (computed at
import, manual overrides applied), never by extracting files, and kept until
``store.public.public_version`` changes (an import, a verdict, an override,
a 公开 switch); the workspace's task writes do not clear it.

Which reports are public is a setting of the app (``scope``):

- ``"marked"`` (``govledger serve``): only reports whose 公开 switch is on;
- ``"all"`` (``govledger serve --public-only``, ``govledger public``): every
  work report in the store — a read-only deployment of published documents.

A 统计公报 stored beside the reports is always usable: it is an official
publication and only ever judges a public report's targets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from govledger.data import load_json
from govledger.errors import NotFound
from govledger.records import Record
from govledger.serve.labels import label, reason_zh
from govledger.store import RecordFilter
from govledger.store.public import public_version, published_docs
from govledger.store.verdicts import judged_docs
from govledger.structure.places import normalise_place
from govledger.track.outcomes import one_year_targets
from govledger.track.stored import stored_verdicts
from govledger.track.verify import VERDICTS, VerdictRow, summarise, target_key

if TYPE_CHECKING:
    from govledger.store import Store

Scope = Literal["marked", "all"]
SCOPES: tuple[str, ...] = ("marked", "all")
T = TypeVar("T")
_LEVEL_ORDER = {"national": 0, "province": 1, "city": 2, "county": 3}
# display scales for amounts in base units (元, 人, 斤 …): the largest that keeps the numbers readable
_SCALES = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"), (1.0, ""))


def clean(x: Any) -> Any:
    """Whole floats → int (5 not 5.0); everything else as it is."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def verdict_info(verdict: str | None) -> dict[str, Any]:
    """A verdict code with its Chinese label and symbol (the colour is never the only cue)."""
    table = load_json("labels.json")
    entry = table["verdicts"].get(verdict or "") if verdict else table["verdict_pending"]
    entry = entry or {"label": label("verdicts", verdict), "symbol": "·"}
    return {"verdict": verdict, "verdict_label": entry["label"], "verdict_symbol": entry["symbol"]}


def indicator_names() -> dict[str, str]:
    return {i["id"]: i.get("name", i["id"]) for i in load_json("catalogue.json").get("indicators", [])}


@dataclass(frozen=True)
class Doc:
    """A public work report: its place (normalised), level and year, and its neighbours among the public ones."""

    doc: str
    slug: str  # the place part of the doc id: guowuyuan, anhui …
    place: str
    level: str | None
    year: int | None
    verified: bool  # verdicts are stored (its next-year report is in the store)
    next_doc: str | None = None
    prev_doc: str | None = None


def card_rows(rows: list[VerdictRow], year: int | None) -> list[tuple[VerdictRow, int]]:
    """The report card's rows: one-year targets, each stated once (a restatement counts on its first statement)."""
    seen: set[str] = set()
    out: list[tuple[VerdictRow, int]] = []
    for r in rows:
        if year is not None and r.target_period is not None and r.target_period != year:
            continue
        if any(i in seen for i in r.also_stated):
            continue
        seen.add(r.target_id)
        out.append((r, len(r.also_stated)))
    return out


class PublicViews:
    """The public views over one store; thread-safe, cached per ``public_version``."""

    def __init__(self, store: Store, scope: Scope = "marked") -> None:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        self.store = store
        self.scope = scope
        self.names = indicator_names()
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._memo: dict[Any, Any] = {}

    # ------------------------------------------------------------------ cache

    def _cached(self, key: Any, compute: Callable[[], T]) -> T:
        version = public_version(self.store)
        with self._lock:
            if version != self._key:
                self._key, self._memo = version, {}
            memo = self._memo
        if key not in memo:
            memo[key] = compute()
        value: T = memo[key]
        return value

    def indicator_name(self, indicator: str | None) -> str:
        return self.names.get(indicator or "", indicator or "")

    # ------------------------------------------------------------------ what is public

    def docs(self) -> dict[str, Doc]:
        return self._cached("docs", self._docs)

    def _docs(self) -> dict[str, Doc]:
        infos = [i for i in self.store.reports() if i.kind == "report"]
        if self.scope == "marked":
            marked = published_docs(self.store)
            infos = [i for i in infos if i.doc in marked]
        judged = judged_docs(self.store)
        by_key: dict[tuple[str, int], str] = {}
        raw: dict[str, Doc] = {}
        for i in infos:
            p = normalise_place(i.place)
            name = p.name if p else (i.place or i.doc.rsplit("_", 1)[0])
            raw[i.doc] = Doc(i.doc, i.doc.rsplit("_", 1)[0], name, (p.level if p and p.level else i.level), i.year,
                             i.doc in judged)
            if i.year is not None:
                by_key.setdefault((name, i.year), i.doc)
        out: dict[str, Doc] = {}
        for doc, d in raw.items():
            nxt = by_key.get((d.place, d.year + 1)) if d.year is not None else None
            prv = by_key.get((d.place, d.year - 1)) if d.year is not None else None
            out[doc] = Doc(d.doc, d.slug, d.place, d.level, d.year, d.verified, nxt, prv)
        return out

    def doc(self, doc: str) -> Doc:
        d = self.docs().get(doc)
        if d is None:
            raise NotFound(f"没有公开的报告「{doc}」")
        return d

    def verdicts(self, doc: str) -> list[VerdictRow]:
        """The stored verdicts of a report's targets (every row, overrides applied), any report of the store."""
        return self._cached(("verdicts", doc), lambda: stored_verdicts(self.store, doc=doc))

    def verdict_of(self, doc: str) -> dict[str, VerdictRow]:
        return self._cached(("verdict_of", doc), lambda: {r.target_id: r for r in self.verdicts(doc)})

    def _place_docs(self) -> dict[str, list[Doc]]:
        out: dict[str, list[Doc]] = {}
        for d in self.docs().values():
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
        raise NotFound(f"没有地区「{place}」的公开报告")

    # ------------------------------------------------------------------ the headline targets

    def headline(self) -> list[Record]:
        """Catalogue targets of the public reports for their own year, each report's first statement only."""
        return self._cached("headline", self._headline)

    def _headline(self) -> list[Record]:
        docs = self.docs()
        seen: set[tuple[Any, ...]] = set()
        out = []
        for r in self.store.list_records(RecordFilter(kind="target")):
            d = docs.get(r.doc)
            if d is None or not r.indicator or r.period is None or r.period != d.year:
                continue
            key = (r.doc, *target_key(r))
            if key in seen:
                continue
            seen.add(key)
            out.append(r)
        return out

    # ------------------------------------------------------------------ views

    def index(self) -> dict[str, Any]:
        return self._cached("index", self._index)

    def _index(self) -> dict[str, Any]:
        places: list[dict[str, Any]] = []
        for slug, docs in self._place_docs().items():
            reports = []
            for d in docs:
                counts = summarise(r for r, _ in card_rows(self.verdicts(d.doc), d.year)) if d.verified else None
                reports.append({"doc": d.doc, "year": d.year, "verified": d.verified, "next_doc": d.next_doc,
                                "counts": counts})
            places.append({"slug": slug, "place": docs[0].place, "level": docs[0].level,
                           "level_label": label("levels", docs[0].level, docs[0].level or ""), "reports": reports})
        places.sort(key=lambda p: (_LEVEL_ORDER.get(str(p["level"] or ""), 9), str(p["slug"])))
        per_indicator: dict[str, int] = {}
        for t in self.headline():
            per_indicator[str(t.indicator)] = per_indicator.get(str(t.indicator), 0) + 1
        indicators = [{"indicator": k, "name": self.indicator_name(k), "targets": v}
                      for k, v in sorted(per_indicator.items(), key=lambda kv: (-kv[1], kv[0]))]
        public = list(self.docs().values())
        return {"scope": self.scope, "places": places,
                "years": sorted({d.year for d in public if d.year is not None}),
                "indicators": indicators, "pairs": sum(1 for d in public if d.verified), "errors": []}

    def report(self, doc: str) -> dict[str, Any]:
        return self._cached(("report", doc), lambda: self._report(doc))

    def _report(self, doc: str) -> dict[str, Any]:
        d = self.doc(doc)
        head = {"doc": d.doc, "slug": d.slug, "place": d.place, "level": d.level, "year": d.year,
                "next_doc": d.next_doc, "prev_doc": d.prev_doc, "verified": d.verified}
        if not d.verified:
            seen: set[tuple[Any, ...]] = set()
            targets = []
            for t in one_year_targets(self.store.list_records(RecordFilter(doc=doc, kind="target")), d.year):
                k = target_key(t)
                if k in seen:
                    continue
                seen.add(k)
                targets.append({"indicator": t.indicator, "indicator_name": self.indicator_name(t.indicator),
                                "metric": t.metric, "target_quote": t.quote, "target_value": clean(t.value),
                                "target_unit": t.unit, "bound": t.bound, **verdict_info(None)})
            return {**head, "counts": None, "total": len(targets), "rows": targets}
        rows = []
        card = card_rows(self.verdicts(doc), d.year)
        for r, restated in card:
            rows.append({
                "target_id": r.target_id, "indicator": r.indicator, "indicator_name": self.indicator_name(r.indicator),
                "metric": r.metric, "measure": r.measure, "measure_label": label("measures", r.measure),
                "target_quote": r.target_quote, "target_value": clean(r.target_value),
                "target_value_max": clean(r.target_value_max), "target_unit": r.target_unit, "bound": r.bound,
                "outcome_doc": r.outcome_doc, "outcome_quote": r.outcome_quote,
                "outcome_value": clean(r.outcome_value), "outcome_unit": r.outcome_unit,
                "outcome_estimated": r.outcome_estimated, "match_score": r.match_score, "reason": r.reason,
                "reason_zh": reason_zh(r.reason, r.verdict), "overridden": r.overridden, "restated": restated,
                **verdict_info(r.verdict),
            })
        counts = summarise(r for r, _ in card)
        return {**head, "outcome_doc": next((r.outcome_doc for r, _ in card if r.outcome_doc), d.next_doc),
                "counts": [{"verdict": v, "count": counts[v], **verdict_info(v)} for v in VERDICTS],
                "total": len(rows), "rows": rows}

    def indicator(self, indicator: str, year: int | None = None, measure: str | None = None) -> dict[str, Any]:
        return self._cached(("indicator", indicator, year, measure), lambda: self._indicator(indicator, year, measure))

    def _indicator(self, indicator: str, year: int | None, measure: str | None) -> dict[str, Any]:
        docs = self.docs()
        t = [r for r in self.headline() if r.indicator == indicator]
        if not t:
            raise NotFound(f"没有指标「{self.indicator_name(indicator)}」的公开目标")
        years = sorted({int(docs[r.doc].year or 0) for r in t})
        if year is None:
            judged = [int(docs[r.doc].year or 0) for r in t if r.id in self.verdict_of(r.doc)]
            year = max(judged) if judged else years[-1]
        ty = [r for r in t if docs[r.doc].year == year]
        freq: dict[str, int] = {}
        for r in ty:
            freq[r.measure] = freq.get(r.measure, 0) + 1
        measures = sorted(freq, key=lambda m: -freq[m])
        if measure is None:
            measure = measures[0] if measures else None
        chosen: dict[str, Record] = {}
        for r in ty:
            if measure is None or r.measure == measure:
                chosen.setdefault(docs[r.doc].place, r)  # the headline figure; a stretch figure follows its floor
        units = [r.base_unit for r in chosen.values() if r.base_unit]
        base_unit = max(set(units), key=units.count) if units else None
        biggest = max([abs(r.base_value) for r in chosen.values() if r.base_value is not None] or [0.0])
        divisor, prefix = 1.0, ""
        if base_unit not in ("%", "pp", None):
            divisor, prefix = next((s for s in _SCALES if biggest >= s[0]), (1.0, ""))

        def scaled(v: float | None, u: str | None) -> Any:
            if v is None or (u is not None and base_unit is not None and u != base_unit):
                return None
            return clean(round(float(v) / divisor, 6))

        rows = []
        for place, r in sorted(chosen.items(), key=lambda kv: (_LEVEL_ORDER.get(str(docs[kv[1].doc].level), 9), kv[0])):
            d = docs[r.doc]
            v = self.verdict_of(r.doc).get(r.id)
            rows.append({
                "place": place, "slug": d.slug, "level": d.level, "doc": r.doc, "verified": d.verified,
                "target_quote": r.quote, "target": scaled(r.base_value, r.base_unit), "target_max": clean(r.value_max),
                "bound": r.bound, "outcome_quote": v.outcome_quote if v else None,
                "outcome": scaled(v.outcome_base_value, v.outcome_base_unit) if v else None,
                "outcome_estimated": bool(v.outcome_estimated) if v else False,
                **verdict_info(v.verdict if v else None),
            })
        return {"indicator": indicator, "name": self.indicator_name(indicator), "year": year, "years": years,
                "measure": measure, "measure_label": label("measures", measure),
                "measures": [{"measure": m, "label": label("measures", m)} for m in measures],
                "unit": f"{prefix}{base_unit}" if base_unit else "", "rows": rows}

    def place(self, place: str) -> dict[str, Any]:
        slug = self.find_place(place)
        return self._cached(("place", slug), lambda: self._place(slug))

    def _place(self, slug: str) -> dict[str, Any]:
        docs = self._place_docs()[slug]
        by_doc = {d.doc: d for d in docs}
        years = [d.year for d in docs if d.year is not None]
        series: dict[tuple[str, str], dict[str, Any]] = {}
        targets = sorted((r for r in self.headline() if r.doc in by_doc),
                         key=lambda r: (str(r.indicator), r.measure, by_doc[r.doc].year or 0))
        for r in targets:
            key = (str(r.indicator), r.measure)
            s = series.setdefault(key, {
                "indicator": key[0], "name": self.indicator_name(key[0]), "measure": key[1],
                "measure_label": label("measures", key[1]), "unit": r.base_unit, "years": {}})
            y = str(by_doc[r.doc].year)
            if y in s["years"]:
                continue
            v = self.verdict_of(r.doc).get(r.id)
            s["years"][y] = {"doc": r.doc, "target_quote": r.quote, "target": clean(r.base_value),
                             "target_max": clean(r.value_max), "bound": r.bound,
                             "outcome_quote": v.outcome_quote if v else None,
                             "outcome": clean(v.outcome_base_value) if v else None,
                             **verdict_info(v.verdict if v else None)}
        indicators = list(series.values())
        for s in indicators:
            values = [s["years"][str(y)]["target"] for y in years if str(y) in s["years"]]
            change = None
            if len(values) >= 2 and values[-1] is not None and values[-2] is not None:
                change = "raised" if values[-1] > values[-2] else "lowered" if values[-1] < values[-2] else "unchanged"
            s["change"] = change
            s["change_label"] = label("changes", change, "")
        pct = [s for s in indicators if s["unit"] in ("%", "pp") and s["measure"] in ("growth", "ratio")]
        return {
            "slug": slug, "place": docs[0].place, "level": docs[0].level,
            "level_label": label("levels", docs[0].level, docs[0].level or ""), "years": years,
            "reports": [{"doc": d.doc, "year": d.year, "verified": d.verified} for d in docs],
            "indicators": indicators,
            "chart": {"categories": [f"{s['name']}（{s['measure_label']}）" for s in pct], "years": years,
                      "series": [{"year": y, "values": [s["years"].get(str(y), {}).get("target") for s in pct]}
                                 for y in years]},
        }

    def series(self, indicator: str, measure: str = "growth") -> dict[str, Any]:
        if indicator not in self.names:
            raise NotFound(f"没有指标「{indicator}」")
        return self._cached(("series", indicator, measure), lambda: self._series(indicator, measure))

    def _series(self, indicator: str, measure: str) -> dict[str, Any]:
        from govledger.track.outturns import series_rows, verify_with_outturns

        communiques = {i.year: i.doc for i in self.store.reports()
                       if i.kind == "communique" and i.year is not None and normalise_place(i.place) is not None
                       and getattr(normalise_place(i.place), "name", None) == "全国"}
        if not communiques:
            raise NotFound("库中没有全国统计公报（先导入：govledger import ../shared/corpus/statistical_communiques）")
        national = {d.year: d.doc for d in self.docs().values() if d.place == "全国" and d.year is not None}
        outturns = {y: self.store.list_records(RecordFilter(doc=doc)) for y, doc in communiques.items()}
        rows: dict[int, list[VerdictRow]] = {}
        for y, doc in national.items():
            records = self.store.list_records(RecordFilter(doc=doc))
            rows[y] = verify_with_outturns(records, outturns.get(y, []), year=y, doc=doc, place="全国")
        out = series_rows(rows, outturns, indicator, measure)
        for r in out:
            r.update(verdict_label=label("verdicts", r["verdict"], "—") if r.get("verdict") else "—")
        name = self.indicator_name(indicator).replace("地区", "国内")
        return {"indicator": indicator, "name": name, "rows": out,
                "judged": sum(1 for r in out if r.get("verdict") in ("met", "missed", "partly_met"))}
