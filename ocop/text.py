"""What officers, producers and the public read, in their language, from one catalogue.

Vietnamese is the source language: every text is written in the code in Vietnamese, as the
message id, and the English catalogue ``ocop/locale/en/LC_MESSAGES/ocop.po`` (compiled to
``ocop.mo`` beside it) gives its English. A text with values names them and the translation
fills them::

    t = translator("en")
    t("Đã nhập {count} hồ sơ.", count=3)   # 'Imported 3 dossiers.'

A text the catalogue does not hold comes out in Vietnamese, never as an error; the test suite
fails when the code holds a text the catalogue lacks (see CONTRIBUTING.md, "Add a translated
text", for the three Babel commands that extract, update and compile it).
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = [
    "LANGUAGES",
    "NC_",
    "N_",
    "Translate",
    "catalogue",
    "long_day",
    "term",
    "translator",
    "weekday_name",
    "written_day",
    "written_moment",
]

LANGUAGES = ("vi", "en")
"""The languages ocop writes in; Vietnamese first, the default."""

DOMAIN = "ocop"


class Translate(Protocol):
    """``t("Vietnamese text {name}", name=value)``: the text in the reader's language."""

    def __call__(self, message: str, /, **values: object) -> str: ...


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is declared; translate it where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark ``message`` for the catalogue under ``context`` (``"state"``, ``"role"`` …), where
    one Vietnamese word names two things English tells apart; :func:`term` translates it."""
    return message


def term(lang: str, context: str, message: str) -> str:
    """A word of the vocabulary (a state, a role, a message kind …) in ``lang``."""
    return catalogue(lang).pgettext(context, message)


@cache
def catalogue(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` for ``lang``, or none when there is nothing to look up.

    ``ocop`` texts are written in Vietnamese, so Vietnamese needs no catalogue; the
    ``argparse`` domain holds the standard library's own English words in Vietnamese.
    """
    compiled = files("ocop") / "locale" / lang / "LC_MESSAGES" / f"{domain}.mo"
    if not compiled.is_file():
        return gettext.NullTranslations()
    with compiled.open("rb") as stream:
        return gettext.GNUTranslations(stream)


def translator(lang: str) -> Translate:
    """The :class:`Translate` function for ``lang`` (``"vi"`` or ``"en"``)."""
    lookup = catalogue(lang).gettext

    def t(message: str, /, **values: object) -> str:
        text = lookup(message)
        return text.format(**values) if values else text

    return t


# How a day is written is a text like any other: the catalogue gives English its own form, so
# no caller chooses a format by language.
_DAY = NC_("date format", "%d/%m/%Y")
_MOMENT = NC_("date format", "%d/%m/%Y %H:%M")
_LONG_DAY = NC_("long date", "{dd}/{mm}/{year}")
_WEEKDAYS = (
    NC_("weekday", "Thứ Hai"),
    NC_("weekday", "Thứ Ba"),
    NC_("weekday", "Thứ Tư"),
    NC_("weekday", "Thứ Năm"),
    NC_("weekday", "Thứ Sáu"),
    NC_("weekday", "Thứ Bảy"),
    NC_("weekday", "Chủ Nhật"),
)
_MONTHS = (
    NC_("month", "tháng 1"),
    NC_("month", "tháng 2"),
    NC_("month", "tháng 3"),
    NC_("month", "tháng 4"),
    NC_("month", "tháng 5"),
    NC_("month", "tháng 6"),
    NC_("month", "tháng 7"),
    NC_("month", "tháng 8"),
    NC_("month", "tháng 9"),
    NC_("month", "tháng 10"),
    NC_("month", "tháng 11"),
    NC_("month", "tháng 12"),
)


def written_day(day: date | None, lang: str) -> str:
    """A day as a table or a line shows it: ``31/12/2026`` in Vietnamese, ``2026-12-31`` in
    English; ``—`` for none."""
    if day is None:
        return "—"
    return day.strftime(term(lang, "date format", _DAY))


def written_moment(moment: datetime | None, lang: str) -> str:
    """A moment to the minute, as given (convert it to local time first):
    ``31/12/2026 08:30`` / ``2026-12-31 08:30``; ``—`` for none."""
    if moment is None:
        return "—"
    return moment.strftime(term(lang, "date format", _MOMENT))


def long_day(day: date, lang: str) -> str:
    """A day in running text: ``05/02/2026`` in Vietnamese, ``5 February 2026`` in English."""
    return term(lang, "long date", _LONG_DAY).format(
        dd=f"{day.day:02d}",
        mm=f"{day.month:02d}",
        day=day.day,
        month=month_name(day.month, lang),
        year=day.year,
    )


def month_name(month: int, lang: str) -> str:
    """The month's name (1 to 12): ``tháng 2``, ``February``."""
    return term(lang, "month", _MONTHS[month - 1])


def weekday_name(day: date, lang: str) -> str:
    """The day of the week: ``Thứ Tư``, ``Wednesday``."""
    return term(lang, "weekday", _WEEKDAYS[day.weekday()])
