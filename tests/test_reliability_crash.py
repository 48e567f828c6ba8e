"""``kill -9`` of the installed ``ocop daemon`` in the middle of its work, then a restart.

The drain: an outbox of several hundred messages goes to a real SMTP server on loopback; the
daemon is killed while the server holds a message before answering it, while it holds one before
the body, and at a moment picked from outside. After the restarts every message has arrived,
none is lost, and the only duplicates are messages that were on the wire at a kill: each is the
same message with the same Message-ID, and there is at most one per kill.

The sweep: hundreds of certified dossiers fall due for ``flag_recertification`` or ``expire`` on
the same day; the daemon is killed several times while it fires them. After each kill no
transition is half-written (the history replays to the state, the version counts the rows), and
the runs that follow end exactly where one uninterrupted run ends.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from cli_helpers import LUU_VE_PLAN, at, environment, ocop_command, vietnam
from factories import OFFICER, Clock, digest_context
from smtpserver import Mailbox, smtp_server

import ocop
from ocop.models import Message
from ocop.notifications.render import message_id
from ocop.storage.outbox import Outbox

DOMAIN = "localhost"  # no plan named: the default sender names the messages
MESSAGES = 400
DOSSIERS = 500
MONDAY = vietnam("2026-07-20 10:00")
"""The day the daemon runs on (its clock set by libfaketime): after the morning digest's hour."""
DIGEST = digest_context(upcoming=[{"name": "Giao ban", "date": "2026-07-21"}])


