"""The officers' command line, ``ocop``: parse, open the registry, call one method, print.

Configuration
    Each setting comes from its flag, else its ``OCOP_*`` environment variable, else the TOML
    config file (``--config``, ``$OCOP_CONFIG``, else ``~/.config/ocop/config.toml``), else the
    default: ``--db``/``OCOP_DATABASE``/``database`` (a URL or a SQLite file path; default
    ``~/.local/share/ocop/ocop.db``), ``--as``/``OCOP_USER``/``user``, ``--lang``/``OCOP_LANG``/
    ``lang`` (``vi`` or ``en``), ``OCOP_CALENDAR``/``calendar`` (local days off). See
    :mod:`ocop.cli.config`.

Exit status
    0 done; 1 the library refused (an :class:`~ocop.errors.OcopError`, printed as one line an
    officer can act on) or something unexpected failed; 2 a usage or configuration error. No
    traceback is printed unless ``--debug`` is given.

Adding commands
    A command module is listed by name in :data:`COMMAND_MODULES` and defines
    ``register(commands: ocop.cli.core.Commands) -> None``. There it calls
    ``commands.add(name, handler, help, json=...)`` for each subcommand (or ``commands.group``
    for one with subcommands of its own, like ``ocop user``), which returns an ordinary
    argparse parser for the module's arguments; the global options are added for it. A handler
    is ``handler(ctx: ocop.cli.core.Context) -> int``: ``ctx.args`` are the parsed arguments,
    ``ctx.registry()`` opens the registry, ``ctx.actor()`` is the acting user,
    ``ctx.t("Vietnamese text {name}", name=…)`` says a text of the catalogue in the reader's
    language (:mod:`ocop.text`; ``commands.t`` likewise for help texts; the msgid is the whole
    Vietnamese sentence, never looked up inside an f-string), ``ctx.settings.sections`` holds
    the config file's tables (``[mail]`` …) and ``ctx.print`` writes a line. It raises
    :class:`~ocop.cli.core.UsageError` for exit 2 and lets :class:`~ocop.errors.OcopError`
    through for exit 1. A module that reads environment variables of its own lists them in a
    module-level ``ENVIRONMENT`` dict (name → its Vietnamese help, marked ``N_`` for the
    catalogue), and ``ocop --help`` shows them with the others, in the reader's language.

    Every module is imported on every run, ``--help`` and ``--version`` included, so a module
    imports heavy dependencies (APScheduler, jinja2, smtplib) inside its handlers, never at the
    top; ``tests/test_cli_startup.py`` checks that light commands do not load them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ocop.cli.config import ENVIRONMENT, LANGS, config_path, load_file, pre_lang, resolve
from ocop.cli.core import (
    Commands,
    Context,
    Translate,
    UsageError,
    environment_help,
)
from ocop.cli.words import argparse_words
from ocop.errors import ConfigurationError, OcopError
from ocop.text import translator

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

COMMAND_MODULES: tuple[str, ...] = (
    "ocop.cli.users",
    "ocop.cli.dossiers",
    "ocop.cli.records",
    "ocop.cli.steps",
    "ocop.cli.transfer",
    "ocop.cli.db",
    "ocop.cli.demo",
    "ocop.cli.notify",
    "ocop.cli.daemon",
    "ocop.cli.service",
    "ocop.cli.plan",
    "ocop.cli.stamps",
    "ocop.cli.serve",
    "ocop.cli.documents",
    "ocop.cli.numbers",
    "ocop.cli.completion",
)
"""The modules whose ``register(commands)`` adds subcommands, in the order ``--help`` lists."""


def _common(t: Translate, *, suppress: bool) -> argparse.ArgumentParser:
    # The same options on the main parser and on every subcommand, so that both
    # `ocop --as lan show 3` and `ocop show 3 --as lan` work; on subcommands an option left
    # out must not overwrite the main parser's value, hence SUPPRESS.
    default = argparse.SUPPRESS if suppress else None
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group(t("tùy chọn chung"))
    group.add_argument(
        "--db",
        dest="database",
        metavar="URL_OR_FILE",
        default=default,
        help=t("cơ sở dữ liệu (OCOP_DATABASE)"),
    )
    group.add_argument(
        "--as",
        dest="user",
        metavar="USER",
        default=default,
        help=t("người dùng thực hiện (OCOP_USER)"),
    )
    group.add_argument(
        "--lang",
        choices=LANGS,
        default=default,
        help=t("ngôn ngữ hiển thị (OCOP_LANG)"),
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help=t("tệp cấu hình TOML (OCOP_CONFIG)"),
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default if suppress else False,
        help=t("in traceback khi có lỗi"),
    )
    return parser


def _epilog(t: Translate, environment: Mapping[str, str]) -> str:
    lines = environment_help(t, environment)
    lines += [
        "",
        t(
            "Thứ tự ưu tiên: tùy chọn dòng lệnh, biến môi trường, rồi tệp cấu "
            "hình\n(~/.config/ocop/config.toml với các khóa database, user, lang, "
            "calendar)."
        ),
        t("Mặc định dùng tệp SQLite ~/.local/share/ocop/ocop.db. Thử ngay: ocop demo"),
    ]
    return "\n".join(lines)


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The whole command line, help texts in ``lang``."""
    from ocop import __version__

    t = translator(lang)
    parser = argparse.ArgumentParser(
        prog="ocop",
        description=t(
            "Quản lý hồ sơ sản phẩm OCOP (mỗi xã một sản phẩm): đăng ký, kiểm tra, "
            "đánh giá, gửi tỉnh, phân hạng, đánh giá lại."
        ),
        parents=[_common(t, suppress=False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ocop {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = Commands(subparsers, _common(t, suppress=True), lang)
    environment = dict(ENVIRONMENT)
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(commands)
        environment.update(getattr(module, "ENVIRONMENT", {}))
    parser.epilog = _epilog(t, environment)
    return parser


def _error(prefix: str, message: str) -> None:
    sys.stderr.write(f"{prefix}: {message}\n")


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str], lang: str) -> argparse.Namespace:
    """``parser.parse_args(argv)``, a refusal said in one line (argparse's usage left out)."""
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            return parser.parse_args(argv)
    except SystemExit as exc:
        text = said.getvalue()
        if exc.code in (0, None):
            sys.stderr.write(text)
            raise
        last = text.rstrip("\n").rpartition("\n")[2]
        prog, sep, message = last.partition(": error: ")
        if not sep:
            sys.stderr.write(text)
            raise
        t = translator(lang)
        from ocop.cli.suggestions import mistake

        found = mistake(parser, argv)
        if found is not None:  # a mistyped name: say what it may have been
            _error(found.prog, found.say(lang))
            raise
        if lang != "en" and message.startswith("argument "):
            message = message.removeprefix("argument ")  # "--limit: …", the words being ours
        hint = "" if "`" in message else t(" (xem `{prog} --help`)", prog=prog)
        _error(prog, t("lỗi: {message}{hint}", message=message, hint=hint))
        raise


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run ``ocop`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    try:
        path, explicit = config_path(argv, environ)
        data = load_file(path, explicit)
    except UsageError as exc:
        _error("ocop", str(exc))
        return 2
    lang = pre_lang(argv, environ, data)
    with argparse_words(lang):
        return _run(argv, environ, data, path, lang)


def _run(
    argv: list[str], environ: Mapping[str, str], data: dict[str, Any], path: Path, lang: str
) -> int:
    debug = "--debug" in argv
    parser = build_parser(lang)
    args = _parse(parser, argv, lang)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return 2
    if debug:
        logging.basicConfig(level=logging.DEBUG)
    t = translator(lang)
    sub = getattr(args, f"{args.command}_command", None)
    prog = f"ocop {args.command}" + (f" {sub}" if sub else "")
    ctx: Context | None = None
    try:
        settings = resolve(vars(args), environ, data, path)
        ctx = Context(args, settings)
        return int(args.handler(ctx))
    except UsageError as exc:
        _error(prog, t("lỗi: {exc}", exc=exc))
        return 2
    except OcopError as exc:
        if debug:
            traceback.print_exc()
        from ocop.cli.messages import explain

        actor = ctx.acting if ctx else None
        dossier = ctx.subject if ctx else None
        _error(prog, explain(exc, ctx.lang if ctx else lang, actor=actor, dossier=dossier))
        # A setting that names something unusable (the database, its driver) is the
        # configuration's fault, like a usage error.
        return 2 if isinstance(exc, ConfigurationError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away; say nothing, and keep Python from complaining.
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if debug:
            raise
        _error(
            prog,
            t(
                "lỗi không mong đợi: {name}: {exc} (chạy lại với --debug để xem chi tiết)",
                name=type(exc).__name__,
                exc=exc,
            ),
        )
        return 1
    finally:
        if ctx is not None:
            ctx.close()
