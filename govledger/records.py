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


def record_dict(record: Record) -> dict[str, object]:
    """Plain dict in schema field order, numbers as int when they are whole."""
    out = record.model_dump()
    for key in ("value", "value_max", "base_value"):
        v = out.get(key)
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            out[key] = int(v)
    return out
