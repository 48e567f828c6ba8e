"""``ocop daemon``: the reminder and mail daemon, run by the commune's server.

Each setting comes from its flag, else its environment variable, else the config file (the
top-level ``plan``, or the ``[mail]`` table's keys ``smtp``, ``maildir``, ``from``,
``password_file``, ``retry_base``), else the default:

* ``--plan`` / ``OCOP_PLAN``: the commune plan (TOML). Without one there are no plan reminders,
  no digest and no notices to the plan's officers; producers still hear of their dossiers;
* ``--smtp`` / ``OCOP_SMTP_URL``: ``smtp://``, ``smtp+starttls://user@host:587`` or
  ``smtps://…``; any other scheme is a usage error. Its password is best kept out of the URL
  (which ``ps`` shows): ``--password-file`` / ``OCOP_SMTP_PASSWORD``;
* else ``--maildir`` / ``OCOP_MAILDIR``: a folder that receives ``.eml`` files, by default
  ``mail/`` beside the default database (``~/.local/share/ocop/mail``);
* ``--from`` / ``OCOP_MAIL_FROM``: the sender, checked at start; default the plan's;
* ``--retry-base`` / ``OCOP_RETRY_BASE``: seconds before the first retry (doubling, at most an
  hour apart).

The daemon works on the real clock. ``--dry-run`` prints what one sweep and drain would do and
writes nothing; only there may ``--as-of`` move the day.

Exit status of ``--once``: 0 when every message due went out, 3
(:data:`EXIT_UNSENT`) when the run left messages failed, uncertain, expired or waiting for a
mail server; 1 and 2 as for every command. APScheduler and smtplib are imported inside the
handler only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import add_plan, date_type
from ocop.cli.config import default_database_file
from ocop.cli.core import (
    Commands,
    Context,
    Translate,
    UsageError,
    environment_help,
    load_calendar,
    load_plan,
)

if TYPE_CHECKING:
    from ocop.notifications.delivery import DrainResult, DryRun

__all__ = ["ENVIRONMENT", "EXIT_UNSENT", "register", "run_daemon", "status"]

EXIT_UNSENT = 3
"""``--once``: the run left messages failed, uncertain, expired or waiting for a server."""

ENVIRONMENT: dict[str, tuple[str, str]] = {
    "OCOP_SMTP_URL": ("máy chủ thư: smtp://…, smtps://…", "mail server: smtp://…, smtps://…"),
    "OCOP_SMTP_PASSWORD": (
        "mật khẩu máy chủ thư (thay cho mật khẩu trong URL)",
        "the mail server's password (instead of one in the URL)",
    ),
    "OCOP_SMTP_PASSWORD_FILE": (
        "tệp chứa mật khẩu máy chủ thư (như --password-file)",
        "a file holding the mail server's password (as --password-file)",
    ),
    "OCOP_MAILDIR": ("thư mục nhận tệp .eml thay cho SMTP", "folder of .eml files instead of SMTP"),
    "OCOP_MAIL_FROM": ("địa chỉ người gửi", "the sender address"),
    "OCOP_RETRY_BASE": (
        "số giây chờ trước lần gửi lại đầu tiên",
        "seconds before the first retry",
    ),
}
"""The variables the daemon reads, with their help in Vietnamese and English."""


def _epilog(t: Translate) -> str:
    lines = environment_help(t, ENVIRONMENT)
    lines += [
        "",
        t(
            f"Mã thoát của --once: 0 khi mọi thư đến hạn đã gửi; {EXIT_UNSENT} khi "
            "còn thư lỗi, không rõ, quá hạn hoặc chờ máy chủ thư; 1 khi bị từ chối; 2 khi sai "
            "lệnh hoặc cấu hình.",
            f"Exit status of --once: 0 when every message due went out; "
            f"{EXIT_UNSENT} when messages were left failed, uncertain, expired or waiting for "
            "a mail server; 1 when refused; 2 for a usage or configuration error.",
        ),
    ]
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
            "--once: quét và gửi một lần rồi thoát (dùng cho cron). Với --dry-run: chỉ in "
            "những gì sẽ làm, không ghi gì. Không có --plan thì không nhắc việc theo kế hoạch. "
            "Không có --smtp thì thư được ghi thành tệp .eml vào --maildir, mặc định "
            "~/.local/share/ocop/mail. Trên SQLite chỉ một dịch vụ chạy được trên một cơ sở "
            "dữ liệu.",
            "Sweep deadlines and reminders, send the outbox, send the officers' morning "
            "digest. Stop with Ctrl+C or SIGTERM (after the message in flight). With --once: "
            "one sweep and drain, then exit (for cron). With --dry-run: print what would be "
            "done and write nothing. Without --plan there are no plan reminders. Without "
            "--smtp, messages are written as .eml files into --maildir, by default "
            "~/.local/share/ocop/mail. On SQLite one daemon per database.",
        )
        + "\n\n"
        + _epilog(t),
        json=True,
    )
    run = daemon.add_mutually_exclusive_group()
    run.add_argument("--once", action="store_true", help=t("chạy một lần", "run once"))
    run.add_argument(
        "--dry-run",
        action="store_true",
        help=t(
            "in những gì một lượt quét và gửi sẽ làm, không ghi gì, không gửi gì",
            "print what one sweep and drain would do; write and send nothing",
        ),
    )
    daemon.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t(
            "chỉ với --dry-run: xem như hôm nay là ngày này",
            "with --dry-run only: as if today were DATE",
        ),
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
            "ghi thư thành tệp .eml vào thư mục (OCOP_MAILDIR; mặc định ~/.local/share/ocop/mail)",
            "write messages as .eml files into PATH (OCOP_MAILDIR; default "
            "~/.local/share/ocop/mail)",
        ),
    )
    daemon.add_argument(
        "--password-file",
        metavar="FILE",
        help=t(
            "tệp chứa mật khẩu máy chủ thư (hoặc biến OCOP_SMTP_PASSWORD)",
            "a file holding the mail server's password (or OCOP_SMTP_PASSWORD)",
        ),
    )
    daemon.add_argument("--from", dest="sender", metavar="ADDRESS", help="(OCOP_MAIL_FROM)")
    daemon.add_argument("--retry-base", type=float, metavar="SECONDS", help="(OCOP_RETRY_BASE)")
    for option, default, vi, en in (
        ("--sweep-every", 600, "chu kỳ quét", "sweep period"),
        ("--drain-every", 30, "chu kỳ gửi", "drain period"),
        ("--heartbeat-every", 10, "chu kỳ báo còn chạy", "heartbeat period"),
        (
            "--stale-after",
            60,
            "sau bấy nhiêu giây không báo, một dịch vụ được coi là đã dừng",
            "a daemon silent this long is taken for dead",
        ),
    ):
        daemon.add_argument(
            option,
            type=float,
            default=default,
            metavar="SECONDS",
            help=t(f"{vi} ({default})", f"{en} ({default})"),
        )
    daemon.add_argument("--batch", type=int, default=50, help=t("số thư mỗi lượt", "batch size"))

    state = commands.add(
        "status",
        status,
        t(
            "tình trạng dịch vụ nhắc việc và hộp thư đi",
            "the state of the reminder daemons and the outbox",
        ),
        description=t(
            "Mỗi dịch vụ: lần báo còn chạy, lần quét và gửi cuối; hộp thư đi theo trạng thái; "
            "thư chờ lâu nhất và lý do. Chỉ đọc, không ghi gì.",
            "Each daemon's heartbeat, last sweep and drain; the outbox by status; the oldest "
            "waiting message and why. Reads only.",
        ),
        json=True,
    )
    state.add_argument(
        "--stale-after",
        type=float,
        default=60,
        metavar="SECONDS",
        help=t(
            "sau bấy nhiêu giây không báo, một dịch vụ được coi là đã dừng (60)",
            "a daemon silent this long is taken for dead (60)",
        ),
    )


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
    """The SMTP URL, checked, or the folder of ``.eml`` files."""
    from ocop.errors import InvalidInput
    from ocop.notifications.transports import SMTP_SCHEMES, SmtpTransport

    t = ctx.t
    smtp = _setting(ctx, "smtp", "OCOP_SMTP_URL", "smtp")
    folder = _setting(ctx, "maildir", "OCOP_MAILDIR", "maildir")
    if getattr(ctx.args, "maildir", None):
        smtp = None  # an explicit --maildir beats an SMTP URL from the environment
    if smtp:
        try:
            SmtpTransport.from_url(smtp)
        except InvalidInput as exc:
            schemes = ", ".join(f"{s}://" for s in SMTP_SCHEMES)
            raise UsageError(
                t(
                    f"--smtp không phải URL máy chủ thư ({exc}); dùng một trong: {schemes}",
                    f"--smtp is not a mail server URL ({exc}); use one of: {schemes}",
                )
            ) from None
        return smtp
    if folder:
        if "://" in folder and not folder.startswith("file://"):
            raise UsageError(
                t(
                    f"--maildir phải là một thư mục, không phải URL: {folder.split('://')[0]}://…",
                    f"--maildir must be a folder, not a URL: {folder.split('://')[0]}://…",
                )
            )
        return str(Path(folder.removeprefix("file://")).expanduser().resolve())
    return str(default_database_file(ctx.settings.environ).parent / "mail")


def _password(ctx: Context) -> str | None:
    path = _setting(ctx, "password_file", "OCOP_SMTP_PASSWORD_FILE", "password_file")
    if path:
        try:
            return Path(path).expanduser().read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise UsageError(
                ctx.t(
                    f"không đọc được tệp mật khẩu {path}: {reason}",
                    f"cannot read the password file {path}: {reason}",
                )
            ) from None
    return ctx.settings.environ.get("OCOP_SMTP_PASSWORD") or None


def _sender(ctx: Context) -> str | None:
    from ocop.errors import InvalidInput
    from ocop.notifications.transports import parse_sender

    sender = _setting(ctx, "sender", "OCOP_MAIL_FROM", "from")
    if sender is None:
        return None
    try:
        return parse_sender(sender)
    except InvalidInput as exc:
        raise UsageError(
            ctx.t(
                f"--from cần một địa chỉ thư, ví dụ 'Phòng Kinh tế <pkt@xa.gov.vn>' ({exc})",
                f"--from needs an e-mail address, e.g. 'Economic Office <pkt@example.vn>' ({exc})",
            )
        ) from None


def _seconds(ctx: Context, value: float, option: str) -> timedelta:
    if not value > 0:
        raise UsageError(ctx.t(f"{option} phải lớn hơn 0", f"{option} must be greater than 0"))
    return timedelta(seconds=value)


class _LocalTime(logging.Formatter):
    """Log times in ISO 8601 with Vietnam's offset, as the CLI shows every time."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from ocop.workdays import TZ

        return datetime.fromtimestamp(record.created, TZ).isoformat(timespec="milliseconds")


