"""Who sees whose user record (``ocop user list``), at the library's level (issue 12): an
actor sees themselves and the users whose area lies within theirs; central officers,
administrators and the system everyone; a producer only themselves; a user with no area (a
central officer, an administrator) only those who see everyone. Areas compare whole: Lưu Vệ
of Hà Nội is not Lưu Vệ of Thanh Hóa."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from factories import Clock

import ocop
from ocop import Actor, Role
from ocop.models import User
from ocop.workflow.permissions import sees_user

USERS = [
    ("lan", "commune_officer", "Lưu Vệ", "Thanh Hóa"),
    ("binh", "commune_officer", "Quảng Yên", "Thanh Hóa"),
    ("mai", "commune_officer", "Lưu Vệ", "Hà Nội"),
    ("hoa", "province_officer", None, "Thanh Hóa"),
    ("ha", "province_officer", None, "Hà Nội"),
    ("tam", "central_officer", None, None),
    ("root", "admin", None, None),
    ("minhanh", "producer", "Lưu Vệ", "Thanh Hóa"),
    ("sx2", "producer", None, None),
    ("vo", "commune_officer", None, None),  # an officer whose record lacks their area
    ("vy", "province_officer", None, None),
]
EVERYONE = sorted(name for name, *_ in USERS)


@pytest.fixture
def registry(sqlite_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(sqlite_url, clock=Clock(date(2026, 8, 3)))
    for name, role, commune, province in USERS:
        reg.add_user(
            {
                "username": name,
                "full_name": name.title(),
                "role": role,
                "commune": commune,
                "province": province,
            }
        )
    yield reg
    reg.close()


def _seen(registry: ocop.Registry, username: str) -> list[str]:
    return [u.username for u in registry.users(actor=registry.actor(username))]


@pytest.mark.parametrize(
    ("reader", "seen"),
    [
        # A commune officer: their commune's users, not the province's officer nor a namesake.
        ("lan", ["lan", "minhanh"]),
        ("binh", ["binh"]),
        ("mai", ["mai"]),
        # A province officer: everyone with that province, whatever their commune.
        ("hoa", ["binh", "hoa", "lan", "minhanh"]),
        ("ha", ["ha", "mai"]),
        # Who sees everything sees the users with no area too.
        ("tam", EVERYONE),
        ("root", EVERYONE),
        # A producer only themselves, even with an area.
        ("minhanh", ["minhanh"]),
        ("sx2", ["sx2"]),
        # An officer without an area sees no one else (not those without an area either).
        ("vo", ["vo"]),
        ("vy", ["vy"]),
    ],
)
def test_users_listed_for_a_reader_are_those_of_their_area(
    registry: ocop.Registry, reader: str, seen: list[str]
) -> None:
    assert _seen(registry, reader) == seen


def test_the_host_and_the_system_see_every_user(registry: ocop.Registry) -> None:
    assert [u.username for u in registry.users()] == EVERYONE
    assert [u.username for u in registry.users(actor=Actor.system())] == EVERYONE


def test_a_user_is_seen_by_their_own_name_not_by_an_area_they_share() -> None:
    # The same name is the same user, whatever the record says; another name is not.
    record = User(username="lan", full_name="Lan", role=Role.PRODUCER)
    assert sees_user(Actor("lan", Role.PRODUCER), record)
    assert not sees_user(Actor("lan2", Role.PRODUCER), record)
    officer = User(
        username="x", full_name="X", role=Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội"
    )
    here = Actor("lan", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Thanh Hóa")
    assert not sees_user(here, officer)  # the commune's name alone is not the area
    province_only = User(username="y", full_name="Y", role=Role.PRODUCER, province="Thanh Hóa")
    assert not sees_user(here, province_only)  # no commune: not within a commune
    assert sees_user(Actor("hoa", Role.PROVINCE_OFFICER, province="Thanh Hóa"), province_only)
    assert not sees_user(Actor("ha", Role.PROVINCE_OFFICER, province="Hà Nội"), province_only)
