"""The drain writes one message's ``sent`` with the next one's ``sending``: one commit each.

What the mail server saw and what the outbox says must still agree at every moment that can
be observed, and a daemon killed between a server's answer and that commit leaves the message
``uncertain`` (never lost, never resent unseen) and the next one waiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import event
from test_notif_render import year_of_messages

import ocop
from ocop.models import Message
from ocop.notifications.delivery import Drainer
from ocop.storage.outbox import Outbox

NOW = datetime(2026, 7, 18, 1, tzinfo=UTC)
SENDER = "OCOP <ocop@luuve.example>"


def _messages(n: int) -> list[Message]:
    kinds = list(year_of_messages().values())
    return [
        kinds[i % len(kinds)].model_copy(
            update={
                "dedupe_key": f"drain:{i}",
                "recipient": f"r{i}@x.vn",
                "dossier_id": None,
                "not_before": None,
                "expires_at": None,
            }
        )
        for i in range(n)
    ]


class Watching:
    """A transport that notes, at each send, what the outbox says of every message."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.seen: list[tuple[str, dict[str, str]]] = []

    name = "watching"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(self, message: EmailMessage, recipient: str, sender: str) -> None:
        statuses = {m.recipient: m.status for m in self.outbox.find(limit=None)}
        self.seen.append((recipient, statuses))


def test_each_message_is_sending_when_offered_and_the_one_before_already_sent(
    db_url: str,
) -> None:
    with ocop.open(db_url) as registry:
        outbox = Outbox(registry.database)
        outbox.add(_messages(5), NOW)
        transport = Watching(outbox)
        commits: list[int] = []
        event.listen(registry.database.engine, "commit", lambda conn: commits.append(1))
        result = Drainer(
            outbox, transport, sender=SENDER, worker="w", clock=lambda: NOW, batch=3
        ).drain()
        assert result.sent == 5
        for index, (recipient, statuses) in enumerate(transport.seen):
            assert recipient == f"r{index}@x.vn"
            expected = {f"r{i}@x.vn": "sent" for i in range(index)}
            expected[recipient] = "sending"
            batch_end = 3 if index < 3 else 5
            expected |= {f"r{i}@x.vn": "claimed" for i in range(index + 1, batch_end)}
            expected |= {f"r{i}@x.vn": "pending" for i in range(batch_end, 5)}
            assert statuses == expected
        assert outbox.counts() == {"sent": 5}
        # recover + expire + 3 claims (the last finds nothing) + one commit a message + the
        # last message of each batch recorded alone (two commits a message before: 15).
        assert len(commits) == 2 + 3 + 5 + 2


def test_sent_then_start_moves_only_what_the_worker_holds(db_url: str) -> None:
    with ocop.open(db_url) as registry:
        outbox = Outbox(registry.database)
        outbox.add(_messages(3), NOW)
        a, b, c = (m.id for m in outbox.claim("w", NOW, limit=3))
        assert outbox.start(a, "w", NOW)
        assert outbox.sent_then_start(a, NOW, b, "w", NOW) == (True, True)
        assert outbox.sent_then_start(a, NOW, c, "other", NOW) == (False, False)
        assert [outbox.get(i).status for i in (a, b, c)] == ["sent", "sending", "claimed"]


def test_a_daemon_killed_after_the_servers_answer_leaves_that_message_uncertain(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ocop.db'}"
    with ocop.open(url) as registry:
        Outbox(registry.database).add(_messages(3), NOW)
    # The second message's rendering is where the process dies: the first has been accepted
    # by the server and its ``sent`` waits for the second one's commit.
    script = textwrap.dedent(
        f"""
        import os, sys
        from datetime import UTC, datetime
        import ocop
        from ocop.notifications import delivery
        from ocop.notifications.delivery import Drainer
        from ocop.storage.outbox import Outbox
        from ocop.notifications.transports import FolderTransport
        real = delivery.render
        calls = []
        def render(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                os._exit(9)
            return real(*args, **kwargs)
        delivery.render = render
        now = datetime(2026, 7, 18, 1, tzinfo=UTC)
        with ocop.open({url!r}, upgrade=False) as registry:
            Drainer(Outbox(registry.database), FolderTransport({str(tmp_path / "mail")!r}),
                    sender={SENDER!r}, worker="dead", clock=lambda: now).drain()
        """
    )
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=60)
    assert done.returncode == 9
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    with ocop.open(url, upgrade=False) as registry:
        outbox = Outbox(registry.database)
        before = {m.recipient: m.status for m in outbox.find(limit=None)}
        assert before == {"r0@x.vn": "sending", "r1@x.vn": "claimed", "r2@x.vn": "claimed"}
        assert outbox.abandon() == (2, 1)
        after = {m.recipient: m.status for m in outbox.find(limit=None)}
        assert after == {"r0@x.vn": "uncertain", "r1@x.vn": "pending", "r2@x.vn": "pending"}


@pytest.mark.parametrize("stop_after", [1, 2])
def test_a_batch_cut_short_still_records_what_the_server_took(
    sqlite_url: str, stop_after: int
) -> None:
    with ocop.open(sqlite_url) as registry:
        outbox = Outbox(registry.database)
        outbox.add(_messages(4), NOW)
        transport = Watching(outbox)
        drainer = Drainer(outbox, transport, sender=SENDER, worker="w", clock=lambda: NOW)

        def progress(attempted: int) -> None:
            if attempted == stop_after:
                drainer.stop.set()

        result = drainer.drain(progress=progress)
        assert (result.sent, result.released) == (stop_after, 4 - stop_after)
        assert outbox.counts() == {"sent": stop_after, "pending": 4 - stop_after}
