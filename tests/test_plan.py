"""The commune plan: the shipped Lưu Vệ 2026 plan, and errors that name the key and the line."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from ocop.errors import InvalidInput
from ocop.plan import LUU_VE_2026, Meeting, load_plan, luu_ve_2026, parse_plan
from ocop.workdays import Calendar

SHIPPED = LUU_VE_2026.read_text(encoding="utf-8")


def test_the_luu_ve_plan_says_what_the_seed_says() -> None:
    plan = luu_ve_2026()
    assert (plan.commune, plan.province, plan.year) == ("Lưu Vệ", "Thanh Hóa", 2026)
    assert plan.rule_set == "qd148-2023+qd1489-2025"
    assert [t.product for t in plan.targets.rerecognise] == [
        "Nem chua Minh Anh",
        "Bánh răng bừa Nga My",
        "Miến gạo Dung Tháp",
    ]
    assert {t.stars for t in plan.targets.rerecognise} == {3}
    assert plan.targets.new is not None
    assert (plan.targets.new.count, plan.targets.new.stars) == (1, 3)
    assert plan.evaluation is not None
    assert (plan.evaluation.opens, plan.evaluation.closes) == (date(2026, 8, 1), date(2026, 8, 31))
    # The seed gives the month, so the window is not illustrative; the days it leaves out are.
    assert not plan.evaluation.illustrative
    assert [e.id for e in plan.events] == ["launch", "evaluation", "review"]
    assert all(e.illustrative for e in plan.events)
    assert [m.id for m in plan.meetings] == ["progress"] and plan.meetings[0].illustrative
    assert all(r.illustrative for r in plan.recipients)
    assert {r.role for r in plan.recipients} == {
        "commune_officer",
        "commune_leader",
        "province_officer",
        "association",
    }
    assert plan.key == "luu-ve-2026"
    assert plan.reminders.digest_at == time(7, 0)


def test_text_is_nfc_even_when_the_file_is_decomposed() -> None:
    import unicodedata

    plan = parse_plan(unicodedata.normalize("NFD", SHIPPED))
    assert plan.commune == "Lưu Vệ" and unicodedata.is_normalized("NFC", plan.events[0].name)


@pytest.mark.parametrize(
    ("old", "new", "where", "key"),
    [
        ("date = 2026-08-25", 'date = "sometime"', 'date = "sometime"', "events[1].date"),
        (
            'Dung Tháp"\nstars = 3',
            'Dung Tháp"\nstars = 7',
            "stars = 7",
            "targets.rerecognise[2].stars",
        ),
        (
            'role = "association"\nname = "Hội Nông dân',
            'role = "farmers"\nname = "Hội Nông dân',
            'role = "farmers"',
            "recipients[3].role",
        ),
        ("closes = 2026-08-31", "closes = 2026-07-31", "closes = 2026-07-31", "evaluation.closes"),
        ('id = "review"', 'id = "launch"', 'id = "launch"', "events[2].id"),
        ("day = 5", "day = 5\nweekday = 3", "weekday = 3", "meetings[0].weekday"),
        (
            'rule_set = "qd148-2023+qd1489-2025"',
            'rule_set = "qd149"',
            'rule_set = "qd149"',
            "rule_set",
        ),
        ("opens = 2026-08-01\n", "", "[evaluation]", "evaluation.opens"),
        (
            'email = "hoiphunu@luuve.example"',
            'email = "hoiphunu at luuve"',
            'email = "hoiphunu at luuve"',
            "recipients[4].email",
        ),
        ("remind = [1]", "remind = [1, -2]", "remind = [1, -2]", "meetings[0].remind[1]"),
    ],
)
def test_a_bad_plan_names_the_key_and_the_line(old: str, new: str, where: str, key: str) -> None:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    lines = text.splitlines()
    # The line meant is the last one written so (a duplicate id is reported where it repeats).
    line = max(n for n, written in enumerate(lines, start=1) if written.startswith(where))
    with pytest.raises(InvalidInput) as caught:
        parse_plan(text, source="plan.toml")
    message = str(caught.value)
    assert message.startswith(f"plan.toml: line {line}: {key}: "), message
    assert caught.value.field == key


def test_a_toml_syntax_error_gives_its_position() -> None:
    with pytest.raises(InvalidInput, match=r"plan\.toml: not valid TOML: .*line 3"):
        parse_plan(
            'commune = "Lưu Vệ"\nprovince = "Thanh Hóa"\nyear = = 2026\n', source="plan.toml"
        )


def test_multi_line_values_do_not_confuse_the_line_numbers() -> None:
    text = (
        'commune = "Lưu Vệ"\nprovince = "Thanh Hóa"\nyear = 2026\n'
        'rule_set = "qd26-2026"\n[evaluation]\nopens = 2026-08-01\ncloses = 2026-08-31\n'
        'note = """Ghi chú\n[[events]]\n"""\n'
        '[[events]]\nid = "a"\nname = "Hội nghị"\ndate = 2026-03-10\nremind = [\n  7,\n  1,\n]\n'
        '[[events]]\nid = "b"\nname = "Hội nghị"\ndate = 2031-03-10\n'
    )
    with pytest.raises(InvalidInput, match=r"line 22: events\[1\]\.date: is not in 2026 or 2027"):
        parse_plan(text, source="p")


def test_load_plan_reports_a_missing_or_binary_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read the plan"):
        load_plan(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"commune = '\xff'\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_plan(bad)
    good = tmp_path / "good.toml"
    good.write_text(SHIPPED, encoding="utf-8")
    assert load_plan(good) == luu_ve_2026()


def test_monthly_meetings_move_to_the_next_working_day() -> None:
    meeting = Meeting(id="m", name="Giao ban", day=17, months=(2, 4, 9))
    # 17/2/2026 is in Tết (16–20/2): the meeting moves to Monday 23/2. 17/9 is a Thursday.
    assert meeting.occurrences(2026, Calendar()) == [
        date(2026, 2, 23),
        date(2026, 4, 17),
        date(2026, 9, 17),
    ]
    end = Meeting(id="m", name="Giao ban", day=31, months=(4, 5))
    # April has no 31st, and its last day is a holiday (30/4, then 1/5 and a weekend): 4/5.
    # 31/5/2026 is a Sunday: Monday 1/6.
    assert end.occurrences(2026, Calendar()) == [date(2026, 5, 4), date(2026, 6, 1)]
    assert luu_ve_2026().meetings[0].occurrences(2026, Calendar())[8] == date(2026, 9, 7)
