"""Registering and listing dossiers: ``register`` and ``list``."""

from __future__ import annotations

import json
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import (
    add_as_of,
    add_documents,
    as_of_today,
    chosen_states,
    date_type,
    documents,
    states,
    whole_number,
)
from ocop.cli.core import Commands, Context, UsageError
from ocop.cli.output import (
    dumps,
    dumps_list,
    fmt_date,
    is_terminal,
    jsonable,
    plain_lines,
    table,
)
from ocop.cli.rating import rating_lines
from ocop.cli.render import (
    certificate_text,
    due_text,
    is_overdue,
    next_steps,
    rule_set_text,
    stars,
)
from ocop.states import RULE_SETS, Kind, State
from ocop.text import LANGUAGES

if TYPE_CHECKING:
    from ocop.models import Actor, Dossier

__all__ = ["PAGE", "print_outcome", "register"]

PAGE = 100
"""Rows ``ocop list`` prints unless told otherwise."""


def register(commands: Commands) -> None:
    """Add ``register`` and ``list``."""
    t = commands.t
    day = date_type(t)
    reg = commands.add(
        "register",
        register_dossier,
        t("đăng ký hồ sơ mới (Mẫu 01)"),
        description=t(
            "Đăng ký hồ sơ mới từ các trường của Mẫu 01: bằng tùy chọn, hoặc bằng "
            "tệp TOML/JSON (--file) có các khóa product_name, product_set, kind, "
            "producer {name, legal_representative, title, address, phone, email}, "
            "commune, province, owner, documents, samples, form_number. Tùy chọn "
            "ghi đè giá trị trong tệp. Xã và tỉnh mặc định là địa bàn của người "
            "thực hiện."
        ),
        json=True,
    )
    reg.add_argument("--file", type=Path, help=t("tệp Mẫu 01 (TOML hoặc JSON)"))
    reg.add_argument("--product", dest="product_name", help=t("tên sản phẩm"))
    reg.add_argument("--set", dest="product_set", type=int, metavar="1-26", help=t("bộ sản phẩm"))
    reg.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help=t("lần đầu / nâng hạng / đánh giá lại"),
    )
    reg.add_argument("--producer", help=t("tên chủ thể"))
    reg.add_argument("--representative", help=t("người đại diện"))
    reg.add_argument("--title", help=t("chức vụ người đại diện"))
    reg.add_argument("--address", help=t("địa chỉ"))
    reg.add_argument("--phone", help=t("điện thoại"))
    reg.add_argument("--email", help=t("thư điện tử của chủ thể"))
    reg.add_argument(
        "--producer-lang",
        choices=("vi", "en"),
        help=t("ngôn ngữ thư gửi chủ thể (trong tệp: producer.lang; mặc định: của kế hoạch)"),
    )
    reg.add_argument("--commune", help=t("xã"))
    reg.add_argument("--province", help=t("tỉnh"))
    reg.add_argument("--owner", help=t("người dùng chủ thể"))
    reg.add_argument("--form-number", help=t("số phiếu đăng ký"))
    reg.add_argument(
        "--rule-set",
        choices=sorted(RULE_SETS),
        help=t("quy định áp dụng (mặc định theo ngày)"),
    )
    reg.add_argument("--note", help=t("ghi chú"))
    add_documents(reg, t)

    lst = commands.add("list", list_dossiers, t("liệt kê hồ sơ"), json=True)
    lst.add_argument(
        "--state",
        action="append",
        type=states(t),
        metavar="STATE",
        help=t("lọc theo trạng thái (lặp lại được): ") + ", ".join(s.value for s in State),
    )
    lst.add_argument("--commune", help=t("lọc theo xã"))
    lst.add_argument("--province", help=t("lọc theo tỉnh"))
    lst.add_argument(
        "--set",
        dest="product_set",
        type=whole_number(t, minimum=1),
        help=t("bộ sản phẩm"),
    )
    lst.add_argument("--kind", choices=[k.value for k in Kind], help=t("loại"))
    lst.add_argument("--search", help=t("tên sản phẩm bắt đầu bằng"))
    lst.add_argument(
        "--number",
        metavar="TEXT",
        help=t("số phiếu đăng ký có chứa"),
    )
    lst.add_argument("--code", metavar="TEXT", help=t("mã sản phẩm OCOP có chứa"))
    lst.add_argument("--due-before", type=day, metavar="DATE", help=t("có hạn trước ngày"))
    lst.add_argument(
        "--expires-before",
        type=day,
        metavar="DATE",
        help=t("GCN hết hạn trước ngày"),
    )
    lst.add_argument("--overdue", action="store_true", help=t("chỉ hồ sơ quá hạn"))
    lst.add_argument(
        "--sort",
        default="id",
        choices=("id", "due", "product", "state", "updated", "expiry"),
        help=t("sắp xếp theo"),
    )
    lst.add_argument("--desc", action="store_true", help=t("thứ tự giảm dần"))
    lst.add_argument(
        "--limit",
        type=whole_number(t),
        help=t("số dòng tối đa (mặc định {page} khi in bảng; 0: tất cả)", page=PAGE),
    )
    add_as_of(lst, t)


