"""The Vietnamese working-day calendar: Asia/Ho_Chi_Minh time, Monday–Friday working days,
public holidays from the ``holidays`` package, and the local overrides (extra days off, make-up
working days) the government announces each year. The package's Vietnamese holidays end with
its lunar tables (2100); later years have weekends only.
"""

from __future__ import annotations

import calendar as _gregorian
import functools
import os
import tomllib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ocop.errors import InvalidInput
from ocop.text import N_

__all__ = [
    "DEFAULT_DAY_OFF_NAME",
    "TZ",
    "Calendar",
    "Unit",
    "add_months",
    "local_date",
    "local_now",
]

TZ: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
"""The time zone every date of the programme is counted in."""

Unit = Literal["working_days", "days", "months"]

DEFAULT_DAY_OFF_NAME = "Ngày nghỉ"
"""The name of a day off given without one."""
_OVERRIDE_KEYS = ("days_off", "working_days")
_ENTRY_KEYS = frozenset({"date", "name"})


def local_now(clock: datetime | None = None) -> datetime:
    """Return the current moment (or ``clock``) as an aware datetime in :data:`TZ`.

    A naive ``clock`` is taken as UTC, as :func:`local_date` does.
    """
    if clock is None:
        return datetime.now(TZ)
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=UTC)
    return clock.astimezone(TZ)


def local_date(moment: datetime) -> date:
    """Return the Vietnamese calendar date of ``moment``; a naive ``moment`` is taken as UTC."""
    return local_now(moment).date()


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's end (31/1 + 1 month = 28/2 or 29/2)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = _gregorian.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@functools.cache
def _package_year(year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """The package's holidays and make-up working days of one year (computed once per year)."""
    # The language is fixed because the package otherwise guesses it from the process locale.
    import holidays  # loaded on first use: light commands never need it

    known = holidays.country_holidays("VN", years=year, language="vi")
    off = MappingProxyType({d: str(name) for d, name in known.items()})
    # Older releases lack weekend_workdays; it also lists other years' days, hence the filter.
    worked = frozenset(d for d in getattr(known, "weekend_workdays", ()) if d.year == year)
    return off, worked


def _check_day(value: object, field: str) -> date:
    # A datetime is a date subclass but never equals one, so it would silently match nothing.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput.said(
            N_("{name}: cần một ngày, nhận được {value!r}"), field=field, name=field, value=value
        )
    return value


