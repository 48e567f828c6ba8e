"""One configuration object for every way in: the CLI, the daemon and a host application.

The library never reads the environment: the CLI and the daemon fill :class:`Settings` from
their options, the ``OCOP_*`` variables and the config file, a host builds one in code, and
all of them call :func:`ocop.open` with it, which builds the same plan, calendar, notices,
outbox and schema policy for each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ocop.plan import Plan

__all__ = ["Settings"]


class Settings(BaseModel):
    """What a registry needs to know, given explicitly.

    >>> settings = Settings(database="sqlite:///luuve.db", plan="ke-hoach-2026.toml")
    >>> registry = ocop.open(settings)  # doctest: +SKIP

    ``plan`` names the commune's yearly plan (a TOML file, or a :class:`~ocop.plan.Plan`
    already loaded). With one, its officers hear of ratings, revocations and returns too, and
    the daemon sends its reminders; without one (the default) only producers who gave an
    e-mail address are told of their own dossiers. ``calendar`` is a TOML file of the days
    off and make-up working days the government announces. ``upgrade`` creates or upgrades
    the schema on open; a PostgreSQL deployment whose schema is managed with
    ``ocop db upgrade`` passes ``False``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    database: str = "sqlite:///ocop.db"
    """A SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql+psycopg://user@host/db``."""
    plan: Plan | Path | None = None
    calendar: Path | None = None
    lang: Literal["vi", "en"] = "vi"
    """The language of what officers read, where the library writes it."""
    upgrade: bool = True

    def load_plan(self) -> Plan | None:
        """The plan, read from its file if need be; ``InvalidInput`` names a bad line."""
        if self.plan is None or isinstance(self.plan, Plan):
            return self.plan
        from ocop.plan import load_plan

        return load_plan(self.plan.expanduser())
