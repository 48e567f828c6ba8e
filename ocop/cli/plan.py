"""``ocop plan init / check``: write a commune's plan from the template, and check it.

``init`` prints the commented template (or writes it to a new file, never over one); ``check``
validates a plan file and lists what the plan itself will send, with dates, from a day on. No
database is opened: a plan can be written and checked before anything else is set up. The
models, the rules and jinja2 are imported inside the handlers only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ocop.cli.args import date_type
from ocop.cli.core import Commands, Context, Translate, UsageError
from ocop.cli.output import dumps, fmt_date
from ocop.text import N_

if TYPE_CHECKING:
    from ocop.notifications.agenda import Upcoming
    from ocop.plan import Plan

__all__ = ["ROLES", "register"]

ROLES: dict[str, str] = {
    "commune_officer": N_("cán bộ xã"),
    "commune_leader": N_("lãnh đạo xã"),
    "province_officer": N_("cán bộ tỉnh"),
    "association": N_("hội/đoàn thể"),
}
"""The plan's recipient roles, as the summary names them."""

_CONDITIONS: dict[str, str] = {
    "window_closing": N_("chỉ khi còn hồ sơ chưa đánh giá"),
    "round_cutoff": N_("chỉ khi còn hồ sơ chưa đề nghị tỉnh"),
}
_CONDITION = N_("chỉ khi có hồ sơ liên quan")


def _count(t: Translate) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(t("'{text}' không phải số dương", text=text))
        return value

    parse.__name__ = "count"
    return parse


def register(commands: Commands) -> None:
    """Add ``ocop plan init`` and ``ocop plan check``."""
    t = commands.t
    plan = commands.group("plan", t("kế hoạch OCOP năm của xã: tạo, kiểm tra"))
    init = plan.add(
        "init",
        init_plan,
        t("in mẫu kế hoạch của xã, có chú thích"),
        description=t(
            "In mẫu kế hoạch OCOP năm của xã (TOML, có chú thích từng khóa), hoặc "
            "ghi vào TỆP mới (không bao giờ ghi đè tệp đã có). Điền các giá trị "
            '"<ĐIỀN: …>" rồi chạy `ocop plan check TỆP`.'
        ),
    )
    init.add_argument(
        "file",
        metavar=t("TỆP"),
        nargs="?",
        help=t("tệp mới để ghi mẫu (không có: in ra màn hình)"),
    )
    check = plan.add(
        "check",
        check_plan,
        t("kiểm tra kế hoạch và liệt kê thư sẽ gửi"),
        description=t(
            "Kiểm tra tệp kế hoạch (báo một dòng: tệp, khóa, cách sửa), tóm tắt kế "
            "hoạch và liệt kê các thư kế hoạch sẽ gửi tiếp theo, kèm ngày. Không mở "
            "cơ sở dữ liệu."
        ),
        json=True,
    )
    check.add_argument(
        "file",
        metavar=t("TỆP"),
        nargs="?",
        help=t("tệp kế hoạch (không có: kế hoạch đã cấu hình, OCOP_PLAN)"),
    )
    check.add_argument(
        "--from",
        dest="start",
        type=date_type(t),
        metavar=t("NGÀY"),
        help=t("tính từ ngày này (mặc định hôm nay)"),
    )
    check.add_argument(
        "--count",
        type=_count(t),
        default=10,
        metavar="N",
        help=t("số thư liệt kê (mặc định 10)"),
    )


def init_plan(ctx: Context) -> int:
    """``ocop plan init [FILE]``."""
    from pathlib import Path

    from ocop.errors import OcopError
    from ocop.plan import plan_template

    text = plan_template(ctx.lang)
    if not ctx.args.file:
        ctx.stdout.write(text)
        return 0
    path = Path(ctx.args.file).expanduser()
    try:
        # "x": created here or not at all, so an existing file is never touched.
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        raise UsageError(
            ctx.t(
                "{path} đã có, không ghi đè: chọn tên tệp khác (hoặc chạy không có TỆP "
                "để in mẫu ra màn hình)",
                path=path,
            )
        ) from None
    except OSError as exc:
        raise OcopError(
            ctx.t("Không ghi được {path}: {strerror}.", path=path, strerror=exc.strerror)
        ) from exc
    ctx.print(
        ctx.t(
            'Đã ghi mẫu kế hoạch vào {path}. Điền các giá trị "<ĐIỀN: …>", rồi kiểm '
            "tra: ocop plan check {path}",
            path=path,
        )
    )
    return 0


