"""The panel: targets and outcomes of many governments and years in one tidy table.

``panel(source)`` returns a pandas DataFrame with one row per record (place ×
year × indicator × kind × measure, plus the quote), place names normalised
(广元 / 广元市 → 广元市) with their level, and for every target whose next
report is in the same source: the outcome, the verdict and the gap. The
source is a folder of reports (each extracted), one report or ``.jsonl``
extraction, a list of records or ledgers, or a database URL (read through
the store's own API).

Queries over the frame: ``targets_for`` (every place's target for one
indicator and year), ``target_gaps`` (target vs outcome over years),
``target_changes`` (raised / lowered against last year's target).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

import pandas as pd

from govledger.errors import ReportError
from govledger.records import Record
from govledger.structure.places import normalise_place
from govledger.track.sources import LedgerReader, LoadedLedger, iter_ledgers, load_ledger
from govledger.track.verify import VerdictRow, target_key, verify_records

PANEL_COLUMNS: tuple[str, ...] = (
    "place", "level", "province", "year", "period", "doc", "record_id", "kind", "indicator", "metric",
    "measure", "value", "value_max", "unit", "base_value", "base_unit", "bound", "strength", "estimated",
    "deadline", "quote", "restated", "outcome_quote", "outcome_value", "outcome_base_value", "outcome_base_unit",
    "outcome_estimated",
    "verdict", "gap", "match_score", "reason", "official_base_value", "official_quote",
)
DEFAULT_TOLERANCE_PP, DEFAULT_TOLERANCE_REL = 0.2, 0.01
_DTYPES: dict[str, str] = {
    "year": "Int64", "period": "Int64", "value": "float64", "value_max": "float64", "base_value": "float64",
    "outcome_value": "float64", "outcome_base_value": "float64", "gap": "float64", "match_score": "float64",
    "official_base_value": "float64",
    "estimated": "boolean", "outcome_estimated": "boolean", "restated": "boolean",
}


def _is_db_url(source: str) -> bool:
    return "://" in source or source.endswith((".db", ".sqlite", ".sqlite3"))


def _ledgers_from(
    source: Any, errors: list[tuple[str, str]] | None, reader: LedgerReader | None,
    on_file: Callable[[Path], None] | None,
) -> list[LoadedLedger]:
    if isinstance(source, str | Path):
        s = str(source)
        p = Path(s)
        if p.is_dir():
            return list(iter_ledgers(p, errors, reader=reader, on_file=on_file))
        if not p.exists():
            raise ReportError(s, "no such file or folder")
        return [reader.load(p) if reader is not None else load_ledger(p)]
    items = list(source)
    if not items:
        return []
    if all(isinstance(x, Record) for x in items):
        by_doc: dict[str, list[Record]] = {}
        for r in items:
            by_doc.setdefault(r.doc, []).append(r)
        out = []
        for doc, recs in by_doc.items():
            place = next((r.place for r in recs if r.place), None)
            year = next((r.year for r in recs if r.year), None)
            out.append(LoadedLedger(doc, place, year, recs))
        return out
    ledgers = []
    for x in items:
        if not hasattr(x, "records"):
            raise TypeError(f"panel() takes records, ledgers, a folder or a database URL, not {type(x).__name__}")
        ledgers.append(LoadedLedger(x.doc, x.place, x.year, list(x.records), getattr(x, "level", None),
                                    getattr(x, "path", ""), getattr(x, "text", None)))
    return ledgers


def _ledgers_from_store(url: str) -> tuple[list[LoadedLedger], dict[str, Any]]:
    """Every document of the store (reports and communiqués, as a folder holds them) with its records (one
    scan of the panel's columns), and the stored verdicts."""
    from govledger.store import RecordFilter, open_store
    from govledger.store.crud import iter_records, panel_records_by_doc
    from govledger.store.db import database_errors
    from govledger.store.verdicts import list_overrides, panel_verdicts
    from govledger.track.stored import stored_verdicts

    with open_store(url, create=False) as store, database_errors(store.name):
        from govledger.track.stored import refresh_verdicts

        refresh_verdicts(store)  # pairs a store of an older version never judged (usually none)
        infos = {i.doc: i for i in store.reports()}
        by_doc: dict[str, list[Any]] = dict(panel_records_by_doc(store))
        for doc in (d for d, i in infos.items() if i.kind != "report"):
            # a communiqué's outturns carry extras (table or prose) that choose the official figure: whole records
            by_doc[doc] = list(iter_records(store, RecordFilter(doc=doc)))
        verdicts: dict[str, Any] = {v.target_id: v for v in panel_verdicts(store)}
        overridden = {o.doc for o in list_overrides(store)}
        for doc in sorted(overridden):  # the few reports with manual verdicts: whole rows, overrides applied
            verdicts.update((v.target_id, v) for v in stored_verdicts(store, doc=doc))
    ledgers = [LoadedLedger(doc, i.place, i.year, by_doc.get(doc, []), i.level, i.path)
               for doc, i in sorted(infos.items())]
    return ledgers, verdicts


def _full_ledgers_from_store(url: str) -> list[LoadedLedger]:
    """Every report of the store with its whole records (what verify needs)."""
    from govledger.store import RecordFilter, open_store
    from govledger.store.crud import iter_records
    from govledger.store.db import database_errors

    with open_store(url, create=False) as store, database_errors(store.name):
        infos = {i.doc: i for i in store.reports() if i.kind == "report"}
        by_doc: dict[str, list[Record]] = {doc: [] for doc in infos}
        for r in iter_records(store, RecordFilter()):
            if r.doc in by_doc:
                by_doc[r.doc].append(r)
    return [LoadedLedger(doc, i.place, i.year, by_doc[doc], i.level, i.path) for doc, i in sorted(infos.items())]


def _verdicts(
    ledgers: Sequence[LoadedLedger], tolerance_pp: float, tolerance_rel: float,
    stored: dict[str, VerdictRow] | None = None,
) -> dict[str, VerdictRow]:
    """target record id → its verdict row, for every ledger whose next-year report is present.

    ``stored`` verdicts (read from the store, computed there with the default
    tolerances at import) are used as they are: the store judges every pair.
    """
    if stored is not None:
        return stored
    by_key: dict[tuple[str, int], LoadedLedger] = {}
    for lg in ledgers:
        p = normalise_place(lg.place)
        is_communique = bool(lg.records) and all(r.kind == "outturn" for r in lg.records)
        if p is not None and lg.year is not None and not is_communique:  # a communiqué pairs with no report
            by_key.setdefault((p.name, lg.year), lg)
    out: dict[str, VerdictRow] = {}
    for (place, year), lg in by_key.items():
        nxt = by_key.get((place, year + 1))
        if nxt is None:
            continue
        rows = verify_records(lg.records, nxt.records, year=year, doc=lg.doc, place=lg.place,
                              tolerance_pp=tolerance_pp, tolerance_rel=tolerance_rel, include_all=True)
        for row in rows:
            out[row.target_id] = row
    return out


def panel(
    source: Any,
    *,
    tolerance_pp: float = DEFAULT_TOLERANCE_PP,
    tolerance_rel: float = DEFAULT_TOLERANCE_REL,
    indicators_only: bool = False,
    errors: list[tuple[str, str]] | None = None,
    reader: LedgerReader | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> pd.DataFrame:
    """The tidy panel of ``source`` (folder, file, records, ledgers or database URL).

    Columns: ``PANEL_COLUMNS``. ``verdict`` is empty where the panel holds no
    next-year report of that place (unknown, not ``not_reported``). Files
    that cannot be read are skipped and listed in ``errors`` when given,
    else the first one raises ``ReportError``. A ``reader`` with a store takes
    unchanged reports' records from it; ``on_file`` is called before each
    file of a folder (a progress bar).
    """
    with _collector_paused():
        return _panel(source, tolerance_pp, tolerance_rel, indicators_only, errors, reader, on_file)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Half a million rows are allocated and none is garbage until the frame is built: the cyclic collector
    would walk the growing heap again and again (a quarter of the time on the whole corpus), so it waits."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _panel(
    source: Any, tolerance_pp: float, tolerance_rel: float, indicators_only: bool,
    errors: list[tuple[str, str]] | None, reader: LedgerReader | None, on_file: Callable[[Path], None] | None,
) -> pd.DataFrame:
    stored: dict[str, VerdictRow] | None = None
    if isinstance(source, str | Path) and _is_db_url(str(source)):
        if (tolerance_pp, tolerance_rel) == (DEFAULT_TOLERANCE_PP, DEFAULT_TOLERANCE_REL):
            ledgers, stored = _ledgers_from_store(str(source))
        else:  # stored verdicts use the default tolerances: judge again, from whole records
            ledgers = _full_ledgers_from_store(str(source))
    else:
        ledgers = _ledgers_from(source, errors, reader, on_file)
    verdicts = _verdicts(ledgers, tolerance_pp, tolerance_rel, stored)
    cols: dict[str, list[Any]] = {c: [] for c in PANEL_COLUMNS}  # columns, not row dicts: half a million rows
    for lg in ledgers:
        _add_ledger(cols, lg, indicators_only)
    _add_outcomes(cols, verdicts)
    _add_official(cols, _official_figures(ledgers))
    cols["estimated"] = [bool(e) for e in cols["estimated"]]  # SQLite gives 0/1
    return pd.DataFrame({c: pd.Series(cols[c], dtype=_DTYPES.get(c, "object")) for c in PANEL_COLUMNS})


_RECORD_FIELDS = ("id", "period", "doc", "kind", "indicator", "metric", "measure", "value", "value_max", "unit",
                  "base_value", "base_unit", "bound", "strength", "estimated", "deadline", "quote")
_OUTCOME_FIELDS = ("outcome_quote", "outcome_value", "outcome_base_value", "outcome_base_unit", "verdict", "gap",
                   "match_score", "reason")
_record_values = attrgetter(*_RECORD_FIELDS)


def _add_ledger(cols: dict[str, list[Any]], lg: LoadedLedger, indicators_only: bool) -> None:
    """One report's rows: its records' own fields column by column, the place named once per written place,
    and ``restated`` for a one-year target stated again later in the report."""
    seen: set[tuple[Any, ...]] = set()
    restated: list[bool | None] = []
    for r in lg.records:
        if r.kind != "target":
            restated.append(None)
        elif r.period is not None and r.period == (r.year or lg.year):
            key = target_key(r)
            restated.append(key in seen)
            seen.add(key)
        else:
            restated.append(False)
    kept = list(lg.records)
    if indicators_only:
        keep = [bool(r.indicator) for r in kept]
        kept = [r for r, k in zip(kept, keep, strict=True) if k]
        restated = [x for x, k in zip(restated, keep, strict=True) if k]
    if not kept:
        return
    lp = normalise_place(lg.place)
    named: dict[str | None, tuple[str | None, str | None, str | None]] = {}
    for r in kept:
        if r.place not in named:
            p = normalise_place(r.place or lg.place) or lp
            named[r.place] = (
                p.name if p else None,
                p.level if p and p.level else lg.level,
                p.province if p and p.province else (p.name if p and p.level == "province" else None),
            )
    where = [named[r.place] for r in kept]
    cols["place"].extend(w[0] for w in where)
    cols["level"].extend(w[1] for w in where)
    cols["province"].extend(w[2] for w in where)
    cols["year"].extend(r.year if r.year is not None else lg.year for r in kept)
    cols["restated"].extend(restated)
    for name, column in zip(_RECORD_FIELDS, zip(*map(_record_values, kept), strict=True), strict=True):
        cols["record_id" if name == "id" else name].extend(column)


def _add_outcomes(cols: dict[str, list[Any]], verdicts: dict[str, Any]) -> None:
    """The verdict of each target whose next-year report is present (an outcome is shown only with its quote)."""
    n = len(cols["record_id"])
    for name in (*_OUTCOME_FIELDS, "outcome_estimated"):
        cols[name] = [None] * n
    for i, (rid, kind) in enumerate(zip(cols["record_id"], cols["kind"], strict=True)):
        if kind != "target":
            continue
        v = verdicts.get(rid)
        if v is None:
            continue
        for name in _OUTCOME_FIELDS:
            cols[name][i] = getattr(v, name)
        if v.outcome_quote:
            cols["outcome_estimated"][i] = v.outcome_estimated


def _add_official(cols: dict[str, list[Any]], official: dict[tuple[Any, ...], tuple[float | None, str]]) -> None:
    for name in ("official_base_value", "official_quote"):
        cols[name] = [None] * len(cols["place"])
    if not official:
        return
    for i, kind in enumerate(cols["kind"]):
        if kind != "target":
            continue
        key = (cols["place"][i], cols["period"][i], cols["indicator"][i], cols["measure"][i], cols["base_unit"][i])
        hit = official.get(key)
        if hit is not None:
            cols["official_base_value"][i], cols["official_quote"][i] = hit


def _official_figures(ledgers: list[LoadedLedger]) -> dict[tuple[Any, ...], tuple[float | None, str]]:
    """(place, year, indicator, measure, base unit) → the statistical communiqué's figure and quote.

    A target of year Y sits beside the official outturn of Y when the panel holds the
    communiqué of that place and year (issue 9); the choice of figure is the verdicts'.
    """
    from govledger.track.outturns import outturn_panel_rows

    outturns = [r for lg in ledgers for r in lg.records if r.kind == "outturn"]
    out: dict[tuple[Any, ...], tuple[float | None, str]] = {}
    for row in outturn_panel_rows(outturns):
        place = normalise_place(row["place"])
        key = (place.name if place else row["place"], row["year"], row["indicator"], row["measure"], row["base_unit"])
        out.setdefault(key, (row["outturn_base_value"], row["outturn_quote"]))
    return out


def export_panel(df: pd.DataFrame, path: str | Path) -> Path:
    """Write the panel as CSV (UTF-8 with BOM, opens in Excel) or Parquet, by the file's suffix."""
    p = Path(path)
    try:
        if p.suffix.lower() == ".parquet":
            df.to_parquet(p, index=False)
        elif p.suffix.lower() == ".csv":
            df.to_csv(p, index=False, encoding="utf-8-sig")
        else:
            raise ReportError(str(p), "use a .csv or .parquet file name")
    except OSError as exc:
        raise ReportError(str(p), f"cannot write: {exc.strerror or exc}") from None
    return p


# --------------------------------------------------------------------------- queries


def _headline_targets(df: pd.DataFrame) -> pd.DataFrame:
    """One-year targets, first statement only (restatements dropped)."""
    t = df[(df["kind"] == "target") & (df["period"] == df["year"])]
    return t[t["restated"].fillna(False) == False]  # noqa: E712 — nullable boolean column


def targets_for(
    df: pd.DataFrame, indicator: str, year: int | None = None, *, measure: str | None = None,
    level: str | None = None,
) -> pd.DataFrame:
    """Every place's target for ``indicator`` (in ``year``), with outcome and verdict where known.

    e.g. ``targets_for(df, "gdp", 2024, measure="growth", level="city")``:
    every city's 2024 GDP growth target.
    """
    t = _headline_targets(df)
    t = t[t["indicator"] == indicator]
    if year is not None:
        t = t[t["year"] == year]
    if measure is not None:
        t = t[t["measure"] == measure]
    if level is not None:
        t = t[t["level"] == level]
    cols = ["place", "level", "year", "indicator", "measure", "value", "value_max", "unit", "bound", "strength",
            "quote", "outcome_value", "verdict", "gap"]
    return t[cols].sort_values(["year", "place"], kind="stable").reset_index(drop=True)


def target_gaps(df: pd.DataFrame, indicator: str, years: Iterable[int] | None = None) -> pd.DataFrame:
    """Target vs outcome for ``indicator`` over ``years``: gap = outcome − target (base units)."""
    t = _headline_targets(df)
    t = t[t["indicator"] == indicator]
    if years is not None:
        t = t[t["year"].isin(list(years))]
    cols = ["place", "year", "measure", "base_value", "base_unit", "outcome_base_value", "outcome_base_unit", "gap",
            "verdict", "quote", "outcome_quote"]
    out = t[cols].rename(columns={"base_value": "target", "outcome_base_value": "outcome"})
    return out.sort_values(["place", "year"], kind="stable").reset_index(drop=True)


def target_changes(df: pd.DataFrame, place: str, indicator: str | None = None) -> pd.DataFrame:
    """Each target of ``place`` against the same indicator's and measure's target of the year before.

    ``change`` is ``raised``, ``lowered``, ``unchanged`` (same lower end) or
    ``new`` (no target of that kind the year before); ``bound_before`` shows
    a change of qualifier (5%左右 → 5%以上).
    """
    p = normalise_place(place)
    name = p.name if p else place
    t = _headline_targets(df)
    t = t[(t["place"] == name) & t["indicator"].notna() & t["base_value"].notna()]
    if indicator is not None:
        t = t[t["indicator"] == indicator]
    # the first target per year/indicator/measure (the headline figure, the floor before a stretch)
    t = t.drop_duplicates(["year", "indicator", "measure"], keep="first")
    prev = t[["year", "indicator", "measure", "base_value", "bound", "quote"]].copy()
    prev["year"] = prev["year"] + 1
    prev = prev.rename(columns={"base_value": "before", "bound": "bound_before", "quote": "quote_before"})
    merged = t.merge(prev, on=["year", "indicator", "measure"], how="left")

    def change(row: Any) -> str:
        if pd.isna(row["before"]):
            return "new"
        if abs(row["base_value"] - row["before"]) < 1e-9 * max(1.0, abs(row["before"])):
            return "unchanged"
        return "raised" if row["base_value"] > row["before"] else "lowered"

    merged["change"] = merged.apply(change, axis=1) if len(merged) else pd.Series(dtype="object")
    merged["delta"] = merged["base_value"] - merged["before"]
    cols = ["place", "year", "indicator", "measure", "before", "base_value", "delta", "base_unit", "change",
            "bound_before", "bound", "quote_before", "quote"]
    out = merged[cols].rename(columns={"base_value": "target"})
    return out.sort_values(["indicator", "measure", "year"], kind="stable").reset_index(drop=True)
