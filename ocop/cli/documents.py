"""The office's paperwork: ``ocop document mau-03 ID…``, ``ocop document letter ID…``,
``ocop report progress --plan FILE`` and ``ocop report dossiers``.

With ``--as USER`` the dossiers read are those the user may see (a commune officer's commune,
a province officer's province …); without it the command reads as the database's owner does.

Each builds the document's content with :mod:`ocop.documents` and writes it to ``-o FILE`` in
the format its extension names (or ``--format``). A file that exists is left alone unless
``--force`` is given; a dossier not yet evaluated (Mẫu 03) or submitted (the letter), or a
progress report without a plan, is refused in one line. Refusals exit 1 and write nothing.
python-docx and openpyxl are imported only when a file is written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import add_as_of, add_plan, as_of_today, chosen_states, dossier_id, states
from ocop.cli.core import Commands, Context, Translate, UsageError, load_plan

if TYPE_CHECKING:
    from datetime import date

    from ocop import Dossier
    from ocop.documents import Signer

__all__ = ["register"]

FORMATS = {".docx": "docx", ".xlsx": "xlsx", ".json": "json"}
SHORT = "doc"
"""``ocop doc``: ``ocop document`` under the name issue 13 gives it."""
SHORT_NAMES = {"mau03": "mau-03", "letter": "letter"}
"""Each ``ocop doc`` command's ``ocop document`` name."""


class _Refused(Exception):
    """A refusal to say in one line (exit status 1)."""


def register(commands: Commands) -> None:
    """Add ``document mau-03``, ``document letter`` (also ``doc mau03``, ``doc letter``),
    ``report progress``, ``report dossiers``."""
    t = commands.t
    document = commands.group(
        "document",
        t("giấy tờ gửi tỉnh: Mẫu 03, văn bản đề nghị (.docx)"),
    )
    _papers(document, t, "mau-03")
    # The spelling, ``ocop doc mau03 ID…``: the same commands under shorter names.
    short = commands.group(
        SHORT,
        t("viết tắt của `ocop document`: doc mau03, doc letter"),
    )
    _papers(short, t, "mau03")

    report = commands.group("report", t("lập các báo cáo"))
    p = report.add(
        "progress",
        _handler(_progress),
        t("báo cáo tiến độ thực hiện kế hoạch OCOP của xã (.xlsx, .docx, .json)"),
    )
    add_plan(p, t)
    add_as_of(p, t)
    _output(p, t, ("xlsx", "docx", "json"))
    _signer(p, t)
    p.add_argument("--number", help=t("số báo cáo, ví dụ 15/BC-UBND"))

    p = report.add(
        "dossiers",
        _handler(_dossiers),
        t("danh sách hồ sơ ra Excel (.xlsx) hoặc JSON"),
    )
    p.add_argument(
        "--state",
        action="append",
        type=states(t),
        metavar="STATE[,STATE]",
        help=t("chỉ các trạng thái này"),
    )
    p.add_argument("--commune", help=t("chỉ xã này"))
    add_as_of(p, t)
    _output(p, t, ("xlsx", "json"))


def _papers(group: Commands, t: Translate, mau03: str) -> None:
    """Add Mẫu 03 (named ``mau03``) and the letter to ``group``."""
    p = group.add(
        mau03,
        _handler(_mau03),
        t("Báo cáo đánh giá của UBND xã (Mẫu số 03), mỗi hồ sơ một trang"),
    )
    _ids(p, t)
    _output(p, t, ("docx", "json"))
    _signer(p, t)

    p = group.add(
        "letter",
        _handler(_letter),
        t("văn bản đề nghị UBND tỉnh đánh giá, phân hạng các hồ sơ đã gửi"),
    )
    _ids(p, t)
    _output(p, t, ("docx", "json"))
    _signer(p, t)
    p.add_argument(
        "--to",
        metavar="BODY",
        help=t("nơi nhận (mặc định: Ủy ban nhân dân tỉnh của hồ sơ)"),
    )


def _full_names(args: argparse.Namespace) -> None:
    """``doc mau03`` read as ``document mau-03`` (and ``doc letter`` as ``document letter``),
    so that everything after the parse, such as which commands only read, knows one name."""
    if args.command == SHORT:
        args.command = "document"
        args.document_command = SHORT_NAMES[getattr(args, f"{SHORT}_command")]


def _ids(parser: argparse.ArgumentParser, t: Translate) -> None:
    parser.add_argument("ids", nargs="+", metavar="ID", type=dossier_id(t), help=t("số hồ sơ"))


