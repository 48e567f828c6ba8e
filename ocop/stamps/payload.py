"""A stamp's signed payload: what it states, its compact binary form and its text in a URL.

The binary form, version 1, is a fixed sequence (integers big-endian)::

    1 byte    format version (1)
    4 bytes   key id of the signing key
    6 bytes   serial, random
    varint    dossier id (7 bits a byte, low groups first, high bit = more)
    4 bytes   issue time, seconds since 1970-01-01 UTC
    2 bytes   certificate expiry, days since 2000-01-01
    1 byte    stars (3 to 5)
    3 texts   certificate number, product name, producer name; each a length byte and
              that many bytes of NFC UTF-8
    64 bytes  Ed25519 signature of ``DOMAIN`` followed by everything above

Nothing outside the signature is part of the payload, so nothing unsigned can be trusted.
The text in the QR code is the whole of it as one base-36 number (``0-9A-Z``): those
characters are safe in a URL path and are QR's alphanumeric mode, which packs 5.5 bits a
character where a byte mode (base64) needs 8, so ``BASE/v/<text>`` fits QR version 10 at
error-correction level M with names of ordinary length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "DOMAIN",
    "MAX_TEXT",
    "SERIAL_BYTES",
    "VERSION",
    "IssuedStamp",
    "PayloadError",
    "Stamp",
    "decode",
    "encode",
    "format_serial",
    "from_text",
    "parse_serial",
    "payload_of",
    "shortened",
    "signed_part",
    "stamp_url",
    "to_text",
]

VERSION = 1
DOMAIN = b"OCOP-STAMP/1\x00"
"""Prefixed to what is signed, so that a stamp signature can never be mistaken for another."""
SERIAL_BYTES = 6
SIGNATURE_BYTES = 64
MAX_TEXT = 400
"""The longest payload text read; longer input is refused before any arithmetic."""

_EPOCH_DAY = date(2000, 1, 1)
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TEXT = re.compile(r"^[0-9A-Za-z]+$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class PayloadError(ValueError):
    """Not a stamp payload: truncated, altered beyond reading, or of an unknown version."""


@dataclass(frozen=True)
class Stamp:
    """What one stamp states, every field of it signed."""

    key_id: bytes
    serial: bytes
    dossier_id: int
    product: str
    producer: str
    stars: int
    certificate: str
    expires_on: date
    issued_at: datetime
    signature: bytes = b""

    @property
    def serial_text(self) -> str:
        """The serial as printed under the code, e.g. ``7KQ2M-X4PTD``."""
        return format_serial(self.serial)

    @property
    def key_hex(self) -> str:
        """The signing key's id, eight hex digits."""
        return self.key_id.hex()


@dataclass(frozen=True)
class IssuedStamp:
    """A signed stamp with its payload text and the URL its QR code holds."""

    stamp: Stamp
    text: str
    url: str


