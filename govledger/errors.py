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


class WorkspaceError(Exception):
    """A workspace request that cannot be carried out; ``status`` is the HTTP code the API answers with.

    The message is Chinese and one line, because the same text is shown to
    the user in the page and returned as ``{"error": ...}`` by the API.
    """

    status = 400

    def __init__(self, message: str, *, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class Invalid(WorkspaceError):
    """A value that is not allowed (empty text, a deadline before the year starts, a wrong file type)."""

    status = 422


class Forbidden(WorkspaceError):
    """The role or department of the user does not allow this."""

    status = 403


class NotFound(WorkspaceError):
    status = 404


class Conflict(WorkspaceError):
    """Someone else changed the row first (optimistic locking), or the step is not possible in this stage."""

    status = 409


class TooLarge(WorkspaceError):
    status = 413
