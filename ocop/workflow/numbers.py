"""The numbers of the record under QĐ 26/2026: the registration form number and the product code.

- **Form number** (Mẫu 01's reception block): ``…/PĐK-(Mã tỉnh)-(Mã xã)-(Năm)``. The "…" is
  ``Numbers.form_serial`` of the plan, by default the commune's running number of receptions in
  the registration year (the form leaves the blank unexplained: OCOP-RULES.md §2B). A new one is
  given to each filing: the first registration and each new cycle (``reapply``), since each
  cycle files a new Mẫu 01 (Điều 6). A number an officer types at registration (transcribed
  from a paper form already numbered) is kept as written; the counter skips a number so held.
- **Product code** (OCOP-RULES.md §6): ``(T)-(X)-(STT)-(Năm)``, T and X the official province
  and commune codes of QĐ 19/2025/QĐ-TTg, STT the commune's own running number (one sequence
  per commune across years: the law asks the commune to keep it and sets no yearly reset, and
  Năm already tells the years apart), Năm the year of the rating that recognised the product.
  Given when a rating recognises the product 3★ or more (``rate`` or ``rate_central`` ending in
  ``rated``), once per dossier: a re-rating or an upgrade of the same product keeps its code.
  26/2026 gives the code to the product and says nothing of a new one on re-rating ("đánh giá,
  phân hạng lại" rates the same product again), so the engine gives none: the code found on the
  stamps, the labels and the province's lists stays the product's.

The codes come from the plan (``[numbers]``) of the dossier's commune, or from area codes a host
passes to the registry; the engine never invents them. Without them the rating or registration
still goes through — the council's decision is the province's and the commune's record must show
it — and the number is left **pending**: :func:`missing_codes` says which key to set, ``ocop
show`` prints it, and :meth:`ocop.Registry.assign_numbers` gives the pending numbers once the codes
are set.

STT and the form's running number come from ``ocop_counters`` (``ocop.storage.numbers``), taken
in the transaction that writes the dossier, so they are unique and gap-free per commune even
when several officers register or rate at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ocop.models import Dossier
from ocop.states import CERTIFIED
from ocop.storage.numbers import NumberRequest

if TYPE_CHECKING:
    from ocop.plan import Plan

__all__ = [
    "FORM_KIND",
    "PRODUCT_KIND",
    "AreaCodes",
    "Numbering",
    "form_request",
    "missing_codes",
    "product_request",
]

FORM_KIND = "form"
PRODUCT_KIND = "product"


@dataclass(frozen=True)
class AreaCodes:
    """The official codes of one commune (QĐ 19/2025/QĐ-TTg) and its form-serial template."""

    province_code: str | None = None
    commune_code: str | None = None
    form_serial: str = "{seq}"
    illustrative: bool = False


@dataclass(frozen=True)
class Numbering:
    """Where each area's codes come from: the plan's commune, then codes a host gave."""

    plan: Plan | None = None
    areas: Mapping[tuple[str, str], AreaCodes] | None = None
    """Codes by (province, commune), names as stored on dossiers."""

    def codes_for(self, province: str, commune: str) -> AreaCodes | None:
        """The codes of the commune (``province``, ``commune``), if anyone gave them."""
        if self.areas and (province, commune) in self.areas:
            return self.areas[(province, commune)]
        plan = self.plan
        if plan is not None and (plan.province, plan.commune) == (province, commune):
            n = plan.numbers
            return AreaCodes(n.province_code, n.commune_code, n.form_serial, n.illustrative)
        return None


def missing_codes(numbering: Numbering, dossier: Dossier) -> list[str]:
    """What must be set before the dossier's area can be numbered (empty: nothing).

    Each item is a plan key (``numbers.province_code``, ``numbers.commune_code``), or
    ``plan`` when no plan of the dossier's commune was given at all.
    """
    codes = numbering.codes_for(dossier.province, dossier.commune)
    if codes is None:
        return ["plan"]
    return [
        f"numbers.{name}" for name in ("province_code", "commune_code") if not getattr(codes, name)
    ]


def _codes(numbering: Numbering, dossier: Dossier) -> AreaCodes | None:
    codes = numbering.codes_for(dossier.province, dossier.commune)
    if codes is None or not codes.province_code or not codes.commune_code:
        return None
    return codes


def form_request(numbering: Numbering, dossier: Dossier, day: date) -> NumberRequest | None:
    """The form number a filing on ``day`` takes, or ``None`` while the codes are missing."""
    codes = _codes(numbering, dossier)
    if codes is None:
        return None
    return NumberRequest(
        field="form_number",
        kind=FORM_KIND,
        province_code=str(codes.province_code),
        commune_code=str(codes.commune_code),
        counter_year=day.year,
        template=f"{codes.form_serial}/PĐK-{codes.province_code}-{codes.commune_code}-{{year}}",
        on=day,
    )


def product_request(numbering: Numbering, dossier: Dossier) -> NumberRequest | None:
    """The product code ``dossier`` takes now that a rating recognised it, if it needs one.

    ``None`` when the dossier holds no certificate from a rating of this system (1★/2★, central
    review pending, a product imported with its old certificate), already has its code (kept
    across re-ratings and upgrades), or its area's codes are missing.
    """
    if dossier.product_code or dossier.state not in CERTIFIED:
        return None
    if dossier.certificate is None or dossier.rating is None:
        return None
    codes = _codes(numbering, dossier)
    if codes is None:
        return None
    return NumberRequest(
        field="product_code",
        kind=PRODUCT_KIND,
        province_code=str(codes.province_code),
        commune_code=str(codes.commune_code),
        counter_year=0,
        template=f"{codes.province_code}-{codes.commune_code}-{{seq}}-{{year}}",
        on=dossier.rating.rated_on,
    )
