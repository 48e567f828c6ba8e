"""``ocop keys …`` and ``ocop stamp …`` as an officer runs them: the installed command in a
subprocess, on a SQLite file, with key files in tmp_path.

``stamp issue`` works on the real clock, as every writing command does; it runs under
libfaketime at 2/12/2026 10:00 in Vietnam, so no test depends on today's date.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_helpers import Cli, at

import ocop
from ocop.stamps.keys import KeyStore
from ocop.stamps.verify import read_image

ISSUED = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
BASE = "https://ocop.luuve.vn"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    with ocop.open(f"sqlite:///{runner.db}", clock=lambda: ISSUED) as reg:
        reg.import_certified(
            {
                "product_name": "Nem chua Minh Anh",
                "product_set": 8,
                "producer": {"name": "Cơ sở Minh Anh"},
                "commune": "Lưu Vệ",
                "province": "Thanh Hóa",
            },
            certificate_number="GCN-01",
            stars=3,
            issued_on="2025-05-14",
            actor=ocop.Actor("root", ocop.Role.ADMIN),
        )
    return runner


def issue(cli: Cli, *args: str, count: int = 1) -> list[dict[str, str]]:
    out = cli.ok(
        "--as", "lan", "stamp", "issue", "1", "--count", str(count), "--base-url", BASE,
        "--json", *args, env=at({}, ISSUED),
    )  # fmt: skip
    stamps: list[dict[str, str]] = json.loads(out)["stamps"]
    return stamps


def test_keys_init_show_export_and_trust(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok("keys", "init")
    folder = tmp_path / ".local" / "share" / "ocop" / "keys"
    assert "Đã tạo khóa" in out and str(folder) in out and "BEGIN PUBLIC KEY" in out
    assert stat.S_IMODE((folder / "issuer.key").stat().st_mode) == 0o600
    again = cli("keys", "init")
    assert again.code == 1 and "--rotate" in again.err
    shown = cli.json("keys", "show")
    own = shown["issuer"]["id"]
    assert [k["id"] for k in shown["trusted"]] == [own]
    exported = tmp_path / "luu-ve.pub"
    cli.ok("keys", "export", "-o", str(exported))
    assert cli.ok("keys", "export") == exported.read_text()

    other = tmp_path / "other"
    cli.ok("keys", "init", "--keys", str(other), "--lang", "en")
    cli.ok("keys", "trust", str(exported), env={"OCOP_KEYS": str(other)})
    ids = [k["id"] for k in cli.json("keys", "show", "--keys", str(other))["trusted"]]
    assert own in ids and len(ids) == 2
    assert "No longer trusting" in cli.ok(
        "keys", "trust", "--remove", own, "--keys", str(other), "--lang", "en"
    )
    bad = cli("keys", "trust", str(tmp_path / "ocop.db"))
    assert bad.code == 1


def test_stamps_issued_and_verified_with_distinct_exit_codes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("keys", "init")
    [stamp] = issue(cli)
    url = stamp["url"]
    assert url.startswith(BASE + "/v/")
    genuine = cli("stamp", "verify", url, "--as-of", "2026-12-02")
    assert genuine.code == 0, genuine.err
    assert "CHÍNH HÃNG" in genuine.out and "Nem chua Minh Anh" in genuine.out
    assert stamp["serial"] in genuine.out
    english = cli("stamp", "verify", stamp["payload"], "--as-of", "2026-12-02", "--lang", "en")
    assert english.code == 0 and english.out.startswith("GENUINE")

    last = stamp["payload"][-1]
    changed = stamp["payload"][:-1] + ("1" if last != "1" else "2")
    forged = cli("stamp", "verify", changed, "--as-of", "2026-12-02")
    assert forged.code == 3 and "KHÔNG CHÍNH HÃNG" in forged.out
    truncated = cli("stamp", "verify", url[:-30], "--as-of", "2026-12-02", "--json")
    assert truncated.code == 3 and truncated.json()[0]["reason"] == "unreadable"
    expired = cli("stamp", "verify", url, "--as-of", "2028-05-15")
    assert expired.code == 4 and "HẾT HIỆU LỰC" in expired.out

    stranger = tmp_path / "stranger"
    cli.ok("keys", "init", "--keys", str(stranger))
    unknown = cli("stamp", "verify", url, "--keys", str(stranger), "--as-of", "2026-12-02")
    assert unknown.code == 3 and "không được tin cậy" in unknown.out


def test_a_revoked_certificate_is_exit_5_with_live(cli: Cli) -> None:
    cli.ok("keys", "init")
    [stamp] = issue(cli)
    live = cli("stamp", "verify", stamp["url"], "--live", "--as-of", "2026-12-02", "--json")
    assert live.code == 0 and live.json()[0]["live"] == "valid"
    with ocop.open(f"sqlite:///{cli.db}", clock=lambda: ISSUED) as reg:
        officer = ocop.Actor("hoa", ocop.Role.PROVINCE_OFFICER, province="Thanh Hóa")
        reg.fire(1, "revoke", actor=officer, ground="production_stopped")
    offline = cli("stamp", "verify", stamp["url"], "--as-of", "2026-12-02")
    assert offline.code == 0  # offline, a revocation cannot be known
    revoked = cli("stamp", "verify", stamp["url"], "--live", "--as-of", "2026-12-02")
    assert revoked.code == 5 and "đã bị thu hồi" in revoked.out
    refused = cli("--as", "lan", "stamp", "issue", "1", "--count", "1", "--base-url", BASE)
    assert refused.code == 1 and "thu hồi" in refused.err


def test_sheets_are_written_and_read_back_from_the_png(cli: Cli, tmp_path: Path) -> None:
    cli.ok("keys", "init")
    stamps = issue(cli, "-o", str(tmp_path / "tem.png"), count=3)
    texts = read_image(tmp_path / "tem.png")
    assert sorted(texts) == sorted(s["url"] for s in stamps)
    result = cli("stamp", "verify", str(tmp_path / "tem.png"), "--as-of", "2026-12-02")
    assert result.code == 0 and result.out.count("CHÍNH HÃNG") == 3
    out = cli.ok(
        "--as", "lan", "stamp", "issue", "1", "--count", "2", "--base-url", BASE,
        env=at({}, ISSUED),
    )  # fmt: skip
    files = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Tờ tem")]
    assert [Path(f).suffix for f in files] == [".svg", ".pdf"]
    assert (tmp_path / files[1]).read_bytes().startswith(b"%PDF")
    assert all(Path(f).name.startswith("ocop-tem-1-") for f in files)
    listed = cli.json("stamp", "list", "1")
    assert len(listed) == 5 and {r["issued_by"] for r in listed} == {"lan"}
    assert "lượt quét" in cli.ok("stamp", "list", "1")
    cli.ok(
        "--lang", "en", "--as", "lan", "stamp", "issue", "1", "--count", "1", "--base-url", BASE,
        env=at({}, ISSUED),
    )  # fmt: skip
    assert len(list(tmp_path.glob("ocop-stamps-1-*"))) == 2  # as its --help says


def test_issue_refusals_and_settings(cli: Cli, tmp_path: Path) -> None:
    no_keys = cli("--as", "lan", "stamp", "issue", "1", "--count", "1", "--base-url", BASE)
    assert no_keys.code == 1 and "ocop keys init" in no_keys.err
    secret = tmp_path / "pass.txt"
    secret.write_text("mật khẩu\n", encoding="utf-8")
    cli.ok("keys", "init", "--passphrase-file", str(secret))
    assert b"ENCRYPTED" in KeyStore(tmp_path / ".local/share/ocop/keys").private_file.read_bytes()
    no_base = cli("--as", "lan", "stamp", "issue", "1", "--count", "1")
    assert no_base.code == 2 and "OCOP_STAMP_URL" in no_base.err
    locked = cli("--as", "lan", "stamp", "issue", "1", "--count", "1", "--base-url", BASE)
    assert locked.code == 1 and "mật khẩu" in locked.err
    env = at({"OCOP_KEYS_PASSPHRASE": "mật khẩu", "OCOP_STAMP_URL": BASE}, ISSUED)
    out = cli.ok("--as", "lan", "stamp", "issue", "1", "--count", "1", "-o", "a.svg", env=env)
    assert "Đã phát hành 1 tem" in out
    producer = cli("--as", "minhanh", "stamp", "issue", "1", "--count", "1", env=env)
    assert producer.code == 1
    missing = cli("stamp", "verify", str(tmp_path / "nothere.png"))
    assert missing.code == 2


@pytest.mark.parametrize(
    "args", [["stamp", "verify", "--help"], ["keys", "show", "--help"], ["serve", "--help"]]
)
def test_stamp_commands_start_light(cli: Cli, args: list[str]) -> None:
    result = cli(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.code == 0, result.err
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.err.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "ocop" in imported
    heavy = {"cryptography", "segno", "PIL", "zxingcpp", "starlette", "uvicorn", "jinja2"}
    assert not imported & heavy, sorted(imported & heavy)


def test_serve_needs_a_trusted_key_and_a_port(cli: Cli) -> None:
    no_keys = cli("serve", "--port", "8099")
    assert no_keys.code == 2 and "ocop keys init" in no_keys.err
    bad_port = cli("serve", "--port", "99999")
    assert bad_port.code == 2
