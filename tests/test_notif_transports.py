"""Transports against a real SMTP server on loopback, and the drain's handling of each failure."""

from __future__ import annotations

import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from smtpserver import Mailbox, authenticator, free_port, self_signed, smtp_server

import ocop
from ocop.errors import InvalidInput
from ocop.models import Message
from ocop.notifications.daemon import DEFAULT_SENDER
from ocop.notifications.delivery import Backoff, Drainer
from ocop.notifications.transports import (
    SMTP_SCHEMES,
    FolderTransport,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    UncertainFailure,
    parse_sender,
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
    with pytest.raises(InvalidInput, match=r"'http://' is not a mail URL") as http:
        SmtpTransport.from_url("http://u:secret@mail.example")
    assert "secret" not in str(http.value) and http.value.field == "smtp"
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


# -- what an operator types: URLs, passwords, the sender -----------------------------------


def test_the_accepted_schemes_are_public() -> None:
    assert SMTP_SCHEMES == ("smtp", "smtp+starttls", "smtps")


@pytest.mark.parametrize(
    "url",
    [
        "stmp://ocop:s3cret@mail.example:587",
        "smpt+starttls://ocop:s3cret@mail.example:587",
        "http://ocop:s3cret@mail.example",
        "imap://ocop:s3cret@mail.example",
        "smtp+ssl://ocop:s3cret@mail.example",
        "STMP://ocop:s3cret@mail.example",
        "stmp:/ocop:s3cret@mail.example",
    ],
)
def test_an_unknown_scheme_is_refused_and_nothing_is_written(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInput) as refused:
        transport_from_url(url)
    text = str(refused.value)
    assert refused.value.field == "smtp"
    assert all(f"{scheme}://" in text for scheme in SMTP_SCHEMES)
    assert "s3cret" not in text and "ocop" not in text
    with pytest.raises(InvalidInput):
        SmtpTransport.from_url(url)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "security"),
    [
        ("SMTP://{host}:{port}", "none"),
        ("Smtp://{host}:{port}", "none"),
        ("SMTP+STARTTLS://{host}:{port}", "starttls"),
        ("SMTPS://{host}:{port}", "ssl"),
    ],
)
def test_the_scheme_is_read_without_regard_to_case(url: str, security: str) -> None:
    transport = transport_from_url(url.format(host="mail.example", port=2525))
    assert isinstance(transport, SmtpTransport)
    assert (transport.security, transport.host, transport.port) == (security, "mail.example", 2525)
    if security == "none":  # and it really is SMTP, not a folder named after the URL
        box = Mailbox()
        with smtp_server(box) as (host, port):
            real = transport_from_url(url.format(host=host, port=port))
            with real:
                real.send(mail(), "lan@x.vn", SENDER)
        assert len(box.received) == 1


def test_file_urls_and_paths_give_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for target, folder in [
        (f"file://{tmp_path}/a", tmp_path / "a"),
        (f"FILE://localhost{tmp_path}/b", tmp_path / "b"),
        (f"file:{tmp_path}/c", tmp_path / "c"),
        (f"file://{tmp_path}/th%C6%B0%20m%E1%BB%A5c", tmp_path / "thư mục"),
        (str(tmp_path / "d"), tmp_path / "d"),
        ("mail", Path("mail")),
        ("./ocop@xa", Path("ocop@xa")),
    ]:
        transport = transport_from_url(target, password="not used by a folder")
        assert isinstance(transport, FolderTransport), target
        assert transport.folder == folder, target
    with transport_from_url(f"file://{tmp_path}/a") as folder_transport:
        folder_transport.send(mail(), "lan@x.vn", SENDER)
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["test.1@luuve.example.eml"]


@pytest.mark.parametrize(
    "target",
    [
        "file://mail.example/spool",
        "file://",
        "",
        "   ",
        "ocop:s3cret@mail.example",
        "ocop:s3cret@mail.example:587",
        "mail.example:587",
    ],
)
def test_targets_that_are_neither_a_server_nor_a_folder_are_refused(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInput) as refused:
        transport_from_url(target)
    assert refused.value.field == "smtp"
    assert "s3cret" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []


PASSWORDS = [
    "pa/ss:w0rd",
    "p@ss@w0rd",
    "a:b:c/d@e?f#g",
    "lit%2Feral",
    "Mật/khẩu@Lưu:Vệ",
]


def _secrets(password: str) -> list[str]:
    # Every form the password could leak in: as typed, URL-encoded, and each long enough piece.
    pieces = [p for p in password.replace("/", " ").replace("@", " ").split() if len(p) >= 4]
    return [password, quote(password, safe=""), *pieces]


def _shows(text: str, password: str) -> bool:
    return any(secret in text for secret in _secrets(password))


