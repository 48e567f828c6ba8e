"""The plan's progress report, as content: the plan's targets against where the dossiers stand.

The seed plan asks the economic office to "thường xuyên theo dõi, kiểm tra, đánh giá tình hình
thực hiện Chương trình để tổng hợp báo cáo Đảng ủy, Văn phòng Điều phối Chương trình xây dựng
NTM tỉnh theo định kỳ hoặc khi có yêu cầu" (Mục V.1). No form exists for it (OCOP-RULES.md §7:
the commune's periodic reporting duties are NOT FOUND), so the headings are plain ones.

What counts, stated once:

- a product to **re-recognise** is matched to the commune's dossiers by its name (without
  diacritics or case); it is re-recognised when its dossier holds a certificate of at least
  the target's stars issued in the plan's year, on or before the report's day;
- a product **newly recognised** is any other dossier of the commune whose cycle is a first
  rating and whose certificate of at least the target's stars was issued in the plan's year;
  the others of those registered that year are still on the way;
- the report's day (``as_of``) decides which events were held and what falls in the next
  days; the dossiers are shown as they stand in the database when the report is made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ocop.documents.chart import Chart, ChartBar, ChartPanel
from ocop.documents.common import (
    Content,
    Letterhead,
    Signature,
    Signer,
    letterhead,
    signature,
    translate,
)
from ocop.models import Dossier, fold
from ocop.plan import Plan
from ocop.states import CERTIFIED, IN_CYCLE, Kind, State
from ocop.states.vocabulary import DueKind, label
from ocop.text import written_day
from ocop.workdays import Calendar, local_date

__all__ = [
    "DueItem",
    "EventItem",
    "ProductProgress",
    "ProgressReport",
    "StateCount",
    "TargetProgress",
    "build_progress_report",
]

HORIZON_DAYS = 30
"""How far ahead "coming up" looks."""


@dataclass(frozen=True)
class ProductProgress(Content):
    """One product of a target, and where its dossier stands."""

    product_name: str
    dossier_id: int | None
    """``None``: the commune has no dossier for it yet."""
    state: str | None
    state_label: str
    kind: str | None
    certificate_number: str | None
    stars: int | None
    score: float | None
    """The council's total (its average of the members' sheets), unrounded; ``None`` unrated."""
    issued_on: date | None
    expires_on: date | None
    next_due_on: date | None
    next_due: str | None
    """What falls due then, in words."""
    overdue: bool
    achieved: bool


@dataclass(frozen=True)
class TargetProgress(Content):
    """A target of the plan: how many it aims for, how many are reached, which products."""

    key: str
    """``rerecognise`` or ``new``."""
    label: str
    stars: int
    target: int
    achieved: int
    in_progress: int
    products: tuple[ProductProgress, ...]


@dataclass(frozen=True)
class StateCount(Content):
    """How many of the commune's dossiers are in a state."""

    state: str
    label: str
    count: int


@dataclass(frozen=True)
class DueItem(Content):
    """Something dated: a dossier's next date, a certificate's expiry, an event."""

    on: date
    what: str
    dossier_id: int | None = None
    product_name: str | None = None


@dataclass(frozen=True)
class EventItem(Content):
    """A conference or a monthly meeting of the plan."""

    kind: str
    """``event`` or ``meeting``."""
    id: str
    name: str
    on: date
    place: str | None
    held: bool
    illustrative: bool


@dataclass(frozen=True)
class ProgressReport(Content):
    """The content of the plan's progress report on ``as_of``."""

    lang: str
    letterhead: Letterhead
    title: str
    subtitle: str
    commune: str
    province: str
    year: int
    as_of: date
    plan_title: str | None
    evaluation_window: str | None
    """The commune's evaluation window and whether it is open, in words."""
    summary: tuple[str, ...]
    """One sentence per target: "Công nhận lại 1/3 sản phẩm OCOP 3 sao; …"."""
    targets: tuple[TargetProgress, ...]
    by_state: tuple[StateCount, ...]
    overdue: tuple[DueItem, ...]
    coming: tuple[DueItem, ...]
    """Dossier dates, certificate expiries and events in the next :data:`HORIZON_DAYS`."""
    expiring: tuple[DueItem, ...]
    """Certificates of the commune expiring within the plan's first certificate reminder."""
    events: tuple[EventItem, ...]
    meetings_held: int
    meetings_total: int
    next_meeting: EventItem | None
    headings: dict[str, str]
    """The section headings and column names the renderers print."""
    signature: Signature
    recipients_heading: str
    recipients: tuple[str, ...]
    chart: Chart
    """Dossiers by state and targets against achieved: the numbers above, to draw."""


