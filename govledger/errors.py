"""One exception type for every input problem a user can cause.

The CLI turns a ``ReportError`` into a single line ``path: reason`` and exit
code 2, so each stage raises this instead of letting library errors escape.
"""

from __future__ import annotations


class ReportError(Exception):
    """A file (or database target) could not be turned into a ledger."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
