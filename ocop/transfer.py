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

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ocop.errors import CertificateHeld, OcopError, PermissionDenied
from ocop.states import RULE_SETS
from ocop.text import LANGUAGES, N_, Translate, translator

if TYPE_CHECKING:
    from ocop.models import Actor
    from ocop.workflow.importing import ImportResult
    from ocop.workflow.registry import Registry

__all__ = [
    "EXPORT_COLUMNS",
    "FIRST_KEPT",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CsvReading",
    "Source",
    "import_file",
    "parse_certified_csv",
    "read_certified",
]

FIRST_KEPT = 20
"""How many imported dossiers an import's result holds by default: a summary's first rows."""

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
    "producer_lang",
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
    "producer_lang",
    "commune",
    "province",
    "owner",
    "form_number",
    "product_code",
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


def header_problems(
    columns: Sequence[str],
    required: Sequence[str],
    known: Sequence[str],
    t: Translate,
    *,
    shown: Sequence[str] | None = None,
    blank_ok: bool = False,
) -> str:
    """What is wrong with a file's header row (``columns``, lower-cased), in one line for the
    officer: missing ``required`` columns, columns not ``known`` (naming ``shown``, by default
    ``known``), repeated ones; ``""`` for a good header. ``blank_ok``: empty header cells
    (a spreadsheet's unused columns) are not columns."""
    named = [c for c in columns if c or not blank_ok]
    missing = [c for c in required if c not in named]
    unknown = [c for c in named if c not in known]
    doubled = sorted({c for c in named if named.count(c) > 1})
    problems = []
    if missing:
        problems.append(t("thiếu cột {missing}", missing=", ".join(missing)))
    if unknown:
        problems.append(
            t(
                "cột không biết: {unknown} (các cột: {known})",
                unknown=", ".join(unknown),
                known=", ".join(known if shown is None else shown),
            )
        )
    if doubled:
        problems.append(t("cột lặp lại: {doubled}", doubled=", ".join(doubled)))
    return "; ".join(problems)


class _FileRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


Cells = tuple[int, "list[str] | str"]
"""A row of a file as its number and its cells, or the problem that kept it from being read."""

# Bytes that are not UTF-8, as the decoder's ``surrogateescape`` leaves them.
_UNDECODED = re.compile("[\udc80-\udcff]")
_ZIP = b"PK\x03\x04"  # an .xlsx file is a zip archive


def _csv_cells(stream: BinaryIO, t: Translate) -> Iterator[Cells]:
    """Each CSV record and the line it starts on, read and decoded as it comes.

    Bytes that are not UTF-8 refuse the file at their line; a record the CSV reader cannot
    read ends the file there with its problem.
    """
    not_utf8 = t(
        "tệp không phải UTF-8; lưu lại dưới dạng “CSV UTF-8” (Excel: Lưu thành → CSV UTF-8)"
    )
    if stream.seekable():
        # A file in another encoding is refused as such, before its rows are read as garbage.
        bad_line = _first_line_not_utf8(stream)
        if bad_line is not None:
            raise _FileRefused(bad_line, not_utf8)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")

    def lines() -> Iterator[str]:
        for number, line in enumerate(text, start=1):
            if not line.isascii() and _UNDECODED.search(line):
                raise _FileRefused(number, not_utf8)
            yield line

    try:
        source = lines()
        first = next(source, None)
        if first is None:
            return
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(itertools.chain([first], source), delimiter=delimiter, strict=True)
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, str(exc)
                return
            yield line, cells
            line = reader.line_num + 1
    finally:
        with suppress(ValueError):  # closed already, when the caller gave up on the rows
            text.detach()  # the caller's stream stays open


def _first_line_not_utf8(stream: BinaryIO) -> int | None:
    """The line of the first bytes that are not UTF-8, or ``None``; the stream is put back
    where it was. Reads in chunks: memory stays flat, and 50 MB take a few tens of ms."""
    start = stream.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    try:
        while chunk := stream.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return lines + chunk[: max(exc.start, 0)].count(b"\n")
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines
        return None
    finally:
        stream.seek(start)


