"""Mail transports: SMTP configured by URL, and a folder of ``.eml`` files (the embedded default).

A transport's :meth:`~Transport.send` either returns (the message was accepted) or raises one
of three :class:`DeliveryError` kinds, so the drain knows what to do next:

* :class:`TemporaryFailure` — a 4xx answer, a refused connection, a timeout or a dropped line
  before the message body was handed over: nothing was delivered, try again later;
* :class:`PermanentFailure` — a 5xx answer: the server refused it for good, keep its answer;
* :class:`UncertainFailure` — the body was handed over but the server's answer never came: it
  may have been delivered, so it is recorded as such and not resent blindly.

SMTP URLs: ``smtp://host:25`` (plain), ``smtp+starttls://user:password@host:587`` (STARTTLS,
required), ``smtps://user:password@host:465`` (TLS from the start). Query options:
``timeout`` (seconds, default 30), ``helo`` (the name to greet with) and, for test servers with
self-signed certificates only, ``verify=0``. User and password are URL-decoded.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from ocop.errors import InvalidInput, OcopError

__all__ = [
    "DeliveryError",
    "FolderTransport",
    "PermanentFailure",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "UncertainFailure",
    "transport_from_url",
]


class DeliveryError(OcopError):
    """A message could not be handed over; the subclass says whether to try again."""


class TemporaryFailure(DeliveryError):
    """Nothing was delivered and trying later may work (4xx, refused, timeout before DATA).

    ``connection`` is true when the server (or folder) could not be reached at all, so the
    messages after this one would fail the same way.
    """

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentFailure(DeliveryError):
    """The server refused the message for good (5xx); the message keeps its answer."""


class UncertainFailure(DeliveryError):
    """The body was sent but no answer came: the message may or may not have arrived."""


class Transport(Protocol):
    """Something that delivers e-mails, opened once per batch."""

    def open(self) -> None:
        """Connect (or prepare); may raise :class:`TemporaryFailure`."""

    def send(self, message: EmailMessage, recipient: str, sender: str) -> None:
        """Deliver ``message`` to ``recipient`` or raise a :class:`DeliveryError`."""

    def close(self) -> None:
        """Disconnect; never raises."""

    @property
    def name(self) -> str:
        """Where messages go, safe to print (no password)."""


class _Context:
    def __enter__(self) -> _Context:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Prepare for a batch."""

    def close(self) -> None:
        """End a batch."""


class FolderTransport(_Context):
    """Writes each message as ``<folder>/<message-id>.eml``.

    The file is named from the Message-ID and written atomically (a temporary file renamed),
    so delivering the same message twice leaves one file, never a half-written one.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    @property
    def name(self) -> str:
        """The folder."""
        return str(self.folder)

    def open(self) -> None:
        """Create the folder if needed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TemporaryFailure(
                f"Cannot create the mail folder {self.folder}: {exc}", connection=True
            ) from exc

    def send(self, message: EmailMessage, recipient: str, sender: str) -> None:
        """Write the message with an envelope (``X-Envelope-*``) header pair on top."""
        ident = re.sub(r"[^A-Za-z0-9._@-]+", "_", str(message["Message-ID"] or "message"))
        target = self.folder / f"{ident.strip('_')}.eml"
        head = f"X-Envelope-From: {sender}\r\nX-Envelope-To: {recipient}\r\n".encode()
        data = head + message.as_bytes(policy=SMTP_POLICY)
        try:
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except OSError as exc:
            raise TemporaryFailure(
                f"Cannot write {target}: {exc.strerror or exc}", connection=True
            ) from exc


