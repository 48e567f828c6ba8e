"""Who may fire what, and see what, and where: roles from the lifecycle table, scope from the
actor's area.

An area is a (province, commune) pair, compared whole: after the 2025 reorganisation many
provinces have communes of the same name. A commune officer acts on and reads their commune's
dossiers, a province officer their province's, a producer their own; central officers,
administrators and the system everything."""

from __future__ import annotations

from ocop.errors import PermissionDenied
from ocop.models import Actor, Dossier, User
from ocop.states import ROLE_SOURCES, Role, Transition

__all__ = [
    "RETRY_ROLES",
    "check_permission",
    "check_preview",
    "check_read",
    "check_retry",
    "covers",
    "permitted",
    "read_scope",
    "sees_user",
]

_EVERYWHERE = frozenset({Role.CENTRAL_OFFICER, Role.ADMIN, Role.SYSTEM})

RETRY_ROLES = frozenset(
    {Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.CENTRAL_OFFICER, Role.ADMIN, Role.SYSTEM}
)
"""Who may send an outbox message again (``ocop outbox retry``): an officer, within their
area, or an administrator; never a producer, who would be resending officers' mail."""


def covers(actor: Actor, commune: str, province: str) -> bool:
    """Whether the area (``province``, ``commune``) lies within ``actor``'s."""
    if actor.role is Role.COMMUNE_OFFICER:
        return (actor.province, actor.commune) == (province, commune)
    if actor.role is Role.PROVINCE_OFFICER:
        return actor.province == province
    return actor.role in _EVERYWHERE


def read_scope(actor: Actor) -> dict[str, str] | None:
    """The filters that keep ``actor``'s reads in scope: none for who sees everything, and
    ``None`` for who sees nothing (an officer whose record lacks their area: an empty filter
    would be no filter at all)."""
    if actor.role is Role.COMMUNE_OFFICER:
        if not (actor.commune and actor.province):
            return None
        return {"commune": actor.commune, "province": actor.province}
    if actor.role is Role.PROVINCE_OFFICER:
        return {"province": actor.province} if actor.province else None
    if actor.role is Role.PRODUCER:
        return {"owner": actor.name}
    return {}


def check_read(actor: Actor, dossier: Dossier) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may read ``dossier``."""
    if actor.role is Role.PRODUCER:
        allowed = dossier.owner is not None and dossier.owner == actor.name
    else:
        allowed = covers(actor, dossier.commune, dossier.province)
    if not allowed:
        raise PermissionDenied(
            f"Dossier {dossier.id} is outside what {actor.name} may see "
            f"({actor.role.label('en')}).",
            trigger="read",
            reason="scope",
            allowed_roles=[],
            details={"actor": actor.name, "role": actor.role.value, "dossier": dossier.id},
        )


def sees_user(actor: Actor, user: User) -> bool:
    """Whether ``actor`` may see ``user``'s record (``ocop user list``): themselves, and the
    users whose area lies within theirs; everyone for who sees everything. A user with no area
    (a central officer, an administrator) is seen only by those."""
    if user.username == actor.name:
        return True
    if actor.role in _EVERYWHERE:
        return True
    if actor.role is Role.PRODUCER or user.province is None:
        return False
    if actor.role is Role.PROVINCE_OFFICER:
        return actor.province == user.province
    return user.commune is not None and covers(actor, user.commune, user.province)


def check_retry(actor: Actor) -> None:
    """Raise :class:`PermissionDenied` unless ``actor``'s role may send outbox mail again (the
    messages' area is checked against the actor's by the outbox itself)."""
    if actor.role not in RETRY_ROLES:
        raise _outside_roles(
            actor,
            "retry",
            RETRY_ROLES,
            f"Only an officer or an administrator may send a message again; {actor.name} "
            f"acts as {actor.role.label('en')}.",
        )


def check_preview(actor: Actor) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` sees every area, as a preview of the
    daemon's next sweep and drain does (``ocop daemon --dry-run``: the mail of every commune
    the database holds): a central officer or an administrator."""
    if actor.role not in _EVERYWHERE:
        raise _outside_roles(
            actor,
            "preview",
            _EVERYWHERE,
            f"Only a central officer or an administrator may preview the daemon's work, which "
            f"covers every area; {actor.name} acts as {actor.role.label('en')}.",
        )


def _outside_roles(
    actor: Actor, action: str, roles: frozenset[Role], message: str
) -> PermissionDenied:
    """The refusal of an action that is no step of the lifecycle to a role not among ``roles``."""
    return PermissionDenied(
        message,
        trigger=action,
        reason="role",
        allowed_roles=sorted(r.value for r in roles if r is not Role.SYSTEM),
        details={"actor": actor.name, "role": actor.role.value},
    )


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
    if actor.role is Role.COMMUNE_OFFICER and not covers(actor, dossier.commune, dossier.province):
        own = f"{actor.commune or 'no commune'}, {actor.province or 'no province'}"
        place = f"{dossier.commune}, {dossier.province}"
        return refuse(
            "commune",
            f"{actor.name} is an officer of {own}; dossier {dossier.id} belongs to {place}. "
            f"Ask an officer of {place}.",
            # The whole pair: a commune's name alone may be another province's too.
            own=actor.commune,
            place=dossier.commune,
            own_province=actor.province,
            province=dossier.province,
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
