"""The mail server going away, seen the way an officer sees it: ``ocop outbox list``.

The installed ``ocop daemon --once`` meets, in turn, a server that refuses connections, one that
accepts them and never speaks, and a real one (aiosmtpd) that answers each recipient its own way:
accepts, 451 (busy), 550 (no such mailbox), 554 after the body (spam), hangs up after the body
without answering, answers only after the client has stopped waiting. Each message ends in the
state DESIGN.md names — waiting to retry with a doubling delay, failed with the server's words,
or uncertain — and ``ocop outbox list`` shows it.
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Cli
from factories import digest_context
from smtpserver import Mailbox, Received, free_port, smtp_server

import ocop
from ocop.models import Message
from ocop.storage.outbox import Outbox

DIGEST = digest_context()
RECIPIENTS = ("ok", "busy", "gone", "spam", "drop", "late")
BASE = 0.5  # --retry-base, seconds


class Scripted(Mailbox):
    """Answers each recipient (by the part before the @) its own way."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        who = address.split("@")[0]
        if who == "busy":
            return "451 4.3.2 Hệ thống đang bận, thử lại sau"
        if who == "gone":
            return "550 5.1.1 Hộp thư không tồn tại"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        who = envelope.rcpt_tos[0].split("@")[0]
        if who == "spam":
            return "554 5.7.1 Thư bị từ chối: nghi là thư rác"
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        if who == "drop":
            server.transport.close()  # the body arrived; the line goes dead before the answer
        elif who == "late":
            await asyncio.sleep(2.5)  # the client waits 1 s
        return "250 Message accepted for delivery"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()  # every read needs an active user: these read as the administrator
    with ocop.open(f"sqlite:///{runner.db}") as registry:
        Outbox(registry.database).add(
            [
                Message(
                    dedupe_key=f"mail:{who}", kind="digest", recipient=f"{who}@x.vn", context=DIGEST
                )
                for who in RECIPIENTS
            ],
            datetime.fromisoformat("2026-07-01T00:00:00+00:00"),
        )
    return runner


def mine(cli: Cli) -> dict[str, dict[str, Any]]:
    """``ocop outbox list --json``, our messages by recipient name."""
    rows = cli.json("outbox", "list", "--limit", "200")
    return {r["recipient"].split("@")[0]: r for r in rows if r["recipient"].endswith("@x.vn")}


def line_of(listing: str, who: str) -> str:
    """The line of ``who``'s message in a piped listing (cells separated by tabs)."""
    (line,) = [line for line in listing.splitlines() if f"{who}@x.vn" in line.split("\t")]
    return line


def run_daemon(cli: Cli, url: str) -> tuple[float, float]:
    """``ocop daemon --once`` on ``url``; returns the wall-clock time before and after."""
    before = time.time()  # clock-ok: compared with the backoff the daemon set from its own
    done = cli("daemon", "--once", "--smtp", url, "--retry-base", str(BASE))
    # Every run here leaves messages waiting or failed: the exit status says so, for cron.
    assert done.code == 3, done.err
    assert "Gửi:" in done.out
    return before, time.time()  # clock-ok


def wait_due(rows: dict[str, dict[str, Any]], *who: str) -> None:
    """Sleep until the messages named fall due again (their backoff is a few seconds at most)."""
    due = max(datetime.fromisoformat(rows[w]["next_attempt_at"]).timestamp() for w in who)
    time.sleep(min(max(0.0, due - time.time()) + 0.05, 5))  # clock-ok: a wait


def backoff_is(row: dict[str, Any], window: tuple[float, float], delay: float) -> None:
    at = datetime.fromisoformat(row["next_attempt_at"]).timestamp()
    assert window[0] + delay - 0.01 <= at <= window[1] + delay + 0.01, (row, window, delay)


def test_each_mail_server_failure_ends_where_design_says_and_outbox_list_shows_it(
    cli: Cli,
) -> None:
    # 1. Nobody listens: every message waits to retry, after BASE seconds.
    refused = run_daemon(cli, f"smtp://127.0.0.1:{free_port()}?timeout=1")
    rows = mine(cli)
    assert {w: (r["status"], r["attempts"]) for w, r in rows.items()} == {
        w: ("retry", 1) for w in RECIPIENTS
    }
    for row in rows.values():
        assert "connection refused" in row["last_error"]
        backoff_is(row, refused, BASE)
    listing = cli.ok("outbox", "list")
    assert "chờ gửi lại" in line_of(listing, "ok") and "connection refused" in line_of(
        listing, "ok"
    )

    # 2. A server that takes the connection and never says a word: timed out, retry, twice
    #    the delay.
    wait_due(rows, *RECIPIENTS)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        mute = run_daemon(cli, f"smtp://127.0.0.1:{silent.getsockname()[1]}?timeout=1")
    rows = mine(cli)
    for row in rows.values():
        assert (row["status"], row["attempts"]) == ("retry", 2)
        assert "timed out" in row["last_error"]
        backoff_is(row, mute, 2 * BASE)

    # 3. A real server answering each message its own way.
    wait_due(rows, *RECIPIENTS)
    box = Scripted()
    with smtp_server(box) as (host, port):
        answered = run_daemon(cli, f"smtp://{host}:{port}?timeout=1")
    rows = mine(cli)
    assert {w: r["status"] for w, r in rows.items()} == {
        "ok": "sent",
        "busy": "retry",
        "gone": "failed",
        "spam": "failed",
        "drop": "uncertain",
        "late": "uncertain",
    }
    assert {w: r["attempts"] for w, r in rows.items()} == {w: 3 for w in RECIPIENTS} | {"ok": 2}
    backoff_is(rows["busy"], answered, 4 * BASE)
    assert "451 4.3.2 Hệ thống đang bận" in rows["busy"]["last_error"]
    assert "550 5.1.1 Hộp thư không tồn tại" in rows["gone"]["last_error"]
    assert "554 5.7.1 Thư bị từ chối" in rows["spam"]["last_error"]
    for who in ("drop", "late"):
        assert "may have been delivered" in rows[who]["last_error"]
    # What the server kept: the good one and the two it never confirmed, nothing refused.
    assert sorted(r.rcpt_tos[0] for r in box.received) == ["drop@x.vn", "late@x.vn", "ok@x.vn"]

    # The officer's view, in Vietnamese and in English.
    listing = cli.ok("outbox", "list")
    expected = {
        "ok": ("đã gửi", ""),
        "busy": ("chờ gửi lại", "451 4.3.2"),
        "gone": ("lỗi", "550 5.1.1"),
        "spam": ("lỗi", "554 5.7.1"),
        "drop": ("không rõ", "no answer after the message was sent"),
        "late": ("không rõ", "no answer after the message was sent"),
    }
    for who, (status, error) in expected.items():
        line = line_of(listing, who)
        assert status in line.split("\t") and error in line, line
    english = cli.ok("outbox", "list", "--lang", "en", "--status", "failed,uncertain")
    assert "failed: 2" in english and "uncertain: 2" in english and "to retry: 1" in english
    cells = {cell for line in english.splitlines() for cell in line.split("\t")}
    assert {w for w in RECIPIENTS if f"{w}@x.vn" in cells} == {"gone", "spam", "drop", "late"}
    print(
        "mail: 6 messages through refused, silent and scripted servers: "
        "1 sent, 1 retry (backoff 0.5/1/2 s), 2 failed, 2 uncertain"
    )
