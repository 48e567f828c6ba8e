""" "Did you mean …?" for a mistyped command, subcommand, option or choice.

When argparse has refused a command line, :func:`mistake` reads the words again against the
parser itself (not argparse's message, whose words depend on the language) and finds the
first one that names nothing: a command (``ocop lsit``), a subcommand (``ocop user ad``), an
option (``ocop list --limt 5``) or an option's choice (``ocop list --sort dte``). It says so
in the officer's language with the closest names there are
(:func:`closest`, by difflib's ratio); the exit status stays 2.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ocop.text import Translate, translator

__all__ = ["Mistake", "closest", "mistake"]

_NEGATIVE = re.compile(r"^-\d")


def closest(word: str, candidates: Sequence[str]) -> list[str]:
    """Up to three of ``candidates`` that look like ``word``, the closest first, and only
    those nearly as close as the closest (``--exel``: ``--excel``, not ``--help`` too)."""
    scored = []
    for candidate in candidates:
        matcher = difflib.SequenceMatcher(None, word, candidate)
        if matcher.real_quick_ratio() >= _CUTOFF and matcher.ratio() >= _CUTOFF:
            scored.append((matcher.ratio(), candidate))
    scored.sort(key=lambda pair: -pair[0])  # stable: ties keep the parser's order
    return [name for score, name in scored[:3] if score >= scored[0][0] - _MARGIN]


_CUTOFF = 0.6
"""How alike a name must be to be offered (difflib's ratio, as get_close_matches)."""
_MARGIN = 0.1
"""How much less alike than the closest another name may be and still be offered."""


@dataclass(frozen=True)
class Mistake:
    """A word of the command line that names nothing, where it was, and what it may have been."""

    kind: str
    """``command``, ``option`` or ``choice``."""
    prog: str
    """The (sub)command it was given to: ``ocop``, ``ocop user``, ``ocop list``."""
    given: str
    known: tuple[str, ...]
    """What that place accepts."""
    option: str = ""
    """For a choice, the option it was given to."""

    @property
    def near(self) -> list[str]:
        """The closest of :attr:`known` to what was given."""
        return closest(self.given, self.known)

    def say(self, lang: str) -> str:
        """The refusal in one line for the officer, in ``lang``: ``lỗi: …``."""
        t = translator(lang)
        return t("lỗi: {exc}", exc=self._words(t))

    def _words(self, t: Translate) -> str:
        near = self.near
        help_hint = t(" (xem `{prog} --help`)", prog=self.prog)
        if self.kind == "command":
            if near:
                meant = t(" hay ").join(f"`{self.prog} {name}`" for name in near)
                return (
                    t(
                        "không có lệnh '{given}'; có phải ý bạn là {meant}?",
                        given=self.given,
                        meant=meant,
                    )
                    + help_hint
                )
            return (
                t(
                    "không có lệnh '{given}'; các lệnh: {known}",
                    given=self.given,
                    known=", ".join(self.known),
                )
                + help_hint
            )
        if self.kind == "option":
            if near:
                meant = t(" hay ").join(near)
                return (
                    t(
                        "không có tùy chọn {given}; có phải ý bạn là {meant}?",
                        given=self.given,
                        meant=meant,
                    )
                    + help_hint
                )
            return t("không có tùy chọn {given}", given=self.given) + help_hint
        known = ", ".join(self.known)
        if near:
            meant = t(" hay ").join(f"'{name}'" for name in near)
            return t(
                "{option}: không có '{given}'; có phải ý bạn là {meant}? (chọn một trong: {known})",
                option=self.option,
                given=self.given,
                meant=meant,
                known=known,
            )
        return t(
            "{option}: không có '{given}'; chọn một trong: {known}",
            option=self.option,
            given=self.given,
            known=known,
        )


def mistake(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Mistake | None:
    """The first word of ``argv`` that ``parser`` has no place for, else ``None`` (the refusal
    was about something else: a missing argument, a value of the wrong type)."""
    return next(_mistakes(parser, argv), None)


def _mistakes(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Iterator[Mistake]:
    where = parser
    words = iter(argv)
    for word in words:
        if word == "--":
            return
        if word.startswith("-") and len(word) > 1 and not _NEGATIVE.match(word):
            name, has_value, _ = word.partition("=")
            action = _option(name, where, parser)
            if action is None:
                known = _option_strings(where, parser)
                yield Mistake("option", where.prog, name, tuple(known))
                continue
            values = 0 if has_value else _values(action)
            for _ in range(values):
                value = next(words, None)
                if value is None:
                    return
                if action.choices is not None and value not in action.choices:
                    choices = tuple(str(choice) for choice in action.choices)
                    yield Mistake("choice", where.prog, value, choices, option=name)
            if has_value and action.choices is not None:
                value = word.partition("=")[2]
                if value not in action.choices:
                    choices = tuple(str(choice) for choice in action.choices)
                    yield Mistake("choice", where.prog, value, choices, option=name)
            continue
        sub = _subcommands(where)
        if sub is None:
            continue  # a positional argument of the command itself
        if word in sub.choices:
            where = sub.choices[word]
            continue
        yield Mistake("command", where.prog, word, tuple(sub.choices))
        return


def _subcommands(
    parser: argparse.ArgumentParser,
) -> argparse._SubParsersAction[argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _option_strings(*parsers: argparse.ArgumentParser) -> list[str]:
    found = {option for p in parsers for action in p._actions for option in action.option_strings}
    return sorted(option for option in found if option.startswith("--"))


def _option(
    name: str, where: argparse.ArgumentParser, top: argparse.ArgumentParser
) -> argparse.Action | None:
    """The action ``name`` selects in ``where`` (or among the options every command has), as
    argparse would: the whole name, or the start of exactly one long option."""
    for parser in (where, top):
        actions = parser._option_string_actions
        if name in actions:
            return actions[name]
    if name.startswith("--"):
        starts = {
            action
            for parser in (where, top)
            for option, action in parser._option_string_actions.items()
            if option.startswith(name)
        }
        if len(starts) == 1:
            return starts.pop()
    return None


def _values(action: argparse.Action) -> int:
    """How many of the following words the option takes (one at most for ``?``, ``*``, ``+``,
    enough to find a mistyped choice)."""
    if action.nargs == 0:
        return 0
    if isinstance(action.nargs, int):
        return action.nargs
    return 1
