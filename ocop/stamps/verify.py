"""Offline verification: a stamp checked with the trusted public keys alone.

:func:`verify` reads a payload (from a stamp URL or the bare text), finds the trusted key its
key id names, checks the Ed25519 signature over everything the payload states, and then the
certificate's expiry on the day given. It never raises for a bad stamp: every stamp gets a
:class:`Verdict`. :func:`read_image` finds the QR codes in a photo or a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from ocop.errors import StampError
from ocop.stamps.keys import PublicKey
from ocop.stamps.payload import (
    DOMAIN,
    PayloadError,
    Stamp,
    decode,
    from_text,
    payload_of,
    signed_part,
)
from ocop.workdays import local_date

__all__ = ["Outcome", "Reason", "Verdict", "expired", "read_image", "sign", "verify"]


class Outcome(StrEnum):
    """The answer of an offline check."""

    GENUINE = "genuine"
    NOT_GENUINE = "not_genuine"
    EXPIRED = "expired"
    """Signed by a trusted key, but the certificate it states is past its expiry."""


class Reason(StrEnum):
    """Why a stamp got its outcome."""

    VALID = "valid"
    UNREADABLE = "unreadable"
    """Not a stamp payload: truncated, mistyped or altered beyond reading."""
    UNKNOWN_KEY = "unknown_key"
    """Signed with a key that is not trusted here."""
    BAD_SIGNATURE = "bad_signature"
    """The signature does not match what the stamp states: altered or forged."""
    EXPIRED = "expired"


@dataclass(frozen=True)
class Verdict:
    """An offline check's result.

    ``stamp`` holds what the stamp states only when the signature checked out (genuine or
    expired); for a stamp that is not genuine nothing it says is given back, except the key
    id it claims (``claimed_key``), for the message about an unknown key.
    """

    outcome: Outcome
    reason: Reason
    stamp: Stamp | None = None
    claimed_key: str | None = None
    detail: str | None = None

    @property
    def genuine(self) -> bool:
        """Signed by a trusted key (whether or not the certificate has expired since)."""
        return self.stamp is not None


def sign(stamp: Stamp, signer: Callable[[bytes], bytes]) -> Stamp:
    """``stamp`` with its signature made by ``signer`` (an :meth:`IssuerKey.sign`)."""
    return replace(stamp, signature=signer(DOMAIN + signed_part(stamp)))


def verify(scanned: str, trusted: Mapping[bytes, PublicKey], *, now: datetime) -> Verdict:
    """Check a stamp (its URL or payload text) against the ``trusted`` keys on ``now``'s day.

    ``now`` is the moment of the check (aware); the certificate is in force through its
    expiry day in Vietnam's time.
    """
    try:
        stamp = decode(from_text(payload_of(scanned)))
    except PayloadError as exc:
        return Verdict(Outcome.NOT_GENUINE, Reason.UNREADABLE, detail=str(exc))
    key = trusted.get(stamp.key_id)
    if key is None:
        return Verdict(Outcome.NOT_GENUINE, Reason.UNKNOWN_KEY, claimed_key=stamp.key_hex)
    if not key.verifies(stamp.signature, DOMAIN + signed_part(stamp)):
        return Verdict(Outcome.NOT_GENUINE, Reason.BAD_SIGNATURE, claimed_key=stamp.key_hex)
    if expired(stamp, local_date(now)):
        return Verdict(Outcome.EXPIRED, Reason.EXPIRED, stamp=stamp, claimed_key=stamp.key_hex)
    return Verdict(Outcome.GENUINE, Reason.VALID, stamp=stamp, claimed_key=stamp.key_hex)


def expired(stamp: Stamp, day: date) -> bool:
    """Whether the certificate the stamp states is past its expiry on ``day``."""
    return day > stamp.expires_on


def read_image(source: Path | bytes) -> list[str]:
    """The text of every QR code in an image file (PNG, JPEG, …), in reading order.

    Raises :class:`StampError` (``image``) for a file that is not an image, or holds no QR
    code. Uses zxing-cpp on the image as Pillow reads it.
    """
    import io

    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    name = str(source) if isinstance(source, Path) else "the image"
    try:
        with Image.open(source if isinstance(source, Path) else io.BytesIO(source)) as image:
            image.load()
            gray = image.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise StampError("image", f"{name} is not an image: {exc}", path=name) from None
    found = zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    found = sorted(found, key=lambda r: (r.position.top_left.y, r.position.top_left.x))
    texts = [result.text for result in found if result.valid and result.text]
    if not texts:
        raise StampError("image", f"No QR code could be read in {name}.", path=name)
    return texts
