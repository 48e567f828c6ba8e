"""The sweep (reminders into the outbox) and the drain (the outbox to the mail server).

Both only read and write the database, so they can run in any number of processes: the sweep's
rows are deduplicated by key, and the drain's claims are exclusive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial

from ocop.errors import InvalidInput, StorageUnavailable
from ocop.models import Message
from ocop.notifications.reminder import Reminder
from ocop.notifications.render import build_email, render
from ocop.notifications.rules import digest, reminders_due
from ocop.notifications.transports import (
    PermanentFailure,
    TemporaryFailure,
    Transport,
    UncertainFailure,
)
from ocop.plan import Plan
from ocop.storage.outbox import Outbox, OutboxMessage
from ocop.workflow.registry import Registry, TransitionEvent

__all__ = [
    "Backoff",
    "Delivered",
    "DrainResult",
    "Drainer",
    "DryRun",
    "SweepResult",
    "dry_run",
    "preview",
    "queue_reminders",
    "sweep",
]

log = logging.getLogger("ocop.daemon")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff after temporary failures: ``base``, ×2 each time, up to ``cap``.

    A temporary failure never gives a message up: it waits, at most ``cap`` between tries,
    until a server takes it or its last useful day passes (then it is ``expired``).
    """

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        delay: timedelta = self.base * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


@dataclass
class SweepResult:
    """What one sweep did."""

    fired: list[str] = field(default_factory=list)
    due: int = 0
    queued: int = 0


@dataclass(frozen=True)
class Delivered:
    """A message the transport accepted."""

    id: int
    kind: str
    recipient: str
    subject: str
    dossier_id: int | None


