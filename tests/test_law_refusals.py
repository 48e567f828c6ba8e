"""What a refusal says, pinned field by field (issue 12): the CLI, the mail and a host's
explanations read a :class:`~ocop.PermissionDenied`'s ``reason``, ``trigger``,
``allowed_roles`` and ``details``, and show its English message; a change to any of them is a
change officers see. Each case checks all of them and both explanations (``explain("vi")``,
``explain("en")``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from factories import (
    CENTRAL_OFFICER,
    OFFICER,
    OTHER_OFFICER,
    PRODUCER,
    PROVINCE_OFFICER,
    Clock,
    registration,
    to_rated,
    to_submitted,
)

import ocop
from ocop import Actor, Role
from ocop.models import Message
from ocop.states import TRANSITIONS, Trigger
from ocop.workflow.permissions import (
    RETRY_ROLES,
    check_permission,
    check_preview,
    check_read,
    check_retry,
)

DOCS: dict[str, Any] = {"documents": ["mau_01", "mau_02"], "samples": 5}
OTHER_PRODUCER = Actor("sx2", Role.PRODUCER)
HANOI = Actor("ha", Role.PROVINCE_OFFICER, province="Hà Nội")
NO_AREA = Actor("vo", Role.COMMUNE_OFFICER)
NO_PROVINCE = Actor("vo", Role.PROVINCE_OFFICER)


@pytest.fixture
def registry(sqlite_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(sqlite_url, clock=Clock(date(2026, 8, 3)))
    yield reg
    reg.close()


@pytest.fixture
def registered(registry: ocop.Registry) -> ocop.Dossier:
    return registry.register(registration(), actor=OFFICER)


def _fields(err: ocop.PermissionDenied) -> tuple[object, ...]:
    return (str(err), err.trigger, err.reason, err.allowed_roles, err.details)


def _said(err: ocop.PermissionDenied) -> tuple[str, str]:
    return err.explain("en"), err.explain("vi")


# -- the step is another role's ------------------------------------------------------------


def test_a_step_for_one_role_names_it(registry: ocop.Registry, registered: ocop.Dossier) -> None:
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(registered.id, "check", actor=PRODUCER, **DOCS)
    n = registered.id
    assert _fields(refused.value) == (
        "Only a commune officer may check the documents; minhanh acts as producer.",
        "check",
        "role",
        ("commune_officer",),
        {"actor": "minhanh", "role": "producer", "dossier": n},
    )
    assert _said(refused.value) == (
        "Only a commune officer may check the documents; minhanh (producer) may not.",
        "Chỉ cán bộ xã mới được kiểm tra hồ sơ; minhanh (chủ thể sản xuất) không được làm "
        "bước này.",
    )
    assert registry.get(n).state.value == "registered"


def test_a_step_for_two_roles_names_both_in_order(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(registered.id, "return_dossier", actor=CENTRAL_OFFICER, reason="thiếu")
    assert _fields(refused.value) == (
        "Only a commune officer or province officer may return the dossier; tam acts as "
        "central officer.",
        "return_dossier",
        "role",
        ("commune_officer", "province_officer"),
        {"actor": "tam", "role": "central_officer", "dossier": registered.id},
    )
    assert _said(refused.value) == (
        "Only a commune officer or province officer may return the dossier; tam (central "
        "officer) may not.",
        "Chỉ cán bộ xã hoặc cán bộ tỉnh mới được trả lại hồ sơ; tam (cán bộ Trung ương) không "
        "được làm bước này.",
    )


# -- not by this role at this stage --------------------------------------------------------


def test_a_return_at_the_communes_stage_sends_the_province_to_the_commune(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(registered.id, "return_dossier", actor=PROVINCE_OFFICER, reason="thiếu")
    assert _fields(refused.value) == (
        "A province officer cannot return the dossier while it is 'Registered'. Ask a commune "
        "officer.",
        "return_dossier",
        "state",
        ("commune_officer", "province_officer"),
        {
            "actor": "hoa",
            "role": "province_officer",
            "dossier": registered.id,
            "state": "registered",
            "others": ("commune_officer",),
        },
    )
    assert _said(refused.value) == (
        f"Cannot return the dossier while dossier {registered.id} is “Registered”; ask a "
        "commune officer.",
        f"Không thể trả lại hồ sơ khi hồ sơ {registered.id} đang “Đã đăng ký”; đề nghị cán bộ "
        "xã thực hiện.",
    )


def test_a_return_at_the_provinces_stage_sends_the_commune_to_the_province(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = to_submitted(registry, registered.id).id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "return_dossier", actor=OFFICER, reason="thiếu")
    assert _fields(refused.value) == (
        "A commune officer cannot return the dossier while it is 'Submitted to the province'. "
        "Ask a province officer.",
        "return_dossier",
        "state",
        ("commune_officer", "province_officer"),
        {
            "actor": "lan",
            "role": "commune_officer",
            "dossier": n,
            "state": "submitted",
            "others": ("province_officer",),
        },
    )
    assert _said(refused.value)[1] == (
        f"Không thể trả lại hồ sơ khi hồ sơ {n} đang “Đã gửi tỉnh”; đề nghị cán bộ tỉnh thực hiện."
    )


def test_a_stage_no_role_may_return_at_names_no_one(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    rated = to_rated(registry, registered.id)
    assert rated.state.value == "rated"
    refusal = TRANSITIONS[Trigger.RETURN_DOSSIER]
    assert not ocop.workflow.permissions.permitted(OFFICER, refusal, rated)
    with pytest.raises(ocop.PermissionDenied) as refused:
        check_permission(OFFICER, refusal, rated)
    assert _fields(refused.value) == (
        "A commune officer cannot return the dossier while it is 'Rated and certified'.",
        "return_dossier",
        "state",
        ("commune_officer", "province_officer"),
        {
            "actor": "lan",
            "role": "commune_officer",
            "dossier": rated.id,
            "state": "rated",
            "others": (),
        },
    )
    assert _said(refused.value) == (
        f"Cannot return the dossier while dossier {rated.id} is “Rated and certified”.",
        f"Không thể trả lại hồ sơ khi hồ sơ {rated.id} đang “Đã công nhận”.",
    )


# -- outside the actor's area --------------------------------------------------------------


def test_another_communes_officer_is_told_both_areas_whole(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = registered.id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "check", actor=OTHER_OFFICER, **DOCS)
    assert _fields(refused.value) == (
        f"binh is an officer of Quảng Yên, Thanh Hóa; dossier {n} belongs to Lưu Vệ, Thanh Hóa. "
        "Ask an officer of Lưu Vệ, Thanh Hóa.",
        "check",
        "commune",
        ("commune_officer",),
        {
            "actor": "binh",
            "role": "commune_officer",
            "dossier": n,
            "own": "Quảng Yên",
            "place": "Lưu Vệ",
            "own_province": "Thanh Hóa",
            "province": "Thanh Hóa",
        },
    )
    assert _said(refused.value) == (
        f"binh is an officer of Quảng Yên, Thanh Hóa; dossier {n} belongs to Lưu Vệ, Thanh Hóa. "
        "Ask an officer of Lưu Vệ, Thanh Hóa.",
        f"binh là cán bộ xã Quảng Yên, tỉnh Thanh Hóa; hồ sơ {n} thuộc xã Lưu Vệ, tỉnh Thanh "
        "Hóa. Đề nghị cán bộ xã Lưu Vệ, tỉnh Thanh Hóa thực hiện.",
    )


def test_a_namesake_communes_officer_is_refused_with_the_provinces(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    namesake = Actor("mai", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội")
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(registered.id, "check", actor=namesake, **DOCS)
    err = refused.value
    assert err.reason == "commune"
    assert (err.details["own"], err.details["place"]) == ("Lưu Vệ", "Lưu Vệ")
    assert (err.details["own_province"], err.details["province"]) == ("Hà Nội", "Thanh Hóa")
    assert "mai is an officer of Lưu Vệ, Hà Nội;" in str(err)


def test_a_commune_officer_without_an_area_is_told_so(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = registered.id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "check", actor=NO_AREA, **DOCS)
    assert _fields(refused.value) == (
        f"vo is an officer of no commune, no province; dossier {n} belongs to Lưu Vệ, Thanh Hóa. "
        "Ask an officer of Lưu Vệ, Thanh Hóa.",
        "check",
        "commune",
        ("commune_officer",),
        {
            "actor": "vo",
            "role": "commune_officer",
            "dossier": n,
            "own": None,
            "place": "Lưu Vệ",
            "own_province": None,
            "province": "Thanh Hóa",
        },
    )
    assert _said(refused.value)[1] == (
        f"vo là cán bộ xã (chưa gán), tỉnh (chưa gán); hồ sơ {n} thuộc xã Lưu Vệ, tỉnh Thanh "
        "Hóa. Đề nghị cán bộ xã Lưu Vệ, tỉnh Thanh Hóa thực hiện."
    )


def test_another_provinces_officer_is_told_both_provinces(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = to_submitted(registry, registered.id).id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "rate", actor=HANOI, a=30, b=15, c=20)
    assert _fields(refused.value) == (
        f"ha is an officer of Hà Nội; dossier {n} is in Thanh Hóa.",
        "rate",
        "province",
        ("province_officer",),
        {
            "actor": "ha",
            "role": "province_officer",
            "dossier": n,
            "own": "Hà Nội",
            "place": "Thanh Hóa",
        },
    )
    assert _said(refused.value) == (
        f"ha is an officer of Hà Nội; dossier {n} is in Thanh Hóa.",
        f"ha là cán bộ tỉnh Hà Nội; hồ sơ {n} thuộc tỉnh Thanh Hóa.",
    )
    assert registry.get(n).state.value == "submitted"


def test_a_province_officer_without_a_province_is_told_so(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = to_submitted(registry, registered.id).id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "rate", actor=NO_PROVINCE, a=30, b=15, c=20)
    assert _fields(refused.value) == (
        f"vo is an officer of no province; dossier {n} is in Thanh Hóa.",
        "rate",
        "province",
        ("province_officer",),
        {
            "actor": "vo",
            "role": "province_officer",
            "dossier": n,
            "own": None,
            "place": "Thanh Hóa",
        },
    )
    assert _said(refused.value)[1] == (
        f"vo là cán bộ tỉnh (chưa gán tỉnh); hồ sơ {n} thuộc tỉnh Thanh Hóa."
    )


# -- not the producer's dossier ------------------------------------------------------------


def test_another_producer_is_told_whose_it_is(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = registered.id
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(n, "withdraw", actor=OTHER_PRODUCER)
    assert _fields(refused.value) == (
        f"Dossier {n} is not sx2's; only its producer may do this.",
        "withdraw",
        "owner",
        ("producer",),
        {"actor": "sx2", "role": "producer", "dossier": n, "owner": "minhanh"},
    )
    assert _said(refused.value) == (
        f"Dossier {n} is not sx2's; only its producer may withdraw.",
        f"Hồ sơ {n} không phải của sx2; chỉ chủ thể của hồ sơ mới được rút hồ sơ.",
    )
    registry.fire(n, "withdraw", actor=PRODUCER)  # its own producer may
    assert registry.get(n).state.value == "withdrawn"


def test_a_dossier_without_an_owner_is_no_producers(registry: ocop.Registry) -> None:
    ownerless = registry.register(registration(owner=None), actor=OFFICER)
    assert ownerless.owner is None
    nobody = Actor("", Role.PRODUCER)  # not even a producer with no name
    for producer in (PRODUCER, nobody):
        with pytest.raises(ocop.PermissionDenied) as refused:
            check_permission(producer, TRANSITIONS[Trigger.WITHDRAW], ownerless)
        assert (refused.value.reason, refused.value.details["owner"]) == ("owner", None)
        with pytest.raises(ocop.PermissionDenied) as unread:
            check_read(producer, ownerless)
        assert unread.value.reason == "scope"


# -- reading -------------------------------------------------------------------------------


def test_a_read_outside_the_scope_says_whose_and_what(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    n = registered.id
    for reader, role, label in (
        (OTHER_PRODUCER, "producer", "producer"),
        (OTHER_OFFICER, "commune_officer", "commune officer"),
        (HANOI, "province_officer", "province officer"),
    ):
        name = reader.name
        with pytest.raises(ocop.PermissionDenied) as refused:
            registry.get(n, actor=reader)
        assert _fields(refused.value) == (
            f"Dossier {n} is outside what {name} may see ({label}).",
            "read",
            "scope",
            (),
            {"actor": name, "role": role, "dossier": n},
        )
        assert _said(refused.value) == (
            f"Dossier {n} is outside what {name} may see.",
            f"Hồ sơ {n} nằm ngoài phạm vi {name} được xem.",
        )
    for reader in (PRODUCER, OFFICER, PROVINCE_OFFICER, CENTRAL_OFFICER, Actor("r", Role.ADMIN)):
        assert registry.get(n, actor=reader).id == n
        check_read(reader, registered)


# -- sending mail again --------------------------------------------------------------------


def test_a_producer_may_not_send_mail_again_and_is_told_who_may(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    outbox = registry.outbox
    outbox.add(
        [Message(dedupe_key="a", kind="accepted", recipient="p@x.vn", dossier_id=registered.id)],
        registry.now(),
    )
    (row,) = [m for m in outbox.find(limit=None) if m.dedupe_key == "a"]
    with pytest.raises(ocop.PermissionDenied) as refused:
        outbox.requeue([row.id], registry.now(), actor=PRODUCER)
    assert _fields(refused.value) == (
        "Only an officer or an administrator may send a message again; minhanh acts as producer.",
        "retry",
        "role",
        ("admin", "central_officer", "commune_officer", "province_officer"),
        {"actor": "minhanh", "role": "producer"},
    )
    assert _said(refused.value) == (
        "Only an officer or an administrator may send a message again; minhanh is a producer.",
        "Chỉ cán bộ hoặc quản trị viên mới được gửi lại thư; minhanh là chủ thể sản xuất.",
    )
    assert outbox.get(row.id).retried_by is None


def test_every_officer_the_administrator_and_the_system_may_send_again() -> None:
    assert set(RETRY_ROLES) == set(Role) - {Role.PRODUCER}
    for role in RETRY_ROLES:
        check_retry(Actor("x", role, commune="Lưu Vệ", province="Thanh Hóa"))
    check_retry(Actor.system())


def test_an_officer_with_half_an_area_reads_nothing(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    registry.register(
        registration(province="Hà Nội", product_name="Bánh tẻ", owner="sx2"),
        actor=Actor("mai", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội"),
    )
    for reader in (
        Actor("vo", Role.COMMUNE_OFFICER, commune="Lưu Vệ"),  # no province
        Actor("vo", Role.COMMUNE_OFFICER, province="Thanh Hóa"),  # no commune
        NO_AREA,
        NO_PROVINCE,
    ):
        assert registry.find(actor=reader) == []
        with pytest.raises(ocop.PermissionDenied):
            registry.get(registered.id, actor=reader)
    assert [d.id for d in registry.find(actor=PROVINCE_OFFICER)] == [registered.id]


# -- previewing the daemon's work (every area's mail) --------------------------------------


def test_only_who_sees_every_area_may_preview_the_daemon() -> None:
    for reader, role, label, vi in (
        (OFFICER, "commune_officer", "commune officer", "cán bộ xã"),
        (PROVINCE_OFFICER, "province_officer", "province officer", "cán bộ tỉnh"),
        (PRODUCER, "producer", "producer", "chủ thể sản xuất"),
    ):
        name = reader.name
        with pytest.raises(ocop.PermissionDenied) as refused:
            check_preview(reader)
        assert _fields(refused.value) == (
            "Only a central officer or an administrator may preview the daemon's work, which "
            f"covers every area; {name} acts as {label}.",
            "preview",
            "role",
            ("admin", "central_officer"),
            {"actor": name, "role": role},
        )
        assert _said(refused.value) == (
            "Only administrator or central officer may preview the mail daemon's work (the mail "
            f"of every area); {name} is {label}.",
            "Chỉ quản trị hoặc cán bộ Trung ương mới được xem trước việc của dịch vụ gửi thư "
            f"(thư của mọi địa bàn); {name} là {vi}.",
        )
    for reader in (CENTRAL_OFFICER, Actor("root", Role.ADMIN), Actor.system()):
        check_preview(reader)
