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
from ocop.cli.rating import score_text
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
        t("chạy thử kế hoạch OCOP 2026 của xã Lưu Vệ trên cơ sở dữ liệu mới"),
        description=t(
            "Chạy thử kế hoạch OCOP năm 2026 của xã Lưu Vệ (Thanh Hóa) trên một tệp "
            "SQLite mới: 3 sản phẩm 3★ đánh giá lại, 1 sản phẩm mới, đợt đánh giá "
            "của xã tháng 8. Với --db PATH, tệp được giữ lại để xem tiếp (tệp phải "
            "chưa tồn tại); không có --db thì dùng thư mục tạm."
        ),
    )


def _target(ctx: Context, folder: str) -> tuple[str, Path]:
    given: str | None = ctx.args.database
    if given is None:
        path = Path(folder) / "ocop-demo.db"
    elif "://" in given:
        if not given.startswith("sqlite:///"):
            raise UsageError(ctx.t("demo chỉ chạy trên tệp SQLite"))
        path = Path(given.removeprefix("sqlite:///"))
    else:
        path = Path(given).expanduser()
    if path.exists() and path.stat().st_size > 0:
        raise UsageError(
            ctx.t("{path} đã có; demo cần một tệp mới (chọn tên khác hoặc xóa tệp)", path=path)
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
        with Demo(url, mail=mail, lang=ctx.lang) as story:
            _intro(ctx, story, path)
            for step in story.steps():
                _step(ctx, step)
            _summary(ctx, story)
            _mail_summary(ctx, story, mail)
            _papers_summary(ctx, story, path.with_name(f"{path.stem}-papers"))
    t = ctx.t
    ctx.print()
    if ctx.args.database is None:
        ctx.print(
            t(
                "Dữ liệu chạy thử nằm trong thư mục tạm và đã được xóa. Để xem tiếp: "
                "ocop demo --db demo.db, rồi ocop --db demo.db --as pkt.luuve list"
            )
        )
    else:
        ctx.print(
            t(
                "Xem tiếp (như cán bộ xã pkt.luuve): ocop --db {path} --as pkt.luuve list; "
                "ocop --db {path} --as pkt.luuve show 4; ocop --db {path} --as pkt.luuve "
                "history 4",
                path=path,
            )
        )
    elapsed = time.perf_counter() - started
    ctx.print(t("Chạy trong {elapsed:.1f} giây.", elapsed=elapsed))
    return 0


def _intro(ctx: Context, story: Demo, path: Path) -> None:
    t, lang, plan = ctx.t, ctx.lang, story.seed.plan
    ctx.print(
        t(
            "OCOP xã {commune}, tỉnh {province}: kế hoạch năm {year} (chạy thử)",
            commune=plan.commune,
            province=plan.province,
            year=plan.year,
        )
    )
    rerating = plan.targets.rerecognise
    names = ", ".join(f"{target.product} {stars(target.stars)}" for target in rerating)
    new = plan.targets.new
    aims = t(
        "Mục tiêu: công nhận lại {rerating_count} sản phẩm ({names})",
        rerating_count=len(rerating),
        names=names,
    )
    if new is not None:
        aims += t(
            "; công nhận mới {count} sản phẩm {stars}", count=new.count, stars=stars(new.stars)
        )
    ctx.print(aims + ".")
    if plan.evaluation is not None:
        window = plan.evaluation
        ctx.print(
            t("Đánh giá của xã: ")
            + f"{fmt_date(window.opens, lang)}–{fmt_date(window.closes, lang)}; "
            + t("quy định của kế hoạch: ")
            + plan.rule_set
        )
    ctx.print(t("Cơ sở dữ liệu: ") + str(path))
    numbers = plan.numbers
    if numbers.illustrative and numbers.province_code and numbers.commune_code:
        ctx.print(
            t(
                "Mã tỉnh {province_code} và mã xã {commune_code} của kế hoạch là mã "
                "minh họa, không phải mã của QĐ 19/2025/QĐ-TTg: số phiếu đăng ký và mã "
                "sản phẩm OCOP dưới đây cũng chỉ để minh họa."
            ).format(province_code=numbers.province_code, commune_code=numbers.commune_code)
        )


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
            t("chu kỳ {cycle} ({kind}), quy định ", cycle=d.cycle, kind=d.kind.label(lang))
            + d.rule_set
        )
    if change.trigger == "return_dossier" and d.return_reason:
        details.append(t("lý do: ") + d.return_reason)
    if change.trigger == "submit" and d.submission:
        s = d.submission
        details.append(
            t("văn bản {letter_number}", letter_number=s.letter_number)
            + (
                t(", đợt {round}/{round_year} của tỉnh", round=s.round, round_year=s.round_year)
                if s.round
                else t(", quy định này không chia đợt")
            )
        )
    if change.trigger in ("register", "reapply") and d.form_number:
        details.append(t("số phiếu đăng ký ") + d.form_number)
    if change.trigger == "rate" and d.product_code:
        details.append(t("mã sản phẩm OCOP ") + d.product_code)
    if change.trigger == "rate" and d.rating:
        details.append(t("điểm ") + score_text(d.rating, lang))
    now = local_date(d.updated_at)  # the story's day, not the machine's
    if change.trigger in (IMPORT_TRIGGER, "rate") and d.certificate:
        details.append(t("GCN ") + certificate_text(d.certificate, lang, now))
    details.append(t("hạn tiếp theo: ") + due_text(d, lang, now))
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
        ctx.print(ctx.t("       ✗ bị từ chối: {message}", message=message))
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
            "✉ {count} thư nhắc việc và thông báo đã được ghi thành tệp .eml trong {folder}.",
            count=count,
            folder=folder,
        )
        if kept
        else ctx.t(
            "✉ {count} thư nhắc việc và thông báo đã được ghi thành tệp .eml (trong thư mục tạm).",
            count=count,
        )
    )


def _papers_summary(ctx: Context, story: Demo, folder: Path) -> None:
    t = ctx.t
    written = story.write_papers(folder)
    kept = ctx.args.database is not None
    what = {
        "mau_03": t("Mẫu 03 của đợt đánh giá tháng 8"),
        "letter": t("Văn bản đề nghị gửi tỉnh"),
        "progress": t("Báo cáo tiến độ cuối năm"),
    }
    if kept:
        ctx.print(t("Giấy tờ của xã, trong {folder}:", folder=folder))
    else:
        ctx.print(t("Giấy tờ của xã (trong thư mục tạm):"))
    for key, path in written:
        ctx.print(f"   {what[key]}: {path if kept else path.name}")


def _summary(ctx: Context, story: Demo) -> None:
    t, lang = ctx.t, ctx.lang
    today = story.registry.today()
    dossiers = story.dossiers()
    ctx.print()
    ctx.print(t("── Cuối năm {today}: kết quả so với kế hoạch", today=fmt_date(today, lang)))
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
        t("Số"),
        t("Sản phẩm"),
        t("Trạng thái"),
        t("Quy định"),
        t("Giấy chứng nhận"),
        t("Hết hạn"),
        t("Hạn tiếp theo"),
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
            "Kết quả: công nhận lại {rerated}/{wanted_count} sản phẩm; công nhận "
            "mới {new}/{aimed} sản phẩm {least}.",
            rerated=rerated,
            wanted_count=len(wanted),
            new=new,
            aimed=aimed,
            least=stars(least),
        )
    )