@pytest.mark.parametrize("password", PASSWORDS)
def test_any_password_is_read_whole_and_never_shown(password: str) -> None:
    encoded = quote(password, safe="")
    urls = [f"smtp+starttls://lan:{encoded}@mail.example:587"]
    if "%" not in password:  # typed as is, the user part ends at the last '@'
        urls.append(f"smtp+starttls://lan:{password}@mail.example:587")
    for url in urls:
        transport = transport_from_url(url)
        assert isinstance(transport, SmtpTransport)
        assert (transport.username, transport.password, transport.host) == (
            "lan",
            password,
            "mail.example",
        )
        assert transport.name == "smtp+starttls://lan@mail.example:587"
        assert not _shows(transport.name, password)
        assert not _shows(repr(transport), password)
    apart = SmtpTransport.from_url("smtp+starttls://lan@mail.example", password=password)
    assert apart.password == password  # given apart, never URL-decoded
    assert not _shows(repr(apart), password) and not _shows(apart.name, password)


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize(
    "url",
    [
        "stmp://lan:{pw}@mail.example:587",
        "SMTP:/lan:{pw}@mail.example",
        "smtp:lan:{pw}@mail.example",
        "smtp://lan:{pw}",
        "smtp://lan:{pw}@",
        "smtp://lan:{pw}@mail.example:99999",
        "smtp://lan:{pw}@mail.example:port",
        "smtp://lan:{pw}@mail.example?timeout=soon",
        "smtp://lan:{pw}@mail.example?timeout=-1",
        "smtp://lan:{pw}@mail.example?verfiy=0",
        "smtp://:{pw}@mail.example",
        "smtp://lan:{pw}@mail example",
    ],
)
def test_no_error_shows_the_password(url: str, password: str) -> None:
    for typed in (password, quote(password, safe="")):
        if url == "smtp://lan:{pw}" and "@" in typed:
            continue  # smtp://lan:p@ss is a valid URL, of the server 'ss'
        with pytest.raises(InvalidInput) as refused:
            transport_from_url(url.format(pw=typed))
        error: BaseException | None = refused.value
        assert refused.value.field == "smtp"
        while error is not None:  # the whole chain a traceback would print
            assert not _shows(str(error), password), str(error)
            error = error.__cause__ or error.__context__
        assert not _shows(repr(refused.value), password)