def _logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_LocalTime("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # The state machine library logs every callback of every transition at INFO: a sweep that
    # fires hundreds would bury the daemon's own lines.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # APScheduler says "Running job …" and "… executed successfully" at INFO on every tick,
    # and alembic names each plugin it loads: the daemon's own start line comes first.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run_daemon(ctx: Context) -> int:
    """``ocop daemon``."""
    from ocop.notifications.daemon import Daemon, DaemonSettings
    from ocop.notifications.delivery import Backoff

    t = ctx.t
    args = ctx.args
    if args.as_of is not None and not args.dry_run:
        raise UsageError(
            t(
                "--as-of chỉ dùng với --dry-run: dịch vụ không bao giờ gửi thư hay chuyển "
                "trạng thái theo một ngày khác hôm nay",
                "--as-of works only with --dry-run: the daemon never fires or sends as of "
                "another day",
            )
        )
    plan = load_plan(ctx.settings.plan)
    if args.dry_run:
        return _dry_run(ctx, plan)
    base = _setting(ctx, "retry_base", "OCOP_RETRY_BASE", "retry_base")
    try:
        retry_base = timedelta(seconds=float(base)) if base is not None else timedelta(minutes=1)
    except ValueError:
        message = t(f"OCOP_RETRY_BASE không hợp lệ: {base}", f"bad retry base: {base}")
        raise UsageError(message) from None
    if args.batch < 1:
        raise UsageError(t("--batch phải lớn hơn 0", "--batch must be greater than 0"))
    mail, sender, password = _mail_target(ctx), _sender(ctx), _password(ctx)
    if ctx.settings.database_is_default:
        Path(ctx.settings.database.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    heartbeat = _seconds(ctx, args.heartbeat_every, "--heartbeat-every")
    stale = _seconds(ctx, args.stale_after, "--stale-after")
    if stale < 2 * heartbeat:
        raise UsageError(
            t(
                "--stale-after phải ít nhất gấp đôi --heartbeat-every, nếu không các dịch vụ "
                "đang chạy bị coi là đã dừng",
                "--stale-after must be at least twice --heartbeat-every, or running daemons "
                "are taken for dead",
            )
        )
    settings = DaemonSettings(
        database=ctx.settings.database,
        plan=plan,
        plan_source=ctx.settings.plan,
        mail=mail,
        sender=sender,
        password=password,
        calendar=load_calendar(ctx.settings),
        sweep_every=_seconds(ctx, args.sweep_every, "--sweep-every"),
        drain_every=_seconds(ctx, args.drain_every, "--drain-every"),
        heartbeat_every=heartbeat,
        stale_after=stale,
        backoff=Backoff(base=retry_base),
        batch=args.batch,
        upgrade=ctx.settings.database.startswith("sqlite"),
    )
    _logging()
    with Daemon(settings, mode="once" if args.once else "run") as daemon:
        if not args.once:
            daemon.run()
            return 0
        swept, drained = daemon.run_once()
        left = len(daemon.outbox.due(daemon.clock()))
    ctx.print(
        t(
            f"Quét: {len(swept.fired)} chuyển trạng thái, {swept.queued} thư mới. "
            f"Gửi: {drained.sent}; chờ gửi lại: {drained.retried}; lỗi: {drained.failed}; "
            f"không rõ: {drained.uncertain}; quá hạn: {drained.expired}. Còn chờ: {left}.",
            f"Sweep: {len(swept.fired)} transition(s), {swept.queued} new message(s). "
            f"Sent: {drained.sent}; to retry: {drained.retried}; failed: {drained.failed}; "
            f"uncertain: {drained.uncertain}; expired: {drained.expired}. Still waiting: {left}.",
        )
    )
    return EXIT_UNSENT if _unsent(drained) or left else 0


def _unsent(drained: DrainResult) -> bool:
    return bool(drained.retried or drained.failed or drained.uncertain or drained.expired)


def _dry_run(ctx: Context, plan: Any) -> int:
    """``ocop daemon --dry-run``: what one sweep and drain would do; nothing is written."""
    import ocop
    from ocop.errors import StorageUnavailable
    from ocop.notifications.daemon import as_of_clock
    from ocop.notifications.delivery import dry_run

    settings = ctx.settings
    url = settings.database
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise UsageError(
            ctx.t(
                f"không có cơ sở dữ liệu {url.removeprefix('sqlite:///')}",
                f"there is no database {url.removeprefix('sqlite:///')}",
            )
        )
    calendar = load_calendar(settings)
    # The end of the day given, so everything due that day shows; the real time otherwise.
    clock = as_of_clock(ctx.args.as_of, time(23, 59) if ctx.args.as_of else None)
    registry = ocop.open(
        ocop.Settings(database=url, plan=plan, upgrade=False), clock=clock, calendar=calendar
    )
    try:
        if not registry.database.schema_is_current():
            raise StorageUnavailable(
                f"Database {registry.database.name} has no up-to-date ocop schema; run "
                "`ocop db upgrade` first."
            )
        found = dry_run(registry, plan, registry.outbox)
        day = registry.today()
    finally:
        registry.close()
    _print_dry_run(ctx, found, day)
    return 0


def _print_dry_run(ctx: Context, found: DryRun, day: Any) -> None:
    from ocop.cli.output import dumps, fmt_date
    from ocop.states.vocabulary import MessageKind, label

    t = ctx.t
    if getattr(ctx.args, "json", False):
        ctx.print(dumps(_dry_json(found)))
        return
    ctx.print(
        t(
            f"Chạy thử ngày {fmt_date(day, ctx.lang)} — không ghi, không gửi gì.",
            f"Dry run for {fmt_date(day, ctx.lang)} — nothing written or sent.",
        )
    )
    ctx.print(t(f"Sẽ chuyển trạng thái ({len(found.fired)}):", f"Would fire ({len(found.fired)}):"))
    for event, messages in found.fired:
        before, after = event.before, event.after
        assert before is not None
        ctx.print(
            f"  #{after.id} {after.product_name}: {before.state.label(ctx.lang)} → "
            f"{after.state.label(ctx.lang)}"
            + (
                t(f" ({len(messages)} thư báo)", f" ({len(messages)} notice(s))")
                if messages
                else ""
            )
        )
    new = [r for r, queued in found.reminders if not queued]
    ctx.print(
        t(
            f"Sẽ xếp thư nhắc việc mới ({len(new)}; đã có {len(found.reminders) - len(new)}):",
            f"Would queue new reminders ({len(new)}; {len(found.reminders) - len(new)} "
            "already queued):",
        )
    )
    for reminder in new:
        ctx.print(f"  {label(MessageKind, reminder.kind, ctx.lang)} → {reminder.to.email}")
    ctx.print(
        t(
            f"Sẽ gửi thư đang chờ trong hộp thư đi ({len(found.waiting)}):",
            f"Would send waiting outbox messages ({len(found.waiting)}):",
        )
    )
    for message in found.waiting:
        kind = label(MessageKind, message.kind, ctx.lang)
        ctx.print(f"  {message.id}: {kind} → {message.recipient}")


def _dry_json(found: DryRun) -> dict[str, Any]:
    return {
        "fire": [
            {
                "dossier": event.after.id,
                "trigger": event.trigger,
                "to_state": event.after.state.value,
                "notices": [m.recipient for m in messages],
            }
            for event, messages in found.fired
        ],
        "reminders": [
            {
                "kind": r.kind,
                "recipient": r.to.email,
                "due_on": r.due_on,
                "anchor": r.anchor,
                "dossier": r.dossier_id,
                "queued": queued,
            }
            for r, queued in found.reminders
        ],
        "send": [{"id": m.id, "kind": m.kind, "recipient": m.recipient} for m in found.waiting],
    }


def status(ctx: Context) -> int:
    """``ocop status``: each daemon's heartbeat, the outbox by status, the oldest waiting."""
    from ocop.cli.output import dumps, fmt_moment, table
    from ocop.states.vocabulary import MessageKind, OutboxStatus, label
    from ocop.storage.daemons import Heartbeats

    t, lang = ctx.t, ctx.lang
    registry = ctx.registry()
    now = registry.now()
    stale = _seconds(ctx, ctx.args.stale_after, "--stale-after")
    beats = Heartbeats(registry.database).all()
    outbox = registry.outbox
    counts, oldest = outbox.counts(), outbox.oldest_waiting()

    def health(beat: Any) -> str:
        if beat.stopped_at is not None:
            return "stopped"
        return "alive" if beat.alive(now, stale) else "silent"

    if ctx.args.json:
        ctx.print(
            dumps(
                {
                    "daemons": [vars(b) | {"health": health(b)} for b in beats],
                    "outbox": counts,
                    "oldest_waiting": vars(oldest) if oldest else None,
                }
            )
        )
        return 0
    said = {
        "alive": t("đang chạy", "running"),
        "silent": t("không còn báo (coi như đã dừng)", "silent (taken for dead)"),
        "stopped": t("đã dừng", "stopped"),
    }
    running = [b for b in beats if b.stopped_at is None]
    if not beats:
        ctx.print(t("Chưa có dịch vụ nào chạy trên cơ sở dữ liệu này.", "No daemon has run here."))
    else:
        ctx.print(
            t(f"Dịch vụ ({len(running)} chưa dừng):", f"Daemons ({len(running)} not stopped):")
        )
        # The long-running ones and the latest runs; --json lists them all.
        shown = running + [b for b in beats if b.stopped_at is not None][:5]
        ctx.print(
            table(
                [
                    t("Dịch vụ", "Daemon"),
                    t("Chế độ", "Mode"),
                    t("Tình trạng", "Health"),
                    t("Báo lần cuối", "Last heartbeat"),
                    t("Quét lần cuối", "Last sweep"),
                    t("Gửi lần cuối", "Last drain"),
                    t("Gửi qua", "Mail to"),
                ],
                [
                    [
                        b.worker,
                        b.mode,
                        said[health(b)],
                        fmt_moment(b.beat_at, lang),
                        fmt_moment(b.swept_at, lang),
                        fmt_moment(b.drained_at, lang),
                        b.transport,
                    ]
                    for b in shown
                ],
            )
        )
    summary = ", ".join(f"{label(OutboxStatus, s, lang)}: {n}" for s, n in sorted(counts.items()))
    ctx.print(t(f"Hộp thư đi — {summary or 'trống'}", f"Outbox — {summary or 'empty'}"))
    if oldest is not None:
        kind = label(MessageKind, oldest.kind, lang)
        why = " ".join((oldest.last_error or "").split()) or (
            t("chưa đến lượt gửi", "not yet due")
            if oldest.next_attempt_at > now
            else t("chờ dịch vụ gửi", "waiting for a daemon to drain")
        )
        ctx.print(
            t(
                f"Thư chờ lâu nhất: số {oldest.id} ({kind}) → {oldest.recipient}, xếp lúc "
                f"{fmt_moment(oldest.created_at, lang)}, đã thử {oldest.attempts} lần, lần tới "
                f"{fmt_moment(oldest.next_attempt_at, lang)}: {why}",
                f"Oldest waiting: message {oldest.id} ({kind}) to {oldest.recipient}, queued "
                f"{fmt_moment(oldest.created_at, lang)}, {oldest.attempts} attempt(s), next "
                f"{fmt_moment(oldest.next_attempt_at, lang)}: {why}",
            )
        )
    return 0
