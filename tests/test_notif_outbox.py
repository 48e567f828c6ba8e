"""The outbox on SQLite and PostgreSQL: notices, the sweep, claims and outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import OFFICER, PROVINCE_OFFICER, Clock, registration, to_rated

import ocop
from ocop.errors import InvalidInput, NotFound
from ocop.models import Message
from ocop.notifications.delivery import preview, sweep
from ocop.notifications.notices import notices_for
from ocop.plan import luu_ve_2026
from ocop.storage.outbox import Outbox

PLAN = luu_ve_2026()
OFFICE = "phongkinhte@luuve.example"
PRODUCER = "minhanh@example.vn"


@pytest.fixture
def planned(db_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    """A registry whose notices know the Lưu Vệ plan (so officers hear of ratings too)."""
    with ocop.open(db_url, clock=clock, notices=notices_for(PLAN)) as reg:
        yield reg


def rows(registry: ocop.Registry) -> list[tuple[str, str, int | None]]:
    return [
        (m.kind, m.recipient, m.dossier_id)
        for m in Outbox(registry.database).find(newest_first=False, limit=None)
    ]


def test_each_notice_is_written_with_its_transition(planned: ocop.Registry) -> None:
    d = planned.register(registration(), actor=OFFICER)
    assert rows(planned) == [("accepted", PRODUCER, d.id)]
    key = Outbox(planned.database).find()[0].dedupe_key
    # The id a new dossier gets is filled into the key of its notice.
    assert key == f"accepted:v1|d{d.id}|c1|2026-03-02|{PRODUCER}"
    planned.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02")
    planned.fire(d.id, "resubmit", actor=OFFICER)
    to_rated(planned, d.id)
    planned.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="production_stopped")
    assert rows(planned)[1:] == [
        ("returned", PRODUCER, d.id),
        ("accepted", PRODUCER, d.id),
        ("rated", PRODUCER, d.id),
        ("rated", OFFICE, d.id),
        ("revoked", PRODUCER, d.id),
        ("revoked", OFFICE, d.id),
    ]
    messages = {m.kind: m for m in Outbox(planned.database).find(limit=None)}
    assert messages["returned"].context["reason"] == "Thiếu Mẫu 02"
    rated = messages["rated"].context
    assert rated["outcome"] == "rated" and rated["dossier"]["certificate"]["stars"] == 3
    assert rated["dossier"]["certificate"]["number"] == "GCN-01"
    assert messages["revoked"].context["revocation"]["ground"] == "production_stopped"


def test_without_a_plan_only_producers_with_an_address_are_told(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    silent = registry.register(
        registration(producer={"name": "Hộ Lê Văn Tám"}, product_name="Chè xanh"), actor=OFFICER
    )
    to_rated(registry, d.id)
    to_rated(registry, silent.id)
    assert rows(registry) == [("accepted", PRODUCER, d.id), ("rated", PRODUCER, d.id)]


def test_the_sweep_fires_system_transitions_and_queues_each_reminder_once(
    planned: ocop.Registry, clock: Clock
) -> None:
    planned.import_certified(
        registration(product_name="Miến gạo Dung Tháp"),
        certificate_number="GCN-2024-02",
        stars=3,
        issued_on="2024-02-12",
        actor=OFFICER,
    )
    outbox = Outbox(planned.database)
    clock.set(date(2026, 8, 16))  # 26/2026: the window opens 180 days before expiry (12/2/2027)
    would = {(r.kind, r.to.email) for r in preview(planned, PLAN)}
    first = sweep(planned, PLAN, outbox)
    assert first.fired == ["flag_recertification #1"]
    assert first.queued == first.due == len(would)
    assert {("filing_window", PRODUCER), ("filing_window", OFFICE)} <= would
    again = sweep(planned, PLAN, outbox)
    assert (again.fired, again.queued) == ([], 0)
    assert len(outbox.find(limit=None)) == first.queued
    clock.set(date(2027, 2, 13))  # expired, but valid for 180 more days (Điều 12.3)
    expired = sweep(planned, PLAN, outbox)
    assert expired.fired == []
    assert {m.kind for m in outbox.find(kind="certificate_expired")} == {"certificate_expired"}
    clock.set(date(2027, 8, 12))  # the day after the grace
    assert sweep(planned, PLAN, outbox).fired == ["expire #1"]


def _messages(n: int) -> list[Message]:
    return [
        Message(dedupe_key=f"test:{i}", kind="event", recipient=f"r{i}@x.vn", context={})
        for i in range(n)
    ]


NOW = datetime(2026, 7, 18, 1, tzinfo=UTC)


def test_claims_outcomes_and_requeue(registry: ocop.Registry) -> None:
    outbox = Outbox(registry.database)
    assert outbox.add(_messages(5), NOW) == 5
    assert outbox.add(_messages(6), NOW) == 1  # the first five are there already
    later = Message(
        dedupe_key="test:later", kind="event", recipient="l@x.vn", not_before=NOW + timedelta(1)
    )
    outbox.add([later], NOW)
    batch = outbox.claim("w1", NOW, limit=4)
    assert [m.dedupe_key for m in batch] == ["test:0", "test:1", "test:2", "test:3"]
    assert {m.status for m in batch} == {"claimed"} and {m.claimed_by for m in batch} == {"w1"}
    rest = outbox.claim("w2", NOW, limit=10)
    assert [m.dedupe_key for m in rest] == ["test:4", "test:5"]  # not the one due later
    a, b, c, d = (m.id for m in batch)
    assert not outbox.sent(a, "w1", NOW)  # not started yet
    assert outbox.start(a, "w1", NOW) and outbox.sent(a, "w1", NOW)
    assert not outbox.start(b, "w2", NOW)  # another worker's claim
    assert outbox.start(b, "w1", NOW)
    at = NOW + timedelta(minutes=2)
    assert outbox.retry_later(b, "w1", "451 busy", at, attempts=1)
    assert outbox.failed(c, "w1", "550 no such user", attempts=1)
    assert outbox.start(d, "w1", NOW) and outbox.uncertain(d, "w1", "no answer", attempts=1)
    assert outbox.release([m.id for m in rest], "w2") == 2
    assert outbox.counts() == {"sent": 1, "retry": 1, "failed": 1, "uncertain": 1, "pending": 3}
    assert outbox.next_due() == NOW
    retried = outbox.get(b)
    assert (retried.attempts, retried.next_attempt_at, retried.last_error) == (1, at, "451 busy")
    assert [m.id for m in outbox.find(status=["failed", "uncertain"], newest_first=False)] == [c, d]
    assert outbox.get(a).sent_at == NOW
    again = outbox.requeue([c, d], NOW)
    assert {(m.status, m.attempts) for m in again} == {("pending", 0)}
    with pytest.raises(InvalidInput, match="is sent"):
        outbox.requeue([a], NOW)
    with pytest.raises(NotFound):
        outbox.requeue([999], NOW)
    with pytest.raises(InvalidInput, match="Unknown status"):
        outbox.find(status="lost")


def test_a_dead_daemons_claims_are_requeued_and_its_sends_marked_uncertain(
    registry: ocop.Registry,
) -> None:
    outbox = Outbox(registry.database)
    outbox.add(_messages(3), NOW)
    claimed = outbox.claim("dead", NOW, limit=3)
    outbox.start(claimed[0].id, "dead", NOW)
    assert outbox.recover(NOW + timedelta(minutes=5), timedelta(minutes=15)) == (0, 0)
    assert outbox.recover(NOW + timedelta(minutes=20), timedelta(minutes=15)) == (2, 1)
    assert outbox.get(claimed[0].id).status == "uncertain"
    assert {m.status for m in claimed[1:] for m in [outbox.get(m.id)]} == {"pending"}
    # The dead worker cannot record anything on rows it lost.
    assert not outbox.sent(claimed[0].id, "dead", NOW)
