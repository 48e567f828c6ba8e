"""The dossier lifecycle, declared once, as data.

Everything else derives from :data:`TRANSITIONS`: the ``transitions`` machine the engine fires
on, the permission check, the CLI's commands and the mermaid diagram. A test walks the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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
        vi, en = _STATE_LABELS[self]
        return en if lang == "en" else vi


_STATE_LABELS: dict[State, tuple[str, str]] = {
    State.REGISTERED: ("Đã đăng ký", "Registered"),
    State.RETURNED: ("Trả lại để bổ sung", "Returned for completion"),
    State.CHECKED: ("Đã kiểm tra hồ sơ", "Checked"),
    State.COMMUNE_EVALUATED: ("Xã đã đánh giá", "Evaluated by the commune"),
    State.SUBMITTED: ("Đã gửi tỉnh", "Submitted to the province"),
    State.CENTRAL_REVIEW: ("Chờ Trung ương đánh giá", "Under central review"),
    State.RATED: ("Đã công nhận", "Rated and certified"),
    State.NOT_RECOGNIZED: ("Không được công nhận", "Not recognised"),
    State.RECERTIFICATION_DUE: ("Đến hạn đánh giá lại", "Re-rating due"),
    State.EXPIRED: ("Hết hiệu lực", "Certificate expired"),
    State.REVOKED: ("Bị thu hồi", "Revoked"),
    State.WITHDRAWN: ("Đã rút hồ sơ", "Withdrawn"),
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
        vi, en = _ROLE_LABELS[self]
        return en if lang == "en" else vi


_ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.PRODUCER: ("chủ thể sản xuất", "producer"),
    Role.COMMUNE_OFFICER: ("cán bộ xã", "commune officer"),
    Role.PROVINCE_OFFICER: ("cán bộ tỉnh", "province officer"),
    Role.CENTRAL_OFFICER: ("cán bộ Trung ương", "central officer"),
    Role.ADMIN: ("quản trị", "administrator"),
    Role.SYSTEM: ("hệ thống", "system"),
}

HUMAN_ROLES = frozenset(Role) - {Role.SYSTEM}


class Kind(StrEnum):
    """The kind of a cycle, as ticked on Mẫu 01."""

    FIRST = "first"
    UPGRADE = "upgrade"
    RERATING = "rerating"

    def label(self, lang: str = "vi") -> str:
        """The kind as Mẫu 01 names it."""
        vi, en = {
            Kind.FIRST: ("Lần đầu", "First rating"),
            Kind.UPGRADE: ("Nâng hạng", "Upgrade"),
            Kind.RERATING: ("Đánh giá lại", "Re-rating"),
        }[self]
        return en if lang == "en" else vi


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
        vi, en = _TRIGGER_LABELS[self]
        return en if lang == "en" else vi


_TRIGGER_LABELS: dict[Trigger, tuple[str, str]] = {
    Trigger.REGISTER: ("Đăng ký", "Register"),
    Trigger.RETURN_DOSSIER: ("Trả lại hồ sơ", "Return the dossier"),
    Trigger.RESUBMIT: ("Nộp lại", "Resubmit"),
    Trigger.CHECK: ("Kiểm tra hồ sơ", "Check the documents"),
    Trigger.EVALUATE: ("Đánh giá cấp xã", "Commune evaluation"),
    Trigger.SUBMIT: ("Gửi tỉnh đánh giá", "Submit to the province"),
    Trigger.RATE: ("Chấm điểm, phân hạng", "Rate"),
    Trigger.RATE_CENTRAL: ("Trung ương phân hạng", "Central rating"),
    Trigger.FLAG_RECERTIFICATION: ("Đến hạn đánh giá lại", "Re-rating falls due"),
    Trigger.REAPPLY: ("Đăng ký chu kỳ mới", "Start a new cycle"),
    Trigger.EXPIRE: ("Hết hạn giấy chứng nhận", "Certificate expires"),
    Trigger.REVOKE: ("Thu hồi", "Revoke"),
    Trigger.WITHDRAW: ("Rút hồ sơ", "Withdraw"),
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
    return TRANSITIONS[Trigger(trigger)]


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
