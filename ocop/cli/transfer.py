"""``ocop import FILE.csv`` (certified products brought in with their certificates) and
``ocop export`` (CSV or JSON).

An import is all rows or none. Every row is checked first, by the CLI's own checks (columns,
numbers, dates, repeated certificates) and then by the library itself, each row imported into a
scratch in-memory registry on the same clock and as the same user, so that every bad row is
reported with its line number and in the officer's language. Only then are the rows written,
in one transaction (:meth:`ocop.Registry.import_certified_many`), which refuses them whole if
anything changed in between.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ocop import Registry
from ocop.cli.core import Commands, Context, UsageError
from ocop.cli.output import dumps, fmt_date, jsonable, table
from ocop.cli.render import due_text, stars
from ocop.errors import OcopError, PermissionDenied, RowsRejected
from ocop.models import Actor, Dossier, to_date
from ocop.states import RULE_SETS

__all__ = ["EXPORT_COLUMNS", "IMPORT_COLUMNS", "REQUIRED_COLUMNS", "register"]

REQUIRED_COLUMNS = (
    "product_name",
    "product_set",
    "producer_name",
    "certificate_number",
    "stars",
    "issued_on",
)
IMPORT_COLUMNS = (
    *REQUIRED_COLUMNS,
    "commune",
    "province",
    "owner",
    "legal_representative",
    "title",
    "address",
    "phone",
    "email",
    "form_number",
    "rule_set",
    "note",
)
"""Columns ``ocop import`` reads; ``commune`` and ``province`` default to the officer's."""

EXPORT_COLUMNS = (
    "id",
    "product_name",
    "product_set",
    "kind",
    "producer_name",
    "legal_representative",
    "title",
    "address",
    "phone",
    "email",
    "commune",
    "province",
    "owner",
    "form_number",
    "state",
    "state_label",
    "cycle",
    "rule_set",
    "next_due_on",
    "next_due",
    "certificate_number",
    "stars",
    "issued_on",
    "expires_on",
    "revoked_on",
)
"""Columns ``ocop export`` writes: a superset of the import's, so an export reads back in."""

# The shape the library's model accepts; checked here to say so in the officer's language.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PRODUCER = ("legal_representative", "title", "address", "phone", "email")


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
    exp.add_argument("--state", action="append", help=t("lọc theo trạng thái", "filter by state"))
    exp.add_argument("--commune", help=t("lọc theo xã", "filter by commune"))
    exp.add_argument("--province", help=t("lọc theo tỉnh", "filter by province"))
    exp.add_argument(
        "--excel",
        action="store_true",
        help=t("thêm BOM để Excel đọc đúng tiếng Việt", "add a BOM so Excel reads UTF-8"),
    )


# -- import ----------------------------------------------------------------------------------


class _Problems:
    """Bad rows by line number, each with its problems."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[str]] = {}

    def add(self, line: int, message: str) -> None:
        self.by_line.setdefault(line, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_line)


def _decode(raw: bytes, ctx: Context) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _FileRefused(
            line,
            ctx.t(
                "tệp không phải UTF-8; lưu lại dưới dạng “CSV UTF-8” (Excel: Lưu thành → CSV "
                "UTF-8)",
                "the file is not UTF-8; save it as “CSV UTF-8”",
            ),
        ) from None


class _FileRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _rows(text: str, ctx: Context) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for each data row, or (line, problem) for a row that cannot be read."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise _FileRefused(1, ctx.t("tệp rỗng", "the file is empty")) from None
    except csv.Error as exc:
        raise _FileRefused(1, str(exc)) from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in IMPORT_COLUMNS and c not in EXPORT_COLUMNS]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if missing:
        problems.append(
            ctx.t(f"thiếu cột {', '.join(missing)}", f"missing columns {', '.join(missing)}")
        )
    if unknown:
        problems.append(
            ctx.t(
                f"cột không biết: {', '.join(unknown)} (các cột: {', '.join(IMPORT_COLUMNS)})",
                f"unknown columns: {', '.join(unknown)} (columns: {', '.join(IMPORT_COLUMNS)})",
            )
        )
    if doubled:
        problems.append(
            ctx.t(f"cột lặp lại: {', '.join(doubled)}", f"repeated columns: {', '.join(doubled)}")
        )
    if problems:
        raise _FileRefused(1, "; ".join(problems))
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, str(exc)
            return
        if any(cell.strip() for cell in cells):
            if len(cells) != len(columns):
                yield (
                    line,
                    ctx.t(
                        f"có {len(cells)} ô nhưng tiêu đề có {len(columns)} cột",
                        f"{len(cells)} cells but the header has {len(columns)} columns",
                    ),
                )
            else:
                yield line, {c: v.strip() for c, v in zip(columns, cells, strict=True)}
        line = reader.line_num + 1


def _checked(
    row: Mapping[str, str], actor: Actor, default_rules: str | None, today: date, ctx: Context
) -> tuple[dict[str, Any], list[str]]:
    """The row as the library's arguments, and the problems the CLI sees in it."""
    t = ctx.t
    problems: list[str] = []
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            problems.append(t(f"{column}: ô trống", f"{column}: empty"))

    def number(column: str, low: int, high: int, what: tuple[str, str]) -> int | None:
        text = row.get(column, "")
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            problems.append(
                t(
                    f"{column}: '{text}' không hợp lệ; {what[0]} từ {low} đến {high}",
                    f"{column}: '{text}' is not valid; {what[1]} is {low} to {high}",
                )
            )
            return None
        return value

    product_set = number("product_set", 1, 26, ("bộ sản phẩm", "the product set"))
    star_count = number("stars", 3, 5, ("giấy chứng nhận OCOP", "an OCOP certificate"))
    issued: date | None = None
    if row.get("issued_on"):
        try:
            issued = to_date(row["issued_on"], "issued_on")
        except OcopError:
            problems.append(
                t(
                    f"issued_on: '{row['issued_on']}' không phải ngày hợp lệ "
                    "(DD/MM/YYYY hoặc YYYY-MM-DD)",
                    f"issued_on: '{row['issued_on']}' is not a valid date "
                    "(DD/MM/YYYY or YYYY-MM-DD)",
                )
            )
        else:
            if issued > today:
                problems.append(
                    t(
                        f"issued_on: {fmt_date(issued, 'vi')} là ngày trong tương lai",
                        f"issued_on: {issued.isoformat()} is in the future",
                    )
                )
    rules = row.get("rule_set") or default_rules
    if rules and rules not in RULE_SETS:
        problems.append(
            t(
                f"rule_set: không biết '{rules}' (có: {', '.join(sorted(RULE_SETS))})",
                f"rule_set: unknown '{rules}' (known: {', '.join(sorted(RULE_SETS))})",
            )
        )
    email = row.get("email")
    if email and not _EMAIL.fullmatch(email):
        problems.append(
            t(
                f"email: '{email}' không phải địa chỉ thư điện tử",
                f"email: '{email}' is not an e-mail address",
            )
        )
    commune = row.get("commune") or actor.commune
    province = row.get("province") or actor.province
    if not commune or not province:
        problems.append(
            t("cần cột commune và province", "the commune and province columns are needed")
        )
    producer = {"name": row.get("producer_name", "")} | {k: row[k] for k in _PRODUCER if row.get(k)}
    registration = {
        "product_name": row.get("product_name", ""),
        "product_set": product_set,
        "producer": producer,
        "commune": commune,
        "province": province,
    } | {k: row[k] for k in ("owner", "form_number") if row.get(k)}
    arguments = {
        "registration": registration,
        "certificate_number": row.get("certificate_number", ""),
        "stars": star_count,
        "issued_on": issued,
        "rule_set": rules or None,
        "note": row.get("note") or None,
    }
    return arguments, problems


