"""One database, SQLite or PostgreSQL: connections, transactions and the schema.

The only place that knows about dialects' quirks: SQLite gets WAL, a busy timeout and
``BEGIN IMMEDIATE`` for writes (so a writer waits for the lock instead of failing later on a
stale snapshot); PostgreSQL gets a pool that checks connections before use (so a restarted
server costs one failed attempt, not a dead process).
"""

from __future__ import annotations

import copy
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
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
    StatementError,
)
from sqlalchemy.pool import StaticPool

from ocop.errors import (
    ConfigurationError,
    DatabaseDamaged,
    DiskFull,
    InvalidInput,
    NumberTooLarge,
    RegistryClosed,
    SchemaNotCurrent,
    SchemaTooNew,
    StorageUnavailable,
)
from ocop.text import N_

__all__ = ["MAX_INTEGER", "Database", "known_revisions"]

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "ocop_alembic_version"
_WRITE = "ocop_write"
_PASSWORD = re.compile(r"(://[^:/@]*:)[^/]*@")
"""The password in ``scheme://user:password@host``, hidden in messages."""
MAX_INTEGER = 2**63 - 1
"""The largest integer both databases store (SQLite INTEGER, PostgreSQL BIGINT)."""


class Database:
    """A connection pool on ``url`` with read and write transactions.

    :meth:`on_engine` uses a host application's engine instead, and :meth:`bound` a host's
    connection, whose transaction ocop's writes then join.
    """

    _connection: Connection | None = None
    _owns_engine = True

    @classmethod
    def on_engine(cls, engine: Engine) -> Database:
        """A database on a host application's SQLAlchemy ``engine`` (SQLite or PostgreSQL).

        ocop neither configures the engine (its pool, its SQLite pragmas are the host's) nor
        disposes it on :meth:`close`.
        """
        database = cls.__new__(cls)
        database.closed = False
        database.url = engine.url
        database.dialect = engine.url.get_backend_name()
        if database.dialect not in ("sqlite", "postgresql"):
            raise ConfigurationError(
                f"Database '{database.dialect}' is not supported; use SQLite or PostgreSQL.",
                field="database",
                reason="scheme",
                value=database.name,
            )
        database.engine = engine
        database._owns_engine = False
        return database

    def bound(self, connection: Connection) -> Database:
        """This database seen through a host's ``connection``.

        Reads use the connection as it is; each write is a SAVEPOINT inside the host's
        transaction (begun if it has none), so it is committed or rolled back with the host's
        own rows. Closing the view closes nothing of the host's.
        """
        view = copy.copy(self)
        view._connection = connection
        view._owns_engine = False
        return view

    def __init__(self, url: str, *, busy_timeout: float = 10.0) -> None:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            shown = _PASSWORD.sub(r"\1***@", url)
            raise ConfigurationError(
                f"'{shown}' is not a database URL; use e.g. sqlite:///ocop.db or "
                "postgresql+psycopg://user@host/dbname.",
                field="database",
                reason="url",
                value=shown,
            ) from exc
        self.closed = False
        """Whether :meth:`close` was called."""
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
            raise ConfigurationError(
                f"Database '{self.dialect}' is not supported; use SQLite or PostgreSQL.",
                field="database",
                reason="scheme",
                value=self.name,
            )
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except (NoSuchModuleError, ImportError) as exc:
            raise ConfigurationError(
                f"No driver for '{parsed.drivername}' is installed. For PostgreSQL install "
                "ocop[postgres] (psycopg) and use postgresql+psycopg://…",
                field="database",
                reason="driver",
                value=parsed.drivername,
            ) from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)

    @property
    def name(self) -> str:
        """The URL without its password, safe to print."""
        return self.url.render_as_string(hide_password=True)

    @property
    def place(self) -> str:
        """Where the data lives, for officers: a SQLite file's path, else :attr:`name`."""
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            return str(self.url.database)
        return self.name

    def _folder(self) -> Path | None:
        """The folder of a SQLite file (where a full disk shows), else ``None``."""
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            return Path(str(self.url.database)).expanduser().absolute().parent
        return None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads; its transaction is rolled back at the end."""
        self._check_open()
        if self._connection is not None:
            with self._errors():
                yield self._connection
            return
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends without an exception."""
        self._check_open()
        if self._connection is not None:
            with self._errors(), self._connection.begin_nested():
                yield self._connection
            return
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
        except DBAPIError as exc:
            known = _classify(exc, self.place, self._folder())
            if known is not None:
                raise known from exc
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                raise _unavailable(exc, self.name) from exc
            if isinstance(exc, DataError):
                # A value this database cannot hold, e.g. a NUL character in a PostgreSQL text.
                raise InvalidInput.said(
                    N_("Cơ sở dữ liệu không lưu được một giá trị đã nhập: {detail}."),
                    detail=_detail(exc),
                ) from exc
            raise
        except StatementError as exc:
            # A value refused before it reached the database, by a column type's own check.
            if isinstance(exc.orig, ValueError) and "naive datetime" in str(exc.orig):
                raise InvalidInput.said(
                    N_(
                        "Một thời điểm không có múi giờ (naive datetime) đã đến cơ sở dữ liệu: "
                        "đồng hồ truyền cho ocop.open(clock=…) phải trả về thời điểm có múi giờ, "
                        "ví dụ datetime.now(UTC)."
                    ),
                    field="clock",
                ) from exc
            raise
        except OverflowError as exc:
            # sqlite3 refuses to bind an int beyond 64 bits, before any SQL runs.
            raise NumberTooLarge(MAX_INTEGER) from exc

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with the shipped alembic migrations."""
        self._check_open()
        from alembic import command
        from alembic.config import Config

        self.revision()  # a schema from a newer ocop is refused before alembic sees it
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
                        raise StorageUnavailable.said(
                            N_(
                                "Nâng cấp {name} sẽ làm hỏng {count} liên kết giữa các bảng "
                                "(đầu tiên: {first}); chưa có gì thay đổi."
                            ),
                            name=self.name,
                            count=len(broken),
                            first=tuple(broken[0]),
                        )
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

    def revision(self) -> str | None:
        """The schema's migration revision, ``None`` for a database without an ocop schema.

        A revision this ocop does not know (a newer ocop upgraded the database) is
        :class:`~ocop.errors.SchemaTooNew`; a file that is not a database (or is damaged) is
        :class:`~ocop.errors.DatabaseDamaged`.
        """
        with self.read() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            found = conn.execute(select(text("version_num")).select_from(text(VERSION_TABLE)))
            stamped = [str(value) for value in found.scalars()]
        unknown = [value for value in stamped if value not in known_revisions()]
        if unknown:
            raise SchemaTooNew(self.place, ", ".join(unknown))
        return stamped[0] if stamped else None

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration (a cheap check for every open)."""
        from ocop.storage.migrations import HEAD

        return self.revision() == HEAD

    def close(self) -> None:
        """Close every pooled connection; every read or write after it is refused
        (:class:`RegistryClosed`), where SQLAlchemy would quietly open a new pool."""
        self.closed = True
        if self._owns_engine:
            self.engine.dispose()

    def _check_open(self) -> None:
        if self.closed:
            raise RegistryClosed(self.name)


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


