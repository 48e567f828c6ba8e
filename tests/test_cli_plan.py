"""``ocop plan init`` and ``ocop plan check``: the template, a filled plan, the shipped plan's
agenda, and broken plans told in one line. Every check names its day with ``--from``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Cli, Result
from pydantic import BaseModel

from ocop.plan import LUU_VE_2026, PLAN_TEMPLATES, Plan, placeholders, plan_template
from ocop.states import RULE_SETS

OFFICE = "phongkinhte@luuve.example"
LEADER = "pct.kinhte@luuve.example"

# What an officer of a (made-up) commune writes over each placeholder of the template.
FILLED = {
    "commune": '"Tân Lập"',
    "province": '"Thanh Hóa"',
    "year": "2026",
    "rule_set": '"qd26-2026"',
    "evaluation.opens": "2026-08-03",
    "evaluation.closes": "2026-08-28",
    "events[0].name": '"Hội nghị triển khai Chương trình OCOP năm 2026"',
    "events[0].date": "2026-09-15",
    "events[0].place": '"Hội trường UBND xã Tân Lập"',
    "meetings[0].day": "5",
    "meetings[0].place": '"Phòng họp UBND xã Tân Lập"',
    "recipients[0].name": '"Phòng Kinh tế UBND xã Tân Lập"',
    "recipients[0].email": '"kinhte@tanlap.example"',
    "recipients[1].name": '"Phó Chủ tịch UBND xã Tân Lập"',
    "recipients[1].email": '"pct@tanlap.example"',
}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def _no_database(cli: Cli) -> None:
    assert not cli.db.exists()
    assert not (cli.home / ".local" / "share" / "ocop").exists()


def _one_line(result: Result, code: int) -> str:
    assert result.code == code, result
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def _fill(text: str) -> str:
    holes = placeholders(text)
    assert {h.key for h in holes} == set(FILLED), "the template's placeholders changed"
    lines = text.splitlines(keepends=True)
    for hole in holes:
        assert hole.line is not None
        index = hole.line - 1
        lines[index] = lines[index].replace(f'"{hole.text}"', FILLED[hole.key], 1)
    return "".join(lines)


def test_init_prints_the_template_or_writes_it_to_a_new_file(cli: Cli, tmp_path: Path) -> None:
    printed = cli.ok("plan", "init")
    assert printed == PLAN_TEMPLATES["vi"].read_text(encoding="utf-8")
    assert 'commune = "<ĐIỀN: tên xã' in printed and "# ── Người nhận thư" in printed
    english = cli.ok("plan", "init", "--lang", "en")
    assert english == plan_template("en") and '"<FILL IN: e-mail address>"' in english
    assert "<ĐIỀN" not in english

    out = cli.ok("plan", "init", "ke-hoach.toml")
    written = tmp_path / "ke-hoach.toml"
    assert written.read_bytes() == printed.encode("utf-8")
    assert "ocop plan check ke-hoach.toml" in out
    _no_database(cli)


def test_init_never_overwrites_a_file(cli: Cli, tmp_path: Path) -> None:
    existing = tmp_path / "plan.toml"
    existing.write_bytes(b'commune = "Ours"\r\n# hand-written\n')
    before = existing.stat().st_mtime_ns
    line = _one_line(cli("plan", "init", "plan.toml"), 2)
    assert "plan.toml" in line and "không ghi đè" in line
    assert existing.read_bytes() == b'commune = "Ours"\r\n# hand-written\n'
    assert existing.stat().st_mtime_ns == before
    line = _one_line(cli("plan", "init", str(existing), "--lang", "en"), 2)
    assert "exists and is not overwritten" in line


def _keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(table, key) for every key the plan model accepts, nested tables included."""
    found = []
    for name, info in model.model_fields.items():
        found.append((prefix, name))
        inner: Any = info.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found += _keys(candidate, f"{prefix}.{name}".strip("."))
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_template_shows_every_key_the_plan_accepts(lang: str) -> None:
    text = plan_template(lang)
    tables = {"": text}
    # Each table's text runs from its header to the next header (commented or not).
    for match in re.finditer(r"^#? ?\[\[?([a-z.]+)\]\]?$", text, re.MULTILINE):
        rest = text[match.end() :]
        stop = re.search(r"^#? ?\[", rest, re.MULTILINE)
        name = match.group(1)
        tables[name] = tables.get(name, "") + rest[: stop.start() if stop else None]
    for table, key in _keys(Plan):
        path = f"{table}.{key}".strip(".")
        if any(name == path or name.startswith(f"{path}.") for name in tables):
            continue  # a table of its own (or holding tables: targets)
        body = tables[table]
        assert re.search(rf"^#? ?{key} = ", body, re.MULTILINE), (table, key)
    for rule_set in RULE_SETS.values():
        assert f'"{rule_set.id}"' in text and rule_set.title in text


