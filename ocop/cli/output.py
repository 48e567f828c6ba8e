"""Output for people and for scripts: tables, dates in Vietnam's time, JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from ocop.workdays import local_now

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["dumps", "fmt_date", "fmt_moment", "jsonable", "table", "weekday"]

_WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def fmt_date(day: date | None, lang: str) -> str:
    """``31/12/2026`` in Vietnamese, ``2026-12-31`` in English, ``—`` for none."""
    if day is None:
        return "—"
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


def fmt_moment(moment: datetime | None, lang: str) -> str:
    """A moment in Asia/Ho_Chi_Minh time, to the minute."""
    if moment is None:
        return "—"
    local = local_now(moment)
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d/%m/%Y %H:%M")


def weekday(day: date, lang: str) -> str:
    """The day of the week's name."""
    return day.strftime("%A") if lang == "en" else _WEEKDAYS_VI[day.weekday()]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with a rule under the headers; columns padded to the widest cell."""
    widths = [len(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), line(["─" * w for w in widths])]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return local_now(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):  # a pydantic model, without importing pydantic here
        dumped: object = value.model_dump(mode="python")
        return dumped
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(model: BaseModel) -> dict[str, Any]:
    """A record as a plain dict; dates stay objects until :func:`dumps`."""
    return model.model_dump(mode="python")


def dumps(value: object) -> str:
    """JSON with Vietnamese text kept readable and moments in Vietnam's time (+07:00)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default)
