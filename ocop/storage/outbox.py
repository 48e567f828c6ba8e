"""The outbox table: messages waiting to be sent, each once, keyed by its dedupe key.

A message's life: ``pending`` → ``claimed`` (a daemon took it into a batch) → ``sending`` (the
daemon is talking to the mail server about it) → ``sent``; or back to ``retry`` after a
temporary failure, however many, ``failed`` only after a permanent answer (5xx) or when it
cannot be built, ``uncertain`` when the server may have accepted it but never said so, and
``expired`` when a reminder's last useful day passed before any server took it.

The ``claimed`` / ``sending`` split is what lets a crashed daemon be cleaned up safely: a stale
``claimed`` row was never offered to the server and goes back to ``pending``; a stale
``sending`` row may have been delivered and becomes ``uncertain``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ocop.errors import InvalidInput, NotFound, PermissionDenied
from ocop.models import Actor, Message
from ocop.states.vocabulary import OutboxStatus
from ocop.storage.database import Database
from ocop.storage.tables import daemons, dossiers, outbox
from ocop.text import N_

__all__ = [
    "CLAIMED",
    "DOSSIER_PLACEHOLDER",
    "EXPIRED",
    "FAILED",
    "PENDING",
    "RETRY",
    "SENDING",
    "SENT",
    "STATUSES",
    "UNCERTAIN",
    "Outbox",
    "OutboxMessage",
    "insert_messages",
]

# Short names for the statuses, which ocop.states.vocabulary declares (with their labels).
PENDING = OutboxStatus.PENDING
RETRY = OutboxStatus.RETRY
CLAIMED = OutboxStatus.CLAIMED
SENDING = OutboxStatus.SENDING
SENT = OutboxStatus.SENT
FAILED = OutboxStatus.FAILED
UNCERTAIN = OutboxStatus.UNCERTAIN
EXPIRED = OutboxStatus.EXPIRED
STATUSES = tuple(OutboxStatus)
_DUE = (PENDING, RETRY)
_REQUEUE = (RETRY, FAILED, UNCERTAIN, PENDING, EXPIRED)

DOSSIER_PLACEHOLDER = "{dossier}"
"""Written in a dedupe key by a notice of a dossier not inserted yet; replaced by its id."""


# Built once per dialect: building it on every call cost about 50 µs of every transition that
# writes a notice (python -m bench --only fire).
_INSERT_NEW = {
    dialect: insert(outbox)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(outbox.c.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def insert_messages(conn: Connection, messages: Sequence[Message], now: datetime) -> int:
    """Insert ``messages`` that are not there yet (by dedupe key); returns how many were new.

    Runs inside the caller's transaction, so a transition and its notices commit together.
    """
    if not messages:
        return 0
    rows: list[dict[str, Any]] = [
        {
            "dedupe_key": m.dedupe_key.replace(DOSSIER_PLACEHOLDER, str(m.dossier_id))
            if m.dossier_id is not None
            else m.dedupe_key,
            "kind": m.kind,
            "dossier_id": m.dossier_id,
            "recipient": m.recipient,
            "lang": m.lang,
            "context": m.context,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": m.not_before or now,
            "expires_at": m.expires_at,
            "created_at": now,
        }
        for m in messages
    ]
    statement = _INSERT_NEW["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    # rowcount is unreliable for executemany; the returned ids count what was really new.
    return len(conn.execute(statement, rows).all())


@dataclass(frozen=True)
class OutboxMessage:
    """One row of the outbox."""

    id: int
    dedupe_key: str
    kind: str
    dossier_id: int | None
    recipient: str
    lang: str
    context: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None
    expires_at: datetime | None = None
    """When it is no longer worth sending (a reminder's last day); ``None``: never."""
    retried_by: str | None = None
    """Who last sent it again (``ocop outbox retry``), in ``retried_role``, at ``retried_at``."""
    retried_role: str | None = None
    retried_at: datetime | None = None


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(**dict(row._mapping))


def _visible(actor: Actor | None) -> ColumnElement[bool] | None:
    """The messages ``actor`` may see, as a condition; ``None`` for all of them.

    A message about a dossier follows the dossier (its area, or its producer); a message about
    no dossier (a plan's reminder, the officers' digest) follows the commune and province its
    plan names. Without an actor the caller is the trusted host and sees everything.
    """
    if actor is None:
        return None
    # Imported here: ocop.workflow's package imports the registry, which imports storage.
    from ocop.workflow.permissions import read_scope

    scope = read_scope(actor)
    if scope is None:
        return false()  # an officer without an area sees nothing
    if not scope:
        return None
    c, d = outbox.c, dossiers.c
    theirs = select(d.id).where(*(d[name] == value for name, value in scope.items()))
    of_dossier = c.dossier_id.in_(theirs)
    if "owner" in scope:
        return of_dossier
    area = [c.dossier_id.is_(None), c.context["province"].as_string() == scope["province"]]
    if "commune" in scope:
        area.append(c.context["commune"].as_string() == scope["commune"])
    return or_(of_dossier, and_(*area))


def _outside(actor: Actor, message_id: int) -> PermissionDenied:
    return PermissionDenied(
        f"Message {message_id} is outside what {actor.name} may see ({actor.role.label('en')}).",
        trigger="read",
        reason="scope",
        details={"actor": actor.name, "role": actor.role.value, "message": message_id},
    )


def _update(
    conn: Connection,
    message_id: int,
    worker: str,
    expected: str | tuple[str, ...],
    **values: Any,
) -> bool:
    """Move ``worker``'s message from one of the ``expected`` statuses; False if it was not."""
    c = outbox.c
    states = (expected,) if isinstance(expected, str) else expected
    result = conn.execute(
        update(outbox)
        .where(c.id == message_id, c.claimed_by == worker, c.status.in_(states))
        .values(**values)
    )
    return result.rowcount == 1


class Outbox:
    """The outbox of one :class:`Database`: insert, claim, record outcomes, list, re-queue."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def add(self, messages: Sequence[Message], now: datetime) -> int:
        """Insert messages outside any transition; returns how many were new."""
        with self.db.write() as conn:
            return insert_messages(conn, messages, now)

    def claim(self, worker: str, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        """Take up to ``limit`` due messages for ``worker``, oldest due first.

        On PostgreSQL rows another worker is claiming are skipped (``FOR UPDATE SKIP LOCKED``),
        so several daemons drain one outbox without waiting for or duplicating each other; on
        SQLite the write transaction holds the database lock while it claims.
        """
        c = outbox.c
        with self.db.write() as conn:
            pick = (
                select(c.id)
                .where(
                    c.status.in_(_DUE),
                    c.next_attempt_at <= now,
                    # A reminder whose day passed during a long drain is not sent after all.
                    or_(c.expires_at.is_(None), c.expires_at > now),
                )
                .order_by(c.next_attempt_at, c.id)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            ids = list(conn.execute(pick).scalars())
            if not ids:
                return []
            conn.execute(
                update(outbox)
                .where(c.id.in_(ids))
                .values(status=CLAIMED, claimed_by=worker, claimed_at=now)
            )
            rows = conn.execute(select(outbox).where(c.id.in_(ids)).order_by(c.id)).all()
        return [_message(r) for r in rows]

    def start(self, message_id: int, worker: str, now: datetime) -> bool:
        """Record that ``worker`` is about to hand the message to the server.

        False when the claim was lost (another worker recovered it meanwhile): do not send.
        """
        return self._move(message_id, worker, CLAIMED, status=SENDING, claimed_at=now)

    def sent(self, message_id: int, worker: str, now: datetime) -> bool:
        """The server accepted the message."""
        return self._move(message_id, worker, SENDING, status=SENT, sent_at=now, last_error=None)

    def sent_then_start(
        self, sent_id: int, sent_at: datetime, next_id: int, worker: str, now: datetime
    ) -> tuple[bool, bool]:
        """:meth:`sent` for one message and :meth:`start` for the next, in one transaction.

        Half the drain's commits. A crash before the commit leaves the first message
        ``sending`` (uncertain after recovery, as a crash just after the server's answer
        always did) and the next one ``claimed`` (requeued, never offered): nothing is lost
        and nothing is sent twice unseen. Returns what each of the two would have.
        """
        with self.db.write() as conn:
            done = _update(
                conn, sent_id, worker, SENDING, status=SENT, sent_at=sent_at, last_error=None
            )
            started = _update(conn, next_id, worker, CLAIMED, status=SENDING, claimed_at=now)
        return done, started

    def retry_later(
        self, message_id: int, worker: str, error: str, at: datetime, *, attempts: int
    ) -> bool:
        """A temporary failure (or a connection that never opened): try again from ``at``."""
        return self._move(
            message_id,
            worker,
            (CLAIMED, SENDING),
            status=RETRY,
            attempts=attempts,
            next_attempt_at=at,
            last_error=error,
        )

    def failed(self, message_id: int, worker: str, error: str, *, attempts: int) -> bool:
        """A permanent failure, too many temporary ones, or a message that cannot be rendered."""
        before = (CLAIMED, SENDING)
        return self._move(
            message_id, worker, before, status=FAILED, attempts=attempts, last_error=error
        )

    def uncertain(self, message_id: int, worker: str, error: str, *, attempts: int) -> bool:
        """The server may have accepted the message; an officer decides whether to resend."""
        return self._move(
            message_id, worker, SENDING, status=UNCERTAIN, attempts=attempts, last_error=error
        )

    def expire(self, now: datetime) -> int:
        """Waiting messages whose last useful moment has passed become ``expired``; how many.

        Their last error is kept after the reason, so the officer sees why they never went out.
        """
        c = outbox.c
        reason = "its day passed before a mail server took it"
        with self.db.write() as conn:
            result = conn.execute(
                update(outbox)
                .where(c.status.in_(_DUE), c.expires_at.is_not(None), c.expires_at <= now)
                .values(
                    status=EXPIRED,
                    last_error=case(
                        (c.last_error.is_(None), reason),
                        else_=reason + "; last error: " + c.last_error,
                    ),
                )
            )
        return max(result.rowcount, 0)

    def release(self, message_ids: Iterable[int], worker: str) -> int:
        """Give back claimed messages that were not offered to the server (on shutdown)."""
        ids = list(message_ids)
        if not ids:
            return 0
        c = outbox.c
        with self.db.write() as conn:
            result = conn.execute(
                update(outbox)
                .where(c.id.in_(ids), c.claimed_by == worker, c.status == CLAIMED)
                .values(status=PENDING, claimed_by=None, claimed_at=None)
            )
        return max(result.rowcount, 0)

    def recover(
        self, now: datetime, lease: timedelta, *, stale_after: timedelta | None = None
    ) -> tuple[int, int]:
        """Clean up after a daemon that died: returns (requeued, marked uncertain).

        A claim belongs to a dead daemon when that daemon's heartbeat (``ocop_daemons``) is
        older than ``stale_after`` or says it stopped; a claim by a worker that keeps no
        heartbeat counts as dead once it is older than ``lease``. A claim never offered to the
        server is requeued; a send may have gone through and is marked uncertain, never resent.
        A claim whose daemon beats is never touched, however old.
        """
        c, d = outbox.c, daemons.c
        beats = select(d.worker)
        dead = select(d.worker).where(d.stopped_at.is_not(None))
        if stale_after is not None:
            dead = select(d.worker).where(
                or_(d.stopped_at.is_not(None), d.beat_at < now - stale_after)
            )
        return self._recover(
            or_(
                c.claimed_by.in_(dead),
                and_(c.claimed_by.not_in(beats), c.claimed_at < now - lease),
            )
        )

    def abandon(self, worker: str | None = None) -> tuple[int, int]:
        """Clean up claims known to be abandoned, whatever their age: (requeued, uncertain).

        ``worker``'s own, when its drain was cut short (the database went away under it), or,
        with no ``worker``, every claim: only when no other daemon can be running, as when a
        SQLite daemon has just taken the database's lock after one was killed. As in
        :meth:`recover`, a claim is requeued and a send is marked uncertain.
        """
        return self._recover(outbox.c.claimed_by == worker if worker is not None else true())

    def _recover(self, which: ColumnElement[bool]) -> tuple[int, int]:
        c = outbox.c
        with self.db.write() as conn:
            requeued = conn.execute(
                update(outbox)
                .where(c.status == CLAIMED, which)
                .values(status=PENDING, claimed_by=None, claimed_at=None)
            ).rowcount
            doubtful = conn.execute(
                update(outbox)
                .where(c.status == SENDING, which)
                .values(
                    status=UNCERTAIN,
                    last_error="the daemon stopped while sending; check whether it arrived",
                )
            ).rowcount
        return max(requeued, 0), max(doubtful, 0)

    def _move(
        self, message_id: int, worker: str, expected: str | tuple[str, ...], **values: Any
    ) -> bool:
        with self.db.write() as conn:
            return _update(conn, message_id, worker, expected, **values)

    def get(self, message_id: int, *, actor: Actor | None = None) -> OutboxMessage:
        """The message with that id: :class:`NotFound`, or :class:`PermissionDenied` when it
        is outside ``actor``'s scope (see :func:`_visible`; no actor: the trusted host)."""
        c = outbox.c
        visible = _visible(actor)
        shown = true() if visible is None else visible
        with self.db.read() as conn:
            row = conn.execute(
                select(outbox, shown.label("in_scope")).where(c.id == message_id)
            ).first()
        if row is None:
            raise NotFound("message", message_id)
        if actor is not None and not row.in_scope:
            raise _outside(actor, message_id)
        return OutboxMessage(**{k: v for k, v in row._mapping.items() if k != "in_scope"})

    def find(
        self,
        *,
        status: str | Sequence[str] | None = None,
        kind: str | None = None,
        dossier_id: int | None = None,
        limit: int | None = 100,
        newest_first: bool = True,
        actor: Actor | None = None,
    ) -> list[OutboxMessage]:
        """Messages matching the filters given, of those ``actor`` may see (all without one)."""
        c = outbox.c
        statement = select(outbox)
        visible = _visible(actor)
        if visible is not None:
            statement = statement.where(visible)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            unknown = sorted(set(wanted) - set(STATUSES))
            if unknown:
                raise InvalidInput.said(
                    N_("Không có tình trạng {unknown}; các tình trạng là {statuses}."),
                    field="status",
                    unknown=", ".join(unknown),
                    statuses=", ".join(STATUSES),
                )
            statement = statement.where(c.status.in_(wanted))
        if kind is not None:
            statement = statement.where(c.kind == kind)
        if dossier_id is not None:
            statement = statement.where(c.dossier_id == dossier_id)
        statement = statement.order_by(c.id.desc() if newest_first else c.id.asc())
        if limit is not None:
            statement = statement.limit(limit)
        with self.db.read() as conn:
            return [_message(r) for r in conn.execute(statement)]

    def requeue(
        self, message_ids: Iterable[int], now: datetime, *, actor: Actor | None = None
    ) -> list[OutboxMessage]:
        """Send these messages again as soon as a daemon drains (``ocop outbox retry``).

        ``actor`` must be an officer or an administrator
        (:data:`ocop.workflow.permissions.RETRY_ROLES`) and every message within their area,
        else :class:`PermissionDenied` and nothing changes; without one the trusted host acts,
        recorded as ``system``. Who, in which role and when is written on each message
        (``retried_by``, ``retried_role``, ``retried_at``).

        Only messages not sent and not being sent can be requeued; their attempt count starts
        over so the backoff does too, and an expired one is no longer held to its last day.
        """
        from ocop.workflow.permissions import check_retry

        who = actor or Actor.system()
        check_retry(who)
        ids = list(dict.fromkeys(message_ids))
        c = outbox.c
        visible = _visible(actor)
        shown = true() if visible is None else visible
        with self.db.write() as conn:
            check = (
                select(c.id, c.status, shown.label("in_scope"))
                .where(c.id.in_(ids))
                .with_for_update(of=outbox)
            )
            rows = {r.id: r for r in conn.execute(check)}
            for message_id in ids:
                if message_id not in rows:
                    raise NotFound("message", message_id)
                if not rows[message_id].in_scope:
                    raise _outside(who, message_id)
                if rows[message_id].status not in _REQUEUE:
                    raise InvalidInput.said(
                        N_(
                            "Thư số {id} đang ở tình trạng {status}; chỉ gửi lại được thư lỗi, "
                            "chưa rõ, quá hạn hoặc đang chờ."
                        ),
                        field="id",
                        id=message_id,
                        status=rows[message_id].status,
                    )
            conn.execute(
                update(outbox)
                # Only as checked: a daemon that claimed one meanwhile keeps it.
                .where(c.id.in_(ids), c.status.in_(_REQUEUE))
                .values(
                    status=PENDING,
                    attempts=0,
                    # Due at once even for a daemon whose clock is behind (``--as-of``).
                    next_attempt_at=case((c.next_attempt_at < now, c.next_attempt_at), else_=now),
                    claimed_by=None,
                    claimed_at=None,
                    expires_at=None,
                    retried_by=who.name,
                    retried_role=who.role.value,
                    retried_at=now,
                )
            )
            result = conn.execute(select(outbox).where(c.id.in_(ids)).order_by(c.id)).all()
        return [_message(r) for r in result]

    def known(self, keys: Iterable[str]) -> set[str]:
        """Those of the dedupe ``keys`` that are in the outbox already."""
        wanted = list(dict.fromkeys(keys))
        c = outbox.c
        found: set[str] = set()
        with self.db.read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(
                    conn.execute(select(c.dedupe_key).where(c.dedupe_key.in_(chunk))).scalars()
                )
        return found

    def due(self, now: datetime, limit: int | None = None) -> list[OutboxMessage]:
        """The waiting messages a drain at ``now`` would offer, in its order; reads only."""
        c = outbox.c
        statement = (
            select(outbox)
            .where(
                c.status.in_(_DUE),
                c.next_attempt_at <= now,
                or_(c.expires_at.is_(None), c.expires_at > now),
            )
            .order_by(c.next_attempt_at, c.id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [_message(r) for r in conn.execute(statement)]

    def oldest_waiting(self, *, actor: Actor | None = None) -> OutboxMessage | None:
        """The waiting message that has waited longest since it was queued, if any (of those
        ``actor`` may see; every message without one)."""
        c = outbox.c
        statement = select(outbox).where(c.status.in_(_DUE)).order_by(c.created_at, c.id).limit(1)
        visible = _visible(actor)
        if visible is not None:
            statement = statement.where(visible)
        with self.db.read() as conn:
            row = conn.execute(statement).first()
        return _message(row) if row is not None else None

    def counts(self, *, actor: Actor | None = None) -> dict[str, int]:
        """How many messages there are in each status (of those ``actor`` may see)."""
        c = outbox.c
        statement = select(c.status, func.count()).group_by(c.status)
        visible = _visible(actor)
        if visible is not None:
            statement = statement.where(visible)
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        return {status: int(n) for status, n in rows}

    def next_due(self) -> datetime | None:
        """When the earliest waiting message falls due, if any."""
        c = outbox.c
        with self.db.read() as conn:
            return conn.execute(
                select(func.min(c.next_attempt_at)).where(c.status.in_(_DUE))
            ).scalar()
