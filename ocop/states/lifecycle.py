"""The dossier lifecycle, declared once, as data.

Everything else derives from :data:`TRANSITIONS`: the ``transitions`` machine the engine fires
on, the permission check, the CLI's commands and the mermaid diagram. A test walks the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ocop.text import NC_, term

__all__ = [
    "AT_COMMUNE",
    "CERTIFIED",
    "COMMUNE_CLOCK",
    "HUMAN_ROLES",
    "IMPORT_TRIGGER",
    "INITIAL",
    "IN_CYCLE",
    "NOT_EVALUATED",
    "ROLE_SOURCES",
    "TERMINAL",
    "TRANSITIONS",
    "Kind",
    "Role",
    "State",
    "Transition",
    "Trigger",
    "mermaid",
    "transition_for",
]


class State(StrEnum):
    """Where a dossier stands in its current cycle."""

    REGISTERED = "registered"
    RETURNED = "returned"
    CHECKED = "checked"
    COMMUNE_EVALUATED = "commune_evaluated"
    SUBMITTED = "submitted"
    CENTRAL_REVIEW = "central_review"
    RATED = "rated"
    NOT_RECOGNIZED = "not_recognized"
    RECERTIFICATION_DUE = "recertification_due"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"

    def label(self, lang: str = "vi") -> str:
        """The state's name as an officer reads it, in Vietnamese (``vi``) or English (``en``)."""
        return term(lang, "state", _STATE_LABELS[self])


_STATE_LABELS: dict[State, str] = {
    State.REGISTERED: NC_("state", "Đã đăng ký"),
    State.RETURNED: NC_("state", "Trả lại để bổ sung"),
    State.CHECKED: NC_("state", "Đã kiểm tra hồ sơ"),
    State.COMMUNE_EVALUATED: NC_("state", "Xã đã đánh giá"),
    State.SUBMITTED: NC_("state", "Đã gửi tỉnh"),
    State.CENTRAL_REVIEW: NC_("state", "Chờ Trung ương đánh giá"),
    State.RATED: NC_("state", "Đã công nhận"),
    State.NOT_RECOGNIZED: NC_("state", "Không được công nhận"),
    State.RECERTIFICATION_DUE: NC_("state", "Đến hạn đánh giá lại"),
    State.EXPIRED: NC_("state", "Hết hiệu lực"),
    State.REVOKED: NC_("state", "Bị thu hồi"),
    State.WITHDRAWN: NC_("state", "Đã rút hồ sơ"),
}


class Role(StrEnum):
    """Who may act. ``system`` is the daemon's sweep; nobody logs in as it."""

    PRODUCER = "producer"
    COMMUNE_OFFICER = "commune_officer"
    PROVINCE_OFFICER = "province_officer"
    CENTRAL_OFFICER = "central_officer"
    ADMIN = "admin"
    SYSTEM = "system"

    def label(self, lang: str = "vi") -> str:
        """The role's name as an officer reads it."""
        return term(lang, "role", _ROLE_LABELS[self])


_ROLE_LABELS: dict[Role, str] = {
    Role.PRODUCER: NC_("role", "chủ thể sản xuất"),
    Role.COMMUNE_OFFICER: NC_("role", "cán bộ xã"),
    Role.PROVINCE_OFFICER: NC_("role", "cán bộ tỉnh"),
    Role.CENTRAL_OFFICER: NC_("role", "cán bộ Trung ương"),
    Role.ADMIN: NC_("role", "quản trị"),
    Role.SYSTEM: NC_("role", "hệ thống"),
}

HUMAN_ROLES = frozenset(Role) - {Role.SYSTEM}


class Kind(StrEnum):
    """The kind of a cycle, as ticked on Mẫu 01."""

    FIRST = "first"
    UPGRADE = "upgrade"
    RERATING = "rerating"

    def label(self, lang: str = "vi") -> str:
        """The kind as Mẫu 01 names it."""
        return term(lang, "kind", _KIND_LABELS[self])