@dataclass
class Run:
    """One ``ocop daemon`` subprocess, its output in files (a full pipe would stall it)."""

    process: subprocess.Popen[bytes]
    log: Path
    streams: list[IO[bytes]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            for stream in self.streams:
                stream.close()
        return code

    def err(self) -> str:
        return self.log.read_text("utf-8", "replace")


def start(env: dict[str, str], folder: Path, name: str, *args: str) -> Run:
    out = (folder / f"{name}.out").open("wb")
    err = (folder / f"{name}.err").open("wb")
    process = subprocess.Popen(
        [ocop_command(), "daemon", *args], env=env, stdout=out, stderr=err, cwd=folder
    )
    return Run(process, folder / f"{name}.err", [out, err])


def wait_for(condition: Callable[[], bool], timeout: float, what: str, run: Run | None) -> None:
    """Poll ``condition`` every 10 ms for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if run is not None and run.process.poll() is not None:
            raise AssertionError(f"the daemon ended before {what}:\n{run.err()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def outbox_rows(url: str) -> list[Any]:
    with ocop.open(url, upgrade=False) as registry:
        return Outbox(registry.database).find(newest_first=False, limit=None)


# -- the drain ---------------------------------------------------------------------------


@pytest.fixture
def loaded(tmp_path: Path) -> str:
    """A SQLite database whose outbox holds MESSAGES messages, all due."""
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    with ocop.open(url) as registry:
        # The officer who resends what a kill left uncertain (`ocop --as root outbox retry`).
        registry.add_user({"username": "root", "full_name": "Quản trị", "role": "admin"})
        added = Outbox(registry.database).add(
            [
                Message(
                    dedupe_key=f"crash:{i}", kind="digest", recipient=f"r{i}@x.vn", context=DIGEST
                )
                for i in range(MESSAGES)
            ],
            datetime(2026, 7, 1, tzinfo=UTC),
        )
    assert added == MESSAGES
    return url


class Killer:
    """Kills the daemon from inside the SMTP server, at the moment the server chooses."""

    def __init__(self) -> None:
        self.run: Run | None = None
        self.at: int | None = None
        self.where = ""
        self.done: list[tuple[str, str]] = []  # (where, recipient) of each kill

    def arm(self, run: Run, at: int, where: str) -> None:
        self.run, self.at, self.where = run, at, where

    def maybe(self, where: str, count: int, recipient: str) -> None:
        armed = self.run is not None and self.at is not None
        if armed and where == self.where and count >= (self.at or 0):
            assert self.run is not None
            os.kill(self.run.pid, signal.SIGKILL)
            self.done.append((where, recipient))
            self.run = None


def test_kill_9_mid_drain_loses_no_message_and_doubles_only_the_one_in_flight(
    loaded: str, tmp_path: Path
) -> None:
    killer = Killer()
    rcpts: list[str] = []
    box = Mailbox(per_message_delay=0.002)

    def at_rcpt(address: str) -> str | None:
        rcpts.append(address)
        killer.maybe("rcpt", len(rcpts), address)
        return None

    box.rcpt_answer = at_rcpt
    box.on_message = lambda got: killer.maybe("data", len(box.received), got.rcpt_tos[0])
    with smtp_server(box) as (host, port):
        env = at(environment(tmp_path, loaded, OCOP_SMTP_URL=f"smtp://{host}:{port}"), MONDAY)
        once = ("--once", "--batch", "20")
        runs: list[Run] = []

        # 1. Killed while the server holds a message's body and has not answered yet: the
        #    message arrived, the daemon never heard so.
        run = start(env, tmp_path, "run1", *once)
        runs.append(run)
        killer.arm(run, len(box.received) + 60, "data")
        assert run.wait(60) == -signal.SIGKILL, run.err()
        # 2. Killed between RCPT and DATA: the message in flight never arrived.
        run = start(env, tmp_path, "run2", *once)
        runs.append(run)
        killer.arm(run, len(rcpts) + 60, "rcpt")
        assert run.wait(60) == -signal.SIGKILL, run.err()
        # 3. Killed from outside at whatever it is doing: claiming, writing, sending.
        run = start(env, tmp_path, "run3", *once)
        runs.append(run)
        target = len(box.received) + 90
        wait_for(lambda: len(box.received) >= target, 60, "90 more messages", run)
        run.kill()
        assert run.wait(30) == -signal.SIGKILL
        assert [where for where, _ in killer.done] == ["data", "rcpt"]

        before = Counter(m.status for m in outbox_rows(loaded))
        assert before["sent"] < MESSAGES  # the kills really landed mid-drain
        # 4. A restart finishes the work; what was on the wire at a kill is uncertain, not resent.
        run = start(env, tmp_path, "run4", *once)
        assert run.wait(120) == 0, run.err()
        assert "recovered after a stopped daemon" in run.err()
        rows = outbox_rows(loaded)
        statuses = Counter(m.status for m in rows)
        uncertain = [m for m in rows if m.status == "uncertain"]
        assert set(statuses) <= {"sent", "uncertain"}, statuses
        # One message was in flight at each kill from the server; maybe one at the third.
        assert 2 <= len(uncertain) <= 3, statuses
        killed = {recipient for _, recipient in killer.done}
        assert killed <= {m.recipient for m in uncertain}
        # 5. The officer sends the uncertain ones again (`ocop outbox retry`).
        retry = subprocess.run(
            [ocop_command(), "--as", "root", "outbox", "retry", *(str(m.id) for m in uncertain)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert retry.returncode == 0, retry.stderr
        run = start(env, tmp_path, "run5", *once)
        assert run.wait(60) == 0, run.err()

    rows = outbox_rows(loaded)
    assert {m.status for m in rows} == {"sent"}
    expected = {message_id(m.dedupe_key, DOMAIN): m for m in rows}
    received = Counter(box.ids())
    assert set(received) == set(expected)  # every message arrived: none lost
    doubled = {ident for ident, n in received.items() if n > 1}
    assert max(received.values()) <= 2
    # Only messages that were on the wire at a kill came twice, with the same Message-ID.
    assert {expected[ident].recipient for ident in doubled} <= {m.recipient for m in uncertain}
    assert len(doubled) <= len(uncertain) <= 3
    data_kill = killer.done[0][1]
    assert message_id(f"crash:{data_kill.removeprefix('r').split('@')[0]}", DOMAIN) in doubled
    rcpt_kill = killer.done[1][1]
    assert received[message_id(f"crash:{rcpt_kill[1:].split('@')[0]}", DOMAIN)] == 1
    print(
        f"drain: {len(rows)} messages, 3 kill -9, {len(uncertain)} in flight, "
        f"{len(doubled)} duplicate(s), {sum(received.values())} deliveries, 0 lost"
    )


# -- the sweep ---------------------------------------------------------------------------


def _products(count: int) -> Iterator[dict[str, Any]]:
    # Issue dates spread over two years: by 20/7/2026 some certificates have expired, some
    # are in their re-rating window, some neither.
    for i in range(count):
        yield {
            "registration": {
                "product_name": f"Sản phẩm thử {i}",
                "product_set": 8,
                "producer": {"name": f"Cơ sở {i}"},
                "commune": "Lưu Vệ",
                "province": "Thanh Hóa",
            },
            "certificate_number": f"GCN-{i:04d}",
            "stars": 3,
            "issued_on": date(2022, 9, 1) + timedelta(days=(i * 7) % 600),
        }


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _fired(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM ocop_history"
                " WHERE trigger IN ('expire', 'flag_recertification')"
            ).fetchone()[0]
        )


def _consistent(url: str) -> dict[int, list[tuple[str, str | None, str]]]:
    """Check that no transition is half-written; returns each dossier's history."""
    found = {}
    with ocop.open(url, upgrade=False) as registry:
        for dossier in registry.find():
            history = registry.history(dossier.id)
            assert [h.version for h in history] == list(range(1, dossier.version + 1))
            state = None
            for entry in history:
                assert entry.from_state == state
                state = entry.to_state
            assert state is dossier.state, dossier.id
            found[dossier.id] = [
                (h.trigger, h.from_state and h.from_state.value, h.to_state.value) for h in history
            ]
    return found


def test_kill_9_mid_sweep_half_fires_nothing_and_the_next_sweep_finishes(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    with ocop.open(f"sqlite:///{base}", clock=Clock(date(2026, 7, 1))) as registry:
        registry.import_certified_many(list(_products(DOSSIERS)), actor=OFFICER)
        registry.add_user({"username": "root", "full_name": "Quản trị", "role": "admin"})
    reference, crashed = tmp_path / "reference.db", tmp_path / "crashed.db"
    _copy(base, reference)
    _copy(base, crashed)
    args = ("--once",)

    # What one uninterrupted run does, with the plan's reminders.
    ref_url = f"sqlite:///{reference}"
    ref_env = at(environment(tmp_path, ref_url, OCOP_PLAN=LUU_VE_PLAN), MONDAY)
    run = start(ref_env, tmp_path, "ref", *args, "--maildir", "ref-mail")
    assert run.wait(120) == 0, run.err()
    due = _fired(reference)
    assert due > 200, due  # enough system transitions to kill in the middle of
    # The log says what the daemon did, not what the state machine library did for each one.
    assert f"sweep: {due} transition(s) fired" in run.err()
    assert len(run.err().splitlines()) < due

    url = f"sqlite:///{crashed}"
    env = at(environment(tmp_path, url, OCOP_PLAN=LUU_VE_PLAN), MONDAY)
    kills = 0
    progress = []
    for n in range(3):
        before = _fired(crashed)
        run = start(env, tmp_path, f"sweep{n}", *args, "--maildir", "mail")
        target = before + 60
        wait_for(lambda t=target: _fired(crashed) >= t, 60, f"{target} transitions", run)  # type: ignore[misc]
        run.kill()
        assert run.wait(30) == -signal.SIGKILL
        kills += 1
        progress.append(_fired(crashed))
        _consistent(url)  # after each kill: every transition whole or absent
    assert progress[-1] < due, progress  # the kills landed before the sweep was done
    run = start(env, tmp_path, "final", *args, "--maildir", "mail")
    assert run.wait(120) == 0, run.err()
    # A kill while a message was being written leaves it uncertain; the officer resends it.
    uncertain = [str(m.id) for m in outbox_rows(url) if m.status == "uncertain"]
    assert len(uncertain) <= kills
    if uncertain:
        retry = subprocess.run(
            [ocop_command(), "--as", "root", "outbox", "retry", *uncertain],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert retry.returncode == 0, retry.stderr
        run = start(env, tmp_path, "resend", *args, "--maildir", "mail")
        assert run.wait(120) == 0, run.err()

    # The interrupted runs end where the uninterrupted one did: the same transitions, each
    # once, the same messages, each sent.
    crashed_history = _consistent(url)
    assert crashed_history == _consistent(ref_url)
    transitions = sum(len(h) - 1 for h in crashed_history.values())
    assert transitions == due
    keys = {m.dedupe_key: m.status for m in outbox_rows(url)}
    assert keys.keys() == {m.dedupe_key for m in outbox_rows(ref_url)}
    assert set(keys.values()) == {"sent"}
    files = {p.name for p in (tmp_path / "mail").glob("*.eml")}
    assert files == {p.name for p in (tmp_path / "ref-mail").glob("*.eml")}
    print(
        f"sweep: {DOSSIERS} dossiers, {kills} kill -9 after {progress} transitions, "
        f"{transitions} transitions and {len(keys)} messages as in one uninterrupted run"
    )
