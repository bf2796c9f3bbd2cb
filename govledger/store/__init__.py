"""Stage 4: the store — ledgers in SQLite or PostgreSQL through SQLAlchemy 2 and Alembic.

``open_store(url)`` connects and migrates; the ``Store`` it returns saves a
ledger in one transaction and reads records, reports and sentences back.
Nothing else in the package writes SQL.
"""

from govledger.store.crud import ImportOutcome, RecordFilter, ReportInfo, SentenceData, SentenceHit
from govledger.store.db import DEFAULT_URL, Store, open_store, resolve_url

__all__ = [
    "DEFAULT_URL", "ImportOutcome", "RecordFilter", "ReportInfo", "SentenceData", "SentenceHit", "Store",
    "open_store", "resolve_url",
]
