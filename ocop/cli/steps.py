"""One command per step an officer or producer takes: ``check``, ``return``, ``resubmit``,
``evaluate``, ``submit``, ``rate``, ``rate-central``, ``revoke``, ``reapply``, ``withdraw``.

Each loads the dossier, fires one trigger with the data its options give, and prints the
outcome. The library decides; a refusal comes back as one line and exit status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ocop.cli.args import add_documents, add_dossier, date_type, documents
from ocop.cli.core import Commands, Context, Translate
from ocop.cli.dossiers import print_outcome
from ocop.cli.messages import CRITERIA
from ocop.states import COMMUNE_CRITERIA, RULE_SETS, Kind, Trigger

__all__ = ["register"]

Data = Callable[[argparse.Namespace], dict[str, Any]]


def _fire(trigger: Trigger, data: Data) -> Callable[[Context], int]:
    def handler(ctx: Context) -> int:
        actor = ctx.actor()
        reg = ctx.registry()
        before = reg.get(ctx.args.id)
        ctx.subject = before
        after = reg.fire(
            before.id,
            trigger.value,
            actor=actor,
            note=ctx.args.note,
            expected_version=before.version,
            **data(ctx.args),
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
    return _given(
        a=a.a,
        b=a.b,
        c=a.c,
        minimum_stars_met=a.minimum_stars,
        certificate_number=a.certificate,
        decision_number=a.decision,
        issued_on=a.issued_on.isoformat() if a.issued_on else None,
    )


def _revoke(a: argparse.Namespace) -> dict[str, Any]:
    return _given(ground=a.ground)


def _reapply(a: argparse.Namespace) -> dict[str, Any]:
    return _given(
        kind=a.kind, documents=documents(a.documents), samples=a.samples, rule_set=a.rule_set
    )


def _add(
    commands: Commands, name: str, trigger: Trigger, data: Data, vi: str, en: str
) -> argparse.ArgumentParser:
    t = commands.t
    parser = commands.add(
        name, _fire(trigger, data), f"{trigger.label(commands.lang)}: {t(vi, en)}", json=True
    )
    add_dossier(parser, t)
    parser.add_argument("--note", help=t("ghi chú vào nhật ký", "note for the audit trail"))
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
            help=t(
                f"điểm trung bình phần {part.upper()} (0–{maximum})",
                f"part {part.upper()} average score (0–{maximum})",
            ),
        )
    parser.add_argument(
        "--minimum-stars",
        type=int,
        metavar="STARS",
        help=t(
            "hạng sao cao nhất mà mọi tiêu chí bắt buộc (***) đều đạt",
            "highest star level whose starred minimum criteria are all met",
        ),
    )
    parser.add_argument("--certificate", help=t("số giấy chứng nhận", "certificate number"))
    parser.add_argument("--decision", help=t("số quyết định công nhận", "decision number"))
    parser.add_argument(
        "--issued-on",
        type=date_type(t),
        metavar="DATE",
        help=t("ngày cấp (mặc định hôm nay)", "issue date (default today)"),
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
        "đủ Mẫu 01, Mẫu 02, 5 mẫu sản phẩm",
        "Mẫu 01, Mẫu 02 and 5 samples present",
    )
    add_documents(p, t)

    p = _add(
        commands,
        "return",
        Trigger.RETURN_DOSSIER,
        _return,
        "trả hồ sơ để bổ sung",
        "back to the producer to complete",
    )
    p.add_argument("--reason", help=t("lý do trả lại (bắt buộc)", "why (required)"))

    p = _add(
        commands,
        "resubmit",
        Trigger.RESUBMIT,
        _check,
        "nộp lại hồ sơ đã bổ sung",
        "the completed dossier comes back",
    )
    add_documents(p, t)

    p = _add(
        commands,
        "evaluate",
        Trigger.EVALUATE,
        _evaluate,
        "xã đánh giá 4 tiêu chí (Mẫu 03)",
        "the commune's four criteria (Mẫu 03)",
    )
    for name in COMMUNE_CRITERIA:
        vi, en = CRITERIA[name]
        p.add_argument("--" + name.replace("_", "-"), metavar="TEXT", help=t(vi, en))
    p.add_argument("--report-number", help=t("số báo cáo Mẫu 03", "Mẫu 03 report number"))
    p.add_argument("--report-date", type=day, metavar="DATE", help=t("ngày báo cáo", "date"))

    p = _add(
        commands,
        "submit",
        Trigger.SUBMIT,
        _submit,
        "văn bản đề nghị tỉnh đánh giá",
        "the request letter to the province",
    )
    p.add_argument("--letter-number", help=t("số văn bản", "letter number"))
    p.add_argument("--letter-date", type=day, metavar="DATE", help=t("ngày văn bản", "date"))
    p.add_argument(
        "--round", type=int, help=t("đợt của tỉnh (mặc định theo ngày)", "province round")
    )

    p = _add(
        commands,
        "rate",
        Trigger.RATE,
        _rate,
        "kết quả Hội đồng cấp tỉnh",
        "the province council's result",
    )
    _rating_options(p, t)
    p = _add(
        commands,
        "rate-central",
        Trigger.RATE_CENTRAL,
        _rate,
        "kết quả Hội đồng Trung ương",
        "the central council's result",
    )
    _rating_options(p, t)

    p = _add(
        commands,
        "revoke",
        Trigger.REVOKE,
        _revoke,
        "thu hồi giấy chứng nhận",
        "revoke the certificate",
    )
    grounds = sorted({g for rules in RULE_SETS.values() for g in rules.revocation_grounds})
    p.add_argument(
        "--ground",
        metavar="GROUND",
        help=t("căn cứ thu hồi, theo quy định của hồ sơ: ", "ground, per the dossier's rule set: ")
        + ", ".join(grounds),
    )

    p = _add(
        commands,
        "reapply",
        Trigger.REAPPLY,
        _reapply,
        "chu kỳ mới: đánh giá lại, nâng hạng, lần đầu",
        "new cycle: re-rating, upgrade, first",
    )
    p.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help=t("mặc định: đánh giá lại khi GCN còn hiệu lực", "default: rerating while certified"),
    )
    p.add_argument(
        "--rule-set",
        choices=sorted(RULE_SETS),
        help=t("quy định áp dụng (mặc định theo ngày)", "rule set (default: by date)"),
    )
    add_documents(p, t)

    p = _add(
        commands,
        "withdraw",
        Trigger.WITHDRAW,
        _return,
        "chủ thể rút hồ sơ",
        "the producer withdraws",
    )
    p.add_argument("--reason", help=t("lý do", "reason"))
