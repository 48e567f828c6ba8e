"""One database, SQLite or PostgreSQL: connections, transactions and the schema.

The only place that knows about dialects' quirks: SQLite gets WAL, a busy timeout and
``BEGIN IMMEDIATE`` for writes (so a writer waits for the lock instead of failing later on a
stale snapshot); PostgreSQL gets a pool that checks connections before use (so a restarted
server costs one failed attempt, not a dead process).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.pool import StaticPool

from ocop.errors import InvalidInput, StorageUnavailable

__all__ = ["Database"]

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "ocop_alembic_version"
_WRITE = "ocop_write"


class Database:
    """A connection pool on ``url`` with read and write transactions."""

    def __init__(self, url: str, *, busy_timeout: float = 10.0) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise InvalidInput(
                f"'{url}' is not a database URL; use e.g. sqlite:///ocop.db or "
                "postgresql+psycopg://user@host/dbname.",
                field="database",
            ) from exc
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": busy_timeout, "check_same_thread": False}
            if parsed.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool
        elif self.dialect == "postgresql":
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"connect_timeout": int(busy_timeout)}
        else:
            raise InvalidInput(
                f"Database '{self.dialect}' is not supported; use SQLite or PostgreSQL.",
                field="database",
            )
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except (NoSuchModuleError, ImportError) as exc:
            raise InvalidInput(
                f"No driver for '{parsed.drivername}'. For PostgreSQL install ocop[postgres] "
                "and use postgresql+psycopg://…",
                field="database",
            ) from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)

    @property
    def name(self) -> str:
        """The URL without its password, safe to print."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads; its transaction is rolled back at the end."""
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends without an exception."""
        with (
            self._errors(),
            self.engine.connect().execution_options(**{_WRITE: True}) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            raise StorageUnavailable(_explain(exc, self.name)) from exc
        except DataError as exc:
            # A value this database cannot hold, e.g. a NUL character in a PostgreSQL text.
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise InvalidInput(f"The database cannot store a value given: {detail}.") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StorageUnavailable(_explain(exc, self.name)) from exc
            raise

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with the shipped alembic migrations."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        if self.dialect != "sqlite":
            with self.write() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
            return
        # To change a column, alembic rebuilds a SQLite table (copy, drop, rename); with foreign
        # keys on, dropping a table that history or outbox rows refer to fails. They are off
        # for the migration (the pragma is ignored inside a transaction, hence before BEGIN)
        # and checked before the commit.
        with self._errors(), self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.execution_options(**{_WRITE: True}).begin():
                    config.attributes["connection"] = conn
                    command.upgrade(config, revision)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise StorageUnavailable(
                            f"Upgrading {self.name} would break {len(broken)} reference(s) "
                            f"between tables (first: {tuple(broken[0])}); nothing was changed."
                        )
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration (a cheap check for every open)."""
        from ocop.storage.migrations import HEAD

        with self.read() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return False
            version = conn.execute(select(text("version_num")).select_from(text(VERSION_TABLE)))
            return version.scalar() == HEAD

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself, so writes can say IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # A read-only file keeps its journal mode; reads still work.
        with suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _explain(exc: DBAPIError, name: str) -> str:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        hint = "another program holds the database; try again in a moment"
    elif "readonly" in lowered or "read-only" in lowered:
        hint = "the database file is read-only; check its permissions"
    elif "unable to open" in lowered:
        hint = "the folder does not exist or cannot be written"
    elif "no such table" in lowered or "does not exist" in lowered:
        hint = "the schema is missing; run `ocop db upgrade`"
    else:
        hint = "check that the database server is running and reachable"
    return f"Database {name} is unavailable ({detail}): {hint}."
