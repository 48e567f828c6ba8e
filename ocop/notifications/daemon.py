"""``ocop daemon``: the sweep, the drain and the morning digest on an APScheduler 3 clock.

The database is the only truth and the scheduler only ticks. Every job is idempotent, so the
jobs use ``coalesce`` (a backlog of missed runs becomes one run), ``max_instances=1`` and a
misfire grace: after a sleeping laptop or a restart, the next sweep queues whatever fell due
meanwhile (each reminder stays sendable for its whole period) and the drain sends it.

Each daemon keeps a heartbeat row (``ocop_daemons``), refreshed by a thread of its own every
``heartbeat_every`` whatever the jobs are doing. The claims of a daemon whose heartbeat is older
than ``stale_after`` (or that stopped) are recovered by any live daemon's next drain: requeued
if never offered to a server, ``uncertain`` if it was sending. A daemon whose heartbeat is fresh
keeps its claims, however long its batch takes.

On SQLite one daemon runs per database: it holds a lock file beside the database's real path
(whatever symlink, relative path or ``file:`` URI reached it), and a second one refuses to
start. Holding the lock, it knows that messages left claimed or being sent belong to a daemon
that was killed, and cleans them up at once. Several daemons need PostgreSQL, where claims use
``SKIP LOCKED``.

The daemon runs on the real clock: it never fires or sends as of another day. A clock set back
(the machine's time corrected) is noticed against the last sweep, and no reminder is queued
until it has caught up, so nothing is queued or sent twice.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
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
from typing import Any
from urllib.parse import unquote, urlsplit

from ocop.errors import DaemonAlreadyRunning, OcopError, SchemaNotCurrent, StorageUnavailable
from ocop.notifications.delivery import Backoff, Drainer, DrainResult, SweepResult, sweep
from ocop.notifications.transports import FolderTransport, transport_from_url
from ocop.plan import Plan
from ocop.storage.daemons import Heartbeats
from ocop.text import N_
from ocop.workdays import TZ, Calendar
from ocop.workflow.registry import Registry

__all__ = ["DEFAULT_SENDER", "Daemon", "DaemonAlreadyRunning", "DaemonSettings", "as_of_clock"]

log = logging.getLogger("ocop.daemon")
DEFAULT_SENDER = "OCOP <ocop@localhost>"
OUTAGE_REPEAT = 300.0
"""Seconds between two log lines about the same database outage."""
CLOCK_SLACK = timedelta(minutes=1)
"""How far behind the last sweep the clock may be before the daemon calls it set back."""
FORGET_STOPPED = timedelta(days=7)
"""Heartbeat rows of daemons stopped longer ago than this are deleted at start."""


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
    password: str | None = None
    """The SMTP password, when the URL does not carry it (read from a file or the environment)."""
    plan_source: str | None = None
    """Where the plan was read from, for the log."""
    calendar: Calendar | None = None
    clock: Callable[[], datetime] | None = None
    """The time, for tests and embedders; default the real clock (the CLI never sets it)."""
    sweep_every: timedelta = timedelta(minutes=10)
    drain_every: timedelta = timedelta(seconds=30)
    heartbeat_every: timedelta = timedelta(seconds=10)
    stale_after: timedelta = timedelta(seconds=60)
    """A daemon whose heartbeat is older than this is taken for dead and its claims recovered."""
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

    def __init__(self, settings: DaemonSettings, *, mode: str = "run") -> None:
        """Open the database (``mode``: ``run`` or ``once``, as the heartbeat row says)."""
        import ocop

        self.settings = settings
        self.clock = settings.clock or as_of_clock(None)
        self.stop_event = threading.Event()
        self._signalled = False
        """Set by the SIGTERM/SIGINT handler; the main loop then sets :attr:`stop_event`."""
        # Unique per run: a restarted container may come back with the same host name and
        # pid, and must not pass for the dead run whose claims are to be recovered.
        self.worker = settings.worker or (
            f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        )
        self.registry: Registry = ocop.open(
            ocop.Settings(database=settings.database, plan=settings.plan, upgrade=settings.upgrade),
            clock=self.clock,
            calendar=settings.calendar,
        )
        if not settings.upgrade and not self.registry.database.schema_is_current():
            name = self.registry.database.name
            self.registry.close()
            raise SchemaNotCurrent(name)
        self.outbox = self.registry.outbox
        self.heartbeats = Heartbeats(self.registry.database)
        try:
            self.transport = transport_from_url(settings.mail, password=settings.password)
        except BaseException:
            self.registry.close()
            raise
        self.drainer = Drainer(
            self.outbox,
            self.transport,
            sender=settings.sender or (settings.plan and settings.plan.sender) or DEFAULT_SENDER,
            worker=self.worker,
            clock=self.clock,
            backoff=settings.backoff,
            batch=settings.batch,
            stale_after=settings.stale_after,
            stop=self.stop_event,
        )
        self.mode = mode
        self._lock: int | None = None
        self._pulse: threading.Thread | None = None
        self._pulse_stop = threading.Event()
        self._jobs = threading.Lock()
        self._outage: dict[str, float] = {}
        """Since when (monotonic) each job has been failing for want of the database."""
        self._outage_said: dict[str, float] = {}

    def __enter__(self) -> Daemon:
        try:
            self._lock = _lock_sqlite(self.registry, self.heartbeats)
            now = self.clock()
            self.heartbeats.prune(now - FORGET_STOPPED)
            self.heartbeats.start(
                self.worker,
                host=socket.gethostname(),
                pid=os.getpid(),
                mode=self.mode,
                plan=self.settings.plan_source,
                transport=self.transport.name,
                now=now,
            )
            log.info("%s", self.describe())
            if self._lock is not None:
                # The lock proves that no other daemon runs on this database: whatever is still
                # claimed or being sent belongs to one that was killed. Clean it up now rather
                # than after its heartbeat goes stale, so a restart sends at once what waited.
                requeued, doubtful = self.outbox.abandon()
                if requeued or doubtful:
                    log.warning(
                        "recovered after a stopped daemon: %d requeued, %d marked uncertain",
                        requeued,
                        doubtful,
                    )
        except BaseException:
            self.registry.close()
            _unlock(self._lock)
            self._lock = None
            raise
        self._pulse_stop.clear()
        self._pulse = threading.Thread(target=self._beat, name="ocop-heartbeat", daemon=True)
        self._pulse.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pulse_stop.set()
        if self._pulse is not None:
            self._pulse.join()
            self._pulse = None
        try:
            self.heartbeats.stop(self.worker, self.clock())
        except StorageUnavailable as error:
            # A stale heartbeat says the same to the other daemons, a little later.
            log.error("could not record the stop: %s", error)
        finally:
            self.registry.close()
            _unlock(self._lock)
            self._lock = None

    def describe(self) -> str:
        """The start line: which database, plan, sender and transport (the first log line)."""
        plan = self.settings.plan
        if plan is None:
            planned = "no plan (no plan reminders, no digest, no notices to plan officers)"
        else:
            source = f" from {self.settings.plan_source}" if self.settings.plan_source else ""
            planned = f"plan of {plan.commune}, {plan.province} {plan.year}{source}"
        if isinstance(self.transport, FolderTransport):
            where = f"writes .eml files into {self.transport.folder.resolve()}"
        else:
            where = f"sends by {self.transport.name}"
        return (
            f"ocop daemon {self.worker} ({self.mode}) on {self.registry.database.name}: "
            f"{planned}; from {self.drainer.sender}; {where}"
        )

    def _beat(self) -> None:
        every = self.settings.heartbeat_every.total_seconds()
        failing = False
        while not self._pulse_stop.wait(every):
            try:
                self.heartbeats.beat(self.worker, self.clock())
            except StorageUnavailable as exc:
                if not failing:
                    log.error("heartbeat failed: %s", exc)
                failing = True
            else:
                failing = False

    def sweep(self) -> SweepResult:
        """Fire due system transitions and queue due reminders."""
        with self._jobs:
            plan = self.settings.plan
            now = self.clock()
            last = self.heartbeats.last_sweep()
            behind = last is not None and now < last - CLOCK_SLACK
            if behind and plan is not None:
                # The clock was set back: what is due "now" was queued at the later time
                # already, and the earlier members of a series would go out again.
                log.warning(
                    "the clock (%s) is behind the last sweep (%s): no reminder is queued "
                    "until it catches up",
                    _iso(now),
                    _iso(last) if last else "?",
                )
                plan = None
            result = sweep(self.registry, plan, self.outbox)
            # Only a later moment moves the mark a set-back clock is measured against.
            self.heartbeats.beat(self.worker, now, swept=not behind)
        log.info(
            "sweep: %d transition(s) fired, %d reminder(s) due, %d new",
            len(result.fired),
            result.due,
            result.queued,
        )
        return result

    def drain(
        self, *, until_empty: bool = True, progress: Callable[[int], None] | None = None
    ) -> DrainResult:
        """Send the messages that are due; ``progress`` is called after each message with how
        many have been attempted."""
        with self._jobs:
            result = self.drainer.drain(until_empty=until_empty, progress=progress)
            self.heartbeats.beat(self.worker, self.clock(), drained=True)
        if result.attempted or result.released or result.expired:
            log.info(
                "drain: %d sent, %d to retry, %d failed, %d uncertain, %d expired",
                result.sent,
                result.retried,
                result.failed,
                result.uncertain,
                result.expired,
            )
        return result

    def run_once(
        self, *, progress: Callable[[int], None] | None = None
    ) -> tuple[SweepResult, DrainResult]:
        """One sweep, then drain until nothing is due (``progress`` as :meth:`drain`)."""
        return self.sweep(), self.drain(progress=progress)

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
            try:
                # A short timed wait, so that a signal's flag is seen promptly; the handler only
                # sets that flag (see _signals).
                while not self._signalled and not self.stop_event.wait(0.2):
                    continue
                self.stop_event.set()
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
            # Only a flag: the handler runs in the main thread between two bytecodes, maybe
            # while that thread holds stop_event's (not reentrant) lock inside wait(), so
            # setting the event here could deadlock (seen once in a few SIGSTOP/SIGCONT runs).
            self._signalled = True
            log.info("received %s", signal.Signals(signum).name)

        previous: dict[signal.Signals, Any] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handler)
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


def _lock_sqlite(registry: Registry, heartbeats: Heartbeats) -> int | None:
    """Hold ``<database>.daemon.lock`` for the daemon's life; refuse if another holds it.

    The lock sits beside the file's real path, so a symlink, a relative path or a ``file:``
    URI to the same database meet the same lock. The lock file is opened without following a
    symlink and never written or truncated: a lock file replaced by a link to the database
    cannot damage it. Who holds it is told by the heartbeat rows.
    """
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
    import stat

    path = Path(f"{os.path.realpath(name)}.daemon.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StorageUnavailable.said(
                N_(
                    "Tệp khoá của tiến trình nền {path} là một liên kết tượng trưng; xoá nó rồi "
                    "chạy lại."
                ),
                path=path,
            ) from None
        raise StorageUnavailable.said(
            N_(
                "Không tạo được tệp khoá của tiến trình nền {path}: {reason}; thư mục chứa cơ sở "
                "dữ liệu phải ghi được."
            ),
            path=path,
            reason=exc.strerror,
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StorageUnavailable.said(
            N_("Tệp khoá của tiến trình nền {path} không phải tệp thường; xoá nó rồi chạy lại."),
            path=path,
        )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        running = [b for b in heartbeats.all() if b.stopped_at is None]
        holder = f"{running[0].worker}, pid {running[0].pid}" if running else "unknown"
        raise DaemonAlreadyRunning(holder, database.name) from None
    return fd


def _iso(moment: datetime) -> str:
    return moment.astimezone(TZ).isoformat(timespec="seconds")


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)