class Calendar:
    """Working days in Vietnam: Monday–Friday, less public holidays and extra days off, plus
    make-up working days.

    ``days_off`` are extra days off announced by the government (bridge days), with names when
    known; ``working_days`` are make-up working days (a Saturday worked in exchange). Overrides
    win over the ``holidays`` package, so a local file can also correct it.
    """

    def __init__(
        self,
        *,
        days_off: Mapping[date, str] | Iterable[date] = (),
        working_days: Iterable[date] = (),
    ) -> None:
        if isinstance(days_off, Mapping):
            named = {_check_day(d, "days_off"): str(n) for d, n in days_off.items()}
        else:
            named = {_check_day(d, "days_off"): DEFAULT_DAY_OFF_NAME for d in days_off}
        worked = frozenset(_check_day(d, "working_days") for d in working_days)
        both = sorted(worked.intersection(named))
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise InvalidInput.said(
                N_("{listed}: vừa được ghi là ngày nghỉ vừa được ghi là ngày làm việc"),
                field="working_days",
                listed=listed,
            )
        self._days_off: Mapping[date, str] = MappingProxyType(named)
        self._working_days = worked
        # Per year: the days whose status differs from the weekday rule, and the days-off names.
        self._years: dict[int, tuple[dict[date, bool], dict[date, str]]] = {}

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Calendar:
        """Load a local override file (TOML with ``[[days_off]]`` and ``[[working_days]]``)."""
        source = os.fspath(path)
        try:
            with open(source, "rb") as stream:
                text = stream.read().decode("utf-8")
        except OSError as exc:
            raise InvalidInput.said(
                N_("{source}: không đọc được tệp lịch: {reason}"),
                source=source,
                reason=exc.strerror,
            ) from exc
        except UnicodeDecodeError as exc:
            raise InvalidInput.said(
                N_("{source}: tệp lịch không phải văn bản UTF-8"), source=source
            ) from exc
        return cls.from_toml(text, source=source)

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> Calendar:
        """Parse override TOML; ``source`` names the text in error messages."""
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib's message carries the position, e.g. "(at line 2, column 8)".
            raise InvalidInput.said(
                N_("{source}: không phải TOML hợp lệ: {problem}"), source=source, problem=str(exc)
            ) from exc
        unknown = sorted(set(document) - set(_OVERRIDE_KEYS))
        if unknown:
            raise InvalidInput.said(
                N_(
                    "{source}: không nhận khóa {key!r}; chỉ nhận các mục [[days_off]] và "
                    "[[working_days]]"
                ),
                field=unknown[0],
                source=source,
                key=unknown[0],
            )
        days_off = {d: n or DEFAULT_DAY_OFF_NAME for d, n in _entries(document, "days_off", source)}
        working_days = [d for d, _ in _entries(document, "working_days", source)]
        try:
            return cls(days_off=days_off, working_days=working_days)
        except InvalidInput as exc:
            raise InvalidInput.said(
                N_("{name}: {problem}"), field=exc.field, name=source, problem=exc
            ) from exc

    @property
    def days_off(self) -> Mapping[date, str]:
        """The extra days off given to this calendar, with their names."""
        return self._days_off

    @property
    def working_days(self) -> frozenset[date]:
        """The make-up working days given to this calendar."""
        return self._working_days

    def _year(self, year: int) -> tuple[dict[date, bool], dict[date, str]]:
        table = self._years.get(year)
        if table is None:
            package_off, package_worked = _package_year(year)
            status = dict.fromkeys(package_off, False)
            status.update(dict.fromkeys(package_worked, True))
            names = dict(package_off)
            for day, name in self._days_off.items():
                if day.year == year:
                    status[day] = False
                    names[day] = name
            for day in self._working_days:
                if day.year == year:
                    status[day] = True
                    names.pop(day, None)
            table = (status, names)
            self._years[year] = table
        return table

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day: Monday–Friday and neither a public holiday nor an
        extra day off, or else a make-up working day."""
        status = self._year(day.year)[0].get(day)
        return day.weekday() < 5 if status is None else status

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday or day off on ``day`` (even on a weekend), else None."""
        return self._year(day.year)[1].get(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The date ``count`` working days after ``start`` (``start`` itself not counted).

        ``count`` 0 returns ``start`` unchanged, even when ``start`` is not a working day.
        """
        if count < 0:
            raise InvalidInput.said(
                N_("count phải từ 0 trở lên, nhận được {count}"), field="count", count=count
            )
        day = start
        one = timedelta(days=1)
        while count:
            day += one
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in (``start``, ``end``]; negative when ``end < start``."""
        if end < start:
            return -self.working_days_between(end, start)
        one = timedelta(days=1)
        day, count = start, 0
        while day < end:
            day += one
            count += self.is_working_day(day)
        return count

    def add(self, start: date, amount: int, unit: Unit) -> date:
        """Add ``amount`` working days, calendar days or calendar months to ``start``."""
        if unit == "working_days":
            return self.add_working_days(start, amount)
        if unit == "days":
            return start + timedelta(days=amount)
        if unit == "months":
            return add_months(start, amount)
        raise InvalidInput.said(
            N_("không nhận đơn vị {unit!r}; chỉ nhận working_days, days hoặc months"),
            field="unit",
            unit=unit,
        )


def _entries(document: Mapping[str, Any], key: str, source: str) -> list[tuple[date, str | None]]:
    """Validate one ``[[key]]`` array of tables, returning (date, name) pairs."""
    raw = document.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise InvalidInput.said(
            N_("{source}: {key!r} phải viết thành các bảng [[{key}]]"),
            field=key,
            source=source,
            key=key,
        )
    result: list[tuple[date, str | None]] = []
    for index, entry in enumerate(raw):
        where = f"{key}[{index}]"
        extra = sorted(set(entry) - _ENTRY_KEYS)
        if extra:
            raise InvalidInput.said(
                N_("{source}: {where}: không nhận khóa {key!r}; chỉ nhận 'date' và 'name'"),
                field=f"{where}.{extra[0]}",
                source=source,
                where=where,
                key=extra[0],
            )
        if "date" not in entry:
            raise InvalidInput.said(
                N_("{source}: {where}: thiếu khóa 'date'"),
                field=f"{where}.date",
                source=source,
                where=where,
            )
        value = entry["date"]
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidInput.said(
                N_(
                    "{source}: {where}: 'date' phải là một ngày viết như 2026-02-16 (không có "
                    "dấu ngoặc kép, không có giờ), nhận được {value!r}"
                ),
                field=f"{where}.date",
                source=source,
                where=where,
                value=value,
            )
        name = entry.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidInput.said(
                N_("{source}: {where}: 'name' phải là chữ, không để trống, nhận được {name!r}"),
                field=f"{where}.name",
                source=source,
                where=where,
                name=name,
            )
        result.append((value, name))
    return result
