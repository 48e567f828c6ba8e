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
from ocop.text import N_

if TYPE_CHECKING:
    from ocop.notifications.delivery import DrainResult, DryRun

__all__ = ["ENVIRONMENT", "EXIT_UNSENT", "register", "run_daemon", "status"]

EXIT_UNSENT = 3
"""``--once``: the run left messages failed, uncertain, expired or waiting for a server."""

ENVIRONMENT: dict[str, str] = {
    "OCOP_SMTP_URL": N_("máy chủ thư: smtp://…, smtps://…"),
    "OCOP_SMTP_PASSWORD": N_("mật khẩu máy chủ thư (thay cho mật khẩu trong URL)"),
    "OCOP_SMTP_PASSWORD_FILE": N_("tệp chứa mật khẩu máy chủ thư (như --password-file)"),
    "OCOP_MAILDIR": N_("thư mục nhận tệp .eml thay cho SMTP"),
    "OCOP_MAIL_FROM": N_("địa chỉ người gửi"),
    "OCOP_RETRY_BASE": N_("số giây chờ trước lần gửi lại đầu tiên"),
}
"""The variables the daemon reads, with their help (Vietnamese, translated where shown)."""

_STALE_AFTER = N_("sau bấy nhiêu giây không báo, một dịch vụ được coi là đã dừng ({default})")


def _epilog(t: Translate) -> str:
    lines = environment_help(t, ENVIRONMENT)
    lines += [
        "",
        t(
            "Mã thoát của --once: 0 khi mọi thư đến hạn đã gửi; {exit_unsent} khi "
            "còn thư lỗi, không rõ, quá hạn hoặc chờ máy chủ thư; 1 khi bị từ chối; "
            "2 khi sai lệnh hoặc cấu hình.",
            exit_unsent=EXIT_UNSENT,
        ),
    ]
    return "\n".join(lines)


def register(commands: Commands) -> None:
    """Add ``ocop daemon``."""
    t = commands.t
    daemon = commands.add(
        "daemon",
        run_daemon,
        t("chạy dịch vụ nhắc việc và gửi thư"),
        description=t(
            "Quét hạn và nhắc việc, gửi thư trong hộp thư đi, gửi bản tóm tắt buổi "
            "sáng cho cán bộ. Dừng bằng Ctrl+C hoặc SIGTERM (sau khi gửi xong thư "
            "đang gửi). Với --once: quét và gửi một lần rồi thoát (dùng cho cron). "
            "Với --dry-run: chỉ in những gì sẽ làm, không ghi gì. Không có --plan "
            "thì không nhắc việc theo kế hoạch. Không có --smtp thì thư được ghi "
            "thành tệp .eml vào --maildir, mặc định ~/.local/share/ocop/mail. Trên "
            "SQLite chỉ một dịch vụ chạy được trên một cơ sở dữ liệu."
        )
        + "\n\n"
        + _epilog(t),
        json=True,
    )
    run = daemon.add_mutually_exclusive_group()
    run.add_argument("--once", action="store_true", help=t("chạy một lần"))
    run.add_argument(
        "--dry-run",
        action="store_true",
        help=t("in những gì một lượt quét và gửi sẽ làm, không ghi gì, không gửi gì"),
    )
    daemon.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("chỉ với --dry-run: xem như hôm nay là ngày này"),
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
            "ghi thư thành tệp .eml vào thư mục (OCOP_MAILDIR; mặc định ~/.local/share/ocop/mail)"
        ),
    )
    daemon.add_argument(
        "--password-file",
        metavar="FILE",
        help=t("tệp chứa mật khẩu máy chủ thư (hoặc biến OCOP_SMTP_PASSWORD)"),
    )
    daemon.add_argument("--from", dest="sender", metavar="ADDRESS", help="(OCOP_MAIL_FROM)")
    daemon.add_argument("--retry-base", type=float, metavar="SECONDS", help="(OCOP_RETRY_BASE)")
    for option, default, words in (
        ("--sweep-every", 600, N_("chu kỳ quét ({default})")),
        ("--drain-every", 30, N_("chu kỳ gửi ({default})")),
        ("--heartbeat-every", 10, N_("chu kỳ báo còn chạy ({default})")),
        ("--stale-after", 60, _STALE_AFTER),
    ):
        daemon.add_argument(
            option, type=float, default=default, metavar="SECONDS", help=t(words, default=default)
        )
    daemon.add_argument("--batch", type=int, default=50, help=t("số thư mỗi lượt"))

    state = commands.add(
        "status",
        status,
        t("tình trạng dịch vụ nhắc việc và hộp thư đi"),
        description=t(
            "Mỗi dịch vụ: lần báo còn chạy, lần quét và gửi cuối; hộp thư đi theo "
            "trạng thái; thư chờ lâu nhất và lý do. Chỉ đọc, không ghi gì."
        ),
        json=True,
    )
    state.add_argument(
        "--stale-after",
        type=float,
        default=60,
        metavar="SECONDS",
        help=t(_STALE_AFTER, default=60),
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
                    "--smtp không phải URL máy chủ thư ({exc}); dùng một trong: {schemes}",
                    exc=exc.problem(ctx.lang),
                    schemes=schemes,
                )
            ) from None
        return smtp
    if folder:
        if "://" in folder and not folder.startswith("file://"):
            raise UsageError(
                t(
                    "--maildir phải là một thư mục, không phải URL: {value}://…",
                    value=folder.split("://")[0],
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
                ctx.t("không đọc được tệp mật khẩu {path}: {reason}", path=path, reason=reason)
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
                "--from cần một địa chỉ thư, ví dụ 'Phòng Kinh tế <pkt@xa.gov.vn>' ({exc})",
                exc=exc.problem(ctx.lang),
            )
        ) from None


