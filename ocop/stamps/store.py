"""The register of issued stamps (``ocop_stamps``): who issued which serial, and its scans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update

from ocop.storage.database import Database
from ocop.storage.tables import stamps

__all__ = ["StampRecord", "StampStore"]


@dataclass(frozen=True)
class StampRecord:
    """One issued stamp as the register keeps it."""

    serial: str
    """The printed serial without its dash, e.g. ``7KQ2MX4PTD``."""
    dossier_id: int
    cycle: int
    key_id: str
    certificate: str
    issued_by: str
    issued_at: datetime
    scans: int = 0
    first_scan_at: datetime | None = None
    last_scan_at: datetime | None = None


def _key(serial: str) -> str:
    return serial.replace("-", "").upper()


class StampStore:
    """The ``ocop_stamps`` table of one :class:`~ocop.storage.database.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, records: Sequence[StampRecord]) -> None:
        """Record issued stamps, all in one transaction."""
        if not records:
            return
        rows = [
            {
                "serial": _key(r.serial),
                "dossier_id": r.dossier_id,
                "cycle": r.cycle,
                "key_id": r.key_id,
                "certificate": r.certificate,
                "issued_by": r.issued_by,
                "issued_at": r.issued_at,
                "scans": 0,
            }
            for r in records
        ]
        with self.db.write() as conn:
            conn.execute(insert(stamps), rows)

    def taken(self, serials: Iterable[str]) -> set[str]:
        """Those of ``serials`` already in the register."""
        keys = [_key(s) for s in serials]
        if not keys:
            return set()
        with self.db.read() as conn:
            found = conn.execute(select(stamps.c.serial).where(stamps.c.serial.in_(keys)))
            return set(found.scalars())

    def get(self, serial: str) -> StampRecord | None:
        """The stamp with that serial, or ``None``."""
        with self.db.read() as conn:
            row = conn.execute(select(stamps).where(stamps.c.serial == _key(serial))).first()
        return StampRecord(**row._mapping) if row else None

    def for_dossier(self, dossier_id: int) -> list[StampRecord]:
        """The dossier's stamps, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(stamps)
                .where(stamps.c.dossier_id == dossier_id)
                .order_by(stamps.c.issued_at, stamps.c.serial)
            ).all()
        return [StampRecord(**row._mapping) for row in rows]

    def scanned(self, serial: str, dossier_id: int, now: datetime) -> StampRecord | None:
        """Count one scan of the dossier's stamp; returns it as it now stands (``None``: no
        such stamp of that dossier was issued here).

        One ``UPDATE … SET scans = scans + 1``, so concurrent scans are all counted.
        """
        c = stamps.c
        with self.db.write() as conn:
            conn.execute(
                update(stamps)
                .where(c.serial == _key(serial), c.dossier_id == dossier_id)
                .values(
                    scans=c.scans + 1,
                    first_scan_at=func.coalesce(
                        c.first_scan_at, literal(now, c.first_scan_at.type)
                    ),
                    last_scan_at=now,
                )
            )
            row = conn.execute(
                select(stamps).where(c.serial == _key(serial), c.dossier_id == dossier_id)
            ).first()
        return StampRecord(**row._mapping) if row else None