def format_serial(serial: bytes) -> str:
    """A serial in Crockford base 32 (no I, L, O, U), in two groups of five."""
    value, digits = int.from_bytes(serial, "big"), []
    for _ in range((len(serial) * 8 + 4) // 5):
        value, digit = divmod(value, 32)
        digits.append(_CROCKFORD[digit])
    text = "".join(reversed(digits))
    return f"{text[:5]}-{text[5:]}" if len(text) == 10 else text


def parse_serial(text: str) -> bytes:
    """The serial bytes of a printed serial (case, dashes and O/I/L misreadings forgiven)."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 10 or any(ch not in _CROCKFORD for ch in cleaned):
        raise PayloadError(f"'{text}' is not a stamp serial")
    value = 0
    for ch in cleaned:
        value = value * 32 + _CROCKFORD.index(ch)
    if value >> (SERIAL_BYTES * 8):
        raise PayloadError(f"'{text}' is not a stamp serial")
    return value.to_bytes(SERIAL_BYTES, "big")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _text_field(text: str, name: str) -> bytes:
    raw = _nfc(text).encode("utf-8")
    if not raw or len(raw) > 255:
        raise ValueError(f"{name} must be 1 to 255 bytes of UTF-8, not {len(raw)}")
    return bytes([len(raw)]) + raw


def signed_part(stamp: Stamp) -> bytes:
    """The bytes the signature covers, less ``DOMAIN``: the payload without its signature."""
    if len(stamp.key_id) != 4 or len(stamp.serial) != SERIAL_BYTES:
        raise ValueError("a key id is 4 bytes and a serial 6")
    if not 3 <= stamp.stars <= 5:
        raise ValueError("stars are 3 to 5")
    if stamp.dossier_id < 1:
        raise ValueError("a dossier id is positive")
    seconds = int(stamp.issued_at.astimezone(UTC).timestamp())
    days = (stamp.expires_on - _EPOCH_DAY).days
    if not 0 <= seconds < 2**32 or not 0 <= days < 2**16:
        raise ValueError("issue time or expiry out of range")
    return b"".join(
        (
            bytes([VERSION]),
            stamp.key_id,
            stamp.serial,
            _uvarint(stamp.dossier_id),
            seconds.to_bytes(4, "big"),
            days.to_bytes(2, "big"),
            bytes([stamp.stars]),
            _text_field(stamp.certificate, "the certificate number"),
            _text_field(stamp.product, "the product name"),
            _text_field(stamp.producer, "the producer name"),
        )
    )


def encode(stamp: Stamp) -> bytes:
    """The binary payload of a signed stamp."""
    if len(stamp.signature) != SIGNATURE_BYTES:
        raise ValueError("the stamp is not signed")
    return signed_part(stamp) + stamp.signature


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise PayloadError("the payload is truncated")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def uvarint(self) -> int:
        value = shift = 0
        for _ in range(5):
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise PayloadError("the dossier number is malformed")

    def text(self) -> str:
        raw = self.take(self.take(1)[0])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadError("a text is not UTF-8") from None
        if not text or unicodedata.normalize("NFC", text) != text:
            raise PayloadError("a text is empty or not NFC")
        return text


def decode(data: bytes) -> Stamp:
    """The stamp in a binary payload, its signature unchecked (see :mod:`ocop.stamps.verify`)."""
    reader = _Reader(data)
    version = reader.take(1)[0]
    if version != VERSION:
        raise PayloadError(f"unknown payload version {version}")
    key, serial = reader.take(4), reader.take(SERIAL_BYTES)
    dossier_id = reader.uvarint()
    seconds = int.from_bytes(reader.take(4), "big")
    days = int.from_bytes(reader.take(2), "big")
    stars = reader.take(1)[0]
    certificate, product, producer = reader.text(), reader.text(), reader.text()
    signature = reader.take(SIGNATURE_BYTES)
    if reader.at != len(data):
        raise PayloadError("the payload has bytes after its signature")
    if not 3 <= stars <= 5 or dossier_id < 1:
        raise PayloadError("the stars or the dossier number are out of range")
    return Stamp(
        key_id=key,
        serial=serial,
        dossier_id=dossier_id,
        product=product,
        producer=producer,
        stars=stars,
        certificate=certificate,
        expires_on=_EPOCH_DAY + timedelta(days=days),
        issued_at=datetime.fromtimestamp(seconds, UTC),
        signature=signature,
    )


def to_text(data: bytes) -> str:
    """A binary payload as base-36 text (its first byte, the version, is never zero)."""
    if not data or data[0] == 0:
        raise ValueError("a payload starts with its non-zero version byte")
    value, digits = int.from_bytes(data, "big"), []
    while value:
        value, digit = divmod(value, 36)
        digits.append(_DIGITS[digit])
    return "".join(reversed(digits))


def from_text(text: str) -> bytes:
    """The binary payload of a base-36 text (upper or lower case)."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT or not _TEXT.match(text):
        raise PayloadError("not a stamp code: 0-9 and A-Z only, at most 400 of them")
    value = int(text, 36)
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def stamp_url(base_url: str, text: str) -> str:
    """The URL a stamp's QR code holds: ``BASE/v/<text>``."""
    return f"{base_url.rstrip('/')}/v/{text}"


def payload_of(scanned: str) -> str:
    """The payload text in what was scanned or typed: a stamp URL, or the bare text."""
    text = scanned.strip()
    for marker in ("/v/", "/V/"):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
            break
    for end in ("?", "#", "/"):
        text = text.split(end, 1)[0]
    return text


def shortened(stamp: Stamp, product_bytes: int, producer_bytes: int) -> Stamp:
    """The stamp with its names cut to at most that many UTF-8 bytes each, ending in '…'."""

    def cut(text: str, limit: int) -> str:
        if len(text.encode("utf-8")) <= limit:
            return text
        while text and len((text + "…").encode("utf-8")) > limit:
            text = text[:-1]
        return _nfc(text) + "…"

    return replace(
        stamp,
        product=cut(stamp.product, product_bytes),
        producer=cut(stamp.producer, producer_bytes),
    )