def _seconds(ctx: Context, value: float, option: str) -> timedelta:
    if not value > 0:
        raise UsageError(ctx.t("{option} phải lớn hơn 0", option=option))
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
                "--as-of chỉ dùng với --dry-run: dịch vụ không bao giờ gửi thư hay "
                "chuyển trạng thái theo một ngày khác hôm nay"
            )
        )
    plan = load_plan(ctx.settings.plan)
    if args.dry_run:
        return _dry_run(ctx, plan)
    base = _setting(ctx, "retry_base", "OCOP_RETRY_BASE", "retry_base")
    try:
        retry_base = timedelta(seconds=float(base)) if base is not None else timedelta(minutes=1)
    except ValueError:
        message = t("OCOP_RETRY_BASE không hợp lệ: {base}", base=base)
        raise UsageError(message) from None
    if args.batch < 1:
        raise UsageError(t("--batch phải lớn hơn 0"))
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
                "--stale-after phải ít nhất gấp đôi --heartbeat-every, nếu không các "
                "dịch vụ đang chạy bị coi là đã dừng"
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
        from ocop.cli.progress import progress_bar

        swept = daemon.sweep()
        waiting = len(daemon.outbox.due(daemon.clock()))
        with progress_bar(ctx, t("Đang gửi thư"), total=waiting) as bar:
            drained = daemon.drain(progress=bar)  # run_once's drain, with a bar on a terminal
        left = len(daemon.outbox.due(daemon.clock()))
    ctx.print(
        t(
            "Quét: {fired_count} chuyển trạng thái, {queued} thư mới. Gửi: {sent}; "
            "chờ gửi lại: {retried}; lỗi: {failed}; không rõ: {uncertain}; quá hạn: "
            "{expired}. Còn chờ: {left}.",
            fired_count=len(swept.fired),
            queued=swept.queued,
            sent=drained.sent,
            retried=drained.retried,
            failed=drained.failed,
            uncertain=drained.uncertain,
            expired=drained.expired,
            left=left,
        )
    )
    return EXIT_UNSENT if _unsent(drained) or left else 0


def _unsent(drained: DrainResult) -> bool:
    return bool(drained.retried or drained.failed or drained.uncertain or drained.expired)