_KIND_LABELS: dict[Kind, str] = {
    Kind.FIRST: NC_("kind", "Lần đầu"),
    Kind.UPGRADE: NC_("kind", "Nâng hạng"),
    Kind.RERATING: NC_("kind", "Đánh giá lại"),
}


class Trigger(StrEnum):
    """Every event a dossier can undergo."""

    REGISTER = "register"
    RETURN_DOSSIER = "return_dossier"
    RESUBMIT = "resubmit"
    CHECK = "check"
    EVALUATE = "evaluate"
    SUBMIT = "submit"
    RATE = "rate"
    RATE_CENTRAL = "rate_central"
    FLAG_RECERTIFICATION = "flag_recertification"
    REAPPLY = "reapply"
    EXPIRE = "expire"
    REVOKE = "revoke"
    WITHDRAW = "withdraw"

    def label(self, lang: str = "vi") -> str:
        """The step's name as an officer reads it."""
        return term(lang, "trigger", _TRIGGER_LABELS[self])


_TRIGGER_LABELS: dict[Trigger, str] = {
    Trigger.REGISTER: NC_("trigger", "Đăng ký"),
    Trigger.RETURN_DOSSIER: NC_("trigger", "Trả lại hồ sơ"),
    Trigger.RESUBMIT: NC_("trigger", "Nộp lại"),
    Trigger.CHECK: NC_("trigger", "Kiểm tra hồ sơ"),
    Trigger.EVALUATE: NC_("trigger", "Đánh giá cấp xã"),
    Trigger.SUBMIT: NC_("trigger", "Gửi tỉnh đánh giá"),
    Trigger.RATE: NC_("trigger", "Chấm điểm, phân hạng"),
    Trigger.RATE_CENTRAL: NC_("trigger", "Trung ương phân hạng"),
    Trigger.FLAG_RECERTIFICATION: NC_("trigger", "Đến hạn đánh giá lại"),
    Trigger.REAPPLY: NC_("trigger", "Đăng ký chu kỳ mới"),
    Trigger.EXPIRE: NC_("trigger", "Hết hạn giấy chứng nhận"),
    Trigger.REVOKE: NC_("trigger", "Thu hồi"),
    Trigger.WITHDRAW: NC_("trigger", "Rút hồ sơ"),
}


@dataclass(frozen=True)
class Transition:
    """One row of the lifecycle table.

    ``sources`` empty means the trigger creates the dossier. Several ``dests`` mean the outcome
    decides (a rating lands in ``rated``, ``not_recognized`` or ``central_review``).
    """

    trigger: Trigger
    sources: frozenset[State]
    dests: tuple[State, ...]
    roles: frozenset[Role]

    @property
    def by_system(self) -> bool:
        """Fired by the daemon's sweep, never by a person."""
        return self.roles == {Role.SYSTEM}


def _t(
    trigger: Trigger, sources: Iterable[State], dests: Iterable[State], *roles: Role
) -> Transition:
    return Transition(trigger, frozenset(sources), tuple(dests), frozenset(roles))


S, R, T = State, Role, Trigger

# The state groups, declared here once; the rules, deadlines, sweep and demo read them.
CERTIFIED = frozenset({S.RATED, S.RECERTIFICATION_DUE})
"""Holding a valid certificate: the sweep's system steps (re-rating due, expiry) apply."""
NOT_EVALUATED = frozenset({S.REGISTERED, S.RETURNED, S.CHECKED})
"""Filed at the commune and waiting for its evaluation."""
AT_COMMUNE = NOT_EVALUATED | {S.COMMUNE_EVALUATED}
"""Filed at the commune, not yet sent to the province."""
COMMUNE_CLOCK = frozenset({S.REGISTERED, S.CHECKED, S.COMMUNE_EVALUATED})
"""The commune's step deadline runs (a returned dossier is the producer's; resubmitting
restarts the clock)."""
IN_CYCLE = AT_COMMUNE | {S.SUBMITTED, S.CENTRAL_REVIEW}
"""A rating cycle is running: neither decided nor closed."""
TERMINAL = frozenset({S.REVOKED, S.WITHDRAWN})
"""Closed for good: no step and no reminder applies."""

