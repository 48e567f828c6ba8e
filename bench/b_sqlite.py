"""``fire()`` on a SQLite file, one transition per commit, and ``advance()`` over a batch.

Both against the bare ``sqlite3`` module doing the same statements in the same transactions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import ocop
from bench import data
from bench.context import Run
from bench.harness import Result, Target, alternate, per_op
from bench.raw import DOSSIER_COLUMNS, RawFire, history_columns, sqlite_stamp, update_sql
from ocop import Actor, Role
from ocop.notifications.notices import default_notices

__all__ = ["bench_advance", "bench_fire"]

DOSSIERS = 20
"""Dossiers the fire loops go round (each transition flips one of them)."""


def _registered(path: Path, count: int) -> dict[int, Actor]:
    """A new SQLite file with ``count`` registered dossiers; their ids and their officers."""
    officers = {}
    with ocop.open(data.sqlite_url(path), clock=data.clock()) as registry:
        for n in range(count):
            reg = data.registration(n)
            officer = data.actor_for(reg, Role.COMMUNE_OFFICER)
            officers[registry.register(reg, actor=officer).id] = officer
    return officers


class LibraryFlips:
    """``fire()`` round-robin over some dossiers: return each, then resubmit it, and so on."""

    def __init__(self, registry: ocop.Registry, officers: dict[int, Actor]) -> None:
        self.registry = registry
        self.officers = officers
        self.ids = list(officers)
        self.returned = dict.fromkeys(self.ids, False)
        self.done = 0

    def run(self, ops: int) -> None:
        """Fire ``ops`` transitions."""
        fire = self.registry.fire
        for _ in range(ops):
            dossier_id = self.ids[self.done % len(self.ids)]
            officer = self.officers[dossier_id]
            if self.returned[dossier_id]:
                fire(dossier_id, "resubmit", actor=officer)
            else:
                fire(dossier_id, "return_dossier", actor=officer, reason="Thiếu Mẫu 02")
            self.returned[dossier_id] = not self.returned[dossier_id]
            self.done += 1


class RawFlips:
    """The same flips with :class:`~bench.raw.RawFire`."""

    def __init__(self, fire: RawFire, ids: list[int], now: datetime) -> None:
        self.fire = fire
        self.ids = ids
        self.now = now
        self.done = 0

    def run(self, ops: int) -> None:
        """Fire ``ops`` transitions."""
        for _ in range(ops):
            self.fire.fire(self.ids[self.done % len(self.ids)], self.now)
            self.done += 1


def bench_fire(run: Run) -> list[Result]:
    """``fire()`` with one commit per transition vs raw sqlite3, same statements."""
    ops = run.scale(2000, 300)
    lib_path, raw_path = run.path("fire-lib.db"), run.path("fire-raw.db")
    officers = _registered(lib_path, DOSSIERS)
    raw_ids = list(_registered(raw_path, DOSSIERS))
    registry = ocop.open(data.sqlite_url(lib_path), clock=data.clock(), notices=default_notices)
    now = data.clock()()
    lib = LibraryFlips(registry, officers)
    with data.raw_sqlite(raw_path) as conn:
        raw = RawFlips(
            RawFire(
                conn,
                style="qmark",
                json_param=json.dumps,
                stamp=sqlite_stamp,
                begin_write="BEGIN IMMEDIATE",
            ),
            raw_ids,
            now,
        )
        lib.run(50)  # warm up: statement caches, the machine, the page cache
        raw.run(50)
        run.log(f"fire(): {run.reps} × {ops} transitions each way")
        subject, floor = alternate(
            run.reps,
            lambda: per_op(lambda: lib.run(ops), ops),
            lambda: per_op(lambda: raw.run(ops), ops),
        )
    registry.close()
    return [
        Result(
            name="fire() SQLite, 1 commit each",
            unit="µs",
            samples=subject,
            floor="raw sqlite3: SELECT the row; BEGIN IMMEDIATE; UPDATE … WHERE id AND version; "
            "INSERT history; INSERT outbox … RETURNING; COMMIT",
            floor_samples=floor,
            target=Target("ratio_max", 3),
            note=f"per transition, {ops} return/resubmit flips over {DOSSIERS} dossiers, "
            "one outbox notice each",
        )
    ]


# -- advance() ---------------------------------------------------------------------------------

_DUE_SQL = (
    "SELECT {cols} FROM ocop_dossiers WHERE next_due_on <= ? AND id > ? AND state IN (?, ?) "
    "ORDER BY id LIMIT ?"
)


class RawAdvance:
    """``advance()`` with bare sqlite3: keyset batches of due rows, then each one flagged."""

    def __init__(self, conn: sqlite3.Connection, today: date, now: datetime, grace: int) -> None:
        self.conn = conn
        self.today = today.isoformat()
        self.stamp = sqlite_stamp(now)
        self.grace = timedelta(days=grace + 1)
        self.columns = [r[1] for r in conn.execute("PRAGMA table_info(ocop_dossiers)")]
        self.select = _DUE_SQL.format(cols=", ".join(self.columns))
        self.update = update_sql("qmark")
        names = history_columns()
        self.insert_history = (
            f"INSERT INTO ocop_history ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )
        self.history_names = names

    def due(self) -> list[dict[str, object]]:
        """Every due row, read in keyset batches of 1000, each in its own read transaction."""
        rows: list[dict[str, object]] = []
        last = 0
        while True:
            self.conn.execute("BEGIN")
            batch = self.conn.execute(
                self.select, (self.today, last, "rated", "recertification_due", 1000)
            ).fetchall()
            self.conn.execute("ROLLBACK")
            if not batch:
                return rows
            rows.extend(dict(zip(self.columns, r, strict=True)) for r in batch)
            last = batch[-1][0]

    def flag(self, row: dict[str, object]) -> None:
        """The UPDATE and the history INSERT of one ``flag_recertification``."""
        expires = date.fromisoformat(str(row["cert_expires_on"]))
        version = int(str(row["version"]))
        new = dict(row)
        new.update(
            state="recertification_due",
            version=version + 1,
            updated_at=self.stamp,
            next_due_on=(expires + self.grace).isoformat(),
            next_due="certificate_lapses",
        )
        values = [new[c] for c in DOSSIER_COLUMNS if c != "id"]
        entry = {
            "dossier_id": row["id"],
            "version": version + 1,
            "at": self.stamp,
            "actor": "system",
            "role": "system",
            "trigger": "flag_recertification",
            "from_state": "rated",
            "to_state": "recertification_due",
            "note": None,
            "payload": json.dumps({"window_opened": self.today}),
        }
        cur = self.conn.execute(self.update, [*values, row["id"], version])
        if cur.rowcount != 1:
            raise RuntimeError(f"dossier {row['id']} changed under the benchmark")
        self.conn.execute(self.insert_history, [entry[n] for n in self.history_names])

    def per_dossier(self) -> int:
        """One write transaction per dossier, as ``advance()`` commits."""
        rows = self.due()
        for row in rows:
            self.conn.execute("BEGIN IMMEDIATE")
            self.flag(row)
            self.conn.execute("COMMIT")
        return len(rows)

    def one_transaction(self) -> int:
        """Every flag in one write transaction: what batching would give."""
        rows = self.due()
        self.conn.execute("BEGIN IMMEDIATE")
        for row in rows:
            self.flag(row)
        self.conn.execute("COMMIT")
        return len(rows)


def bench_advance(run: Run) -> list[Result]:
    """A sweep firing ``flag_recertification`` on N due dossiers vs raw sqlite3."""
    count = run.scale(10_000, 2_000)
    reps = max(3, run.reps - 2) if not run.quick else 2
    fixture = run.fixture(count, history=False, mix={"rated_due": 20})
    work = run.path("advance.db")
    grace = ocop.open(data.sqlite_url(fixture.path)).rule_set().grace_after_expiry_days

    def library() -> float:
        data.copy_db(fixture.path, work)
        with ocop.open(
            data.sqlite_url(work), clock=data.clock(), notices=default_notices, upgrade=False
        ) as registry:
            fired: list[object] = []
            seconds = per_op(lambda: fired.extend(registry.advance()), 1, 1.0)
        _check(len(fired), fixture.due)
        return seconds

    def raw(batched: bool) -> Callable[[], float]:
        def measure() -> float:
            data.copy_db(fixture.path, work)
            with data.raw_sqlite(work) as conn:
                sweep = RawAdvance(conn, data.TODAY, data.clock()(), grace)
                done: list[int] = []
                step = sweep.one_transaction if batched else sweep.per_dossier
                seconds = per_op(lambda: done.append(step()), 1, 1.0)
            _check(done[0], fixture.due)
            return seconds

        return measure

    run.log(f"advance(): {reps} sweeps of {fixture.due:,} due dossiers each way")
    subject, floor = alternate(reps, library, raw(batched=False))
    _, batched = alternate(1 if run.quick else 2, lambda: 0.0, raw(batched=True))
    note = (
        f"{fixture.due:,} flag_recertification in one advance(), seconds per sweep; "
        "advance() commits one transaction per dossier"
    )
    return [
        Result(
            name=f"advance() {fixture.due:,} due, per-dossier commits",
            unit="s",
            samples=subject,
            floor="raw sqlite3, same statements and batching: keyset SELECTs of 1000, "
            "then BEGIN IMMEDIATE; UPDATE; INSERT history; COMMIT per dossier",
            floor_samples=floor,
            target=Target("ratio_max", 5),
            note=note,
        ),
        Result(
            name=f"advance() {fixture.due:,} due vs one raw tx",
            unit="s",
            samples=subject,
            floor="raw sqlite3 with every UPDATE and INSERT in ONE write transaction "
            "(not what advance() does: shows what batching the commits would be worth)",
            floor_samples=batched,
        ),
    ]


def _check(fired: int, due: int) -> None:
    if fired != due:
        raise RuntimeError(f"the sweep fired {fired} transitions, {due} were due")
