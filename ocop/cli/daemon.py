"""``ocop daemon``: the reminder and mail daemon, run by the commune's server.

Each setting comes from its flag, else its environment variable, else the config file (the
top-level ``plan``, or the ``[mail]`` table's keys ``smtp``, ``maildir``, ``from``,
``retry_base``), else the default:

* ``--plan`` / ``OCOP_PLAN``: the commune plan (TOML). Without one there are no plan reminders,
  no digest and no notices to the plan's officers; producers still hear of their dossiers;
* ``--smtp`` / ``OCOP_SMTP_URL``: ``smtp://``, ``smtp+starttls://user:pw@host:587`` or
  ``smtps://…``; else ``--maildir`` / ``OCOP_MAILDIR``: a folder that receives ``.eml`` files,
  by default ``mail/`` beside the default database (``~/.local/share/ocop/mail``);
* ``--from`` / ``OCOP_MAIL_FROM``: the sender; default the plan's;
* ``--retry-base`` / ``OCOP_RETRY_BASE``: seconds before the first retry (doubling after).

APScheduler and smtplib are imported inside the handler only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from ocop.cli.args import add_plan, date_type
from ocop.cli.config import default_database_file
from ocop.cli.core import Commands, Context, Translate, UsageError, load_plan

__all__ = ["ENVIRONMENT", "register"]

ENVIRONMENT: dict[str, tuple[str, str]] = {
    "OCOP_SMTP_URL": ("máy chủ thư: smtp://…, smtps://…", "mail server: smtp://…, smtps://…"),
    "OCOP_MAILDIR": ("thư mục nhận tệp .eml thay cho SMTP", "folder of .eml files instead of SMTP"),
    "OCOP_MAIL_FROM": ("địa chỉ người gửi", "the sender address"),
    "OCOP_RETRY_BASE": (
        "số giây chờ trước lần gửi lại đầu tiên",
        "seconds before the first retry",
    ),
}
"""The variables the daemon reads, with their help in Vietnamese and English."""


def _epilog(t: Translate) -> str:
    width = max(len(name) for name in ENVIRONMENT)
    lines = [t("Biến môi trường:", "Environment variables:")]
    lines += [f"  {name.ljust(width)}  {t(vi, en)}" for name, (vi, en) in ENVIRONMENT.items()]
    return "\n".join(lines)


def register(commands: Commands) -> None:
    """Add ``ocop daemon``."""
    t = commands.t
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
    add_plan(daemon, t)
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


def _setting(ctx: Context, flag: str, variable: str, key: str) -> str | None:
    flagged = getattr(ctx.args, flag, None)
    if flagged is not None:  # `--retry-base 0` is a value, not an absence
        return str(flagged)
    value = ctx.settings.environ.get(variable)
    if value:
        return value
    mail: Mapping[str, Any] = ctx.settings.sections.get("mail", {})
    found = mail.get(key)
    return str(found) if found else None


def _mail_target(ctx: Context) -> str:
    smtp = _setting(ctx, "smtp", "OCOP_SMTP_URL", "smtp")
    folder = _setting(ctx, "maildir", "OCOP_MAILDIR", "maildir")
    if getattr(ctx.args, "maildir", None):
        smtp = None  # an explicit --maildir beats an SMTP URL from the environment
    if smtp:
        return smtp
    if folder:
        return str(Path(folder).expanduser())
    return str(default_database_file(ctx.settings.environ).parent / "mail")


def run_daemon(ctx: Context) -> int:
    """``ocop daemon``."""
    from ocop.notifications.daemon import Daemon, DaemonSettings
    from ocop.notifications.delivery import Backoff
    from ocop.workdays import Calendar

    t = ctx.t
    plan = load_plan(ctx.settings.plan)
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
