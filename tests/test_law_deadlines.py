"""The Ministry's deadlines, pinned from ../shared/OCOP-RULES.md (issue 12): a re-rating
proposed by the province is due at the Ministry 45 days after the proposal (26/2026 Điều
7.6.g); a first rating or an upgrade waits for the central round its proposal date falls in
(round 1: proposed by 30/7, rated by 30/9; round 2: by 30/1, rated by 30/3). Under 148/2023 +
1489/2025 there is neither, so nothing falls due at the Ministry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, Clock, registration

import ocop
import ocop.models
from ocop.states import RULE_SETS
from ocop.workflow.deadlines import lapses_on, window_opens

FIVE_STARS: dict[str, Any] = {"a": 38, "b": 24, "c": 30}  # 92: a proposal to the Ministry


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 6, 1))


@pytest.fixture
def registry(sqlite_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    reg = ocop.open(sqlite_url, clock=clock)
    yield reg
    reg.close()


def _proposed(
    registry: ocop.Registry, clock: Clock, submitted: date, proposed: date, **overrides: Any
) -> ocop.Dossier:
    d = registry.register(registration(**overrides), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    clock.set(submitted)
    registry.fire(d.id, "submit", actor=OFFICER, letter_number="7", letter_date=str(submitted))
    clock.set(proposed)
    d = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, **FIVE_STARS)
    assert d.state.value == "central_review"
    assert d.rating is not None and d.rating.proposed_on == proposed
    return d


def test_a_rerating_proposed_to_the_ministry_is_due_45_days_later(
    registry: ocop.Registry, clock: Clock
) -> None:
    d = _proposed(registry, clock, date(2026, 6, 5), date(2026, 6, 15), kind="rerating")
    assert d.rule_set == "qd26-2026"
    # 15/6 + 45 calendar days = 30/7/2026, whatever the central round (7.6.g).
    assert (d.next_due_on, d.next_due) == (date(2026, 7, 30), "central_deadline")
    assert registry.get(d.id).next_due_on == date(2026, 7, 30)  # stored for the sweep
    assert [x.id for x in registry.find(due_before=date(2026, 7, 31))] == [d.id]
    assert registry.find(due_before=date(2026, 7, 30)) == []


def test_a_rerating_proposed_in_november_is_due_in_january_not_at_the_round(
    registry: ocop.Registry, clock: Clock
) -> None:
    d = _proposed(
        registry, clock, date(2026, 11, 2), date(2026, 11, 20), kind="rerating", product_name="B"
    )
    assert (d.next_due_on, d.next_due) == (date(2027, 1, 4), "central_deadline")


def test_a_first_rating_proposed_in_june_waits_for_central_round_1(
    registry: ocop.Registry, clock: Clock
) -> None:
    d = _proposed(registry, clock, date(2026, 6, 5), date(2026, 6, 15))
    assert d.kind == "first"
    assert d.rating is not None
    assert (d.rating.central_round, d.rating.central_round_year) == (1, 2026)
    assert (d.next_due_on, d.next_due) == (date(2026, 9, 30), "central_round")


def test_a_first_rating_proposed_in_november_waits_for_round_2_of_the_next_spring(
    registry: ocop.Registry, clock: Clock
) -> None:
    d = _proposed(registry, clock, date(2026, 11, 2), date(2026, 11, 20), product_name="C")
    assert d.rating is not None
    assert (d.rating.central_round, d.rating.central_round_year) == (2, 2027)
    assert (d.next_due_on, d.next_due) == (date(2027, 3, 30), "central_round")


def test_under_148_1489_nothing_falls_due_at_the_ministry(
    registry: ocop.Registry, clock: Clock
) -> None:
    clock.set(date(2026, 3, 2))
    for kind, name in (("rerating", "D"), ("first", "E")):
        d = _proposed(
            registry, clock, date(2026, 3, 5), date(2026, 3, 16), kind=kind, product_name=name
        )
        assert d.rule_set == "qd148-2023+qd1489-2025"
        assert (d.next_due_on, d.next_due) == (None, None)


def test_the_ministrys_rating_clears_its_deadline(registry: ocop.Registry, clock: Clock) -> None:
    d = _proposed(registry, clock, date(2026, 6, 5), date(2026, 6, 15), kind="rerating")
    clock.set(date(2026, 7, 20))
    central = ocop.Actor("tam", ocop.Role.CENTRAL_OFFICER)
    rated = registry.fire(d.id, "rate_central", actor=central, **FIVE_STARS, certificate_number="9")
    assert rated.state.value == "rated"
    assert rated.next_due == "recertification_opens"


# -- after the certificate: the lapse, grace included (26/2026 Điều 12.3) -------------------


def test_a_certificate_lapses_the_day_after_its_grace_under_the_law_of_that_day() -> None:
    def cert(expires_on: date) -> ocop.models.Certificate:
        return ocop.models.Certificate(
            number="1", stars=4, issued_on=date(2023, 1, 1), expires_on=expires_on
        )

    # Expired under 148/1489 (no grace): invalid the next day.
    assert lapses_on(cert(date(2026, 4, 30)), RULE_SETS) == date(2026, 5, 1)
    # Expired after 26/2026 took effect (22/5/2026): its 180 days of grace, from the expiry.
    assert lapses_on(cert(date(2026, 6, 30)), RULE_SETS) == date(2026, 12, 28)
    # Under 26/2026: 180 days of grace, invalid on the 181st.
    assert lapses_on(cert(date(2029, 11, 20)), RULE_SETS) == date(2030, 5, 20)
    # The window opens 180 days before expiry under 26/2026.
    assert window_opens(cert(date(2029, 11, 20)), RULE_SETS) == date(2029, 5, 24)


def test_a_certificate_due_for_rerating_is_next_due_to_lapse(
    registry: ocop.Registry, clock: Clock
) -> None:
    clock.set(date(2026, 11, 2))
    d = registry.register(registration(product_name="F"), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    clock.set(date(2026, 11, 20))
    registry.fire(d.id, "submit", actor=OFFICER, letter_number="3", letter_date="2026-11-20")
    rated = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=29, b=15, c=19,
                          certificate_number="302/QĐ")  # fmt: skip
    assert rated.certificate is not None
    assert rated.certificate.expires_on == date(2029, 11, 20)
    clock.set(date(2029, 5, 24))
    (event,) = registry.advance()
    assert event.trigger == "flag_recertification"
    due = registry.get(d.id)
    assert due.state.value == "recertification_due"
    assert (due.next_due_on, due.next_due) == (date(2030, 5, 20), "certificate_lapses")