def _xlsx_cells(stream: BinaryIO, t: Translate) -> Iterator[Cells]:
    """Each row of the first sheet of an Excel workbook and its row number, streamed."""
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip file: openpyxl raises many kinds
        raise _FileRefused(
            1,
            t(
                "không đọc được tệp Excel ({error}); lưu lại dưới dạng .xlsx",
                error=exc.__class__.__name__,
            ),
        ) from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()  # Excel keeps no trace of empty cells at the end of a row
            yield number, cells
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _records(
    cells: Iterator[Cells], t: Translate, *, ragged: bool
) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for each data row, or (line, problem) for a row that cannot be read.

    ``ragged``: rows may be shorter than the header (a spreadsheet's empty last cells).
    """
    try:
        _, header = next(cells)
    except StopIteration:
        raise _FileRefused(1, t("tệp rỗng")) from None
    if isinstance(header, str):
        raise _FileRefused(1, header)
    columns = [c.strip().lower() for c in header]
    # An export reads back in: its extra columns are known too, though not asked for.
    problems = header_problems(
        columns, REQUIRED_COLUMNS, (*IMPORT_COLUMNS, *EXPORT_COLUMNS), t, shown=IMPORT_COLUMNS
    )
    if problems:
        raise _FileRefused(1, problems)
    width = len(columns)
    for line, row in cells:
        if isinstance(row, str):
            yield line, row
            return
        if not any(cell.strip() for cell in row):
            continue
        if ragged and len(row) < width:
            row = row + [""] * (width - len(row))
        if len(row) != width:
            yield (
                line,
                t(
                    "có {cells_count} ô nhưng tiêu đề có {columns_count} cột",
                    cells_count=len(row),
                    columns_count=width,
                ),
            )
        else:
            yield line, {c: v.strip() for c, v in zip(columns, row, strict=True)}


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
            problems.append(t("{column}: ô trống", column=column))

    def number(column: str, low: int, high: int, what: str) -> int | None:
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
                    "{column}: '{text}' không hợp lệ; {what} từ {low} đến {high}",
                    column=column,
                    text=text,
                    what=t(what),
                    low=low,
                    high=high,
                )
            )
            return None
        return value

    product_set = number("product_set", 1, 26, N_("bộ sản phẩm"))
    star_count = number("stars", 3, 5, N_("giấy chứng nhận OCOP"))
    issued: date | None = None
    if row.get("issued_on"):
        try:
            issued = to_date(row["issued_on"], "issued_on")
        except OcopError:
            problems.append(
                t(
                    "issued_on: '{issued_on}' không phải ngày hợp lệ (DD/MM/YYYY hoặc YYYY-MM-DD)",
                    issued_on=row["issued_on"],
                )
            )
        else:
            if issued > today:
                problems.append(
                    t(
                        "issued_on: {day} là ngày trong tương lai",
                        day=t("{day:%d/%m/%Y}", day=issued),
                    )
                )
    rules = row.get("rule_set") or default_rules
    if rules and rules not in RULE_SETS:
        problems.append(
            t(
                "rule_set: không biết '{rules}' (có: {rule_sets})",
                rules=rules,
                rule_sets=", ".join(sorted(RULE_SETS)),
            )
        )
    email = row.get("email")
    if email and not _EMAIL.fullmatch(email):
        problems.append(t("email: '{email}' không phải địa chỉ thư điện tử", email=email))
    commune = row.get("commune") or commune
    province = row.get("province") or province
    if not commune or not province:
        problems.append(t("cần cột commune và province"))
    producer = {"name": row.get("producer_name", "")} | {k: row[k] for k in _PRODUCER if row.get(k)}
    lang = row.get("producer_lang", "").lower()
    if lang in LANGUAGES:
        producer["lang"] = lang
    elif lang:
        problems.append(
            t(
                "producer_lang: '{lang}' không hợp lệ; ngôn ngữ thư gửi chủ thể là vi hoặc en "
                "(để trống: theo kế hoạch)",
                lang=row["producer_lang"],
            )
        )
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


Source = Path | str | bytes | BinaryIO
"""A file to import: its path, its bytes, or a binary stream open on it (CSV or .xlsx)."""


def read_certified(
    source: Source,
    *,
    today: date,
    commune: str | None = None,
    province: str | None = None,
    rule_set: str | None = None,
    lang: str = "vi",
) -> Iterator[tuple[int, dict[str, Any] | list[str]]]:
    """Each data row of a CSV or Excel (.xlsx) file, read as it comes (memory stays flat).

    Yields ``(line, arguments)`` for a good row (the arguments of
    :meth:`~ocop.Registry.import_certified_many`) and ``(line, problems)`` for a bad one, in
    the file's order; a problem with the whole file (its encoding, its header) is one last
    ``(line, problems)``. Never raises for what the file holds. ``commune`` and ``province``
    fill rows that leave them out (the importing officer's); ``rule_set`` is for rows without
    a ``rule_set`` column (default: by the issue date). A certificate number repeated in the
    file is a problem on its second line.
    """
    t = translator(lang)
    with _opened(source) as (stream, excel):
        cells = _xlsx_cells(stream, t) if excel else _csv_cells(stream, t)
        seen: dict[str, int] = {}
        rows = 0
        try:
            for line, row in _records(cells, t, ragged=excel):
                rows += 1
                if isinstance(row, str):
                    yield line, [row]
                    continue
                arguments, found = _checked(row, commune, province, rule_set, today, t)
                number = arguments["certificate_number"]
                key = unicodedata.normalize("NFC", number)
                if number and key in seen:
                    found.append(
                        t("số GCN {number} trùng với dòng {value}", number=number, value=seen[key])
                    )
                if number:
                    seen.setdefault(key, line)
                yield line, (found or arguments)
        except _FileRefused as exc:
            yield exc.line, [exc.message]
            return
        if not rows:
            yield 2, [t("tệp không có dòng dữ liệu nào")]


@contextmanager
def _opened(source: Source) -> Iterator[tuple[BinaryIO, bool]]:
    """A binary stream on ``source``, and whether it is an Excel workbook."""
    if isinstance(source, bytes):
        yield io.BytesIO(source), source.startswith(_ZIP)
        return
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as stream:
            yield stream, _is_excel(stream)
        return
    yield source, _is_excel(source)


def _is_excel(stream: BinaryIO) -> bool:
    if not stream.seekable():
        return False
    start = stream.tell()
    magic = stream.read(len(_ZIP))
    stream.seek(start)
    return magic == _ZIP


def parse_certified_csv(
    raw: bytes,
    *,
    today: date,
    commune: str | None = None,
    province: str | None = None,
    rule_set: str | None = None,
    lang: str = "vi",
) -> CsvReading:
    """Read a whole CSV (or .xlsx) file held in memory; never raises for what it holds.

    :func:`read_certified` reads one row at a time; this gathers its rows in a
    :class:`CsvReading`.
    """
    reading = CsvReading()
    for line, item in read_certified(
        raw, today=today, commune=commune, province=province, rule_set=rule_set, lang=lang
    ):
        if isinstance(item, list):
            for message in item:
                reading.add(line, message)
        else:
            reading.rows.append((line, item))
    return reading


def import_file(
    registry: Registry,
    source: Source,
    *,
    actor: Actor,
    rule_set: str | None = None,
    lang: str = "vi",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    explain: Callable[[OcopError], str] | None = None,
    keep: int | None = FIRST_KEPT,
) -> ImportResult:
    """Import a CSV or Excel file of certified products: every row, or none.

    The file is read, checked and written as it comes, in one transaction
    (:meth:`~ocop.Registry.import_certified_rows`), so memory stays flat whatever its size;
    every bad row is reported by its line in ``result.problems``, in ``lang``, and then
    nothing is written. ``explain`` words the library's refusals (the CLI passes its own);
    ``progress`` is called with the number of rows read so far; ``keep`` is how many imported
    dossiers the result holds (``None``: all). Raises :class:`OSError` if the file cannot be
    opened.
    """
    t = translator(lang)

    def describe(error: OcopError) -> str:
        if isinstance(error, CertificateHeld):
            return t(
                "số GCN {number} đã có ở hồ sơ {value}",
                number=error.number,
                value=error.dossier_id,
            )
        if isinstance(error, PermissionDenied) and error.reason == "area":
            return t(
                "{name} không được nhập hồ sơ của xã {commune}, tỉnh {province}; đề "
                "nghị cán bộ của địa bàn đó nhập",
                name=actor.name,
                commune=error.details.get("commune"),
                province=error.details.get("province"),
            )
        return explain(error) if explain is not None else str(error)

    rows = read_certified(
        source,
        today=registry.today(),
        commune=actor.commune,
        province=actor.province,
        rule_set=rule_set,
        lang=lang,
    )
    return registry.import_certified_rows(
        rows, actor=actor, dry_run=dry_run, progress=progress, describe=describe, keep=keep
    )