class SmtpTransport(_Context):
    """Delivers through an SMTP server, one connection per batch, one recipient per message."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        security: str = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        helo: str | None = None,
        verify: bool = True,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise InvalidInput(f"Unknown SMTP security '{security}'.", field="smtp")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout, self.helo, self.verify = timeout, helo, verify
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        """Build from ``smtp://``, ``smtp+starttls://`` or ``smtps://`` (see the module doc)."""
        parts = urlsplit(url)
        schemes = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl"}
        if parts.scheme not in schemes or not parts.hostname:
            raise InvalidInput(
                f"'{_hide(url)}' is not an SMTP URL; use smtp://host:25, "
                "smtp+starttls://user:password@host:587 or smtps://user:password@host:465.",
                field="smtp",
            )
        security = schemes[parts.scheme]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port or {"none": 25, "starttls": 587, "ssl": 465}[security]
            timeout = float(query.get("timeout", 30))
        except ValueError as exc:
            raise InvalidInput(f"Bad SMTP URL '{_hide(url)}': {exc}.", field="smtp") from exc
        return cls(
            parts.hostname,
            port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=timeout,
            helo=query.get("helo"),
            verify=query.get("verify", "1") not in ("0", "false", "no"),
        )

    @property
    def name(self) -> str:
        """The server, without credentials."""
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "ssl": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def open(self) -> None:
        """Connect, greet, secure and log in; failures here are temporary."""
        if self._smtp is not None:
            return
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.helo,
                    timeout=self.timeout,
                    context=self._tls(),
                )
            else:
                smtp = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.helo, timeout=self.timeout
                )
            smtp.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            if self.username:
                self._login(smtp, self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            # Wrong credentials are the deployment's problem, not the messages': keep them.
            raise TemporaryFailure(
                f"{self.name} refused the login: {_answer(exc)}", connection=True
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise TemporaryFailure(f"{self.name}: {exc}", connection=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(
                f"Cannot connect to {self.name}: {_describe(exc)}", connection=True
            ) from exc
        self._smtp = smtp

    @staticmethod
    def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
        if (username + password).isascii():
            smtp.login(username, password)
            return
        # smtplib encodes credentials as ASCII; AUTH PLAIN is UTF-8 (RFC 4616), so a
        # Vietnamese password is sent by hand.
        smtp.ehlo_or_helo_if_needed()
        if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
            raise smtplib.SMTPNotSupportedError("the server offers no AUTH PLAIN for a UTF-8 login")
        token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode())
        code, answer = smtp.docmd("AUTH", "PLAIN " + token.decode("ascii"))
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, answer)

    def close(self) -> None:
        """Say QUIT if the line is still up."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: EmailMessage, recipient: str, sender: str) -> None:
        """MAIL, RCPT and DATA by hand, to know whether a failure came before or after the body."""
        if self._smtp is None:
            self.open()
        smtp = self._smtp
        assert smtp is not None
        try:
            try:
                reply = smtp.mail(sender)
            except smtplib.SMTPServerDisconnected:
                # The server closed an idle connection between two messages: reconnect once.
                self._drop()
                self.open()
                smtp = self._smtp
                assert smtp is not None
                reply = smtp.mail(sender)
            self._command(reply, "MAIL FROM")
            self._command(smtp.rcpt(recipient), "RCPT TO")
            smtp.putcmd("data")
            self._command(smtp.getreply(), "DATA", expect=354)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TemporaryFailure(
                f"{self.name}: {_describe(exc)} (before DATA)", connection=True
            ) from exc
        except DeliveryError:
            self._reset()
            raise
        body = message.as_bytes(policy=SMTP_POLICY)
        # Dot-stuffing as RFC 5321 §4.5.2 asks; the policy already ends lines with CRLF.
        body = re.sub(rb"(?m)^\.", b"..", body)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            smtp.send(body + b".\r\n")
        except (smtplib.SMTPException, OSError) as exc:
            # The final dot did not leave: the server cannot have accepted the message.
            self._drop()
            raise TemporaryFailure(
                f"{self.name}: {_describe(exc)} (while sending)", connection=True
            ) from exc
        try:
            code, answer = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise UncertainFailure(
                f"{self.name}: no answer after the message was sent ({_describe(exc)}); "
                "it may have been delivered"
            ) from exc
        self._command((code, answer), "end of DATA", expect=250)

    def _command(self, reply: tuple[int, bytes], step: str, *, expect: int = 250) -> None:
        code, answer = reply
        if code == expect or (expect == 250 and code == 251):
            return
        text = f"{self.name} answered {code} {_decode(answer)} to {step}"
        if code == -1:
            # smtplib reports a line closed while it read the reply as -1.
            raise TemporaryFailure(text, connection=True)
        if 400 <= code < 500:
            raise TemporaryFailure(text)
        raise PermanentFailure(text)

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def transport_from_url(target: str) -> Transport:
    """An SMTP transport for an ``smtp…://`` URL, else a folder transport for a path."""
    if re.match(r"^smtps?(\+starttls)?://", target):
        return SmtpTransport.from_url(target)
    path = target.removeprefix("file://") if target.startswith("file://") else target
    return FolderTransport(path)


def _decode(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return " ".join(text.split())


def _answer(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_decode(exc.smtp_error)}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc)
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


def _hide(url: str) -> str:
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)
