"""``ocop reminders``, ``ocop outbox list / retry`` and ``ocop daemon``.

Each setting comes from its flag, else its environment variable, else the config file's
``[mail]`` table (keys ``plan``, ``smtp``, ``maildir``, ``from``, ``retry_base``), else the
default:

* ``--plan`` / ``OCOP_PLAN``: the commune plan (TOML); default the shipped Lưu Vệ 2026 plan;
* ``--smtp`` / ``OCOP_SMTP_URL``: ``smtp://``, ``smtp+starttls://user:pw@host:587`` or
  ``smtps://…``; else ``--maildir`` / ``OCOP_MAILDIR``: a folder that receives ``.eml`` files,
  by default ``mail/`` beside the default database (``~/.local/share/ocop/mail``);
* ``--from`` / ``OCOP_MAIL_FROM``: the sender; default the plan's;
* ``--retry-base`` / ``OCOP_RETRY_BASE``: seconds before the first retry (doubling after).

APScheduler and jinja2 are imported inside the handlers only.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import date_type
from ocop.cli.config import default_database_file
from ocop.cli.core import Commands, Context, Settings, Translate, UsageError
from ocop.cli.output import dumps, fmt_date, fmt_moment, table

if TYPE_CHECKING:
    from ocop.plan import Plan
    from ocop.workflow.registry import Notices

__all__ = ["ENVIRONMENT", "plan_notices", "register"]

ENVIRONMENT: dict[str, tuple[str, str]] = {
    "OCOP_PLAN": ("tệp kế hoạch OCOP của xã (TOML)", "the commune's OCOP plan (TOML)"),
    "OCOP_SMTP_URL": ("máy chủ thư: smtp://…, smtps://…", "mail server: smtp://…, smtps://…"),
    "OCOP_MAILDIR": ("thư mục nhận tệp .eml thay cho SMTP", "folder of .eml files instead of SMTP"),
    "OCOP_MAIL_FROM": ("địa chỉ người gửi", "the sender address"),
    "OCOP_RETRY_BASE": (
        "số giây chờ trước lần gửi lại đầu tiên",
        "seconds before the first retry",
    ),
}
"""The variables these commands read, with their help in Vietnamese and English."""

_KINDS: dict[str, tuple[str, str]] = {
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
_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("chờ gửi", "waiting"),
    "retry": ("chờ gửi lại", "to retry"),
    "claimed": ("đang lấy", "claimed"),
    "sending": ("đang gửi", "sending"),
    "sent": ("đã gửi", "sent"),
    "failed": ("lỗi", "failed"),
    "uncertain": ("không rõ", "uncertain"),
}


def _epilog(t: Translate) -> str:
    width = max(len(name) for name in ENVIRONMENT)
    lines = [t("Biến môi trường:", "Environment variables:")]
    lines += [f"  {name.ljust(width)}  {t(vi, en)}" for name, (vi, en) in ENVIRONMENT.items()]
    return "\n".join(lines)


def register(commands: Commands) -> None:
    """Add ``ocop reminders``, ``ocop outbox`` and ``ocop daemon``."""
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
        )
        + "\n\n"
        + _epilog(t),
        json=True,
    )
    reminders.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("xem như hôm nay là ngày này", "as if today were DATE"),
    )
    _plan_option(reminders, t)

    outbox = commands.group("outbox", t("hộp thư đi: xem, gửi lại", "the outbox: list, retry"))
    listing = outbox.add(
        "list", list_outbox, t("liệt kê thư trong hộp thư đi", "list outbox messages"), json=True
    )
    listing.add_argument(
        "--status",
        metavar="STATUS[,STATUS]",
        help=t(
            "lọc theo trạng thái: " + ", ".join(_STATUSES),
            "filter by status: " + ", ".join(_STATUSES),
        ),
    )
    listing.add_argument("--kind", help=t("lọc theo loại thư", "filter by kind"))
    listing.add_argument("--dossier", type=int, metavar="ID", help=t("của hồ sơ", "of dossier"))
    listing.add_argument("--limit", type=int, default=50, help=t("số dòng", "rows (50)"))
    retry = outbox.add("retry", retry_outbox, t("gửi lại thư", "send messages again"))
    retry.add_argument("ids", type=int, nargs="+", metavar="ID", help=t("số thư", "message id"))

    daemon = commands.add(
        "daemon",
        run_daemon,
        t("chạy dịch vụ nhắc việc và gửi thư", "run the reminder and mail daemon"),
        description=t(
            "Quét hạn và nhắc việc, gửi thư trong hộp thư đi, gửi bản tóm tắt buổi sáng cho "
            "cán bộ. Dừng bằng Ctrl+C hoặc SIGTERM (sau khi gửi xong thư đang gửi). Với "
            "--once: quét và gửi một lần rồi thoát (dùng cho cron). Trên SQLite chỉ một "
            "dịch vụ chạy được trên một cơ sở dữ liệu.",
            "Sweep deadlines and reminders, send the outbox, send the officers' morning "
            "digest. Stop with Ctrl+C or SIGTERM (after the message in flight). With --once: "
            "one sweep and drain, then exit (for cron). On SQLite one daemon per database.",
        )
        + "\n\n"
        + _epilog(t),
    )
    daemon.add_argument("--once", action="store_true", help=t("chạy một lần", "run once"))
    daemon.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("chạy như thể hôm nay là ngày này", "run as if today were DATE"),
    )
    _plan_option(daemon, t)
    where = daemon.add_mutually_exclusive_group()
    where.add_argument(
        "--smtp", metavar="URL", help="smtp://, smtp+starttls://, smtps:// (OCOP_SMTP_URL)"
    )
    where.add_argument(
        "--maildir",
        metavar="PATH",
        help=t(
            "ghi thư thành tệp .eml vào thư mục (OCOP_MAILDIR)",
            "write messages as .eml files into PATH (OCOP_MAILDIR)",
        ),
    )
    daemon.add_argument("--from", dest="sender", metavar="ADDRESS", help="(OCOP_MAIL_FROM)")
    daemon.add_argument("--retry-base", type=float, metavar="SECONDS", help="(OCOP_RETRY_BASE)")
    daemon.add_argument(
        "--sweep-every",
        type=float,
        default=600,
        metavar="SECONDS",
        help=t("chu kỳ quét (600)", "sweep period (600)"),
    )
    daemon.add_argument(
        "--drain-every",
        type=float,
        default=30,
        metavar="SECONDS",
        help=t("chu kỳ gửi (30)", "drain period (30)"),
    )
    daemon.add_argument("--batch", type=int, default=50, help=t("số thư mỗi lượt", "batch size"))


def _plan_option(parser: argparse.ArgumentParser, t: Translate) -> None:
    parser.add_argument(
        "--plan",
        metavar="FILE",
        help=t(
            "kế hoạch của xã (OCOP_PLAN; mặc định kế hoạch Lưu Vệ 2026)",
            "the commune plan (OCOP_PLAN; default Lưu Vệ 2026)",
        ),
    )


def _setting(ctx: Context, flag: str, variable: str, key: str) -> str | None:
    flagged = getattr(ctx.args, flag, None)
    if flagged is not None:  # `--retry-base 0` is a value, not an absence
        return str(flagged)
    value = os.environ.get(variable)
    if value:
        return value
    mail: Mapping[str, Any] = ctx.settings.sections.get("mail", {})
    found = mail.get(key)
    return str(found) if found else None


def plan_notices(settings: Settings) -> Notices:
    """Transition notices for the CLI's registry: the configured plan's officers hear of
    ratings, revocations and returns too (``OCOP_PLAN``, the ``[mail]`` table's ``plan``, else
    the shipped Lưu Vệ plan); producers with an address always do."""
    from ocop.notifications.notices import notices_for
    from ocop.plan import load_plan, luu_ve_2026

    mail: Mapping[str, Any] = settings.sections.get("mail", {})
    path = os.environ.get("OCOP_PLAN") or mail.get("plan")
    return notices_for(load_plan(Path(str(path)).expanduser()) if path else luu_ve_2026())


def _plan(ctx: Context) -> Plan:
    from ocop.plan import load_plan, luu_ve_2026

    path = _setting(ctx, "plan", "OCOP_PLAN", "plan")
    return load_plan(Path(path).expanduser()) if path else luu_ve_2026()


def _kind(kind: str, t: Translate) -> str:
    vi, en = _KINDS.get(kind, (kind, kind))
    return t(vi, en)


def preview(ctx: Context) -> int:
    """``ocop reminders``: what the sweep would queue on a day, rendered, not sent."""
    from ocop.notifications.daemon import as_of_clock
    from ocop.notifications.delivery import preview as due
    from ocop.notifications.render import render
    from ocop.storage.outbox import Outbox

    plan = _plan(ctx)
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
    vi, en = _STATUSES.get(status, (status, status))
    return t(vi, en)


def _statuses(value: str | None, t: Translate) -> list[str] | None:
    if not value:
        return None
    wanted = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in _STATUSES]
    if unknown:
        raise UsageError(
            t(
                f"trạng thái không có: {', '.join(unknown)}; có: {', '.join(_STATUSES)}",
                f"unknown status {', '.join(unknown)}; statuses are {', '.join(_STATUSES)}",
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


def _mail_target(ctx: Context) -> str:
    smtp = _setting(ctx, "smtp", "OCOP_SMTP_URL", "smtp")
    folder = _setting(ctx, "maildir", "OCOP_MAILDIR", "maildir")
    if getattr(ctx.args, "maildir", None):
        smtp = None  # an explicit --maildir beats an SMTP URL from the environment
    if smtp:
        return smtp
    if folder:
        return str(Path(folder).expanduser())
    return str(default_database_file(os.environ).parent / "mail")


def run_daemon(ctx: Context) -> int:
    """``ocop daemon``."""
    from ocop.notifications.daemon import Daemon, DaemonSettings
    from ocop.notifications.delivery import Backoff
    from ocop.workdays import Calendar

    t = ctx.t
    plan = _plan(ctx)
    base = _setting(ctx, "retry_base", "OCOP_RETRY_BASE", "retry_base")
    try:
        retry_base = timedelta(seconds=float(base)) if base is not None else timedelta(minutes=1)
    except ValueError:
        message = t(f"OCOP_RETRY_BASE không hợp lệ: {base}", f"bad retry base: {base}")
        raise UsageError(message) from None
    if ctx.args.batch < 1 or ctx.args.sweep_every <= 0 or ctx.args.drain_every <= 0:
        raise UsageError(t("chu kỳ và số thư phải lớn hơn 0", "periods and batch must be > 0"))
    if ctx.settings.database_is_default:
        Path(ctx.settings.database.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    settings = DaemonSettings(
        database=ctx.settings.database,
        plan=plan,
        mail=_mail_target(ctx),
        sender=_setting(ctx, "sender", "OCOP_MAIL_FROM", "from"),
        calendar=Calendar.from_file(ctx.settings.calendar) if ctx.settings.calendar else None,
        as_of=ctx.args.as_of,
        sweep_every=timedelta(seconds=ctx.args.sweep_every),
        drain_every=timedelta(seconds=ctx.args.drain_every),
        backoff=Backoff(base=retry_base),
        batch=ctx.args.batch,
        upgrade=ctx.settings.database.startswith("sqlite"),
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The state machine library logs every callback of every transition at INFO: a sweep that
    # fires hundreds would bury the daemon's own lines.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # APScheduler says "Running job …" and "… executed successfully" at INFO on every tick.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with Daemon(settings) as daemon:
        if not ctx.args.once:
            daemon.run()
            return 0
        swept, drained = daemon.run_once()
        waiting = daemon.outbox.counts()
    ctx.print(
        t(
            f"Quét: {len(swept.fired)} chuyển trạng thái, {swept.queued} thư mới. "
            f"Gửi: {drained.sent}; chờ gửi lại: {drained.retried}; lỗi: {drained.failed}; "
            f"không rõ: {drained.uncertain}. Còn chờ: "
            f"{waiting.get('pending', 0) + waiting.get('retry', 0)}.",
            f"Sweep: {len(swept.fired)} transition(s), {swept.queued} new message(s). "
            f"Sent: {drained.sent}; to retry: {drained.retried}; failed: {drained.failed}; "
            f"uncertain: {drained.uncertain}. Still waiting: "
            f"{waiting.get('pending', 0) + waiting.get('retry', 0)}.",
        )
    )
    return 0
