"""What every paper the office sends shares: the letterhead, the signature block, the list of
recipients, and dates written the administrative way.

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I): the issuing body on the left with the
number and symbol under it, the national motto and slogan on the right with the place and date
under them, then the title, the body, "Nơi nhận" and the signature block. Only the words are
kept here; the renderers (:mod:`ocop.documents.to_docx` …) place them.

Every string of a content record is NFC-normalised when the record is built, so "Lưu Vệ"
typed in decomposed form prints as the same letters as the stored name.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from ocop.text import NC_, month_name, term, translator

__all__ = [
    "Content",
    "Field",
    "Letterhead",
    "Signature",
    "Signer",
    "blank",
    "dated",
    "letterhead",
    "signature",
    "translate",
]

BLANK = "……"
"""Printed where the form asks for something the record does not hold, to be filled by hand."""


def translate(lang: str, message: str, /, **values: object) -> str:
    """``message`` (Vietnamese, the catalogue's id) in ``lang``, its ``{names}`` filled in."""
    return translator(lang)(message, **values)


def blank(value: object | None) -> str:
    """``value`` as text, or dots to fill in by hand when there is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return str(value)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, tuple):
        return tuple(_normalise(item) for item in value)
    return value


@dataclass(frozen=True)
class Content:
    """A document's content: a frozen record whose text is NFC-normalised on creation."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            normal = _normalise(value)
            if normal is not value:
                object.__setattr__(self, f.name, normal)


@dataclass(frozen=True)
class Field(Content):
    """One labelled line of a form: ``1. Tên chủ thể: …``; ``value`` ``None`` is left blank."""

    label: str
    value: str | None


@dataclass(frozen=True)
class Letterhead(Content):
    """The top of an administrative paper (Nghị định 30/2020/NĐ-CP)."""

    issuer: tuple[str, ...]
    """The issuing body, one line each: ``("ỦY BAN NHÂN DÂN", "XÃ LƯU VỆ")``."""
    motto: str
    slogan: str
    number: str
    """``Số: 12/BC-UBND``, dots where the number is not given yet."""
    place_date: str
    """``Lưu Vệ, ngày 20 tháng 8 năm 2026``."""
    subject: str | None = None
    """A letter's ``V/v …`` line under the number; reports have none."""


@dataclass(frozen=True)
class Signer(Content):
    """Who signs, as the commune configures it (the law does not name the person)."""

    name: str | None = None
    title: str | None = None
    """``Chủ tịch``, ``Phó Chủ tịch`` …; written in capitals in the block."""
    on_behalf: bool = True
    """Signs for the committee (``T.M.``) as its chair; a deputy signs ``KT. CHỦ TỊCH``."""

    @classmethod
    def from_text(cls, text: str | None) -> Signer:
        """``"Đoàn Đình Tùng, Phó Chủ tịch UBND xã"`` (a plan's ``signed_by``) as a signer."""
        if not text or not text.strip():
            return cls()
        name, _, title = text.partition(",")
        title = title.strip()
        for tail in (" UBND xã", " Ủy ban nhân dân xã", " UBND"):
            title = title.removesuffix(tail)
        return cls(name=name.strip() or None, title=title or None)


@dataclass(frozen=True)
class Signature(Content):
    """The signature block: on whose behalf, the signer's title, the note, the name."""

    lines: tuple[str, ...]
    """``("T.M. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")`` or ``("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")``."""
    note: str
    """``(Ký tên và đóng dấu)``."""
    name: str | None


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


def letterhead(
    commune: str,
    *,
    lang: str,
    number: str | None,
    symbol: str,
    day: date | None,
    subject: str | None = None,
) -> Letterhead:
    """The commune committee's letterhead; ``number`` ``None`` leaves ``…/symbol``."""
    text = number.strip() if number and number.strip() else f"{BLANK}/{symbol}"
    return Letterhead(
        issuer=(
            translate(lang, "ỦY BAN NHÂN DÂN"),
            translate(lang, "XÃ {commune}", commune=_upper(commune)),
        ),
        motto=translate(lang, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        slogan=translate(lang, "Độc lập - Tự do - Hạnh phúc"),
        number=translate(lang, "Số: {text}", text=text),
        place_date=dated(commune, day, lang),
        subject=subject,
    )


_DATED = NC_("long date", "ngày {dd} tháng {mm} năm {year}")


def dated(place: str, day: date | None, lang: str) -> str:
    """``Lưu Vệ, ngày 05 tháng 02 năm 2026``: a day below 10 and a month below 3 take a leading
    zero (Nghị định 30/2020/NĐ-CP, Phụ lục I); dots when there is no date yet."""
    if day is None:
        return translate(
            lang, "{place}, ngày {blank} tháng {blank} năm {blank}", place=place, blank=BLANK
        )
    written = term(lang, "long date", _DATED).format(
        dd=f"{day.day:02d}" if day.day < 10 else str(day.day),
        mm=f"{day.month:02d}" if day.month < 3 else str(day.month),
        day=day.day,
        month=month_name(day.month, lang),
        year=day.year,
    )
    return f"{place}, {written}"


def signature(signer: Signer, *, lang: str) -> Signature:
    """The commune committee's signature block for ``signer``.

    The chair signs ``T.M. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH`` (Mẫu 03 closes with "T.M ỦY BAN
    NHÂN DÂN XÃ…"); a deputy (a title other than Chủ tịch) signs ``KT. CHỦ TỊCH`` over his own
    title, as the seed plan is signed. Without a title the line is left to fill in.
    """
    title = signer.title
    lines: tuple[str, ...]
    chair = title is None or title.strip().lower() in ("chủ tịch", "chairman", "chairperson")
    if signer.on_behalf and chair:
        lines = (
            translate(lang, "T.M. ỦY BAN NHÂN DÂN"),
            _upper(title) if title else translate(lang, "CHỦ TỊCH"),
        )
    elif title:
        lines = (
            translate(lang, "KT. CHỦ TỊCH"),
            _upper(title),
        )
    else:
        lines = (translate(lang, "T.M. ỦY BAN NHÂN DÂN"),)
    return Signature(
        lines=lines,
        note=translate(lang, "(Ký tên và đóng dấu)"),
        name=signer.name,
    )
