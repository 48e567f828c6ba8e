"""Daemon heartbeats: one row per daemon run, refreshed on every tick.

A daemon's row says where it runs, what it sends with, and when it last beat, swept and
drained. Claims of a daemon whose heartbeat has gone stale are recovered by any live daemon
(:meth:`ocop.storage.outbox.Outbox.recover`); ``ocop status`` reads the rows. The newest
sweep of any daemon is also the database's memory of the latest moment reminders were
queued for, so a clock set back is noticed instead of queueing the past again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update

from ocop.storage.database import Database
from ocop.storage.tables import daemons

__all__ = ["DaemonBeat", "Heartbeats"]


@dataclass(frozen=True)
class DaemonBeat:
    """One daemon's row."""

    worker: str
    host: str
    pid: int
    mode: str
    """``run`` (the long-running daemon) or ``once`` (``ocop daemon --once``)."""
    plan: str | None
    transport: str
    started_at: datetime
    beat_at: datetime
    swept_at: datetime | None
    drained_at: datetime | None
    stopped_at: datetime | None

    def alive(self, now: datetime, stale_after: timedelta) -> bool:
        """Running, with a heartbeat fresher than ``stale_after``."""
        return self.stopped_at is None and self.beat_at >= now - stale_after


class Heartbeats:
    """The ``ocop_daemons`` table of one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def start(
        self,
        worker: str,
        *,
        host: str,
        pid: int,
        mode: str,
        plan: str | None,
        transport: str,
        now: datetime,
    ) -> None:
        """Record that ``worker`` runs from ``now`` (a row left by an earlier run is replaced)."""
        with self.db.write() as conn:
            conn.execute(delete(daemons).where(daemons.c.worker == worker))
            conn.execute(
                insert(daemons).values(
                    worker=worker,
                    host=host[:255],
                    pid=pid,
                    mode=mode,
                    plan=plan[:500] if plan else None,
                    transport=transport[:500],
                    started_at=now,
                    beat_at=now,
                )
            )

    def beat(
        self, worker: str, now: datetime, *, swept: bool = False, drained: bool = False
    ) -> None:
        """Refresh ``worker``'s heartbeat, and its last sweep or drain when one just ended."""
        values: dict[str, datetime] = {"beat_at": now}
        if swept:
            values["swept_at"] = now
        if drained:
            values["drained_at"] = now
        with self.db.write() as conn:
            conn.execute(update(daemons).where(daemons.c.worker == worker).values(**values))

    def stop(self, worker: str, now: datetime) -> None:
        """Record a clean stop: the daemon holds no claims any more."""
        with self.db.write() as conn:
            conn.execute(
                update(daemons)
                .where(daemons.c.worker == worker)
                .values(beat_at=now, stopped_at=now)
            )

    def prune(self, before: datetime) -> int:
        """Forget daemons stopped, or silent, since before ``before`` (``--once`` runs add one
        row each; a killed daemon's row would stay forever)."""
        c = daemons.c
        with self.db.write() as conn:
            result = conn.execute(
                delete(daemons).where(or_(c.stopped_at < before, c.beat_at < before))
            )
        return max(result.rowcount, 0)

    def all(self) -> list[DaemonBeat]:
        """Every daemon known, the most recent heartbeat first."""
        with self.db.read() as conn:
            rows = conn.execute(select(daemons).order_by(daemons.c.beat_at.desc())).all()
        return [DaemonBeat(**dict(row._mapping)) for row in rows]

    def last_sweep(self) -> datetime | None:
        """The latest moment any daemon swept at."""
        with self.db.read() as conn:
            found: datetime | None = conn.execute(select(func.max(daemons.c.swept_at))).scalar()
        return found
