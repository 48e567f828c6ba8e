"""Issuing stamps: N signed stamps for a dossier whose certificate is in force, recorded.

Each stamp gets a random serial of its own; all of a batch are recorded in one transaction
(serial, dossier, cycle, key, certificate, who, when). The names on a stamp are the
registry's; a name too long for the QR code is cut (ending in '…') until the URL fits
version 10 at level M, and the public page shows the registry's full name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ocop.errors import PermissionDenied, StampError
from ocop.models import Actor, Dossier
from ocop.stamps.keys import IssuerKey
from ocop.stamps.payload import (
    SERIAL_BYTES,
    IssuedStamp,
    Stamp,
    encode,
    format_serial,
    shortened,
    stamp_url,
    to_text,
)
from ocop.stamps.sheet import fits
from ocop.stamps.store import StampRecord, StampStore
from ocop.stamps.verify import sign
from ocop.states import Role, State
from ocop.workdays import local_date
from ocop.workflow.permissions import covers
from ocop.workflow.registry import Registry

__all__ = ["ISSUERS", "MAX_COUNT", "check_base_url", "issue_stamps", "stampable"]

MAX_COUNT = 1000
"""The most stamps one ``issue`` makes."""

ISSUERS = (Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN)
"""Who issues stamps: the dossier's commune or province officers, and administrators."""


@dataclass(frozen=True)
class _Names:
    product: int
    producer: int


def check_base_url(base_url: str) -> str:
    """The base URL of the public page without its trailing '/', if it is http(s)."""
    url = base_url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not sep or not rest or " " in url:
        raise StampError(
            "base_url",
            f"'{base_url}' is not the address of the public page; give e.g. "
            "https://ocop.example.vn",
            base_url=base_url,
        )
    return url


def _check_actor(actor: Actor, dossier: Dossier) -> None:
    def refuse(reason: str, message: str, **details: object) -> PermissionDenied:
        return PermissionDenied(
            message,
            trigger=None,
            reason=reason,
            allowed_roles=[r.value for r in ISSUERS],
            details={"actor": actor.name, "role": actor.role.value, "dossier": dossier.id}
            | details,
        )

    if actor.role not in ISSUERS:
        raise refuse(
            "role",
            f"Only a commune or province officer or an administrator issues stamps; "
            f"{actor.name} acts as {actor.role.label('en')}.",
        )
    if not covers(actor, dossier.commune, dossier.province):
        # The whole area, as for every step: a commune's name may be another province's too.
        own = f"{actor.commune or 'no commune'}, {actor.province or 'no province'}"
        place = f"{dossier.commune}, {dossier.province}"
        if actor.role is Role.COMMUNE_OFFICER:
            raise refuse(
                "commune",
                f"{actor.name} is an officer of {own}; dossier {dossier.id} belongs to {place}.",
                own=actor.commune,
                place=dossier.commune,
                own_province=actor.province,
                province=dossier.province,
            )
        raise refuse(
            "province",
            f"{actor.name} is an officer of {actor.province or 'no province'}; dossier "
            f"{dossier.id} is in {dossier.province}.",
            own=actor.province,
            place=dossier.province,
        )


def stampable(dossier: Dossier, now: datetime) -> None:
    """Raise :class:`StampError` unless the dossier's certificate is in force on ``now``'s day."""
    cert, today = dossier.certificate, local_date(now)
    if cert is None:
        raise StampError(
            "no_certificate",
            f"Dossier {dossier.id} holds no OCOP certificate; stamps are for rated products.",
            dossier=dossier.id,
            state=dossier.state.value,
        )
    if cert.revoked_on is not None or dossier.state is State.REVOKED:
        raise StampError(
            "certificate_revoked",
            f"The certificate {cert.number} of dossier {dossier.id} was revoked"
            + (f" on {cert.revoked_on.isoformat()}." if cert.revoked_on else "."),
            dossier=dossier.id,
            certificate=cert.number,
            on=cert.revoked_on,
        )
    if today > cert.expires_on or dossier.state is State.EXPIRED:
        raise StampError(
            "certificate_expired",
            f"The certificate {cert.number} of dossier {dossier.id} expired on "
            f"{cert.expires_on.isoformat()}.",
            dossier=dossier.id,
            certificate=cert.number,
            on=cert.expires_on,
        )
    if today < cert.issued_on:
        raise StampError(
            "certificate_not_yet",
            f"The certificate {cert.number} of dossier {dossier.id} is only in force from "
            f"{cert.issued_on.isoformat()}.",
            dossier=dossier.id,
            certificate=cert.number,
            on=cert.issued_on,
        )


