"""One command per step an officer or producer takes: ``check``, ``return``, ``resubmit``,
``evaluate``, ``submit``, ``rate``, ``rate-central``, ``revoke``, ``reapply``, ``withdraw``.

Each loads the dossier, fires one trigger with the data its options give, and prints the
outcome. The library decides; a refusal comes back as one line and exit status 1.

The options, their help and how their values reach the library are read from the trigger's
inputs (``ocop.states.inputs``); only what no single input can say is written here: the rating
options that exclude each other, and the council's sheets, read once the dossier is loaded.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ocop.cli.args import add_dossier, add_option, option_dest, option_value
from ocop.cli.core import Commands, Context, UsageError
from ocop.cli.dossiers import print_outcome
from ocop.council import read_sheets, sheet_format, sheet_options
from ocop.errors import InvalidInput
from ocop.states import RuleSet, Trigger
from ocop.states.inputs import INPUTS, Input, Parse
from ocop.text import N_

__all__ = ["register"]

Data = Callable[[argparse.Namespace], dict[str, Any]]


@dataclass(frozen=True)
class _Sheets:
    """The council's sheets as the options name them: a file, or one option per member.

    Read once the dossier is loaded, against its own rule set's part maxima, in the
    officer's language; ``tests/test_inputs.py`` sees the ``sheets`` input arrive.
    """

    file: Path | None
    specs: tuple[str, ...]

    def read(self, ctx: Context, rules: RuleSet) -> list[dict[str, Any]] | None:
        """The sheets, or ``None`` after printing every bad line (nothing is changed)."""
        t = ctx.t
        if self.file is not None and self.specs:
            raise UsageError(t("Dùng --sheets TỆP hoặc --sheet, không dùng cả hai."))
        if self.file is not None:
            fmt = sheet_format(self.file)
            if fmt is None:
                raise UsageError(
                    t("{file}: --sheets đọc tệp .csv, .xlsx hoặc .toml.", file=self.file)
                )
            try:
                raw = self.file.read_bytes()
            except OSError as exc:
                raise UsageError(f"{self.file}: {exc.strerror}") from None
            reading = read_sheets(raw, fmt, part_maxima=rules.part_maxima, lang=ctx.lang)
            where = str(self.file)
        else:
            reading = sheet_options(self.specs, part_maxima=rules.part_maxima, lang=ctx.lang)
            where = "--sheet"
        if not reading.problems:
            return reading.sheets
        for line in sorted(reading.problems):
            place = (
                t("{where}: dòng {line}: ", where=where, line=line)
                if self.file is not None
                else t("--sheet thứ {line}: ", line=line)
            )
            ctx.stderr.write(place + "; ".join(reading.problems[line]) + "\n")
        ctx.stderr.write(
            t(
                "Chưa chấm điểm: {problems_count} phiếu có lỗi. Sửa rồi chạy lại.",
                problems_count=len(reading.problems),
            )
            + "\n"
        )
        return None


def _check_rating(ctx: Context, values: dict[str, Any], today: date) -> None:
    """What the rating options cannot say together, said before anything is read."""
    t = ctx.t
    parts = [f"--{p}" for p in ("a", "b", "c") if values.get(p) is not None]
    if values.get("sheets") is not None and parts:
        raise UsageError(
            t(
                "Dùng phiếu của các thành viên (--sheets/--sheet) hoặc điểm trung bình "
                "Hội đồng đã quyết định ({parts}), không dùng cả hai.",
                parts=", ".join(parts),
            )
        )
    proposed = values.get("proposed_on")
    if proposed is not None and date.fromisoformat(proposed) > today:
        # Invalid data, not usage: exit 1; the text is already the officer's language.
        raise InvalidInput(
            t(
                "--proposed-on {day:%d/%m/%Y} là ngày trong tương lai; ghi ngày văn bản đề nghị "
                "của tỉnh đã ký.",
                day=date.fromisoformat(proposed),
            ),
            field="proposed_on",
        )


def _fire(trigger: Trigger, data: Data) -> Callable[[Context], int]:
    def handler(ctx: Context) -> int:
        actor = ctx.actor()
        reg = ctx.registry()
        before = reg.get(ctx.args.id)
        ctx.subject = before
        values = data(ctx.args)
        _check_rating(ctx, values, reg.today())
        if isinstance(values.get("sheets"), _Sheets):
            sheets = values["sheets"].read(ctx, reg.rule_set(before.rule_set))
            if sheets is None:
                return 1
            values["sheets"] = sheets
        after = reg.fire(
            before.id,
            trigger.value,
            actor=actor,
            note=ctx.args.note,
            expected_version=before.version,
            **values,
        )
        print_outcome(ctx, before, after, actor)
        return 0

    handler.__doc__ = f"``ocop`` step firing ``{trigger.value}``."
    return handler


def _value(declared: Input, args: argparse.Namespace) -> Any:
    """What the officer gave for one input, as the library takes it; ``None`` for nothing."""
    given = [(o, getattr(args, option_dest(o))) for o in declared.options]
    given = [(o, v) for o, v in given if v is not None]
    if not given:
        return None
    if declared.sheets:
        # Read once the dossier is loaded, against its rule set (_Sheets.read).
        file = next((v for o, v in given if o.parse is Parse.SHEETS), None)
        specs = [v for o, v in given if o.parse is Parse.SHEET]
        return _Sheets(file, tuple(s for spec in specs for s in spec))
    if declared.entries:
        return {o.key: option_value(o, v) for o, v in given}
    ((option, value),) = given
    return option_value(option, value)


def _given(inputs: tuple[Input, ...]) -> Data:
    """The values of the options the officer gave, by input; an input left out is not sent."""

    def data(args: argparse.Namespace) -> dict[str, Any]:
        values = {each.name: _value(each, args) for each in inputs}
        return {name: value for name, value in values.items() if value is not None}

    return data


_STEPS = (
    ("check", Trigger.CHECK, N_("đủ Mẫu 01, Mẫu 02, 5 mẫu sản phẩm")),
    ("return", Trigger.RETURN_DOSSIER, N_("trả hồ sơ để bổ sung")),
    ("resubmit", Trigger.RESUBMIT, N_("nộp lại hồ sơ đã bổ sung")),
    ("evaluate", Trigger.EVALUATE, N_("xã đánh giá 4 tiêu chí (Mẫu 03)")),
    ("submit", Trigger.SUBMIT, N_("văn bản đề nghị tỉnh đánh giá")),
    ("rate", Trigger.RATE, N_("kết quả Hội đồng cấp tỉnh")),
    ("rate-central", Trigger.RATE_CENTRAL, N_("kết quả Hội đồng Trung ương")),
    ("revoke", Trigger.REVOKE, N_("thu hồi giấy chứng nhận")),
    ("reapply", Trigger.REAPPLY, N_("chu kỳ mới: đánh giá lại, nâng hạng, lần đầu")),
    ("withdraw", Trigger.WITHDRAW, N_("chủ thể rút hồ sơ")),
)
"""Each step command: its name, the trigger it fires, and what it is for."""


def register(commands: Commands) -> None:
    """Add one command per trigger a person fires, with its trigger's inputs as options."""
    t = commands.t
    for name, trigger, text in _STEPS:
        inputs = INPUTS[trigger]
        data = _given(inputs)
        parser = commands.add(
            name, _fire(trigger, data), f"{trigger.label(commands.lang)}: {t(text)}", json=True
        )
        add_dossier(parser, t)
        parser.add_argument("--note", help=t("ghi chú vào nhật ký"))
        for each in inputs:
            for option in each.options:
                add_option(parser, option, t)
        # What the options give, and to which trigger: tests/test_inputs.py holds the two to
        # the trigger's inputs.
        parser.set_defaults(step_trigger=trigger, step_data=data)
