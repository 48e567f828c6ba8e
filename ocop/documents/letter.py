"""The commune's request letter to the province (văn bản đề nghị), as content.

26/2026 Điều 6.2.a and Điều 7.2.b require "văn bản của UBND cấp xã đề nghị UBND cấp tỉnh đánh
giá, phân hạng sản phẩm OCOP" but give no form for it (148/1489 neither): the wording here is
the plain one of an administrative letter (công văn) under Nghị định 30/2020/NĐ-CP, with its
"V/v" subject line, "Kính gửi", the list of dossiers proposed, the enclosures Điều 6.2 names
and "Nơi nhận". The number and date are those the commune recorded at ``submit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ocop.documents.common import (
    Content,
    Letterhead,
    Signature,
    Signer,
    letterhead,
    signature,
    translate,
)
from ocop.errors import InvalidInput
from ocop.models import Dossier, nfc
from ocop.states import PRODUCT_SETS
from ocop.text import N_, translator

__all__ = ["LetterItem", "RequestLetter", "build_request_letter"]


@dataclass(frozen=True)
class _Phrase:
    """A part of a refusal's sentence: a text of the catalogue and its values, which
    :meth:`~ocop.errors.OcopError.explain` says in the reader's language; ``str`` is English."""

    text: str
    values: Mapping[str, object]

    def __str__(self) -> str:
        return translator("en")(self.text, **self.values)

    @classmethod
    def joined(cls, phrases: Sequence[_Phrase]) -> _Phrase:
        """``phrases`` one after another, separated by "; "."""
        first, *rest = phrases
        if not rest:
            return first
        return cls(N_("{first}; {rest}"), {"first": first, "rest": cls.joined(rest)})


@dataclass(frozen=True)
class LetterItem(Content):
    """One dossier the letter proposes."""

    number: int
    """Its row number in the letter (STT)."""
    dossier_id: int
    product_name: str
    producer_name: str
    product_set: int
    product_set_name: str
    kind: str
    """Lần đầu / Nâng hạng / Đánh giá lại."""
    report: str
    """Its Mẫu 03: number and date, or dots."""
    samples: int
    form_number: str | None
    """Its registration form number (Mẫu 01's "Phiếu số …/PĐK-…"); ``None`` while pending."""
    product_code: str | None
    """Its OCOP product code when the product is already recognised (a re-rating, an upgrade)."""


@dataclass(frozen=True)
class RequestLetter(Content):
    """The content of one request letter, covering the dossiers submitted under it."""

    lang: str
    letterhead: Letterhead
    letter_number: str
    letter_date: date
    round: int | None
    round_year: int | None
    addressee: str
    """``Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa.``"""
    intro: str
    columns: tuple[str, ...]
    items: tuple[LetterItem, ...]
    enclosures_heading: str
    enclosures: tuple[str, ...]
    closing: str
    signature: Signature
    recipients_heading: str
    recipients: tuple[str, ...]


