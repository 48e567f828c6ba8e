"""Mẫu số 03: the commune's report on four points of a product dossier, as content.

The form is Mẫu số 03 of Phụ lục III to QĐ 26/2026/QĐ-TTg ("Báo cáo đánh giá một số nội dung
của hồ sơ đăng ký tham gia đánh giá, phân hạng sản phẩm OCOP"). Its headings below are copied
from the only full text found, a third-party transcript (OCOP-RULES.md [S20]; confirm against
the gazette). Under 148/1489 the seed plan calls the same paper "Báo cáo đánh giá của UBND cấp
xã" on the same four criteria, without a published form; the 26/2026 layout is used for both.

The form asks for the producer's type of organisation, the representative's gender, ethnicity
and permanent address, which Mẫu 01 as stored does not carry: those lines are left as dots to
fill by hand, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ocop.documents.common import (
    Content,
    Field,
    Letterhead,
    Signature,
    Signer,
    letterhead,
    signature,
    translate,
)
from ocop.errors import InvalidInput
from ocop.models import Dossier
from ocop.text import N_

__all__ = ["CRITERIA_HEADINGS", "Assessment", "Mau03", "build_mau03"]

# Per commune criterion: its heading and the form's guidance in brackets, in Vietnamese (the
# catalogue's ids; :func:`build_mau03` translates them).
CRITERIA_HEADINGS: dict[str, tuple[str, str]] = {
    "local_materials": (
        N_("Về sử dụng nguyên liệu địa phương"),
        N_(
            "Nội dung thể hiện rõ mô tả của chủ thể và đánh giá về tình hình sử dụng nguyên "
            "liệu thực tế của chủ thể trên địa bàn xã"
        ),
    ),
    "local_labour": (
        N_("Về sử dụng lao động địa phương"),
        N_(
            "Nội dung thể hiện rõ mô tả của chủ thể và đánh giá về tình hình sử dụng thực "
            "tế về lao động địa phương của chủ thể trên địa bàn xã"
        ),
    ),
    "idea_origin": (
        N_("Nguồn gốc ý tưởng sản phẩm"),
        N_(
            "Nhận xét về nguồn gốc sản phẩm (truyền thống, sản phẩm mới) của chủ thể dựa "
            "trên thực tế của địa phương"
        ),
    ),
    "local_identity": (
        N_("Bản sắc/trí tuệ địa phương"),
        N_(
            "Đánh giá các giá trị văn hóa, tri thức bản địa (giống, nguyên liệu, điều kiện "
            "sản xuất), kinh nghiệm sản xuất của cộng đồng và phương thức sản xuất đặc "
            "trưng của địa phương, tạo nên sự khác biệt của sản phẩm"
        ),
    ),
}


@dataclass(frozen=True)
class Assessment(Content):
    """One of the four assessments of part II."""

    criterion: str
    """The rule set's name of the criterion: ``local_materials`` …"""
    heading: str
    guidance: str
    text: str
    """What the commune wrote (``evaluate``)."""


@dataclass(frozen=True)
class Mau03(Content):
    """The content of one Mẫu 03 report, for one dossier."""

    lang: str
    form: str
    """``Mẫu số 03``."""
    letterhead: Letterhead
    title: str
    subtitle: str
    dossier_id: int
    product_name: str
    producer_name: str
    general_heading: str
    general: tuple[Field, ...]
    """Part I, in the form's order; values the record lacks are ``None``."""
    assessments_heading: str
    assessments: tuple[Assessment, ...]
    proposal: str
    """The closing request to the province."""
    signature: Signature
    """Mẫu 03 prints no "Nơi nhận": the form closes with the signature."""
    report_number: str | None
    report_date: date | None
    rule_set: str


def build_mau03(
    dossier: Dossier,
    *,
    lang: str = "vi",
    signer: Signer | None = None,
    criteria_order: Sequence[str] | None = None,
) -> Mau03:
    """Mẫu 03 of ``dossier`` from its commune evaluation; :class:`InvalidInput` without one."""
    evaluation = dossier.evaluation
    if evaluation is None:
        raise InvalidInput.said(
            N_("Hồ sơ {id} chưa có đánh giá của xã: chạy `evaluate` trước."),
            field="evaluation",
            id=dossier.id,
        )
    p = dossier.producer
    representative = p.legal_representative
    if representative and p.title:
        representative = f"{representative} ({p.title})"
    general = (
        Field(translate(lang, "1. Tên chủ thể"), p.name),
        Field(translate(lang, "2. Loại hình tổ chức"), None),
        Field(translate(lang, "3. Địa chỉ"), p.address),
        Field(translate(lang, "4. Tên người đại diện pháp luật"), None),
        Field(translate(lang, "- Họ tên"), representative),
        Field(translate(lang, "- Giới tính (Nam/nữ); Dân tộc"), None),
        Field(translate(lang, "- Địa chỉ thường trú"), None),
        Field(translate(lang, "5. Sản phẩm đăng ký đánh giá"), dossier.product_name),
    )
    order = list(criteria_order or CRITERIA_HEADINGS)
    order += [name for name in evaluation.criteria if name not in order]
    assessments = []
    for n, name in enumerate((c for c in order if c in evaluation.criteria), start=1):
        known = CRITERIA_HEADINGS.get(name)
        heading, guidance = (
            (translate(lang, known[0]), translate(lang, known[1])) if known else (name, "")
        )
        assessments.append(Assessment(name, f"{n}. {heading}", guidance, evaluation.criteria[name]))
    commune, province = dossier.commune, dossier.province
    proposal = translate(
        lang,
        "Ủy ban nhân dân xã {commune} đề nghị Ủy ban nhân dân tỉnh {province} "
        "đánh giá, phân hạng sản phẩm OCOP cho sản phẩm {product_name} của "
        "{name}.",
        commune=commune,
        province=province,
        product_name=dossier.product_name,
        name=p.name,
    )
    return Mau03(
        lang=lang,
        form=translate(lang, "Mẫu số 03"),
        letterhead=letterhead(
            commune,
            lang=lang,
            number=evaluation.report_number,
            symbol="BC-UBND",
            day=evaluation.report_date,
        ),
        title=translate(lang, "BÁO CÁO"),
        subtitle=translate(
            lang,
            "Đánh giá một số nội dung của hồ sơ đăng ký tham gia đánh giá, phân hạng sản phẩm OCOP",
        ),
        dossier_id=dossier.id,
        product_name=dossier.product_name,
        producer_name=p.name,
        general_heading=translate(lang, "I. THÔNG TIN CHUNG VỀ HỒ SƠ SẢN PHẨM"),
        general=general,
        assessments_heading=translate(lang, "II. ĐÁNH GIÁ MỘT SỐ NỘI DUNG CỦA HỒ SƠ SẢN PHẨM"),
        assessments=tuple(assessments),
        proposal=proposal,
        signature=signature(signer or Signer(), lang=lang),
        report_number=evaluation.report_number,
        report_date=evaluation.report_date,
        rule_set=dossier.rule_set,
    )