def _due_words(kind: str | None, lang: str) -> str | None:
    return label(DueKind, kind, lang) if kind else None


def _product(
    name: str, dossier: Dossier | None, stars: int, year: int, as_of: date, lang: str
) -> ProductProgress:
    if dossier is None:
        return ProductProgress(
            product_name=name,
            dossier_id=None,
            state=None,
            state_label=translate(lang, "chưa có hồ sơ"),
            kind=None,
            certificate_number=None,
            stars=None,
            score=None,
            issued_on=None,
            expires_on=None,
            next_due_on=None,
            next_due=None,
            overdue=False,
            achieved=False,
        )
    cert = dossier.certificate
    return ProductProgress(
        product_name=dossier.product_name,
        dossier_id=dossier.id,
        state=dossier.state.value,
        state_label=dossier.state.label(lang),
        kind=dossier.kind.label(lang),
        certificate_number=cert.number if cert else None,
        stars=cert.stars if cert else None,
        score=dossier.rating.total if dossier.rating else None,
        issued_on=cert.issued_on if cert else None,
        expires_on=cert.expires_on if cert else None,
        next_due_on=dossier.next_due_on,
        next_due=_due_words(dossier.next_due, lang),
        overdue=dossier.next_due_on is not None and dossier.next_due_on < as_of,
        achieved=_recognised(dossier, stars, year, as_of),
    )


def _recognised(dossier: Dossier, stars: int, year: int, as_of: date) -> bool:
    """Certified this year with at least ``stars``, by ``as_of``."""
    cert = dossier.certificate
    return (
        dossier.state in CERTIFIED
        and cert is not None
        and cert.revoked_on is None
        and cert.stars >= stars
        and cert.issued_on.year == year
        and cert.issued_on <= as_of
    )


def _chart(targets: Sequence[TargetProgress], by_state: Sequence[StateCount], lang: str) -> Chart:
    """The chart of the report: the counts of :attr:`ProgressReport.by_state` and the targets'
    aims, achievements and work in progress, with their words in ``lang``."""
    aim = translate(lang, "Chỉ tiêu")
    achieved = translate(lang, "Đạt")
    ongoing = translate(lang, "Đang thực hiện")
    states = ChartPanel(
        title=translate(lang, "Hồ sơ theo trạng thái"),
        series=(translate(lang, "Số lượng hồ sơ"),),
        bars=tuple(ChartBar(s.label, (s.count,)) for s in by_state),
        empty=translate(lang, "Chưa có hồ sơ."),
    )
    aims = ChartPanel(
        title=translate(lang, "Mục tiêu và kết quả"),
        series=(aim, achieved, ongoing),
        bars=tuple(ChartBar(tp.label, (tp.target, tp.achieved, tp.in_progress)) for tp in targets),
        empty=translate(lang, "Kế hoạch không có mục tiêu."),
    )
    in_words = "; ".join(f"{s.label} {s.count}" for s in by_state) or states.empty
    aims_in_words = "; ".join(
        f"{tp.label}: {aim.lower()} {tp.target}, {achieved.lower()} {tp.achieved}, "
        f"{ongoing.lower()} {tp.in_progress}"
        for tp in targets
    )
    return Chart(
        caption=translate(lang, "Biểu đồ: hồ sơ theo trạng thái; mục tiêu và kết quả thực hiện"),
        description=f"{states.title}: {in_words}. {aims.title}: {aims_in_words or aims.empty}.",
        panels=(states, aims),
    )


def _latest(dossiers: Iterable[Dossier]) -> Dossier | None:
    found = sorted(dossiers, key=lambda d: (d.state is not State.WITHDRAWN, d.id))
    return found[-1] if found else None