def build_request_letter(
    dossiers: Sequence[Dossier],
    *,
    lang: str = "vi",
    signer: Signer | None = None,
    addressee: str | None = None,
) -> RequestLetter:
    """The letter the ``dossiers`` were submitted under; they must share its number and date.

    :class:`InvalidInput` when one has no submission yet, when they were submitted under
    different letters, or come from different communes.
    """
    if not dossiers:
        raise InvalidInput.said(N_("Văn bản đề nghị cần ít nhất một hồ sơ."), field="dossiers")
    unsent = [d.id for d in dossiers if d.submission is None]
    if unsent:
        raise InvalidInput.said(
            N_(
                "Hồ sơ {ids} chưa gửi tỉnh: chạy `submit` với số và ngày của văn bản đề nghị trước."
            ),
            field="submission",
            ids=", ".join(map(str, unsent)),
        )
    letters: dict[tuple[str, date], list[int]] = {}
    for d in dossiers:
        assert d.submission is not None
        key = (nfc(d.submission.letter_number), d.submission.letter_date)
        letters.setdefault(key, []).append(d.id)
    if len(letters) > 1:
        told = [
            _Phrase(
                N_("{number} ngày {day:%d/%m/%Y} (hồ sơ {ids})"),
                {"number": number, "day": day, "ids": ", ".join(map(str, ids))},
            )
            for (number, day), ids in letters.items()
        ]
        raise InvalidInput.said(
            N_(
                "Các hồ sơ này được gửi bằng những văn bản đề nghị khác nhau: {told}; lập mỗi "
                "văn bản một lần."
            ),
            field="submission",
            told=_Phrase.joined(told),
        )
    areas = {(d.commune, d.province) for d in dossiers}
    if len(areas) > 1:
        raise InvalidInput.said(
            N_("Văn bản đề nghị là của một xã; các hồ sơ này thuộc {areas}."),
            field="commune",
            areas=", ".join(sorted(f"{c} ({p})" for c, p in areas)),
        )
    (number, day), _ = next(iter(letters.items()))
    first = dossiers[0]
    assert first.submission is not None
    commune, province = first.commune, first.province
    year = first.submission.round_year or day.year
    items = []
    for n, d in enumerate(dossiers, start=1):
        e = d.evaluation
        report = "—"
        if e is not None and (e.report_number or e.report_date):
            when = (
                translate(lang, "ngày {day:%d/%m/%Y}", day=e.report_date) if e.report_date else ""
            )
            report = " ".join(x for x in (e.report_number, when) if x)
        known = PRODUCT_SETS.get(d.product_set)
        items.append(
            LetterItem(
                number=n,
                dossier_id=d.id,
                product_name=d.product_name,
                producer_name=d.producer.name,
                product_set=d.product_set,
                product_set_name=known.name if known else str(d.product_set),
                kind=d.kind.label(lang),
                report=report,
                samples=d.samples,
                form_number=d.form_number,
                product_code=d.product_code,
            )
        )
    count = len(items)
    products = translate(lang, "{count:02d} sản phẩm", count=count)
    submission = first.submission
    round_text = ""
    if submission.round:
        round_text = translate(
            lang,
            " trong đợt {round} năm {value}",
            round=submission.round,
            value=submission.round_year or year,
        )
    # The law names the province committee; its OCOP office receives (Điều 7.3.a).
    to = addressee or translate(lang, "Ủy ban nhân dân tỉnh {province}", province=province)
    return RequestLetter(
        lang=lang,
        letterhead=letterhead(
            commune,
            lang=lang,
            number=number,
            symbol="UBND",
            day=day,
            subject=translate(
                lang, "V/v đề nghị đánh giá, phân hạng sản phẩm OCOP năm {year}", year=year
            ),
        ),
        letter_number=number,
        letter_date=day,
        round=submission.round,
        round_year=submission.round_year,
        addressee=translate(lang, "Kính gửi: {to}.", to=to),
        intro=translate(
            lang,
            "Ủy ban nhân dân xã {commune} đã tiếp nhận, kiểm tra thành phần hồ sơ "
            "và đánh giá một số nội dung của hồ sơ sản phẩm đăng ký tham gia đánh "
            "giá, phân hạng sản phẩm OCOP. Ủy ban nhân dân xã {commune} đề nghị Ủy "
            "ban nhân dân tỉnh {province} đánh giá, phân hạng "
            "{products}{round_text}, cụ thể như sau:",
            commune=commune,
            province=province,
            products=products,
            round_text=round_text,
        ),
        columns=(
            translate(lang, "STT"),
            translate(lang, "Tên sản phẩm"),
            translate(lang, "Chủ thể"),
            translate(lang, "Bộ sản phẩm"),
            translate(lang, "Hình thức"),
            translate(lang, "Số phiếu đăng ký"),
            translate(lang, "Báo cáo Mẫu 03"),
            translate(lang, "Số hồ sơ"),
        ),
        items=tuple(items),
        enclosures_heading=translate(lang, "Hồ sơ gửi kèm gồm:"),
        # 26/2026 Điều 6.2 b–d.
        enclosures=(
            translate(lang, "- Báo cáo đánh giá của UBND xã theo Mẫu số 03 cho từng sản phẩm;"),
            translate(lang, "- Hồ sơ sản phẩm (01 bộ hồ sơ giấy và 01 bộ hồ sơ điện tử);"),
            translate(
                lang,
                "- 05 sản phẩm mẫu cho mỗi sản phẩm (trừ nhóm dịch vụ du lịch cộng "
                "đồng, du lịch sinh thái và điểm du lịch).",
            ),
        ),
        closing=translate(
            lang,
            "Ủy ban nhân dân xã {commune} kính đề nghị Ủy ban nhân dân tỉnh "
            "{province} quan tâm, xem xét./.",
            commune=commune,
            province=province,
        ),
        signature=signature(signer or Signer(), lang=lang),
        recipients_heading=translate(lang, "Nơi nhận:"),
        recipients=(
            translate(lang, "- Như trên;"),
            translate(lang, "- Lưu: VT."),
        ),
    )