def test_a_password_given_apart_completes_or_overrides_the_url(tls: object) -> None:
    password = "Mật/khẩu@Lưu:Vệ%2F"
    box = Mailbox()
    server = {
        "tls_context": tls,
        "require_starttls": True,
        "authenticator": authenticator("lan", password),
        "auth_required": True,
    }
    with smtp_server(box, **server) as (host, port):
        base = f"smtp+starttls://lan@{host}:{port}?verify=0&timeout=5"
        with transport_from_url(base, password=password) as completed:  # the URL has none
            completed.send(mail(1), "hoa@x.vn", SENDER)
        wrong = f"smtp+starttls://lan:sai-roi@{host}:{port}?verify=0&timeout=5"
        with transport_from_url(wrong, password=password) as overridden:
            overridden.send(mail(2), "hoa@x.vn", SENDER)
        refused = SmtpTransport.from_url(wrong)
        with pytest.raises(TemporaryFailure, match="refused the login") as login:
            refused.open()
        assert "sai-roi" not in str(login.value)
        without = SmtpTransport.from_url(base, password="Sai/mật@khẩu")
        with pytest.raises(TemporaryFailure, match="refused the login") as login:
            without.open()
        assert not _shows(str(login.value), "Sai/mật@khẩu")
    assert box.ids() == ["<test.1@luuve.example>", "<test.2@luuve.example>"]
    with pytest.raises(InvalidInput, match="names no user") as no_user:
        transport_from_url("smtp://mail.example", password=password)
    assert not _shows(str(no_user.value), password)


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("pkt@luuve.example", "pkt@luuve.example"),
        ("  PKT@LuuVe.Example ", "PKT@luuve.example"),
        ("Phòng Kinh tế <pkt@luuve.example>", "Phòng Kinh tế <pkt@luuve.example>"),
        ("Phòng   Kinh tế<pkt@luuve.example>", "Phòng Kinh tế <pkt@luuve.example>"),
        ('"Phòng Kinh tế" <pkt@luuve.example>', "Phòng Kinh tế <pkt@luuve.example>"),
        (
            "Phòng Kinh tế, UBND xã <pkt@luuve.example>",
            '"Phòng Kinh tế, UBND xã" <pkt@luuve.example>',
        ),
        ('"Lan \\"KT\\"" <lan@x.vn>', '"Lan \\"KT\\"" <lan@x.vn>'),
        ("<pkt@luuve.example>", "pkt@luuve.example"),
        ("pkt@xã.vn", "pkt@xn--x-yfa.vn"),
        ("ocop@localhost", "ocop@localhost"),
        ("OCOP <ocop@localhost>", "OCOP <ocop@localhost>"),
        ("ocop@mail.localhost", "ocop@mail.localhost"),
        ("ocop@ubnd.local", "ocop@ubnd.local"),
        (DEFAULT_SENDER, DEFAULT_SENDER),
    ],
)
def test_a_sender_with_an_address_is_accepted_in_its_normal_form(given: str, normal: str) -> None:
    assert parse_sender(given) == normal
    assert parse_sender(normal) == normal  # the normal form is stable


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("Phòng Kinh tế", "has no e-mail address"),
        ("", "empty"),
        ("   ", "empty"),
        ("a,b@x.example", "invalid characters"),
        ("<x>@y.example", "angle brackets"),
        ("x@y.z;", "invalid characters"),
        ("a@b..c", "two periods"),
        ("pkt@luuve", "should have a period"),
        ("pkt@", "after the @-sign"),
        ("@luuve.example", "before the @-sign"),
        ("Nguyễn@luuve.example", "before the @-sign"),
        ("a@x.example, Lan <b@y.example>", "one address only"),
        ("Lan <a@x.example> <b@y.example>", "one address only"),
        ("Lan <a@x.example", "angle brackets"),
        ("Lan a@x.example>", "without its '<'"),
        ('Lan "KT <a@x.example>', "unbalanced"),
        ("Lan\r\nBcc: x@y.vn <a@x.example>", "line break"),
        ("ocop@[127.0.0.1]", "bracketed IP address"),
        ("ocop@xa.invalid", "special-use"),
    ],
)
def test_a_sender_without_one_valid_address_is_refused(given: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as refused:
        parse_sender(given)
    assert refused.value.field == "from"
    assert "\n" not in str(refused.value)


def test_importing_the_transports_or_the_cli_does_not_load_email_validator() -> None:
    code = (
        "import sys, ocop.notifications.transports, ocop.cli; "
        "assert 'email_validator' not in sys.modules, 'email_validator imported at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = FolderTransport(tmp_path / "mail")
    folder.open()
    # A directory where the message goes: the rename fails after the write.
    in_the_way = tmp_path / "mail" / "test.1@luuve.example.eml"
    in_the_way.mkdir()
    (in_the_way / "keep").write_text("")
    with pytest.raises(TemporaryFailure, match="Cannot write") as failed:
        folder.send(mail(1), "lan@x.vn", SENDER)
    assert failed.value.connection
    assert sorted(p.name for p in (tmp_path / "mail").iterdir()) == ["test.1@luuve.example.eml"]
    # A file-size limit (what a full disk does to a write): the write itself fails.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))
    try:
        with pytest.raises(TemporaryFailure, match="Cannot write"):
            folder.send(mail(2, body="Xin chào " * 100), "lan@x.vn", SENDER)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert sorted(p.name for p in (tmp_path / "mail").iterdir()) == ["test.1@luuve.example.eml"]
    # The folder gone after open(): nothing can be created at all.
    gone = FolderTransport(tmp_path / "gone")
    gone.open()
    (tmp_path / "gone").rmdir()
    with pytest.raises(TemporaryFailure, match="Cannot write"):
        gone.send(mail(3), "lan@x.vn", SENDER)
    folder.send(mail(2), "lan@x.vn", SENDER)  # once the disk has room again, it is written
    assert not list((tmp_path / "mail").glob(".tmp-*"))
    assert (tmp_path / "mail" / "test.2@luuve.example.eml").is_file()


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


def test_the_drain_backs_off_capped_fails_only_on_5xx_and_keeps_the_servers_answer(
    outbox: Outbox,
) -> None:
    clock = Clock()
    answers = {"busy@x.vn": "450 4.2.1 busy", "gone@x.vn": "550 5.1.1 no such user"}
    ids = queue(outbox, clock, "busy@x.vn", "gone@x.vn", "ok@x.vn", "bad address")
    box = Mailbox(rcpt_answer=answers.get)
    backoff = Backoff(base=timedelta(minutes=1), cap=timedelta(minutes=2))
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
        for wait in (1, 2, 2, 2):  # doubling, then held at the cap
            clock.now += timedelta(minutes=wait)
            assert drain.drain().retried == 1
            assert outbox.get(ids[0]).next_attempt_at == clock.now + timedelta(
                minutes=min(2 * wait, 2)
            )
    final = outbox.get(ids[0])
    assert final.status == "retry" and final.attempts == 5  # a 4xx never gives it up
    assert "450 4.2.1 busy" in (final.last_error or "")
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


def test_a_checked_sender_goes_out_as_from_and_envelope(outbox: Outbox) -> None:
    clock = Clock()
    queue(outbox, clock, "lan@x.vn")
    sender = parse_sender("Phòng Kinh tế, UBND xã Lưu Vệ <PKT@LuuVe.Example>")
    box = Mailbox()
    with smtp_server(box) as (host, port):
        transport = SmtpTransport(host, port, timeout=5)
        drain = Drainer(outbox, transport, sender=sender, worker="t", clock=clock)
        assert drain.drain().sent == 1
    (got,) = box.received
    assert got.mail_from == "PKT@luuve.example"
    assert str(got.message["From"]) == '"Phòng Kinh tế, UBND xã Lưu Vệ" <PKT@luuve.example>'