def _load(ctx: Context, source: str) -> Plan:
    """The plan at ``source``; a placeholder left or any mistake is one line, exit 1."""
    from ocop.errors import InvalidInput
    from ocop.plan import parse_plan, placeholders, read_plan_text

    t = ctx.t
    text = read_plan_text(source)
    holes = placeholders(text)
    if holes:
        first, more = holes[0], len(holes) - 1
        where = t("dòng {line}: ", line=first.line) if first.line else ""
        rest = t(" (còn {more} chỗ khác cần điền)", more=more) if more else ""
        raise InvalidInput(
            t(
                '{source}: {where}{key}: chưa điền — thay "{text}" bằng giá trị thật{rest}.',
                source=source,
                where=where,
                key=first.key,
                text=first.text,
                rest=rest,
            ),
            field=first.key,
        )
    try:
        return parse_plan(text, source=source)
    except InvalidInput as exc:
        hint = t("Sửa tệp rồi chạy lại: ocop plan check {source}", source=source)
        raise InvalidInput(f"{exc.problem(ctx.lang)} {hint}", field=exc.field) from exc


def check_plan(ctx: Context) -> int:
    """``ocop plan check [FILE] [--from DATE] [--count N] [--json]``."""
    from datetime import UTC, datetime
    from pathlib import Path

    from ocop.notifications.agenda import upcoming
    from ocop.notifications.reminder import officers
    from ocop.states import RULE_SETS
    from ocop.workdays import Calendar, local_date

    source = ctx.args.file or ctx.settings.plan
    if not source:
        raise UsageError(
            ctx.t("cần tệp kế hoạch: ocop plan check TỆP (tạo một kế hoạch bằng `ocop plan init`)")
        )
    source = str(Path(source).expanduser())
    plan = _load(ctx, source)
    calendar = Calendar.from_file(ctx.settings.calendar) if ctx.settings.calendar else Calendar()
    start = ctx.args.start or local_date(datetime.now(UTC))
    items = upcoming(plan, calendar, start, ctx.args.count)
    digest_to = [a.email for a in officers(plan, "commune_officer")]
    summary = _summary(plan, source, RULE_SETS[plan.rule_set].title)
    summary["digest"] = (
        {
            "at": plan.reminders.digest_at.strftime("%H:%M"),
            "to": digest_to,
            "horizon_days": plan.reminders.digest_horizon,
        }
        if digest_to
        else None
    )
    summary["from"] = start
    rows = [_row(item, ctx) for item in items]
    summary["upcoming"] = rows
    if ctx.args.json:
        ctx.print(dumps(summary))
        return 0
    _print(ctx, plan, summary, rows)
    return 0


def _summary(plan: Plan, source: str, rule_set_title: str) -> dict[str, Any]:
    roles: dict[str, int] = {}
    for recipient in plan.recipients:
        roles[recipient.role] = roles.get(recipient.role, 0) + 1
    window = plan.evaluation
    illustrative = (
        int(bool(window and window.illustrative))
        + sum(e.illustrative for e in plan.events)
        + sum(m.illustrative for m in plan.meetings)
        + sum(r.illustrative for r in plan.recipients)
        + int(plan.numbers.illustrative)
    )
    return {
        "file": source,
        "commune": plan.commune,
        "province": plan.province,
        "year": plan.year,
        "rule_set": plan.rule_set,
        "rule_set_title": rule_set_title,
        "evaluation": {"opens": window.opens, "closes": window.closes} if window else None,
        "recipients": len(plan.recipients),
        "recipients_by_role": roles,
        "events": len(plan.events),
        "meetings": len(plan.meetings),
        "illustrative": illustrative,
    }


