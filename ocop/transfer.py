"""Reading a CSV file of certified products (what ``ocop import`` takes), without a database.

:func:`parse_certified_csv` turns the file's bytes into the arguments of
:meth:`ocop.Registry.import_certified_many`, one set per good line, and the problems of every
bad line, keyed by the line's number in the file. It checks what can be checked without the
database: the encoding (UTF-8, with or without a BOM), the CSV structure (comma or semicolon),
the columns, empty cells, numbers, dates, the rule set, e-mail addresses and certificate
numbers repeated within the file. It never raises for a bad file: every problem is reported
with its line.

Messages are in Vietnamese (``lang="vi"``, the default) or English.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ocop.errors import OcopError
from ocop.states import RULE_SETS

__all__ = [
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CsvReading",
    "parse_certified_csv",
]

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
"""Columns an import reads; ``commune`` and ``province`` default to the officer's."""

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


@dataclass
class CsvReading:
    """What a CSV file holds: the good lines' arguments and the bad lines' problems."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(line, arguments for :meth:`~ocop.Registry.import_certified_many`) for each good line."""
    problems: dict[int, list[str]] = field(default_factory=dict)
    """Line number → what is wrong on it; empty when the whole file is good."""

    def add(self, line: int, message: str) -> None:
        """Record a problem on ``line``."""
        self.problems.setdefault(line, []).append(message)


def _translator(lang: str) -> Any:
    return (lambda vi, en: en) if lang == "en" else (lambda vi, en: vi)


class _FileRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _decode(raw: bytes, t: Any) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _FileRefused(
            line,
            t(
                "tệp không phải UTF-8; lưu lại dưới dạng “CSV UTF-8” (Excel: Lưu thành → CSV "
                "UTF-8)",
                "the file is not UTF-8; save it as “CSV UTF-8”",
            ),
        ) from None


def _rows(text: str, t: Any) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for each data row, or (line, problem) for a row that cannot be read."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise _FileRefused(1, t("tệp rỗng", "the file is empty")) from None
    except csv.Error as exc:
        raise _FileRefused(1, str(exc)) from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in IMPORT_COLUMNS and c not in EXPORT_COLUMNS]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if missing:
        problems.append(
            t(f"thiếu cột {', '.join(missing)}", f"missing columns {', '.join(missing)}")
        )
    if unknown:
        problems.append(
            t(
                f"cột không biết: {', '.join(unknown)} (các cột: {', '.join(IMPORT_COLUMNS)})",
                f"unknown columns: {', '.join(unknown)} (columns: {', '.join(IMPORT_COLUMNS)})",
            )
        )
    if doubled:
        problems.append(
            t(f"cột lặp lại: {', '.join(doubled)}", f"repeated columns: {', '.join(doubled)}")
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
                    t(
                        f"có {len(cells)} ô nhưng tiêu đề có {len(columns)} cột",
                        f"{len(cells)} cells but the header has {len(columns)} columns",
                    ),
                )
            else:
                yield line, {c: v.strip() for c, v in zip(columns, cells, strict=True)}
        line = reader.line_num + 1


def _checked(
    row: Mapping[str, str],
    commune: str | None,
    province: str | None,
    default_rules: str | None,
    today: date,
    t: Any,
) -> tuple[dict[str, Any], list[str]]:
    """The row as the library's arguments, and the problems seen in it."""
    from ocop.models import to_date  # pydantic loads only when a file is read

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
                        f"issued_on: {issued.strftime('%d/%m/%Y')} là ngày trong tương lai",
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
    commune = row.get("commune") or commune
    province = row.get("province") or province
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


def parse_certified_csv(
    raw: bytes,
    *,
    today: date,
    commune: str | None = None,
    province: str | None = None,
    rule_set: str | None = None,
    lang: str = "vi",
) -> CsvReading:
    """Read a CSV file of certified products; never raises for what the file holds.

    ``commune`` and ``province`` fill rows that leave them out (the importing officer's);
    ``rule_set`` is for rows without a ``rule_set`` column (default: by the issue date).
    """
    t = _translator(lang)
    reading = CsvReading()
    try:
        text = _decode(raw, t)
        seen: dict[str, int] = {}
        for line, row in _rows(text, t):
            if isinstance(row, str):
                reading.add(line, row)
                continue
            arguments, found = _checked(row, commune, province, rule_set, today, t)
            number = arguments["certificate_number"]
            key = unicodedata.normalize("NFC", number)
            if number and key in seen:
                found.append(
                    t(
                        f"số GCN {number} trùng với dòng {seen[key]}",
                        f"certificate {number} repeats line {seen[key]}",
                    )
                )
            if number:
                seen.setdefault(key, line)
            for message in found:
                reading.add(line, message)
            if not found:
                reading.rows.append((line, arguments))
    except _FileRefused as exc:
        reading.add(exc.line, exc.message)
    if not reading.problems and not reading.rows:
        reading.add(2, t("tệp không có dòng dữ liệu nào", "the file has no data rows"))
    return reading
