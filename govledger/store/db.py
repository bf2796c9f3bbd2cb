"""Opening a store: URL handling, engine settings, and migration to the newest schema.

``open_store`` is the only way in. It accepts a SQLAlchemy URL or a plain
file path (a SQLite file), checks up front what a user can get wrong (a
folder that does not exist, a server that does not answer) so that the CLI
can say so in one line, and runs Alembic ``upgrade head`` so that a database
made by an older version is brought up to date before anything reads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from govledger.errors import ReportError

if TYPE_CHECKING:
    from govledger.pipeline import Ledger
    from govledger.records import Record
    from govledger.store.crud import ImportOutcome, RecordFilter, ReportInfo, SentenceData, SentenceHit

DEFAULT_URL = "sqlite:///govledger.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# objects created by raw SQL in the migrations (FTS5 and its shadow tables, the pg_trgm index):
# autogenerate and the model/migration comparison must not try to drop them
UNMODELLED_PREFIXES = ("sentences_fts", "ix_sentences_text_trgm")
_PG_MIGRATION_LOCK = 0x60F1ED6E  # any constant: serialises concurrent first opens of one PostgreSQL database


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: leave the search objects that have no model alone."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def resolve_url(url: str | os.PathLike[str] | None) -> URL:
    """``None`` → ``$GOVLEDGER_DB`` or ``sqlite:///govledger.db``; a plain path → a SQLite URL.

    ``postgresql://`` without a driver means psycopg 3, the driver this
    package depends on (SQLAlchemy would pick psycopg2, which is absent).
    """
    raw = os.fspath(url) if url is not None else (os.environ.get("GOVLEDGER_DB") or DEFAULT_URL)
    if "://" not in raw:
        raw = f"sqlite:///{raw}"
    try:
        parsed = make_url(raw)
    except (ArgumentError, ValueError):
        raise ReportError(raw, "not a database URL (use a file path, sqlite:///FILE or postgresql://...)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: URL) -> str:
    """What error messages name: the SQLite file, or the URL without its password."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _check_sqlite_path(url: URL, create: bool) -> None:
    """Say what is wrong with a SQLite file path before SQLite says ``unable to open database file``."""
    database = url.database
    if database in (None, "", ":memory:") or str(database).startswith("file:"):
        return
    path = Path(str(database))
    if path.is_dir():
        raise ReportError(str(path), "is a folder, not a database file")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise ReportError(str(path), "database file is not writable")
        return
    if not create:
        raise ReportError(str(path), "no such store database (run `govledger import` first)")
    parent = path.parent
    if not parent.exists():
        raise ReportError(str(path), f"cannot create the database: folder {parent} does not exist")
    if not parent.is_dir():
        raise ReportError(str(path), f"cannot create the database: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(str(path), f"cannot create the database: folder {parent} is not writable")


def _sqlite_settings(engine: Engine) -> None:
    """Real transactions on SQLite: our own BEGIN, so DDL and SAVEPOINTs roll back too.

    pysqlite only opens a transaction before DML, which would leave a failed
    migration half-applied. A connection with the execution option
    ``govledger_write`` begins with ``BEGIN IMMEDIATE``: it takes the write
    lock at once, so two importers cannot both decide a report is new.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (the web workspace) never wait for an import
            # WAL + NORMAL: a commit survives a crash of the program (not of the machine) without an fsync each
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("govledger_write") else "BEGIN")


def _reason(exc: BaseException) -> str:
    """The first line of a driver error, which is the part a user can act on."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    line = text[0] if text else type(orig).__name__
    if "unable to open database file" in line:
        return "cannot open the database file (is the folder writable?)"
    return line


@contextmanager
def database_errors(name: str) -> Iterator[None]:
    """A driver error (server gone, disk full, locked too long) as a one-line ``ReportError``."""
    try:
        yield
    except DBAPIError as exc:
        raise ReportError(name, f"database error: {_reason(exc)}") from None


def migrate(engine: Engine) -> None:
    """Alembic ``upgrade head`` on ``engine``, in one transaction (a failure leaves the schema as it was)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        conn = conn.execution_options(govledger_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def open_store(url: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Connect to the store at ``url`` (migrating it to the newest schema) or raise ``ReportError``.

    With ``create=False`` a SQLite file that does not exist is an error
    rather than a new empty database: reading commands use that so a typo
    in ``--db`` is reported instead of silently answering "no records".
    """
    from alembic.util.exc import CommandError

    parsed = resolve_url(url)
    shown = display_url(parsed)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        _check_sqlite_path(parsed, create)
        connect_args["timeout"] = 60  # seconds to wait for another writer's lock
    elif backend == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = 10
    try:
        engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=backend != "sqlite")
    except (NoSuchModuleError, ImportError) as exc:
        raise ReportError(shown, f"no database driver for {parsed.drivername} ({exc})") from None
    if backend == "sqlite":
        _sqlite_settings(engine)
    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise ReportError(shown, _reason(exc)) from None
    except CommandError as exc:
        engine.dispose()
        raise ReportError(shown, f"database schema is not one this govledger knows ({exc})") from None
    store = Store(engine, shown)
    from govledger.store.bulk import repair_search_index

    with database_errors(shown):
        repair_search_index(store)  # an import killed before its closing rebuild
    return store


class Store:
    """A migrated database: save ledgers, list records, search sentences.

    Every method runs in its own transaction; ``save_ledger`` in exactly one,
    so a report is either fully stored or not touched.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._fts: bool | None = None

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release the connections (SQLite files are closed, PostgreSQL sessions ended)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def has_fts(self) -> bool:
        """Whether the SQLite FTS5 trigram table exists (an old SQLite library cannot make it)."""
        if self._fts is None:
            self._fts = self.dialect == "sqlite" and inspect(self.engine).has_table("sentences_fts")
        return self._fts

    # ------------------------------------------------------------------ writing
    def save_ledger(
        self, ledger: Ledger, sentences: list[SentenceData] | None = None, *, force: bool = False
    ) -> ImportOutcome:
        """Store one report's ledger in one transaction: imported, unchanged or replaced."""
        from govledger.store import crud

        with database_errors(self.name):
            return crud.save_ledger(self, ledger, sentences, force=force)

    # ------------------------------------------------------------------ reading
    def list_records(self, filters: RecordFilter | None = None, **kwargs: Any) -> list[Record]:
        """Records matching ``filters`` (or the same fields as keywords), in document order."""
        from govledger.store import crud

        with database_errors(self.name):
            return crud.list_records(self, filters if filters is not None else crud.RecordFilter(**kwargs))

    def search_sentences(self, query: str, *, limit: int = 20, doc: str | None = None) -> list[SentenceHit]:
        """Sentences containing every whitespace-separated term of ``query``."""
        from govledger.store import crud

        with database_errors(self.name):
            return crud.search_sentences(self, query, limit=limit, doc=doc)

    def reports(self) -> list[ReportInfo]:
        """Every stored report with its record count, by doc."""
        from govledger.store import crud

        with database_errors(self.name):
            return crud.reports(self)

    def fingerprints(self) -> dict[str, tuple[str, str | None, int | None]]:
        """doc → (sha256, place, year): what decides that a re-import would change nothing."""
        from govledger.store import crud

        with database_errors(self.name):
            return crud.fingerprints(self)
