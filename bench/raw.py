"""The floors: what the library does to the database, done with the bare driver.

:class:`RawFire` performs one ``fire()`` as the library does at the SQL level, and nothing
more: read the row (one read transaction), then one write transaction with the optimistic
``UPDATE … WHERE id = ? AND version = ?`` of every column, the history ``INSERT`` and the outbox
``INSERT … ON CONFLICT DO NOTHING RETURNING id``. It decodes and re-encodes the JSON body as
the library must, but builds no models, runs no guards and compiles no statements.

The column lists come from the library's own tables, so the floor writes exactly the columns
the library writes, whatever the schema holds today.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ocop.storage.tables import dossiers, history

__all__ = ["DOSSIER_COLUMNS", "RawFire", "history_columns", "sqlite_stamp", "update_sql"]

Connection = Any  # sqlite3.Connection or psycopg.Connection
DOSSIER_COLUMNS = [c.name for c in dossiers.columns]
# The id is the database's, txid the server's default (PostgreSQL) or none (SQLite).
_HISTORY_COLUMNS = [c.name for c in history.columns if c.name not in ("id", "txid")]
_OUTBOX_COLUMNS = (
    "dedupe_key",
    "kind",
    "dossier_id",
    "recipient",
    "lang",
    "context",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)
# A transition notice's context, as big as the library's (the dossier summary, the outcome…).
_CONTEXT: dict[str, Any] = {
    "commune": "Lưu Vệ",
    "province": "Thanh Hóa",
    "trigger": "return_dossier",
    "outcome": "returned",
    "dossier": {
        "id": 0,
        "product": "Sản phẩm OCOP số 1",
        "producer": "Cơ sở sản xuất số 1",
        "state": "returned",
        "kind": "first",
        "cycle": 1,
        "rule_set": "qd26-2026",
        "certificate": None,
    },
    "note": None,
    "reason": "Thiếu Mẫu 02",
    "rating": None,
    "revocation": None,
    "central_review": False,
    "recipient_name": "Cơ sở sản xuất số 1",
    "recipient_role": "producer",
}


def _params(style: str, names: Sequence[str]) -> list[str]:
    return ["?" if style == "qmark" else "%s"] * len(names)


def update_sql(style: str) -> str:
    """The optimistic UPDATE of every column of a dossier, checked against its version."""
    mark = "?" if style == "qmark" else "%s"
    sets = ", ".join(f"{name} = {mark}" for name in DOSSIER_COLUMNS if name != "id")
    return f"UPDATE ocop_dossiers SET {sets} WHERE id = {mark} AND version = {mark}"


def history_columns() -> list[str]:
    """The history columns the library inserts (all but the id)."""
    return list(_HISTORY_COLUMNS)


class RawFire:
    """One ``return_dossier`` / ``resubmit`` flip of a dossier, with the bare driver.

    ``style`` is ``qmark`` (sqlite3) or ``format`` (psycopg); ``json_param`` wraps a dict for
    the driver (``json.dumps`` for SQLite, ``Jsonb`` for PostgreSQL) and ``stamp`` a datetime
    (SQLite stores naive UTC text, PostgreSQL takes the aware datetime).
    """

    def __init__(
        self,
        conn: Connection,
        *,
        style: str,
        json_param: Callable[[Any], Any],
        stamp: Callable[[datetime], Any],
        begin_write: str,
    ) -> None:
        self.conn = conn
        self.json = json_param
        self.stamp = stamp
        self.begin_write = begin_write
        mark = "?" if style == "qmark" else "%s"
        self.select = f"SELECT {', '.join(DOSSIER_COLUMNS)} FROM ocop_dossiers WHERE id = {mark}"
        self.update = update_sql(style)
        self.insert_history = (
            f"INSERT INTO ocop_history ({', '.join(_HISTORY_COLUMNS)}) "
            f"VALUES ({', '.join(_params(style, _HISTORY_COLUMNS))})"
        )
        self.insert_outbox = (
            f"INSERT INTO ocop_outbox ({', '.join(_OUTBOX_COLUMNS)}) "
            f"VALUES ({', '.join(_params(style, _OUTBOX_COLUMNS))}) "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
        )
        self.sqlite = isinstance(conn, sqlite3.Connection)

    def fire(self, dossier_id: int, now: datetime) -> None:
        """Flip the dossier between ``registered`` and ``returned``, as ``fire()`` would."""
        cur = self.conn.cursor()
        # The read transaction.
        cur.execute("BEGIN")
        cur.execute(self.select, (dossier_id,))
        row = dict(zip(DOSSIER_COLUMNS, cur.fetchone(), strict=True))
        cur.execute("ROLLBACK")
        body = json.loads(row["body"]) if isinstance(row["body"], str) else dict(row["body"])
        returning = row["state"] == "registered"
        before_state, version = row["state"], row["version"]
        body["return_reason"] = "Thiếu Mẫu 02" if returning else None
        stamp = self.stamp(now)
        row.update(
            state="returned" if returning else "registered",
            version=version + 1,
            updated_at=stamp,
            body=self.json(body),
        )
        if not returning:
            row["registered_at"] = stamp
        values = [row[name] for name in DOSSIER_COLUMNS if name != "id"]
        trigger = "return_dossier" if returning else "resubmit"
        payload = {"reason": "Thiếu Mẫu 02"} if returning else {}
        entry = {
            "dossier_id": dossier_id,
            "version": version + 1,
            "at": stamp,
            "actor": "can_bo_xa",
            "role": "commune_officer",
            "trigger": trigger,
            "from_state": before_state,
            "to_state": row["state"],
            "note": None,
            "payload": self.json(payload),
        }
        context = _CONTEXT | {"trigger": trigger, "outcome": row["state"]}
        message = (
            f"{'returned' if returning else 'accepted'}:v{version + 1}|d{dossier_id}|c1|"
            f"{now.date().isoformat()}|coso@example.vn",
            "returned" if returning else "accepted",
            dossier_id,
            "coso@example.vn",
            "vi",
            self.json(context),
            "pending",
            0,
            stamp,
            stamp,
        )
        # The write transaction.
        cur.execute(self.begin_write)
        try:
            cur.execute(self.update, [*values, dossier_id, version])
            if cur.rowcount != 1:
                raise RuntimeError(f"dossier {dossier_id} changed under the benchmark")
            cur.execute(self.insert_history, [entry[name] for name in _HISTORY_COLUMNS])
            cur.execute(self.insert_outbox, message)
            cur.fetchall()
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")


def sqlite_stamp(moment: datetime) -> str:
    """A datetime as the library stores it in SQLite: naive UTC text with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
