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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ocop.text import Translate, translator

if TYPE_CHECKING:
    from ocop import Actor, Dossier, Registry
    from ocop.plan import Plan
    from ocop.workdays import Calendar

__all__ = [
    "READ_COMMANDS",
    "Commands",
    "Context",
    "Handler",
    "Settings",
    "Translate",
    "UsageError",
    "command_name",
    "environment_help",
    "load_calendar",
    "load_plan",
    "open_registry",
    "sqlite_file",
]


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


def environment_help(t: Translate, environment: Mapping[str, str]) -> list[str]:
    """The lines of ``--help`` that list environment variables with their help texts."""
    width = max(len(name) for name in environment)
    lines = [t("Biến môi trường:")]
    lines += [f"  {name.ljust(width)}  {t(text)}" for name, text in environment.items()]
    return lines


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
                help=self.t("in JSON cho chương trình khác đọc"),
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
            create = command_name(self.args) not in READ_COMMANDS
            self._registry = open_registry(self.settings, create=create)
        return self._registry

    def today(self) -> date:
        """Today in Vietnam, by the registry's clock."""
        return self.registry().today()

    def actor(self) -> Actor:
        """The acting user (``--as`` / ``OCOP_USER``); a :class:`UsageError` without one."""
        if not self.settings.user:
            raise UsageError(
                self.t(
                    "lệnh này cần biết ai thực hiện: thêm --as TÊN_NGƯỜI_DÙNG hoặc đặt biến "
                    "OCOP_USER (xem `ocop user list`)"
                )
            )
        if self.acting is None:
            self.acting = self.registry().actor(self.settings.user)
        return self.acting

    def reader(self) -> Actor:
        """The acting user of a command that reads: configured, known and active.

        Without one the command is a :class:`UsageError` (exit 2) and reads nothing; an
        unknown or disabled user is refused by the registry (exit 1). What the reader then
        sees is scoped by their role and area (:mod:`ocop.workflow.permissions`).
        """
        if not self.settings.user:
            raise UsageError(
                self.t(
                    "lệnh này đọc hồ sơ và thông tin liên hệ, nên cần biết ai đọc: thêm "
                    "--as TÊN_NGƯỜI_DÙNG hoặc đặt biến OCOP_USER; mỗi người chỉ thấy địa "
                    "bàn của mình"
                )
            )
        return self.actor()

    def close(self) -> None:
        """Close the registry if it was opened."""
        if self._registry is not None:
            self._registry.close()
            self._registry = None


def load_plan(path: str | None) -> Plan | None:
    """The commune plan at ``path``, or ``None`` when no plan was named."""
    if not path:
        return None
    from ocop.plan import load_plan as load

    return load(Path(path).expanduser())


READ_COMMANDS = frozenset(
    {
        "list",
        "show",
        "history",
        "export",
        "reminders",
        "status",
        "outbox list",
        "outbox show",
        "user list",
        "document mau-03",
        "document letter",
        "report progress",
        "report dossiers",
    }
)
"""The commands that only read: on a SQLite file that does not exist they create nothing."""


def command_name(args: argparse.Namespace) -> str:
    """``list``, ``outbox list`` …: the command (and subcommand) the arguments run."""
    command = str(getattr(args, "command", None) or "")
    sub = getattr(args, f"{command}_command", None)
    return f"{command} {sub}" if sub else command


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (``sqlite:///…``, ``sqlite:///file:…?uri=true``), else
    ``None`` (PostgreSQL, an in-memory database)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None  # Database() says what is wrong with it
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if parsed.query.get("uri") == "true" and name.startswith("file:"):
        name = name.removeprefix("file:").split("?", 1)[0]
        if name.startswith("//"):  # file://host/path: only the local, empty host
            name = name[2:].partition("/")[2]
            name = "/" + name
    if name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name).expanduser()


def load_calendar(settings: Settings) -> Calendar | None:
    """The local days-off file the settings name; a missing or bad one is a usage error."""
    if not settings.calendar:
        return None
    from ocop.errors import InvalidInput
    from ocop.workdays import Calendar

    t = translator(settings.lang)
    path = Path(settings.calendar).expanduser()
    if not path.is_file():
        raise UsageError(
            t(
                "không có tệp lịch nghỉ {path} (OCOP_CALENDAR / khóa calendar); sửa "
                "đường dẫn hoặc bỏ thiết lập đó",
                path=path,
            )
        )
    try:
        return Calendar.from_file(path)
    except InvalidInput as exc:
        raise UsageError(t("tệp lịch nghỉ không dùng được: {exc}", exc=exc)) from None


def open_registry(
    settings: Settings, *, check_schema: bool = True, create: bool = True
) -> Registry:
    """Open the registry the settings name.

    SQLite, the embedded default, is created and upgraded on first use so that a new user needs
    no set-up; with ``create`` false (the read commands) a SQLite file that does not exist is a
    :class:`UsageError` saying how to make one, and nothing is created. A PostgreSQL schema is
    left to ``ocop db upgrade``, run by whoever manages it, and ``check_schema`` refuses to
    work on one that is missing or older.
    """
    import ocop
    from ocop.errors import SchemaNotCurrent

    url = settings.database
    sqlite = url.startswith("sqlite")
    file = sqlite_file(url)
    if file is not None and not create and not file.exists():
        t = translator(settings.lang)
        raise UsageError(
            t(
                "không có cơ sở dữ liệu {file}: kiểm tra --db / OCOP_DATABASE, hoặc tạo "
                "mới bằng `ocop db upgrade` (hay lần `ocop user add` đầu tiên)",
                file=file,
            )
        )
    calendar = load_calendar(settings)
    if settings.database_is_default and file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    from ocop.notifications.notices import notices_for

    # Only a plan that was named tells its officers; without one, producers alone are told.
    plan = load_plan(settings.plan)
    notices = notices_for(plan)
    # The plan also gives the registry its commune's codes (the numbers of the record).
    from ocop.settings import Settings as Opening

    registry = ocop.open(
        Opening(database=url, plan=plan), calendar=calendar, upgrade=sqlite, notices=notices
    )
    try:
        if check_schema and not sqlite and not registry.database.schema_is_current():
            raise SchemaNotCurrent(registry.database.name)
    except BaseException:
        registry.close()
        raise
    return registry
