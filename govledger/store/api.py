"""Read-only helpers by URL, for callers that hold no ``Store`` (``govledger.track.panel``).

Each call opens the store without creating it (a missing SQLite file is a
``ReportError`` that names the file) and closes it again.
"""

from __future__ import annotations

import os
from typing import Any

from govledger.records import Record
from govledger.store.crud import RecordFilter, ReportInfo
from govledger.store.db import open_store


def list_documents(url: str | os.PathLike[str] | None) -> list[ReportInfo]:
    """Every stored report (doc, place, year, level, …), by doc."""
    with open_store(url, create=False) as store:
        return store.reports()


def list_records(url: str | os.PathLike[str] | None, **filters: Any) -> list[Record]:
    """Records of the store at ``url``; keywords as ``RecordFilter`` (doc, indicator, kind, place, year, …)."""
    with open_store(url, create=False) as store:
        return store.list_records(RecordFilter(**filters))