def import_csv(ctx: Context) -> int:
    """``ocop import FILE.csv``."""
    import ocop

    args = ctx.args
    actor = ctx.actor()
    reg = ctx.registry()
    today = reg.today()
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    problems = _Problems()
    good: list[tuple[int, dict[str, Any]]] = []
    try:
        text = _decode(raw, ctx)
        seen: dict[str, int] = {}
        held = {d.certificate.number: d.id for d in reg.find() if d.certificate is not None}
        for line, row in _rows(text, ctx):
            if isinstance(row, str):
                problems.add(line, row)
                continue
            arguments, found = _checked(row, actor, args.rule_set, today, ctx)
            number = arguments["certificate_number"]
            if number and number in seen:
                found.append(
                    ctx.t(
                        f"số GCN {number} trùng với dòng {seen[number]}",
                        f"certificate {number} repeats line {seen[number]}",
                    )
                )
            elif number in held:
                found.append(
                    ctx.t(
                        f"số GCN {number} đã có ở hồ sơ {held[number]}",
                        f"certificate {number} is already on dossier {held[number]}",
                    )
                )
            if number:
                seen.setdefault(number, line)
            for message in found:
                problems.add(line, message)
            if not found:
                good.append((line, arguments))
    except _FileRefused as exc:
        problems.add(exc.line, exc.message)
    if not problems and not good:
        problems.add(2, ctx.t("tệp không có dòng dữ liệu nào", "the file has no data rows"))
    if good:
        # The library's own checks, row by row, on a scratch database no one else sees.
        with ocop.open("sqlite://", clock=reg.clock, calendar=reg.calendar) as scratch:
            for line, arguments in good:
                try:
                    _import(scratch, arguments, actor)
                except PermissionDenied:
                    where = arguments["registration"]
                    problems.add(
                        line,
                        ctx.t(
                            f"{actor.name} không được nhập hồ sơ của xã {where['commune']}, "
                            f"tỉnh {where['province']}; đề nghị cán bộ của địa bàn đó nhập",
                            f"{actor.name} may not import dossiers of {where['commune']}, "
                            f"{where['province']}; ask an officer of that area",
                        ),
                    )
                except OcopError as exc:
                    from ocop.cli.messages import explain

                    problems.add(line, explain(exc, ctx.lang, actor=actor))
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
                problems.add(good[index - 1][0], error)
        return _refuse(ctx, problems)
    _report(ctx, imported)
    return 0


def _refuse(ctx: Context, problems: _Problems) -> int:
    for line in sorted(problems.by_line):
        ctx.stderr.write(
            ctx.t(f"{ctx.args.file}: dòng {line}: ", f"{ctx.args.file}: line {line}: ")
            + "; ".join(problems.by_line[line])
            + "\n"
        )
    ctx.stderr.write(
        ctx.t(
            f"Không nhập dòng nào: {len(problems.by_line)} dòng có lỗi. Sửa tệp rồi chạy lại.",
            f"Nothing imported: {len(problems.by_line)} bad line(s). Fix the file and run again.",
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
    states = [s.strip() for value in args.state or () for s in value.split(",") if s.strip()]
    found = ctx.registry().find(state=states or None, commune=args.commune, province=args.province)
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
            args.output.write_text(text, encoding="utf-8", newline="")
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
