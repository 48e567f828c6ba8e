"""The law as versioned data: one :class:`RuleSet` per legal regime.

A dossier records the id of the rule set it was filed under, so a change of law never rewrites
the rules of a cycle already running. Values the sources do not give (OCOP-RULES.md's NOT FOUND)
are ``None`` here and can be set by a deployment with :meth:`RuleSet.replace`; none is invented.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from ocop.errors import InvalidInput
from ocop.states.lifecycle import Role
from ocop.text import N_

__all__ = [
    "QD26_2026",
    "QD148_1489",
    "RULE_SETS",
    "Deadline",
    "RoundCutoff",
    "RuleSet",
    "StarBand",
    "first_day",
    "next_round",
    "periods",
    "rule_set",
    "rule_set_for",
]

Unit = Literal["working_days", "days", "months"]
Step = Literal["commune", "province_first", "province_rerating", "central_rerating", "revocation"]


@dataclass(frozen=True)
class Deadline:
    """A time limit: ``amount`` of ``unit`` (working days, calendar days or months)."""

    amount: int
    unit: Unit


@dataclass(frozen=True)
class StarBand:
    """Stars for a council average in the half-open interval ``[low, high)``."""

    stars: int
    low: float
    high: float | None  # None: up to and including the maximum score

    def contains(self, score: float | Fraction) -> bool:
        """Whether ``score`` falls in this band (exactly: a council average is not rounded)."""
        return score >= self.low and (self.high is None or score < self.high)


@dataclass(frozen=True)
class RoundCutoff:
    """A rating round: dossiers proposed by ``propose_by`` are rated by ``rated_by``.

    Both are (month, day) in the round's year.
    """

    number: int
    propose_by: tuple[int, int]
    rated_by: tuple[int, int]

    def cutoff_on(self, year: int) -> date:
        """The last day to propose for the round of ``year``."""
        return date(year, *self.propose_by)

    def rated_by_on(self, year: int) -> date:
        """The day the round of ``year`` is rated by: the next ``rated_by`` after its cut-off."""
        rated = date(year, *self.rated_by)
        return rated if rated >= self.cutoff_on(year) else date(year + 1, *self.rated_by)


def next_round(cutoffs: tuple[RoundCutoff, ...], day: date) -> tuple[RoundCutoff, int] | None:
    """The first round whose cut-off is on or after ``day``, and the cut-off's year.

    "Proposed before 30/4" is read as on or before that day, for every round alike.
    """
    found = [
        (cutoff.cutoff_on(year), cutoff, year)
        for year in (day.year, day.year + 1)
        for cutoff in cutoffs
        if day <= cutoff.cutoff_on(year)
    ]
    if not found:
        return None
    _, cutoff, year = min(found, key=lambda f: f[0])
    return cutoff, year


_BANDS = (
    StarBand(1, 0, 30),
    StarBand(2, 30, 50),
    StarBand(3, 50, 70),
    StarBand(4, 70, 90),
    StarBand(5, 90, None),
)
_PARTS = MappingProxyType({"a": 40, "b": 25, "c": 35})
_RATERS = MappingProxyType(
    {3: Role.PROVINCE_OFFICER, 4: Role.PROVINCE_OFFICER, 5: Role.CENTRAL_OFFICER}
)
COMMUNE_CRITERIA = ("local_materials", "local_labour", "idea_origin", "local_identity")


@dataclass(frozen=True)
class RuleSet:
    """Everything the engine needs to know about one legal regime."""

    id: str
    title: str
    effective_from: date
    effective_until: date | None
    sources: str
    part_maxima: Mapping[str, int] = field(default_factory=lambda: _PARTS)
    star_bands: tuple[StarBand, ...] = _BANDS
    recognised_stars: frozenset[int] = frozenset({3, 4, 5})
    raters: Mapping[int, Role] = field(default_factory=lambda: _RATERS)
    certificate_months: int = 36
    # Re-rating: when the sweep flags a certified dossier, counted back from expiry; the
    # window may close before expiry (26/2026: 180 to 120 days before).
    recertification_opens_days: int = 180
    filing_closes_days: int | None = None
    grace_after_expiry_days: int = 0
    step_deadlines: Mapping[Step, Deadline | None] = field(default_factory=dict)
    province_rounds: tuple[RoundCutoff, ...] = ()
    central_rounds: tuple[RoundCutoff, ...] = ()
    required_documents: tuple[str, ...] = ("mau_01", "mau_02")
    samples_required: int = 5
    sample_exempt_sets: frozenset[int] = frozenset({26})
    commune_criteria: tuple[str, ...] = COMMUNE_CRITERIA
    revocation_grounds: Mapping[str, str] = field(default_factory=dict)

    def stars_for(self, score: float | Fraction) -> int:
        """Stars for a council average ``score`` (0 to the sum of the part maxima).

        Give the exact average (a :class:`~fractions.Fraction`) where it has more decimals
        than a float keeps: the bands are half-open on the unrounded score.
        """
        if 0 <= score <= self.max_score:
            for band in self.star_bands:
                if band.contains(score):
                    return band.stars
        raise InvalidInput.said(
            N_("Điểm {score:g} nằm ngoài khoảng 0–{max}."),
            field="score",
            score=float(score),
            max=self.max_score,
        )

    @property
    def max_score(self) -> int:
        """The sum of the part maxima (100)."""
        return sum(self.part_maxima.values())

    def deadline(self, step: Step) -> Deadline | None:
        """The time limit for ``step``, or ``None`` where the law sets none."""
        return self.step_deadlines.get(step)

    def in_force_on(self, day: date) -> bool:
        """Whether the regime applies to a dossier filed on ``day``."""
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )

    def replace(self, **changes: object) -> RuleSet:
        """A copy with some values changed: a deployment's settings for NOT FOUND values."""
        try:
            return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        except TypeError as exc:
            raise InvalidInput.said(
                N_("Thiết lập của quy định không được nhận: {problem}"),
                field="rule_set",
                problem=str(exc),
            ) from exc


