"""One expiry reminder per threshold per certificate, whatever cycle the dossier is in.

Seen in issue 14: after a re-rating dossier was registered, the 30-day expiry reminder came
again ("còn 30 ngày" on 14/06, "còn 29 ngày" on 15/06 for the same certificate): the dedupe key
held the dossier's cycle, which registering the re-rating moves on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from factories import OFFICER, Clock, registration
from notifdata import at, dossier

import ocop
from ocop.models import Dossier, Kind
from ocop.notifications.delivery import sweep
from ocop.notifications.notices import notices_for
from ocop.notifications.rules import certificates
from ocop.plan import luu_ve_2026
from ocop.states import State
from ocop.storage.outbox import Outbox
from ocop.workdays import Calendar

PLAN = luu_ve_2026()


def sent(start: date, before: Dossier, after: Dossier, switch: date | None) -> list[str]:
    """The certificate reminders' keys an outbox would hold, one sweep a day for 60 days."""
    keys: list[str] = []
    for offset in range(60):
        day = start + timedelta(days=offset)
        current = after if switch is not None and day >= switch else before
        for reminder in certificates([current], PLAN, Calendar(), at(day.isoformat())):
            if reminder.dedupe_key not in keys:
                keys.append(reminder.dedupe_key)
    return keys


@pytest.mark.parametrize(
    ("issued", "switch", "state"),
    [
        # Expiring 30/4/2026, under 148+1489: the window opens 30 days before expiry, the day
        # of the 30-day lead, which the window reminder stands for while certified.
        ("2023-04-30", "2026-04-01", State.RATED),
        # Expiring 14/7/2026 under 26/2026: the window opened long before; the 30-day lead on
        # 14/6 is a message of its own (issue 14: "còn 29 ngày" again on 15/6).
        ("2023-07-14", "2026-06-15", State.RECERTIFICATION_DUE),
    ],
)
def test_a_re_rating_registered_after_a_reminder_does_not_bring_it_back(
    issued: str, switch: str, state: State
) -> None:
    held = dossier(3, state=state, issued=issued)
    rerating = held.model_copy(
        update={
            "state": State.REGISTERED,
            "kind": Kind.RERATING,
            "cycle": 2,
            "registered_at": at(switch),
        }
    )
    start = date.fromisoformat(switch) - timedelta(days=20)
    alone = sent(start, held, held, None)
    with_cycle = sent(start, held, rerating, date.fromisoformat(switch))
    assert with_cycle, "the period holds reminders"
    assert set(with_cycle) <= set(alone), set(with_cycle) - set(alone)
    # At most one message per lead and person around the 30-day mark.
    near = [k.split("|")[0] + k.split("|")[-1] for k in with_cycle]
    assert len(near) == len(set(near))


def test_a_re_rating_registered_before_the_window_opened_still_gets_that_lead() -> None:
    # No window reminder went (the dossier was in its new cycle on the opening day), so the
    # expiry lead that falls on that day is sent.
    held = dossier(3, state=State.REGISTERED, issued="2023-07-14", kind=Kind.RERATING, cycle=2)
    found = certificates([held], PLAN, Calendar(), at("2026-06-14"))
    assert {(r.kind, r.lead) for r in found} == {("certificate_expiring", "30d")}


def test_a_new_certificate_is_a_new_series() -> None:
    held = dossier(3, state=State.RATED, issued="2023-07-14", rule_set="qd26-2026")
    cert = held.certificate
    assert cert is not None
    renewed = held.model_copy(
        update={
            "cycle": 2,
            "certificate": cert.model_copy(
                update={"number": "GCN-2026", "expires_on": date(2029, 7, 14)}
            ),
        }
    )
    first = {r.dedupe_key for r in certificates([held], PLAN, Calendar(), at("2026-06-14"))}
    later = {r.dedupe_key for r in certificates([renewed], PLAN, Calendar(), at("2029-06-14"))}
    assert first and later and not first & later


@pytest.fixture
def planned(db_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    with ocop.open(db_url, clock=clock, notices=notices_for(PLAN)) as reg:
        yield reg


def test_registering_a_re_rating_does_not_bring_the_30_day_reminder_back(
    planned: ocop.Registry, clock: Clock
) -> None:
    (imported,) = [
        planned.import_certified(
            registration(product_name="Miến gạo Dung Tháp"),
            certificate_number="GCN-2023-07",
            stars=3,
            issued_on="2023-07-14",  # expires 14/07/2026
            actor=OFFICER,
        )
    ]
    outbox = Outbox(planned.database)
    clock.set(date(2026, 6, 14))
    sweep(planned, PLAN, outbox, with_digest=False)
    clock.set(date(2026, 6, 15))
    planned.fire(imported.id, "reapply", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    assert planned.get(imported.id).cycle == 2
    for day in (15, 16, 20):
        clock.set(date(2026, 6, day))
        sweep(planned, PLAN, outbox, with_digest=False)
    expiring = [m for m in outbox.find(limit=None) if m.kind == "certificate_expiring"]
    per_person = Counter(m.recipient for m in expiring)
    assert per_person and set(per_person.values()) == {1}, per_person
    assert {m.context["days_left"] for m in expiring} == {30}
