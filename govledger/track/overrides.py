"""Manual verdicts: a person's verdict for one target replaces the automatic one, with the reason.

Overrides are rows of the store (``verdict_overrides``, written with an
audit entry by ``govledger.store.verdicts``); this module only applies them
to verdict rows, so the automatic verdict and reason stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govledger.track.verify import VerdictRow


@dataclass
class Override:
    """A person's verdict for one target, with the reason (kept as an audit trail)."""

    doc: str
    verdict: str
    reason: str
    target_quote: str | None = None
    target_id: str | None = None
    by: str | None = None
    at: str | None = None

    def applies_to(self, row: VerdictRow) -> bool:
        """The override names this row's target (by id, or by a piece of its quote)."""
        if row.doc != self.doc:
            return False
        if self.target_quote:
            return self.target_quote in row.target_quote
        return self.target_id is not None and (self.target_id == row.target_id or self.target_id in row.also_stated)


def apply_overrides(rows: Sequence[VerdictRow], overrides: Sequence[Override]) -> int:
    """Set each matching row's verdict by hand (the last override wins); returns rows changed."""
    changed = 0
    for row in rows:
        chosen = None
        for ov in overrides:
            if ov.applies_to(row):
                chosen = ov
        if chosen is None:
            continue
        if not row.overridden:
            row.auto_verdict = row.verdict
        who = f" by {chosen.by}" if chosen.by else ""
        when = f" at {chosen.at}" if chosen.at else ""
        row.reason = f"override{who}{when}: {chosen.reason} (automatic: {row.auto_verdict} — {row.reason})"
        row.verdict = chosen.verdict
        row.overridden = True
        changed += 1
    return changed
