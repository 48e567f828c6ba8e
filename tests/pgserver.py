"""A throw-away PostgreSQL server for the test run.

The test run starts its own server from the PostgreSQL server binaries (``initdb``,
``pg_ctl``, ``postgres``) found in PATH or in ``/usr/lib/postgresql/*/bin`` (highest
version first); ``OCOP_PG_BINDIR`` overrides the search. No Docker, no system service.

initdb refuses to run as root, so when the tests run as root the server runs as the
``postgres`` system user if it exists, else as an ``ocoptest`` user created on the fly.
The data directory, unix socket and log live in a temp folder owned by that user.

``stop()`` keeps the data directory, and ``start()`` brings the server back on the
same data and port, so reliability tests can kill and revive it under a running
daemon. ``close()`` (or leaving the ``with`` block) stops it and deletes everything.

Under libfaketime (the second pass of ``.ci/run``) the server inherits the faked clock
like every other process of the run, so its ``now()`` agrees with the tests' and the
daemons' clocks (a test may set ``next_attempt_at = now() + ...`` on the server).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
FALLBACK_OS_USER = "ocoptest"
_BINARIES = ("initdb", "pg_ctl", "postgres")

# Surviving an OS crash is irrelevant for a test server, so nothing is fsynced. But
# synchronous_commit stays on: with it off, a crash stop (``stop("immediate")``) loses
# transactions that were already reported committed (even a CREATE TABLE), which would
# make reliability tests lie; with fsync off it costs nothing measurable (~250 µs/commit
# either way).
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "on",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


class PostgresError(RuntimeError):
    """initdb or pg_ctl failed."""


def _has_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in _BINARIES)


def find_bindir() -> Path | None:
    """Directory holding initdb, pg_ctl and postgres, or None if not installed."""
    override = os.environ.get("OCOP_PG_BINDIR")
    if override:
        return Path(override) if _has_binaries(Path(override)) else None
    on_path = shutil.which("pg_ctl")
    if on_path:
        directory = Path(on_path).resolve().parent  # /usr/local/bin symlinks → real dir
        if _has_binaries(directory):
            return directory
    candidates = [d for d in Path("/usr/lib/postgresql").glob("*/bin") if d.parent.name.isdigit()]
    for directory in sorted(candidates, key=lambda d: int(d.parent.name), reverse=True):
        if _has_binaries(directory):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _os_user_for_server() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_OS_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    proc = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         FALLBACK_OS_USER],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    try:  # a parallel worker may have created it first
        return pwd.getpwnam(FALLBACK_OS_USER)
    except KeyError:
        raise PostgresError(f"useradd {FALLBACK_OS_USER} failed: {proc.stderr}") from None


class PostgresServer:
    """One PostgreSQL server on 127.0.0.1, trust auth, in a temp folder."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or "
                "/usr/lib/postgresql/*/bin; install them, e.g. `apt-get install postgresql`"
            )
        self.bindir = found
        self.user = SUPERUSER
        self.port = 0
        self.base_dir: Path | None = None
        self._os_user = _os_user_for_server()
        self._atexit_registered = False

    # -- paths ---------------------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PostgresError("server was never started (or was closed)")
        return self.base_dir

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_file(self) -> Path:
        return self._base() / "postgres.log"

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        """Start the server: initialise it the first time, restart it afterwards."""
        first = self.base_dir is None
        if first:
            if not self._atexit_registered:
                atexit.register(self.close)  # no orphan server if the run ends abruptly
                self._atexit_registered = True
            try:
                self._init()
            except BaseException:
                self.close()
                raise
        elif self.is_running():
            return self
        for attempt in range(3):
            try:
                self._pg_ctl("start", "-l", str(self.log_file), "-t", "60")
                break
            except PostgresError as err:
                log = self.log_tail()
                if first and attempt < 2 and "could not bind" in log:
                    self._set_port(_free_port())  # someone took the port meanwhile
                    continue
                raise PostgresError(f"{err}\n--- server log ---\n{log}") from None
        return self

    def stop(self, mode: Literal["smart", "fast", "immediate"] = "fast") -> None:
        """Stop the server, keeping its data directory and port for a later ``start()``.

        ``fast`` disconnects clients and shuts down cleanly; ``immediate`` is a crash
        (no shutdown checkpoint: the next start recovers from the WAL, and every
        transaction reported committed survives).
        """
        if self.base_dir is not None and self.is_running():
            self._pg_ctl("stop", "-m", mode)

    def close(self) -> None:
        """Stop the server and delete its data directory."""
        if self.base_dir is None:
            return
        with contextlib.suppress(PostgresError):
            self.stop("immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None

    def is_running(self) -> bool:
        """Whether the postmaster of the data directory's pid file is alive.

        Read from the pid file and the process table rather than ``pg_ctl status``, which
        was seen to say "no server running" of a live server in the libfaketime pass (the
        next start then failed on the live server's lock file).
        """
        if self.base_dir is None:
            return False
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return False
        return True

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- databases -----------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of a database on this server."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string, for psycopg directly."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still on it."""
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, PostgresError):
            return "(no server log)"

    # -- internals -----------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(self.bindir / name)

    def _init(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="ocop-pg-"))
        self.base_dir = base
        (base / "sock").mkdir()
        if self._os_user is not None:
            for path in (base, base / "sock"):
                os.chown(path, self._os_user.pw_uid, self._os_user.pw_gid)
        self._run_checked(
            [self._bin("initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"]
        )  # fmt: skip
        self._append_conf({**_SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"})
        self._set_port(_free_port())

    def _set_port(self, port: int) -> None:
        self.port = port
        self._append_conf({"port": str(port)})  # the last setting in the file wins

    def _append_conf(self, settings: dict[str, str]) -> None:
        with (self.data_dir / "postgresql.conf").open("a") as f:
            f.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _pg_ctl(self, *args: str) -> None:
        self._run_checked([self._bin("pg_ctl"), "-D", str(self.data_dir), "-w", *args])

    def _run(self, cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not re.match(r"PG[A-Z]", k)}
        env["LC_ALL"] = "C"
        owner = self._os_user
        if owner is not None:
            env["HOME"] = str(self._base())
            # libfaketime, preloaded in .ci/run's second pass, makes its shared memory in
            # the first faked process (root's, mode 0600) and names it in FAKETIME_SHARED
            # for every child; the server's user may not open it and pg_ctl dies. Without
            # the name the server makes its own; the clock is the same relative offset.
            env.pop("FAKETIME_SHARED", None)
        return subprocess.run(
            list(cmd),
            cwd=self._base(),  # the server user must be able to enter the cwd
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
        )

    def _run_checked(self, cmd: Sequence[str]) -> None:
        proc = self._run(cmd)
        if proc.returncode != 0:
            raise PostgresError(
                f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
            )
