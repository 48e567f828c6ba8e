"""``ocop outbox show ID``: one outbox message as it will be (or was) sent; it writes nothing.

The messages come from a transition (the producer's "dossier received" notice) or are put in
through the library at a fixed time, so nothing here depends on the day or the hour.
"""

from __future__ import annotations

import email
import hashlib
import subprocess
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from cli_helpers import Cli, ocop_command
from factories import OFFICER, Clock, registration

import ocop
from ocop.models import Message
from ocop.storage.outbox import Outbox

PRODUCER = "minhanh@example.vn"
SUBJECT = "Đã tiếp nhận hồ sơ OCOP: Nem chua Minh Anh"
BODY_LINE = 'UBND xã Lưu Vệ đã tiếp nhận hồ sơ sản phẩm "Nem chua Minh Anh" của Cơ sở Minh Anh'
AT = datetime(2026, 7, 10, 2, tzinfo=UTC)
SENDER = "Phòng Kinh tế xã Lưu Vệ <pkt@luuve.gov.vn>"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """One dossier registered on 10/7/2026: message 1 is its notice to the producer."""
    runner = Cli(tmp_path)
    with ocop.open(f"sqlite:///{runner.db}", clock=Clock(date(2026, 7, 10))) as registry:
        registry.register(registration(), actor=OFFICER)
    runner.users()  # every read needs an active user: these read as the administrator
    return runner


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in the folder (the database and any journal beside it) by content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def raw(cli: Cli, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [ocop_command(), "outbox", "show", *args, "--raw"],
        env=cli.env | {"OCOP_USER": cli.reader or ""},
        cwd=cli.home,
        capture_output=True,
        timeout=120,
    )


def test_show_prints_a_queued_notice_as_it_will_be_sent(cli: Cli) -> None:
    before = snapshot(cli.home)
    out = cli.ok("outbox", "show", "1")
    assert out.startswith("Thư số 1\n")
    assert "Trạng thái:       chờ gửi" in out
    assert "Tiếp nhận hồ sơ (accepted)" in out
    assert "Số lần đã gửi:    0" in out
    assert "Lần gửi tới:      10/07/2026 09:00" in out  # 02:00 UTC, in Vietnam's time
    assert f"Khóa chống trùng: accepted:v1|d1|c1|2026-07-10|{PRODUCER}" in out
    assert "\nFrom: OCOP <ocop@localhost>\n" in out  # no sender named: the daemon's default
    assert f"\nTo: Cơ sở Minh Anh <{PRODUCER}>\n" in out
    assert f"\nSubject: {SUBJECT}\n" in out
    assert "\nMessage-ID: <ocop." in out and "@localhost>\n" in out
    assert BODY_LINE in out
    english = cli.ok("outbox", "show", "1", "--lang", "en")
    assert "Status:" in english and "waiting" in english and "Dossier received" in english
    assert f"Subject: {SUBJECT}" in english  # the message stays in its recipient's language
    assert snapshot(cli.home) == before  # showing wrote nothing


def test_raw_is_the_exact_message_and_parses_back(cli: Cli) -> None:
    before = snapshot(cli.home)
    done = raw(cli, "1", "--from", SENDER)
    assert done.returncode == 0, done.stderr
    data = done.stdout
    head = data.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b"")  # CRLF line ends, as on the wire
    assert data.startswith(
        b"X-Envelope-From: pkt@luuve.gov.vn\r\nX-Envelope-To: " + PRODUCER.encode()
    )
    mail = email.message_from_bytes(data, policy=default)
    assert isinstance(mail, EmailMessage)
    assert str(mail["Subject"]) == SUBJECT
    assert mail["To"].addresses[0].addr_spec == PRODUCER
    assert str(mail["From"]) == SENDER
    assert str(mail["Message-ID"]).endswith("@luuve.gov.vn>")
    assert mail["X-OCOP-Kind"] == "accepted" and mail["Content-Language"] == "vi"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and BODY_LINE in text.get_content()
    assert html is not None and "Nem chua Minh Anh" in html.get_content()
    assert parsedate_to_datetime(str(mail["Date"])).utcoffset() is not None
    # The same message as the human view names.
    shown = cli.ok("outbox", "show", "1", "--from", SENDER)
    assert f"Message-ID: {mail['Message-ID']}\n" in shown
    assert snapshot(cli.home) == before


