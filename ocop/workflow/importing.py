"""Products rated before the system existed, brought in with their certificates."""

from __future__ import annotations

from datetime import date, datetime

from ocop.errors import InvalidInput, PermissionDenied
from ocop.models import Actor, Certificate, CertifiedProduct, Dossier, Kind, parse
from ocop.states import IMPORT_TRIGGER, Role, RuleSet, State
from ocop.workdays import add_months
from ocop.workflow.permissions import covers

__all__ = ["IMPORTERS", "certified_draft"]

# History rows of dossiers brought in with their certificate carry this trigger.
IMPORTERS = frozenset({Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN})


def certified_draft(
    product: CertifiedProduct, rules: RuleSet, actor: Actor, now: datetime, today: date
) -> Dossier:
    """The dossier ``product`` becomes (not yet stored), or the error that refuses it."""
    if product.issued_on > today:
        raise InvalidInput("issued_on is in the future.", field="issued_on")
    reg = product.registration
    certificate = parse(
        Certificate,
        {
            "number": product.certificate_number,
            "stars": product.stars,
            "issued_on": product.issued_on,
            "expires_on": add_months(product.issued_on, rules.certificate_months),
            "issued_by": "central" if product.stars == 5 else "province",
        },
    )
    draft = Dossier.new(
        reg, state=State.RATED, rule_set=rules.id, now=now, kind=Kind.FIRST, certificate=certificate
    )
    if actor.role not in IMPORTERS or not covers(actor, draft.commune, draft.province):
        raise PermissionDenied(
            f"{actor.name} may not import dossiers of {draft.commune}, {draft.province}; "
            "ask an officer of that commune or province.",
            trigger=IMPORT_TRIGGER,
            reason="area" if actor.role in IMPORTERS else "role",
            allowed_roles=sorted(IMPORTERS),
            details={"actor": actor.name, "commune": draft.commune, "province": draft.province},
        )
    return draft
