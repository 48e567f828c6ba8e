"""Areas are (province, commune) pairs, and reads are scoped like writes.

After the 2025 reorganisation many provinces have communes of the same name: the officer of
Lưu Vệ, Thanh Hóa must neither act on nor see a dossier of Lưu Vệ, Hà Nội.
"""

from __future__ import annotations

from datetime import date

import pytest
from factories import Clock, registration

import ocop
from ocop import Actor, Role

LAN = Actor("lan", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Thanh Hóa")
NAMESAKE = Actor("mai", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội")
HOA = Actor("hoa", Role.PROVINCE_OFFICER, province="Thanh Hóa")
TAM = Actor("tam", Role.CENTRAL_OFFICER)
OWNER = Actor("minhanh", Role.PRODUCER)
OTHER_PRODUCER = Actor("sx2", Role.PRODUCER)


@pytest.fixture
def registry(db_url: str) -> ocop.Registry:
    reg = ocop.open(db_url, clock=Clock(date(2026, 3, 2)))
    yield reg  # type: ignore[misc]
    reg.close()


@pytest.fixture
def two(registry: ocop.Registry) -> tuple[ocop.Dossier, ocop.Dossier]:
    here = registry.register(registration(), actor=LAN)
    there = registry.register(
        registration(province="Hà Nội", product_name="Bánh tẻ", owner="sx2"), actor=NAMESAKE
    )
    return here, there


def test_an_officer_cannot_act_on_a_namesake_communes_dossier(
    registry: ocop.Registry, two: tuple[ocop.Dossier, ocop.Dossier]
) -> None:
    _, there = two
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.fire(there.id, "return_dossier", actor=LAN, reason="Thiếu")
    assert refused.value.reason == "commune"
    assert "Lưu Vệ, Hà Nội" in str(refused.value) and "Lưu Vệ, Thanh Hóa" in str(refused.value)
    assert (refused.value.details["province"], refused.value.details["own_province"]) == (
        "Hà Nội",
        "Thanh Hóa",
    )
    assert registry.get(there.id).state.value == "registered"
    with pytest.raises(ocop.PermissionDenied):
        registry.register(registration(province="Hà Nội"), actor=LAN)


def test_an_officer_cannot_import_a_certificate_into_a_namesake_commune(
    registry: ocop.Registry,
) -> None:
    with pytest.raises(ocop.PermissionDenied) as refused:
        registry.import_certified(
            registration(province="Hà Nội"),
            certificate_number="99/QĐ",
            stars=5,
            issued_on=date(2025, 1, 2),
            actor=LAN,
        )
    assert refused.value.reason == "area"
    assert registry.find() == []


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        (LAN, {"Nem chua Minh Anh"}),
        (NAMESAKE, {"Bánh tẻ"}),
        (HOA, {"Nem chua Minh Anh"}),
        (TAM, {"Nem chua Minh Anh", "Bánh tẻ"}),
        (OWNER, {"Nem chua Minh Anh"}),
        (OTHER_PRODUCER, {"Bánh tẻ"}),
    ],
    ids=lambda v: v.name if isinstance(v, Actor) else "",
)
def test_reads_are_scoped_by_role_and_area(
    registry: ocop.Registry,
    two: tuple[ocop.Dossier, ocop.Dossier],
    reader: Actor,
    sees: set[str],
) -> None:
    assert {d.product_name for d in registry.find(actor=reader)} == sees
    assert registry.count(actor=reader) == len(sees)
    for dossier in two:
        if dossier.product_name in sees:
            assert registry.get(dossier.id, actor=reader) == dossier
            assert registry.history(dossier.id, actor=reader)
        else:
            with pytest.raises(ocop.PermissionDenied):
                registry.get(dossier.id, actor=reader)
            with pytest.raises(ocop.PermissionDenied):
                registry.history(dossier.id, actor=reader)


def test_a_filter_outside_the_scope_finds_nothing(
    registry: ocop.Registry, two: tuple[ocop.Dossier, ocop.Dossier]
) -> None:
    assert registry.find(actor=LAN, province="Hà Nội") == []
    assert registry.count(actor=HOA, province="Hà Nội") == 0
    assert len(registry.find(actor=LAN, province="Thanh Hóa")) == 1
    # Without an actor the caller is the trusted host: everything.
    assert len(registry.find()) == 2


def test_the_cli_scopes_reads_by_the_acting_user(tmp_path: object) -> None:
    from pathlib import Path

    from cli_helpers import Cli

    cli = Cli(Path(str(tmp_path)))
    cli.users()  # lan of Lưu Vệ, Thanh Hóa; binh of Quảng Yên; hoa of the province …
    with ocop.open(f"sqlite:///{cli.db}", clock=Clock(date(2026, 3, 2))) as registry:
        here = registry.register(registration(), actor=LAN)
        registry.add_user(
            {
                "username": "mai",
                "full_name": "Mai",
                "role": "commune_officer",
                "commune": "Lưu Vệ",
                "province": "Hà Nội",
            }
        )
        there = registry.register(
            registration(province="Hà Nội", product_name="Bánh tẻ"), actor=NAMESAKE
        )
    assert [d["id"] for d in cli.json("--as", "lan", "list")] == [here.id]
    assert [d["id"] for d in cli.json("--as", "mai", "list")] == [there.id]
    assert [d["id"] for d in cli.json("--as", "binh", "list")] == []
    refused = cli("--as", "lan", "show", str(there.id))
    assert refused.code == 1
    assert refused.err.strip() == (f"ocop show: Hồ sơ {there.id} nằm ngoài phạm vi lan được xem.")
    assert cli("--as", "lan", "history", str(there.id)).code == 1
    exported = cli.ok("--as", "mai", "export", "--format", "json")
    assert "Bánh tẻ" in exported and "Nem chua" not in exported


def test_an_officer_cannot_stamp_a_namesake_communes_product(
    registry: ocop.Registry, tmp_path: object
) -> None:
    from datetime import UTC, datetime
    from pathlib import Path

    from ocop.stamps.issue import issue_stamps
    from ocop.stamps.keys import KeyStore

    keys = KeyStore(Path(str(tmp_path)) / "keys")
    keys.init()
    there = registry.import_certified(
        registration(province="Hà Nội"),
        certificate_number="99/QĐ",
        stars=4,
        issued_on=date(2025, 5, 14),
        actor=NAMESAKE,
    )
    with pytest.raises(ocop.PermissionDenied) as refused:
        issue_stamps(
            registry,
            keys.issuer(),
            there.id,
            count=1,
            actor=LAN,
            base_url="https://ocop.example",
            now=datetime(2026, 3, 2, tzinfo=UTC),
        )
    assert refused.value.reason == "commune"
    assert refused.value.details["province"] == "Hà Nội"
