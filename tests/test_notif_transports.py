"""Transports against a real SMTP server on loopback, and the drain's handling of each failure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from smtpserver import Mailbox, authenticator, free_port, self_signed, smtp_server

import ocop
from ocop.errors import InvalidInput
from ocop.models import Message
from ocop.notifications.delivery import Backoff, Drainer
from ocop.notifications.transports import (
    FolderTransport,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    UncertainFailure,
    transport_from_url,
)
from ocop.storage.outbox import Outbox

SENDER = "ocop@luuve.example"


def mail(n: int = 1, body: str = "Xin chào\n.dòng bắt đầu bằng dấu chấm\n") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Thử nghiệm số {n}"
    message["From"] = SENDER
    message["To"] = "lan@luuve.example"
    message["Message-ID"] = f"<test.{n}@luuve.example>"
    message.set_content(body)
    return message


def test_smtp_urls() -> None:
    plain = SmtpTransport.from_url("smtp://mail.example")
    assert (plain.host, plain.port, plain.security) == ("mail.example", 25, "none")
    tls = SmtpTransport.from_url("smtp+starttls://lan%40x:p%2Fw@mail.example?timeout=5")
    assert (tls.port, tls.security, tls.username, tls.password, tls.timeout) == (
        587,
        "starttls",
        "lan@x",
        "p/w",
        5.0,
    )
    assert tls.name == "smtp+starttls://lan@x@mail.example:587"  # never the password
    ssl = SmtpTransport.from_url("smtps://u:p@mail.example:2465?verify=0&helo=ocop.local")
    assert (ssl.port, ssl.security, ssl.verify, ssl.helo) == (2465, "ssl", False, "ocop.local")
    with pytest.raises(InvalidInput, match=r"'http://u:\*\*\*@mail\.example' is not an SMTP"):
        SmtpTransport.from_url("http://u:secret@mail.example")
    with pytest.raises(InvalidInput, match="Bad SMTP URL"):
        SmtpTransport.from_url("smtp://mail.example?timeout=soon")
    assert isinstance(transport_from_url("/var/spool/ocop"), FolderTransport)
    assert isinstance(transport_from_url("smtps://mail.example"), SmtpTransport)


def test_a_message_goes_through_intact() -> None:
    box = Mailbox()
    with smtp_server(box) as (host, port):
        transport = SmtpTransport(host, port, timeout=5)
        with transport:
            transport.send(mail(1), "lan@luuve.example", SENDER)
            transport.send(mail(2), "hoa@luuve.example", SENDER)
    assert [(r.mail_from, r.rcpt_tos) for r in box.received] == [
        (SENDER, ["lan@luuve.example"]),
        (SENDER, ["hoa@luuve.example"]),
    ]
    got = box.received[0].message
    assert got["Subject"] == "Thử nghiệm số 1" and got["Message-ID"] == "<test.1@luuve.example>"
    # The leading dot was doubled on the wire and undoubled by the server.
    assert got.get_content().splitlines() == ["Xin chào", ".dòng bắt đầu bằng dấu chấm"]


def test_answers_4xx_are_temporary_and_5xx_permanent_with_the_servers_words() -> None:
    answers = {
        "busy@x.vn": "450 4.2.1 Mailbox busy, try later",
        "nobody@x.vn": "550 5.1.1 Không có người nhận này",
    }
    box = Mailbox(rcpt_answer=answers.get)
    with smtp_server(box) as (host, port), SmtpTransport(host, port, timeout=5) as transport:
        with pytest.raises(TemporaryFailure, match=r"450 4\.2\.1 Mailbox busy") as busy:
            transport.send(mail(1), "busy@x.vn", SENDER)
        assert not busy.value.connection
        with pytest.raises(PermanentFailure, match=r"550 5\.1\.1 Không có người nhận này"):
            transport.send(mail(2), "nobody@x.vn", SENDER)
        transport.send(mail(3), "lan@x.vn", SENDER)  # the connection is still good
    assert [r.rcpt_tos for r in box.received] == [["lan@x.vn"]]


@pytest.mark.parametrize(
    ("answer", "failure"),
    [("554 5.7.1 Rejected as spam", PermanentFailure), ("451 4.3.0 Try again", TemporaryFailure)],
)
def test_the_answer_to_the_message_itself_is_classified(answer: str, failure: type) -> None:
    with (
        smtp_server(Mailbox(data_answer=answer)) as (host, port),
        SmtpTransport(host, port, timeout=5) as transport,
        pytest.raises(failure, match=answer.split()[0]),
    ):
        transport.send(mail(), "lan@x.vn", SENDER)


def test_no_answer_after_the_message_is_uncertain_and_it_did_arrive() -> None:
    box = Mailbox(data_delay=2.0)
    with smtp_server(box) as (host, port):
        transport = SmtpTransport(host, port, timeout=0.5)
        with transport, pytest.raises(UncertainFailure, match="may have been delivered"):
            transport.send(mail(), "lan@x.vn", SENDER)
    assert len(box.received) == 1


def test_a_server_that_is_down_is_a_temporary_connection_failure() -> None:
    transport = SmtpTransport("127.0.0.1", free_port(), timeout=2)
    with pytest.raises(TemporaryFailure, match="connection refused") as refused:
        transport.open()
    assert refused.value.connection


@pytest.fixture
def tls(tmp_path: Path) -> object:
    pytest.importorskip("cryptography", reason="the test certificate is made with cryptography")
    return self_signed(tmp_path)


def test_starttls_and_login(tls: object) -> None:
    box = Mailbox()
    server = {
        "tls_context": tls,
        "require_starttls": True,
        "authenticator": authenticator("lan", "mật khẩu"),
        "auth_required": True,
    }
    with smtp_server(box, **server) as (host, port):
        url = f"smtp+starttls://lan:m%E1%BA%ADt%20kh%E1%BA%A9u@{host}:{port}?verify=0&timeout=5"
        with SmtpTransport.from_url(url) as transport:
            transport.send(mail(), "hoa@x.vn", SENDER)
        wrong = SmtpTransport.from_url(url.replace("m%E1%BA%ADt", "sai"))
        with pytest.raises(TemporaryFailure, match="refused the login") as refused:
            wrong.open()
        assert refused.value.connection
    assert len(box.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(tls: object) -> None:
    box = Mailbox()
    # Over implicit TLS aiosmtpd does not see the session as secured, hence no TLS demand.
    server = {
        "authenticator": authenticator("lan", "pw"),
        "auth_required": True,
        "auth_require_tls": False,
    }
    with smtp_server(box, ssl_context=tls, **server) as (host, port):
        with SmtpTransport.from_url(f"smtps://lan:pw@{host}:{port}?verify=0") as transport:
            transport.send(mail(), "hoa@x.vn", SENDER)
        with pytest.raises(TemporaryFailure):  # the certificate is not trusted by default
            SmtpTransport.from_url(f"smtps://lan:pw@{host}:{port}?timeout=3").open()
    assert len(box.received) == 1


def test_the_folder_keeps_one_file_per_message(tmp_path: Path) -> None:
    folder = FolderTransport(tmp_path / "mail")
    with folder:
        folder.send(mail(1), "lan@x.vn", SENDER)
        folder.send(mail(1), "lan@x.vn", SENDER)
        folder.send(mail(2), "lan@x.vn", SENDER)
    files = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert files == ["test.1@luuve.example.eml", "test.2@luuve.example.eml"]
    text = (tmp_path / "mail" / files[0]).read_bytes()
    assert text.startswith(b"X-Envelope-From: ocop@luuve.example\r\nX-Envelope-To: lan@x.vn\r\n")
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(TemporaryFailure) as failed:
        FolderTransport(blocked / "mail").open()
    assert failed.value.connection


# -- the drain ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 7, 18, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def outbox(sqlite_url: str) -> Iterator[Outbox]:
    with ocop.open(sqlite_url) as registry:
        yield Outbox(registry.database)


def queue(outbox: Outbox, clock: Clock, *recipients: str, kind: str = "event") -> list[int]:
    context = {
        "commune": "Lưu Vệ",
        "province": "Thanh Hóa",
        "year": 2026,
        "name": "Hội nghị",
        "date": "2026-08-25",
        "time": None,
        "place": None,
        "illustrative": False,
        "days_left": 7,
        "recipient_name": "Chị Lan",
    }
    messages = [
        Message(dedupe_key=f"{kind}:{r}", kind=kind, recipient=r, context=context)
        for r in recipients
    ]
    outbox.add(messages, clock())
    return [m.id for m in outbox.find(newest_first=False, limit=None)]


def drainer(outbox: Outbox, transport: object, clock: Clock, **kw: object) -> Drainer:
    return Drainer(outbox, transport, sender=f"OCOP <{SENDER}>", worker="t", clock=clock, **kw)  # type: ignore[arg-type]


def test_the_drain_backs_off_fails_for_good_and_keeps_the_servers_answer(outbox: Outbox) -> None:
    clock = Clock()
    answers = {"busy@x.vn": "450 4.2.1 busy", "gone@x.vn": "550 5.1.1 no such user"}
    ids = queue(outbox, clock, "busy@x.vn", "gone@x.vn", "ok@x.vn", "bad address")
    box = Mailbox(rcpt_answer=answers.get)
    backoff = Backoff(base=timedelta(minutes=1), max_attempts=3)
    with smtp_server(box) as (host, port):
        drain = drainer(outbox, SmtpTransport(host, port, timeout=5), clock, backoff=backoff)
        first = drain.drain()
        assert (first.sent, first.retried, first.failed) == (1, 1, 2)
        busy, gone, ok, bad = (outbox.get(i) for i in ids)
        assert (busy.status, busy.attempts) == ("retry", 1)
        assert busy.next_attempt_at == clock.now + timedelta(minutes=1)
        assert (gone.status, gone.last_error) == ("failed", gone.last_error)
        assert "550 5.1.1 no such user" in (gone.last_error or "")
        assert "Bad address" in (bad.last_error or "") and ok.status == "sent"
        assert drain.drain().attempted == 0  # not due yet
        clock.now += timedelta(minutes=1)
        assert drain.drain().retried == 1
        assert outbox.get(ids[0]).next_attempt_at == clock.now + timedelta(minutes=2)
        clock.now += timedelta(minutes=2)
        assert drain.drain().failed == 1
    final = outbox.get(ids[0])
    assert final.status == "failed" and final.attempts == 3
    assert (final.last_error or "").startswith("gave up after 3 attempts: ")
    assert len(box.received) == 1


def test_an_uncertain_message_is_not_sent_again(outbox: Outbox) -> None:
    clock = Clock()
    (only,) = queue(outbox, clock, "lan@x.vn")
    box = Mailbox(data_delay=1.5)
    with smtp_server(box) as (host, port):
        drain = drainer(outbox, SmtpTransport(host, port, timeout=0.5), clock)
        assert drain.drain().uncertain == 1
        clock.now += timedelta(days=1)
        assert drain.drain().attempted == 0
    assert outbox.get(only).status == "uncertain" and len(box.received) == 1


def test_a_server_down_then_up_loses_and_doubles_nothing(outbox: Outbox) -> None:
    clock = Clock()
    ids = queue(outbox, clock, *[f"r{i}@x.vn" for i in range(7)])
    port = free_port()
    drain = drainer(outbox, SmtpTransport("127.0.0.1", port, timeout=2), clock, batch=3)
    down = drain.drain()
    # The whole first batch backs off together; the drain stops instead of hammering.
    assert (down.sent, down.retried) == (0, 3)
    assert outbox.counts() == {"retry": 3, "pending": 4}
    box = Mailbox()
    with smtp_server(box, port=port):
        clock.now += timedelta(minutes=1)
        up = drain.drain()
    assert up.sent == 7 and outbox.counts() == {"sent": 7}
    assert sorted(r.rcpt_tos[0] for r in box.received) == sorted(f"r{i}@x.vn" for i in range(7))
    assert len(set(box.ids())) == 7 == len(ids)


def test_stopping_finishes_the_message_in_flight_and_hands_back_the_rest(outbox: Outbox) -> None:
    clock = Clock()
    queue(outbox, clock, *[f"r{i}@x.vn" for i in range(5)])
    stop = threading.Event()
    box = Mailbox(on_message=lambda _: stop.set())
    with smtp_server(box) as (host, port):
        drain = drainer(outbox, SmtpTransport(host, port, timeout=5), clock, stop=stop)
        result = drain.drain()
    assert (result.sent, result.released) == (1, 4)
    assert outbox.counts() == {"sent": 1, "pending": 4}


def test_a_message_that_cannot_be_rendered_fails_alone(outbox: Outbox, tmp_path: Path) -> None:
    clock = Clock()
    queue(outbox, clock, "a@x.vn", kind="no_such_kind")
    queue(outbox, clock, "b@x.vn")
    result = drainer(outbox, FolderTransport(tmp_path), clock).drain()
    assert (result.sent, result.failed) == (1, 1)
    (failed,) = outbox.find(status="failed")
    assert "Cannot render a 'no_such_kind' message" in (failed.last_error or "")
    assert len(list(tmp_path.glob("*.eml"))) == 1
