"""Vietnam's 2026 calendar as decreed, pinned whole (issue 12).

``holidays`` before 0.106 did not know Vietnam Cultural Day (24/11, a day off from 2026) and
had the National Day bridge wrong (31/8 off, worked back on Saturday 22/8), which put 2026
deadlines a day early; pyproject.toml requires 0.106 or later.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

from ocop.workdays import Calendar

ROOT = Path(__file__).resolve().parent.parent

# Weekdays off in 2026: New Year; Tết Mon 16 – Fri 20/2; the Hùng Kings' day (Sunday 26/4)
# observed Monday 27/4; Reunification Day and Labour Day; the National Day bridge Monday 31/8
# with 1 and 2/9; Vietnam Cultural Day 24/11.
DAYS_OFF_2026 = {
    date(2026, 1, 1),
    *(date(2026, 2, d) for d in range(16, 21)),
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 8, 31),
    date(2026, 9, 1),
    date(2026, 9, 2),
    date(2026, 11, 24),
}
WORKED_SATURDAYS_2026 = {date(2026, 8, 22)}  # in exchange for 31/8


def _year(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=n) for n in range((date(year + 1, 1, 1) - start).days)]


def test_every_day_of_2026_is_worked_or_off_as_decreed() -> None:
    calendar = Calendar()
    weekdays_off = {d for d in _year(2026) if d.weekday() < 5 and not calendar.is_working_day(d)}
    assert weekdays_off == DAYS_OFF_2026
    weekend_worked = {d for d in _year(2026) if d.weekday() >= 5 and calendar.is_working_day(d)}
    assert weekend_worked == WORKED_SATURDAYS_2026
    assert all(calendar.holiday_name(d) for d in DAYS_OFF_2026)


def test_a_deadline_across_the_september_bridge_and_cultural_day() -> None:
    calendar = Calendar()
    # Friday 28/8 + 1 working day: Monday 31/8 to Wednesday 2/9 are off.
    assert calendar.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    # Friday 21/8 + 1: Saturday 22/8 is worked.
    assert calendar.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    # Monday 23/11 + 1: Tuesday 24/11 is off.
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


def test_holidays_is_pinned_from_the_first_release_with_the_2026_calendar() -> None:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        dependencies = tomllib.load(stream)["project"]["dependencies"]
    (pin,) = [d for d in dependencies if re.match(r"holidays\b", d)]
    assert pin.replace(" ", "") == "holidays>=0.106"
    installed = tuple(int(part) for part in version("holidays").split(".")[:2])
    assert installed >= (0, 106)
