"""Turn an outbox row into an e-mail: jinja2 templates, Vietnamese by default, English on request.

Each kind of message has one template per language, ``templates/<kind>.<lang>.txt``, which
extends ``_message.txt`` with a ``subject`` block and a ``body`` block of plain text
(paragraphs; lines starting with ``- `` make a list). A layout per language wraps the body into
the text part and into the HTML part;
the HTML layout is autoescaped, so a product named ``<b>`` shows as written and cannot inject
markup. Subjects are folded to one line, so no value can add a header. The Message-ID is derived
from the dedupe key: a message re-sent after an uncertain failure keeps its identity.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.decimals import decimal
from ocop.errors import InvalidInput
from ocop.models import Kind
from ocop.states import State
from ocop.storage.outbox import OutboxMessage
from ocop.text import N_, long_day, translator
from ocop.workdays import local_now

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "LANGS",
    "TEMPLATES",
    "Rendered",
    "build_email",
    "message_id",
    "render",
    "single_line",
]

TEMPLATES = Path(__file__).parent / "templates"
LANGS = ("vi", "en")
_STEPS = {
    "commune_deadline": N_("hạn UBND xã kiểm tra, đánh giá và gửi hồ sơ lên tỉnh"),
    "province_deadline": N_("hạn cấp tỉnh đánh giá, phân hạng lại"),
    "province_round": N_("hạn Hội đồng cấp tỉnh đánh giá trong đợt"),
    "central_round": N_("hạn Hội đồng cấp Trung ương đánh giá trong đợt"),
    "central_deadline": N_("hạn cấp Trung ương đánh giá, phân hạng lại"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MARKER = "@@ocop-body@@"
_ADDRESS = re.compile(r"[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+")
# A value the message writes as it is (set_raw): one short line of printable ASCII.
_PLAIN = re.compile(r"[!-~][ -~]{0,60}")


class _Registry(HeaderRegistry):
    """The standard header classes, each made once.

    Python 3.11's registry builds a new class for every header it parses (``type(...)`` in
    ``__getitem__``), which was the costliest single call of a drain (python -m bench --only
    mail); parsing, folding and the bytes written are the standard library's, unchanged.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_POLICY = SMTP.clone(header_factory=_Registry())


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def single_line(text: str, limit: int = 200) -> str:
    """``text`` as one header-safe line: control characters and runs of space become one space."""
    line = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", text)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return local_now(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _day(lang: str) -> Any:
    def day(value: object) -> str:
        parsed = _as_date(value)
        if parsed is None:
            return ""
        return long_day(parsed, lang)

    return day


def _label(lang: str, enum: type[State] | type[Kind]) -> Any:
    def label(value: str) -> str:
        try:
            return enum(value).label(lang)
        except ValueError:
            return value

    return label


def _step(lang: str) -> Any:
    t = translator(lang)

    def step(value: str) -> str:
        return t(_STEPS[value]) if value in _STEPS else value

    return step


@functools.cache
def _environment(lang: str) -> Environment:
    # Imported here so that `import ocop` and the light CLI commands never load jinja2.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["day"] = _day(lang)
    env.filters["state"] = _label(lang, State)
    env.filters["kind"] = _label(lang, Kind)
    env.filters["step"] = _step(lang)
    env.filters["number"] = functools.partial(decimal, lang=lang)
    return env


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _paragraphs(body: str) -> list[dict[str, Any]]:
    """Blank-line separated paragraphs; one made only of ``- `` lines is a list."""
    found = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        bullets = all(line.lstrip().startswith("- ") for line in lines)
        if bullets:
            lines = [line.lstrip()[2:] for line in lines]
        found.append({"bullets": bullets, "lines": lines})
    return found


def render(
    kind: str,
    context: Mapping[str, Any],
    *,
    lang: str = "vi",
    reference: str | None = None,
    dossier_id: int | None = None,
) -> Rendered:
    """Render a message of ``kind`` in ``lang`` (Vietnamese when the language is unknown).

    Raises :class:`InvalidInput` when there is no template for the kind or the context lacks
    something the template needs: a message that cannot be rendered will never be.
    """
    from jinja2 import TemplateError

    lang = lang if lang in LANGS else "vi"
    env = _environment(lang)
    values = dict(context) | {
        "kind": kind,
        "lang": lang,
        "reference": reference,
        "dossier_id": dossier_id,
    }
    try:
        whole = env.get_template(f"{kind}.{lang}.txt").render(values)
        head, marker, tail = whole.partition(_MARKER)
        if not marker:
            raise InvalidInput(f"The '{kind}' template does not extend _message.txt.", field="kind")
        subject, body = single_line(head), _tidy(tail)
        values |= {"subject": subject, "body": body, "paragraphs": _paragraphs(body)}
        text = _tidy(env.get_template(f"_layout.{lang}.txt").render(values)) + "\n"
        html = env.get_template(f"_layout.{lang}.html").render(values)
    except TemplateError as exc:
        raise InvalidInput(
            f"Cannot render a '{kind}' message in {lang}: {exc}", field="kind"
        ) from exc
    return Rendered(subject, text, unicodedata.normalize("NFC", html))


