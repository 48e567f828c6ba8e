"""Where the CLI's settings come from: flags, then ``OCOP_*`` variables, then a TOML file.

The file is ``--config``, else ``$OCOP_CONFIG``, else ``$XDG_CONFIG_HOME/ocop/config.toml``
(``~/.config/ocop/config.toml``); a missing default file is no error. Its top-level keys are
those of :data:`KEYS`; its tables (``[mail]`` …) belong to the command modules that read them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ocop.cli.core import Settings, UsageError
from ocop.text import N_

__all__ = ["ENVIRONMENT", "KEYS", "LANGS", "database_url", "load_file", "pre_lang", "resolve"]

LANGS = ("vi", "en")

KEYS = ("database", "user", "lang", "calendar", "plan")
"""Top-level keys of the config file."""

ENVIRONMENT: dict[str, str] = {
    "OCOP_DATABASE": N_(
        "cơ sở dữ liệu: URL (sqlite:///…, postgresql+psycopg://…) hoặc đường dẫn tệp SQLite"
    ),
    "OCOP_USER": N_("người dùng thực hiện (như --as)"),
    "OCOP_LANG": N_("ngôn ngữ: vi (mặc định) hoặc en"),
    "OCOP_PROGRESS_DELAY": N_("số giây làm việc trước khi hiện thanh tiến độ (mặc định 1)"),
    "OCOP_CONFIG": N_("tệp cấu hình TOML (mặc định ~/.config/ocop/config.toml)"),
    "OCOP_PLAN": N_("tệp kế hoạch OCOP của xã (TOML); không có thì không nhắc việc theo kế hoạch"),
    "OCOP_CALENDAR": N_("tệp TOML ngày nghỉ, ngày làm bù do Chính phủ công bố"),
}
"""Each variable the CLI reads, with its help text in Vietnamese and English."""


def _home(environ: Mapping[str, str]) -> Path:
    # The environment given, not the process's, so that main(environ=...) is self-contained.
    return Path(environ["HOME"]) if environ.get("HOME") else Path.home()


def default_config_file(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/ocop/config.toml``, by default under ``~/.config``."""
    base = environ.get("XDG_CONFIG_HOME") or str(_home(environ) / ".config")
    return Path(base) / "ocop" / "config.toml"


def default_database_file(environ: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/ocop/ocop.db``, by default under ``~/.local/share``."""
    base = environ.get("XDG_DATA_HOME") or str(_home(environ) / ".local" / "share")
    return Path(base) / "ocop" / "ocop.db"


def database_url(value: str) -> str:
    """A database URL as given, or a SQLite URL for a file path (``~`` expanded)."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _flag(argv: Sequence[str], name: str) -> str | None:
    """The value of ``--name X`` / ``--name=X`` in ``argv`` before argparse has run."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def config_path(argv: Sequence[str], environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file to read, and whether it was named explicitly."""
    named = _flag(argv, "--config") or environ.get("OCOP_CONFIG")
    if named:
        return Path(named).expanduser(), True
    return default_config_file(environ), False


def load_file(path: Path, explicit: bool) -> dict[str, Any]:
    """The config file's contents; ``{}`` for a missing default file."""
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"{path}: config file not found") from None
        return {}
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a valid TOML file: {exc}") from None
    for key, value in data.items():
        if isinstance(value, dict):
            continue
        if key not in KEYS:
            raise UsageError(
                f"{path}: unknown setting '{key}'; the settings are {', '.join(KEYS)} "
                "(and tables such as [mail])"
            )
        if not isinstance(value, str):
            raise UsageError(f"{path}: '{key}' must be text in quotes")
    return data


def pre_lang(argv: Sequence[str], environ: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """The language for ``--help`` texts, which argparse needs before it parses."""
    lang = _flag(argv, "--lang") or environ.get("OCOP_LANG") or data.get("lang") or "vi"
    return str(lang) if lang in LANGS else "vi"


def resolve(
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
    data: Mapping[str, Any],
    config_file: Path,
) -> Settings:
    """Settings from parsed ``flags``, then ``environ``, then the file ``data``."""

    def pick(flag: str, variable: str, key: str) -> str | None:
        value = flags.get(flag) or environ.get(variable) or data.get(key)
        return str(value) if value else None

    lang = pick("lang", "OCOP_LANG", "lang") or "vi"
    if lang not in LANGS:
        raise UsageError(f"language '{lang}' is not supported; use vi or en")
    database = pick("database", "OCOP_DATABASE", "database")
    default = database is None
    url = database_url(database) if database else database_url(str(default_database_file(environ)))
    return Settings(
        database=url,
        database_is_default=default,
        user=pick("user", "OCOP_USER", "user"),
        lang=lang,
        calendar=pick("calendar", "OCOP_CALENDAR", "calendar"),
        config_file=str(config_file) if data else None,
        sections={k: v for k, v in data.items() if isinstance(v, dict)},
        # The [mail] table's ``plan`` is where it was read before it became a top-level key.
        plan=pick("plan", "OCOP_PLAN", "plan") or _text(data.get("mail", {}).get("plan")),
        environ=environ,
    )


def _text(value: Any) -> str | None:
    return str(value) if value else None