def build_progress_report(
    plan: Plan,
    dossiers: Sequence[Dossier],
    *,
    as_of: date,
    calendar: Calendar | None = None,
    lang: str = "vi",
    signer: Signer | None = None,
    number: str | None = None,
) -> ProgressReport:
    """The progress of ``plan`` on ``as_of`` from the commune's ``dossiers``.

    Dossiers of other communes are left out. ``signer`` defaults to the plan's ``signed_by``.
    """
    calendar = calendar or Calendar()
    year = plan.year
    mine = [
        d
        for d in dossiers
        if fold(d.commune) == fold(plan.commune) and fold(d.province) == fold(plan.province)
    ]
    targets: list[TargetProgress] = []
    named: set[int] = set()
    rer = plan.targets.rerecognise
    if rer:
        products = []
        for target in rer:
            matches = [d for d in mine if fold(d.product_name) == fold(target.product)]
            named.update(d.id for d in matches)
            products.append(
                _product(target.product, _latest(matches), target.stars, year, as_of, lang)
            )
        stars = min(target.stars for target in rer)
        targets.append(
            TargetProgress(
                key="rerecognise",
                label=translate(lang, "Công nhận lại sản phẩm OCOP {stars} sao", stars=stars),
                stars=stars,
                target=len(rer),
                achieved=sum(p.achieved for p in products),
                in_progress=sum(
                    p.state is not None and State(p.state) in IN_CYCLE for p in products
                ),
                products=tuple(products),
            )
        )
    new = plan.targets.new
    if new is not None:
        candidates = [
            d
            for d in mine
            if d.id not in named
            and d.kind is Kind.FIRST
            and (
                local_date(d.registered_at).year == year
                or (d.certificate is not None and d.certificate.issued_on.year == year)
            )
        ]
        products = [
            _product(d.product_name, d, new.stars, year, as_of, lang)
            for d in sorted(candidates, key=lambda d: d.id)
        ]
        targets.append(
            TargetProgress(
                key="new",
                label=translate(lang, "Công nhận mới sản phẩm OCOP {stars} sao", stars=new.stars),
                stars=new.stars,
                target=new.count,
                achieved=sum(p.achieved for p in products),
                in_progress=sum(
                    p.state is not None and State(p.state) in IN_CYCLE for p in products
                ),
                products=tuple(products),
            )
        )
    summary = tuple(
        translate(
            lang,
            "{label}: đạt {achieved}/{target}; đang thực hiện {in_progress}.",
            label=tp.label,
            achieved=tp.achieved,
            target=tp.target,
            in_progress=tp.in_progress,
        )
        for tp in targets
    )
    counts = Counter(d.state for d in mine)
    by_state = tuple(StateCount(s.value, s.label(lang), counts[s]) for s in State if counts.get(s))
    horizon = as_of + timedelta(days=HORIZON_DAYS)
    overdue = tuple(
        DueItem(d.next_due_on, _due_words(d.next_due, lang) or "", d.id, d.product_name)
        for d in sorted(mine, key=lambda d: (d.next_due_on or as_of, d.id))
        if d.next_due_on is not None
        and d.next_due_on < as_of
        and d.next_due != DueKind.CERTIFICATE_LAPSES
    )
    events = tuple(
        EventItem("event", e.id, e.name, e.date, e.place, e.date < as_of, e.illustrative)
        for e in sorted(plan.events, key=lambda e: e.date)
    )
    meeting_days = sorted((day, m) for m in plan.meetings for day in m.occurrences(year, calendar))
    held = [pair for pair in meeting_days if pair[0] < as_of]
    later = [pair for pair in meeting_days if pair[0] >= as_of]
    next_meeting = None
    if later:
        day, m = later[0]
        next_meeting = EventItem("meeting", m.id, m.name, day, m.place, False, m.illustrative)
    coming: list[DueItem] = [
        DueItem(d.next_due_on, _due_words(d.next_due, lang) or "", d.id, d.product_name)
        for d in mine
        if d.next_due_on is not None and as_of <= d.next_due_on <= horizon
    ]
    coming += [DueItem(e.on, e.name) for e in events if as_of <= e.on <= horizon]
    coming += [DueItem(day, m.name) for day, m in later if day <= horizon]
    window_text = None
    window = plan.evaluation
    if window is not None:
        if as_of < window.opens:
            status = translate(lang, "chưa đến")
        elif as_of <= window.closes:
            status = translate(lang, "đang diễn ra")
        else:
            status = translate(lang, "đã kết thúc")
        window_text = translate(
            lang,
            "Đợt đánh giá của xã: từ {opens} đến {closes} ({status}).",
            opens=written_day(window.opens, lang),
            closes=written_day(window.closes, lang),
            status=status,
        )
        for day, what in (
            (window.opens, translate(lang, "mở đợt đánh giá của xã")),
            (window.closes, translate(lang, "kết thúc đợt đánh giá của xã")),
        ):
            if as_of <= day <= horizon:
                coming.append(DueItem(day, what))
    lead = max(plan.reminders.certificate, default=180)
    expiring = tuple(
        DueItem(
            d.certificate.expires_on,
            translate(
                lang,
                "GCN số {number} ({stars} sao) hết hạn",
                number=d.certificate.number,
                stars=d.certificate.stars,
            ),
            d.id,
            d.product_name,
        )
        for d in sorted(mine, key=lambda d: d.id)
        if d.certificate is not None
        and d.certificate.revoked_on is None
        and d.state in CERTIFIED
        and as_of <= d.certificate.expires_on <= as_of + timedelta(days=lead)
    )
    headings = {
        "targets": translate(lang, "I. KẾT QUẢ THỰC HIỆN MỤC TIÊU"),
        "products": translate(lang, "Tình hình từng sản phẩm"),
        "states": translate(lang, "II. HỒ SƠ THEO TRẠNG THÁI"),
        "dates": translate(lang, "III. VIỆC QUÁ HẠN VÀ SẮP ĐẾN"),
        "overdue": translate(lang, "Quá hạn"),
        "coming": translate(lang, "Trong {horizon_days} ngày tới", horizon_days=HORIZON_DAYS),
        "expiring": translate(lang, "Giấy chứng nhận sắp hết hạn"),
        "events": translate(lang, "IV. HỘI NGHỊ VÀ GIAO BAN"),
        "none": translate(lang, "Không có."),
        "col_no": translate(lang, "STT"),
        "col_product": translate(lang, "Sản phẩm"),
        "col_dossier": translate(lang, "Số hồ sơ"),
        "col_state": translate(lang, "Trạng thái"),
        "col_certificate": translate(lang, "Giấy chứng nhận"),
        "col_expires": translate(lang, "Hết hạn"),
        "col_score": translate(lang, "Điểm"),
        "points": translate(lang, "{score} điểm"),
        "col_next": translate(lang, "Hạn tiếp theo"),
        "col_achieved": translate(lang, "Đạt"),
        "col_aim": translate(lang, "Chỉ tiêu"),
        "col_target": translate(lang, "Mục tiêu"),
        "col_in_progress": translate(lang, "Đang thực hiện"),
        "col_count": translate(lang, "Số lượng hồ sơ"),
        "col_date": translate(lang, "Ngày"),
        "col_what": translate(lang, "Nội dung"),
        "col_event": translate(lang, "Hội nghị"),
        "col_place": translate(lang, "Địa điểm"),
        "col_status": translate(lang, "Tình hình"),
        "held": translate(lang, "đã tổ chức"),
        "planned": translate(lang, "sắp tới"),
        "yes": translate(lang, "có"),
        "no": translate(lang, "chưa"),
        "illustrative": translate(lang, "(ngày minh họa)"),
        "meetings": translate(
            lang,
            "Giao ban hằng tháng: đã họp {held_count}/{meeting_days_count} kỳ",
            held_count=len(held),
            meeting_days_count=len(meeting_days),
        ),
        "next_meeting": translate(lang, "Kỳ giao ban tiếp theo"),
    }
    return ProgressReport(
        lang=lang,
        letterhead=letterhead(plan.commune, lang=lang, number=number, symbol="BC-UBND", day=as_of),
        title=translate(lang, "BÁO CÁO"),
        subtitle=translate(
            lang,
            "Tình hình thực hiện Kế hoạch Chương trình mỗi xã một sản phẩm (OCOP) "
            "năm {year} trên địa bàn xã {commune} (đến ngày {as_of})",
            year=year,
            commune=plan.commune,
            as_of=as_of.strftime("%d/%m/%Y") if lang == "vi" else as_of.isoformat(),
        ),
        commune=plan.commune,
        province=plan.province,
        year=year,
        as_of=as_of,
        plan_title=plan.title,
        evaluation_window=window_text,
        summary=summary,
        targets=tuple(targets),
        by_state=by_state,
        overdue=overdue,
        coming=tuple(sorted(coming, key=lambda item: (item.on, item.what))),
        expiring=expiring,
        events=events,
        meetings_held=len(held),
        meetings_total=len(meeting_days),
        next_meeting=next_meeting,
        headings=headings,
        signature=signature(signer or Signer.from_text(plan.signed_by), lang=lang),
        recipients_heading=translate(lang, "Nơi nhận:"),
        # Whom the seed plan reports to (Mục V.1).
        recipients=(
            translate(lang, "- Đảng ủy xã (báo cáo);"),
            translate(lang, "- Văn phòng Điều phối Chương trình xây dựng NTM tỉnh (báo cáo);"),
            translate(lang, "- Lưu: VT."),
        ),
        chart=_chart(targets, by_state, lang),
    )
