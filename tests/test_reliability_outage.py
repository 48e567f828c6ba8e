"""The database going away under the installed ``ocop daemon`` and the ``ocop`` command.

PostgreSQL is stopped under a running daemon (not ``--once``) while it drains to a real SMTP
server — at the worst moment, with a message on the wire — and started again seconds later.
The daemon logs, keeps ticking, reconnects and goes on: every message is sent once, including
the one in flight and those that fell due during the outage, and SIGTERM still stops it.

A SQLite file that another program holds locked, or that is read-only: the CLI says so in one
line, exits 1, and writes nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from cli_helpers import Cli, Result, environment, ocop_command
from factories import OFFICER, digest_context, registration
from pgserver import PostgresServer
from smtpserver import Mailbox, smtp_server

import ocop
from ocop.models import Message
from ocop.notifications.render import message_id
from ocop.storage.database import Database
from ocop.storage.outbox import Outbox

DOMAIN = "localhost"
"""No plan is named, so messages go from the default sender, whose domain names them."""
FIRST, LATER = 150, 30
TICKS = ("--sweep-every", "1", "--drain-every", "0.5", "--batch", "20")
DIGEST = digest_context()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _messages(prefix: str, count: int, not_before: datetime | None = None) -> list[Message]:
    return [
        Message(
            dedupe_key=f"{prefix}:{i}",
            kind="digest",
            recipient=f"{prefix}{i}@x.vn",
            context=DIGEST,
            not_before=not_before,
        )
        for i in range(count)
    ]


def test_postgresql_stopped_and_started_under_a_running_daemon_loses_and_doubles_nothing(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    db = Database(postgres_url)
    db.upgrade()
    outbox = Outbox(db)
    now = datetime.now(UTC)  # clock-ok: messages due at once
    outbox.add(_messages("first", FIRST), now - timedelta(hours=1))
    # Due in 2100 for now; made due during the outage, just before the server stops.
    outbox.add(_messages("later", LATER, datetime(2100, 1, 1, tzinfo=UTC)), now)
    db.close()

    outage = threading.Event()
    stopped_at: list[float] = []

    def stop_the_database(got: object) -> None:
        # Inside the SMTP server, with the message's body received and not yet answered: the
        # daemon hears "250" only after the database is gone, and cannot record it.
        if len(box.received) != 50 or outage.is_set():
            return
        with psycopg.connect(postgres_server.dsn(postgres_url.rsplit("/", 1)[1])) as conn:
            conn.execute(
                "UPDATE ocop_outbox SET next_attempt_at = now() + interval '1 second'"
                " WHERE dedupe_key LIKE 'later:%%'"
            )
        postgres_server.stop("fast")
        stopped_at.append(time.monotonic())
        outage.set()

    box = Mailbox(per_message_delay=0.002, on_message=stop_the_database)
    log = tmp_path / "daemon.err"
    with smtp_server(box) as (host, port), log.open("wb") as err:
        env = environment(tmp_path, postgres_url, OCOP_SMTP_URL=f"smtp://{host}:{port}")
        daemon = subprocess.Popen(
            [ocop_command(), "daemon", *TICKS],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            wait_for(outage.is_set, 60, "the 50th message")
            # Down for 4 s: the daemon logs, keeps its process, keeps trying.
            wait_for(lambda: "unavailable" in log.read_text("utf-8"), 10, "the outage logged")
            time.sleep(max(0.0, stopped_at[0] + 4 - time.monotonic()))
            assert daemon.poll() is None, log.read_text("utf-8")
            failures = log.read_text("utf-8").count("unavailable")
            postgres_server.start()
            restarted = time.monotonic()

            def all_sent() -> bool:
                rows = Outbox(check).find(limit=None)
                return len(rows) >= FIRST + LATER and {m.status for m in rows} == {"sent"}

            check = Database(postgres_url)
            try:
                wait_for(all_sent, 60, "every message sent after the restart")
                rows = Outbox(check).find(limit=None, newest_first=False)
            finally:
                check.close()
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait(timeout=10)
            postgres_server.start()
    text = log.read_text("utf-8")
    assert "Traceback" not in text
    assert "reachable again" in text and "stopped" in text
    received = Counter(box.ids())
    expected = {message_id(m.dedupe_key, DOMAIN) for m in rows}
    assert set(received) == expected  # none lost: the 50th, the rest, those due meanwhile
    assert max(received.values()) == 1  # none doubled, not even the one on the wire
    later = [m for m in rows if m.dedupe_key.startswith("later:")]
    assert len(later) == LATER and all(m.sent_at is not None for m in later)
    print(
        f"outage: PostgreSQL down {restarted - stopped_at[0]:.1f} s under a running daemon, "
        f"{failures} failed ticks logged, {len(rows)} messages each sent once"
    )


# -- SQLite: locked, read-only -----------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    with ocop.open(f"sqlite:///{runner.db}") as registry:
        registry.register(registration(), actor=OFFICER)
    return runner


def snapshot(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())


def one_line_refusal(result: object, *fragments: str) -> None:
    code, err = result.code, result.err  # type: ignore[attr-defined]
    assert code == 1, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err


def test_a_locked_sqlite_file_is_one_line_and_nothing_written(cli: Cli, tmp_path: Path) -> None:
    before = snapshot(cli.db)
    holder = sqlite3.connect(cli.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    commands = [
        ["--as", "lan", "return", "1", "--reason", "Thiếu Mẫu 02"],
        ["daemon", "--once", "--maildir", str(tmp_path / "mail")],
    ]
    try:
        started = time.monotonic()
        # Both wait out SQLite's busy timeout side by side, then give up.
        running = [
            subprocess.Popen(
                [ocop_command(), *args],
                env=cli.env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for args in commands
        ]
        results = [Result(p.wait(timeout=60), *p.communicate(timeout=10)) for p in running]
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    one_line_refusal(results[0], "ocop return:", "một chương trình khác đang giữ cơ sở dữ liệu")
    one_line_refusal(results[1], "ocop daemon:", "một chương trình khác đang giữ cơ sở dữ liệu")
    assert waited < 60
    assert snapshot(cli.db) == before
    assert not (tmp_path / "mail").exists() or not list((tmp_path / "mail").iterdir())


def test_a_read_only_sqlite_file_is_one_line_and_nothing_written(cli: Cli) -> None:
    before = snapshot(cli.db)
    if os.geteuid() == 0:
        # root writes whatever the permissions; SQLite's read-only mode is the same refusal.
        database = f"sqlite:///file:{cli.db}?mode=ro&uri=true"
    else:
        cli.db.chmod(0o444)
        database = str(cli.db)
    env = {"OCOP_DATABASE": database}
    for args in (
        ["--as", "lan", "return", "1", "--reason", "Thiếu Mẫu 02"],
        ["--as", "lan", "register", "--product", "Chè Lưu Vệ", "--set", "11", "--producer", "X"],
        [
            "--as",
            "root",
            "user",
            "add",
            "mai",
            "--role",
            "province_officer",
            "--name",
            "M",
            "--province",
            "T",
        ],
        ["outbox", "retry", "1"],
        ["daemon", "--once", "--maildir", str(cli.home / "mail")],
    ):
        one_line_refusal(cli(*args, env=env), "chỉ cho đọc")
    # Reading still works.
    assert [d["id"] for d in cli.json("list", env=env)] == [1]
    assert snapshot(cli.db) == before
