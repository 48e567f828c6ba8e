"""The installed ``ocop daemon`` in a subprocess, against a real SMTP server on loopback.

What the commune relies on: every reminder arrives once — not lost when the server is down, not
doubled by a second run or a second daemon — and the daemon stops cleanly when told.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import LUU_VE_PLAN, at, environment, ocop_command, vietnam
from factories import OFFICER, Clock, digest_context, registration
from smtpserver import Mailbox, free_port, smtp_server

import ocop
from ocop.models import Message
from ocop.notifications.render import message_id
from ocop.storage.outbox import Outbox

PRODUCER = "minhanh@example.vn"
SATURDAY = vietnam("2026-07-18 10:00")
"""Two weeks before the plan's evaluation window opens (no digest on a Saturday)."""
OFFICE = "phongkinhte@luuve.example"
DIGEST = digest_context(upcoming=[{"name": "Giao ban", "date": "2026-07-21"}])


def daemon(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ocop_command(), "daemon", *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


@pytest.fixture
def commune(tmp_path: Path) -> Iterator[str]:
    """A SQLite database with one new dossier (registered 10/7/2026) of Lưu Vệ."""
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    clock = Clock(date(2026, 7, 10))
    with ocop.open(url, clock=clock) as registry:
        registry.register(registration(), actor=OFFICER)
    yield url


def outbox_rows(url: str) -> list[tuple[str, str, str]]:
    with ocop.open(url) as registry:
        return [
            (m.status, m.kind, m.recipient)
            for m in Outbox(registry.database).find(newest_first=False, limit=None)
        ]


def dedupe_keys(url: str) -> list[str]:
    with ocop.open(url) as registry:
        return [m.dedupe_key for m in Outbox(registry.database).find(limit=None)]


def test_once_sends_each_reminder_and_a_second_run_sends_nothing(
    commune: str, tmp_path: Path
) -> None:
    box = Mailbox()
    with smtp_server(box) as (host, port):
        env = at(environment(tmp_path, commune, OCOP_PLAN=LUU_VE_PLAN), SATURDAY)
        smtp = f"smtp://{host}:{port}"
        first = daemon(env, "--once", "--smtp", smtp)
        assert first.returncode == 0, first.stderr
        assert "Gửi: 3;" in first.stdout
        got = {(str(r.message["X-OCOP-Kind"]), r.rcpt_tos[0]): r for r in box.received}
        assert set(got) == {
            ("accepted", PRODUCER),
            ("window_opening", PRODUCER),
            ("window_opening", OFFICE),
        }
        office = got[("window_opening", OFFICE)].message
        assert office["Subject"] == (
            "Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày)"
        )
        assert office["To"].addresses[0].display_name == "Phòng Kinh tế UBND xã Lưu Vệ"
        assert got[("window_opening", OFFICE)].mail_from == "ocop@luuve.example"
        text = office.get_body(("plain",)).get_content()
        html = office.get_body(("html",)).get_content()
        assert "Hồ sơ chờ xã đánh giá (1):" in text
        assert "<li>Hồ sơ số 1: Nem chua Minh Anh – Cơ sở Minh Anh (Đã đăng ký)</li>" in html
        expected_ids = {message_id(k, "luuve.example") for k in dedupe_keys(commune)}
        assert set(box.ids()) == expected_ids and len(box.ids()) == 3
        assert {s for s, _, _ in outbox_rows(commune)} == {"sent"}
        second = daemon(env, "--once", "--smtp", smtp)
        assert second.returncode == 0, second.stderr
        assert len(box.received) == 3


def test_a_server_down_then_up_loses_nothing_and_doubles_nothing(
    commune: str, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(
        tmp_path,
        commune,
        OCOP_SMTP_URL=f"smtp://127.0.0.1:{port}?timeout=5",
        OCOP_RETRY_BASE="0",
        OCOP_PLAN=LUU_VE_PLAN,
    )
    env = at(env, SATURDAY)
    down = daemon(env, "--once")
    # Nothing went out: cron hears of it through the exit status.
    assert down.returncode == 3, down.stderr
    assert "connection refused" in down.stderr
    assert [s for s, _, _ in outbox_rows(commune)] == ["retry", "retry", "retry"]
    box = Mailbox()
    with smtp_server(box, port=port):
        up = daemon(env, "--once")
        assert up.returncode == 0, up.stderr
        assert len(box.received) == 3
        again = daemon(env, "--once")
        assert again.returncode == 0, again.stderr
    assert len(box.received) == 3 and len(set(box.ids())) == 3
    assert {s for s, _, _ in outbox_rows(commune)} == {"sent"}


def test_a_second_daemon_on_sqlite_refuses_and_sigterm_stops_the_first_after_its_message(
    commune: str, tmp_path: Path
) -> None:
    with ocop.open(commune) as registry:
        Outbox(registry.database).add(
            [
                Message(dedupe_key=f"t:{i}", kind="digest", recipient=f"r{i}@x.vn", context=DIGEST)
                for i in range(30)
            ],
            SATURDAY - timedelta(hours=1),
        )
    box = Mailbox(per_message_delay=0.3)
    with smtp_server(box) as (host, port):
        env = at(environment(tmp_path, commune, OCOP_SMTP_URL=f"smtp://{host}:{port}"), SATURDAY)
        running = subprocess.Popen(
            [ocop_command(), "daemon", "--drain-every", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        try:
            deadline = time.monotonic() + 60
            while not box.received and time.monotonic() < deadline:
                assert running.poll() is None, running.communicate()
                time.sleep(0.05)
            second = daemon(env, "--once")
            assert second.returncode == 1
            assert "đang chạy trên" in second.stderr and "PostgreSQL" in second.stderr
            running.send_signal(signal.SIGTERM)
            _, err = running.communicate(timeout=30)
        finally:
            if running.poll() is None:
                running.kill()
        assert running.returncode == 0, err
        assert "stopped" in err
    statuses = [s for s, _, _ in outbox_rows(commune)]
    sent = statuses.count("sent")
    # What was on the wire was finished and recorded; the rest waits, none half-claimed.
    assert sent == len(box.received) >= 1
    assert set(statuses) <= {"sent", "pending"} and "pending" in statuses


@pytest.mark.postgres
def test_two_daemons_drain_one_outbox_of_1000_messages_each_sent_once(
    postgres_url: str, tmp_path: Path
) -> None:
    with ocop.open(postgres_url) as registry:
        outbox = Outbox(registry.database)
        added = outbox.add(
            [
                Message(
                    dedupe_key=f"load:{i}", kind="digest", recipient=f"r{i}@x.vn", context=DIGEST
                )
                for i in range(1000)
            ],
            datetime(2026, 6, 1, tzinfo=UTC),
        )
    assert added == 1000
    box = Mailbox(per_message_delay=0.002)
    with smtp_server(box) as (host, port):
        env = environment(tmp_path, postgres_url, OCOP_SMTP_URL=f"smtp://{host}:{port}")
        env = at(env, vietnam("2026-06-10 09:00"))
        args = ["daemon", "--once", "--batch", "20"]
        started = time.monotonic()
        workers = [
            subprocess.Popen(
                [ocop_command(), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for _ in range(2)
        ]
        results = [w.communicate(timeout=300) for w in workers]
        elapsed = time.monotonic() - started
        for worker, (_, err) in zip(workers, results, strict=True):
            assert worker.returncode == 0, err
    with ocop.open(postgres_url, upgrade=False) as registry:
        rows = Outbox(registry.database).find(limit=None)
    assert {m.status for m in rows} == {"sent"}
    ids = box.ids()
    assert len(ids) == len(rows) >= 1000 and len(set(ids)) == len(ids)
    # No plan, no sender of its own: the default sender's domain names the messages.
    assert {message_id(m.dedupe_key, "localhost") for m in rows} == set(ids)
    # Both daemons did part of the work: the claims really were shared.
    assert len({m.claimed_by for m in rows}) == 2
    print(f"1000 messages through two daemons in {elapsed:.1f} s")
