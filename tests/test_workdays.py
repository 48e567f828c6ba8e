"""The Vietnamese working-day calendar, against the real ``holidays`` package (no mocks)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ocop.workdays as workdays
from ocop.errors import InvalidInput
from ocop.workdays import TZ, Calendar, add_months, local_date, local_now

CAL = Calendar()
EXAMPLE = Path(workdays.__file__).parent / "data" / "calendar-overrides.example.toml"


def working(cal: Calendar, first: date, last: date) -> list[date]:
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if cal.is_working_day(d)]


# --- weekends and the public holidays the package knows -------------------------------------


def test_weekends_are_not_working_days() -> None:
    assert working(CAL, date(2026, 3, 2), date(2026, 3, 8)) == [
        date(2026, 3, d) for d in (2, 3, 4, 5, 6)
    ]
    assert CAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert CAL.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday -> Monday


def test_tet_2026_is_monday_16_to_friday_20_february() -> None:
    tet = [date(2026, 2, d) for d in range(16, 21)]
    assert not any(CAL.is_working_day(d) for d in tet)
    for day in tet:
        name = CAL.holiday_name(day)
        assert name is not None and "Tết" in name
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.is_working_day(date(2026, 2, 13)) and CAL.is_working_day(date(2026, 2, 23))
    # The whole week is off: Friday 13 + 1 working day is Monday 23.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.working_days_between(date(2026, 2, 1), date(2026, 2, 28)) == 15


def test_fifteen_working_days_from_a_friday_receipt_across_tet() -> None:
    # Received Friday 6/2/2026: 9–13/2 (5), Tết week skipped, 23–27/2 (10), 2–6/3 (15).
    assert CAL.add_working_days(date(2026, 2, 6), 15) == date(2026, 3, 6)
    # The same receipt a month earlier, with no holiday in between, is three plain weeks.
    assert CAL.add_working_days(date(2026, 1, 9), 15) == date(2026, 1, 30)


def test_tet_2025_and_2027() -> None:
    assert working(CAL, date(2025, 1, 25), date(2025, 2, 2)) == []
    assert working(CAL, date(2027, 2, 4), date(2027, 2, 10)) == []
    assert CAL.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)


def test_30_april_and_1_may_2026_with_hung_kings_observed() -> None:
    # Giỗ Tổ (26/4) falls on a Sunday and is observed on Monday 27/4; 30/4 and 1/5 are Thu, Fri.
    assert working(CAL, date(2026, 4, 24), date(2026, 5, 4)) == [
        date(2026, 4, 24),
        date(2026, 4, 28),
        date(2026, 4, 29),
        date(2026, 5, 4),
    ]
    assert CAL.holiday_name(date(2026, 4, 26)) is not None  # a Sunday holiday still has a name
    assert CAL.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert CAL.working_days_between(date(2026, 4, 24), date(2026, 5, 4)) == 3


def test_30_april_and_1_may_2025_with_the_bridge_day_and_make_up_saturday() -> None:
    # The package knows 2/5/2025 as a day off in exchange for Saturday 26/4/2025.
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.holiday_name(date(2025, 4, 26)) is None
    assert CAL.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    assert CAL.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_30_april_and_1_may_2027_with_labour_day_observed() -> None:
    # 1/5/2027 is a Saturday, observed on Monday 3/5.
    assert working(CAL, date(2027, 4, 29), date(2027, 5, 4)) == [
        date(2027, 4, 29),
        date(2027, 5, 4),
    ]


def test_hung_kings_and_national_day_2025_to_2027() -> None:
    off = [
        date(2025, 4, 7),
        date(2025, 9, 1),
        date(2025, 9, 2),
        date(2026, 8, 31),  # bridge day the package knows, worked back on Saturday 22/8
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2027, 4, 16),
        date(2027, 9, 2),
        date(2027, 9, 3),
    ]
    assert [d for d in off if CAL.is_working_day(d)] == []
    assert all(CAL.holiday_name(d) for d in off)
    assert CAL.is_working_day(date(2026, 8, 22))
    assert CAL.is_working_day(date(2025, 9, 3)) and CAL.is_working_day(date(2027, 9, 1))


def test_is_working_day_agrees_with_the_package_for_2025_to_2027() -> None:
    for year in (2025, 2026, 2027):
        known = holidays.country_holidays("VN", years=year)
        extra = set(known.weekend_workdays)
        day = date(year, 1, 1)
        while day.year == year:
            expected = day in extra or (day.weekday() < 5 and day not in known)
            assert CAL.is_working_day(day) is expected, day
            day += timedelta(days=1)


# --- overrides ------------------------------------------------------------------------------

OVERRIDES = """\
[[days_off]]
date = 2026-01-02
name = "Nghỉ bù Tết Dương lịch"

