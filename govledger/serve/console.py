"""Shared console helpers for the CLI: one-line errors, never tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from govledger.errors import ReportError, WorkspaceError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` on one line and exit."""
    err_console.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(code)


def one_line_errors(func: F) -> F:
    """Turn a ``ReportError`` or ``WorkspaceError`` raised inside a command into one line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ReportError as exc:
            fail(str(exc))
        except WorkspaceError as exc:
            fail(exc.message)
        except KeyboardInterrupt:
            fail("interrupted", code=130)
        return None

    return wrapper  # type: ignore[return-value]
