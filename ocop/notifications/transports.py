"""Mail transports: SMTP configured by URL, and a folder of ``.eml`` files (the embedded default).

A transport's :meth:`~Transport.send` either returns (the message was accepted) or raises one
of three :class:`DeliveryError` kinds, so the drain knows what to do next:

* :class:`TemporaryFailure` — a 4xx answer, a refused connection, a timeout or a dropped line
  before the message body was handed over: nothing was delivered, try again later;
* :class:`PermanentFailure` — a 5xx answer: the server refused it for good, keep its answer;
* :class:`UncertainFailure` — the body was handed over but the server's answer never came: it
  may have been delivered, so it is recorded as such and not resent blindly.

SMTP URLs: ``smtp://host:25`` (plain), ``smtp+starttls://user:password@host:587`` (STARTTLS,
required), ``smtps://user:password@host:465`` (TLS from the start); the scheme is compared
without regard to case, and no other scheme is taken (:data:`SMTP_SCHEMES`). Query options:
``timeout`` (seconds, default 30), ``helo`` (the name to greet with) and, for test servers with
self-signed certificates only, ``verify=0``. User and password are URL-decoded; the password
may be left out of the URL and given apart (``password=``, read by the CLI from a file or the
environment), and it may hold any character: the user part ends at the *last* ``@``. No error,
``name`` or ``repr`` ever shows it: errors name only the scheme and the host.

:func:`parse_sender` checks a From address (``addr@example.vn`` or ``Name <addr@example.vn>``)
before anything is sent.
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import re
import smtplib
import ssl
import tempfile
import unicodedata
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from types import TracebackType
from typing import Final, Protocol
from urllib.parse import parse_qs, unquote

from ocop.errors import (
    DeliveryError,
    InvalidInput,
    PermanentFailure,
    TemporaryFailure,
    UncertainFailure,
)
from ocop.models import Problem
from ocop.text import N_

__all__ = [
    "SMTP_SCHEMES",
    "DeliveryError",
    "FolderTransport",
    "PermanentFailure",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "UncertainFailure",
    "parse_sender",
    "transport_from_url",
]

SMTP_SCHEMES: Final[tuple[str, ...]] = ("smtp", "smtp+starttls", "smtps")
"""The URL schemes :func:`transport_from_url` and :meth:`SmtpTransport.from_url` accept."""

_SECURITY: Final = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl"}
_DEFAULT_PORT: Final = {"none": 25, "starttls": 587, "ssl": 465}
_URL_FORMS: Final = "smtp://host:25, smtp+starttls://user@host:587 or smtps://user@host:465"
_QUERY_OPTIONS: Final = ("timeout", "helo", "verify")
# A scheme of two characters or more, so that a drive letter (C:/mail) stays a path.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
_HOST_PART = re.compile(
    r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\s:/?#\[\]@]+))"
    r"(?::(?P<port>[0-9]{1,5}))?/?(?:\?(?P<query>[^#]*))?"
)


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
        except OSError as exc:
            raise TemporaryFailure(
                f"Cannot write {target}: {exc.strerror or exc}", connection=True
            ) from exc
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException as exc:
            # A full disk, a read-only folder, a target in the way or an interrupt: the
            # half-written temporary file goes, whatever happened.
            _remove(temporary)
            if isinstance(exc, OSError):
                raise TemporaryFailure(
                    f"Cannot write {target}: {exc.strerror or exc}", connection=True
                ) from exc
            raise

    def __repr__(self) -> str:
        return f"FolderTransport({str(self.folder)!r})"


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
            raise InvalidInput.said(
                N_("Không có kiểu bảo mật SMTP '{security}'."), field="smtp", security=security
            )
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout, self.helo, self.verify = timeout, helo, verify
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str, *, password: str | None = None) -> SmtpTransport:
        """Build from ``smtp://``, ``smtp+starttls://`` or ``smtps://`` (see the module doc).

        ``password``, when given, is used instead of the URL's (which may then be left out).
        Raises :class:`~ocop.errors.InvalidInput` (``field="smtp"``) for another scheme, a URL
        without a host, a bad port or option, or a password without a user; its message names
        the scheme and the host at most, never the user part.
        """
        split = _split_scheme(url)
        scheme = split[0] if split else None
        if scheme not in _SECURITY:
            raise _not_a_mail_url(scheme)
        assert split is not None
        security, rest = _SECURITY[scheme], split[1]
        shown = f"{scheme}://"
        if not rest.startswith("//"):
            raise InvalidInput.said(
                N_("Địa chỉ SMTP phải bắt đầu bằng {shown}; dùng {forms}."),
                field="smtp",
                shown=shown,
                forms=_URL_FORMS,
            )
        userinfo, at, hostpart = rest[2:].rpartition("@")
        found = _HOST_PART.fullmatch(hostpart)
        if found is None:
            # What follows may be the password itself (a URL without its '@host'): not shown.
            hidden = "…@" if at else ""
            raise InvalidInput.said(
                N_(
                    "Địa chỉ SMTP {shown}… không có host[:port] hợp lệ sau dấu '@' cuối cùng; "
                    "dùng {forms}."
                ),
                field="smtp",
                shown=shown + hidden,
                forms=_URL_FORMS,
            )
        host = found["ip6"] or found["name"]
        shown = f"{scheme}://{'…@' if at else ''}{host}"
        port = int(found["port"]) if found["port"] else _DEFAULT_PORT[security]
        if not 0 < port < 65536:
            raise InvalidInput.said(
                N_("Địa chỉ SMTP {shown} sai: cổng phải từ 1 đến 65535."), field="smtp", shown=shown
            )
        user_raw, colon, password_raw = userinfo.partition(":")
        username = unquote(user_raw) if user_raw else None
        if password is None and colon:
            password = unquote(password_raw)
        if password is not None and not username:
            raise InvalidInput.said(
                N_("Địa chỉ SMTP {shown} sai: có mật khẩu nhưng không có tên người dùng ({form})."),
                field="smtp",
                shown=shown,
                form=f"{scheme}://user@{host}",
            )
        query = {k: v[-1] for k, v in parse_qs(found["query"] or "").items()}
        unknown = sorted(set(query) - set(_QUERY_OPTIONS))
        if unknown:
            raise InvalidInput.said(
                N_(
                    "Địa chỉ SMTP {shown} sai: không có tuỳ chọn {unknown}; các tuỳ chọn là "
                    "{options}."
                ),
                field="smtp",
                shown=shown,
                unknown=", ".join(unknown),
                options=", ".join(_QUERY_OPTIONS),
            )
        try:
            timeout = float(query.get("timeout", 30))
        except ValueError:
            timeout = math.nan
        if not (math.isfinite(timeout) and timeout > 0):
            raise InvalidInput.said(
                N_("Địa chỉ SMTP {shown} sai: timeout phải là một số giây lớn hơn 0."),
                field="smtp",
                shown=shown,
            )
        return cls(
            host,
            port,
            security=security,
            username=username,
            password=password,
            timeout=timeout,
            helo=query.get("helo"),
            verify=query.get("verify", "1").lower() not in ("0", "false", "no"),
        )

    def __repr__(self) -> str:
        return f"SmtpTransport({self.name!r})"

    @property
    def name(self) -> str:
        """The server, without credentials."""
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "ssl": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"

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
            # smtplib reports a line closed while it read the reply as -1. After the body has
            # gone, the server may have taken the message: not a retry, or it goes twice.
            if step == "end of DATA":
                raise UncertainFailure(f"{text}; it may have been delivered")
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


def transport_from_url(target: str, *, password: str | None = None) -> Transport:
    """The transport for ``target``: an SMTP URL, a ``file://`` URL or a folder path.

    ``smtp://``, ``smtp+starttls://`` and ``smtps://`` (any case; :data:`SMTP_SCHEMES`) give an
    :class:`SmtpTransport`, with ``password`` used instead of the URL's; ``file:///path`` or a
    plain path give a :class:`FolderTransport` (``password`` is then not used). Anything else
    raises :class:`~ocop.errors.InvalidInput` with ``field="smtp"``: another ``scheme://``
    (a typo such as ``stmp://`` must not become a folder), an empty target, or a text with no
    ``/`` that looks like a server (``user:pw@host``, ``host:587``) rather than a folder.
    """
    split = _split_scheme(target)
    if split is not None:
        scheme, rest = split
        if scheme in _SECURITY:
            return SmtpTransport.from_url(target, password=password)
        if scheme == "file":
            return FolderTransport(_file_path(rest))
        if rest.startswith("/"):
            raise _not_a_mail_url(scheme)
    if not target.strip():
        raise InvalidInput.said(
            N_("Chưa cho biết gửi thư đến đâu; dùng {forms}, hoặc đường dẫn một thư mục."),
            field="smtp",
            forms=_URL_FORMS,
        )
    if "/" not in target and re.fullmatch(r"[^@]*@[^@]*|[^:]+:[0-9]+", target):
        # Not echoed: it may be user:password@host without its scheme.
        raise InvalidInput.said(
            N_(
                "Nơi gửi thư trông như một máy chủ thiếu phần giao thức; dùng {forms}, "
                "hoặc với một thư mục thì ghi đường dẫn có '/' (./ten)."
            ),
            field="smtp",
            forms=_URL_FORMS,
        )
    return FolderTransport(target)


def parse_sender(text: str) -> str:
    """The From address ``text`` in its normal form, or :class:`~ocop.errors.InvalidInput`.

    Takes ``addr@example.vn`` or ``Name <addr@example.vn>`` (the name quoted or not, in any
    language) and returns ``addr@example.vn`` or ``Name <addr@example.vn>``, the name quoted
    when it holds RFC 5322 specials, the domain lower-cased and in its ASCII (IDNA) form. One
    address only, ASCII before the ``@`` (what every SMTP server takes), no line breaks.
    Domains are checked with ``email-validator`` without any DNS look-up; besides names on
    the Internet it accepts ``localhost``, ``*.localhost`` and ``*.local`` (a commune's own
    mail server). Raises ``InvalidInput(field="from")`` with the reason.
    """
    from email_validator import EmailNotValidError, validate_email

    raw = text.strip()
    usage = Problem(
        N_("ghi một địa chỉ, ví dụ ocop@xa.gov.vn hoặc 'Phòng Kinh tế <pkt@xa.gov.vn>'")
    )

    shown = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c)[0] == "C" else c for c in raw)

    def refuse(reason: Problem | str) -> InvalidInput:
        # A Problem is ours, in the catalogue's words; a str is email-validator's own.
        return InvalidInput.said(
            N_("Không dùng được người gửi '{sender}': {reason}; {usage}."),
            field="from",
            sender=shown,
            reason=reason,
            usage=usage,
        )

    if not raw:
        raise InvalidInput.said(N_("Chưa có người gửi; {usage}."), field="from", usage=usage)
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in raw):
        raise refuse(Problem(N_("có ký tự xuống dòng hoặc ký tự điều khiển")))
    name, address = "", raw
    if raw.endswith(">"):
        opening = raw.rfind("<")
        if opening < 0:
            raise refuse(Problem(N_("có '>' mà không có '<'")))
        name, address = _display_name(raw[:opening], refuse), raw[opening + 1 : -1].strip()
    elif "<" in raw or ">" in raw:
        raise refuse(Problem(N_("dấu ngoặc nhọn bao quanh cả địa chỉ, ở cuối (Tên <địa chỉ>)")))
    if "@" not in address:
        raise refuse(Problem(N_("không có địa chỉ thư điện tử (ten@ten-mien)")))
    local, _, domain = address.rpartition("@")
    lowered = domain.lower()
    own = lowered == "localhost" or lowered.endswith((".localhost", ".local"))
    try:
        checked = validate_email(
            f"{local}@{domain}.example" if own else address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        raise refuse(str(exc).rstrip(".")) from None
    normal = checked.ascii_email or checked.normalized
    if own:
        normal = normal.removesuffix(".example")
    if not name:
        return normal
    if re.search(r'[][()<>@,:;.\\"]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{normal}>"


def _display_name(text: str, refuse: Callable[[Problem | str], InvalidInput]) -> str:
    name = text.strip()
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    elif '"' in name:
        raise refuse(Problem(N_("tên hiển thị có dấu '\"' không khép")))
    elif "@" in name:
        raise refuse(Problem(N_("có '@' trước '<': chỉ một địa chỉ, hoặc đặt tên trong ngoặc kép")))
    if "<" in name or ">" in name:
        raise refuse(Problem(N_("có hơn một '<…>'")))
    return " ".join(unicodedata.normalize("NFC", name).split())


def _split_scheme(text: str) -> tuple[str, str] | None:
    """``(scheme in lower case, the rest after ':')``, or ``None`` without a scheme."""
    found = _SCHEME.match(text)
    return (found[1].lower(), text[found.end() :]) if found else None


def _not_a_mail_url(scheme: str | None) -> InvalidInput:
    schemes = ", ".join(s + "://" for s in SMTP_SCHEMES)
    if scheme is None:
        return InvalidInput.said(
            N_(
                "Đây không phải địa chỉ gửi thư; các giao thức dùng được là {schemes} "
                "({forms}), hoặc file:///thu-muc hay đường dẫn một thư mục cho tệp .eml."
            ),
            field="smtp",
            schemes=schemes,
            forms=_URL_FORMS,
        )
    return InvalidInput.said(
        N_(
            "'{scheme}://' không phải địa chỉ gửi thư; các giao thức dùng được là {schemes} "
            "({forms}), hoặc file:///thu-muc hay đường dẫn một thư mục cho tệp .eml."
        ),
        field="smtp",
        scheme=scheme,
        schemes=schemes,
        forms=_URL_FORMS,
    )


def _file_path(rest: str) -> str:
    """The folder of ``file:///path``, ``file://localhost/path`` or ``file:/path``."""
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host.lower() not in ("", "localhost") or not slash:
            raise _not_a_folder()
        rest = slash + path
    if not rest.startswith("/") or rest == "/" * len(rest):
        raise _not_a_folder()
    return unquote(rest)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


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


def _not_a_folder() -> InvalidInput:
    return InvalidInput.said(
        N_("Địa chỉ file chỉ một thư mục trên máy này: file:///duong-dan-tuyet-doi."),
        field="smtp",
    )
