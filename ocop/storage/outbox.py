"""The outbox table: messages waiting to be sent, each once, keyed by its dedupe key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ocop.models import Message
from ocop.storage.tables import outbox

__all__ = ["PENDING", "insert_messages"]

PENDING = "pending"


def insert_messages(conn: Connection, messages: Sequence[Message], now: datetime) -> int:
    """Insert ``messages`` that are not there yet (by dedupe key); returns how many were new.

    Runs inside the caller's transaction, so a transition and its notices commit together.
    """
    if not messages:
        return 0
    rows: list[dict[str, Any]] = [
        {
            "dedupe_key": m.dedupe_key,
            "kind": m.kind,
            "dossier_id": m.dossier_id,
            "recipient": m.recipient,
            "lang": m.lang,
            "context": m.context,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": m.not_before or now,
            "created_at": now,
        }
        for m in messages
    ]
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(outbox).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(outbox.c.id)
    )
    # rowcount is unreliable for executemany; the returned ids count what was really new.
    return len(conn.execute(statement, rows).all())
