"""Issue 12's attacks, round two: addresses, separators, future letters, a closed registry, and
reads without an active user. Each is refused with one clear error and changes nothing; both
backends where storage is involved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import Cli
from factories import CRITERIA, OFFICER, Clock, registration

import ocop

BAD_ADDRESSES = ["a,evil@x.example", "<x>@y.example", "x@y.z;", "a@b..c"]
SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1f", "\x7f", "\x9b"]


@pytest.fixture
def registry(db_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 12)))
    yield reg
    reg.close()


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_producer_or_user_address_the_validator_refuses_changes_nothing(
    registry: ocop.Registry, address: str
) -> None:
    with pytest.raises(ocop.InvalidInput, match="is not an e-mail address") as refused:
        registry.register(
            registration(producer={"name": "Cơ sở A", "email": address}), actor=OFFICER
        )
    assert refused.value.field == "producer.email"
    with pytest.raises(ocop.InvalidInput, match="is not an e-mail address"):
        registry.add_user({"username": "x", "full_name": "X", "role": "admin", "email": address})
    assert registry.find() == [] and registry.users() == []


@pytest.mark.parametrize("char", SEPARATORS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_line_separator_and_control_character_is_refused_in_a_single_line_field(
    registry: ocop.Registry, char: str
) -> None:
    with pytest.raises(ocop.InvalidInput, match=f"U\\+{ord(char):04X} found"):
        registry.register(registration(product_name=f"Nem{char}chua"), actor=OFFICER)
    assert registry.find() == []


def test_a_letter_dated_after_today_is_refused(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    d = registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    with pytest.raises(ocop.InvalidInput, match="after today") as refused:
        registry.fire(d.id, "submit", actor=OFFICER, letter_number="1", letter_date="13/08/2026")
    assert refused.value.field == "letter_date"
    assert registry.get(d.id) == d
    done = registry.fire(d.id, "submit", actor=OFFICER, letter_number="1", letter_date="12/08/2026")
    assert done.submission is not None and done.submission.letter_date == date(2026, 8, 12)


def test_a_closed_registry_neither_reads_nor_fires(db_url: str) -> None:
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 12)))
    d = reg.register(registration(), actor=OFFICER)
    reg.close()
    for call in (
        lambda: reg.get(d.id),
        lambda: reg.find(),
        lambda: reg.count(),
        lambda: reg.history(d.id),
        lambda: reg.users(),
        lambda: reg.outbox.find(),
        lambda: reg.fire(d.id, "check", actor=OFFICER, documents=["mau_01"], samples=1),
        lambda: reg.register(registration(), actor=OFFICER),
        lambda: reg.upgrade(),
    ):
        with pytest.raises(ocop.RegistryClosed, match="was closed"):
            call()
    with ocop.open(db_url) as again:
        assert again.get(d.id).state.value == "registered"  # the refused fire wrote nothing


READS = [
    ["list"],
    ["show", "1"],
    ["history", "1"],
    ["export"],
    ["outbox", "list"],
    ["outbox", "show", "1"],
    ["user", "list"],
    ["report", "dossiers", "-o", "out.xlsx"],
    ["document", "mau-03", "1", "-o", "out.docx"],
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_every_read_needs_an_active_user_and_shows_nothing_without_one(
    tmp_path: Path, args: list[str]
) -> None:
    cli = Cli(tmp_path)
    with ocop.open(f"sqlite:///{cli.db}", clock=Clock(date(2026, 8, 12))) as reg:
        reg.register(registration(), actor=OFFICER)
    cli.users(reader=None)
    cli.ok("--as", "root", "user", "disable", "lan")
    before = cli.db.read_bytes()
    for env, code, says in (
        ({}, 2, "--as"),
        ({"OCOP_USER": "nobody"}, 1, "Không có người dùng 'nobody'"),
        ({"OCOP_USER": "lan"}, 1, "đã bị khóa"),
    ):
        result = cli(*args, env=env)
        assert (result.code, result.out) == (code, ""), result.err
        assert says in result.err and len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "out.docx").exists()
    assert cli.db.read_bytes() == before


def test_an_officer_of_a_namesake_commune_reads_nothing_of_another_province(
    tmp_path: Path,
) -> None:
    cli = Cli(tmp_path)
    with ocop.open(f"sqlite:///{cli.db}", clock=Clock(date(2026, 8, 12))) as reg:
        reg.register(registration(), actor=OFFICER)  # Lưu Vệ, Thanh Hóa
        reg.add_user(
            {
                "username": "mai",
                "full_name": "Mai",
                "role": "commune_officer",
                "commune": "Lưu Vệ",
                "province": "Hà Nội",
            }
        )
    cli.users()
    assert cli.json("list", "--as", "mai") == []
    assert cli.json("outbox", "list", "--as", "mai") == []
    assert [u["username"] for u in cli.json("user", "list", "--as", "mai")] == ["mai"]
    refused = cli("show", "1", "--as", "mai")
    assert refused.code == 1 and "nằm ngoài phạm vi mai" in refused.err
    assert len(cli.json("list", "--as", "lan")) == 1


def test_a_product_set_or_form_the_rules_do_not_have_is_refused(registry: ocop.Registry) -> None:
    with pytest.raises(ocop.InvalidInput, match="no product set 99; the sets are numbered 1 to 26"):
        registry.find(product_set=99)
    with pytest.raises(ocop.InvalidInput, match="no product set 0"):
        registry.count(product_set=0)
    with pytest.raises(ocop.InvalidInput, match="mau_99 is not a form") as refused:
        registry.register(registration(documents=["mau_99"]), actor=OFFICER)
    assert refused.value.field == "documents" and registry.find() == []
    # Evidence under its own name passes; Mẫu 03 is the commune's report, not the producer's.
    d = registry.register(registration(documents=["mau_01", "giay_atvstp"]), actor=OFFICER)
    with pytest.raises(ocop.InvalidInput, match="mau_03 is not a form"):
        registry.fire(d.id, "check", actor=OFFICER, documents=["mau_03"], samples=5)
    assert registry.get(d.id) == d
    assert [x.id for x in registry.find(product_set=d.product_set)] == [d.id]


def test_the_cli_refuses_set_99_and_mau_99_in_one_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.users()
    before = cli.db.read_bytes()
    listed = cli("list", "--set", "99")
    assert listed.code == 1 and "Không có bộ sản phẩm 99" in listed.err and not listed.out
    filed = cli("--as", "lan", "register", "--product", "Nem", "--set", "8", "--producer", "A",
                "--documents", "mau_01,mau_99")  # fmt: skip
    assert filed.code == 1 and "mau_99" in filed.err
    assert len(filed.err.strip().splitlines()) == 1 and "Traceback" not in filed.err
    assert cli.db.read_bytes() == before


def test_an_officer_sees_only_their_commune_and_one_without_an_area_sees_nothing(
    registry: ocop.Registry,
) -> None:
    here = registry.register(registration(), actor=OFFICER)  # Lưu Vệ, Thanh Hóa
    quang_yen = ocop.Actor("binh", "commune_officer", commune="Quảng Yên", province="Thanh Hóa")
    there = registry.register(registration(commune="Quảng Yên"), actor=quang_yen)
    registry.outbox.add(
        [
            ocop.models.Message(
                dedupe_key="k", kind="digest", recipient="a@x.vn", dossier_id=there.id
            )
        ],
        registry.now(),
    )
    assert [d.id for d in registry.find(actor=OFFICER)] == [here.id]
    assert registry.count(actor=OFFICER) == 1
    assert all(m.dossier_id == here.id for m in registry.outbox.find(actor=OFFICER, limit=None))
    # An officer whose record lacks the area: an empty filter must not mean "no filter".
    for nowhere in (
        ocop.Actor("x", "commune_officer"),
        ocop.Actor("y", "commune_officer", commune="Lưu Vệ"),
        ocop.Actor("z", "province_officer"),
    ):
        assert registry.find(actor=nowhere) == [] and registry.count(actor=nowhere) == 0
        assert registry.outbox.find(actor=nowhere, limit=None) == []
        with pytest.raises(ocop.PermissionDenied):
            registry.get(here.id, actor=nowhere)
