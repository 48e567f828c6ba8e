"""``ocop demo``: the Lưu Vệ 2026 plan played through the year, printed step by step.

The story itself is :mod:`ocop.demo`; this module prints it. It runs on a fresh SQLite file:
``--db PATH`` keeps it for a look afterwards, otherwise a temporary folder is used and removed.
The configured database (``OCOP_DATABASE``, the config file) is never touched.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ocop.cli.core import Commands, Context, UsageError
from ocop.cli.messages import explain
from ocop.cli.output import fmt_date, table, weekday
from ocop.cli.render import certificate_text, command_for, due_text, stars, trigger_label
from ocop.states import IMPORT_TRIGGER, State, Trigger
from ocop.workdays import local_date

if TYPE_CHECKING:
    from ocop.demo import Change, Demo, Step

__all__ = ["register"]

_NEW_CYCLE = frozenset({IMPORT_TRIGGER, "register", "reapply"})


def register(commands: Commands) -> None:
    """Add ``ocop demo``."""
    t = commands.t
    commands.add(
        "demo",
        demo,
        t(
            "chạy thử kế hoạch OCOP 2026 của xã Lưu Vệ trên cơ sở dữ liệu mới",
            "play Lưu Vệ's 2026 OCOP plan on a fresh database",
        ),
        description=t(
            "Chạy thử kế hoạch OCOP năm 2026 của xã Lưu Vệ (Thanh Hóa) trên một tệp SQLite "
            "mới: 3 sản phẩm 3★ đánh giá lại, 1 sản phẩm mới, đợt đánh giá của xã tháng 8. "
            "Với --db PATH, tệp được giữ lại để xem tiếp (tệp phải chưa tồn tại); không có "
            "--db thì dùng thư mục tạm.",
            "Play Lưu Vệ's (Thanh Hóa) 2026 OCOP plan on a fresh SQLite file: 3 products "
            "re-rated at 3★, 1 new product, the commune's August evaluation. With --db PATH "
            "the file is kept for a look afterwards (it must not exist yet); without it a "
            "temporary folder is used.",
        ),
    )


def _target(ctx: Context, folder: str) -> tuple[str, Path]:
    given: str | None = ctx.args.database
    if given is None:
        path = Path(folder) / "ocop-demo.db"
    elif "://" in given:
        if not given.startswith("sqlite:///"):
            raise UsageError(
                ctx.t("demo chỉ chạy trên tệp SQLite", "the demo runs on a SQLite file only")
            )
        path = Path(given.removeprefix("sqlite:///"))
    else:
        path = Path(given).expanduser()
    if path.exists() and path.stat().st_size > 0:
        raise UsageError(
            ctx.t(
                f"{path} đã có; demo cần một tệp mới (chọn tên khác hoặc xóa tệp)",
                f"{path} exists; the demo needs a new file (pick another name or delete it)",
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}", path


def demo(ctx: Context) -> int:
    """``ocop demo``."""
    from ocop.demo import Demo

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ocop-demo-") as folder:
        url, path = _target(ctx, folder)
        mail = path.with_name(f"{path.stem}-mail")
        with Demo(url, mail=mail) as story:
            _intro(ctx, story, path)
            for step in story.steps():
                _step(ctx, step)
            _summary(ctx, story)
            _mail_summary(ctx, story, mail)
    t = ctx.t
    ctx.print()
    if ctx.args.database is None:
        ctx.print(
            t(
                "Dữ liệu chạy thử nằm trong thư mục tạm và đã được xóa. Để xem tiếp: "
                "ocop demo --db demo.db, rồi ocop --db demo.db list",
                "The demo data was in a temporary folder and is gone. To look further: "
                "ocop demo --db demo.db, then ocop --db demo.db list",
            )
        )
    else:
        ctx.print(
            t(
                f"Xem tiếp: ocop --db {path} list; ocop --db {path} --as pkt.luuve show 4; "
                f"ocop --db {path} history 4",
                f"Look further: ocop --db {path} list; ocop --db {path} --as pkt.luuve show 4; "
                f"ocop --db {path} history 4",
            )
        )
    elapsed = time.perf_counter() - started
    ctx.print(t(f"Chạy trong {elapsed:.1f} giây.", f"Ran in {elapsed:.1f} s."))
    return 0


def _intro(ctx: Context, story: Demo, path: Path) -> None:
    t, lang, plan = ctx.t, ctx.lang, story.seed.plan
    ctx.print(
        t(
            f"OCOP xã {plan.commune}, tỉnh {plan.province}: kế hoạch năm {plan.year} (chạy thử)",
            f"OCOP in {plan.commune}, {plan.province}: the {plan.year} plan (a demo run)",
        )
    )
    rerating = plan.targets.rerecognise
    names = ", ".join(f"{target.product} {stars(target.stars)}" for target in rerating)
    new = plan.targets.new
    aims = t(
        f"Mục tiêu: công nhận lại {len(rerating)} sản phẩm ({names})",
        (f"Targets: re-recognise {len(rerating)} products ({names})"),
    )
    if new is not None:
        aims += t(
            f"; công nhận mới {new.count} sản phẩm {stars(new.stars)}",
            f"; newly recognise {new.count} at {stars(new.stars)}",
        )
    ctx.print(aims + ".")
    if plan.evaluation is not None:
        window = plan.evaluation
        ctx.print(
            t("Đánh giá của xã: ", "Commune evaluation: ")
            + f"{fmt_date(window.opens, lang)}–{fmt_date(window.closes, lang)}; "
            + t("quy định của kế hoạch: ", "the plan's rule set: ")
            + plan.rule_set
        )
    ctx.print(t("Cơ sở dữ liệu: ", "Database: ") + str(path))


def _change(ctx: Context, change: Change, by_system: bool) -> None:
    t, lang = ctx.t, ctx.lang
    d = change.dossier
    moved = (
        f"{change.before.label(lang)} → {d.state.label(lang)}"
        if change.before
        else f"{trigger_label(change.trigger, lang)} → {d.state.label(lang)}"
    )
    who = "" if by_system else f" ({change.actor})"
    ctx.print(f"   [{d.id}] {d.product_name}: {moved}{who}")
    details: list[str] = []
    if change.trigger in _NEW_CYCLE:
        details.append(
            t(
                f"chu kỳ {d.cycle} ({d.kind.label(lang)}), quy định ",
                f"cycle {d.cycle} ({d.kind.label(lang)}), rule set ",
            )
            + d.rule_set
        )
    if change.trigger == "return_dossier" and d.return_reason:
        details.append(t("lý do: ", "reason: ") + d.return_reason)
    if change.trigger == "submit" and d.submission:
        s = d.submission
        details.append(
            t(f"văn bản {s.letter_number}", f"letter {s.letter_number}")
            + (
                t(
                    f", đợt {s.round}/{s.round_year} của tỉnh",
                    f", province round {s.round}/{s.round_year}",
                )
                if s.round
                else t(", quy định này không chia đợt", ", no rounds under this rule set")
            )
        )
    if change.trigger == "rate" and d.rating:
        r = d.rating
        details.append(
            t("điểm ", "score ") + f"A {r.a:g} + B {r.b:g} + C {r.c:g} = {r.total:g} → "
            f"{stars(r.stars)}"
        )
    now = local_date(d.updated_at)  # the story's day, not the machine's
    if change.trigger in (IMPORT_TRIGGER, "rate") and d.certificate:
        details.append(t("GCN ", "certificate ") + certificate_text(d.certificate, lang, now))
    details.append(t("hạn tiếp theo: ", "next date: ") + due_text(d, lang, now))
    for line in details:
        ctx.print(f"       {line}")


def _step(ctx: Context, step: Step) -> None:
    from ocop.demo import Change

    lang = ctx.lang
    ctx.print()
    ctx.print(f"── {weekday(step.day, lang)} {fmt_date(step.day, lang)} — {step.title(lang)}")
    for event in step.events:
        if isinstance(event, Change):
            _change(ctx, event, step.system)
            continue
        d = event.dossier
        message = explain(event.error, lang, actor=event.actor, dossier=d)
        attempt = command_for(Trigger(event.trigger), d.id)
        ctx.print(f"   [{d.id}] {d.product_name}: {event.actor.name} → {attempt}")
        ctx.print(ctx.t(f"       ✗ bị từ chối: {message}", f"       ✗ refused: {message}"))
    for note in step.notes:
        ctx.print(f"   · {note(lang)}")
    # One line per message, its recipients together: what the daemon sent that day.
    grouped: dict[tuple[str, str], list[str]] = {}
    for mail in step.mail:
        grouped.setdefault((mail.kind, mail.subject), []).append(mail.recipient)
    for (_, subject), recipients in grouped.items():
        ctx.print(f"   ✉ {subject} → {', '.join(recipients)}")


def _mail_summary(ctx: Context, story: Demo, folder: Path) -> None:
    count = story.mail_sent
    kept = ctx.args.database is not None
    ctx.print(
        ctx.t(
            f"✉ {count} thư nhắc việc và thông báo đã được ghi thành tệp .eml"
            + (f" trong {folder}." if kept else " (trong thư mục tạm)."),
            f"✉ {count} reminders and notices were written as .eml files"
            + (f" in {folder}." if kept else " (in the temporary folder)."),
        )
    )


def _summary(ctx: Context, story: Demo) -> None:
    t, lang = ctx.t, ctx.lang
    today = story.registry.today()
    dossiers = story.dossiers()
    ctx.print()
    ctx.print(
        t(
            f"── Cuối năm {fmt_date(today, lang)}: kết quả so với kế hoạch",
            f"── Year end {fmt_date(today, lang)}: results against the plan",
        )
    )
    rows = [
        [
            str(d.id),
            d.product_name,
            d.state.label(lang),
            d.rule_set,
            f"{d.certificate.number} {stars(d.certificate.stars)}" if d.certificate else "—",
            fmt_date(d.certificate.expires_on if d.certificate else None, lang),
            due_text(d, lang, today),
        ]
        for d in dossiers
    ]
    headers = [
        t("Số", "ID"),
        t("Sản phẩm", "Product"),
        t("Trạng thái", "State"),
        t("Quy định", "Rule set"),
        t("Giấy chứng nhận", "Certificate"),
        t("Hết hạn", "Expires"),
        t("Hạn tiếp theo", "Next date"),
    ]
    ctx.print(table(headers, rows))
    by_key = {key: story.registry.get(number) for key, number in story.ids.items()}
    plan = story.seed.plan
    wanted = {t.product: t.stars for t in plan.targets.rerecognise}

    def recognised(key: str, least: int) -> bool:
        d = by_key[key]
        cert = d.certificate
        return (
            d.state is State.RATED
            and cert is not None
            and cert.stars >= least
            and cert.issued_on.year == plan.year
        )

    rerated = sum(recognised(p.key, wanted[p.product_name]) for p in story.seed.certified)
    least = plan.targets.new.stars if plan.targets.new else 3
    new = sum(recognised(p.key, least) for p in story.seed.new)
    aimed = plan.targets.new.count if plan.targets.new else 0
    ctx.print(
        t(
            f"Kết quả: công nhận lại {rerated}/{len(wanted)} sản phẩm; "
            f"công nhận mới {new}/{aimed} sản phẩm {stars(least)}.",
            f"Result: re-recognised {rerated}/{len(wanted)} products; "
            f"newly recognised {new}/{aimed} at {stars(least)}.",
        )
    )
