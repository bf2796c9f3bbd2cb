"""Verdicts kept in the store: computed when both years of a place are imported, read back as rows.

``refresh_verdicts`` judges every pair (place, Y) → (place, Y+1) of the
store whose verdicts are missing or whose reports changed (a re-import
drops the stale rows of both sides), with the same ``verify_records`` that
files and JSONL go through. ``stored_verdicts`` reads them back with the
manual overrides (rows with who/when/why) applied; ``verdicts_json`` is the
same as plain dicts for the web views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from govledger.records import Record
from govledger.structure.places import normalise_place
from govledger.track.overrides import Override, apply_overrides
from govledger.track.verify import VERDICTS, VerdictRow, verify_records

if TYPE_CHECKING:
    from govledger.store import ReportInfo, Store

BATCH = 100  # pairs whose verdicts are written in one transaction
_ROW_FIELDS = frozenset(f.name for f in fields(VerdictRow))


@dataclass(frozen=True)
class Pair:
    """Report Y of a place and its next-year report Y+1."""

    place: str
    year: int
    target_doc: str
    outcome_doc: str


def place_year_key(place: str | None, year: int | None) -> tuple[str, int] | None:
    """(normalised place, year) of a report, or None when either is unknown."""
    p = normalise_place(place)
    return (p.name, year) if p is not None and year is not None else None


def report_pairs(infos: Iterable[ReportInfo]) -> list[Pair]:
    """Consecutive-year pairs of work reports, by place and year (the first doc of a (place, year) wins)."""
    by_key: dict[tuple[str, int], str] = {}
    for info in infos:
        if getattr(info, "kind", "report") != "report":
            continue
        key = place_year_key(info.place, info.year)
        if key is not None:
            by_key.setdefault(key, info.doc)
    pairs = []
    for (place, year), doc in sorted(by_key.items()):
        nxt = by_key.get((place, year + 1))
        if nxt is not None:
            pairs.append(Pair(place, year, doc, nxt))
    return pairs


def row_from_dict(d: dict[str, Any]) -> VerdictRow:
    """A stored ``detail`` dict back as the ``VerdictRow`` it was saved from."""
    return VerdictRow(**{k: v for k, v in d.items() if k in _ROW_FIELDS})


def refresh_verdicts(
    store: Store, changed: Iterable[str] = (), *, on_pair: Callable[[Pair], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Judge the pairs whose verdicts are missing or touch a doc in ``changed``; (pairs, rows) written."""
    from govledger.store import verdicts as stored

    changed_docs = set(changed)
    judged = stored.judged_docs(store)
    # a target report with targets always gets rows (include_all): no rows means not judged yet
    missing = stored.docs_with_targets(store) - judged
    todo = [
        p for p in report_pairs(store.reports())
        if p.target_doc in missing or p.target_doc in changed_docs or p.outcome_doc in changed_docs
    ]
    if on_plan is not None:
        on_plan(len(todo))
    cache: dict[str, list[Record]] = {}

    def records(doc: str) -> list[Record]:
        if doc not in cache:
            if len(cache) > 2:  # pairs come by place and year: the outcome report is the next target report
                cache.pop(next(iter(cache)))
            cache[doc] = store.list_records(doc=doc)
        return cache[doc]

    n_rows = 0
    batch: list[tuple[str, str | None, list[dict[str, Any]]]] = []
    for pair in todo:
        rows = verify_records(records(pair.target_doc), records(pair.outcome_doc), year=pair.year,
                              doc=pair.target_doc, place=pair.place, include_all=True)
        batch.append((pair.target_doc, pair.outcome_doc, [r.as_dict() for r in rows]))
        if len(batch) >= BATCH:
            n_rows += stored.replace_verdicts_many(store, batch)
            batch = []
        if on_pair is not None:
            on_pair(pair)
    if batch:
        n_rows += stored.replace_verdicts_many(store, batch)
    return len(todo), n_rows


def stored_overrides(store: Store, docs: list[str] | None = None) -> list[Override]:
    """The manual verdicts of the store (for ``docs``), oldest first, as ``Override``s."""
    from govledger.store import verdicts as stored

    return [
        Override(o.doc, o.verdict, o.reason, o.target_quote, o.target_record, o.by, o.at.isoformat(timespec="seconds"))
        for o in stored.list_overrides(store, docs)
    ]


def stored_verdicts(
    store: Store, *, place: str | None = None, year: int | None = None, doc: str | None = None
) -> list[VerdictRow]:
    """The stored verdict rows (every target, restatements included) with manual overrides applied."""
    from govledger.store import verdicts as stored

    if place is not None:
        p = normalise_place(place)
        place = p.name if p is not None else place
    rows = [row_from_dict(d) for d in stored.list_verdicts(store, place=place, year=year, doc=doc)]
    docs = sorted({r.doc for r in rows})
    if rows:
        apply_overrides(rows, stored_overrides(store, docs))
    return rows


def verdicts_json(
    store: Store, *, place: str | None = None, year: int | None = None, doc: str | None = None
) -> list[dict[str, Any]]:
    """``stored_verdicts`` as JSON-ready dicts (what the web views and ``--format jsonl`` show)."""
    return [r.as_dict() for r in stored_verdicts(store, place=place, year=year, doc=doc)]


def override_verdict(
    store: Store, *, doc: str, verdict: str, reason: str, by: str, target_id: str | None = None,
    target_quote: str | None = None, user_id: int | None = None,
) -> Override:
    """Record a person's verdict for one target (a row and an audit entry); raises ValueError on bad input."""
    from govledger.store import verdicts as stored

    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    if not reason.strip():
        raise ValueError("a reason is required")
    if not target_id and not target_quote:
        raise ValueError("give the target's id or a piece of its quote")
    if not by.strip():
        raise ValueError("say who decides (--by)")
    row = stored.add_override(store, doc=doc, verdict=verdict, reason=reason.strip(), by=by.strip(),
                              target_record=target_id, target_quote=target_quote, user_id=user_id)
    return Override(row.doc, row.verdict, row.reason, row.target_quote, row.target_record, row.by,
                    row.at.isoformat(timespec="seconds"))