def test_json_gives_the_row_and_the_rendered_message(cli: Cli) -> None:
    shown = cli.json("outbox", "show", "1")
    assert shown["id"] == 1 and shown["status"] == "pending" and shown["kind"] == "accepted"
    assert shown["attempts"] == 0 and shown["last_error"] is None
    assert shown["next_attempt_at"] == "2026-07-10T09:00:00+07:00"
    assert shown["dedupe_key"] == f"accepted:v1|d1|c1|2026-07-10|{PRODUCER}"
    assert shown["recipient"] == PRODUCER and shown["error"] is None
    assert shown["from"] == "OCOP <ocop@localhost>"
    assert shown["to"] == f"Cơ sở Minh Anh <{PRODUCER}>"
    assert shown["subject"] == SUBJECT
    assert shown["message_id"].startswith("<ocop.") and shown["date"]
    assert BODY_LINE in shown["text"] and "<html" in shown["html"].lower()
    both = cli("outbox", "show", "1", "--json", "--raw")
    assert both.code == 2


def test_an_unknown_id_is_one_line_and_exit_1(cli: Cli) -> None:
    before = snapshot(cli.home)
    for args in (["outbox", "show", "99"], ["outbox", "show", "99", "--json"]):
        result = cli(*args)
        assert result.code == 1 and result.out == ""
        assert result.err.strip().splitlines() == [
            "ocop outbox show: không có thư số 99 trong hộp thư đi (xem `ocop outbox list`)"
        ]
    assert raw(cli, "99").returncode == 1
    assert snapshot(cli.home) == before


def test_the_sender_comes_from_the_option_the_environment_or_the_config(
    cli: Cli, tmp_path: Path
) -> None:
    config = tmp_path / ".config" / "ocop" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[mail]\nfrom = "Xã Lưu Vệ <ocop@luuve.gov.vn>"\n', "utf-8")
    assert cli.json("outbox", "show", "1")["from"] == "Xã Lưu Vệ <ocop@luuve.gov.vn>"
    env = {"OCOP_MAIL_FROM": "pkt@luuve.gov.vn"}
    assert cli.json("outbox", "show", "1", env=env)["from"] == "pkt@luuve.gov.vn"
    flagged = cli.json("outbox", "show", "1", "--from", SENDER, env=env)
    assert flagged["from"] == SENDER and flagged["message_id"].endswith("@luuve.gov.vn>")
    bad = cli("outbox", "show", "1", "--from", "Phòng Kinh tế")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1


def test_a_failed_message_shows_its_attempts_and_error(cli: Cli) -> None:
    with ocop.open(f"sqlite:///{cli.db}") as registry:
        box = Outbox(registry.database)
        (claimed,) = box.claim("test", AT)
        assert box.start(claimed.id, "test", AT)
        assert box.failed(claimed.id, "test", "550 5.1.1 Hộp thư không tồn tại", attempts=1)
    before = snapshot(cli.home)
    out = cli.ok("outbox", "show", "1")
    assert "Trạng thái:       lỗi" in out and "Số lần đã gửi:    1" in out
    assert "Lỗi gần nhất:     550 5.1.1 Hộp thư không tồn tại" in out
    assert "Lần gửi tới:      —" in out  # not waiting: no next attempt
    assert f"Subject: {SUBJECT}" in out  # what an `ocop outbox retry 1` would send
    shown = cli.json("outbox", "show", "1")
    assert shown["status"] == "failed" and shown["attempts"] == 1
    assert shown["last_error"] == "550 5.1.1 Hộp thư không tồn tại"
    assert snapshot(cli.home) == before


