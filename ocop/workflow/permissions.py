"""Who may fire what, and where: roles from the lifecycle table, scope from the actor's area."""

from __future__ import annotations

from ocop.errors import PermissionDenied
from ocop.models import Actor, Dossier
from ocop.states import ROLE_SOURCES, Role, Transition

__all__ = ["check_permission", "permitted"]


def _refusal(actor: Actor, transition: Transition, dossier: Dossier) -> PermissionDenied | None:
    trigger = transition.trigger
    step = trigger.label("en").lower()

    def refuse(reason: str, message: str, **details: object) -> PermissionDenied:
        return PermissionDenied(
            message,
            trigger=trigger.value,
            reason=reason,
            allowed_roles=sorted(r.value for r in transition.roles),
            details={
                "actor": actor.name,
                "role": actor.role.value,
                "dossier": dossier.id,
                **details,
            },
        )

    if actor.role not in transition.roles:
        who = " or ".join(sorted(r.label("en") for r in transition.roles))
        role = actor.role.label("en")
        return refuse("role", f"Only a {who} may {step}; {actor.name} acts as {role}.")
    sources = ROLE_SOURCES.get((trigger, actor.role))
    if sources is not None and dossier.state not in sources:
        others = sorted(
            r.value
            for (t, r), states in ROLE_SOURCES.items()
            if t == trigger and dossier.state in states
        )
        hint = f" Ask a {' or '.join(Role(r).label('en') for r in others)}." if others else ""
        return refuse(
            "state",
            f"A {actor.role.label('en')} cannot {step} while it is "
            f"'{dossier.state.label('en')}'.{hint}",
            state=dossier.state.value,
            others=tuple(others),
        )
    if actor.role is Role.COMMUNE_OFFICER and actor.commune != dossier.commune:
        return refuse(
            "commune",
            f"{actor.name} is an officer of {actor.commune or 'no commune'}; dossier "
            f"{dossier.id} belongs to {dossier.commune}. Ask an officer of {dossier.commune}.",
            own=actor.commune,
            place=dossier.commune,
        )
    if actor.role is Role.PROVINCE_OFFICER and actor.province != dossier.province:
        return refuse(
            "province",
            f"{actor.name} is an officer of {actor.province or 'no province'}; dossier "
            f"{dossier.id} is in {dossier.province}.",
            own=actor.province,
            place=dossier.province,
        )
    if actor.role is Role.PRODUCER and (dossier.owner is None or actor.name != dossier.owner):
        return refuse(
            "owner",
            f"Dossier {dossier.id} is not {actor.name}'s; only its producer may do this.",
            owner=dossier.owner,
        )
    return None


def permitted(actor: Actor, transition: Transition, dossier: Dossier) -> bool:
    """Whether ``actor`` may fire ``transition`` on ``dossier`` (its state aside)."""
    return _refusal(actor, transition, dossier) is None


def check_permission(actor: Actor, transition: Transition, dossier: Dossier) -> None:
    """Raise :class:`PermissionDenied`, saying who may and why not, unless ``actor`` may."""
    refusal = _refusal(actor, transition, dossier)
    if refusal is not None:
        raise refusal
