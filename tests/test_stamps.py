"""E-stamps in the library: keys, signed payloads, issuing, offline verification, live status.

Real parts: key files in tmp_path, the registry on SQLite and PostgreSQL (``db_url``), PNG
files written by segno and Pillow and read back by zxing-cpp. Every moment is given: the
certificate is issued on 14/5/2025 and expires on 14/5/2028; stamps are issued on 2/12/2026.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import ADMIN, COMMUNE, OFFICER, OTHER_OFFICER, PRODUCER, PROVINCE, Clock

import ocop
from ocop.errors import NotFound, PermissionDenied, StampError
from ocop.stamps import payload, sheet
from ocop.stamps.issue import issue_stamps
from ocop.stamps.keys import KeyStore, TrustedKeys
from ocop.stamps.live import Live, live_status
from ocop.stamps.store import StampStore
from ocop.stamps.verify import Outcome, Reason, read_image, verify

ISSUED = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
BASE = "https://ocop.luuve.thanhhoa.gov.vn"
PROVINCE_OFFICER = ocop.Actor("hoa", ocop.Role.PROVINCE_OFFICER, province=PROVINCE)


def certified(reg: ocop.Registry, **overrides: object) -> ocop.Dossier:
    """A 3-star product of Lưu Vệ with certificate GCN-01 of 14/5/2025 (to 14/5/2028)."""
    data: dict[str, object] = {
        "product_name": "Nem chua Minh Anh",
        "product_set": 8,
        "producer": {"name": "Cơ sở Minh Anh"},
        "commune": COMMUNE,
        "province": PROVINCE,
        "owner": "minhanh",
    }
    data.update(overrides)
    return reg.import_certified(
        data, certificate_number="GCN-01", stars=3, issued_on="2025-05-14", actor=ADMIN
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(ISSUED.date())


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path / "keys")
    store.init()
    return store


@pytest.fixture
def reg(sqlite_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    with ocop.open(sqlite_url, clock=clock) as registry:
        yield registry


def one(reg: ocop.Registry, keys: KeyStore, dossier_id: int) -> payload.IssuedStamp:
    [issued] = issue_stamps(
        reg, keys.issuer(), dossier_id, count=1, actor=OFFICER, base_url=BASE, now=ISSUED
    )
    return issued


# -- keys ---------------------------------------------------------------------------------


def test_keys_init_writes_a_private_key_only_its_owner_reads(keys: KeyStore) -> None:
    assert stat.S_IMODE(keys.private_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o700
    public = keys.public()
    assert len(public.hex_id) == 8
    assert keys.issuer().public == public
    assert list(keys.trusted()) == [public.id]
    assert "BEGIN PUBLIC KEY" in public.pem()
    with pytest.raises(StampError) as refused:
        keys.init()
    assert refused.value.code == "keys_exist"


def test_a_private_key_readable_by_others_is_refused(keys: KeyStore) -> None:
    keys.private_file.chmod(0o644)
    with pytest.raises(StampError) as refused:
        keys.issuer()
    assert refused.value.code == "key_mode"


def test_a_passphrase_protects_the_private_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k")
    public = store.init(passphrase=b"m\xe1t kh\xe1u")
    assert b"ENCRYPTED" in store.private_file.read_bytes()
    for wrong in (None, b"wrong"):
        with pytest.raises(StampError) as refused:
            store.issuer(wrong)
        assert refused.value.code == "passphrase"
    assert store.issuer(b"m\xe1t kh\xe1u").public == public


def test_missing_keys_say_so_and_where(tmp_path: Path) -> None:
    # The library names no command; the CLI's explanation adds `ocop keys init` (stamps_cli).
    store = KeyStore(tmp_path / "none")
    for call in (store.issuer, store.public):
        with pytest.raises(
            StampError, match=r"No issuer key in .*none; create one first"
        ) as refused:
            call()
        assert refused.value.code == "no_keys"
        assert refused.value.params["path"] == str(tmp_path / "none")
    assert len(store.trusted()) == 0


def test_rotation_keeps_the_old_key_trusted_and_distrust_drops_it(
    reg: ocop.Registry, keys: KeyStore
) -> None:
    d = certified(reg)
    old_stamp = one(reg, keys, d.id)
    old = keys.public()
    new = keys.init(rotate=True)
    assert new.id != old.id
    assert (keys.retired_dir / f"{old.hex_id}.key").exists()
    new_stamp = one(reg, keys, d.id)
    assert new_stamp.stamp.key_id == new.id
    trusted = keys.trusted()
    assert set(trusted) == {old.id, new.id}
    for issued in (old_stamp, new_stamp):
        assert verify(issued.url, trusted, now=ISSUED).outcome is Outcome.GENUINE
    keys.distrust(old.hex_id)
    verdict = verify(old_stamp.url, keys.trusted(), now=ISSUED)
    assert (verdict.outcome, verdict.reason) == (Outcome.NOT_GENUINE, Reason.UNKNOWN_KEY)
    assert verify(new_stamp.url, keys.trusted(), now=ISSUED).outcome is Outcome.GENUINE


def test_trusting_a_key_of_another_commune(tmp_path: Path, keys: KeyStore) -> None:
    other = KeyStore(tmp_path / "other")
    theirs = other.init()
    assert keys.trust(other.public_file.read_bytes()) == theirs
    assert keys.trust(other.public_file.read_bytes()) == theirs  # twice: no change
    assert set(keys.trusted()) == {keys.public().id, theirs.id}
    with pytest.raises(StampError) as refused:
        keys.trust(b"not a key")
    assert refused.value.code == "bad_key"


# -- payload ----------------------------------------------------------------------------


def test_a_stamp_is_issued_and_verified_offline_from_its_payload(
    reg: ocop.Registry, keys: KeyStore
) -> None:
    d = certified(reg)
    issued = issue_stamps(
        reg, keys.issuer(), d.id, count=3, actor=OFFICER, base_url=BASE + "/", now=ISSUED
    )
    assert len({i.stamp.serial for i in issued}) == 3
    for i in issued:
        assert i.url == f"{BASE}/v/{i.text}"
        for given in (i.url, i.text, i.text.lower(), f"  {i.url}?utm=x  "):
            verdict = verify(given, keys.trusted(), now=ISSUED)
            assert (verdict.outcome, verdict.reason) == (Outcome.GENUINE, Reason.VALID)
        stamp = verdict.stamp
        assert stamp is not None
        assert (stamp.product, stamp.producer, stamp.stars) == (
            "Nem chua Minh Anh",
            "Cơ sở Minh Anh",
            3,
        )
        assert (stamp.certificate, stamp.expires_on) == ("GCN-01", date(2028, 5, 14))
        assert (stamp.dossier_id, stamp.issued_at) == (d.id, ISSUED)
        assert stamp.key_id == keys.public().id


def test_the_stamp_url_fits_qr_version_10_at_level_m(reg: ocop.Registry, keys: KeyStore) -> None:
    d = certified(reg)
    issued = one(reg, keys, d.id)
    size = len(payload.encode(issued.stamp))
    code = sheet.qr_code(issued.url)
    assert code.error == "M"
    assert int(code.version) <= 10
    texts = sum(len(t.encode()) for t in ("GCN-01", "Nem chua Minh Anh", "Cơ sở Minh Anh"))
    assert size == 19 + 3 + texts + 64  # fields, three length bytes, texts, signature
    assert issued.text.isalnum() and issued.text.isupper()


def test_long_names_are_cut_to_fit_and_never_the_certificate(
    reg: ocop.Registry, keys: KeyStore
) -> None:
    d = certified(
        reg,
        product_name="Bánh răng bừa truyền thống làng nghề Nga My xã Lưu Vệ loại đặc biệt",
        producer={"name": "Hợp tác xã nông nghiệp dịch vụ tổng hợp sản xuất kinh doanh Lưu Vệ"},
    )
    issued = one(reg, keys, d.id)
    assert int(sheet.qr_code(issued.url).version) == 10
    stamp = issued.stamp
    assert stamp.certificate == "GCN-01"
    assert stamp.producer.endswith("…") or stamp.product.endswith("…")
    assert verify(issued.url, keys.trusted(), now=ISSUED).genuine
    with pytest.raises(StampError) as refused:
        issue_stamps(
            reg,
            keys.issuer(),
            d.id,
            count=1,
            actor=OFFICER,
            base_url="https://" + "x" * 120 + ".vn",
            now=ISSUED,
        )
    assert refused.value.code == "too_long"


def test_names_are_signed_in_nfc(reg: ocop.Registry, keys: KeyStore) -> None:
    d = certified(reg, product_name=unicodedata.normalize("NFD", "Miến gạo Dung Tháp"))
    stamp = one(reg, keys, d.id).stamp
    assert stamp.product == unicodedata.normalize("NFC", "Miến gạo Dung Tháp")


def test_one_byte_changed_in_the_payload_is_not_genuine(reg: ocop.Registry, keys: KeyStore) -> None:
    issued = one(reg, keys, certified(reg).id)
    data = payload.from_text(issued.text)
    trusted = keys.trusted()
    # Every byte of what is signed, and of the signature, matters.
    for index in range(1, len(data)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        verdict = verify(payload.to_text(bytes(changed)), trusted, now=ISSUED)
        assert verdict.outcome is Outcome.NOT_GENUINE, index
        assert verdict.stamp is None
        assert verdict.reason in (Reason.BAD_SIGNATURE, Reason.UNREADABLE, Reason.UNKNOWN_KEY)
    # A stamp with its stars raised, re-encoded whole, keeps its old signature: refused.
    raised = replace(issued.stamp, stars=5)
    verdict = verify(payload.to_text(payload.encode(raised)), trusted, now=ISSUED)
    assert (verdict.outcome, verdict.reason) == (Outcome.NOT_GENUINE, Reason.BAD_SIGNATURE)


def test_a_truncated_or_garbled_payload_is_unreadable(reg: ocop.Registry, keys: KeyStore) -> None:
    issued = one(reg, keys, certified(reg).id)
    for text in (issued.text[:-1], issued.text[:40], "", "not a stamp!", "Z" * 5000, "0"):
        verdict = verify(text, keys.trusted(), now=ISSUED)
        assert (verdict.outcome, verdict.reason) == (Outcome.NOT_GENUINE, Reason.UNREADABLE)


def test_a_stamp_signed_by_an_unknown_key_is_not_genuine(
    reg: ocop.Registry, keys: KeyStore, tmp_path: Path
) -> None:
    forger = KeyStore(tmp_path / "forger")
    forger.init()
    d = certified(reg)
    forged = issue_stamps(
        reg, forger.issuer(), d.id, count=1, actor=OFFICER, base_url=BASE, now=ISSUED
    )[0]
    verdict = verify(forged.url, keys.trusted(), now=ISSUED)
    assert (verdict.outcome, verdict.reason) == (Outcome.NOT_GENUINE, Reason.UNKNOWN_KEY)
    assert verdict.claimed_key == forger.public().hex_id
    # The forger's key claiming our key id: the signature fails.
    lie = replace(forged.stamp, key_id=keys.public().id)
    verdict = verify(payload.to_text(payload.encode(lie)), keys.trusted(), now=ISSUED)
    assert (verdict.outcome, verdict.reason) == (Outcome.NOT_GENUINE, Reason.BAD_SIGNATURE)
    assert verify(forged.url, TrustedKeys(), now=ISSUED).reason is Reason.UNKNOWN_KEY


def test_an_expired_certificate_is_its_own_outcome(reg: ocop.Registry, keys: KeyStore) -> None:
    issued = one(reg, keys, certified(reg).id)
    last_day = datetime(2028, 5, 14, 16, 59, tzinfo=UTC)  # 23:59 on 14/5/2028 in Vietnam
    assert verify(issued.url, keys.trusted(), now=last_day).outcome is Outcome.GENUINE
    after = datetime(2028, 5, 14, 17, 0, tzinfo=UTC)  # midnight in Vietnam
    verdict = verify(issued.url, keys.trusted(), now=after)
    assert (verdict.outcome, verdict.reason) == (Outcome.EXPIRED, Reason.EXPIRED)
    assert verdict.genuine and verdict.stamp == issued.stamp


# -- images -----------------------------------------------------------------------------


def test_a_stamp_is_verified_from_its_png(
    reg: ocop.Registry, keys: KeyStore, tmp_path: Path
) -> None:
    issued = one(reg, keys, certified(reg).id)
    png = tmp_path / "stamp.png"
    png.write_bytes(sheet.stamp_png(issued.url, scale=4))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [text] = read_image(png)
    assert text == issued.url
    assert verify(text, keys.trusted(), now=ISSUED).outcome is Outcome.GENUINE


def test_a_printed_sheet_reads_back_stamp_by_stamp(
    reg: ocop.Registry, keys: KeyStore, tmp_path: Path
) -> None:
    issued = issue_stamps(
        reg, keys.issuer(), certified(reg).id, count=14, actor=OFFICER, base_url=BASE, now=ISSUED
    )
    pages = sheet.write_sheet(tmp_path / "sheet.png", issued)
    assert [p.name for p in pages] == ["sheet-1.png", "sheet-2.png"]
    texts = read_image(pages[0]) + read_image(pages[1])
    assert sorted(texts) == sorted(i.url for i in issued)
    assert all(verify(t, keys.trusted(), now=ISSUED).genuine for t in texts)
    [svg1, svg2] = sheet.write_sheet(tmp_path / "sheet.svg", issued, "en")
    text = svg1.read_text("utf-8")
    assert text.count("<path") == 12 and "Nem chua Minh Anh" in text
    assert "valid until 2028-05-14" in text and issued[0].stamp.serial_text in text
    assert svg2.read_text("utf-8").count("<path") == 2
    [pdf] = sheet.write_sheet(tmp_path / "sheet.pdf", issued)
    data = pdf.read_bytes()
    assert (
        data.startswith(b"%PDF")
        and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") + data.count(b"/Type /Page ")
        >= 2
    )
    with pytest.raises(StampError):
        sheet.write_sheet(tmp_path / "sheet.docx", issued)


def test_an_image_without_a_stamp_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"not an image")
    with pytest.raises(StampError, match="not an image"):
        read_image(tmp_path / "x.png")
    from PIL import Image

    Image.new("L", (200, 200), 255).save(tmp_path / "blank.png")
    with pytest.raises(StampError, match="No QR code"):
        read_image(tmp_path / "blank.png")


# -- issuing ----------------------------------------------------------------------------


def test_only_a_certificate_in_force_is_stamped(
    reg: ocop.Registry, keys: KeyStore, clock: Clock
) -> None:
    new = reg.register(
        {
            "product_name": "Miến gạo",
            "product_set": 1,
            "producer": {"name": "Dung Tháp"},
            "commune": COMMUNE,
            "province": PROVINCE,
        },
        actor=OFFICER,
    )
    key = keys.issuer()

    def refused(dossier_id: int, now: datetime = ISSUED) -> str:
        with pytest.raises(StampError) as caught:
            issue_stamps(reg, key, dossier_id, count=1, actor=OFFICER, base_url=BASE, now=now)
        return caught.value.code

    assert refused(new.id) == "no_certificate"
    d = certified(reg)
    assert refused(d.id, datetime(2028, 5, 15, 3, tzinfo=UTC)) == "certificate_expired"
    assert refused(d.id, datetime(2025, 5, 13, 3, tzinfo=UTC)) == "certificate_not_yet"
    reg.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="production_stopped")
    assert refused(d.id) == "certificate_revoked"
    with pytest.raises(NotFound):
        issue_stamps(reg, key, 999, count=1, actor=OFFICER, base_url=BASE, now=ISSUED)
    for count in (0, 1001):
        with pytest.raises(StampError) as caught:
            issue_stamps(reg, key, d.id, count=count, actor=OFFICER, base_url=BASE, now=ISSUED)
        assert caught.value.code == "count"
    with pytest.raises(StampError) as caught:
        issue_stamps(reg, key, d.id, count=1, actor=OFFICER, base_url="ftp://x", now=ISSUED)
    assert caught.value.code == "base_url"
    assert StampStore(reg.database).for_dossier(d.id) == []


def test_only_the_dossiers_officers_issue_stamps(reg: ocop.Registry, keys: KeyStore) -> None:
    d = certified(reg)
    for actor, reason in ((OTHER_OFFICER, "commune"), (PRODUCER, "role")):
        with pytest.raises(PermissionDenied) as refused:
            issue_stamps(reg, keys.issuer(), d.id, count=1, actor=actor, base_url=BASE, now=ISSUED)
        assert refused.value.reason == reason
    for actor in (PROVINCE_OFFICER, ADMIN):
        issue_stamps(reg, keys.issuer(), d.id, count=1, actor=actor, base_url=BASE, now=ISSUED)


# -- the register and live status (both backends) -------------------------------------


def test_issued_stamps_are_recorded_and_scans_counted(db_url: str, tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    with ocop.open(db_url, clock=Clock(ISSUED.date())) as reg:
        d = certified(reg)
        issued = issue_stamps(
            reg, keys.issuer(), d.id, count=2, actor=OFFICER, base_url=BASE, now=ISSUED
        )
        store = StampStore(reg.database)
        records = store.for_dossier(d.id)
        assert sorted(r.serial for r in records) == sorted(
            i.stamp.serial_text.replace("-", "") for i in issued
        )
        first = records[0]
        assert (first.issued_by, first.issued_at, first.certificate) == ("lan", ISSUED, "GCN-01")
        assert (first.key_id, first.cycle, first.scans) == (keys.public().hex_id, 1, 0)
        stamp = next(
            i.stamp for i in issued if i.stamp.serial_text.replace("-", "") == first.serial
        )
        later = datetime(2026, 12, 3, 1, tzinfo=UTC)
        for n in range(1, 4):
            status = live_status(reg, stamp, now=later, warn_after=2)
            assert status.status is Live.VALID
            assert (status.scans, status.copied) == (n, n > 2)
        again = store.get(first.serial)
        assert again is not None and again.first_scan_at == later == again.last_scan_at
        assert store.get("ZZZZZZZZZZ") is None
        before = reg.get(d.id)
        live_status(reg, stamp, now=later, count_scan=False)
        assert store.get(first.serial).scans == 3  # type: ignore[union-attr]
        assert reg.get(d.id) == before  # a scan writes no dossier


def test_live_status_knows_revoked_expired_and_re_rating_due(
    reg: ocop.Registry, keys: KeyStore, clock: Clock
) -> None:
    d = certified(reg)
    stamp = one(reg, keys, d.id).stamp
    now = ISSUED
    assert live_status(reg, stamp, now=now).status is Live.VALID
    clock.set(date(2027, 12, 1))  # the QĐ 26/2026 window opens 180 days before 14/5/2028
    reg.advance()
    assert reg.get(d.id).state is ocop.State.RECERTIFICATION_DUE
    assert live_status(reg, stamp, now=clock()).status is Live.RECERTIFICATION_DUE
    assert live_status(reg, stamp, now=datetime(2028, 5, 20, tzinfo=UTC)).status is Live.EXPIRED
    reg.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="production_stopped")
    assert live_status(reg, stamp, now=clock()).status is Live.REVOKED
    ghost = replace(stamp, dossier_id=999)
    assert live_status(reg, ghost, now=now).status is Live.UNKNOWN


def test_payload_serials_read_back_as_printed() -> None:
    serial = os.urandom(payload.SERIAL_BYTES)
    text = payload.format_serial(serial)
    assert len(text) == 11 and text[5] == "-"
    assert payload.parse_serial(text) == serial
    assert payload.parse_serial(text.lower().replace("-", "")) == serial
    with pytest.raises(payload.PayloadError):
        payload.parse_serial("nope")
