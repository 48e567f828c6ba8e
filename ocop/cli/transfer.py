"""``ocop import FILE.csv`` or ``FILE.xlsx`` (certified products brought in with their
certificates) and ``ocop export`` (CSV or JSON).

An import is all rows or none, and every bad row is reported with its line number: the file is
read, checked and written as it comes by :func:`ocop.transfer.import_file` (the file's own
checks, the certificates already stored, then the library's checks of each row), in one
transaction that is rolled back if any row is bad, so memory stays flat whatever its size.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import chosen_states, states
from ocop.cli.core import Commands, Context, UsageError, sqlite_file
from ocop.cli.output import dumps, fmt_date, is_terminal, jsonable, table
from ocop.cli.progress import counted, progress_bar
from ocop.cli.render import due_text, stars
from ocop.states import RULE_SETS
from ocop.transfer import (
    EXPORT_COLUMNS,
    FIRST_KEPT,
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    import_file,
)

if TYPE_CHECKING:
    from ocop.models import Dossier

__all__ = ["EXPORT_COLUMNS", "IMPORT_COLUMNS", "REQUIRED_COLUMNS", "register"]


def register(commands: Commands) -> None:
    """Add ``import`` and ``export``."""
    t = commands.t
    imp = commands.add(
        "import",
        import_csv,
        t("nhập sản phẩm đã được công nhận (CSV)"),
        description=t(
            "Nhập các sản phẩm đã có giấy chứng nhận từ tệp CSV (UTF-8). Cột bắt "
            "buộc: {required_columns}; cột tùy chọn: {items}. Ngày viết DD/MM/YYYY "
            "hoặc YYYY-MM-DD. Nhập tất cả hoặc không nhập dòng nào: mọi dòng lỗi "
            "được báo kèm số dòng.",
            required_columns=", ".join(REQUIRED_COLUMNS),
            items=", ".join(IMPORT_COLUMNS[len(REQUIRED_COLUMNS) :]),
        ),
        json=True,
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    imp.add_argument(
        "--rule-set",
        choices=sorted(RULE_SETS),
        help=t("quy định cho các dòng không có cột rule_set (mặc định theo ngày)"),
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help=t("chỉ kiểm tra, không ghi"),
    )

    exp = commands.add("export", export, t("xuất hồ sơ ra CSV, JSON hoặc Excel"))
    exp.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    exp.add_argument("--output", "-o", type=Path, help=t("tệp ghi ra"))
    exp.add_argument(
        "--force",
        action="store_true",
        help=t("ghi đè tệp --output đã có (không bao giờ ghi đè cơ sở dữ liệu)"),
    )
    exp.add_argument(
        "--state",
        action="append",
        type=states(t),
        metavar="STATE",
        help=t("lọc theo trạng thái"),
    )
    exp.add_argument("--commune", help=t("lọc theo xã"))
    exp.add_argument("--province", help=t("lọc theo tỉnh"))
    exp.add_argument(
        "--excel",
        action="store_true",
        help=t("thêm BOM để Excel đọc đúng tiếng Việt"),
    )


# -- import ----------------------------------------------------------------------------------


def import_csv(ctx: Context) -> int:
    """``ocop import FILE.csv`` (or ``FILE.xlsx``): read, checked and written as it comes."""
    from ocop.cli.messages import explain

    args = ctx.args
    actor = ctx.actor()
    reg = ctx.registry()
    try:
        stream = args.file.open("rb")
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    with stream, progress_bar(ctx, ctx.t("Đang nhập (dòng)")) as bar:
        result = import_file(
            reg,
            stream,
            actor=actor,
            rule_set=args.rule_set,
            lang=ctx.lang,
            dry_run=args.dry_run,
            progress=bar,
            explain=lambda error: explain(error, ctx.lang, actor=actor),
            # --json prints every dossier imported; the table shows the first ones.
            keep=None if args.json else FIRST_KEPT,
        )
    if result.problems:
        return _refuse(ctx, result.problems)
    if args.dry_run:
        ctx.print(
            ctx.t(
                "Tệp hợp lệ: {good_count} dòng. Chưa ghi gì (--dry-run).",
                good_count=result.valid,
            )
        )
        return 0
    _report(ctx, result.dossiers, result.imported)
    return 0


SHOWN_PROBLEMS = 20
"""Bad lines a refused import lists on a terminal; redirected, standard error gets them all."""


def _refuse(ctx: Context, problems: Mapping[int, list[str]]) -> int:
    lines = sorted(problems)
    # A person at a terminal reads the first ones and the count; a file or a pipe keeps all.
    shown = lines[:SHOWN_PROBLEMS] if is_terminal(ctx.stderr) else lines
    for line in shown:
        ctx.stderr.write(
            ctx.t("{file}: dòng {line}: ", file=ctx.args.file, line=line)
            + "; ".join(problems[line])
            + "\n"
        )
    if len(shown) < len(lines):
        ctx.stderr.write(
            ctx.t(
                "… và {rest} dòng lỗi khác; để có đủ danh sách, chạy lại với 2> loi.txt",
                rest=len(lines) - len(shown),
            )
            + "\n"
        )
    ctx.stderr.write(
        ctx.t(
            "Không nhập dòng nào: {problems_count} dòng có lỗi. Sửa tệp rồi chạy lại.",
            problems_count=len(problems),
        )
        + "\n"
    )
    return 1


def _report(ctx: Context, imported: list[Dossier], count: int) -> None:
    if ctx.args.json:
        ctx.print(dumps([jsonable(d) for d in imported]))
        return
    t, lang = ctx.t, ctx.lang
    today = ctx.today()
    rows = [
        [
            str(d.id),
            d.product_name,
            f"{d.certificate.number} {stars(d.certificate.stars)}" if d.certificate else "—",
            fmt_date(d.certificate.expires_on if d.certificate else None, lang),
            d.state.label(lang),
            due_text(d, lang, today),
        ]
        for d in imported
    ]
    headers = [
        t("Số"),
        t("Sản phẩm"),
        t("Giấy chứng nhận"),
        t("Hết hạn"),
        t("Trạng thái"),
        t("Hạn tiếp theo"),
    ]
    ctx.print(table(headers, rows))
    ctx.print(t("Đã nhập {imported_count} hồ sơ.", imported_count=count))
    if count > len(imported):  # a summary, not 20 000 rows: say where the rest is
        ctx.print(
            t(
                "Ở trên là {shown} hồ sơ đầu; tất cả đã ở trong cơ sở dữ liệu: ocop list "
                "--limit 0, hoặc ocop export -o TỆP.csv.",
                shown=len(imported),
            )
        )


# -- export ----------------------------------------------------------------------------------


def _export_row(d: Dossier, lang: str) -> dict[str, Any]:
    cert = d.certificate
    p = d.producer
    return {
        "id": d.id,
        "product_name": d.product_name,
        "product_set": d.product_set,
        "kind": d.kind.value,
        "producer_name": p.name,
        "legal_representative": p.legal_representative or "",
        "title": p.title or "",
        "address": p.address or "",
        "phone": p.phone or "",
        "email": p.email or "",
        # Empty: none chosen, the plan's language.
        "producer_lang": p.lang or "",
        "commune": d.commune,
        "province": d.province,
        "owner": d.owner or "",
        "form_number": d.form_number or "",
        "product_code": d.product_code or "",
        "state": d.state.value,
        "state_label": d.state.label(lang),
        "cycle": d.cycle,
        "rule_set": d.rule_set,
        "next_due_on": d.next_due_on.isoformat() if d.next_due_on else "",
        "next_due": d.next_due or "",
        "certificate_number": cert.number if cert else "",
        "stars": cert.stars if cert else "",
        "issued_on": cert.issued_on.isoformat() if cert else "",
        "expires_on": cert.expires_on.isoformat() if cert else "",
        "revoked_on": cert.revoked_on.isoformat() if cert and cert.revoked_on else "",
    }


def export(ctx: Context) -> int:
    """``ocop export``: every dossier matching the filters, as CSV or JSON."""
    args = ctx.args
    if args.format == "xlsx" and not args.output:
        raise UsageError(ctx.t("--format xlsx ghi ra một tệp: thêm --output TỆP.xlsx"))
    if args.output:
        _check_output(ctx, args.output)
    if args.format == "xlsx":
        return _export_xlsx(ctx)
    with progress_bar(ctx, ctx.t("Đang xuất hồ sơ")) as bar:
        found = ctx.registry().find(
            state=chosen_states(args.state),
            commune=args.commune,
            province=args.province,
            actor=ctx.reader(),
        )
        if args.format == "json":
            text = dumps([jsonable(d) for d in counted(found, bar)]) + "\n"
        else:
            buffer = io.StringIO(newline="")
            writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for d in counted(found, bar):
                writer.writerow(_export_row(d, ctx.lang))
            text = buffer.getvalue()
    if args.excel:
        text = "\ufeff" + text
    if args.output:
        try:
            _write(args.output, text.encode("utf-8"), force=args.force)
        except FileExistsError:
            raise UsageError(_exists(ctx, args.output)) from None
        except OSError as exc:
            raise UsageError(f"{args.output}: {exc.strerror}") from None
        ctx.stderr.write(
            ctx.t(
                "Đã ghi {found_count} hồ sơ vào {output}.\n",
                found_count=len(found),
                output=args.output,
            )
        )
    else:
        ctx.stdout.write(text)
    return 0


def _export_xlsx(ctx: Context) -> int:
    """``ocop export --format xlsx -o FILE``: the dossier list as a workbook (one sheet, the
    columns of ``ocop report dossiers``), written whole or not at all."""
    from ocop.cli.args import as_of_today
    from ocop.documents import build_dossier_list, write_xlsx

    args = ctx.args
    found = ctx.registry().find(
        state=chosen_states(args.state),
        commune=args.commune,
        province=args.province,
        actor=ctx.reader(),
    )
    listing = build_dossier_list(found, as_of=as_of_today(ctx), lang=ctx.lang)
    with tempfile.TemporaryDirectory() as folder:
        made = Path(folder) / "export.xlsx"
        with progress_bar(ctx, ctx.t("Đang xuất hồ sơ"), total=len(found)) as bar:
            write_xlsx(listing, made, progress=bar)
        data = made.read_bytes()
    try:
        _write(args.output, data, force=args.force)
    except FileExistsError:
        raise UsageError(_exists(ctx, args.output)) from None
    except OSError as exc:
        raise UsageError(f"{args.output}: {exc.strerror}") from None
    ctx.stderr.write(
        ctx.t(
            "Đã ghi {found_count} hồ sơ vào {output}.\n", found_count=len(found), output=args.output
        )
    )
    return 0


# The files SQLite keeps beside a database, and the daemon's lock.
_BESIDE = ("", "-wal", "-shm", "-journal", ".daemon.lock")


def _check_output(ctx: Context, output: Path) -> None:
    """Refuse to write over the database in use (however ``output`` is spelled) or, without
    ``--force``, over any existing file."""
    database = sqlite_file(ctx.settings.database)
    if database is not None and any(
        _same(output, database.with_name(database.name + tail)) for tail in _BESIDE
    ):
        raise UsageError(
            ctx.t(
                "{output} là cơ sở dữ liệu đang dùng ({database}) hoặc một tệp đi kèm "
                "nó; không bao giờ ghi vào đó, kể cả với --force: chọn tệp khác",
                output=output,
                database=database,
            )
        )
    if not ctx.args.force and (output.exists() or output.is_symlink()):
        raise UsageError(_exists(ctx, output))


def _exists(ctx: Context, output: Path) -> str:
    return ctx.t("{output} đã có; thêm --force để ghi đè, hoặc chọn tệp khác", output=output)


def _same(output: Path, protected: Path) -> bool:
    """Whether ``output`` names ``protected``: through links, ``..``, ``./`` or another
    spelling of its folder (a file that does not exist yet included)."""
    with suppress(OSError):
        if os.path.samefile(output, protected):
            return True
    if output.resolve() == protected.resolve():
        return True
    # The same name in the same folder, reached by another path (a bind mount, a link).
    target = output.resolve()
    with suppress(OSError):
        return target.name == protected.name and os.path.samefile(
            target.parent, protected.resolve().parent
        )
    return False


def _write(output: Path, data: bytes, *, force: bool) -> None:
    """Write ``data`` to ``output``: a new file, or with ``force`` a replacement.

    A replacement is written beside it and renamed over it, so an existing file (or whatever a
    link at ``output`` points to) is never written into; a new file is created exclusively, so
    one that appeared meanwhile is not overwritten.
    """
    if not force:
        with output.open("xb") as stream:
            try:
                stream.write(data)
            except BaseException:
                output.unlink(missing_ok=True)
                raise
        return
    try:
        mode = stat.S_IMODE(os.stat(output, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, scratch = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(scratch, mode)  # the file's own mode kept, not the scratch file's 0600
        os.replace(scratch, output)
    except BaseException:
        with suppress(OSError):
            os.unlink(scratch)
        raise
