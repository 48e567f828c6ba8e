"""``ocop import FILE.csv`` (certified products brought in with their certificates) and
``ocop export`` (CSV or JSON).

An import is all rows or none. Every row is checked first: the file by
:func:`ocop.transfer.parse_certified_csv` (encoding, columns, numbers, dates, certificates
repeated in the file), the certificates against those already stored, and then each row by the
library itself, imported into a scratch in-memory registry on the same clock and as the same
user, so that every bad row is reported with its line number and in the officer's language.
Only then are the rows written,
in one transaction (:meth:`ocop.Registry.import_certified_many`), which refuses them whole if
anything changed in between.
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
from ocop.cli.output import dumps, fmt_date, jsonable, table
from ocop.cli.render import due_text, stars
from ocop.errors import OcopError, PermissionDenied, RowsRejected
from ocop.states import RULE_SETS
from ocop.transfer import (
    EXPORT_COLUMNS,
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    parse_certified_csv,
)

if TYPE_CHECKING:
    from ocop import Registry
    from ocop.models import Actor, Dossier

__all__ = ["EXPORT_COLUMNS", "IMPORT_COLUMNS", "REQUIRED_COLUMNS", "register"]


def register(commands: Commands) -> None:
    """Add ``import`` and ``export``."""
    t = commands.t
    imp = commands.add(
        "import",
        import_csv,
        t("nhập sản phẩm đã được công nhận (CSV)", "import certified products (CSV)"),
        description=t(
            "Nhập các sản phẩm đã có giấy chứng nhận từ tệp CSV (UTF-8). Cột bắt buộc: "
            f"{', '.join(REQUIRED_COLUMNS)}; cột tùy chọn: "
            f"{', '.join(IMPORT_COLUMNS[len(REQUIRED_COLUMNS) :])}. Ngày viết DD/MM/YYYY hoặc "
            "YYYY-MM-DD. Nhập tất cả hoặc không nhập dòng nào: mọi dòng lỗi được báo kèm số dòng.",
            "Import products that already hold a certificate from a CSV file (UTF-8). Required "
            f"columns: {', '.join(REQUIRED_COLUMNS)}; optional: "
            f"{', '.join(IMPORT_COLUMNS[len(REQUIRED_COLUMNS) :])}. Dates as DD/MM/YYYY or "
            "YYYY-MM-DD. All rows or none: every bad row is reported with its line number.",
        ),
        json=True,
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument(
        "--rule-set",
        choices=sorted(RULE_SETS),
        help=t(
            "quy định cho các dòng không có cột rule_set (mặc định theo ngày)",
            "rule set for rows without a rule_set (default: by date)",
        ),
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help=t("chỉ kiểm tra, không ghi", "check only, write nothing"),
    )

    exp = commands.add(
        "export", export, t("xuất hồ sơ ra CSV hoặc JSON", "export dossiers as CSV or JSON")
    )
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--output", "-o", type=Path, help=t("tệp ghi ra", "output file"))
    exp.add_argument(
        "--force",
        action="store_true",
        help=t(
            "ghi đè tệp --output đã có (không bao giờ ghi đè cơ sở dữ liệu)",
            "overwrite an existing --output file (never the database)",
        ),
    )
    exp.add_argument(
        "--state",
        action="append",
        type=states(t),
        metavar="STATE",
        help=t("lọc theo trạng thái", "filter by state"),
    )
    exp.add_argument("--commune", help=t("lọc theo xã", "filter by commune"))
    exp.add_argument("--province", help=t("lọc theo tỉnh", "filter by province"))
    exp.add_argument(
        "--excel",
        action="store_true",
        help=t("thêm BOM để Excel đọc đúng tiếng Việt", "add a BOM so Excel reads UTF-8"),
    )


# -- import ----------------------------------------------------------------------------------


def import_csv(ctx: Context) -> int:
    """``ocop import FILE.csv``."""
    import ocop

    args = ctx.args
    actor = ctx.actor()
    reg = ctx.registry()
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    reading = parse_certified_csv(
        raw,
        today=reg.today(),
        commune=actor.commune,
        province=actor.province,
        rule_set=args.rule_set,
        lang=ctx.lang,
    )
    problems = reading.problems
    good: list[tuple[int, dict[str, Any]]] = []
    held = {d.certificate.number: d.id for d in reg.find() if d.certificate is not None}
    for line, arguments in reading.rows:
        number = arguments["certificate_number"]
        if number in held:
            problems.setdefault(line, []).append(
                ctx.t(
                    f"số GCN {number} đã có ở hồ sơ {held[number]}",
                    f"certificate {number} is already on dossier {held[number]}",
                )
            )
        else:
            good.append((line, arguments))
    if good:
        # The library's own checks, row by row, on a scratch database no one else sees.
        with ocop.open("sqlite://", clock=reg.clock, calendar=reg.calendar) as scratch:
            for line, arguments in good:
                try:
                    _import(scratch, arguments, actor)
                except PermissionDenied:
                    where = arguments["registration"]
                    problems.setdefault(line, []).append(
                        ctx.t(
                            f"{actor.name} không được nhập hồ sơ của xã {where['commune']}, "
                            f"tỉnh {where['province']}; đề nghị cán bộ của địa bàn đó nhập",
                            f"{actor.name} may not import dossiers of {where['commune']}, "
                            f"{where['province']}; ask an officer of that area",
                        ),
                    )
                except OcopError as exc:
                    from ocop.cli.messages import explain

                    problems.setdefault(line, []).append(explain(exc, ctx.lang, actor=actor))
    if problems:
        return _refuse(ctx, problems)
    if args.dry_run:
        ctx.print(
            ctx.t(
                f"Tệp hợp lệ: {len(good)} dòng. Chưa ghi gì (--dry-run).",
                f"The file is valid: {len(good)} row(s). Nothing written (--dry-run).",
            )
        )
        return 0
    try:
        imported = reg.import_certified_many([arguments for _, arguments in good], actor=actor)
    except RowsRejected as exc:
        # Refused whole at the last moment, e.g. another officer imported one of these
        # certificates since the checks above: nothing was written; report it by line.
        for index, errors in exc.problems.items():
            for error in errors:
                problems.setdefault(good[index - 1][0], []).append(error)
        return _refuse(ctx, problems)
    _report(ctx, imported)
    return 0


def _refuse(ctx: Context, problems: Mapping[int, list[str]]) -> int:
    for line in sorted(problems):
        ctx.stderr.write(
            ctx.t(f"{ctx.args.file}: dòng {line}: ", f"{ctx.args.file}: line {line}: ")
            + "; ".join(problems[line])
            + "\n"
        )
    ctx.stderr.write(
        ctx.t(
            f"Không nhập dòng nào: {len(problems)} dòng có lỗi. Sửa tệp rồi chạy lại.",
            f"Nothing imported: {len(problems)} bad line(s). Fix the file and run again.",
        )
        + "\n"
    )
    return 1


def _import(reg: Registry, arguments: Mapping[str, Any], actor: Actor) -> Dossier:
    return reg.import_certified(
        arguments["registration"],
        certificate_number=arguments["certificate_number"],
        stars=arguments["stars"],
        issued_on=arguments["issued_on"],
        actor=actor,
        rule_set=arguments["rule_set"],
        note=arguments["note"],
    )


def _report(ctx: Context, imported: list[Dossier]) -> None:
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
        t("Số", "ID"),
        t("Sản phẩm", "Product"),
        t("Giấy chứng nhận", "Certificate"),
        t("Hết hạn", "Expires"),
        t("Trạng thái", "State"),
        t("Hạn tiếp theo", "Next date"),
    ]
    ctx.print(table(headers, rows))
    ctx.print(t(f"Đã nhập {len(imported)} hồ sơ.", f"Imported {len(imported)} dossier(s)."))


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
        "commune": d.commune,
        "province": d.province,
        "owner": d.owner or "",
        "form_number": d.form_number or "",
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
    if args.output:
        _check_output(ctx, args.output)
    found = ctx.registry().find(
        state=chosen_states(args.state),
        commune=args.commune,
        province=args.province,
        actor=ctx.optional_actor(),
    )
    if args.format == "json":
        text = dumps([jsonable(d) for d in found]) + "\n"
    else:
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for d in found:
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
                f"Đã ghi {len(found)} hồ sơ vào {args.output}.\n",
                f"Wrote {len(found)} dossier(s) to {args.output}.\n",
            )
        )
    else:
        ctx.stdout.write(text)
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
                f"{output} là cơ sở dữ liệu đang dùng ({database}) hoặc một tệp đi kèm nó; "
                "không bao giờ ghi vào đó, kể cả với --force: chọn tệp khác",
                f"{output} is the database in use ({database}) or one of its files; it is "
                "never written, even with --force: choose another file",
            )
        )
    if not ctx.args.force and (output.exists() or output.is_symlink()):
        raise UsageError(_exists(ctx, output))


def _exists(ctx: Context, output: Path) -> str:
    return ctx.t(
        f"{output} đã có; thêm --force để ghi đè, hoặc chọn tệp khác",
        f"{output} exists already; add --force to overwrite it, or choose another file",
    )


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
