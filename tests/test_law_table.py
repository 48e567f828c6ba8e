"""Who may fire which step, from which state, where: the law's table, written out by hand from
../shared/DESIGN.md ("The lifecycle") and ../shared/OCOP-RULES.md, NOT derived from
ocop/states/. Every trigger × state × role × area is checked against it, allowed or refused,
so a wrong role, source state or area in the engine's table fails here (issue 12).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import ocop
from ocop import Actor, Role
from ocop.models import Dossier, Registration
from ocop.states import TRANSITIONS, State, Trigger
from ocop.workflow.permissions import check_permission

P, C, PO, CO, SYS = "producer", "commune_officer", "province_officer", "central_officer", "system"

# (trigger, from state) -> the roles that may fire it there. DESIGN.md's table, row by row.
LAW: dict[tuple[str, str], frozenset[str]] = {
    ("return_dossier", "registered"): frozenset({C}),
    ("return_dossier", "checked"): frozenset({C}),
    ("return_dossier", "submitted"): frozenset({PO}),
    ("resubmit", "returned"): frozenset({P, C}),
    ("check", "registered"): frozenset({C}),
    ("evaluate", "checked"): frozenset({C}),
    ("submit", "commune_evaluated"): frozenset({C}),
    ("rate", "submitted"): frozenset({PO}),
    ("rate_central", "central_review"): frozenset({CO}),
    ("flag_recertification", "rated"): frozenset({SYS}),
    **{("reapply", s): frozenset({P, C}) for s in ("rated", "recertification_due")},
    **{("reapply", s): frozenset({P, C}) for s in ("not_recognized", "expired")},
    ("expire", "rated"): frozenset({SYS}),
    ("expire", "recertification_due"): frozenset({SYS}),
    ("revoke", "rated"): frozenset({PO}),
    ("revoke", "recertification_due"): frozenset({PO}),
    **{
        ("withdraw", s): frozenset({P})
        for s in ("registered", "returned", "checked", "commune_evaluated")
    },
}

STATES = [
    "registered", "returned", "checked", "commune_evaluated", "submitted", "central_review",
    "rated", "not_recognized", "recertification_due", "expired", "revoked", "withdrawn",
]  # fmt: skip

HERE = ("Lưu Vệ", "Thanh Hóa")
# (actor, whether the dossier of Lưu Vệ, Thanh Hóa owned by minhanh lies in their area/is theirs)
ACTORS = [
    (Actor("lan", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Thanh Hóa"), True),
    (Actor("mai", Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Hà Nội"), False),
    (Actor("binh", Role.COMMUNE_OFFICER, commune="Quảng Yên", province="Thanh Hóa"), False),
    (Actor("hoa", Role.PROVINCE_OFFICER, province="Thanh Hóa"), True),
    (Actor("ha", Role.PROVINCE_OFFICER, province="Hà Nội"), False),
    (Actor("minhanh", Role.PRODUCER), True),
    (Actor("sx2", Role.PRODUCER), False),
    (Actor("tam", Role.CENTRAL_OFFICER), True),
    (Actor("root", Role.ADMIN), True),
    (Actor.system(), True),
]


def test_the_table_names_every_trigger_of_the_law() -> None:
    named = {t for t, _ in LAW} | {"register"}
    assert named == {t.value for t in Trigger}


def _dossier(state: str) -> Dossier:
    registration = Registration.model_validate(
        {
            "product_name": "Nem chua Minh Anh",
            "product_set": 8,
            "producer": {"name": "Cơ sở Minh Anh"},
            "commune": HERE[0],
            "province": HERE[1],
            "owner": "minhanh",
        }
    )
    draft = Dossier.new(
        registration, state=State(state), rule_set="qd26-2026", now=datetime(2026, 8, 1, tzinfo=UTC)
    )
    return draft.model_copy(update={"id": 7})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("actor", "in_area"), ACTORS, ids=lambda v: getattr(v, "name", ""))
def test_every_trigger_role_and_area_is_allowed_or_refused_as_the_law_says(
    state: str, actor: Actor, in_area: bool
) -> None:
    registry = ocop.open("sqlite:///:memory:")
    try:
        allowed = {t.value for t in registry.allowed(_dossier(state), actor)}
    finally:
        registry.close()
    expected = {
        trigger
        for (trigger, source), roles in LAW.items()
        if source == state and actor.role.value in roles and in_area
    }
    assert allowed == expected


@pytest.mark.parametrize(("actor", "in_area"), ACTORS, ids=lambda v: getattr(v, "name", ""))
def test_register_is_for_the_producer_and_the_communes_officer(actor: Actor, in_area: bool) -> None:
    draft = _dossier("registered")
    may = actor.role.value in (P, C) and in_area
    if may:
        check_permission(actor, TRANSITIONS[Trigger.REGISTER], draft)
    else:
        with pytest.raises(ocop.PermissionDenied):
            check_permission(actor, TRANSITIONS[Trigger.REGISTER], draft)
