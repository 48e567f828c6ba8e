"""``ocop reminders`` and ``ocop outbox list / retry``: what the sweep would queue, and the outbox.

The plan is ``--plan`` / ``OCOP_PLAN`` / the config file's ``plan``; without one there are no
plan reminders (see :mod:`ocop.cli.daemon`). jinja2 is imported inside the handlers only.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from ocop.cli.args import add_plan, date_type
from ocop.cli.core import Commands, Context, Translate, UsageError, load_plan
from ocop.cli.output import dumps, fmt_date, fmt_moment, table

if TYPE_CHECKING:
    from ocop.plan import Plan

__all__ = ["KINDS", "STATUSES", "register"]

KINDS: dict[str, tuple[str, str]] = {
    "accepted": ("Tiếp nhận hồ sơ", "Dossier received"),
    "returned": ("Trả lại hồ sơ", "Dossier returned"),
    "rated": ("Kết quả phân hạng", "Rating result"),
    "revoked": ("Thu hồi chứng nhận", "Certificate revoked"),
    "window_opening": ("Mở đợt đánh giá xã", "Commune evaluation opens"),
    "window_closing": ("Kết thúc đợt đánh giá xã", "Commune evaluation closes"),
    "round_cutoff": ("Hạn đề nghị tỉnh", "Province round cut-off"),
    "step_deadline": ("Sắp đến hạn xử lý", "Deadline approaching"),
    "step_overdue": ("Quá hạn xử lý", "Deadline passed"),
    "filing_window": ("Đến hạn nộp đánh giá lại", "Re-rating filing opens"),
    "certificate_expiring": ("Chứng nhận sắp hết hạn", "Certificate expiring"),
    "certificate_expired": ("Chứng nhận đã hết hạn", "Certificate expired"),
    "event": ("Hội nghị", "Conference"),
    "meeting": ("Giao ban", "Monthly meeting"),
    "digest": ("Tóm tắt buổi sáng", "Morning digest"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("chờ gửi", "waiting"),
    "retry": ("chờ gửi lại", "to retry"),
    "claimed": ("đang lấy", "claimed"),
    "sending": ("đang gửi", "sending"),
    "sent": ("đã gửi", "sent"),
    "failed": ("lỗi", "failed"),
    "uncertain": ("không rõ", "uncertain"),
}


def register(commands: Commands) -> None:
    """Add ``ocop reminders`` and ``ocop outbox``."""
    t = commands.t
    reminders = commands.add(
        "reminders",
        preview,
        t("xem trước thư nhắc việc của một ngày (không gửi)", "preview a day's reminders"),
        description=t(
            "Liệt kê thư nhắc việc sẽ gửi trong ngày (mặc định hôm nay), theo kế hoạch của xã "
            "và hồ sơ hiện có, mà không gửi.",
            "List the reminders that would be sent on a day (default today), from the "
            "commune's plan and the dossiers, without sending anything.",
        ),
        json=True,
    )
    reminders.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("xem như hôm nay là ngày này", "as if today were DATE"),
    )
    add_plan(reminders, t)

    outbox = commands.group("outbox", t("hộp thư đi: xem, gửi lại", "the outbox: list, retry"))
    listing = outbox.add(
        "list", list_outbox, t("liệt kê thư trong hộp thư đi", "list outbox messages"), json=True
    )
    listing.add_argument(
        "--status",
        metavar="STATUS[,STATUS]",
        help=t(
            "lọc theo trạng thái: " + ", ".join(STATUSES),
            "filter by status: " + ", ".join(STATUSES),
        ),
    )
    listing.add_argument("--kind", help=t("lọc theo loại thư", "filter by kind"))
    listing.add_argument("--dossier", type=int, metavar="ID", help=t("của hồ sơ", "of dossier"))
    listing.add_argument("--limit", type=int, default=50, help=t("số dòng", "rows (50)"))
    retry = outbox.add("retry", retry_outbox, t("gửi lại thư", "send messages again"))
    retry.add_argument("ids", type=int, nargs="+", metavar="ID", help=t("số thư", "message id"))


def _plan(ctx: Context) -> Plan | None:
    return load_plan(ctx.settings.plan)


def _kind(kind: str, t: Translate) -> str:
    vi, en = KINDS.get(kind, (kind, kind))
    return t(vi, en)


def preview(ctx: Context) -> int:
    """``ocop reminders``: what the sweep would queue on a day, rendered, not sent."""
    from ocop.notifications.daemon import as_of_clock
    from ocop.notifications.delivery import preview as due
    from ocop.notifications.render import render
    from ocop.storage.outbox import Outbox

    plan = _plan(ctx)
    if plan is None:
        raise UsageError(
            ctx.t(
                "chưa có kế hoạch của xã: thêm --plan TỆP hoặc đặt OCOP_PLAN "
                "(tạo một kế hoạch bằng `ocop plan init`)",
                "no commune plan named: add --plan FILE or set OCOP_PLAN "
                "(write one with `ocop plan init`)",
            )
        )
    registry = ctx.registry()
    # The end of the day, so that everything due that day shows, the digest included.
    day = ctx.args.as_of or registry.today()
    registry.clock = as_of_clock(day, time(23, 59))
    found = due(registry, plan)
    queued = {m.dedupe_key for m in Outbox(registry.database).find(limit=None)}
    rows: list[dict[str, Any]] = []
    for reminder in found:
        message = reminder.message()
        subject = render(
            message.kind, message.context, lang=message.lang, dossier_id=message.dossier_id
        ).subject
        rows.append(
            {
                "kind": reminder.kind,
                "due_on": reminder.due_on,
                "anchor": reminder.anchor,
                "recipient": reminder.to.email,
                "role": reminder.to.role,
                "dossier": reminder.dossier_id,
                "subject": subject,
                "dedupe_key": message.dedupe_key,
                "queued": message.dedupe_key in queued,
            }
        )
    if ctx.args.json:
        ctx.print(dumps(rows))
        return 0
    t = ctx.t
    day = fmt_date(registry.today(), ctx.lang)
    if not rows:
        ctx.print(t(f"Ngày {day}: không có thư nhắc việc nào.", f"{day}: no reminders."))
        return 0
    ctx.print(t(f"Thư nhắc việc ngày {day} ({len(rows)}):", f"Reminders on {day} ({len(rows)}):"))
    ctx.print(
        table(
            [t("Loại", "Kind"), t("Người nhận", "To"), t("Tiêu đề", "Subject"), ""],
            [
                [
                    _kind(r["kind"], t),
                    r["recipient"],
                    r["subject"],
                    t("đã có trong hộp thư đi", "already queued") if r["queued"] else "",
                ]
                for r in rows
            ],
        )
    )
    return 0


def _status(status: str, t: Translate) -> str:
    vi, en = STATUSES.get(status, (status, status))
    return t(vi, en)


def _statuses(value: str | None, t: Translate) -> list[str] | None:
    if not value:
        return None
    wanted = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise UsageError(
            t(
                f"trạng thái không có: {', '.join(unknown)}; có: {', '.join(STATUSES)}",
                f"unknown status {', '.join(unknown)}; statuses are {', '.join(STATUSES)}",
            )
        )
    return wanted


def list_outbox(ctx: Context) -> int:
    """``ocop outbox list``."""
    from ocop.storage.outbox import Outbox

    t = ctx.t
    outbox = Outbox(ctx.registry().database)
    messages = outbox.find(
        status=_statuses(ctx.args.status, t),
        kind=ctx.args.kind,
        dossier_id=ctx.args.dossier,
        limit=ctx.args.limit,
    )
    if ctx.args.json:
        ctx.print(dumps([vars(m) for m in messages]))
        return 0
    counts = outbox.counts()
    summary = ", ".join(f"{_status(s, t)}: {n}" for s, n in sorted(counts.items()))
    ctx.print(t(f"Hộp thư đi — {summary or 'trống'}", f"Outbox — {summary or 'empty'}"))
    if not messages:
        return 0
    rows = [
        [
            str(m.id),
            _status(m.status, t),
            _kind(m.kind, t),
            m.recipient,
            str(m.dossier_id or "—"),
            fmt_moment(m.sent_at or m.next_attempt_at, ctx.lang),
            str(m.attempts),
            _one_line(m.last_error),
        ]
        for m in messages
    ]
    headers = [
        "ID",
        t("Trạng thái", "Status"),
        t("Loại", "Kind"),
        t("Người nhận", "To"),
        t("Hồ sơ", "Dossier"),
        t("Gửi / lần tới", "Sent / next"),
        t("Lần", "Tries"),
        t("Lỗi", "Error"),
    ]
    ctx.print(table(headers, rows))
    return 0


def _one_line(error: str | None) -> str:
    # Whole, on one line: an error names the server first and its answer last, and a cut
    # kept the address and lost the answer.
    return " ".join((error or "").split())


def retry_outbox(ctx: Context) -> int:
    """``ocop outbox retry ID…``: failed, uncertain or waiting messages go out again."""
    from ocop.storage.outbox import Outbox

    registry = ctx.registry()
    done = Outbox(registry.database).requeue(ctx.args.ids, registry.now())
    ids = ", ".join(str(m.id) for m in done)
    ctx.print(
        ctx.t(
            f"Đã xếp lại {len(done)} thư ({ids}); dịch vụ sẽ gửi ở lượt tới.",
            f"Requeued {len(done)} message(s) ({ids}); the daemon sends them on its next drain.",
        )
    )
    return 0
