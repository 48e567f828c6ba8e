"""Argument types shared by the command modules: dates, dossier numbers, document lists, and
the options a step's inputs declare (``ocop.states.inputs``), each kind mapped to its parsing.

A bad value is a usage error (exit 2), reported by argparse with the option's name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, assert_never

from ocop.cli.core import Context, Translate
from ocop.errors import InvalidInput
from ocop.states.inputs import Option, Parse, input_named

__all__ = [
    "MAX_INTEGER",
    "add_as_of",
    "add_documents",
    "add_dossier",
    "add_option",
    "add_plan",
    "as_of_today",
    "chosen_states",
    "date_type",
    "documents",
    "dossier_id",
    "option_dest",
    "option_value",
    "record_id",
    "states",
    "whole_number",
]


def date_type(t: Translate) -> Callable[[str], date]:
    """An argparse type for ``YYYY-MM-DD`` or ``DD/MM/YYYY``."""

    def parse(text: str) -> date:
        from ocop.models import to_date

        try:
            return to_date(text, "date")
        except InvalidInput:
            raise argparse.ArgumentTypeError(
                t("'{text}' không phải ngày hợp lệ; viết YYYY-MM-DD hoặc DD/MM/YYYY", text=text)
            ) from None

    parse.__name__ = "date"
    return parse


MAX_INTEGER = 2**63 - 1
"""The largest whole number the databases store (SQLite INTEGER, PostgreSQL BIGINT), as
``ocop.storage.database.MAX_INTEGER`` (not imported: SQLAlchemy is too heavy to start with)."""


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def dossier_id(t: Translate) -> Callable[[str], int]:
    """An argparse type for a dossier number."""
    return record_id(t, t("số hồ sơ (xem `ocop list`)"))


def record_id(t: Translate, what: str) -> Callable[[str], int]:
    """An argparse type for the number of a stored record (a dossier, a message): 1 and up, no
    larger than the database holds; ``what`` names it (``t("số thư")``)."""

    def parse(text: str) -> int:
        value = _whole(text)
        if value is None or not 1 <= value <= MAX_INTEGER:
            raise argparse.ArgumentTypeError(t("'{text}' không phải {what}", text=text, what=what))
        return value

    parse.__name__ = "number"
    return parse


def whole_number(t: Translate, *, minimum: int = 0) -> Callable[[str], int]:
    """An argparse type for a count such as ``--limit``: ``minimum`` up to what the database
    holds."""

    def parse(text: str) -> int:
        value = _whole(text)
        if value is None:
            raise argparse.ArgumentTypeError(t("'{text}' không phải số nguyên", text=text))
        if not minimum <= value <= MAX_INTEGER:
            raise argparse.ArgumentTypeError(
                t(
                    "'{text}' phải từ {minimum} đến {max_integer}",
                    text=text,
                    minimum=minimum,
                    max_integer=MAX_INTEGER,
                )
            )
        return value

    parse.__name__ = "number"
    return parse


def states(t: Translate) -> Callable[[str], list[str]]:
    """An argparse type for ``--state registered,checked``: each name a known state."""
    from ocop.states import State

    known = [s.value for s in State]

    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                t(
                    "không có trạng thái '{value}'; các trạng thái: {known}",
                    value=", ".join(unknown) or text,
                    known=", ".join(known),
                )
            )
        return names

    parse.__name__ = "state"
    return parse


def chosen_states(values: Sequence[Sequence[str]] | None) -> list[str] | None:
    """The states given to a repeatable ``--state`` (each a list), in one list; ``None`` for
    none."""
    found = [name for value in values or () for name in value]
    return found or None


def add_dossier(parser: argparse.ArgumentParser, t: Translate) -> None:
    """The positional ``ID`` of the dossier a command works on."""
    parser.add_argument("id", metavar="ID", type=dossier_id(t), help=t("số hồ sơ"))


def add_documents(parser: argparse.ArgumentParser, t: Translate) -> None:
    """``--documents mau_01,mau_02`` (repeatable) and ``--samples N``, as the steps declare them."""
    for name in ("documents", "samples"):
        declared = input_named(name)
        assert declared is not None  # declared in ocop.states.inputs
        for option in declared.options:
            add_option(parser, option, t)


def option_dest(option: Option) -> str:
    """Where argparse keeps the option's value: its flag's name (``--minimum-stars``:
    ``minimum_stars``), as argparse names it by default."""
    return option.flag.removeprefix("--").replace("-", "_")


def _parsing(option: Option, t: Translate) -> dict[str, Any]:
    """The argparse keywords that read the option's kind of text."""
    match option.parse:
        case Parse.TEXT | Parse.DOCUMENTS | Parse.SHEET:
            return {}
        case Parse.INTEGER:
            return {"type": int}
        case Parse.SCORE:
            return {"type": float}
        case Parse.DATE:
            return {"type": date_type(t)}
        case Parse.CHOICE:
            assert option.choices is not None  # Option checks it is declared
            return {"choices": list(option.choices())}
        case Parse.SHEETS:
            return {"type": Path}
        case unknown:
            assert_never(unknown)


def add_option(parser: argparse.ArgumentParser, option: Option, t: Translate) -> None:
    """The option as declared: its flag, help (in the officer's language), metavar, what its
    text is read as, and whether it repeats."""
    keywords = _parsing(option, t)
    if option.metavar is not None:
        keywords["metavar"] = option.metavar
    if option.repeated:
        keywords["action"] = "append"
    parser.add_argument(option.flag, dest=option_dest(option), help=option.help_text(t), **keywords)


def option_value(option: Option, value: Any) -> Any:
    """What the library is given for the option's parsed ``value`` (not ``None``): a date's ISO
    text, the names of ``--documents`` in one list; anything else as parsed."""
    if option.parse is Parse.DATE:
        return value.isoformat()
    if option.parse is Parse.DOCUMENTS:
        return documents(value if option.repeated else [value])
    return value


def documents(values: Sequence[str] | None) -> list[str] | None:
    """The names given to ``--documents``, split on commas; ``None`` when none were given."""
    if not values:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def add_as_of(parser: argparse.ArgumentParser, t: Translate) -> None:
    """``--as-of DATE``: deadlines counted as if today were that day (viewing only)."""
    parser.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("tính hạn như thể hôm nay là ngày này (chỉ để xem)"),
    )


def as_of_today(ctx: Context) -> date:
    """The day ``--as-of`` names, else today in Vietnam."""
    as_of: date | None = getattr(ctx.args, "as_of", None)
    return as_of or ctx.today()


def add_plan(parser: argparse.ArgumentParser, t: Translate) -> None:
    """``--plan FILE``: the commune's plan; without it (or ``OCOP_PLAN``), no plan is used."""
    parser.add_argument(
        "--plan",
        metavar="FILE",
        help=t("tệp kế hoạch của xã (OCOP_PLAN); không có thì không nhắc việc theo kế hoạch"),
    )
