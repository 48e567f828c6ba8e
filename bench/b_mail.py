"""Rendering and sending 1 000 reminders to a loopback SMTP server vs a bare smtplib loop.

The reminders are real: dossiers of the Lưu Vệ plan whose certificates expire soon, turned into
outbox rows by the library's own reminder rules. The subject is the daemon's drain
(``Drainer.drain()``: claim in batches, render the jinja2 templates, build the MIME message,
record ``sending`` and ``sent``, talk SMTP). The floor sends the very same bytes, rendered
beforehand, with ``smtplib.SMTP.sendmail`` over one connection. The server is aiosmtpd's
``Sink`` in a process of its own, so it does not share the client's interpreter lock.
"""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from email.policy import SMTP
from email.utils import parseaddr
from pathlib import Path

import ocop
from bench import data
from bench.context import Run
from bench.harness import Result, Target, alternate, not_measured, timed
from ocop import Role
from ocop.workdays import add_months

__all__ = ["bench_mail"]


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def smtp_sink() -> Iterator[int]:
    """An aiosmtpd server that accepts and discards every message; yields its port."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"aiosmtpd did not start: {error.strip()}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _outbox_fixture(path: Path, wanted: int) -> int:
    """A SQLite file whose outbox holds ``wanted`` reminders due now; returns how many."""
    from ocop.notifications.rules import reminders_due
    from ocop.plan import luu_ve_2026
    from ocop.storage.outbox import Outbox

    plan = luu_ve_2026()
    with ocop.open(data.sqlite_url(path), clock=data.clock()) as registry:
        rules = registry.rule_set()
        # Two reminders per dossier (the producer and the commune's officer), at 30/120/180 days.
        for n in range(wanted // 2 + 1):
            reg = data.registration(n) | {"commune": plan.commune, "province": plan.province}
            expires = data.TODAY + timedelta(days=(30, 120, 180)[n % 3])
            registry.import_certified(
                reg,
                certificate_number=f"GCN-{n}",
                stars=3,
                issued_on=add_months(expires, -rules.certificate_months),
                actor=data.actor_for(reg, Role.COMMUNE_OFFICER),
            )
        dossiers = registry.find(commune=plan.commune, province=plan.province)
        found = reminders_due(
            dossiers, plan, registry.calendar, registry.now(), rule_sets=registry.rule_sets
        )
        messages = [r.message() for r in found][:wanted]
        return Outbox(registry.database).add(messages, registry.now())


def bench_mail(run: Run) -> list[Result]:
    """The drain of N reminders to aiosmtpd vs smtplib sending the same bytes."""
    try:
        from ocop.notifications.delivery import Drainer
        from ocop.notifications.render import build_email, render
        from ocop.notifications.transports import SmtpTransport
        from ocop.plan import luu_ve_2026
        from ocop.storage.outbox import Outbox
    except ImportError as exc:
        return [not_measured("mail: 1,000 reminders", f"the drain is not there yet ({exc})")]
    wanted = run.scale(1000, 200)
    reps = max(3, run.reps - 2)
    fixture = run.path("mail-fixture.db")
    count = _outbox_fixture(fixture, wanted)
    if count < wanted:
        raise RuntimeError(f"the reminder rules gave {count} messages, {wanted} wanted")
    sender = luu_ve_2026().sender or "OCOP <ocop@localhost>"
    envelope = parseaddr(sender)[1]
    now = data.clock()()
    # The floor's messages: the same rows rendered by the library, beforehand.
    with ocop.open(data.sqlite_url(fixture), upgrade=False) as registry:
        rows = Outbox(registry.database).find(limit=None, newest_first=False)
    prepared = [
        (
            row.recipient,
            build_email(
                row,
                render(row.kind, row.context, lang=row.lang, reference=str(row.id)),
                sender=sender,
                now=now,
            ).as_bytes(policy=SMTP),
        )
        for row in rows
    ]
    work = run.path("mail.db")
    with smtp_sink() as port:

        def library() -> float:
            data.copy_db(fixture, work)
            with ocop.open(data.sqlite_url(work), upgrade=False) as registry:
                drainer = Drainer(
                    Outbox(registry.database),
                    SmtpTransport("127.0.0.1", port, timeout=10),
                    sender=sender,
                    worker="bench",
                    clock=data.clock(),
                )
                outcome = []
                seconds = timed(lambda: outcome.append(drainer.drain()))
            if outcome[0].sent != count:
                raise RuntimeError(f"the drain sent {outcome[0].sent} of {count}: {outcome[0]}")
            return seconds * 1e3

        def floor() -> float:
            def send_all() -> None:
                with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                    for recipient, body in prepared:
                        smtp.sendmail(envelope, [recipient], body)

            return timed(send_all) * 1e3

        def rendering_floor() -> float:
            def render_and_send() -> None:
                with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                    for row in rows:
                        rendered = render(
                            row.kind, row.context, lang=row.lang, reference=str(row.id)
                        )
                        mail = build_email(row, rendered, sender=sender, now=now)
                        smtp.sendmail(envelope, [row.recipient], mail.as_bytes(policy=SMTP))

            return timed(render_and_send) * 1e3

        run.log(f"mail: {reps} × {count} messages each way")
        subject, floor_ms = alternate(reps, library, floor)
        _, rendering_ms = alternate(reps, lambda: 0.0, rendering_floor)
    kinds = sorted({row.kind for row in rows})
    return [
        Result(
            name=f"mail: render and send {count:,} reminders",
            unit="ms",
            samples=subject,
            floor="a bare smtplib loop sending the same messages, rendered beforehand, "
            "over one connection",
            floor_samples=floor_ms,
            target=Target("ratio_max", 3),
            note=f"Drainer.drain() with SmtpTransport on SQLite, aiosmtpd Sink in another "
            f"process; reminder kinds: {', '.join(kinds)}",
        ),
        Result(
            name="mail: same, vs rendering in the loop",
            unit="ms",
            samples=subject,
            floor="smtplib loop that renders each message with the library's render() and "
            "build_email() and serialises it (as_bytes) before sending: all but the outbox",
            floor_samples=rendering_ms,
            note="what the outbox bookkeeping (claim, sending, sent: two commits per message) "
            "adds on top of rendering and sending",
        ),
    ]
