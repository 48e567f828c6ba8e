"""Test data for the reminder tests: dossiers built directly, at any state and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from ocop.models import Certificate, Dossier, Kind, Producer, Submission
from ocop.states import State
from ocop.workdays import TZ, add_months

COMMUNE, PROVINCE = "Lưu Vệ", "Thanh Hóa"


def at(day: str, hour: int = 8) -> datetime:
    """``day`` (YYYY-MM-DD) at ``hour`` o'clock in Vietnam."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=TZ)


def dossier(
    id: int = 1,
    *,
    state: State = State.REGISTERED,
    product: str = "Nem chua Minh Anh",
    email: str | None = "minhanh@example.vn",
    registered: str = "2026-03-02",
    rule_set: str = "qd148-2023+qd1489-2025",
    issued: str | None = None,
    stars: int = 3,
    kind: Kind = Kind.FIRST,
    cycle: int = 1,
    commune: str = COMMUNE,
    submitted: tuple[str, int | None, int | None] | None = None,
    producer: str | None = None,
    **extra: Any,
) -> Dossier:
    """A dossier of Lưu Vệ; ``issued`` gives it a certificate (36 months)."""
    when = datetime.combine(date.fromisoformat(registered), time(9), tzinfo=TZ).astimezone(UTC)
    certificate = None
    if issued is not None:
        day = date.fromisoformat(issued)
        certificate = Certificate(
            number=f"GCN-{id:03d}",
            stars=stars,
            issued_on=day,
            expires_on=add_months(day, 36),
        )
    submission = None
    if submitted is not None:
        letter, number, year = submitted
        submission = Submission(
            letter_number="45/UBND-KT",
            letter_date=date.fromisoformat(letter),
            round=number,
            round_year=year,
        )
    return Dossier(
        id=id,
        product_name=product,
        product_set=8,
        kind=kind,
        producer=Producer(name=producer or f"Cơ sở {product.splitlines()[0]}", email=email),
        commune=commune,
        province=PROVINCE,
        owner=None,
        state=state,
        cycle=cycle,
        rule_set=rule_set,
        version=1,
        registered_at=when,
        created_at=when,
        updated_at=when,
        certificate=certificate,
        submission=submission,
        **extra,
    )
