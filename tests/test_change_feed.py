"""The change feed: committed transitions from any process, in order, none skipped.

A host application follows the registry with a cursor it keeps; the ``ocop`` command in
another process moves a dossier, and the host's reader sees it (on PostgreSQL it is woken by
LISTEN/NOTIFY, not polling). A transaction that committed after a later one is not skipped.
"""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import environment, ocop_command
from factories import OFFICER, Clock, registration
from sqlalchemy import text

import ocop


def _users(registry: ocop.Registry) -> None:
    registry.add_user(
        {
            "username": "lan",
            "full_name": "Lê Thị Lan",
            "role": "commune_officer",
            "commune": "Lưu Vệ",
            "province": "Thanh Hóa",
        }
    )


def test_a_step_by_the_ocop_command_reaches_a_hosts_reader(db_url: str, tmp_path: Path) -> None:
    with ocop.open(db_url, clock=Clock(date(2026, 3, 2))) as registry:
        _users(registry)
        first = registry.register(registration(), actor=OFFICER)
        page = registry.changes()
        assert [(c.dossier_id, c.trigger) for c in page.changes] == [(first.id, "register")]
        assert registry.changes(after=page.cursor).changes == []
        woke: list[float] = []
        waiter = threading.Thread(
            target=lambda: woke.append(
                time.monotonic() if registry.wait_for_changes(page.cursor, 60) else -1
            )
        )
        waiter.start()
        time.sleep(0.5)  # the reader is waiting before the other process moves
        env = environment(tmp_path, db_url, OCOP_USER="lan")
        moved = subprocess.run(
            [ocop_command(), "return", str(first.id), "--reason", "Thiếu Mẫu 02"],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        done = time.monotonic()
        assert moved.returncode == 0, moved.stderr
        waiter.join(60)
        assert woke and woke[0] > 0
        assert woke[0] - done < 5  # woken by the commit, not by the 60 s timeout
        later = registry.changes(after=page.cursor)
        (entry,) = later.changes
        assert (entry.dossier_id, entry.trigger, entry.to_state.value, entry.actor) == (
            first.id,
            "return_dossier",
            "returned",
            "lan",
        )
        # The cursor survives the reader: a new registry reads on from it.
    with ocop.open(db_url) as again:
        assert again.changes(after=later.cursor).changes == []
        assert len(again.changes(limit=1).changes) == 1
        with pytest.raises(ocop.InvalidInput, match="cursor"):
            again.changes(after="yesterday")


@pytest.mark.postgres
def test_a_transaction_that_commits_late_is_not_skipped(postgres_url: str) -> None:
    with ocop.open(postgres_url, clock=Clock(date(2026, 3, 2))) as registry:
        a = registry.register(registration(), actor=OFFICER)
        b = registry.register(registration(product_name="Bánh răng bừa"), actor=OFFICER)
        start = registry.changes().cursor
        engine = registry.database.engine
        insert = text(
            "INSERT INTO ocop_history (dossier_id, version, at, actor, role, trigger, "
            "from_state, to_state, payload) VALUES (:d, :v, now(), 'lan', 'commune_officer', "
            "'x', 'registered', 'registered', '{}')"
        )
        with engine.connect() as early:
            tx = early.begin()
            early.execute(insert, {"d": a.id, "v": 90})  # started first, commits last
            with engine.begin() as late:
                late.execute(insert, {"d": b.id, "v": 91})
            # The later transaction has committed, but the earlier one still runs: nothing
            # is handed out past it, or its row would be skipped by a reader already past.
            assert registry.changes(after=start).changes == []
            tx.commit()
        got = registry.changes(after=start)
        assert [(c.dossier_id, c.version) for c in got.changes] == [(a.id, 90), (b.id, 91)]
        assert registry.changes(after=got.cursor).changes == []
