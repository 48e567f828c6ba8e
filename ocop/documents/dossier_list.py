"""A list of dossiers as content: one row per dossier with its Mẫu 03, letter, rating and
certificate, for a spreadsheet (``ocop report dossiers -o FILE.xlsx``) or a host."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ocop.documents.common import Content, translate
from ocop.models import Dossier, Rating
from ocop.states.vocabulary import DueKind, label
from ocop.text import N_
from ocop.workdays import local_date

__all__ = ["DossierList", "DossierRow", "build_dossier_list"]


@dataclass(frozen=True)
class DossierRow(Content):
    """One dossier, flattened: each value a cell."""

    id: int
    product_name: str
    producer: str
    commune: str
    province: str
    product_set: int
    kind: str
    state: str
    state_label: str
    cycle: int
    rule_set: str
    registered_on: date
    form_number: str | None
    """Mẫu 01's "Phiếu số …/PĐK-…" of this cycle, if given (ocop.workflow.numbers)."""
    report_number: str | None
    report_date: date | None
    letter_number: str | None
    letter_date: date | None
    round: str | None
    score: float | None
    stars: int | None
    stars_note: str | None
    """Why the stars are what they are: the sheets averaged, the starred minimums that capped
    the band, the proposal to the Ministry."""
    certificate_number: str | None
    product_code: str | None
    """The OCOP product code (T)-(X)-(STT)-(Năm), once recognised."""
    issued_on: date | None
    expires_on: date | None
    next_due_on: date | None
    next_due: str | None


@dataclass(frozen=True)
class DossierList(Content):
    """Dossiers as rows, with the column names in the report's language."""

    lang: str
    title: str
    as_of: date
    columns: tuple[str, ...]
    """One name per field of :class:`DossierRow`, in order."""
    rows: tuple[DossierRow, ...]


_COLUMNS: tuple[str, ...] = (
    N_("Số hồ sơ"),
    N_("Sản phẩm"),
    N_("Chủ thể"),
    N_("Xã"),
    N_("Tỉnh"),
    N_("Bộ sản phẩm"),
    N_("Hình thức"),
    N_("Mã trạng thái"),
    N_("Trạng thái"),
    N_("Chu kỳ"),
    N_("Quy định"),
    N_("Ngày nộp"),
    N_("Số phiếu đăng ký"),
    N_("Số Mẫu 03"),
    N_("Ngày Mẫu 03"),
    N_("Số văn bản đề nghị"),
    N_("Ngày văn bản"),
    N_("Đợt"),
    N_("Điểm"),
    N_("Hạng sao"),
    N_("Ghi chú hạng sao"),
    N_("Số GCN"),
    N_("Mã sản phẩm OCOP"),
    N_("Ngày cấp"),
    N_("Ngày hết hạn"),
    N_("Hạn tiếp theo"),
    N_("Việc đến hạn"),
)


def _column(column: str, lang: str) -> str:
    return translate(lang, column)


def _stars_note(r: Rating | None, lang: str) -> str | None:
    if r is None:
        return None
    notes = []
    if r.sheets:
        notes.append(translate(lang, "trung bình {count} phiếu", count=len(r.sheets)))
    if r.band_stars is not None and r.stars < r.band_stars:
        notes.append(
            translate(
                lang,
                "theo điểm {band}★, tiêu chí bắt buộc chỉ đạt {met}★",
                band=r.band_stars,
                met=r.minimum_stars_met,
            )
        )
    if r.proposed_on is not None:
        if r.central_round:
            proposed = translate(
                lang,
                "đề nghị Trung ương ngày {day:%d/%m/%Y}, đợt {round}/{year}",
                day=r.proposed_on,
                round=r.central_round,
                year=r.central_round_year,
            )
        else:
            proposed = translate(lang, "đề nghị Trung ương ngày {day:%d/%m/%Y}", day=r.proposed_on)
        notes.append(proposed)
    return "; ".join(notes) or None


def build_dossier_list(
    dossiers: Sequence[Dossier], *, as_of: date, lang: str = "vi", title: str | None = None
) -> DossierList:
    """The rows of ``dossiers``, in the order given."""
    rows = []
    for d in dossiers:
        e, s, r, c = d.evaluation, d.submission, d.rating, d.certificate
        rows.append(
            DossierRow(
                id=d.id,
                product_name=d.product_name,
                producer=d.producer.name,
                commune=d.commune,
                province=d.province,
                product_set=d.product_set,
                kind=d.kind.label(lang),
                state=d.state.value,
                state_label=d.state.label(lang),
                cycle=d.cycle,
                rule_set=d.rule_set,
                registered_on=local_date(d.registered_at),
                form_number=d.form_number,
                report_number=e.report_number if e else None,
                report_date=e.report_date if e else None,
                letter_number=s.letter_number if s else None,
                letter_date=s.letter_date if s else None,
                round=f"{s.round}/{s.round_year}" if s and s.round else None,
                score=r.total if r else None,
                stars=r.stars if r else None,
                stars_note=_stars_note(r, lang),
                certificate_number=c.number if c else None,
                product_code=d.product_code,
                issued_on=c.issued_on if c else None,
                expires_on=c.expires_on if c else None,
                next_due_on=d.next_due_on,
                next_due=label(DueKind, d.next_due, lang) if d.next_due else None,
            )
        )
    return DossierList(
        lang=lang,
        title=title or translate(lang, "DANH SÁCH HỒ SƠ SẢN PHẨM OCOP"),
        as_of=as_of,
        columns=tuple(_column(column, lang) for column in _COLUMNS),
        rows=tuple(rows),
    )
