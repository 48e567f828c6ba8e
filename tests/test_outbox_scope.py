"""The outbox is read and resent within the reader's area, like the dossiers (issue 12).

A message about a dossier follows the dossier; a plan's message about no dossier follows the
plan's (province, commune). ``requeue`` needs an officer or an administrator of the messages'
area and records who, in which role and when. Both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from factories import Clock, registration

import ocop
from ocop import Actor, Role
from ocop.models import Message

LAN = Actor("lan", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Thanh Hóa")
NAMESAKE = Actor("mai", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội")
HOA = Actor("hoa", Role.PROVINCE_OFFICER, province="Thanh Hóa")
HANOI = Actor("ha", Role.PROVINCE_OFFICER, province="Hà Nội")
TAM = Actor("tam", Role.CENTRAL_OFFICER)
ROOT = Actor("root", Role.ADMIN)
OWNER = Actor("minhanh", Role.PRODUCER)
OTHER_PRODUCER = Actor("sx2", Role.PRODUCER)


@pytest.fixture
def registry(db_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(db_url, clock=Clock(date(2026, 3, 2)))
    yield reg
    reg.close()


@pytest.fixture
def ids(registry: ocop.Registry) -> dict[str, int]:
    """One message per place: a dossier of Lưu Vệ, Thanh Hóa; one of Lưu Vệ, Hà Nội; the
    Thanh Hóa plan's reminder about no dossier; the Hà Nội plan's."""
    here = registry.register(registration(), actor=LAN)
    there = registry.register(
        registration(province="Hà Nội", product_name="Bánh tẻ", owner="sx2"), actor=NAMESAKE
    )
    area = {"commune": "Lưu Vệ"}
    rows = {
        "here": Message(dedupe_key="a", kind="accepted", recipient="p@x.vn", dossier_id=here.id),
        "there": Message(dedupe_key="b", kind="accepted", recipient="q@x.vn", dossier_id=there.id),
        "plan_here": Message(
            dedupe_key="c",
            kind="digest",
            recipient="lan@x.vn",
            context=area | {"province": "Thanh Hóa"},
        ),
        "plan_there": Message(
            dedupe_key="d",
            kind="digest",
            recipient="mai@x.vn",
            context=area | {"province": "Hà Nội"},
        ),
    }
    registry.outbox.add(list(rows.values()), registry.now())
    by_key = {m.dedupe_key: m.id for m in registry.outbox.find(limit=None)}
    return {name: by_key[m.dedupe_key] for name, m in rows.items()}


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        (LAN, {"here", "plan_here"}),
        (NAMESAKE, {"there", "plan_there"}),
        (HOA, {"here", "plan_here"}),
        (HANOI, {"there", "plan_there"}),
        (TAM, {"here", "there", "plan_here", "plan_there"}),
        (ROOT, {"here", "there", "plan_here", "plan_there"}),
        (OWNER, {"here"}),
        (OTHER_PRODUCER, {"there"}),
    ],
    ids=lambda v: v.name if isinstance(v, Actor) else "",
)
def test_outbox_reads_are_scoped_by_role_and_area(
    registry: ocop.Registry, ids: dict[str, int], reader: Actor, sees: set[str]
) -> None:
    outbox = registry.outbox
    names = {v: k for k, v in ids.items()}
    # The notices the registrations wrote aside (the producer's, about each dossier).
    found = outbox.find(actor=reader, limit=None)
    assert {names[m.id] for m in found if m.id in names} == sees
    assert sum(outbox.counts(actor=reader).values()) == len(found)
    for name, message_id in ids.items():
        if name in sees:
            assert outbox.get(message_id, actor=reader).id == message_id
        else:
            with pytest.raises(ocop.PermissionDenied) as refused:
                outbox.get(message_id, actor=reader)
            assert refused.value.reason == "scope"
            assert refused.value.details["message"] == message_id
    # Without an actor the caller is the trusted host: every message.
    assert set(ids.values()) <= {m.id for m in outbox.find(limit=None)}


def test_retry_is_for_officers_of_the_area_and_is_recorded(
    registry: ocop.Registry, ids: dict[str, int]
) -> None:
    outbox = registry.outbox
    before = {m.id: m for m in outbox.find(limit=None)}
    for who, which, reason in (
        (OWNER, "here", "role"),
        (NAMESAKE, "here", "scope"),
        (HANOI, "plan_here", "scope"),
    ):
        with pytest.raises(ocop.PermissionDenied) as refused:
            outbox.requeue([ids[which]], registry.now(), actor=who)
        assert refused.value.reason == reason
    # One message outside the area refuses the whole request: nothing changes.
    with pytest.raises(ocop.PermissionDenied):
        outbox.requeue([ids["here"], ids["there"]], registry.now(), actor=LAN)
    assert {m.id: m for m in outbox.find(limit=None)} == before

    (done,) = outbox.requeue([ids["here"]], registry.now(), actor=LAN)
    assert (done.retried_by, done.retried_role, done.retried_at) == (
        "lan",
        "commune_officer",
        registry.now(),
    )
    assert outbox.get(ids["here"]).retried_by == "lan"
    (central,) = outbox.requeue([ids["plan_there"]], registry.now(), actor=TAM)
    assert (central.retried_by, central.retried_role) == ("tam", "central_officer")
    # The trusted host (no actor) is recorded as the system.
    (host,) = outbox.requeue([ids["there"]], registry.now())
    assert (host.retried_by, host.retried_role) == ("system", "system")
    assert outbox.get(ids["plan_here"]).retried_by is None
