"""A list of dossiers as content: one row per dossier with its Mẫu 03, letter, rating and
certificate, for a spreadsheet (``ocop report dossiers -o FILE.xlsx``) or a host."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ocop.documents.common import Content, t
from ocop.models import Dossier
from ocop.states.vocabulary import DueKind, label
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
    report_number: str | None
    report_date: date | None
    letter_number: str | None
    letter_date: date | None
    round: str | None
    score: float | None
    stars: int | None
    certificate_number: str | None
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


_COLUMNS = (
    ("Số hồ sơ", "Dossier"),
    ("Sản phẩm", "Product"),
    ("Chủ thể", "Producer"),
    ("Xã", "Commune"),
    ("Tỉnh", "Province"),
    ("Bộ sản phẩm", "Product set"),
    ("Hình thức", "Kind"),
    ("Mã trạng thái", "State code"),
    ("Trạng thái", "State"),
    ("Chu kỳ", "Cycle"),
    ("Quy định", "Rule set"),
    ("Ngày nộp", "Filed on"),
    ("Số Mẫu 03", "Form 03 number"),
    ("Ngày Mẫu 03", "Form 03 date"),
    ("Số văn bản đề nghị", "Letter number"),
    ("Ngày văn bản", "Letter date"),
    ("Đợt", "Round"),
    ("Điểm", "Score"),
    ("Hạng sao", "Stars"),
    ("Số GCN", "Certificate"),
    ("Ngày cấp", "Issued on"),
    ("Ngày hết hạn", "Expires on"),
    ("Hạn tiếp theo", "Next date"),
    ("Việc đến hạn", "Due"),
)


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
                report_number=e.report_number if e else None,
                report_date=e.report_date if e else None,
                letter_number=s.letter_number if s else None,
                letter_date=s.letter_date if s else None,
                round=f"{s.round}/{s.round_year}" if s and s.round else None,
                score=r.total if r else None,
                stars=r.stars if r else None,
                certificate_number=c.number if c else None,
                issued_on=c.issued_on if c else None,
                expires_on=c.expires_on if c else None,
                next_due_on=d.next_due_on,
                next_due=label(DueKind, d.next_due, lang) if d.next_due else None,
            )
        )
    return DossierList(
        lang=lang,
        title=title or t(lang, "DANH SÁCH HỒ SƠ SẢN PHẨM OCOP", "OCOP PRODUCT DOSSIERS"),
        as_of=as_of,
        columns=tuple(t(lang, vi, en) for vi, en in _COLUMNS),
        rows=tuple(rows),
    )
