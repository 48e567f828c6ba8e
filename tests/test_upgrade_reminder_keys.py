"""Migration 0008: an upgraded database does not send a certificate reminder a second time.

Until issue 14 a certificate reminder's dedupe key held the dossier's cycle (``…|d1|c1|…``);
now it holds ``-``. A database upgraded with reminders already queued or sent under the old
keys would, at the next sweep, not find them and send each reminder still inside its window
once more. Revision 0008 rewrites the old keys. The database here is a real one at 0007 whose
outbox holds what the old code wrote: the rows a sweep writes, their keys put back in the old
form, which is all the old code wrote differently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from factories import OFFICER, Clock, registration
from sqlalchemy import select, text, update

import ocop
from ocop.notifications.delivery import sweep
from ocop.notifications.notices import notices_for
from ocop.plan import luu_ve_2026
from ocop.storage.database import VERSION_TABLE
from ocop.storage.migrations import HEAD
from ocop.storage.outbox import Outbox
from ocop.storage.tables import outbox

PLAN = luu_ve_2026()
CERTIFICATE_KINDS = ("filing_window", "certificate_expiring", "certificate_expired")


def _old_form(key: str, cycle: int) -> str | None:
    """The key the old code gave, for a key of the new code's (``None`` for an old one)."""
    kind_lead, subject, marker, rest = key.split("|", 3)
    return "|".join((kind_lead, subject, f"c{cycle}", rest)) if marker == "-" else None


def _keys(reg: ocop.Registry) -> dict[int, str]:
    with reg.database.read() as conn:
        return dict(conn.execute(select(outbox.c.id, outbox.c.dedupe_key)).all())


def _as_before_0008(reg: ocop.Registry, cycle: int) -> dict[int, str]:
    """Put the new certificate reminders' keys in the old form, the schema back at 0007."""
    old: dict[int, str] = {}
    with reg.database.write() as conn:
        rows = conn.execute(
            select(outbox.c.id, outbox.c.dedupe_key).where(outbox.c.kind.in_(CERTIFICATE_KINDS))
        ).all()
        for row_id, key in rows:
            former = _old_form(key, cycle)
            if former is not None:
                old[row_id] = former
                conn.execute(update(outbox).where(outbox.c.id == row_id).values(dedupe_key=former))
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0007'"))
    return old


@pytest.fixture
def planned(db_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    with ocop.open(db_url, clock=clock, notices=notices_for(PLAN)) as reg:
        yield reg


def _certified(reg: ocop.Registry) -> int:
    (imported,) = [
        reg.import_certified(
            registration(product_name="Miến gạo Dung Tháp"),
            certificate_number="GCN-2023-07",
            stars=3,
            issued_on="2023-07-14",  # expires 14/07/2026
            actor=OFFICER,
        )
    ]
    return imported.id


def test_an_upgraded_database_does_not_send_a_certificate_reminder_twice(
    planned: ocop.Registry, clock: Clock
) -> None:
    _certified(planned)
    box = Outbox(planned.database)
    clock.set(date(2026, 6, 14))  # the 30-day reminder and the filing window's
    sweep(planned, PLAN, box, with_digest=False)
    sent = [m for m in box.find(limit=None) if m.kind in CERTIFICATE_KINDS]
    assert {m.kind for m in sent} == {"certificate_expiring", "filing_window"}
    old = _as_before_0008(planned, cycle=1)
    assert all("|c1|" in key for key in old.values())
    assert planned.database.revision() == "0007"

    planned.database.upgrade()
    assert planned.database.revision() == HEAD == "0008"
    keys = _keys(planned)
    assert all("|-|" in keys[row_id] for row_id in old), keys
    # The sweeps of the following days find every reminder already there.
    for day in (14, 15, 16):
        clock.set(date(2026, 6, day))
        assert sweep(planned, PLAN, box, with_digest=False).queued == 0
    after = [m for m in box.find(limit=None) if m.kind in CERTIFICATE_KINDS]
    assert len(after) == len(sent)


def test_without_the_rewrite_the_sweep_would_send_them_again(
    planned: ocop.Registry, clock: Clock
) -> None:
    # What the migration prevents: the old keys alone do not stop the new code's sweep.
    _certified(planned)
    box = Outbox(planned.database)
    clock.set(date(2026, 6, 14))
    sweep(planned, PLAN, box, with_digest=False)
    old = _as_before_0008(planned, cycle=1)
    with planned.database.write() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '{HEAD}'"))
    assert sweep(planned, PLAN, box, with_digest=False).queued == len(old)


def test_the_same_reminder_sent_in_two_cycles_keeps_one_key_and_every_row(
    planned: ocop.Registry, clock: Clock
) -> None:
    # The repeat issue 14 saw: the 30-day reminder sent in cycle 1 on 14/06, again in cycle 2
    # on 15/06 after a re-rating was registered. Both rows stay; the older takes the new key.
    dossier_id = _certified(planned)
    box = Outbox(planned.database)
    clock.set(date(2026, 6, 14))
    sweep(planned, PLAN, box, with_digest=False)
    first = _as_before_0008(planned, cycle=1)
    with planned.database.write() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '{HEAD}'"))
    planned.fire(dossier_id, "reapply", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    clock.set(date(2026, 6, 15))
    sweep(planned, PLAN, box, with_digest=False)
    second = _as_before_0008(planned, cycle=2)
    assert second, "the old code's second 30-day reminder"
    assert planned.database.revision() == "0007"

    planned.database.upgrade()
    keys = _keys(planned)
    assert {row_id: keys[row_id] for row_id in second} == second  # kept as they were
    assert all("|-|" in keys[row_id] for row_id in first)
    for day in (15, 16, 20):
        clock.set(date(2026, 6, day))
        assert sweep(planned, PLAN, box, with_digest=False).queued == 0
    expiring = [m for m in box.find(limit=None) if m.kind == "certificate_expiring"]
    per_person = Counter(m.recipient for m in expiring)
    assert set(per_person.values()) == {2}, per_person  # the old repeat, and no third


def test_only_certificate_reminders_cycle_field_is_rewritten(
    planned: ocop.Registry, clock: Clock
) -> None:
    long_tail = "|#" + "0123456789abcdef" * 2  # a recipient's address too long, as its digest
    rows = {
        "certificate_expiring:30d|d7|c3|2026-07-14" + long_tail: "certificate_expiring",
        "certificate_expired:past|d7|c12|2026-07-14|a@x.vn": "certificate_expired",
        "filing_window:open|d7|-|2026-05-22|a@x.vn": "filing_window",  # written since
        "step_deadline:5wd|d7|c1|2026-08-10|a@x.vn": "step_deadline",  # keyed by its cycle
        "accepted:v1|d7|c1|2026-03-02|a@x.vn": "accepted",
    }
    now = clock()
    with planned.database.write() as conn:
        conn.execute(
            outbox.insert(),
            [
                {
                    "dedupe_key": key,
                    "kind": kind,
                    "recipient": "a@x.vn",
                    "lang": "vi",
                    "context": {},
                    "status": "sent",
                    "attempts": 1,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for key, kind in rows.items()
            ],
        )
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0007'"))
    planned.database.upgrade()
    assert sorted(_keys(planned).values()) == sorted(
        [
            "certificate_expiring:30d|d7|-|2026-07-14" + long_tail,
            "certificate_expired:past|d7|-|2026-07-14|a@x.vn",
            "filing_window:open|d7|-|2026-05-22|a@x.vn",
            "step_deadline:5wd|d7|c1|2026-08-10|a@x.vn",
            "accepted:v1|d7|c1|2026-03-02|a@x.vn",
        ]
    )