def known_revisions() -> frozenset[str]:
    """The migration revisions this ocop ships, read from the version files without alembic."""
    return _revisions(MIGRATIONS / "versions")


@cache
def _revisions(folder: Path) -> frozenset[str]:
    found = set()
    for path in folder.glob("*.py"):
        match = _REVISION.search(path.read_text("utf-8"))
        if match:
            found.add(match.group(1))
    return frozenset(found)


_REVISION = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.MULTILINE)

# sqlite3's primary result codes (the low byte of ``sqlite_errorcode``).
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 11, 13, 26
_SQLITE_IOERR = 10
_PG_UNDEFINED_TABLE = "42P01"
_PG_DISK_FULL = "53100"
_LOW_SPACE = 1 << 20
"""Free bytes under which an I/O error of a SQLite file is taken for a full disk."""


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _LOW_SPACE
    except OSError:
        return False


def _classify(exc: DBAPIError, name: str, folder: Path | None) -> StorageUnavailable | None:
    """A damaged file or a full disk, told by the driver's error code (else its words).

    A SQLite file on a full disk often fails as an I/O error (the ``-shm`` file cannot be
    made) rather than as "database or disk is full": then the free space of its folder tells.
    """
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    lowered = _detail(exc).lower()
    if primary == _SQLITE_IOERR and folder is not None and _nearly_full(folder):
        return DiskFull(name)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
        primary is None
        and isinstance(orig, sqlite3.DatabaseError)
        and ("malformed" in lowered or "not a database" in lowered)
    ):
        return DatabaseDamaged(name, _detail(exc))
    if (
        primary == _SQLITE_FULL
        or getattr(orig, "sqlstate", None) == _PG_DISK_FULL
        or getattr(orig, "pgcode", None) == _PG_DISK_FULL
        or "disk is full" in lowered
        or "no space left on device" in lowered
    ):
        return DiskFull(name)
    if "no such table: ocop_" in lowered or (
        getattr(orig, "sqlstate", None) == _PG_UNDEFINED_TABLE and "ocop_" in lowered
    ):
        return SchemaNotCurrent(name)
    return None


def _detail(exc: DBAPIError) -> str:
    """The driver's own first line, without SQLAlchemy's SQL, parameters and links."""
    text_ = str(exc.orig).strip() if exc.orig is not None else ""
    return text_.splitlines()[0] if text_ else type(exc).__name__


def _unavailable(exc: DBAPIError, name: str) -> StorageUnavailable:
    from ocop.models import Problem

    detail = _detail(exc)
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        hint = N_("một chương trình khác đang giữ cơ sở dữ liệu; chờ một lát rồi làm lại")
    elif "readonly" in lowered or "read-only" in lowered:
        hint = N_("tệp cơ sở dữ liệu chỉ cho đọc; kiểm tra quyền của tệp")
    elif "unable to open" in lowered:
        hint = N_("thư mục không tồn tại hoặc không ghi được")
    elif "no such table" in lowered or "does not exist" in lowered:
        hint = N_("chưa có lược đồ; hãy tạo hoặc nâng cấp lược đồ trước")
    elif "disk i/o" in lowered:
        hint = N_("ổ đĩa hoặc hệ thống tệp chứa cơ sở dữ liệu bị lỗi; kiểm tra lại")
    elif isinstance(exc.orig, sqlite3.Error):
        hint = N_("kiểm tra tệp cơ sở dữ liệu và ổ đĩa chứa nó")
    else:
        hint = N_("kiểm tra máy chủ cơ sở dữ liệu có đang chạy và kết nối được không")
    return StorageUnavailable.said(
        N_("Cơ sở dữ liệu {name} không dùng được ({detail}): {hint}."),
        name=name,
        detail=detail,
        hint=Problem(hint),
    )
