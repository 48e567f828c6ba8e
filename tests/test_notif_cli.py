"""``ocop reminders``, ``ocop outbox``, the daemon catching up, and the demo's mail folder."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from datetime import date
from email.policy import default
from pathlib import Path

import pytest
from cli_helpers import LUU_VE_PLAN, Cli, at, vietnam
from factories import OFFICER, Clock, registration, to_rated
from smtpserver import Mailbox, smtp_server

import ocop
from ocop.cli.core import Settings, open_registry
from ocop.demo import Demo
from ocop.plan import LUU_VE_2026
from ocop.storage.outbox import Outbox

OFFICE = "phongkinhte@luuve.example"
PRODUCER = "minhanh@example.vn"


SATURDAY = vietnam("2026-07-18 10:00")
"""Two weeks before the Lưu Vệ plan's evaluation window opens."""


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a database holding one dossier registered on 10/7/2026, the Lưu Vệ plan named."""
    runner = Cli(tmp_path)
    runner.env["OCOP_PLAN"] = LUU_VE_PLAN
    with ocop.open(f"sqlite:///{runner.db}", clock=Clock(date(2026, 7, 10))) as registry:
        registry.register(registration(), actor=OFFICER)
    runner.users()  # every read needs an active user: these read as the administrator
    return runner


def test_reminders_previews_a_day_without_sending(cli: Cli) -> None:
    out = cli.ok("reminders", "--as-of", "2026-07-18")
    assert "Thư nhắc việc ngày 18/07/2026 (2):" in out
    assert "Mở đợt đánh giá xã" in out and OFFICE in out and PRODUCER in out
    assert "Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày)" in out
    rows = cli.json("reminders", "--as-of", "2026-07-18", "--json")
    assert {(r["kind"], r["recipient"], r["queued"]) for r in rows} == {
        ("window_opening", OFFICE, False),
        ("window_opening", PRODUCER, False),
    }
    assert cli.json("outbox", "list", "--status", "sent", "--json") == []
    quiet = cli.ok("reminders", "--as-of", "2026-07-11", "--lang", "en")
    assert "2026-07-11: no reminders." in quiet
    # Scoped like the outbox: both reminders are about the Lưu Vệ plan (no dossier), so its
    # commune's and province's officers see them and another commune's officer sees none.
    assert len(cli.json("reminders", "--as-of", "2026-07-18", "--as", "lan")) == 2
    assert cli.json("reminders", "--as-of", "2026-07-18", "--as", "binh") == []
    assert len(cli.json("reminders", "--as-of", "2026-07-18", "--as", "hoa")) == 2


def test_without_a_plan_there_are_no_plan_reminders_and_the_daemon_says_so(
    cli: Cli, tmp_path: Path
) -> None:
    del cli.env["OCOP_PLAN"]
    before = cli.db.read_bytes()
    refused = cli("reminders", "--as-of", "2026-07-18")
    assert refused.code == 2 and "--plan" in refused.err and "ocop plan init" in refused.err
    assert cli.db.read_bytes() == before
    folder = tmp_path / "mail"
    done = cli("daemon", "--once", "--maildir", str(folder), env=at({}, SATURDAY))
    assert done.code == 0, done.err
    # The producer still hears that the dossier was received; no plan reminder, no digest.
    kinds = [
        str(email.message_from_bytes(p.read_bytes(), policy=default)["X-OCOP-Kind"])
        for p in folder.glob("*.eml")
    ]
    assert kinds == ["accepted"]
    first = done.err.splitlines()[0]
    assert "no plan (no plan reminders, no digest" in first
    assert "from OCOP <ocop@localhost>" in first and f"into {folder}" in first


def test_the_daemon_sends_what_fell_due_while_it_was_down(cli: Cli, tmp_path: Path) -> None:
    # Down from before 18/7 (14 days before the window) until 25/7: the reminder still goes.
    folder = tmp_path / "mail"
    later = at({}, vietnam("2026-07-25 10:00"))
    out = cli.ok("daemon", "--once", "--maildir", str(folder), env=later)
    assert "Gửi: 4;" in out
    kinds = sorted(
        str(email.message_from_bytes(p.read_bytes(), policy=default)["X-OCOP-Kind"])
        for p in folder.glob("*.eml")
    )
    # Filed under 26/2026, the dossier's 15 working days end on 31/7: 5 days' notice from 24/7.
    assert kinds == ["accepted", "step_deadline", "window_opening", "window_opening"]
    rows = cli.json("reminders", "--as-of", "2026-07-25", "--json")
    assert rows and all(r["queued"] for r in rows)


def test_outbox_list_shows_a_failure_and_retry_sends_it_again(cli: Cli) -> None:
    box = Mailbox(rcpt_answer={OFFICE: "550 5.1.1 Hộp thư không tồn tại"}.get)
    with smtp_server(box) as (host, port):
        smtp = f"smtp://{host}:{port}"
        saturday = at({}, SATURDAY)
        first = cli("daemon", "--once", "--smtp", smtp, env=saturday)
        assert first.code == 3, first.err  # a message failed: cron hears of it
        listed = cli.ok("outbox", "list", "--status", "failed")
        assert "lỗi" in listed and OFFICE in listed and "550 5.1.1" in listed
        (failed,) = cli.json("outbox", "list", "--status", "failed", "--json")
        assert "550 5.1.1 Hộp thư không tồn tại" in failed["last_error"]
        sent = cli("outbox", "retry", "1")
        assert sent.code == 1 and "tình trạng sent" in sent.err  # the notice went out: not again
        again = str(failed["id"])
        # Resending is an officer's act within their area, and recorded: not a producer, not
        # another commune's officer, not a user who is not named.
        producer = cli("outbox", "retry", again, "--as", "minhanh")
        assert producer.code == 1 and "Chỉ cán bộ hoặc quản trị viên" in producer.err
        other = cli("outbox", "retry", again, "--as", "binh")
        assert other.code == 1 and f"Thư số {again} nằm ngoài phạm vi binh" in other.err
        nobody = cli("outbox", "retry", again, env={"OCOP_USER": ""})
        assert nobody.code == 2 and "--as" in nobody.err
        assert "Đã xếp lại 1 thư" in cli.ok("outbox", "retry", again, "--as", "lan")
        shown = cli.ok("outbox", "show", again)
        assert re.search(r"Gửi lại theo lệnh: +lan \(cán bộ xã\) lúc \d\d/\d\d/\d{4}", shown)
        assert cli.json("outbox", "show", again, "--json")["retried_by"] == "lan"
        box.rcpt_answer = lambda address: None
        cli.ok("daemon", "--once", "--smtp", smtp, env=saturday)
    assert sorted(r.rcpt_tos[0] for r in box.received) == [PRODUCER, PRODUCER, OFFICE]
    bad = cli("outbox", "list", "--status", "lost")
    assert bad.code == 2 and "trạng thái không có: lost" in bad.err


def test_a_bad_plan_is_named_with_its_line(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('commune = "Lưu Vệ"\nprovince = "Thanh Hóa"\nyear = "hai nghìn"\n', "utf-8")
    result = cli("reminders", env={"OCOP_PLAN": str(plan)})
    assert result.code == 1
    assert f"{plan}: dòng 3: year: " in result.err  # in the officer's language


def test_the_library_and_the_light_commands_stay_light() -> None:
    code = (
        "import sys, ocop\n"
        "ocop.open('sqlite://').close()\n"
        "from ocop.cli import build_parser\n"
        "build_parser()\n"
        "heavy = {'jinja2', 'apscheduler', 'smtplib'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_demo_writes_the_years_mail(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    with Demo(f"sqlite:///{tmp_path / 'demo.db'}", mail=folder) as story:
        days = {step.day: step for step in story.steps()}
        sent = story.mail_sent
    opening = days[date(2026, 7, 18)].mail
    assert [(m.kind, m.recipient) for m in opening] == [("window_opening", OFFICE)]
    assert opening[0].subject.startswith("Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08")
    rated = [m for m in days[date(2026, 11, 16)].mail if m.kind == "rated"]
    assert len(rated) == 4
    files = list(folder.glob("*.eml"))
    assert len(files) == sent == sum(len(s.mail) for s in days.values()) > 40
    for path in files:
        parsed = email.message_from_bytes(path.read_bytes(), policy=default)
        assert parsed["Subject"] and parsed.get_body(("html",)) is not None
    # Without a mail folder the story is the same and writes nothing.
    with Demo(f"sqlite:///{tmp_path / 'plain.db'}") as plain:
        assert all(not step.mail for step in plain.steps())


def test_ocop_demo_lists_the_mail_on_its_day(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    out = runner.ok("demo", "--db", str(tmp_path / "demo.db"))
    day = out.split("── Thứ Bảy 18/07/2026", 1)[1].split("──", 1)[0]
    assert (
        f"✉ Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày) → {OFFICE}"
        in day
    )
    count = len(list((tmp_path / "demo-mail").glob("*.eml")))
    assert f"✉ {count} thư nhắc việc và thông báo đã được ghi thành tệp .eml trong" in out


def _told(tmp_path: Path, plan: str | None) -> set[tuple[str, str]]:
    """Who the CLI's registry tells as a dossier is returned, resubmitted and rated."""
    settings = Settings(
        database=f"sqlite:///{tmp_path / 'o.db'}",
        database_is_default=False,
        user=None,
        lang="vi",
        calendar=None,
        config_file=None,
        plan=plan,
    )
    registry = open_registry(settings)
    try:
        registry.clock = Clock(date(2026, 3, 2))
        dossier = registry.register(registration(), actor=OFFICER)
        registry.fire(dossier.id, "return_dossier", actor=OFFICER, reason="Thiếu")
        registry.fire(dossier.id, "resubmit", actor=OFFICER)
        to_rated(registry, dossier.id)
        return {(m.kind, m.recipient) for m in Outbox(registry.database).find(limit=None)}
    finally:
        registry.close()


def test_the_clis_registry_tells_the_configured_plans_officers(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        LUU_VE_2026.read_text("utf-8").replace(OFFICE, "kinhte.moi@luuve.example"), "utf-8"
    )
    told = _told(tmp_path, str(plan))
    assert ("rated", "kinhte.moi@luuve.example") in told and ("rated", PRODUCER) in told
    assert not any(recipient == OFFICE for _, recipient in told)


def test_without_a_plan_only_the_producer_is_told(tmp_path: Path) -> None:
    told = _told(tmp_path, None)
    assert ("rated", PRODUCER) in told
    assert {recipient for _, recipient in told} == {PRODUCER}