def test_the_template_as_printed_says_what_to_fill_in(cli: Cli, tmp_path: Path) -> None:
    cli.ok("plan", "init", "p.toml")
    line = _one_line(cli("plan", "check", "p.toml", "--from", "2026-07-01"), 1)
    assert line == (
        "ocop plan check: Dữ liệu không hợp lệ: p.toml: dòng 23: commune: chưa điền — thay "
        '"<ĐIỀN: tên xã, ví dụ Lưu Vệ>" bằng giá trị thật (còn 14 chỗ khác cần điền).'
    )
    _no_database(cli)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_filled_template_passes_check(cli: Cli, tmp_path: Path, lang: str) -> None:
    cli.ok("plan", "init", "p.toml", "--lang", lang)
    path = tmp_path / "p.toml"
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    report = cli.json("plan", "check", "p.toml", "--from", "2026-07-01", "--count", "12")
    assert (report["commune"], report["province"], report["year"]) == ("Tân Lập", "Thanh Hóa", 2026)
    assert report["rule_set"] == "qd26-2026" and report["recipients"] == 2
    assert report["evaluation"] == {"opens": "2026-08-03", "closes": "2026-08-28"}
    assert report["digest"] == {"at": "07:00", "to": ["kinhte@tanlap.example"], "horizon_days": 14}
    assert report["illustrative"] == 0
    got = [(r["day"], r["kind"], r["anchor"]) for r in report["upcoming"]]
    assert got[:6] == [
        # 5/7/2026 is a Sunday: the meeting moves to Monday 6/7, reminded the day before.
        ("2026-07-05", "meeting", "2026-07-06"),
        ("2026-07-20", "window_opening", "2026-08-03"),
        ("2026-07-31", "window_opening", "2026-08-03"),
        ("2026-08-04", "meeting", "2026-08-05"),
        ("2026-08-21", "window_closing", "2026-08-28"),
        ("2026-08-27", "window_closing", "2026-08-28"),
    ]
    assert ("2026-09-08", "event", "2026-09-15") in got
    assert ("2026-09-14", "event", "2026-09-15") in got
    text = cli.ok("plan", "check", "p.toml", "--from", "2026-07-01", "--lang", lang)
    assert "Tân Lập" in text and "kinhte@tanlap.example" in text
    _no_database(cli)


def test_the_luu_ve_plan_next_ten_from_1_july_2026(cli: Cli) -> None:
    report = cli.json("plan", "check", str(LUU_VE_2026), "--from", "2026-07-01")
    assert (report["commune"], report["year"], report["rule_set"]) == (
        "Lưu Vệ",
        2026,
        "qd148-2023+qd1489-2025",
    )
    assert report["recipients"] == 5 and report["events"] == 3 and report["meetings"] == 1
    assert report["illustrative"] == 10  # 3 conferences, the meeting, 5 addresses, the codes
    rows = report["upcoming"]
    assert [(r["day"], r["kind"], r["anchor"], r["lead"]) for r in rows] == [
        # The meeting on the 5th; 5/7 is a Sunday, so Monday 6/7, reminded 1 day before.
        ("2026-07-05", "meeting", "2026-07-06", "1d"),
        # The window opens 1/8: reminders 14 and 3 days before.
        ("2026-07-18", "window_opening", "2026-08-01", "14d"),
        ("2026-07-29", "window_opening", "2026-08-01", "3d"),
        ("2026-08-04", "meeting", "2026-08-05", "1d"),
        # The evaluation conference on 25/8: 7 days and 1 day before.
        ("2026-08-18", "event", "2026-08-25", "7d"),
        ("2026-08-24", "event", "2026-08-25", "1d"),
        # The window closes 31/8: 7 days and 1 day before, while dossiers wait.
        ("2026-08-24", "window_closing", "2026-08-31", "7d"),
        ("2026-08-30", "window_closing", "2026-08-31", "1d"),
        # 5/9 is a Saturday: Monday 7/9.
        ("2026-09-06", "meeting", "2026-09-07", "1d"),
        # The province's round 2 cut-off of 26/2026 (in force from 22/5/2026): 30 days before.
        ("2026-09-30", "round_cutoff", "2026-10-30", "30d"),
    ]
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["window_opening"]["recipients"] == [OFFICE]
    assert by_kind["window_opening"]["producers"] and not by_kind["window_opening"]["conditional"]
    assert by_kind["window_closing"]["conditional"]
    assert by_kind["round_cutoff"]["recipients"] == [LEADER, OFFICE]
    assert by_kind["round_cutoff"]["conditional"] and not by_kind["round_cutoff"]["producers"]
    assert by_kind["event"]["recipients"] == [LEADER, OFFICE] and by_kind["event"]["producers"]
    assert not by_kind["meeting"]["producers"] and not by_kind["meeting"]["conditional"]
    assert rows[1]["subject"] == (
        "Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày)"
    )
    assert report["digest"] == {"at": "07:00", "to": [OFFICE], "horizon_days": 14}

    text = cli.ok("plan", "check", str(LUU_VE_2026), "--from", "01/07/2026")
    assert "Xã Lưu Vệ, tỉnh Thanh Hóa, năm 2026" in text
    assert "Đợt đánh giá của xã: 01/08/2026 – 31/08/2026" in text
    assert "Người nhận: 5 (" in text
    assert f"Tóm tắt buổi sáng: mỗi ngày làm việc lúc 07:00 khi có việc, gửi {OFFICE}" in text
    assert "10 thư tiếp theo của kế hoạch, từ 01/07/2026:" in text
    assert "18/07/2026  Mở đợt đánh giá xã — Đợt đánh giá sản phẩm OCOP cấp xã" in text
    assert "chỉ khi còn hồ sơ chưa đề nghị tỉnh" in text
    # The digest is one summary line, not one row per working day.
    assert "Tóm tắt buổi sáng" not in text.split("10 thư tiếp theo")[1]
    _no_database(cli)


