"""Who may fire what, and where: roles from the lifecycle table, scope from the actor's area."""

from __future__ import annotations

from ocop.errors import PermissionDenied
from ocop.models import Actor, Dossier
from ocop.states import ROLE_SOURCES, Role, Transition

__all__ = ["check_permission", "permitted"]


def _refusal(actor: Actor, transition: Transition, dossier: Dossier) -> str | None:
    trigger = transition.trigger
    if actor.role not in transition.roles:
        who = " or ".join(sorted(r.label("en") for r in transition.roles))
        step = trigger.label("en").lower()
        return f"Only a {who} may {step}; {actor.name} acts as {actor.role.label('en')}."
    sources = ROLE_SOURCES.get((trigger, actor.role))
    if sources is not None and dossier.state not in sources:
        others = sorted(
            r.label("en")
            for (t, r), states in ROLE_SOURCES.items()
            if t == trigger and dossier.state in states
        )
        hint = f" Ask a {' or '.join(others)}." if others else ""
        return (
            f"A {actor.role.label('en')} cannot {trigger.label('en').lower()} while it is "
            f"'{dossier.state.label('en')}'.{hint}"
        )
    if actor.role is Role.COMMUNE_OFFICER and actor.commune != dossier.commune:
        return (
            f"{actor.name} is an officer of {actor.commune or 'no commune'}; dossier {dossier.id} "
            f"belongs to {dossier.commune}. Ask an officer of {dossier.commune}."
        )
    if actor.role is Role.PROVINCE_OFFICER and actor.province != dossier.province:
        return (
            f"{actor.name} is an officer of {actor.province or 'no province'}; dossier "
            f"{dossier.id} is in {dossier.province}."
        )
    if actor.role is Role.PRODUCER and (dossier.owner is None or actor.name != dossier.owner):
        return f"Dossier {dossier.id} is not {actor.name}'s; only its producer may do this."
    return None


def permitted(actor: Actor, transition: Transition, dossier: Dossier) -> bool:
    """Whether ``actor`` may fire ``transition`` on ``dossier`` (its state aside)."""
    return _refusal(actor, transition, dossier) is None


def check_permission(actor: Actor, transition: Transition, dossier: Dossier) -> None:
    """Raise :class:`PermissionDenied`, saying who may, unless ``actor`` may act here."""
    reason = _refusal(actor, transition, dossier)
    if reason is not None:
        raise PermissionDenied(
            reason,
            trigger=transition.trigger.value,
            allowed_roles=sorted(r.value for r in transition.roles),
        )