@dataclass
class DrainResult:
    """What one drain did, message by message."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    released: int = 0
    expired: int = 0
    """Waiting messages whose last useful day passed before a server took them."""
    delivered: list[Delivered] = field(default_factory=list)
    """The messages sent, in order."""

    @property
    def attempted(self) -> int:
        """Messages offered to the transport or given up on."""
        return self.sent + self.retried + self.failed + self.uncertain


def preview(registry: Registry, plan: Plan | None, *, with_digest: bool = True) -> list[Reminder]:
    """The reminders the sweep would queue now, without writing anything (none without a plan)."""
    if plan is None:
        return []
    now = registry.now()
    dossiers = registry.find(commune=plan.commune, province=plan.province)
    found = reminders_due(dossiers, plan, registry.calendar, now, rule_sets=registry.rule_sets)
    if with_digest:
        found += digest(dossiers, plan, registry.calendar, now, rule_sets=registry.rule_sets)
    return found


def sweep(
    registry: Registry, plan: Plan | None, outbox: Outbox, *, with_digest: bool = True
) -> SweepResult:
    """Fire the due system transitions, then queue every reminder due now (once each).

    Reminders come from the commune's ``plan``; without one, the sweep only fires the system
    transitions (whose notices to producers the registry writes itself).
    """
    fired = [f"{event.trigger} #{event.after.id}" for event in registry.advance()]
    due, queued = queue_reminders(registry, plan, outbox, with_digest=with_digest)
    return SweepResult(fired, due, queued)


def queue_reminders(
    registry: Registry, plan: Plan | None, outbox: Outbox, *, with_digest: bool = True
) -> tuple[int, int]:
    """Queue the reminders due now, without firing anything; returns (due, new)."""
    if plan is None:
        return 0, 0
    now = registry.now()
    dossiers = registry.find(commune=plan.commune, province=plan.province)
    calendar, rule_sets = registry.calendar, registry.rule_sets
    found = reminders_due(dossiers, plan, calendar, now, rule_sets=rule_sets)
    if with_digest:
        counts = outbox.counts()
        found += digest(dossiers, plan, calendar, now, rule_sets=rule_sets, outbox=counts)
    return len(found), outbox.add([r.message() for r in found], now)


@dataclass
class DryRun:
    """What a sweep and a drain would do now, found without writing anything."""

    fired: list[tuple[TransitionEvent, Sequence[Message]]]
    """The system steps that would fire, each with the notices it would write."""
    reminders: list[tuple[Reminder, bool]]
    """The reminders due, each with whether the outbox holds it already (then not sent again)."""
    waiting: list[OutboxMessage]
    """Messages already queued that a drain would offer to the mail server."""


def dry_run(registry: Registry, plan: Plan | None, outbox: Outbox) -> DryRun:
    """What :func:`sweep` and a drain would do at the registry's clock; writes nothing.

    The reminders are those of the dossiers as the due system steps would leave them.
    """
    now = registry.now()
    fired = registry.preview_advance()
    reminders: list[Reminder] = []
    if plan is not None:
        moved = {event.after.id: event.after for event, _ in fired}
        found = registry.find(commune=plan.commune, province=plan.province)
        dossiers = [moved.get(d.id, d) for d in found]
        calendar, rule_sets = registry.calendar, registry.rule_sets
        reminders = reminders_due(dossiers, plan, calendar, now, rule_sets=rule_sets)
        reminders += digest(
            dossiers, plan, calendar, now, rule_sets=rule_sets, outbox=outbox.counts()
        )
    queued = outbox.known(r.dedupe_key for r in reminders)
    return DryRun(
        fired=fired,
        reminders=[(r, r.dedupe_key in queued) for r in reminders],
        waiting=outbox.due(now),
    )


class Drainer:
    """Claims due messages, renders and sends them, and records each outcome.

    ``stop`` is checked between messages: when it is set, the message in flight is finished and
    the rest of the batch is handed back for another drain.

    When the database goes away in the middle of a drain (:class:`StorageUnavailable`), the
    drain stops there and the error propagates. The outcome of a message the server had already
    answered is kept in memory and written by the next drain, so the message is neither sent
    again nor left "sending"; the rest of the interrupted batch, still claimed by this worker,
    is handed back at once rather than after the lease.
    """

    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        sender: str,
        worker: str,
        clock: Callable[[], datetime],
        backoff: Backoff | None = None,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=15),
        stale_after: timedelta | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.sender = sender
        self.worker = worker
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.batch = batch
        self.lease = lease
        self.stale_after = stale_after
        self.stop = stop or threading.Event()
        self._unrecorded: list[Callable[[], bool]] = []
        self._interrupted = False
        # A message the server accepted whose ``sent`` is written with the next one's
        # ``sending`` (one commit for both), or alone when no next one comes.
        self._held: tuple[int, datetime] | None = None

    def drain(
        self, *, until_empty: bool = True, progress: Callable[[int], None] | None = None
    ) -> DrainResult:
        """Send what is due: one batch, or batches until nothing is due (or the server is down).

        ``progress`` is called after each message with how many have been attempted so far.
        """
        result = DrainResult()
        if self._interrupted:
            while self._unrecorded:
                # Outcomes the database could not take last time; raises while it is still down.
                self._unrecorded[0]()
                self._unrecorded.pop(0)
            # Whatever this worker still holds was cut off by the error: never offered to the
            # server (requeued), or offered with no outcome known (uncertain).
            requeued, doubtful = self.outbox.abandon(self.worker)
            self._interrupted = False
            if requeued or doubtful:
                log.warning(
                    "recovered after an interrupted drain: %d requeued, %d marked uncertain",
                    requeued,
                    doubtful,
                )
        now = self.clock()
        requeued, doubtful = self.outbox.recover(now, self.lease, stale_after=self.stale_after)
        if requeued or doubtful:
            log.warning(
                "recovered after a stopped daemon: %d requeued, %d marked uncertain",
                requeued,
                doubtful,
            )
        result.expired = self.outbox.expire(now)
        if result.expired:
            log.warning(
                "%d message(s) expired: their day passed before a server took them", result.expired
            )
        try:
            while not self.stop.is_set():
                rows = self.outbox.claim(self.worker, self.clock(), self.batch)
                if not rows:
                    break
                reachable = self._batch(rows, result, progress)
                if not reachable or not until_empty:
                    break
        except BaseException:
            self._interrupted = True
            raise
        finally:
            self.transport.close()
        return result

    def _batch(
        self,
        rows: list[OutboxMessage],
        result: DrainResult,
        progress: Callable[[int], None] | None = None,
    ) -> bool:
        """Send one claimed batch; False when the server could not be reached."""
        try:
            return self._send_batch(rows, result, progress)
        finally:
            # Whatever ends the batch, a message the server accepted is recorded ``sent``.
            self._flush()

    def _send_batch(
        self,
        rows: list[OutboxMessage],
        result: DrainResult,
        progress: Callable[[int], None] | None,
    ) -> bool:
        for index, row in enumerate(rows):
            if self.stop.is_set():
                result.released += self.outbox.release([r.id for r in rows[index:]], self.worker)
                return True
            try:
                self.transport.open()
                self._one(row, result)
                if progress is not None:
                    progress(result.attempted)
            except TemporaryFailure as exc:
                if not exc.connection:
                    raise
                # The server is unreachable: every message left would fail the same way, so
                # they all back off together instead of hammering it.
                for other in rows[index:]:
                    self._later(other, str(exc), result)
                log.warning("mail server unreachable, %d message(s) wait: %s", len(rows), exc)
                return False
        return True

    def _one(self, row: OutboxMessage, result: DrainResult) -> None:
        now = self.clock()
        try:
            rendered = render(
                row.kind,
                row.context,
                lang=row.lang,
                reference=str(row.id),
                dossier_id=row.dossier_id,
            )
            mail = build_email(row, rendered, sender=self.sender, now=now)
            delivered = Delivered(row.id, row.kind, row.recipient, rendered.subject, row.dossier_id)
        except Exception as exc:
            # A message that cannot be built never will be: failed, with why, rather than a
            # crash that would come back on every drain and hold up the mail behind it.
            error = str(exc) if isinstance(exc, InvalidInput) else f"{type(exc).__name__}: {exc}"
            self._flush()
            self.outbox.failed(row.id, self.worker, error, attempts=row.attempts + 1)
            result.failed += 1
            log.error("message %d cannot be built: %s", row.id, exc)
            return
        if not self._start(row.id, now):
            log.info("message %d was taken over by another worker; skipped", row.id)
            return
        attempts = row.attempts + 1
        try:
            self.transport.send(mail, row.recipient, _envelope(self.sender))
        except TemporaryFailure as exc:
            if exc.connection:
                raise
            self._later(row, str(exc), result, sending=True)
        except PermanentFailure as exc:
            error = str(exc)
            self._record(lambda: self.outbox.failed(row.id, self.worker, error, attempts=attempts))
            result.failed += 1
            log.error("message %d to %s failed: %s", row.id, row.recipient, exc)
        except UncertainFailure as exc:
            error = str(exc)
            self._record(
                lambda: self.outbox.uncertain(row.id, self.worker, error, attempts=attempts)
            )
            result.uncertain += 1
            log.error("message %d to %s is uncertain: %s", row.id, row.recipient, exc)
        else:
            # Recorded with the next message's start, or by _flush at the end of the batch.
            self._held = (row.id, self.clock())
            result.sent += 1
            result.delivered.append(delivered)
            log.info("sent message %d (%s) to %s", row.id, row.kind, row.recipient)

    def _start(self, message_id: int, now: datetime) -> bool:
        """Mark the message ``sending``, with the held ``sent`` of the one before if any."""
        held, self._held = self._held, None
        if held is None:
            return self.outbox.start(message_id, self.worker, now)
        sent_id, sent_at = held
        try:
            _, started = self.outbox.sent_then_start(sent_id, sent_at, message_id, self.worker, now)
        except StorageUnavailable:
            # Only the ``sent`` is owed; the next message stays claimed and is handed back.
            self._unrecorded.append(partial(self.outbox.sent, sent_id, self.worker, sent_at))
            raise
        return started

    def _flush(self) -> None:
        """Record the held ``sent`` on its own."""
        held, self._held = self._held, None
        if held is not None:
            self._record(partial(self.outbox.sent, held[0], self.worker, held[1]))

    def _record(self, outcome: Callable[[], bool]) -> None:
        """Write what the server said; if the database is away, keep it for the next drain."""
        try:
            outcome()
        except StorageUnavailable:
            self._unrecorded.append(outcome)
            raise

    def _later(
        self, row: OutboxMessage, error: str, result: DrainResult, *, sending: bool = False
    ) -> None:
        # ``sending``: the server answered about this very message; otherwise it was never
        # offered, and a row left claimed is handed back by the next drain anyway. Only a
        # permanent answer fails a message: however long the server is away, it waits.
        attempts = row.attempts + 1
        at = self.clock() + self.backoff.delay(attempts)
        outcome: Callable[[], bool] = partial(
            self.outbox.retry_later, row.id, self.worker, error, at, attempts=attempts
        )
        result.retried += 1
        if sending:
            self._record(outcome)
        else:
            outcome()


def _envelope(sender: str) -> str:
    """The bare address of ``Name <address>``, for MAIL FROM."""
    return parseaddr(sender)[1] or sender
