"""The change feed: committed transitions, in order, read from the append-only history.

A reader keeps an opaque cursor and asks for what came after it, from any process. On
PostgreSQL ids are handed out before commit, so a transaction that started earlier may commit
after a later one was read; the feed therefore orders rows by the writing transaction's id
(``ocop_history.txid``) and returns only rows of transactions older than the oldest one still
running (``pg_snapshot_xmin``): a row is never returned after one that followed it. SQLite has
one writer at a time, so ids commit in order and are the whole cursor.

On PostgreSQL :meth:`ChangeFeed.wait` listens for the ``ocop_changes`` notification the
history's trigger sends at each commit; on SQLite it looks every ``poll`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, literal_column, select, tuple_

from ocop.errors import InvalidInput
from ocop.models import HistoryEntry
from ocop.storage.database import Database
from ocop.storage.tables import history
from ocop.text import N_

__all__ = ["CHANNEL", "ChangeFeed", "ChangePage"]

CHANNEL = "ocop_changes"
"""The PostgreSQL notification channel the history's trigger signals on each commit."""
_ENTRY = [c for c in history.c if c.name != "txid"]
_TXID = func.coalesce(history.c.txid, 0)
_SAFE: ColumnElement[int] = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class ChangePage:
    """Committed transitions after a cursor, oldest first, and the cursor to ask from next."""

    changes: Sequence[HistoryEntry]
    cursor: str
    """Opaque; pass it back as ``after`` to read on from here."""


def _parse(cursor: str | None) -> tuple[int, int]:
    if cursor is None or cursor == "":
        return (0, 0)
    try:
        version, txid, row = cursor.split(":")
        if version != "c1":
            raise ValueError(version)
        return int(txid), int(row)
    except ValueError:
        raise InvalidInput.said(
            N_(
                "'{cursor}' không phải con trỏ của luồng thay đổi; truyền con trỏ mà changes() "
                "đã trả về, hoặc không truyền để đọc từ đầu."
            ),
            field="after",
            cursor=cursor,
        ) from None


def _cursor(txid: int, row: int) -> str:
    return f"c1:{txid}:{row}"


class ChangeFeed:
    """The change feed of one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def read(self, after: str | None = None, limit: int = 100) -> ChangePage:
        """Up to ``limit`` committed transitions after the cursor ``after`` (none: the first)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 10_000:
            raise InvalidInput.said(N_("limit phải là số nguyên từ 1 đến 10000."), field="limit")
        txid, row = _parse(after)
        statement: Select[tuple[object, ...]] = select(*_ENTRY, _TXID.label("feed_txid"))
        if self.db.dialect == "postgresql":
            statement = statement.where(
                tuple_(_TXID, history.c.id) > tuple_(txid, row), _TXID < _SAFE
            ).order_by(_TXID, history.c.id)
        else:
            statement = statement.where(history.c.id > row).order_by(history.c.id)
        with self.db.read() as conn:
            rows = conn.execute(statement.limit(limit)).all()
        changes = [
            HistoryEntry.model_validate({c.name: r._mapping[c.name] for c in _ENTRY}) for r in rows
        ]
        if rows:
            last = rows[-1]._mapping
            txid, row = int(last["feed_txid"]), int(last["id"])
        return ChangePage(changes, _cursor(txid, row))

    def wait(self, after: str | None, timeout: float, *, poll: float = 0.25) -> bool:
        """Block until a transition after ``after`` has committed, or ``timeout`` seconds pass.

        Returns whether there is something to read. PostgreSQL is not polled: the reader
        listens for the commit's notification.
        """
        if self.read(after, limit=1).changes:
            return True
        if self.db.dialect == "postgresql":
            return self._listen(after, timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))
            if self.read(after, limit=1).changes:
                return True
        return False

    def _listen(self, after: str | None, timeout: float) -> bool:
        # A connection of its own, in autocommit to receive notifications, never handed back
        # to the pool (whose connections must stay transactional).
        raw = self.db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            deadline = time.monotonic() + timeout
            # Listening first, then reading again: a commit between the two is not missed.
            if self.read(after, limit=1).changes:
                return True
            while (left := deadline - time.monotonic()) > 0:
                for _ in driver.notifies(timeout=left, stop_after=1):
                    break
                if self.read(after, limit=1).changes:
                    return True
            return False
        finally:
            raw.invalidate()
