"""Alembic environment of the store.

``open_store`` runs ``upgrade head`` through here with its own connection
(passed in ``config.attributes["connection"]``) so that the upgrade shares
the engine's SQLite settings; the ``alembic`` command line works too, with
``govledger/store/alembic.ini`` and ``-x url=...`` or ``sqlalchemy.url``.
Tables of later revisions must be imported below so that autogenerate
sees them.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

import govledger.store.models  # noqa: F401  (registers the ledger tables on Base.metadata)
from govledger.store.base import Base
from govledger.store.db import include_name

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url") or ""


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can only ALTER by copying tables
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the caller's connection when given, else on a fresh engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