# -- register ------------------------------------------------------------------------------


def _load(path: Path, ctx: Context) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(ctx.t("{path}: không đọc được tệp: {exc}", path=path, exc=exc)) from None
    if not isinstance(data, dict):
        raise UsageError(ctx.t("{path}: cần một bảng khóa–giá trị", path=path))
    return data


def _registration(ctx: Context, actor: Actor) -> dict[str, Any]:
    args = ctx.args
    data = _load(args.file, ctx) if args.file else {}
    for key in ("product_name", "product_set", "kind", "commune", "province", "owner"):
        if getattr(args, key) is not None:
            data[key] = getattr(args, key)
    if args.form_number is not None:
        data["form_number"] = args.form_number
    given = data.get("producer") or {}
    if not isinstance(given, dict):
        raise UsageError(
            ctx.t("{file}: producer phải là một bảng ([producer] với name, email…)", file=args.file)
        )
    producer = dict(given)
    for key, flag in (
        ("name", "producer"),
        ("legal_representative", "representative"),
        ("title", "title"),
        ("address", "address"),
        ("phone", "phone"),
        ("email", "email"),
        ("lang", "producer_lang"),
    ):
        if getattr(args, flag) is not None:
            producer[key] = getattr(args, flag)
    lang = producer.get("lang")
    if lang is not None and str(lang).strip().lower() not in ("", *LANGUAGES):
        raise UsageError(
            ctx.t(
                "{file}: producer.lang phải là vi hoặc en (ngôn ngữ thư gửi chủ thể), "
                "không phải '{value}'",
                file=args.file,
                value=lang,
            )
        )
    data["producer"] = producer
    if args.documents:
        data["documents"] = documents(args.documents)
    if args.samples is not None:
        data["samples"] = args.samples
    data.setdefault("commune", actor.commune)
    data.setdefault("province", actor.province)
    missing = [
        flag
        for key, flag in (
            ("product_name", "--product"),
            ("product_set", "--set"),
            ("commune", "--commune"),
            ("province", "--province"),
        )
        if data.get(key) in (None, "")
    ]
    if not producer.get("name"):
        missing.append("--producer")
    if missing:
        raise UsageError(
            ctx.t("còn thiếu {missing}", missing=", ".join(missing)) + " (ocop register --help)"
        )
    return data


def register_dossier(ctx: Context) -> int:
    """``ocop register``."""
    actor = ctx.actor()
    data = _registration(ctx, actor)
    dossier = ctx.registry().register(
        data, actor=actor, rule_set=ctx.args.rule_set, note=ctx.args.note
    )
    print_outcome(ctx, None, dossier, actor)
    return 0


def print_outcome(ctx: Context, before: Dossier | None, after: Dossier, actor: Actor) -> None:
    """What a step did: the new state, the certificate, the next date, what may follow."""
    if getattr(ctx.args, "json", False):
        ctx.print(dumps(jsonable(after)))
        return
    t, lang = ctx.t, ctx.lang
    today = ctx.today()
    name = after.product_name
    if before is None:
        ctx.print(
            t(
                "Đã đăng ký hồ sơ số {id}: {name} (bộ {product_set}), xã {commune}, "
                "tỉnh {province}.",
                id=after.id,
                name=name,
                product_set=after.product_set,
                commune=after.commune,
                province=after.province,
            )
        )
    else:
        ctx.print(
            t(
                "Hồ sơ {id} ({name}): {state} → {state2}.",
                id=after.id,
                name=name,
                state=before.state.label(lang),
                state2=after.state.label(lang),
            )
        )
    if after.rating is not None and (before is None or before.rating != after.rating):
        for n, line in enumerate(rating_lines(after.rating, lang)):
            ctx.print(("  " + t("Điểm") + ": " if n == 0 else "  ") + line)
    if after.submission is not None and before is not None and before.submission is None:
        s = after.submission
        if s.round:
            ctx.print(
                t(
                    "  Đợt đánh giá của tỉnh: {round}/{round_year}",
                    round=s.round,
                    round_year=s.round_year,
                )
            )
    if after.certificate is not None:
        ctx.print(t("  Giấy chứng nhận: ") + certificate_text(after.certificate, lang, today))
    if after.form_number and (before is None or before.form_number != after.form_number):
        ctx.print(t("  Số phiếu đăng ký: ") + after.form_number)
    if after.product_code and (before is None or before.product_code != after.product_code):
        ctx.print(t("  Mã sản phẩm OCOP: ") + after.product_code)
    if before is None or before.cycle != after.cycle:
        ctx.print(
            t(
                "  Chu kỳ {cycle} ({kind}), quy định: ",
                cycle=after.cycle,
                kind=after.kind.label(lang),
            )
            + rule_set_text(after.rule_set)
        )
    ctx.print(t("  Hạn tiếp theo: ") + due_text(after, lang, today))
    ctx.print(
        t("  Bước tiếp theo của bạn: ")
        + next_steps(ctx.registry().allowed(after, actor), after.id, lang)
    )