def _output(parser: argparse.ArgumentParser, t: Translate, formats: Sequence[str]) -> None:
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help=t("tệp ghi ra ({formats})", formats=", ".join("." + f for f in formats)),
    )
    parser.add_argument(
        "--format",
        choices=formats,
        help=t("định dạng (mặc định theo đuôi tệp)"),
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=t("ghi đè tệp đã có"),
    )
    parser.set_defaults(formats=tuple(formats))


def _signer(parser: argparse.ArgumentParser, t: Translate) -> None:
    parser.add_argument("--signer", metavar="NAME", help=t("họ tên người ký"))
    parser.add_argument(
        "--signer-title",
        metavar="TITLE",
        help=t("chức vụ người ký: Chủ tịch (T.M. UBND) hoặc Phó Chủ tịch (KT. Chủ tịch)"),
    )


Writer = Callable[[str, Path], None]
"""Writes the built content in a format to a path."""


def _handler(build: Callable[[Context], tuple[Writer, str]]) -> Callable[[Context], int]:
    def handler(ctx: Context) -> int:
        prog = _prog(ctx)  # as typed: ``ocop doc mau03`` stays so in its refusals
        _full_names(ctx.args)
        target = Path(ctx.args.output).expanduser()
        fmt = _format(ctx, target)
        try:
            if target.exists() and not ctx.args.force:
                raise _Refused(_exists(ctx, target))
            write, what = build(ctx)
            _write(ctx, write, fmt, target)
        except _Refused as refusal:
            ctx.stderr.write(f"{prog}: {refusal}\n")
            return 1
        ctx.print(ctx.t("Đã ghi {target} ({what}).", target=target, what=what))
        return 0

    handler.__doc__ = build.__doc__
    return handler


def _prog(ctx: Context) -> str:
    command = ctx.args.command
    sub = getattr(ctx.args, f"{command}_command", None)
    return f"ocop {command}" + (f" {sub}" if sub else "")


def _exists(ctx: Context, target: Path) -> str:
    return ctx.t("tệp {target} đã có; không ghi đè (thêm --force để ghi đè)", target=target)


def _format(ctx: Context, target: Path) -> str:
    formats: tuple[str, ...] = ctx.args.formats
    fmt: str | None = ctx.args.format or FORMATS.get(target.suffix.lower())
    if fmt not in formats:
        wanted = ", ".join("." + f for f in formats)
        raise UsageError(
            ctx.t(
                "không biết ghi {name} theo định dạng nào: dùng đuôi {wanted} hoặc --format",
                name=target.name,
                wanted=wanted,
            )
        )
    return fmt


