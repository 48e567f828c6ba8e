"""Operating the daemon for real: heartbeats after ``kill -9``, previews that write nothing,
operator mistakes caught before anything is sent, mail never given up for a server's absence,
a clock set back, one lock whatever path reaches a SQLite file, and ``ocop status``.

The installed ``ocop`` runs in subprocesses, its clock set by libfaketime where the day
matters (the daemon has no option to move it); in-process tests inject a clock.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import LUU_VE_PLAN, at, environment, ocop_command, vietnam
from factories import OFFICER, Clock, digest_context, registration
from smtpserver import Mailbox, free_port, smtp_server

import ocop
from ocop.models import Message
from ocop.notifications.daemon import Daemon, DaemonSettings
from ocop.notifications.delivery import Drainer
from ocop.notifications.transports import SmtpTransport
from ocop.plan import luu_ve_2026
from ocop.storage.outbox import Outbox

DIGEST = digest_context(upcoming=[{"name": "Giao ban", "date": "2026-06-21"}])
QUEUED = datetime(2026, 6, 1, tzinfo=UTC)
JUNE = vietnam("2026-06-10 09:00")


def ocop_run(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ocop_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """A long-running ``ocop daemon``, its log in a file (a full pipe would stall it)."""
    with log.open("wb") as err:
        return subprocess.Popen(
            [ocop_command(), "daemon", *args], env=env, stdout=subprocess.DEVNULL, stderr=err
        )


def stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def queue(url: str, count: int) -> None:
    with ocop.open(url) as registry:
        added = Outbox(registry.database).add(
            [
                Message(dedupe_key=f"op:{i}", kind="digest", recipient=f"r{i}@x.vn", context=DIGEST)
                for i in range(count)
            ],
            QUEUED,
        )
    assert added == count


def rows(url: str) -> list[object]:
    with ocop.open(url, upgrade=False) as registry:
        return list(Outbox(registry.database).find(newest_first=False, limit=None))


def statuses(url: str) -> Counter[str]:
    return Counter(m.status for m in rows(url))  # type: ignore[attr-defined]


# -- heartbeats ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_kill_9_of_a_postgresql_daemon_its_claims_go_out_after_the_heartbeat_limit(
    postgres_url: str, tmp_path: Path
) -> None:
    queue(postgres_url, 8)
    killed: list[float] = []
    victim: list[subprocess.Popen[bytes]] = []

    def at_rcpt(address: str) -> str | None:
        # The first daemon dies holding the whole batch: one message sending, seven claimed.
        if victim and not killed:
            os.kill(victim[0].pid, signal.SIGKILL)
            killed.append(time.monotonic())
            return "421 4.3.0 going away"
        return None

    box = Mailbox(rcpt_answer=at_rcpt)
    with smtp_server(box) as (host, port):
        env = at(environment(tmp_path, postgres_url, OCOP_SMTP_URL=f"smtp://{host}:{port}"), JUNE)
        beat = ("--heartbeat-every", "0.5", "--batch", "8")
        first = start(env, tmp_path / "first.err", "--drain-every", "0.5", *beat)
        victim.append(first)
        assert first.wait(60) == -signal.SIGKILL, (tmp_path / "first.err").read_text()
        held = statuses(postgres_url)
        assert held == {"claimed": 7, "sending": 1}, held
        second = start(
            env, tmp_path / "second.err", "--drain-every", "0.5", "--stale-after", "3", *beat
        )
        try:
            wait_for(lambda: len(box.received) >= 7, 60, "the dead daemon's messages")
            delivered = time.monotonic()
        finally:
            assert stop(second) == 0
    log = (tmp_path / "second.err").read_text("utf-8")
    assert "recovered after a stopped daemon: 7 requeued, 1 marked uncertain" in log
    # Not before the heartbeat limit (3 s, less a few ms of clock granularity), and within a
    # few drains after it.
    assert 2.9 <= delivered - killed[0] <= 3 + 20, delivered - killed[0]
    assert statuses(postgres_url) == {"sent": 7, "uncertain": 1}
    got = Counter(r.rcpt_tos[0] for r in box.received)
    assert len(got) == 7 and set(got.values()) == {1}  # each exactly once
    print(f"heartbeat: a dead daemon's 7 claims delivered {delivered - killed[0]:.1f} s after kill")


@pytest.mark.postgres
def test_once_never_takes_the_claims_of_a_daemon_whose_heartbeat_is_fresh(
    postgres_url: str, tmp_path: Path
) -> None:
    queue(postgres_url, 10)
    box = Mailbox(per_message_delay=0.4)
    with smtp_server(box) as (host, port):
        env = at(environment(tmp_path, postgres_url, OCOP_SMTP_URL=f"smtp://{host}:{port}"), JUNE)
        running = start(
            env, tmp_path / "run.err", "--drain-every", "0.5", "--heartbeat-every", "0.5"
        )
        try:
            wait_for(lambda: len(box.received) >= 1, 60, "the first message")
            # The running daemon holds the batch for about 4 s; the heartbeat says it lives.
            once = ocop_run(
                env, "daemon", "--once", "--heartbeat-every", "0.5", "--stale-after", "1"
            )
            assert once.returncode == 0, once.stderr
            assert "Gửi: 0;" in once.stdout and "recovered" not in once.stderr
            wait_for(lambda: len(box.received) >= 10, 60, "all ten messages")
        finally:
            assert stop(running) == 0
    assert statuses(postgres_url) == {"sent": 10}
    assert sorted(Counter(r.rcpt_tos[0] for r in box.received).values()) == [1] * 10


# -- time travel is a preview -------------------------------------------------------------


@pytest.fixture
def certified(tmp_path: Path) -> str:
    """A SQLite file with a 3★ certificate issued 1/7/2025, so expiring 1/7/2028."""
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    with ocop.open(url, clock=Clock(date(2026, 3, 2))) as registry:
        registry.import_certified(
            registration(),
            certificate_number="12/QĐ-UBND",
            stars=3,
            issued_on=date(2025, 7, 1),
            actor=OFFICER,
        )
        _users(registry)
    return url


def _users(registry: ocop.Registry) -> None:
    """An administrator (who may preview the daemon's work) and the commune's officer."""
    registry.add_user({"username": "quantri", "full_name": "Quản trị", "role": "admin"})
    registry.add_user(
        {
            "username": "lan",
            "full_name": "Lan",
            "role": "commune_officer",
            "commune": OFFICER.commune,
            "province": OFFICER.province,
        }
    )


def database_bytes(url: str) -> dict[str, bytes]:
    """The database file and its WAL and shared-memory files, as they are on disk."""
    path = Path(url.removeprefix("sqlite:///"))
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file()}


def test_as_of_previews_and_never_rewrites_reality(certified: str, tmp_path: Path) -> None:
    env = environment(tmp_path, certified, OCOP_PLAN=LUU_VE_PLAN, OCOP_USER="quantri")
    before = database_bytes(certified)
    refused = ocop_run(env, "daemon", "--once", "--as-of", "2028-07-01")
    assert refused.returncode == 2 and "--dry-run" in refused.stderr
    preview = ocop_run(env, "daemon", "--dry-run", "--as-of", "2028-07-02")
    assert preview.returncode == 0, preview.stderr
    assert "Chạy thử ngày 02/07/2028 — không ghi, không gửi gì." in preview.stdout
    # The re-rating would be flagged (the certificate lapses after its grace, in December).
    assert "#1 Nem chua Minh Anh: Đã công nhận → Đến hạn đánh giá lại\n" in preview.stdout
    assert "Chứng nhận đã hết hạn → minhanh@example.vn" in preview.stdout
    found = json.loads(
        ocop_run(env, "daemon", "--dry-run", "--as-of", "2028-07-02", "--json").stdout
    )
    assert [(f["trigger"], f["to_state"]) for f in found["fire"]] == [
        ("flag_recertification", "recertification_due")
    ]
    lapsed = ocop_run(env, "daemon", "--dry-run", "--as-of", "2029-01-05", "--json").stdout
    assert [(f["trigger"], f["to_state"]) for f in json.loads(lapsed)["fire"]] == [
        ("expire", "expired")
    ]
    reminded = {(r["kind"], r["recipient"], r["queued"]) for r in found["reminders"]}
    assert ("certificate_expired", "minhanh@example.vn", False) in reminded
    assert database_bytes(certified) == before
    assert not (tmp_path / ".local").exists()  # no mail folder either
    with ocop.open(certified, upgrade=False) as registry:
        assert registry.history(1)[-1].trigger == "import_certified"


def test_a_clock_set_back_neither_refires_nor_resends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    with ocop.open(url, clock=Clock(date(2026, 7, 10))) as registry:
        registry.register(registration(), actor=OFFICER)
    clock = Clock()
    settings = DaemonSettings(
        database=url, plan=luu_ve_2026(), mail=str(tmp_path / "mail"), clock=clock
    )
    caplog.set_level(logging.WARNING, "ocop.daemon")
    with Daemon(settings, mode="once") as daemon:
        clock.now = vietnam("2026-07-29 10:00")  # 3 days before the window opens
        queued = daemon.sweep().queued
        assert queued >= 2  # the 3-day reminder to the office and the producer, and more
        sent = daemon.drain().sent
        clock.now = vietnam("2026-07-18 10:00")  # set back: the 14-day reminder's day
        assert daemon.sweep().queued == 0
        assert "is behind the last sweep" in caplog.text
        clock.now = vietnam("2026-07-29 11:00")
        assert daemon.sweep().queued == 0
        assert daemon.drain().sent == 0
    keys = [m.dedupe_key for m in rows(url)]  # type: ignore[attr-defined]
    assert len(keys) == sent == queued + 1  # and the registration's notice
    assert sum(k.startswith("window_opening:3d|") for k in keys) == 2
    assert not any(k.startswith("window_opening:14d|") for k in keys)


# -- mail never given up silently ---------------------------------------------------------


def test_a_long_outage_fails_nothing_and_a_reminder_past_its_day_expires(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    clock = Clock(date(2026, 6, 1))
    with ocop.open(url, clock=clock) as registry:
        outbox = Outbox(registry.database)
        outbox.add(
            [
                Message(dedupe_key="notice", kind="digest", recipient="a@x.vn", context=DIGEST),
                Message(
                    dedupe_key="reminder",
                    kind="digest",
                    recipient="b@x.vn",
                    context=DIGEST,
                    expires_at=clock.now + timedelta(hours=6),
                ),
            ],
            clock.now,
        )
        port = free_port()
        transport = SmtpTransport("127.0.0.1", port, timeout=1)
        drain = Drainer(outbox, transport, sender="ocop@x.vn", worker="w", clock=clock)
        delays = []
        for _ in range(20):
            result = drain.drain()
            assert result.failed == 0
            notice = outbox.find(kind="digest", limit=None, newest_first=False)[0]
            delays.append(notice.next_attempt_at - clock.now)
            clock.now = notice.next_attempt_at
        notice, reminder = outbox.find(limit=None, newest_first=False)
        assert (notice.status, notice.attempts) == ("retry", 20)
        assert max(delays) == timedelta(hours=1)  # 1, 2, 4 … minutes, then an hour at most
        assert reminder.status == "expired"
        assert (reminder.last_error or "").startswith("its day passed before a mail server")
        assert "connection refused" in (reminder.last_error or "")
        box = Mailbox()
        with smtp_server(box, port=port):
            assert drain.drain().sent == 1
    assert [r.rcpt_tos for r in box.received] == [["a@x.vn"]]
    assert "failed" not in {m.status for m in rows(url)}  # type: ignore[attr-defined]


# -- operator mistakes --------------------------------------------------------------------


@pytest.fixture
def base(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """The environment of an ``ocop`` child on an existing SQLite file, and that file."""
    path = tmp_path / "ocop.db"
    url = f"sqlite:///{path}"
    with ocop.open(url, clock=Clock(date(2026, 7, 10))) as registry:
        registry.register(registration(), actor=OFFICER)
        _users(registry)
    yield environment(tmp_path, url, OCOP_USER="quantri"), path


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--smtp", "stmp://ocop:s3cret@mail.example:587"), "smtp://, smtp+starttls://, smtps://"),
        (("--smtp", "smtp//ocop:s3cret@mail.example"), "smtp://"),
        (("--smtp", "smtp://127.0.0.1:25", "--from", "Phòng Kinh tế"), "--from"),
        (("--smtp", "smtp://127.0.0.1:25", "--from", "a,evil@x.example"), "--from"),
        (("--maildir", "stmp://ocop:s3cret@x"), "--maildir"),
        (("--password-file", "/nonexistent/pw"), "/nonexistent/pw"),
        (("--sweep-every", "0"), "--sweep-every"),
        (("--heartbeat-every", "10", "--stale-after", "15"), "--stale-after"),
    ],
)
def test_an_operators_mistake_is_refused_before_anything_is_written(
    base: tuple[dict[str, str], Path], tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    env, path = base
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    done = ocop_run(env, "daemon", "--once", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert says in line and "s3cret" not in line
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert path.exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_password_comes_from_a_file_and_the_scheme_ignores_case(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    from smtpserver import authenticator

    env, _ = base
    secret = tmp_path / "smtp-password"
    secret.write_text("Mật/khẩu@xã\n", "utf-8")
    box = Mailbox()
    server = {
        "authenticator": authenticator("lan", "Mật/khẩu@xã"),
        "auth_required": True,
        "auth_require_tls": False,
    }
    with smtp_server(box, **server) as (host, port):
        url = f"SMTP://lan@{host}:{port}"
        done = ocop_run(env, "daemon", "--once", "--smtp", url, "--password-file", str(secret))
        assert done.returncode == 0, done.stderr
        wrong = ocop_run(
            env | {"OCOP_SMTP_PASSWORD": "sai/mật@khẩu"}, "daemon", "--once", "--smtp", url
        )
    assert [r.rcpt_tos for r in box.received] == [["minhanh@example.vn"]]
    assert "Mật/khẩu" not in done.stderr + done.stdout
    assert wrong.returncode == 0  # nothing was left to send
    assert "sai/mật" not in wrong.stderr + wrong.stdout


def test_the_log_says_plan_sender_and_transport_first_with_iso_times(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, path = base
    folder = tmp_path / "mail"
    done = ocop_run(
        env | {"OCOP_PLAN": LUU_VE_PLAN},
        "daemon",
        "--once",
        "--maildir",
        str(folder),
        "--from",
        "Phòng Kinh tế <pkt@luuve.example>",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00 (INFO|WARNING|ERROR) "
    assert lines and all(re.match(stamp, line) for line in lines), lines
    first = lines[0]
    assert f"on sqlite:///{path}" in first and "(once)" in first
    assert f"plan of Lưu Vệ, Thanh Hóa 2026 from {LUU_VE_PLAN}" in first
    assert "from Phòng Kinh tế <pkt@luuve.example>" in first
    assert f"writes .eml files into {folder}" in first
    helped = ocop_run(env, "daemon", "--help").stdout
    assert "~/.local/share/ocop/mail" in " ".join(helped.split())


# -- one daemon per SQLite file, whatever the path ----------------------------------------


def test_the_sqlite_lock_holds_through_a_symlink_a_relative_path_and_a_file_uri(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, path = base
    link = tmp_path / "link.db"
    link.symlink_to(path)
    log = tmp_path / "first.err"
    first = start(env, log, "--maildir", str(tmp_path / "mail"), "--drain-every", "0.5")
    try:
        wait_for(lambda: "ocop daemon" in log.read_text("utf-8"), 60, "the first daemon")
        for db, cwd in (
            (str(link), None),
            ("ocop.db", tmp_path),
            (f"sqlite:///file:{path}?uri=true", None),
        ):
            second = ocop_run(env | {"OCOP_DATABASE": db}, "daemon", "--once", cwd=cwd)
            assert second.returncode == 1, (db, second.stderr)
            assert "Một tiến trình nền ocop khác" in second.stderr, db
            assert f"pid {first.pid}" in second.stderr
    finally:
        assert stop(first) == 0


def test_a_lock_file_replaced_by_a_link_to_the_database_harms_nothing(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, path = base
    lock = Path(f"{path}.daemon.lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(path)
    before = path.read_bytes()
    done = ocop_run(env, "daemon", "--once", "--maildir", str(tmp_path / "mail"))
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert "là một liên kết tượng trưng; xoá nó rồi chạy lại" in line and str(lock) in line
    assert path.read_bytes() == before


def test_only_who_sees_every_area_previews_the_daemon(certified: str, tmp_path: Path) -> None:
    env = environment(tmp_path, certified, OCOP_PLAN=LUU_VE_PLAN)
    before = database_bytes(certified)
    nobody = ocop_run(env, "daemon", "--dry-run")
    assert nobody.returncode == 2 and "--as" in nobody.stderr, nobody.stderr
    officer = ocop_run({**env, "OCOP_USER": "lan"}, "daemon", "--dry-run")
    assert officer.returncode == 1 and not officer.stdout
    assert officer.stderr.strip() == (
        "ocop daemon: Chỉ quản trị hoặc cán bộ Trung ương mới được xem trước việc của dịch vụ "
        "gửi thư (thư của mọi địa bàn); lan là cán bộ xã."
    )
    english = ocop_run({**env, "OCOP_USER": "lan", "OCOP_LANG": "en"}, "daemon", "--dry-run")
    assert "administrator or central officer may preview" in english.stderr, english.stderr
    assert database_bytes(certified) == before


# -- ocop status --------------------------------------------------------------------------


def test_status_shows_each_daemons_heartbeat_and_the_oldest_waiting_message(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = base
    down = f"smtp://127.0.0.1:{free_port()}?timeout=1"
    waited = ocop_run(env, "daemon", "--once", "--smtp", down)
    assert waited.returncode == 3, waited.stderr
    assert "Còn chờ: 0." in waited.stdout and "chờ gửi lại: 1" in waited.stdout
    shown = ocop_run(env, "status")
    assert shown.returncode == 0, shown.stderr
    assert "Dịch vụ (0 chưa dừng):" in shown.stdout and "đã dừng" in shown.stdout
    assert "chờ gửi lại: 1" in shown.stdout
    assert "Thư chờ lâu nhất: số 1 (Tiếp nhận hồ sơ) → minhanh@example.vn" in shown.stdout
    assert "connection refused" in shown.stdout
    data = json.loads(ocop_run(env, "status", "--json").stdout)
    (daemon,) = data["daemons"]
    assert daemon["mode"] == "once" and daemon["health"] == "stopped"
    assert daemon["transport"].startswith("smtp://127.0.0.1:")
    assert data["outbox"] == {"retry": 1} and data["oldest_waiting"]["attempts"] == 1
    english = ocop_run(env, "status", "--lang", "en").stdout
    assert "Oldest waiting: message 1 (Dossier received)" in english
    # Anyone active sees the daemons; the outbox only within their area, and nobody nothing.
    nobody = ocop_run({k: v for k, v in env.items() if k != "OCOP_USER"}, "status")
    assert nobody.returncode == 2 and "--as" in nobody.stderr and not nobody.stdout
    with ocop.open(env["OCOP_DATABASE"]) as registry:
        registry.add_user(
            {
                "username": "an",
                "full_name": "An",
                "role": "commune_officer",
                "commune": OFFICER.commune,
                "province": "Hà Nội",
            }
        )
    elsewhere = json.loads(ocop_run({**env, "OCOP_USER": "an"}, "status", "--json").stdout)
    assert elsewhere["outbox"] == {} and elsewhere["oldest_waiting"] is None
    assert [d["mode"] for d in elsewhere["daemons"]] == ["once"]
    own = json.loads(ocop_run({**env, "OCOP_USER": "lan"}, "status", "--json").stdout)
    assert own["outbox"] == {"retry": 1}


def test_status_tells_a_live_daemon_from_a_silent_one(
    base: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = base
    log = tmp_path / "run.err"
    running = start(env, log, "--maildir", str(tmp_path / "mail"), "--heartbeat-every", "0.5")
    try:
        wait_for(lambda: "ocop daemon" in log.read_text("utf-8"), 60, "the daemon")
        alive = json.loads(ocop_run(env, "status", "--json").stdout)["daemons"]
        assert [d["health"] for d in alive] == ["alive"]
        running.send_signal(signal.SIGSTOP)  # frozen: its heartbeat stops
        try:
            time.sleep(2)
            silent = json.loads(ocop_run(env, "status", "--json", "--stale-after", "1").stdout)
            assert [d["health"] for d in silent["daemons"]] == ["silent"]
        finally:
            running.send_signal(signal.SIGCONT)
    finally:
        assert stop(running) == 0
    stopped = json.loads(ocop_run(env, "status", "--json").stdout)["daemons"]
    assert [d["health"] for d in stopped] == ["stopped"]


def test_the_heartbeat_thread_keeps_beating_during_a_long_job(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    settings = DaemonSettings(
        database=url,
        plan=None,
        mail=str(tmp_path / "mail"),
        heartbeat_every=timedelta(seconds=0.2),
    )
    with Daemon(settings) as daemon:
        first = daemon.heartbeats.all()[0].beat_at
        with daemon._jobs:  # a job that holds the daemon for a second
            threading.Event().wait(1.0)
        later = daemon.heartbeats.all()[0].beat_at
    assert later - first >= timedelta(seconds=0.6)