def _dry_run(ctx: Context, plan: Any) -> int:
    """``ocop daemon --dry-run``: what one sweep and drain would do; nothing is written."""
    import ocop
    from ocop.errors import SchemaNotCurrent
    from ocop.notifications.daemon import as_of_clock
    from ocop.notifications.delivery import dry_run
    from ocop.workflow.permissions import check_preview

    settings = ctx.settings
    url = settings.database
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise UsageError(ctx.t("không có cơ sở dữ liệu {url}", url=url.removeprefix("sqlite:///")))
    # The preview shows the mail of every area the database holds, recipients included.
    check_preview(ctx.reader())
    calendar = load_calendar(settings)
    # The end of the day given, so everything due that day shows; the real time otherwise.
    clock = as_of_clock(ctx.args.as_of, time(23, 59) if ctx.args.as_of else None)
    registry = ocop.open(
        ocop.Settings(database=url, plan=plan, upgrade=False), clock=clock, calendar=calendar
    )
    try:
        if not registry.database.schema_is_current():
            raise SchemaNotCurrent(registry.database.name)
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
    ctx.print(t("Chạy thử ngày {day} — không ghi, không gửi gì.", day=fmt_date(day, ctx.lang)))
    ctx.print(t("Sẽ chuyển trạng thái ({fired_count}):", fired_count=len(found.fired)))
    for event, messages in found.fired:
        before, after = event.before, event.after
        assert before is not None
        ctx.print(
            f"  #{after.id} {after.product_name}: {before.state.label(ctx.lang)} → "
            f"{after.state.label(ctx.lang)}"
            + (t(" ({messages_count} thư báo)", messages_count=len(messages)) if messages else "")
        )
    new = [r for r, queued in found.reminders if not queued]
    ctx.print(
        t(
            "Sẽ xếp thư nhắc việc mới ({new_count}; đã có {value}):",
            new_count=len(new),
            value=len(found.reminders) - len(new),
        )
    )
    for reminder in new:
        ctx.print(f"  {label(MessageKind, reminder.kind, ctx.lang)} → {reminder.to.email}")
    ctx.print(
        t(
            "Sẽ gửi thư đang chờ trong hộp thư đi ({waiting_count}):",
            waiting_count=len(found.waiting),
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
    # The daemons are everyone's to see; the outbox only as far as the reader's area goes.
    reader = ctx.reader()
    now = registry.now()
    stale = _seconds(ctx, ctx.args.stale_after, "--stale-after")
    beats = Heartbeats(registry.database).all()
    outbox = registry.outbox
    counts, oldest = outbox.counts(actor=reader), outbox.oldest_waiting(actor=reader)

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
        "alive": t("đang chạy"),
        "silent": t("không còn báo (coi như đã dừng)"),
        "stopped": t("đã dừng"),
    }
    running = [b for b in beats if b.stopped_at is None]
    if not beats:
        ctx.print(t("Chưa có dịch vụ nào chạy trên cơ sở dữ liệu này."))
    else:
        ctx.print(t("Dịch vụ ({running_count} chưa dừng):", running_count=len(running)))
        # The long-running ones and the latest runs; --json lists them all.
        shown = running + [b for b in beats if b.stopped_at is not None][:5]
        ctx.print(
            table(
                [
                    t("Dịch vụ"),
                    t("Chế độ"),
                    t("Tình trạng"),
                    t("Báo lần cuối"),
                    t("Quét lần cuối"),
                    t("Gửi lần cuối"),
                    t("Gửi qua"),
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
    ctx.print(t("Hộp thư đi — {summary}", summary=summary) if summary else t("Hộp thư đi — trống"))
    if oldest is not None:
        kind = label(MessageKind, oldest.kind, lang)
        why = " ".join((oldest.last_error or "").split()) or (
            t("chưa đến lượt gửi") if oldest.next_attempt_at > now else t("chờ dịch vụ gửi")
        )
        ctx.print(
            t(
                "Thư chờ lâu nhất: số {id} ({kind}) → {recipient}, xếp lúc "
                "{created_at}, đã thử {attempts} lần, lần tới {next_attempt_at}: {why}",
                id=oldest.id,
                kind=kind,
                recipient=oldest.recipient,
                created_at=fmt_moment(oldest.created_at, lang),
                attempts=oldest.attempts,
                next_attempt_at=fmt_moment(oldest.next_attempt_at, lang),
                why=why,
            )
        )
    return 0