def _write(ctx: Context, write: Writer, fmt: str, target: Path) -> None:
    """Write beside ``target`` first, then move it in place: a failed render leaves nothing,
    and without ``--force`` a file that appeared meanwhile is not replaced either."""
    folder = target.parent
    if not folder.is_dir():
        raise _Refused(ctx.t("không có thư mục {folder}", folder=folder))
    handle, name = tempfile.mkstemp(dir=folder, prefix=".ocop-", suffix=target.suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        # mkstemp makes the file private; the paper gets the mode any new file would.
        mask = os.umask(0)
        os.umask(mask)
        temporary.chmod(0o666 & ~mask)
        write(fmt, temporary)
        if ctx.args.force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise _Refused(_exists(ctx, target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _signer_of(ctx: Context, default: Signer | None = None) -> Signer:
    from ocop.documents import Signer

    name, title = ctx.args.signer, ctx.args.signer_title
    if name is None and title is None and default is not None:
        return default
    return Signer(name=name, title=title)


def _plan_signer(ctx: Context) -> Signer | None:
    """Who signs by default: the configured plan's ``signed_by`` (``OCOP_PLAN`` or the config's
    ``plan``), when there is one; the law names no signer, so nothing else is assumed."""
    from ocop.documents import Signer

    plan = load_plan(ctx.settings.plan)
    if plan is None or not plan.signed_by:
        return None
    return Signer.from_text(plan.signed_by)


def _dossiers_of(ctx: Context) -> list[Dossier]:
    reg, actor = ctx.registry(), ctx.reader()
    return [reg.get(number, actor=actor) for number in dict.fromkeys(ctx.args.ids)]


def _writer(content: Any, ctx: Context | None = None) -> Writer:
    """How ``content`` is written; with ``ctx``, a spreadsheet's rows show a progress bar on a
    terminal when they take long."""

    def write(fmt: str, path: Path) -> None:
        from ocop import documents

        if fmt == "json":
            if isinstance(content, list):  # several Mẫu 03: a list of them
                items = [documents.to_data(item) for item in content]
                text = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
            else:
                text = documents.to_json(content)
            path.write_text(text, encoding="utf-8")
        elif fmt == "docx":
            documents.write_docx(content, path)
        elif ctx is None:
            documents.write_xlsx(content, path)
        else:
            from ocop.cli.progress import progress_bar

            with progress_bar(ctx, ctx.t("Đang ghi bảng tính (dòng)")) as bar:
                documents.write_xlsx(content, path, progress=bar)

    return write


def _mau03(ctx: Context) -> tuple[Writer, str]:
    """``ocop document mau-03 ID… -o FILE.docx``."""
    from ocop.documents import build_mau03

    found = _dossiers_of(ctx)
    for d in found:
        if d.evaluation is None:
            raise _Refused(
                ctx.t(
                    "hồ sơ {id} ({product}) chưa được xã đánh giá (đang “{state}”): chạy "
                    "`ocop evaluate {id}` trước",
                    id=d.id,
                    product=d.product_name,
                    state=d.state.label(ctx.lang),
                )
            )
    signer = _signer_of(ctx, _plan_signer(ctx))
    reports = [build_mau03(d, lang=ctx.lang, signer=signer) for d in found]
    content = reports if len(reports) > 1 else reports[0]
    return _writer(content), _count(ctx, "Mẫu 03", len(reports))


def _count(ctx: Context, what: str, n: int) -> str:
    return ctx.t("{what}, {count} hồ sơ", what=what, count=n)


def _letter(ctx: Context) -> tuple[Writer, str]:
    """``ocop document letter ID… -o FILE.docx``."""
    from ocop.documents import build_request_letter

    found = _dossiers_of(ctx)
    for d in found:
        if d.submission is None:
            raise _Refused(
                ctx.t(
                    "hồ sơ {id} ({product}) chưa gửi tỉnh (đang “{state}”): chạy `ocop "
                    "submit {id} --letter-number … --letter-date …` trước",
                    id=d.id,
                    product=d.product_name,
                    state=d.state.label(ctx.lang),
                )
            )
    letters: dict[tuple[str, date], list[int]] = {}
    for d in found:
        assert d.submission is not None
        key = (d.submission.letter_number, d.submission.letter_date)
        letters.setdefault(key, []).append(d.id)
    if len(letters) > 1:
        told = "; ".join(
            ctx.t(
                "{number} ngày {day:%d/%m/%Y} ({ids})",
                number=number,
                day=day,
                ids=", ".join(map(str, ids)),
            )
            for (number, day), ids in letters.items()
        )
        raise _Refused(
            ctx.t(
                "các hồ sơ này được gửi bằng những văn bản khác nhau: {told}; lập mỗi "
                "văn bản một lần",
                told=told,
            )
        )
    letter = build_request_letter(
        found, lang=ctx.lang, signer=_signer_of(ctx, _plan_signer(ctx)), addressee=ctx.args.to
    )
    what = ctx.t(
        "văn bản số {number}, {count} hồ sơ", number=letter.letter_number, count=len(found)
    )
    return _writer(letter), what


def _progress(ctx: Context) -> tuple[Writer, str]:
    """``ocop report progress --plan FILE -o FILE.xlsx``."""
    from ocop.documents import Signer, build_progress_report

    path = ctx.args.plan or ctx.settings.plan
    if not path:
        raise _Refused(
            ctx.t(
                "báo cáo tiến độ cần kế hoạch của xã: thêm --plan TỆP (hoặc đặt "
                "OCOP_PLAN; tạo mới bằng `ocop plan init`)"
            )
        )
    plan = load_plan(path)
    assert plan is not None
    reg = ctx.registry()
    found = reg.find(commune=plan.commune, province=plan.province, actor=ctx.reader())
    report = build_progress_report(
        plan,
        found,
        as_of=as_of_today(ctx),
        calendar=reg.calendar,
        lang=ctx.lang,
        signer=_signer_of(ctx, Signer.from_text(plan.signed_by)),
        number=ctx.args.number,
    )
    what = ctx.t(
        "tiến độ kế hoạch {year} xã {commune} đến {as_of}",
        year=plan.year,
        commune=plan.commune,
        as_of=report.as_of.strftime("%d/%m/%Y") if ctx.lang == "vi" else report.as_of.isoformat(),
    )
    return _writer(report), what


def _dossiers(ctx: Context) -> tuple[Writer, str]:
    """``ocop report dossiers -o FILE.xlsx``."""
    from ocop.documents import build_dossier_list

    filters: dict[str, Any] = {}
    chosen = chosen_states(ctx.args.state)
    if chosen:
        filters["state"] = chosen
    if ctx.args.commune:
        filters["commune"] = ctx.args.commune
    found = ctx.registry().find(actor=ctx.reader(), **filters)
    listing = build_dossier_list(found, as_of=as_of_today(ctx), lang=ctx.lang)
    return _writer(listing, ctx), ctx.t("{found_count} hồ sơ", found_count=len(found))
