"""What only the registry knows about a genuine stamp: its certificate's status today, and
how often the stamp has been scanned.

An offline check proves who signed a stamp and what it states; the registry adds whether
that certificate has since been revoked, has expired or falls due for re-rating, and whether
the stamp's serial was issued here and is scanned unusually often (a copied stamp: one
serial printed on many packs). Counting a scan is the only write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ocop.errors import NotFound
from ocop.models import Certificate
from ocop.stamps.payload import Stamp
from ocop.stamps.store import StampRecord, StampStore
from ocop.states import State
from ocop.text import NC_, term
from ocop.workdays import local_date
from ocop.workflow.registry import Registry

__all__ = ["COPY_WARNING_SCANS", "Live", "LiveStatus", "live_status"]

COPY_WARNING_SCANS = 20
"""Scans of one serial past which the page warns of a copied stamp (a setting of the page)."""


class Live(StrEnum):
    """The certificate a genuine stamp states, as the registry has it today."""

    VALID = "valid"
    RECERTIFICATION_DUE = "recertification_due"
    """In force, and its re-rating window has opened."""
    RERATING = "rerating"
    """In force while the product's re-rating (or upgrade) dossier runs."""
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    """The dossier now holds another certificate than the one the stamp states."""
    UNKNOWN = "unknown"
    """The registry has no such dossier (a stamp of another register)."""

    def label(self, lang: str = "vi") -> str:
        """The status as ``ocop stamp verify --live`` says it."""
        return term(lang, "live", _LIVE_LABELS[self])


_LIVE_LABELS: dict[Live, str] = {
    Live.VALID: NC_("live", "còn hiệu lực"),
    Live.RECERTIFICATION_DUE: NC_("live", "còn hiệu lực, đã đến hạn đánh giá lại"),
    Live.RERATING: NC_("live", "còn hiệu lực, đang đánh giá lại"),
    Live.EXPIRED: NC_("live", "đã hết hiệu lực"),
    Live.REVOKED: NC_("live", "đã bị thu hồi"),
    Live.SUPERSEDED: NC_("live", "đã được thay bằng giấy chứng nhận khác"),
    Live.UNKNOWN: NC_("live", "không có hồ sơ này trong cơ sở dữ liệu"),
}


@dataclass(frozen=True)
class LiveStatus:
    """The registry's word on a genuine stamp."""

    status: Live
    certificate: Certificate | None
    """The dossier's certificate as the registry holds it (``None``: no such dossier)."""
    product: str | None
    producer: str | None
    record: StampRecord | None
    """The issued stamp (``None``: its serial is not in this register)."""
    copied: bool
    """Scanned more often than the page's threshold: perhaps a copied stamp."""

    @property
    def scans(self) -> int:
        """How often the stamp has been scanned, this scan included."""
        return self.record.scans if self.record else 0


def _status(state: State, cert: Certificate | None, stamp: Stamp, today: date) -> Live:
    if cert is None or cert.number != stamp.certificate:
        return Live.SUPERSEDED if cert is not None or state is not State.REVOKED else Live.REVOKED
    if cert.revoked_on is not None or state is State.REVOKED:
        return Live.REVOKED
    if state is State.EXPIRED or today > cert.expires_on:
        return Live.EXPIRED
    if state is State.RECERTIFICATION_DUE:
        return Live.RECERTIFICATION_DUE
    if state is State.RATED:
        return Live.VALID
    return Live.RERATING


def live_status(
    registry: Registry,
    stamp: Stamp,
    *,
    now: datetime,
    count_scan: bool = True,
    warn_after: int = COPY_WARNING_SCANS,
) -> LiveStatus:
    """The registry's status of a stamp whose signature has been checked, on ``now``.

    With ``count_scan`` the scan is counted first (only stamps issued here are counted, so
    forged or foreign payloads write nothing). ``warn_after`` is the scan count past which
    ``copied`` is set.
    """
    store = StampStore(registry.database)
    serial = stamp.serial_text
    record = store.scanned(serial, stamp.dossier_id, now) if count_scan else store.get(serial)
    if record is not None and record.dossier_id != stamp.dossier_id:
        record = None  # a serial of another dossier: not this stamp's record
    try:
        dossier = registry.get(stamp.dossier_id)
    except NotFound:
        return LiveStatus(Live.UNKNOWN, None, None, None, record, False)
    status = _status(dossier.state, dossier.certificate, stamp, local_date(now))
    copied = record is not None and record.scans > warn_after
    return LiveStatus(
        status,
        dossier.certificate,
        dossier.product_name,
        dossier.producer.name,
        record,
        copied,
    )
