"""``ocop daemon``: the sweep, the drain and the morning digest on an APScheduler 3 clock.

The database is the only truth and the scheduler only ticks. Every job is idempotent, so the
jobs use ``coalesce`` (a backlog of missed runs becomes one run), ``max_instances=1`` and a
misfire grace: after a sleeping laptop or a restart, the next sweep queues whatever fell due
meanwhile (each reminder stays sendable for its whole period) and the drain sends it.

On SQLite one daemon runs per database: it holds a lock file beside the database, and a second
one refuses to start. Holding the lock, it knows that messages left claimed or being sent belong
to a daemon that was killed, and cleans them up at once. Several daemons need PostgreSQL, where
claims use ``SKIP LOCKED`` and a killed daemon's claims are recovered once their lease has run
out.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from types import FrameType
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from ocop.errors import OcopError, StorageUnavailable
from ocop.notifications.delivery import Backoff, Drainer, DrainResult, SweepResult, sweep
from ocop.notifications.notices import notices_for
from ocop.notifications.transports import transport_from_url
from ocop.plan import Plan
from ocop.storage.outbox import Outbox
from ocop.workdays import TZ, Calendar
from ocop.workflow.registry import Registry

__all__ = ["Daemon", "DaemonAlreadyRunning", "DaemonSettings", "as_of_clock"]

log = logging.getLogger("ocop.daemon")
DEFAULT_SENDER = "OCOP <ocop@localhost>"
OUTAGE_REPEAT = 300.0
"""Seconds between two log lines about the same database outage."""


class DaemonAlreadyRunning(OcopError):
    """Another daemon holds the SQLite database."""


@dataclass
class DaemonSettings:
    """Everything the daemon needs, given explicitly (the CLI reads the environment)."""

    database: str
    plan: Plan | None
    """The commune's plan; ``None``: no plan reminders, no digest, no notices to its officers."""
    mail: str
    """An ``smtp…://`` URL, or the folder to write ``.eml`` files into."""
    sender: str | None = None
    """The From address; default the plan's ``sender``."""
    calendar: Calendar | None = None
    as_of: date | None = None
    """Run as if today were that day (at the real time of day)."""
    sweep_every: timedelta = timedelta(minutes=10)
    drain_every: timedelta = timedelta(seconds=30)
    misfire_grace: timedelta = timedelta(minutes=30)
    backoff: Backoff = field(default_factory=Backoff)
    batch: int = 50
    worker: str | None = None
    upgrade: bool = True
    """Create or upgrade the schema first; else refuse a database not at the newest schema."""


def as_of_clock(day: date | None, at: time | None = None) -> Callable[[], datetime]:
    """The real clock, or one set to ``day`` in Vietnam that then runs on.

    The time of day is ``at``, else the real one: runs on the same ``day`` one after the other
    see time go forward, as a retry's due time expects.
    """
    if day is None:
        return lambda: datetime.now(UTC)
    start = datetime.now(UTC)
    clock = at or start.astimezone(TZ).time().replace(tzinfo=None)
    base = datetime.combine(day, clock, tzinfo=TZ).astimezone(UTC)
    return lambda: base + (datetime.now(UTC) - start)