def test_a_message_that_cannot_be_built_says_so(cli: Cli) -> None:
    with ocop.open(f"sqlite:///{cli.db}") as registry:
        added = Outbox(registry.database).add(
            [Message(dedupe_key="test:no-template", kind="no_such_kind", recipient=PRODUCER)], AT
        )
    assert added == 1
    result = cli("outbox", "show", "2")
    assert result.code == 1
    assert "Thư số 2" in result.out and "no_such_kind" in result.out
    assert "Không dựng được thư này" in result.out and "Subject:" not in result.out
    shown = cli("outbox", "show", "2", "--json")
    assert shown.code == 1 and "no_such_kind" in shown.json()["error"]
    assert raw(cli, "2").returncode == 1


def test_a_sent_message_shows_what_the_daemon_wrote(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    run = cli("daemon", "--once", "--maildir", str(folder), "--from", SENDER)
    assert run.code in (0, 3), run.err  # 3: some other reminder left waiting; not this one
    shown = cli.json("outbox", "show", "1", "--from", SENDER)
    assert shown["status"] == "sent"
    files = {
        str(parsed["Message-ID"]): parsed
        for parsed in (
            email.message_from_bytes(p.read_bytes(), policy=default) for p in folder.glob("*.eml")
        )
    }
    written = files[shown["message_id"]]
    done = raw(cli, "1", "--from", SENDER)
    assert done.returncode == 0, done.stderr
    again = email.message_from_bytes(done.stdout, policy=default)
    same = ("X-Envelope-From", "X-Envelope-To", "From", "To", "Subject", "Message-ID")
    assert [str(again[h]) for h in same] == [str(written[h]) for h in same]
    for part in ("plain", "html"):
        mine, theirs = again.get_body((part,)), written.get_body((part,))
        assert mine is not None and theirs is not None
        assert mine.get_content() == theirs.get_content()
    # Dated when it went: the daemon stamps the Date just before it records the send.
    sent_at = datetime.fromisoformat(shown["sent_at"])
    gap = sent_at - parsedate_to_datetime(str(written["Date"]))
    assert 0 <= gap.total_seconds() < 5
    assert parsedate_to_datetime(str(again["Date"])) == sent_at.replace(microsecond=0)


def test_an_expired_reminder_shows_why_and_is_listed_by_its_status(cli: Cli) -> None:
    with ocop.open(f"sqlite:///{cli.db}") as registry:
        box = Outbox(registry.database)
        (notice,) = box.find()
        reminder = Message(
            dedupe_key="test:expired",
            kind=notice.kind,
            recipient=PRODUCER,
            dossier_id=notice.dossier_id,
            context=notice.context,
            expires_at=AT,
        )
        assert box.add([reminder], AT) == 1
        assert box.expire(AT.replace(day=11)) == 1
    out = cli.ok("outbox", "show", "2")
    assert "Trạng thái:       quá hạn" in out
    assert "Hết hạn gửi:      10/07/2026 09:00" in out
    assert "its day passed" in out
    (listed,) = cli.json("outbox", "list", "--status", "expired", "--json")
    assert listed["id"] == 2


def test_a_named_plan_gives_its_sender_when_none_is_set(cli: Cli) -> None:
    from ocop.plan import LUU_VE_2026, luu_ve_2026

    sender = luu_ve_2026().sender
    assert sender
    shown = cli.json("outbox", "show", "1", "--plan", str(LUU_VE_2026))
    assert shown["from"] == sender
    env = {"OCOP_PLAN": str(LUU_VE_2026), "OCOP_MAIL_FROM": "pkt@luuve.gov.vn"}
    assert cli.json("outbox", "show", "1", env=env)["from"] == "pkt@luuve.gov.vn"
