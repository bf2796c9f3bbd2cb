"""The ledger record: the public contract of schema v1 (shared/LEDGER_SCHEMA.md).

Other programs read ``govledger extract --format jsonl``; every field here is
always present in that output, in this order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["target", "achievement", "outturn"]
Scope = Literal["annual", "several"]
Measure = Literal["growth", "avg_growth", "cum_growth", "pp_change", "value", "ratio", "rank", "qualitative"]
Bound = Literal["min", "max", "approx", "exact"]
Strength = Literal["ensure", "strive", "plain"]

FIELDS: tuple[str, ...] = (
    "id", "doc", "place", "year", "period", "kind", "estimated", "section", "sentence", "quote",
    "metric", "indicator", "measure", "value", "value_max", "unit", "base_value", "base_unit",
    "bound", "strength", "deadline",
)


class Record(BaseModel):
    """One quantified (or qualitative) statement of a report."""

    model_config = ConfigDict(extra="allow")

    id: str
    doc: str
    place: str | None
    year: int | None
    period: int | None
    kind: Kind
    estimated: bool
    section: list[str]
    sentence: str
    quote: str
    metric: str
    indicator: str | None
    measure: Measure
    value: float | None
    value_max: float | None
    unit: str | None
    base_value: float | None
    base_unit: str | None
    bound: Bound
    strength: Strength
    deadline: str | None
    # extras (allowed by the schema): where the quote sits in the report text
    start: int | None = None
    end: int | None = None
    # extra: does the figure speak of one year ("annual") or several (年均, 累计, 五年, 十四五期间)?
    # Decided once by the structure and extract stages; verify and panel only read it.
    scope: Scope = "annual"


def trusted_record(values: dict[str, object], extra: dict[str, object] | None = None) -> Record:
    """A record from values that are already right (typed by the extractor, or validated when stored).

    What ``Record.model_construct`` does without its per-field loop, which cost as much as the rest of a
    record's extraction: ``values`` must hold every field, in the schema's order (``FIELDS``, then
    ``start``, ``end``, ``scope``), because that order is the JSONL's. ``tests/test_records.py`` holds it
    to ``model_validate``.
    """
    record = Record.__new__(Record)
    object.__setattr__(record, "__dict__", values)
    object.__setattr__(record, "__pydantic_fields_set__", set(values))
    object.__setattr__(record, "__pydantic_extra__", extra if extra is not None else {})
    object.__setattr__(record, "__pydantic_private__", None)
    return record


def record_dict(record: Record) -> dict[str, object]:
    """Plain dict in schema field order, numbers as int when they are whole."""
    # the fields are plain values (no nested models), so a copy of the instance dict is what ``model_dump`` gives,
    # at a fifth of its cost; the list is copied so the caller may change it
    out: dict[str, object] = dict(record.__dict__)
    out["section"] = list(record.section)
    if record.__pydantic_extra__:
        out.update(record.__pydantic_extra__)
    for key in ("value", "value_max", "base_value"):
        v = out.get(key)
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            out[key] = int(v)
    return out