QD148_1489 = RuleSet(
    id="qd148-2023+qd1489-2025",
    title="QĐ 148/QĐ-TTg (24/02/2023), sửa đổi bởi QĐ 1489/QĐ-TTg (06/7/2025)",
    effective_from=date(2025, 7, 6),
    # 26/2026 Điều 11.2: 148 and 1489 lapse 60 days after 22/5/2026.
    effective_until=date(2026, 7, 21),
    sources="OCOP-RULES.md §1A, §3, §4 [S2][S3][S8][S13][S16]",
    # No filing window found; the issuer notifies the producer ≥ 30 days before expiry [S13].
    recertification_opens_days=30,
    filing_closes_days=None,
    grace_after_expiry_days=0,
    step_deadlines={
        "commune": None,
        "province_first": None,
        "province_rerating": None,
        "central_rerating": None,
        "revocation": None,
    },
    revocation_grounds={
        "process_not_followed": "Không thực hiện đúng quy trình sản xuất đã công bố",
        "food_safety": "Vi phạm quy định về an toàn thực phẩm",
        "production_stopped": "Chủ thể ngừng sản xuất",
        "product_differs": "Chất lượng, bao bì không đúng như sản phẩm được công nhận",
        "not_rerated": "Không đánh giá lại khi hết thời hạn 36 tháng",
    },
)

QD26_2026 = RuleSet(
    id="qd26-2026",
    title="QĐ 26/2026/QĐ-TTg (22/5/2026)",
    effective_from=date(2026, 5, 22),
    effective_until=None,
    sources="OCOP-RULES.md §1B, §3, §4, §7 [S20] (third-party transcript; confirm in the gazette)",
    recertification_opens_days=180,  # Điều 7.6.a
    filing_closes_days=120,
    grace_after_expiry_days=180,  # Điều 12.3
    step_deadlines={
        "commune": Deadline(15, "working_days"),  # Điều 7.2
        "province_first": None,
        "province_rerating": Deadline(45, "days"),  # Điều 7.6.g, from the commune's dossier
        "central_rerating": Deadline(45, "days"),  # Điều 7.6.g, from the province's dossier
        "revocation": Deadline(15, "days"),  # Điều 8.4
    },
    province_rounds=(RoundCutoff(1, (4, 30), (6, 30)), RoundCutoff(2, (10, 30), (12, 30))),
    central_rounds=(RoundCutoff(1, (7, 30), (9, 30)), RoundCutoff(2, (1, 30), (3, 30))),
    revocation_grounds={
        "false_dossier": "Hồ sơ giả mạo hoặc thông tin không trung thực (Điều 8.1.a)",
        "criteria_not_met": "Không còn đáp ứng tiêu chí theo kết quả kiểm tra (Điều 8.1.b)",
        "law_breach": "Vi phạm pháp luật về chất lượng, an toàn thực phẩm, môi trường, sở hữu"
        " trí tuệ, nhãn hàng hóa (Điều 8.1.c)",
        "mark_misuse": "Sử dụng sai nhãn hiệu chứng nhận OCOP (Điều 8.1.d)",
        "production_stopped": "Chủ thể ngừng sản xuất (Điều 8.1.đ)",
        "other": "Trường hợp khác theo kết luận của cơ quan có thẩm quyền (Điều 8.1.e)",
    },
)