def message_id(dedupe_key: str, domain: str) -> str:
    """The Message-ID of the message with that dedupe key: the same key, the same id."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:40]
    return f"<ocop.{digest}@{domain}>"


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2]
    return domain if domain and re.fullmatch(r"[A-Za-z0-9.-]+", domain) else "ocop.invalid"


# A word that may stand as itself in a display name (an RFC 5322 atom that cannot pass for an
# encoded word); every other word goes into an encoded word.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+")
# 45 bytes make 60 base64 characters: an encoded word of 72, which fits on a header's first
# line after "From: " within 78 characters, so no serialiser refolds it.
_WORD_BYTES = 45


def _pieces(text: str) -> list[str]:
    """``text`` cut into runs of at most ``_WORD_BYTES`` bytes, at spaces when it can be.

    A space at a cut stays at the end of the run before it. Only a single word longer than a
    run is cut inside, and then between characters, never inside one.
    """
    runs: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate.encode()) <= _WORD_BYTES:
            current = candidate
            continue
        if current:
            runs.append(current + " ")
        current = ""
        for char in word:
            if len((current + char).encode()) > _WORD_BYTES:
                runs.append(current)
                current = ""
            current += char
    runs.append(current)
    return [run for run in runs if run]


def _display_name(name: str) -> list[str]:
    """The display name as phrase tokens: ASCII words as they are, the rest as encoded words.

    Each encoded word holds whole words, and consecutive ones are separated wherever possible
    by a plain ASCII word: the white space between an encoded word and a plain word means a
    space to every reader, while the space between two encoded words is to be dropped (RFC
    2047 6.2), which Python's own parser before gh-128110 keeps. Where a run of non-ASCII words
    is too long for one encoded word, the space at the cut is inside the first one, so readers
    that follow the RFC (Python's compat32, Perl's Encode, Node's mailparser, Thunderbird)
    read the name exactly and the others at worst show a second space, never a cut word.
    """
    tokens: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            for run in _pieces(" ".join(pending)):
                tokens.append("=?utf-8?b?" + base64.b64encode(run.encode()).decode("ascii") + "?=")
            pending.clear()

    for word in name.split(" "):
        if _ATOM.fullmatch(word):
            flush()
            tokens.append(word)
        else:
            pending.append(word)
    flush()
    return tokens


def _encoded_address(name: str, address: str) -> str:
    """An address header's value, already encoded and folded: lines of at most 76 characters.

    Folded here once: the email package's header objects re-parse and refold an address with
    a Vietnamese name on every serialisation (about 2 ms each), and cut it inside words.
    """
    if not name or name.isascii():
        return formataddr((name, address))
    lines = [""]
    for token in [*_display_name(name), f"<{address}>"]:
        if lines[-1] and len(lines[-1]) + 1 + len(token) > 72:
            lines.append(token)
        else:
            lines[-1] = f"{lines[-1]} {token}" if lines[-1] else token
    return "\n ".join(lines)


def build_email(
    message: OutboxMessage, rendered: Rendered, *, sender: str, now: datetime
) -> EmailMessage:
    """The MIME message (text and HTML alternatives, UTF-8 headers) for an outbox row."""
    mail = EmailMessage(policy=_POLICY)
    try:
        if not _ADDRESS.fullmatch(message.recipient):
            raise ValueError("not an e-mail address")
        name = single_line(str(message.context.get("recipient_name") or ""), 120)
        mail.set_raw("To", _encoded_address(name, message.recipient))
        sender_name, sender_address = parseaddr(sender)
        if sender_address:
            mail.set_raw("From", _encoded_address(single_line(sender_name, 120), sender_address))
        else:
            mail["From"] = sender
    except (ValueError, IndexError, TypeError) as exc:
        raise InvalidInput(f"Bad address {message.recipient!r}: {exc}", field="recipient") from exc
    # The email package's own folding of an unstructured header turns the space at a fold into
    # folding white space between two encoded words, which readers drop ("cấp xã" arrives as
    # "cấpxã"); the legacy Header encoder keeps every space inside an encoded word.
    subject = Header(rendered.subject, "utf-8", maxlinelen=76, header_name="Subject")
    mail.set_raw("Subject", subject.encode(linesep="\n"))
    # Headers made here of short printable ASCII are written as they are: parsing them into
    # header objects only to write the same line back was a tenth of building a message.
    _set_plain(mail, "Date", format_datetime(local_now(now)))
    _set_plain(mail, "Message-ID", message_id(message.dedupe_key, _domain(sender)))
    _set_plain(mail, "Auto-Submitted", "auto-generated")
    _set_plain(mail, "X-OCOP-Kind", message.kind)
    mail.set_content(rendered.text, subtype="plain", charset="utf-8")
    mail.add_alternative(rendered.html, subtype="html", charset="utf-8")
    # After the content: set_content drops every Content-* header already there.
    _set_plain(mail, "Content-Language", message.lang if message.lang in LANGS else "vi")
    return mail


def _set_plain(mail: EmailMessage, name: str, value: str) -> None:
    """Add a header: as it is when it is one short line of printable ASCII, else parsed."""
    if _PLAIN.fullmatch(value):
        mail.set_raw(name, value)
    else:
        mail[name] = value
