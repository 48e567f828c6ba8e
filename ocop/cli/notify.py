"""``ocop reminders`` and ``ocop outbox list / show / retry``: what the sweep would queue, and
the outbox.

The plan is ``--plan`` / ``OCOP_PLAN`` / the config file's ``plan``; without one there are no
plan reminders (see :mod:`ocop.cli.daemon`). ``outbox show`` renders a message as the daemon
sends it, with the sender the daemon would use (``--from`` / ``OCOP_MAIL_FROM`` / the config
file's ``[mail] from``, else the plan's, else :data:`ocop.notifications.daemon.DEFAULT_SENDER`),
and writes nothing. jinja2 is imported inside the handlers only.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from ocop.cli.args import add_plan, date_type, record_id, whole_number
from ocop.cli.core import Commands, Context, Translate, UsageError, load_plan
from ocop.cli.output import dumps, fmt_date, fmt_moment, table
from ocop.states.vocabulary import MessageKind, OutboxStatus, label
from ocop.text import term

if TYPE_CHECKING:
    from email.message import EmailMessage

    from ocop import Actor, Registry
    from ocop.plan import Plan
    from ocop.storage.outbox import OutboxMessage

__all__ = ["register"]

_STATUS_NAMES = [str(s) for s in OutboxStatus]


def register(commands: Commands) -> None:
    """Add ``ocop reminders`` and ``ocop outbox``."""
    t = commands.t
    reminders = commands.add(
        "reminders",
        preview,
        t("xem trước thư nhắc việc của một ngày (không gửi)"),
        description=t(
            "Liệt kê thư nhắc việc sẽ gửi trong ngày (mặc định hôm nay), theo kế "
            "hoạch của xã và hồ sơ hiện có, mà không gửi."
        ),
        json=True,
    )
    reminders.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("xem như hôm nay là ngày này"),
    )
    add_plan(reminders, t)

    outbox = commands.group("outbox", t("hộp thư đi: xem, gửi lại"))
    listing = outbox.add("list", list_outbox, t("liệt kê thư trong hộp thư đi"), json=True)
    listing.add_argument(
        "--status",
        metavar="STATUS[,STATUS]",
        help=t("lọc theo trạng thái: {statuses}", statuses=", ".join(_STATUS_NAMES)),
    )
    listing.add_argument("--kind", help=t("lọc theo loại thư"))
    listing.add_argument(
        "--dossier",
        type=record_id(t, t("số hồ sơ")),
        metavar="ID",
        help=t("của hồ sơ"),
    )
    listing.add_argument("--limit", type=whole_number(t), default=50, help=t("số dòng"))
    show = outbox.add(
        "show",
        show_outbox,
        t("xem một thư như khi gửi đi"),
        description=t(
            "In một thư trong hộp thư đi: trạng thái, số lần gửi, lần gửi tới, lỗi "
            "gần nhất, khóa chống trùng, rồi thư như khi gửi (From, To, Subject, "
            "Date, Message-ID và nội dung). Thư chưa gửi mang ngày của lần gửi tới "
            "(hoặc bây giờ). Không ghi gì vào cơ sở dữ liệu."
        ),
        json=True,
    )
    show.add_argument(
        "id",
        type=record_id(t, t("số thư")),
        metavar="ID",
        help=t("số thư"),
    )
    show.add_argument(
        "--raw",
        action="store_true",
        help=t("in nguyên văn thư (RFC 5322, như tệp .eml)"),
    )
    show.add_argument(
        "--from",
        dest="sender",
        metavar="ADDRESS",
        help=t("người gửi, như ocop daemon --from (OCOP_MAIL_FROM)"),
    )
    add_plan(show, t)  # its sender is the From when no --from is given, as for the daemon
    retry = outbox.add("retry", retry_outbox, t("gửi lại thư"))
    retry.add_argument(
        "ids",
        type=record_id(t, t("số thư")),
        nargs="+",
        metavar="ID",
        help=t("số thư"),
    )


def _plan(ctx: Context) -> Plan | None:
    return load_plan(ctx.settings.plan)


def _kind(kind: str, lang: str) -> str:
    return label(MessageKind, kind, lang)


def preview(ctx: Context) -> int:
    """``ocop reminders``: what the sweep would queue on a day, rendered, not sent."""
    from ocop.notifications.daemon import as_of_clock
    from ocop.notifications.delivery import preview as due
    from ocop.notifications.render import render

    plan = _plan(ctx)
    if plan is None:
        raise UsageError(
            ctx.t(
                "chưa có kế hoạch của xã: thêm --plan TỆP hoặc đặt OCOP_PLAN (tạo một "
                "kế hoạch bằng `ocop plan init`)"
            )
        )
    registry = ctx.registry()
    reader = ctx.reader()
    # The end of the day, so that everything due that day shows, the digest included.
    day = ctx.args.as_of or registry.today()
    registry.clock = as_of_clock(day, time(23, 59))
    found = [r for r in due(registry, plan) if _sees(registry, reader, plan, r.dossier_id)]
    queued = registry.outbox.known(r.dedupe_key for r in found)
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
        ctx.print(t("Ngày {day}: không có thư nhắc việc nào.", day=day))
        return 0
    ctx.print(t("Thư nhắc việc ngày {day} ({rows_count}):", day=day, rows_count=len(rows)))
    ctx.print(
        table(
            [t("Loại"), t("Người nhận"), t("Tiêu đề"), ""],
            [
                [
                    _kind(r["kind"], ctx.lang),
                    r["recipient"],
                    r["subject"],
                    t("đã có trong hộp thư đi") if r["queued"] else "",
                ]
                for r in rows
            ],
        )
    )
    return 0


def _sees(registry: Registry, reader: Actor, plan: Plan, dossier_id: int | None) -> bool:
    """Whether ``reader`` may see a reminder: one about a dossier as the dossier, one about no
    dossier as the plan's area (as the outbox scopes its messages)."""
    from ocop.errors import PermissionDenied
    from ocop.workflow.permissions import covers

    if dossier_id is None:
        return covers(reader, plan.commune, plan.province)
    try:
        registry.get(dossier_id, actor=reader)
    except PermissionDenied:
        return False
    return True


