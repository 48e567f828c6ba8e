"""What every command module shares: :class:`Commands` to add subcommands, the
:class:`Context` a handler receives, and :class:`UsageError`.

Kept free of heavy imports: every command module imports this one at start-up, including for
``ocop --version``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ocop import Actor, Dossier, Registry
    from ocop.plan import Plan

__all__ = [
    "Commands",
    "Context",
    "Handler",
    "Settings",
    "Translate",
    "UsageError",
    "load_plan",
    "open_registry",
]

Translate = Callable[[str, str], str]
"""``t(vi, en)``: the text in the language of the run."""

Handler = Callable[["Context"], int]
"""A subcommand: receives the :class:`Context`, returns the exit status."""


class UsageError(Exception):
    """The command line or the configuration is wrong: printed as one line, exit status 2."""


@dataclass(frozen=True)
class Settings:
    """The resolved configuration: each value from a flag, else ``OCOP_*``, else the file."""

    database: str
    database_is_default: bool
    user: str | None
    lang: str
    calendar: str | None
    config_file: str | None
    sections: dict[str, Any] = field(default_factory=dict)
    """The config file's tables (``[mail]`` …), for the command modules that own them."""
    plan: str | None = None
    """The commune plan file (``--plan``, ``OCOP_PLAN``, the file's ``plan``); none unless named."""
    environ: Mapping[str, str] = field(default_factory=dict)
    """The environment the run was given (``main(environ=…)``), for the modules' own variables."""


def translator(lang: str) -> Translate:
    """``t(vi, en)`` for ``lang``."""
    if lang == "en":
        return lambda vi, en: en
    return lambda vi, en: vi


class Commands:
    """Where a command module adds its subcommands (see ``ocop.cli``'s docstring).

    ``add`` returns an ordinary :class:`argparse.ArgumentParser` for the module's own
    arguments; the global options (``--db``, ``--as``, ``--lang``, ``--config``,
    ``--debug``) are added to it here, so they may be written before or after the command.
    """

    def __init__(
        self,
        subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
        lang: str,
    ) -> None:
        self._subparsers = subparsers
        self._common = common
        self.lang = lang
        self.t: Translate = translator(lang)

    def add(
        self,
        name: str,
        handler: Handler,
        help: str,
        *,
        json: bool = False,
        description: str | None = None,
    ) -> argparse.ArgumentParser:
        """A subcommand ``name`` run by ``handler``; ``json`` adds the ``--json`` option."""
        parser = self._subparsers.add_parser(
            name,
            help=help,
            description=description or help,
            parents=[self._common],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.set_defaults(handler=handler)
        if json:
            parser.add_argument(
                "--json",
                action="store_true",
                help=self.t("in JSON cho chương trình khác đọc", "print JSON for scripts"),
            )
        return parser

    def group(self, name: str, help: str) -> Commands:
        """A subcommand with subcommands of its own (``ocop user add``)."""
        parser = self._subparsers.add_parser(name, help=help, description=help)
        sub = parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)
        return Commands(sub, self._common, self.lang)


class Context:
    """What a handler works with: its arguments, the settings, output, the registry.

    The registry is opened on first use and closed by ``main`` after the handler returns.
    """

    def __init__(
        self,
        args: argparse.Namespace,
        settings: Settings,
        *,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.args = args
        self.settings = settings
        self.lang = settings.lang
        self.t: Translate = translator(settings.lang)
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._registry: Registry | None = None
        self.acting: Actor | None = None
        """The acting user once :meth:`actor` has found them (error messages use it)."""
        self.subject: Dossier | None = None
        """The dossier a step command works on, set before it fires (error messages use it)."""

    def print(self, text: str = "") -> None:
        """Write a line to standard output."""
        self.stdout.write(text + "\n")

    def registry(self) -> Registry:
        """The registry on the configured database, opened (and created for SQLite) once."""
        if self._registry is None:
            self._registry = open_registry(self.settings)
        return self._registry

    def today(self) -> date:
        """Today in Vietnam, by the registry's clock."""
        return self.registry().today()

    def actor(self) -> Actor:
        """The acting user (``--as`` / ``OCOP_USER``); a :class:`UsageError` without one."""
        if not self.settings.user:
            raise UsageError(
                self.t(
                    "lệnh này cần biết ai thực hiện: thêm --as TÊN_NGƯỜI_DÙNG "
                    "hoặc đặt biến OCOP_USER (xem `ocop user list`)",
                    "this command needs to know who acts: add --as USERNAME or set "
                    "OCOP_USER (see `ocop user list`)",
                )
            )
        if self.acting is None:
            self.acting = self.registry().actor(self.settings.user)
        return self.acting

    def optional_actor(self) -> Actor | None:
        """The acting user if one is configured, else ``None``."""
        return self.actor() if self.settings.user else None

    def close(self) -> None:
        """Close the registry if it was opened."""
        if self._registry is not None:
            self._registry.close()
            self._registry = None


def load_plan(path: str | None) -> Plan | None:
    """The commune plan at ``path``, or ``None`` when no plan was named."""
    if not path:
        return None
    from pathlib import Path

    from ocop.plan import load_plan as load

    return load(Path(path).expanduser())


def open_registry(settings: Settings, *, check_schema: bool = True) -> Registry:
    """Open the registry the settings name.

    SQLite, the embedded default, is created and upgraded on first use so that a new user needs
    no set-up; a PostgreSQL schema is left to ``ocop db upgrade``, run by whoever manages it,
    and ``check_schema`` refuses to work on one that is missing or older.
    """
    import ocop
    from ocop.errors import StorageUnavailable
    from ocop.workdays import Calendar

    url = settings.database
    sqlite = url.startswith("sqlite")
    if settings.database_is_default:
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    calendar = Calendar.from_file(settings.calendar) if settings.calendar else None
    from ocop.notifications.notices import notices_for

    # Only a plan that was named tells its officers; without one, producers alone are told.
    notices = notices_for(load_plan(settings.plan))
    registry = ocop.open(url, calendar=calendar, upgrade=sqlite, notices=notices)
    if check_schema and not sqlite and not registry.database.schema_is_current():
        name = registry.database.name
        registry.close()
        raise StorageUnavailable(
            f"Database {name} has no up-to-date ocop schema; run `ocop db upgrade` first."
        )
    return registry