[[working_days]]
date = 2026-01-10
name = "Làm bù"
"""


def test_override_file_adds_a_day_off_and_a_make_up_saturday(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(OVERRIDES, encoding="utf-8")
    cal = Calendar.from_file(path)

    assert CAL.is_working_day(date(2026, 1, 2)) and not CAL.is_working_day(date(2026, 1, 10))
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.holiday_name(date(2026, 1, 2)) == "Nghỉ bù Tết Dương lịch"
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.days_off == {date(2026, 1, 2): "Nghỉ bù Tết Dương lịch"}
    assert cal.working_days == {date(2026, 1, 10)}
    # Wed 31/12/2025: 1/1 holiday, 2/1 off, 5/1 is the first working day; the Saturday counts.
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert cal.working_days_between(date(2026, 1, 4), date(2026, 1, 11)) == 6
    assert CAL.working_days_between(date(2026, 1, 4), date(2026, 1, 11)) == 5


def test_overrides_from_the_constructor_and_over_the_package() -> None:
    cal = Calendar(days_off=[date(2026, 3, 9)], working_days=[date(2026, 2, 20)])
    assert not cal.is_working_day(date(2026, 3, 9))
    assert cal.holiday_name(date(2026, 3, 9)) == workdays.DEFAULT_DAY_OFF_NAME
    # A local working day wins over a package holiday, so the file can correct the package.
    assert cal.is_working_day(date(2026, 2, 20))
    assert cal.holiday_name(date(2026, 2, 20)) is None
    # And a local day off wins over a package make-up Saturday.
    assert not Calendar(days_off={date(2026, 8, 22): "x"}).is_working_day(date(2026, 8, 22))


def test_a_day_both_off_and_worked_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"2026-01-10.*both"):
        Calendar(days_off=[date(2026, 1, 10)], working_days=[date(2026, 1, 10)])


def test_override_name_is_optional() -> None:
    cal = Calendar.from_toml("[[days_off]]\ndate = 2026-03-09\n")
    assert cal.holiday_name(date(2026, 3, 9)) == workdays.DEFAULT_DAY_OFF_NAME


def test_the_example_file_parses_and_its_commented_entries_are_valid() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    as_shipped = Calendar.from_file(EXAMPLE)
    assert as_shipped.days_off == {} and as_shipped.working_days == frozenset()
    uncommented = re.sub(r"(?m)^# (\[\[|date|name)", r"\1", text)
    cal = Calendar.from_toml(uncommented, source=str(EXAMPLE))
    assert len(cal.days_off) == 1 and len(cal.working_days) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[days_off]]\ndate = 2026-02-30\n", r"not valid TOML.*line 2"),
        ("[[days_off]]\nname = 'no date'\n", r"days_off\[0\]: missing key 'date'"),
        ("[[days_off]]\ndate = 2026-01-01\n[[days_off]]\nname = 'x'\n", r"days_off\[1\].*'date'"),
        ("[[working_days]]\ndate = '2026-01-10'\n", r"working_days\[0\]: 'date' must be a date"),
        ("[[working_days]]\ndate = 2026-01-10T08:00:00\n", r"working_days\[0\]: 'date' must"),
        ("[[days_off]]\ndate = 2026-01-02\nnmae = 'x'\n", r"days_off\[0\]: unknown key 'nmae'"),
        ("[[days_off]]\ndate = 2026-01-02\nname = 3\n", r"days_off\[0\]: 'name'"),
        ("[[holidays]]\ndate = 2026-01-02\n", r"unknown key 'holidays'"),
        ("days_off = [2026-01-02]\n", r"'days_off' must be written as \[\[days_off\]\]"),
        (
            "[[days_off]]\ndate = 2026-01-10\n[[working_days]]\ndate = 2026-01-10\n",
            r"2026-01-10: listed both",
        ),
    ],
)
def test_bad_override_files_name_the_file_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "lich-nghi.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        Calendar.from_file(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ": ")
    assert re.search(expected, message), message


def test_bad_field_is_reported() -> None:
    with pytest.raises(InvalidInput) as caught:
        Calendar.from_toml("[[working_days]]\nname = 'x'\n", source="here.toml")
    assert caught.value.field == "working_days[0].date"
    assert str(caught.value) == "here.toml: working_days[0]: missing key 'date'"


def test_a_missing_or_binary_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"absent\.toml: cannot read"):
        Calendar.from_file(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match=r"binary\.toml: .*not UTF-8"):
        Calendar.from_file(binary)


def test_the_constructor_refuses_datetimes() -> None:
    with pytest.raises(InvalidInput, match="days_off: expected a date"):
        Calendar(days_off=[datetime(2026, 1, 2, 0, 0)])


# --- arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2024, 2, 29), 36, date(2027, 2, 28)),  # a certificate's 36 months
        (date(2026, 8, 20), 0, date(2026, 8, 20)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_add_dispatches_on_the_unit() -> None:
    friday = date(2026, 2, 13)
    assert CAL.add(friday, 1, "working_days") == date(2026, 2, 23)
    assert CAL.add(friday, 1, "days") == date(2026, 2, 14)
    assert CAL.add(friday, -45, "days") == date(2025, 12, 30)
    assert CAL.add(date(2026, 1, 31), 1, "months") == date(2026, 2, 28)
    with pytest.raises(InvalidInput, match="unknown unit 'weeks'"):
        CAL.add(friday, 1, "weeks")  # type: ignore[arg-type]


def test_zero_and_negative_counts() -> None:
    saturday = date(2026, 2, 14)
    assert CAL.add_working_days(saturday, 0) == saturday
    with pytest.raises(InvalidInput, match="count must be 0 or more"):
        CAL.add_working_days(saturday, -1)
    assert CAL.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


# --- time zone ------------------------------------------------------------------------------


def test_local_date_near_midnight_utc() -> None:
    # Vietnam is UTC+7 all year: 17:00 UTC is already tomorrow there.
    assert local_date(datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC)) == date(2025, 12, 31)
    assert local_date(datetime(2025, 12, 31, 17, 0, tzinfo=UTC)) == date(2026, 1, 1)
    assert local_date(datetime(2025, 12, 31, 17, 0)) == date(2026, 1, 1)  # naive = UTC
    cet = timezone(timedelta(hours=1))
    assert local_date(datetime(2026, 1, 1, 0, 30, tzinfo=cet)) == date(2026, 1, 1)
    assert local_date(datetime(2025, 12, 31, 17, 59, tzinfo=cet)) == date(2025, 12, 31)


def test_local_now_is_aware_and_in_vietnam() -> None:
    clock = datetime(2026, 2, 16, 23, 30, tzinfo=UTC)
    now = local_now(clock)
    assert now == clock and now.tzinfo is TZ
    assert (now.year, now.month, now.day, now.hour) == (2026, 2, 17, 6)
    assert local_now(datetime(2026, 2, 16, 23, 30)) == clock
    real = local_now()
    assert real.tzinfo is TZ
    assert abs(real - datetime.now(UTC)) < timedelta(minutes=1)  # clock-ok: the real clock itself
    assert str(TZ) == "Asia/Ho_Chi_Minh"


# --- properties -----------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=DAYS, count=st.integers(min_value=0, max_value=400))
def test_add_working_days_lands_on_a_working_day_counted_by_between(
    start: date, count: int
) -> None:
    end = CAL.add_working_days(start, count)
    if count > 0:
        assert CAL.is_working_day(end)
        assert end > start
    else:
        assert end == start
    assert CAL.working_days_between(start, end) == count
    assert CAL.working_days_between(end, start) == -count


@settings(max_examples=200, deadline=None)
@given(start=DAYS, end=DAYS)
def test_between_counts_the_working_days_in_the_half_open_range(start: date, end: date) -> None:
    low, high = sorted((start, end))
    inside = working(CAL, low + timedelta(days=1), high) if high > low else []
    sign = 1 if end >= start else -1
    assert CAL.working_days_between(start, end) == sign * len(inside)