def _status(status: str, lang: str) -> str:
    return label(OutboxStatus, status, lang)


def _statuses(value: str | None, t: Translate) -> list[str] | None:
    if not value:
        return None
    wanted = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in _STATUS_NAMES]
    if unknown:
        raise UsageError(
            t(
                "trạng thái không có: {unknown}; có: {status_names}",
                unknown=", ".join(unknown),
                status_names=", ".join(_STATUS_NAMES),
            )
        )
    return wanted


def list_outbox(ctx: Context) -> int:
    """``ocop outbox list``."""

    t = ctx.t
    outbox = ctx.registry().outbox
    reader = ctx.reader()
    messages = outbox.find(
        status=_statuses(ctx.args.status, t),
        kind=ctx.args.kind,
        dossier_id=ctx.args.dossier,
        limit=ctx.args.limit,
        actor=reader,
    )
    if ctx.args.json:
        ctx.print(dumps([vars(m) for m in messages]))
        return 0
    counts = outbox.counts(actor=reader)
    summary = ", ".join(f"{_status(s, ctx.lang)}: {n}" for s, n in sorted(counts.items()))
    ctx.print(t("Hộp thư đi — {summary}", summary=summary) if summary else t("Hộp thư đi — trống"))
    if not messages:
        return 0
    rows = [
        [
            str(m.id),
            _status(m.status, ctx.lang),
            _kind(m.kind, ctx.lang),
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
        term(ctx.lang, "outbox status", "Trạng thái"),
        t("Loại"),
        t("Người nhận"),
        t("Hồ sơ"),
        t("Gửi / lần tới"),
        t("Lần"),
        t("Lỗi"),
    ]
    ctx.print(table(headers, rows))
    return 0


def _one_line(error: str | None) -> str:
    # Whole, on one line: an error names the server first and its answer last, and a cut
    # kept the address and lost the answer.
    return " ".join((error or "").split())


def _sender(ctx: Context) -> str:
    """The From the daemon would use: --from, OCOP_MAIL_FROM, [mail] from, the plan's, default."""
    from ocop.errors import InvalidInput
    from ocop.notifications.daemon import DEFAULT_SENDER
    from ocop.notifications.transports import parse_sender

    mail: dict[str, Any] = ctx.settings.sections.get("mail", {})
    named = (
        ctx.args.sender
        or ctx.settings.environ.get("OCOP_MAIL_FROM")
        or (str(mail["from"]) if mail.get("from") else None)
    )
    if named is None:
        plan = _plan(ctx)
        return (plan.sender if plan is not None else None) or DEFAULT_SENDER
    try:
        return parse_sender(named)
    except InvalidInput as exc:
        raise UsageError(
            ctx.t(
                "--from cần một địa chỉ thư, ví dụ 'Phòng Kinh tế <pkt@xa.gov.vn>' ({exc})",
                exc=exc.problem(ctx.lang),
            )
        ) from None


def _email(message: OutboxMessage, sender: str, now: datetime) -> tuple[bytes, EmailMessage]:
    """The bytes the folder transport writes (envelope first) and the message read back."""
    import email
    from email.message import EmailMessage
    from email.policy import SMTP, default
    from email.utils import parseaddr

    from ocop.notifications.render import build_email, render

    rendered = render(
        message.kind,
        message.context,
        lang=message.lang,
        reference=str(message.id),
        dossier_id=message.dossier_id,
    )
    # Sent: the moment it went; else the next attempt, or now if that is already past.
    moment = message.sent_at or max(message.next_attempt_at, now)
    mail = build_email(message, rendered, sender=sender, now=moment)
    envelope = parseaddr(sender)[1] or sender
    head = f"X-Envelope-From: {envelope}\r\nX-Envelope-To: {message.recipient}\r\n".encode()
    data = head + mail.as_bytes(policy=SMTP)
    parsed = email.message_from_bytes(data, policy=default)
    assert isinstance(parsed, EmailMessage)
    return data, parsed


def show_outbox(ctx: Context) -> int:
    """``ocop outbox show ID``: one message, as it is (or was) sent; writes nothing."""
    from email.message import EmailMessage

    from ocop.errors import InvalidInput, NotFound

    t = ctx.t
    if ctx.args.raw and ctx.args.json:
        raise UsageError(t("chọn --raw hoặc --json, không cả hai"))
    registry = ctx.registry()
    reader = ctx.reader()
    try:
        message = registry.outbox.get(ctx.args.id, actor=reader)
    except NotFound:
        ctx.stderr.write(
            t(
                "ocop outbox show: không có thư số {id} trong hộp thư đi (xem `ocop "
                "outbox list`)\n",
                id=ctx.args.id,
            )
        )
        return 1
    sender = _sender(ctx)
    problem: str | None = None
    try:
        data, mail = _email(message, sender, registry.now())
    except InvalidInput as exc:
        problem = str(exc)
    if ctx.args.raw:
        if problem is not None:
            ctx.stderr.write(_unbuildable(ctx, problem) + "\n")
            return 1
        binary = getattr(ctx.stdout, "buffer", None)
        if binary is None:  # a text stream only (a test's StringIO)
            ctx.stdout.write(data.decode("ascii", "replace"))
            return 0
        ctx.stdout.flush()
        binary.write(data)
        binary.flush()
        return 0
    fields: dict[str, Any] = vars(message) | {"expires_at": vars(message).get("expires_at")}
    if problem is None:
        body = mail.get_body(("plain",))
        html = mail.get_body(("html",))
        fields |= {
            "from": str(mail["From"]),
            "to": str(mail["To"]),
            "subject": str(mail["Subject"]),
            "date": str(mail["Date"]),
            "message_id": str(mail["Message-ID"]),
            "text": body.get_content() if isinstance(body, EmailMessage) else None,
            "html": html.get_content() if isinstance(html, EmailMessage) else None,
            "error": None,
        }
    else:
        fields |= {"error": problem}
    if ctx.args.json:
        ctx.print(dumps(fields))
        return 0 if problem is None else 1
    _print_message(ctx, message, fields)
    if problem is not None:
        ctx.print()
        ctx.print(_unbuildable(ctx, problem))
        return 1
    return 0


def _unbuildable(ctx: Context, problem: str) -> str:
    return ctx.t("Không dựng được thư này, nên sẽ không gửi được: {problem}", problem=problem)


def _print_message(ctx: Context, message: OutboxMessage, fields: dict[str, Any]) -> None:
    t = ctx.t
    waiting = message.status in ("pending", "retry")
    rows = [
        (term(ctx.lang, "outbox status", "Trạng thái"), _status(message.status, ctx.lang)),
        (t("Loại"), f"{_kind(message.kind, ctx.lang)} ({message.kind})"),
        (t("Hồ sơ"), str(message.dossier_id or "—")),
        (t("Người nhận"), message.recipient),
        (t("Số lần đã gửi"), str(message.attempts)),
        (
            t("Lần gửi tới"),
            fmt_moment(message.next_attempt_at, ctx.lang) if waiting else "—",
        ),
        (t("Đã gửi lúc"), fmt_moment(message.sent_at, ctx.lang)),
        (t("Hết hạn gửi"), fmt_moment(fields.get("expires_at"), ctx.lang)),
        (t("Lỗi gần nhất"), _one_line(message.last_error) or "—"),
        (t("Khóa chống trùng"), message.dedupe_key),
        (t("Tạo lúc"), fmt_moment(message.created_at, ctx.lang)),
    ]
    if message.claimed_by:
        rows.append((t("Đang do"), message.claimed_by))
    if message.retried_by:
        from ocop.states import Role

        known = {r.value: r for r in Role}
        role = message.retried_role or ""
        role = known[role].label(ctx.lang) if role in known else role
        rows.append(
            (
                t("Gửi lại theo lệnh"),
                t(
                    "{who} ({role}) lúc {at}",
                    who=message.retried_by,
                    role=role,
                    at=fmt_moment(message.retried_at, ctx.lang),
                ),
            )
        )
    width = max(len(name) for name, _ in rows)
    ctx.print(t("Thư số {id}", id=message.id))
    for name, value in rows:
        ctx.print(f"  {(name + ':').ljust(width + 1)} {value}")
    if fields.get("error") is not None:
        return
    ctx.print()
    for header, key in (
        ("From", "from"),
        ("To", "to"),
        ("Subject", "subject"),
        ("Date", "date"),
        ("Message-ID", "message_id"),
    ):
        ctx.print(f"{header}: {fields[key]}")
    ctx.print()
    ctx.print(str(fields["text"] or "").rstrip("\n"))


def retry_outbox(ctx: Context) -> int:
    """``ocop outbox retry ID…``: failed, uncertain or waiting messages go out again."""

    registry = ctx.registry()
    # An officer of the messages' area (or an administrator) asks, and is recorded.
    done = registry.outbox.requeue(ctx.args.ids, registry.now(), actor=ctx.reader())
    ids = ", ".join(str(m.id) for m in done)
    ctx.print(
        ctx.t(
            "Đã xếp lại {done_count} thư ({ids}); dịch vụ sẽ gửi ở lượt tới.",
            done_count=len(done),
            ids=ids,
        )
    )
    return 0