# -- list ---------------------------------------------------------------------


def list_dossiers(ctx: Context) -> int:
    """``ocop list``."""
    args = ctx.args
    today = as_of_today(ctx)
    due_before = args.due_before
    if args.overdue:
        due_before = min(due_before, today) if due_before else today
    # A person reads a page; a script (--json) gets everything unless it asks for less.
    limit = args.limit if args.limit is not None else (None if args.json else PAGE)
    filters = {
        "state": chosen_states(args.state),
        "commune": args.commune,
        "province": args.province,
        "product_set": args.product_set,
        "kind": args.kind,
        "search": args.search,
        "number": args.number,
        "code": args.code,
        "due_before": due_before,
        "expires_before": args.expires_before,
    }
    registry = ctx.registry()
    # The reader sees only their area (or their own dossiers).
    actor = ctx.reader()
    asked = {"actor": actor, "order_by": args.sort, "descending": args.desc, "limit": limit or None}
    out = ctx.stdout
    if args.json:
        # Written as read, a batch of rows held at a time (ocop list --json of a province).
        for piece in dumps_list(jsonable(d) for d in registry.stream(**filters, **asked)):
            out.write(piece)
        out.write("\n")
        return 0
    t, lang = ctx.t, ctx.lang
    headers = [
        t("Số"),
        t("Sản phẩm"),
        t("Bộ"),
        t("Xã"),
        t("Trạng thái"),
        t("Chu kỳ"),
        t("Hạn tiếp theo"),
        t("Giấy chứng nhận"),
        t("Mã sản phẩm"),
    ]
    until = t("đến")  # outside the f-string, where the catalogue's extraction finds it
    overdue = t(" (quá hạn)")
    dates: dict[date | None, str] = {}  # a listing's dates repeat: each formatted once

    def shown(day: date | None) -> str:
        text = dates.get(day)
        if text is None:
            text = dates[day] = fmt_date(day, lang)
        return text

    def cells(d: Dossier) -> list[str]:
        due = shown(d.next_due_on)
        if is_overdue(d, today):
            due += overdue
        cert = d.certificate
        cert_text = (
            f"{stars(cert.stars)} {until} {shown(cert.expires_on)}"
            if cert and cert.revoked_on is None
            else "—"
        )
        return [
            str(d.id),
            d.product_name,
            str(d.product_set),
            d.commune,
            d.state.label(lang),
            f"{d.cycle} ({d.kind.label(lang)})",
            due,
            cert_text,
            d.product_code or "—",
        ]

    if is_terminal(sys.stdout):  # as table() decides
        # A table sized to the terminal wants every width before its first line.
        rows = [cells(d) for d in registry.find(**filters, **asked)]
        if rows:
            ctx.print(table(headers, rows))
        shown_count = len(rows)
    else:
        # A pipe or a file: tab-separated lines written as the rows are read.
        shown_count = 0
        lines = plain_lines(headers, map(cells, registry.stream(**filters, **asked)))
        head = next(lines)
        for line in lines:
            if not shown_count:
                out.write(head + "\n")
            shown_count += 1
            out.write(line + "\n")
    found = shown_count
    total = registry.count(**filters, actor=actor) if limit and found == limit else found
    if total > found:
        ctx.print(
            t(
                "{found_count}/{total} hồ sơ; xem thêm: --limit N, hoặc --limit 0 để xem tất cả.",
                found_count=found,
                total=total,
            )
        )
    else:
        ctx.print(t("{found_count} hồ sơ.", found_count=found))
    return 0