class Daemon:
    """The sweep and drain jobs on one database; use as a context manager.

    :meth:`run_once` does one sweep and drains until nothing is due (``--once``); :meth:`run`
    schedules them until SIGTERM or SIGINT, which stop it after the message in flight.
    """

    def __init__(self, settings: DaemonSettings) -> None:
        import ocop

        self.settings = settings
        self.clock = as_of_clock(settings.as_of)
        self.stop_event = threading.Event()
        self.worker = settings.worker or f"{socket.gethostname()}:{os.getpid()}"
        self.registry: Registry = ocop.open(
            settings.database,
            clock=self.clock,
            calendar=settings.calendar,
            notices=notices_for(settings.plan),
            upgrade=settings.upgrade,
        )
        if not settings.upgrade and not self.registry.database.schema_is_current():
            name = self.registry.database.name
            self.registry.close()
            raise StorageUnavailable(
                f"Database {name} has no up-to-date ocop schema; run `ocop db upgrade` first."
            )
        self.outbox = Outbox(self.registry.database)
        self.transport = transport_from_url(settings.mail)
        self.drainer = Drainer(
            self.outbox,
            self.transport,
            sender=settings.sender or (settings.plan and settings.plan.sender) or DEFAULT_SENDER,
            worker=self.worker,
            clock=self.clock,
            backoff=settings.backoff,
            batch=settings.batch,
            stop=self.stop_event,
        )
        self._lock: IO[str] | None = None
        self._jobs = threading.Lock()
        self._outage: dict[str, float] = {}
        """Since when (monotonic) each job has been failing for want of the database."""
        self._outage_said: dict[str, float] = {}

    def __enter__(self) -> Daemon:
        try:
            self._lock = _lock_sqlite(self.registry)
            if self._lock is not None:
                # The lock proves that no other daemon runs on this database: whatever is still
                # claimed or being sent belongs to one that was killed. Clean it up now rather
                # than after the lease, so that a restart sends at once what was waiting.
                requeued, doubtful = self.outbox.abandon()
                if requeued or doubtful:
                    log.warning(
                        "recovered after a stopped daemon: %d requeued, %d marked uncertain",
                        requeued,
                        doubtful,
                    )
        except BaseException:
            self.registry.close()
            if self._lock is not None:
                self._lock.close()
                self._lock = None
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.registry.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def sweep(self) -> SweepResult:
        """Fire due system transitions and queue due reminders."""
        with self._jobs:
            result = sweep(self.registry, self.settings.plan, self.outbox)
        log.info(
            "sweep: %d transition(s) fired, %d reminder(s) due, %d new",
            len(result.fired),
            result.due,
            result.queued,
        )
        return result

    def drain(self, *, until_empty: bool = True) -> DrainResult:
        """Send the messages that are due."""
        with self._jobs:
            result = self.drainer.drain(until_empty=until_empty)
        if result.attempted or result.released:
            log.info(
                "drain: %d sent, %d to retry, %d failed, %d uncertain",
                result.sent,
                result.retried,
                result.failed,
                result.uncertain,
            )
        return result

    def run_once(self) -> tuple[SweepResult, DrainResult]:
        """One sweep, then drain until nothing is due."""
        return self.sweep(), self.drain()

    def stop(self) -> None:
        """Ask the daemon to stop after the message in flight."""
        self.stop_event.set()

    def run(self) -> None:
        """Run the jobs until :meth:`stop` or a SIGTERM/SIGINT (from the main thread)."""
        # Imported here: `import ocop` and the light CLI commands must not load APScheduler.
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        settings = self.settings
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(settings.misfire_grace.total_seconds()),
            },
            timezone=TZ,
        )
        now = datetime.now(TZ)
        scheduler.add_job(
            self._guarded(self.sweep),
            IntervalTrigger(seconds=settings.sweep_every.total_seconds(), timezone=TZ),
            id="sweep",
            name="sweep",
            next_run_time=now,
        )
        scheduler.add_job(
            self._guarded(self.drain),
            IntervalTrigger(seconds=settings.drain_every.total_seconds(), timezone=TZ),
            id="drain",
            name="drain",
            next_run_time=now + timedelta(seconds=1),
        )
        if settings.plan is not None:
            at = settings.plan.reminders.digest_at
            # The digest is part of the sweep once its hour has come; this run sends it on time.
            scheduler.add_job(
                self._guarded(self._digest),
                CronTrigger(day_of_week="mon-fri", hour=at.hour, minute=at.minute, timezone=TZ),
                id="digest",
                name="digest",
            )
        with self._signals():
            scheduler.start()
            log.info(
                "daemon %s started on %s, mail to %s",
                self.worker,
                self.registry.database.name,
                self.transport.name,
            )
            try:
                # A timed wait, so that signals are handled promptly on every platform.
                while not self.stop_event.wait(1):
                    continue
            finally:
                log.info("stopping after the message in flight")
                scheduler.shutdown(wait=True)
        log.info("daemon %s stopped", self.worker)

    def _digest(self) -> None:
        self.sweep()
        self.drain()

    def _guarded(self, job: Callable[[], object]) -> Callable[[], None]:
        name = getattr(job, "__name__", "job").lstrip("_")

        def run() -> None:
            if self.stop_event.is_set():
                return
            try:
                job()
            except StorageUnavailable as exc:
                # The database went away: the daemon stays up and every tick tries again. Said
                # once, then every few minutes, rather than on every tick.
                now = monotonic()
                since = self._outage.get(name)
                if since is None:
                    self._outage[name] = now
                    self._outage_said[name] = now
                    log.error("%s failed: %s Trying again on every tick.", name, exc)
                elif now - self._outage_said[name] >= OUTAGE_REPEAT:
                    self._outage_said[name] = now
                    log.error("%s: still failing after %d s: %s", name, now - since, exc)
            except OcopError as exc:
                # A mail server outage must not kill the daemon either; the next tick retries.
                log.error("%s failed: %s", name, exc)
            except Exception:
                log.exception("%s failed", name)
            else:
                since = self._outage.pop(name, None)
                if since is not None:
                    log.info(
                        "%s: the database is reachable again after %d s",
                        name,
                        monotonic() - since,
                    )

        run.__name__ = name
        return run

    @contextmanager
    def _signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            log.info("received %s", signal.Signals(signum).name)
            self.stop()

        previous: dict[signal.Signals, Any] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handler)
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


def _lock_sqlite(registry: Registry) -> IO[str] | None:
    """Hold ``<database>.daemon.lock`` for the daemon's life; refuse if another holds it."""
    database = registry.database
    name = database.url.database
    if database.dialect != "sqlite" or name in (None, "", ":memory:"):
        return None
    if name.startswith("file:"):
        # A URI filename (sqlite:///file:/path/ocop.db?mode=ro&uri=true): the file is its path.
        if database.url.query.get("mode") == "memory":
            return None
        name = unquote(urlsplit(name).path)
    import fcntl

    path = Path(f"{name}.daemon.lock")
    try:
        stream = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise StorageUnavailable(
            f"Cannot create the daemon's lock file {path}: {exc.strerror}; the folder of the "
            "database must be writable."
        ) from None
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        stream.seek(0)
        holder = stream.read().strip() or "unknown"
        stream.close()
        raise DaemonAlreadyRunning(
            f"Another ocop daemon ({holder}) is already running on {database.name}. Stop it "
            "first; several daemons on one database need PostgreSQL."
        ) from None
    stream.seek(0)
    stream.truncate()
    stream.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    stream.flush()
    return stream