def _row(item: Upcoming, ctx: Context) -> dict[str, Any]:
    from ocop.notifications.render import render
    from ocop.states.vocabulary import MessageKind, label

    message = item.reminder.message()
    subject = render(message.kind, message.context, lang=ctx.lang).subject
    condition = _CONDITIONS.get(item.kind, _CONDITION) if item.conditional else None
    return {
        "day": item.day,
        "kind": item.kind,
        "label": label(MessageKind, item.kind, ctx.lang),
        "anchor": item.anchor,
        "lead": item.lead,
        "subject": subject,
        "recipients": [a.email for a in item.recipients],
        "producers": item.producers,
        "conditional": item.conditional,
        "condition": ctx.t(condition) if condition else None,
    }


def _print(ctx: Context, plan: Plan, summary: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    t, lang = ctx.t, ctx.lang
    ctx.print(t("Kế hoạch {file}: hợp lệ.", file=summary["file"]))
    ctx.print(
        t(
            "  Xã {commune}, tỉnh {province}, năm {year}",
            commune=plan.commune,
            province=plan.province,
            year=plan.year,
        )
    )
    ctx.print(
        t(
            "  Bộ quy định: {rule_set} — {rule_set_title}",
            rule_set=plan.rule_set,
            rule_set_title=summary["rule_set_title"],
        )
    )
    window = plan.evaluation
    if window:
        span = f"{fmt_date(window.opens, lang)} – {fmt_date(window.closes, lang)}"
        ctx.print(t("  Đợt đánh giá của xã: {span}", span=span))
    else:
        ctx.print(t("  Đợt đánh giá của xã: không có"))
    by_role = ", ".join(
        f"{t(ROLES[role]) if role in ROLES else role} {n}"
        for role, n in summary["recipients_by_role"].items()
    )
    count = summary["recipients"]
    ctx.print(t("  Người nhận: {count}", count=count) + (f" ({by_role})" if by_role else ""))
    ctx.print(
        t(
            "  Hội nghị: {events}; giao ban hằng tháng: {meetings}",
            events=summary["events"],
            meetings=summary["meetings"],
        )
    )
    digest = summary["digest"]
    if digest:
        to = ", ".join(digest["to"])
        ctx.print(
            t(
                "  Tóm tắt buổi sáng: mỗi ngày làm việc lúc {at} khi có việc, gửi {to}",
                at=digest["at"],
                to=to,
            )
        )
    else:
        ctx.print(
            t(
                "Lưu ý: không có người nhận commune_officer: không ai nhận tóm tắt buổi "
                "sáng và nhắc việc của xã."
            )
        )
    if summary["illustrative"]:
        n = summary["illustrative"]
        ctx.print(
            t(
                "Lưu ý: {n} mục ghi illustrative = true (giá trị minh họa): thay bằng "
                "giá trị thật trước khi chạy daemon.",
                n=n,
            )
        )
    start = fmt_date(summary["from"], lang)
    ctx.print()
    if not rows:
        ctx.print(
            t("Từ {start}, kế hoạch không gửi thư nào nữa (ngoài tóm tắt buổi sáng).", start=start)
        )
    else:
        ctx.print(
            t(
                "{rows_count} thư tiếp theo của kế hoạch, từ {start}:",
                rows_count=len(rows),
                start=start,
            )
        )
        producers = t("chủ thể có hồ sơ")
        to = t("gửi")
        for r in rows:
            ctx.print(f"  {fmt_date(r['day'], lang)}  {r['label']} — {r['subject']}")
            people = ", ".join([*r["recipients"], *([producers] if r["producers"] else [])])
            ctx.print(f"              {to}: {people or '—'}")
            if r["condition"]:
                ctx.print(f"              {r['condition']}")
    ctx.print(
        t(
            "Ngoài ra: nhắc hạn xử lý và giấy chứng nhận của từng hồ sơ, thông báo "
            "khi hồ sơ chuyển bước (xem `ocop reminders --plan TỆP`)."
        )
    )