IMPORT_TRIGGER = "import_certified"
"""The history's trigger for a product brought in with its certificate (no lifecycle step)."""

# One entry per trigger; a trigger's sources may differ by role (a province officer returns a
# submitted dossier, a commune officer one still at the commune), which PERMISSIONS refines.
TRANSITIONS: dict[Trigger, Transition] = {
    t.trigger: t
    for t in (
        _t(T.REGISTER, (), (S.REGISTERED,), R.PRODUCER, R.COMMUNE_OFFICER),
        _t(
            T.RETURN_DOSSIER,
            (S.REGISTERED, S.CHECKED, S.SUBMITTED),
            (S.RETURNED,),
            R.COMMUNE_OFFICER,
            R.PROVINCE_OFFICER,
        ),
        _t(T.RESUBMIT, (S.RETURNED,), (S.REGISTERED,), R.PRODUCER, R.COMMUNE_OFFICER),
        _t(T.CHECK, (S.REGISTERED,), (S.CHECKED,), R.COMMUNE_OFFICER),
        _t(T.EVALUATE, (S.CHECKED,), (S.COMMUNE_EVALUATED,), R.COMMUNE_OFFICER),
        _t(T.SUBMIT, (S.COMMUNE_EVALUATED,), (S.SUBMITTED,), R.COMMUNE_OFFICER),
        _t(
            T.RATE,
            (S.SUBMITTED,),
            (S.RATED, S.NOT_RECOGNIZED, S.CENTRAL_REVIEW),
            R.PROVINCE_OFFICER,
        ),
        _t(T.RATE_CENTRAL, (S.CENTRAL_REVIEW,), (S.RATED, S.NOT_RECOGNIZED), R.CENTRAL_OFFICER),
        _t(T.FLAG_RECERTIFICATION, (S.RATED,), (S.RECERTIFICATION_DUE,), R.SYSTEM),
        _t(
            T.REAPPLY,
            (*CERTIFIED, S.NOT_RECOGNIZED, S.EXPIRED),
            (S.REGISTERED,),
            R.PRODUCER,
            R.COMMUNE_OFFICER,
        ),
        _t(T.EXPIRE, CERTIFIED, (S.EXPIRED,), R.SYSTEM),
        _t(T.REVOKE, CERTIFIED, (S.REVOKED,), R.PROVINCE_OFFICER),
        _t(
            T.WITHDRAW,
            (S.REGISTERED, S.RETURNED, S.CHECKED, S.COMMUNE_EVALUATED),
            (S.WITHDRAWN,),
            R.PRODUCER,
        ),
    )
}

# Narrower sources for a role than the trigger's union: who returns a dossier depends on where
# it is (DESIGN.md's table).
ROLE_SOURCES: dict[tuple[Trigger, Role], frozenset[State]] = {
    (T.RETURN_DOSSIER, R.COMMUNE_OFFICER): frozenset({S.REGISTERED, S.CHECKED}),
    (T.RETURN_DOSSIER, R.PROVINCE_OFFICER): frozenset({S.SUBMITTED}),
}

INITIAL = State.REGISTERED


def transition_for(trigger: str) -> Transition:
    """The lifecycle row for ``trigger``; raises ``KeyError`` for an unknown name."""
    try:
        return TRANSITIONS[Trigger(trigger)]
    except ValueError:  # Trigger("approve"): not a step at all
        raise KeyError(trigger) from None


def mermaid(lang: str = "en") -> str:
    """The lifecycle as a mermaid ``stateDiagram-v2``, state labels in ``lang``."""
    lines = ["stateDiagram-v2"]
    for state in State:
        lines.append(f"    {state.value}: {state.label(lang)}")
    lines.append(f"    [*] --> {INITIAL.value}: {Trigger.REGISTER.value}")
    for transition in TRANSITIONS.values():
        for source in sorted(transition.sources):
            for dest in transition.dests:
                lines.append(f"    {source.value} --> {dest.value}: {transition.trigger.value}")
    for state in sorted(TERMINAL):
        lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"
