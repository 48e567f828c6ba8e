"""One command per step an officer or producer takes: ``check``, ``return``, ``resubmit``,
``evaluate``, ``submit``, ``rate``, ``rate-central``, ``revoke``, ``reapply``, ``withdraw``.

Each loads the dossier, fires one trigger with the data its options give, and prints the
outcome. The library decides; a refusal comes back as one line and exit status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ocop.cli.args import add_documents, add_dossier, date_type, documents
from ocop.cli.core import Commands, Context, Translate, UsageError
from ocop.cli.dossiers import print_outcome
from ocop.cli.messages import CRITERIA
from ocop.council import read_sheets, sheet_format, sheet_options
from ocop.errors import InvalidInput
from ocop.states import COMMUNE_CRITERIA, RULE_SETS, Kind, RuleSet, Trigger
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


def _given(**values: Any) -> dict[str, Any]:
    """The options the officer gave; an option left out is not sent at all."""
    return {k: v for k, v in values.items() if v is not None}


def _check(a: argparse.Namespace) -> dict[str, Any]:
    return _given(documents=documents(a.documents), samples=a.samples)


def _return(a: argparse.Namespace) -> dict[str, Any]:
    return _given(reason=a.reason)


def _evaluate(a: argparse.Namespace) -> dict[str, Any]:
    criteria = _given(**{name: getattr(a, name) for name in COMMUNE_CRITERIA})
    report_date = a.report_date.isoformat() if a.report_date else None
    return {"criteria": criteria} | _given(report_number=a.report_number, report_date=report_date)


def _submit(a: argparse.Namespace) -> dict[str, Any]:
    letter_date = a.letter_date.isoformat() if a.letter_date else None
    return _given(letter_number=a.letter_number, letter_date=letter_date, round=a.round)


def _rate(a: argparse.Namespace) -> dict[str, Any]:
    sheets = _Sheets(a.sheets, tuple(a.sheet or ())) if a.sheets or a.sheet else None
    return _given(
        a=a.a,
        b=a.b,
        c=a.c,
        minimum_stars_met=a.minimum_stars,
        certificate_number=a.certificate,
        decision_number=a.decision,
        issued_on=a.issued_on.isoformat() if a.issued_on else None,
        sheets=sheets,
        proposed_on=(a.proposed_on.isoformat() if getattr(a, "proposed_on", None) else None),
    )


def _revoke(a: argparse.Namespace) -> dict[str, Any]:
    return _given(ground=a.ground)


def _reapply(a: argparse.Namespace) -> dict[str, Any]:
    return _given(
        kind=a.kind, documents=documents(a.documents), samples=a.samples, rule_set=a.rule_set
    )


def _add(
    commands: Commands, name: str, trigger: Trigger, data: Data, text: str
) -> argparse.ArgumentParser:
    t = commands.t
    parser = commands.add(
        name, _fire(trigger, data), f"{trigger.label(commands.lang)}: {t(text)}", json=True
    )
    add_dossier(parser, t)
    parser.add_argument("--note", help=t("ghi chú vào nhật ký"))
    # What the options give, and to which trigger: tests/test_inputs.py holds the two to the
    # trigger's inputs (ocop.states.inputs).
    parser.set_defaults(step_trigger=trigger, step_data=data)
    return parser


def _rating_options(parser: argparse.ArgumentParser, t: Translate) -> None:
    # The maxima of the newest rule set (all in the table agree today; the step checks each
    # dossier's own).
    newest = max(RULE_SETS.values(), key=lambda r: r.effective_from)
    for part, maximum in newest.part_maxima.items():
        parser.add_argument(
            f"--{part}",
            type=float,
            metavar="SCORE",
            help=t("điểm trung bình phần {part} (0–{maximum})", part=part.upper(), maximum=maximum),
        )
    parser.add_argument(
        "--minimum-stars",
        type=int,
        metavar="STARS",
        help=t("hạng sao cao nhất mà mọi tiêu chí bắt buộc (***) đều đạt"),
    )
    parser.add_argument(
        "--sheets",
        type=Path,
        metavar="FILE",
        help=t(
            "phiếu chấm của từng thành viên Hội đồng: tệp .csv, .xlsx hoặc .toml "
            "(cột member, a, b, c, minimum_stars_met); xếp hạng theo điểm trung "
            "bình các phiếu"
        ),
    )
    parser.add_argument(
        "--sheet",
        action="append",
        metavar="NAME:A:B:C[:STARS]",
        help=t('một phiếu thành viên (lặp lại cho từng người), ví dụ "Nguyễn Văn An:32:18,5:21:4"'),
    )
    parser.add_argument("--certificate", help=t("số giấy chứng nhận"))
    parser.add_argument("--decision", help=t("số quyết định công nhận"))
    parser.add_argument(
        "--issued-on",
        type=date_type(t),
        metavar="DATE",
        help=t("ngày cấp (mặc định hôm nay)"),
    )


def register(commands: Commands) -> None:
    """Add one command per trigger a person fires."""
    t = commands.t
    day = date_type(t)

    p = _add(
        commands,
        "check",
        Trigger.CHECK,
        _check,
        N_("đủ Mẫu 01, Mẫu 02, 5 mẫu sản phẩm"),
    )
    add_documents(p, t)

    p = _add(
        commands,
        "return",
        Trigger.RETURN_DOSSIER,
        _return,
        N_("trả hồ sơ để bổ sung"),
    )
    p.add_argument("--reason", help=t("lý do trả lại (bắt buộc)"))

    p = _add(
        commands,
        "resubmit",
        Trigger.RESUBMIT,
        _check,
        N_("nộp lại hồ sơ đã bổ sung"),
    )
    add_documents(p, t)

    p = _add(
        commands,
        "evaluate",
        Trigger.EVALUATE,
        _evaluate,
        N_("xã đánh giá 4 tiêu chí (Mẫu 03)"),
    )
    for name in COMMUNE_CRITERIA:
        p.add_argument("--" + name.replace("_", "-"), metavar="TEXT", help=t(CRITERIA[name]))
    p.add_argument("--report-number", help=t("số báo cáo Mẫu 03"))
    p.add_argument("--report-date", type=day, metavar="DATE", help=t("ngày báo cáo"))

    p = _add(
        commands,
        "submit",
        Trigger.SUBMIT,
        _submit,
        N_("văn bản đề nghị tỉnh đánh giá"),
    )
    p.add_argument("--letter-number", help=t("số văn bản"))
    p.add_argument("--letter-date", type=day, metavar="DATE", help=t("ngày văn bản"))
    p.add_argument("--round", type=int, help=t("đợt của tỉnh (mặc định theo ngày)"))

    p = _add(
        commands,
        "rate",
        Trigger.RATE,
        _rate,
        N_("kết quả Hội đồng cấp tỉnh"),
    )
    _rating_options(p, t)
    p.add_argument(
        "--proposed-on",
        type=day,
        metavar="DATE",
        help=t(
            "từ 90 điểm: ngày tỉnh đề nghị Bộ đánh giá 5 sao, quyết định đợt của "
            "Trung ương (mặc định hôm nay)"
        ),
    )
    p = _add(
        commands,
        "rate-central",
        Trigger.RATE_CENTRAL,
        _rate,
        N_("kết quả Hội đồng Trung ương"),
    )
    _rating_options(p, t)

    p = _add(
        commands,
        "revoke",
        Trigger.REVOKE,
        _revoke,
        N_("thu hồi giấy chứng nhận"),
    )
    grounds = sorted({g for rules in RULE_SETS.values() for g in rules.revocation_grounds})
    p.add_argument(
        "--ground",
        metavar="GROUND",
        help=t("căn cứ thu hồi, theo quy định của hồ sơ: ") + ", ".join(grounds),
    )

    p = _add(
        commands,
        "reapply",
        Trigger.REAPPLY,
        _reapply,
        N_("chu kỳ mới: đánh giá lại, nâng hạng, lần đầu"),
    )
    p.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help=t("mặc định: đánh giá lại khi GCN còn hiệu lực"),
    )
    p.add_argument(
        "--rule-set",
        choices=sorted(RULE_SETS),
        help=t("quy định áp dụng (mặc định theo ngày)"),
    )
    add_documents(p, t)

    p = _add(
        commands,
        "withdraw",
        Trigger.WITHDRAW,
        _return,
        N_("chủ thể rút hồ sơ"),
    )
    p.add_argument("--reason", help=t("lý do"))
