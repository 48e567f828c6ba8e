"""ocop: the dossier lifecycle engine for Vietnam's OCOP programme (mỗi xã một sản phẩm).

Open a registry on a database and take dossiers through their lifecycle::

    import ocop

    reg = ocop.open("sqlite:///ocop.db")
    officer = ocop.Actor("lan", ocop.Role.COMMUNE_OFFICER, commune="Lưu Vệ", province="Thanh Hóa")
    dossier = reg.register({...}, actor=officer)
    reg.fire(dossier.id, "check", actor=officer, documents=["mau_01", "mau_02"], samples=5)

The names below load on first use, so that ``import ocop`` (and ``ocop --version``) stays
cheap; SQLAlchemy and pydantic are imported when a registry or a model is first needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ocop.errors import (
    ConcurrentUpdate,
    GuardFailed,
    InvalidInput,
    NotFound,
    OcopError,
    PermissionDenied,
    RegistryClosed,
    RowsRejected,
    StorageUnavailable,
    TransitionNotAllowed,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ocop.models import (
        Actor,
        Certificate,
        CertifiedProduct,
        Dossier,
        HistoryEntry,
        Kind,
        Registration,
        User,
    )
    from ocop.settings import Settings
    from ocop.states import Role, RuleSet, State, Trigger
    from ocop.workdays import Calendar
    from ocop.workflow.numbers import AreaCodes
    from ocop.workflow.registry import Notices, Registry, TransitionEvent

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "AreaCodes",
    "Calendar",
    "Certificate",
    "CertifiedProduct",
    "ConcurrentUpdate",
    "Dossier",
    "GuardFailed",
    "HistoryEntry",
    "InvalidInput",
    "Kind",
    "NotFound",
    "OcopError",
    "PermissionDenied",
    "Registration",
    "Registry",
    "RegistryClosed",
    "Role",
    "RowsRejected",
    "RuleSet",
    "Settings",
    "State",
    "StorageUnavailable",
    "TransitionEvent",
    "TransitionNotAllowed",
    "Trigger",
    "User",
    "open",
]

_LAZY = {
    **dict.fromkeys(
        (
            "Actor",
            "Certificate",
            "CertifiedProduct",
            "Dossier",
            "HistoryEntry",
            "Kind",
            "Registration",
            "User",
        ),
        "ocop.models",
    ),
    **dict.fromkeys(("Role", "RuleSet", "State", "Trigger"), "ocop.states"),
    "Calendar": "ocop.workdays",
    "Settings": "ocop.settings",
    "Registry": "ocop.workflow.registry",
    "AreaCodes": "ocop.workflow.numbers",
    "TransitionEvent": "ocop.workflow.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ocop' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def open(
    target: str | Settings = "sqlite:///ocop.db",
    *,
    clock: Callable[[], datetime] | None = None,
    calendar: Calendar | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
    notices: Notices | None = None,
    upgrade: bool | None = None,
    engine: Engine | None = None,
    area_codes: Mapping[tuple[str, str], AreaCodes] | None = None,
) -> Registry:
    """Open a :class:`Registry` on a database: a URL (SQLite or PostgreSQL) or :class:`Settings`.

    The CLI, the daemon and a host application all open their registry here, so they build
    the same things from the same settings: the commune's plan and whom its notices tell, the
    calendar of days off, the outbox (``registry.outbox``) and the schema policy.

    With ``upgrade`` (the default, or ``Settings.upgrade``) a new or older schema is brought up
    to date first; pass ``upgrade=False`` where the schema is managed with ``ocop db upgrade``.

    ``engine`` is a host application's SQLAlchemy engine to use instead of the URL's (ocop
    neither configures nor disposes it); :meth:`Registry.within` then works inside one of its
    connections, so that the host's rows and ocop's commit or roll back together::

        registry = ocop.open(engine=portal_engine)
        with portal_engine.begin() as conn:
            registry.within(conn).fire(...)

    ``area_codes`` gives the official codes (QĐ 19/2025/QĐ-TTg) of communes other than the
    plan's, by (province, commune), for the numbers of the record (``ocop.workflow.numbers``)::

        ocop.open(url, area_codes={("Thanh Hóa", "Quảng Yên"): ocop.AreaCodes("38", "…")})

    ``notices`` turns each transition into outbox messages, written in its transaction. By
    default a producer who gave an e-mail address hears that their dossier was accepted,
    returned, rated or revoked, and, with a plan in the settings, the plan's officers hear of
    ratings, revocations and returns too; ``notices=lambda *_: ()`` writes none. ``clock``
    returns the current aware datetime (tests and previews pass their own).

    Raises :class:`InvalidInput` for a URL that is not a database's, a bad plan or calendar
    file, and :class:`StorageUnavailable` when the database cannot be reached.
    """
    from ocop.settings import Settings
    from ocop.storage.database import Database
    from ocop.workflow.registry import Registry

    if engine is not None and isinstance(target, str):
        target = engine.url.render_as_string(hide_password=False)
    settings = target if isinstance(target, Settings) else Settings(database=target)
    plan = settings.load_plan()
    if calendar is None and settings.calendar is not None:
        from ocop.workdays import Calendar

        calendar = Calendar.from_file(settings.calendar)
    if notices is None:
        from ocop.notifications.notices import default_notices, notices_for

        notices = notices_for(plan) if plan is not None else default_notices
    database = Database(settings.database) if engine is None else Database.on_engine(engine)
    try:
        if (settings.upgrade if upgrade is None else upgrade) and not database.schema_is_current():
            database.upgrade()
        return Registry(
            database,
            clock=clock,
            calendar=calendar,
            rule_sets=rule_sets,
            notices=notices,
            plan=plan,
            area_codes=area_codes,
        )
    except BaseException:
        database.close()
        raise