def _claims(dossier: Dossier, key: IssuerKey, now: datetime) -> Stamp:
    cert = dossier.certificate
    assert cert is not None
    return Stamp(
        key_id=key.public.id,
        serial=b"\xff" * SERIAL_BYTES,
        dossier_id=dossier.id,
        product=dossier.product_name,
        producer=dossier.producer.name,
        stars=cert.stars,
        certificate=cert.number,
        expires_on=cert.expires_on,
        issued_at=now.astimezone(UTC).replace(microsecond=0),
    )


def _fitted(claims: Stamp, base_url: str) -> Stamp:
    """``claims`` with names cut until the longest URL of such a stamp fits the QR code."""
    size = _Names(len(claims.product.encode()), len(claims.producer.encode()))
    while True:
        trial = shortened(claims, size.product, size.producer)
        # The largest serial and signature give the longest text a stamp of these names has.
        text = to_text(
            encode(replace(trial, serial=b"\xff" * SERIAL_BYTES, signature=b"\xff" * 64))
        )
        if fits(stamp_url(base_url, text)):
            return trial
        if size.producer > 24 and size.producer >= size.product:
            size = _Names(size.product, size.producer - 3)
        elif size.product > 24:
            size = _Names(size.product - 3, size.producer)
        else:
            raise StampError(
                "too_long",
                f"A stamp of certificate {claims.certificate} does not fit a QR code of "
                f"version 10 at level M with the base URL {base_url}; use a shorter one.",
                base_url=base_url,
            )


def issue_stamps(
    registry: Registry,
    key: IssuerKey,
    dossier_id: int,
    *,
    count: int,
    actor: Actor,
    base_url: str,
    now: datetime,
) -> list[IssuedStamp]:
    """Sign and record ``count`` stamps for the dossier, as ``actor``, at ``now``.

    Refused (nothing recorded) with :class:`StampError` when the dossier's certificate is
    missing, revoked, expired or not yet in force, or the stamp cannot fit its QR code;
    :class:`~ocop.errors.PermissionDenied` when ``actor`` may not issue stamps for it.
    """
    if not 1 <= count <= MAX_COUNT:
        raise StampError(
            "count", f"Issue 1 to {MAX_COUNT} stamps at a time, not {count}.", count=count
        )
    base = check_base_url(base_url)
    dossier = registry.get(dossier_id)
    _check_actor(actor, dossier)
    stampable(dossier, now)
    claims = _fitted(_claims(dossier, key, now), base)
    store = StampStore(registry.database)
    serials: set[bytes] = set()
    while len(serials) < count:
        fresh = {secrets.token_bytes(SERIAL_BYTES) for _ in range(count - len(serials))}
        taken = store.taken(format_serial(s) for s in fresh)
        serials |= {s for s in fresh if format_serial(s).replace("-", "") not in taken}
    issued = []
    for serial in sorted(serials):
        stamp = sign(replace(claims, serial=serial), key.sign)
        text = to_text(encode(stamp))
        issued.append(IssuedStamp(stamp, text, stamp_url(base, text)))
    cert = dossier.certificate
    assert cert is not None
    store.add(
        [
            StampRecord(
                serial=i.stamp.serial_text.replace("-", ""),
                dossier_id=dossier.id,
                cycle=dossier.cycle,
                key_id=key.public.hex_id,
                certificate=cert.number,
                issued_by=actor.name,
                issued_at=claims.issued_at,
            )
            for i in issued
        ]
    )
    return issued
