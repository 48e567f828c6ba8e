"""Test data: a settable clock, the Lưu Vệ actors, a valid Mẫu 01, and walks along the path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import ocop
from ocop import Actor, Role

COMMUNE, PROVINCE = "Lưu Vệ", "Thanh Hóa"
CRITERIA = {
    "local_materials": "Thịt lợn, lá chuối của xã",
    "local_labour": "12 lao động địa phương",
    "idea_origin": "Công thức truyền thống",
    "local_identity": "Gắn với làng nghề",
}
OFFICER = Actor("lan", Role.COMMUNE_OFFICER, commune=COMMUNE, province=PROVINCE)
OTHER_OFFICER = Actor("binh", Role.COMMUNE_OFFICER, commune="Quảng Yên", province=PROVINCE)
PROVINCE_OFFICER = Actor("hoa", Role.PROVINCE_OFFICER, province=PROVINCE)
CENTRAL_OFFICER = Actor("tam", Role.CENTRAL_OFFICER)
PRODUCER = Actor("minhanh", Role.PRODUCER)
ADMIN = Actor("root", Role.ADMIN)


class Clock:
    """A clock the test moves: ``clock.set(date)`` or ``clock.advance(days=…)``."""

    def __init__(self, start: date = date(2026, 3, 2)) -> None:
        self.now = datetime(start.year, start.month, start.day, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def registration(**overrides: Any) -> dict[str, Any]:
    """A valid Mẫu 01 for a new product of Lưu Vệ, owned by the producer ``minhanh``."""
    data: dict[str, Any] = {
        "product_name": "Nem chua Minh Anh",
        "product_set": 8,
        "producer": {"name": "Cơ sở Minh Anh", "email": "minhanh@example.vn"},
        "commune": COMMUNE,
        "province": PROVINCE,
        "owner": "minhanh",
    }
    data.update(overrides)
    return data


def to_submitted(reg: ocop.Registry, dossier_id: int) -> ocop.Dossier:
    """Check, evaluate and submit a registered dossier."""
    reg.fire(dossier_id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    reg.fire(dossier_id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    return reg.fire(
        dossier_id,
        "submit",
        actor=OFFICER,
        letter_number="45/UBND-KT",
        letter_date=reg.today().isoformat(),
    )


def to_rated(
    reg: ocop.Registry, dossier_id: int, a: float = 30, b: float = 15, c: float = 20
) -> ocop.Dossier:
    """Take a registered dossier to a rating with the given part scores."""
    to_submitted(reg, dossier_id)
    return reg.fire(
        dossier_id, "rate", actor=PROVINCE_OFFICER, a=a, b=b, c=c, certificate_number="GCN-01"
    )


def digest_context(**overrides: Any) -> dict[str, Any]:
    """The context of a morning digest for Lưu Vệ: a message kind that needs no dossier."""
    context: dict[str, Any] = {
        "commune": COMMUNE,
        "province": PROVINCE,
        "year": 2026,
        "today": "2026-07-20",
        "deadlines": [],
        "expiring": [],
        "to_file": [],
        "upcoming": [],
        "problems": {},
        "states": {"rated": 1},
        "recipient_name": "Chị Lan",
    }
    context.update(overrides)
    return context
