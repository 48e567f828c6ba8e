"""Numbers the Vietnamese way in Vietnamese text: ``71`` or ``71,5``, never ``71.0``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from test_notif_render import MESSAGES

from ocop.cli.render import step_payload_text
from ocop.decimals import decimal
from ocop.models import HistoryEntry, Rating
from ocop.notifications.render import render
from ocop.states import Role, State


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (71.0, "71", "71"),
        (71.5, "71,5", "71.5"),
        (32, "32", "32"),
        (72.333333, "72,33", "72.33"),
        (49.996, "49,99", "49.99"),  # cut, never a 3-star-looking 50
        (71.3, "71,3", "71.3"),
        (20000, "20.000", "20,000"),
        (1234.5, "1.234,5", "1,234.5"),
        ("18.00", "18", "18"),
        (0.0, "0", "0"),
        (-2.5, "-2,5", "-2.5"),
    ],
)
def test_decimal_writes_the_reader_s_way(value: float, vi: str, en: str) -> None:
    assert decimal(value) == decimal(value, "vi") == decimal(value, "fr") == vi
    assert decimal(value, "en") == en


def test_fixed_keeps_the_places() -> None:
    assert decimal(18, fixed=True) == "18,00"
    assert decimal(72.5, "en", fixed=True) == "72.50"
    assert decimal(3.14159, places=3) == "3,141"


RATING = Rating(
    a=32.0, b=18.5, c=21, total=71.5, stars=4, level="province", rated_on=date(2026, 9, 1)
)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("vi", "- Điểm trung bình: 71,5/100 (phần A: 32, phần B: 18,5, phần C: 21)"),
        ("en", "- Average score: 71.5/100 (part A: 32, part B: 18.5, part C: 21)"),
    ],
)
def test_the_rating_mail_writes_scores_the_reader_s_way(lang: str, line: str) -> None:
    message = MESSAGES["rated"]
    context = dict(message.context) | {"rating": RATING.model_dump(mode="json")}
    out = render("rated", context, lang=lang, dossier_id=message.dossier_id)
    assert line in out.text.splitlines()
    assert "32.0" not in out.text and "32.0" not in out.html
    assert line[2:] in out.html


def test_the_history_column_writes_the_total_the_reader_s_way() -> None:
    entry = HistoryEntry(
        id=1,
        dossier_id=1,
        version=6,
        at=datetime(2026, 9, 1, 2, tzinfo=UTC),
        actor="hoa",
        role=Role.PROVINCE_OFFICER,
        trigger="rate",
        from_state=State.SUBMITTED,
        to_state=State.RATED,
        payload={"total": 71.0, "stars": 4},
    )
    assert step_payload_text(entry, "vi").startswith("71 điểm → 4★")
    half = entry.model_copy(update={"payload": {"total": 71.5, "stars": 4}})
    assert step_payload_text(half, "vi").startswith("71,5 điểm")
    assert step_payload_text(half, "en").startswith("71.5 ")
