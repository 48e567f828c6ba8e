"""A real SMTP server on loopback for the tests (aiosmtpd in a thread), with scripted answers.

``Mailbox`` records what arrives; its ``rcpt_answer`` and ``data_answer`` make the server refuse
(4xx or 5xx) and ``data_delay`` makes it wait before answering the end of DATA, so a client
times out with the message already sent.
"""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed message (headers decoded)."""
        parsed: Any = email.message_from_bytes(self.data, policy=default)
        return parsed  # type: ignore[no-any-return]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and answers as scripted."""

    rcpt_answer: Callable[[str], str | None] = lambda address: None
    data_answer: str | None = None
    data_delay: float = 0.0
    per_message_delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    on_message: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        answer = self.rcpt_answer(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.per_message_delay:
            await asyncio.sleep(self.per_message_delay)
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        if self.data_answer and not self.data_answer.startswith("250"):
            return self.data_answer
        with self.lock:
            self.received.append(got)
        if self.on_message is not None:
            self.on_message(got)
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return self.data_answer or "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        """The Message-IDs received, in order."""
        with self.lock:
            return [str(r.message["Message-ID"]) for r in self.received]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(
    mailbox: Mailbox, port: int | None = None, **kwargs: Any
) -> Iterator[tuple[str, int]]:
    """Serve ``mailbox`` on 127.0.0.1; yields (host, port)."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    try:
        yield "127.0.0.1", controller.port
    finally:
        controller.stop()


def self_signed(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)  # clock-ok: a certificate valid today
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def authenticator(login: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting one login."""

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            login.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return check