RULE_SETS: dict[str, RuleSet] = {r.id: r for r in (QD148_1489, QD26_2026)}


def rule_set(rule_set_id: str, registry: Mapping[str, RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set with that id; :class:`InvalidInput` names the known ones otherwise."""
    try:
        return registry[rule_set_id]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise InvalidInput.said(
            N_("Không có quy định '{rule_set}'. Các quy định đã biết: {known}."),
            field="rule_set",
            rule_set=rule_set_id,
            known=known,
        ) from None


# periods() of the rule sets last asked about, keyed by their identities (the rule sets are
# frozen, and held by the entry so an id is not reused): every transition's next date asks
# twice, and working it out each time cost an import of 20 000 rows about a second.
_PERIODS: dict[
    tuple[int, ...], tuple[tuple[RuleSet, ...], list[tuple[date, date | None, RuleSet]]]
] = {}


def periods(
    registry: Mapping[str, RuleSet] = RULE_SETS,
) -> list[tuple[date, date | None, RuleSet]]:
    """The days each rule set governs, in order, as (first day, last day or None, rule set).

    Where two overlap the newer governs, as in :func:`rule_set_for`.
    """
    sets = tuple(registry.values())
    key = tuple(map(id, sets))
    known = _PERIODS.get(key)
    if known is None:
        if len(_PERIODS) >= 16:
            _PERIODS.clear()
        known = _PERIODS[key] = (sets, _periods(sets))
    return list(known[1])


def _periods(sets: tuple[RuleSet, ...]) -> list[tuple[date, date | None, RuleSet]]:
    changes = {r.effective_from for r in sets}
    changes |= {r.effective_until + timedelta(days=1) for r in sets if r.effective_until}
    points = sorted(changes)
    spans: list[tuple[date, date | None, RuleSet]] = []
    for n, start in enumerate(points):
        in_force = [r for r in sets if r.in_force_on(start)]
        if not in_force:
            continue
        rules = max(in_force, key=lambda r: r.effective_from)
        end = points[n + 1] - timedelta(days=1) if n + 1 < len(points) else None
        if spans and spans[-1][2] is rules and spans[-1][1] == start - timedelta(days=1):
            spans[-1] = (spans[-1][0], end, rules)
        else:
            spans.append((start, end, rules))
    return spans


def first_day(
    earliest: Callable[[RuleSet], date], registry: Mapping[str, RuleSet] = RULE_SETS
) -> date | None:
    """The first day on which the rule set then in force allows something.

    ``earliest(rules)`` is the first day that rule set would allow it: the re-rating window
    of a certificate is the one of the law in force on the day, not of the law it was issued
    under (a 2026 certificate rated under 148 is re-rated under 26/2026).
    """
    for start, end, rules in periods(registry):
        day = max(start, earliest(rules))
        if end is None or day <= end:
            return day
    return None


def rule_set_for(day: date, registry: Mapping[str, RuleSet] = RULE_SETS) -> RuleSet:
    """The newest rule set in force on ``day`` (where two overlap, the newer one wins)."""
    in_force = [r for r in registry.values() if r.in_force_on(day)]
    if not in_force:
        raise InvalidInput.said(
            N_("Không có quy định OCOP nào có hiệu lực ngày {day:%d/%m/%Y}; hãy chỉ rõ quy định."),
            field="rule_set",
            day=day,
        )
    return max(in_force, key=lambda r: r.effective_from)
