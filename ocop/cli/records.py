"""One dossier's record: ``show`` and ``history``, and the lifecycle as a ``diagram``."""

from __future__ import annotations

from ocop.cli.args import add_as_of, add_dossier, as_of_today
from ocop.cli.core import Commands, Context
from ocop.cli.output import dumps, fmt_date, fmt_moment, jsonable, table
from ocop.cli.rating import rating_lines
from ocop.cli.render import (
    certificate_text,
    due_text,
    is_overdue,
    next_steps,
    number_rows,
    product_set_text,
    rule_set_text,
    step_payload_text,
    trigger_label,
)
from ocop.text import Translate

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``show``, ``history`` and ``diagram``."""
    t = commands.t
    show = commands.add(
        "show",
        show_dossier,
        t("xem hồ sơ, GCN, hạn và bước tiếp theo"),
        json=True,
    )
    add_dossier(show, t)
    add_as_of(show, t)

    hist = commands.add("history", show_history, t("nhật ký của hồ sơ"), json=True)
    add_dossier(hist, t)

    commands.add(
        "diagram",
        diagram,
        t("sơ đồ vòng đời hồ sơ (mermaid)"),
    )


def _lang_text(lang: str | None, t: Translate) -> str:
    if lang == "en":
        return t("bằng tiếng Anh (en)")
    if lang == "vi":
        return t("bằng tiếng Việt (vi)")
    return t("bằng ngôn ngữ của kế hoạch")


def show_dossier(ctx: Context) -> int:
    """``ocop show ID``."""
    reg = ctx.registry()
    actor = ctx.reader()
    d = reg.get(ctx.args.id, actor=actor)
    allowed = reg.allowed(d, actor) if actor else None
    today = as_of_today(ctx)
    if ctx.args.json:
        data = jsonable(d) | {"overdue": is_overdue(d, today)}
        if allowed is not None:
            data["allowed_steps"] = [a.value for a in allowed]
        ctx.print(dumps(data))
        return 0
    t, lang = ctx.t, ctx.lang
    p = d.producer
    contact = ", ".join(
        x
        for x in (
            p.legal_representative
            and f"{p.legal_representative}" + (f" ({p.title})" if p.title else ""),
            p.address,
            p.phone,
            p.email,
        )
        if x
    )
    rows: list[tuple[str, str]] = [
        (t("Sản phẩm"), d.product_name),
        (t("Bộ sản phẩm"), product_set_text(d.product_set)),
        (t("Chủ thể"), p.name + (f" — {contact}" if contact else "")),
        (t("Thư gửi chủ thể"), _lang_text(p.lang, t)),
        (
            t("Địa bàn"),
            t("xã {commune}, tỉnh {province}", commune=d.commune, province=d.province),
        ),
        (t("Trạng thái"), f"{d.state.label(lang)} ({d.state.value})"),
        (t("Chu kỳ"), f"{d.cycle} — {d.kind.label(lang)}"),
        (t("Quy định"), rule_set_text(d.rule_set)),
        (t("Nộp hồ sơ lúc"), fmt_moment(d.registered_at, lang)),
        (
            t("Tài liệu"),
            (", ".join(sorted(d.documents)) or "—") + t("; {samples} mẫu", samples=d.samples),
        ),
    ]
    if d.return_reason:
        rows.append((t("Lý do trả lại"), d.return_reason))
    if d.evaluation:
        e = d.evaluation
        report = " ".join(
            x for x in (e.report_number, e.report_date and fmt_date(e.report_date, lang)) if x
        )
        rows.append(
            (
                t("Đánh giá của xã"),
                t("{criteria_count} tiêu chí", criteria_count=len(e.criteria))
                + (t("; báo cáo {report}", report=report) if report else ""),
            )
        )
    if d.submission:
        s = d.submission
        text = t(
            "văn bản {letter_number} ngày {letter_date}",
            letter_number=s.letter_number,
            letter_date=fmt_date(s.letter_date, lang),
        )
        if s.round:
            text += t(", đợt {round}/{round_year}", round=s.round, round_year=s.round_year)
        rows.append((t("Gửi tỉnh"), text))
    if d.rating:
        lines = rating_lines(d.rating, lang, sheets=True)
        lines[0] += f" ({fmt_date(d.rating.rated_on, lang)})"
        rows.append((t("Kết quả chấm"), lines[0]))
        rows += [("", line) for line in lines[1:]]
    rows += number_rows(d, reg.missing_codes(d), lang)
    rows.append((t("Giấy chứng nhận"), certificate_text(d.certificate, lang, today)))
    rows.append((t("Hạn tiếp theo"), due_text(d, lang, today)))
    if actor is None:
        rows.append(
            (
                t("Bước tiếp theo"),
                t("(thêm --as TÊN để xem bạn làm được gì)"),
            )
        )
    else:
        rows.append(
            (
                t("{name} có thể", name=actor.name),
                next_steps(allowed or [], d.id, lang),
            )
        )
    width = max(len(k) for k, _ in rows)
    ctx.print(t("Hồ sơ số {id}", id=d.id))
    for key, value in rows:
        ctx.print(f"  {key.ljust(width)}  {value}")
    return 0


def show_history(ctx: Context) -> int:
    """``ocop history ID``."""
    entries = ctx.registry().history(ctx.args.id, actor=ctx.reader())
    if ctx.args.json:
        ctx.print(dumps([jsonable(e) for e in entries]))
        return 0
    t, lang = ctx.t, ctx.lang
    rows = [
        [
            str(e.version),
            fmt_moment(e.at, lang),
            e.actor,
            e.role.label(lang),
            trigger_label(e.trigger, lang),
            (f"{e.from_state.label(lang)} → " if e.from_state else "") + e.to_state.label(lang),
            step_payload_text(e, lang),
        ]
        for e in entries
    ]
    headers = [
        "#",
        t("Thời điểm"),
        t("Người thực hiện"),
        t("Vai trò"),
        t("Bước"),
        t("Trạng thái"),
        t("Chi tiết"),
    ]
    ctx.print(table(headers, rows))
    return 0


def diagram(ctx: Context) -> int:
    """``ocop diagram``: paste the output into any mermaid viewer."""
    from ocop.cli.render import COMMANDS
    from ocop.states import TRANSITIONS
    from ocop.states.diagram import officers_diagram

    people = {
        t: f"ocop {COMMANDS.get(t, t.value)}" for t, row in TRANSITIONS.items() if not row.by_system
    }
    ctx.print(officers_diagram(ctx.lang, people).rstrip("\n"))
    return 0