def test_count_from_and_the_configured_plan(cli: Cli) -> None:
    env = {"OCOP_PLAN": str(LUU_VE_2026)}
    rows = cli.json("plan", "check", "--from", "2026-12-01", "--count", "3", env=env)["upcoming"]
    assert [(r["day"], r["kind"]) for r in rows] == [
        ("2026-12-06", "meeting"),
        ("2026-12-11", "event"),
        ("2026-12-17", "event"),
    ]
    assert rows[1]["recipients"] == [
        "hoinongdan@luuve.example",
        "hoiphunu@luuve.example",
        LEADER,
        OFFICE,
        "vpdp.ntm@thanhhoa.example",
    ]
    later = cli.ok("plan", "check", "--from", "2027-01-01", "--lang", "en", env=env)
    assert "From 2027-01-01 on, the plan sends nothing more" in later
    assert cli.json("plan", "check", "--from", "2027-01-01", env=env)["upcoming"] == []
    line = _one_line(cli("plan", "check"), 2)
    assert "ocop plan check TỆP" in line
    _no_database(cli)


def _broken(old: str, new: str) -> str:
    text = LUU_VE_2026.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (_broken('province = "Thanh Hóa"', 'province = "Thanh Hóa'), "không phải TOML hợp lệ"),
        (_broken("opens = 2026-08-01", "opens = 2026-02-30"), "line 40"),  # tomllib's words
        (_broken("date = 2026-08-25", 'date = "25-08-2026"'), "dòng 60: events[1].date: "),
        (_broken("closes = 2026-08-31", "closes = 2026-07-31"), "evaluation.closes: trước ngày"),
        (_broken('province = "Thanh Hóa"\n', ""), "province: là bắt buộc"),
        (
            _broken("remind_opening =", "remind_openings ="),
            "remind_openings: không phải khoá của kế hoạch",
        ),
    ],
    ids=["bad-toml", "impossible-date", "date-form", "closes-before-opens", "missing", "typo"],
)
def test_a_broken_plan_is_one_line_naming_the_file_and_key(
    cli: Cli, tmp_path: Path, text: str, says: str
) -> None:
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    line = _one_line(cli("plan", "check", "broken.toml", "--from", "2026-07-01"), 1)
    assert line.startswith("ocop plan check: Dữ liệu không hợp lệ: broken.toml: "), line
    assert says in line
    assert line.endswith("Sửa tệp rồi chạy lại: ocop plan check broken.toml"), line
    _no_database(cli)


def test_an_unreadable_plan_is_one_line(cli: Cli) -> None:
    line = _one_line(cli("plan", "check", "missing.toml", "--from", "2026-07-01"), 1)
    assert "missing.toml: không đọc được kế hoạch" in line
    _no_database(cli)
