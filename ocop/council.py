"""Reading the council members' scoring sheets (what ``ocop rate --sheets FILE`` takes).

Each member of a council scores the product on the criteria set, which "kiêm phiếu đánh giá"
(Phụ lục II of 26/2026): one sheet per member, with the part A, B and C scores and, where
the member noted it, the highest star level whose starred minimum criteria (``***``) are all
met. :func:`read_sheets` reads them from a CSV, XLSX or TOML file and :func:`sheet_options`
from ``--sheet "Name:A:B:C[:minimum]"`` options, into the ``sheets`` input of ``rate`` and
``rate_central`` (:meth:`ocop.Registry.fire`), which averages them.

Both check what they can before the database is opened — the columns, empty cells, numbers
within the rule set's part maxima, star levels, a member listed twice — and never raise for
what the file holds: every problem is reported with its line (the file's line, the
spreadsheet's row, or the option's position), in Vietnamese (``lang="vi"``) or English. The
step checks the sheets again, so a host calling the library directly is held to the same.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ocop.text import Translate, translator
from ocop.transfer import header_problems

__all__ = [
    "FORMATS",
    "SHEET_COLUMNS",
    "SheetReading",
    "read_sheets",
    "sheet_format",
    "sheet_options",
]

SHEET_COLUMNS = ("member", "a", "b", "c", "minimum_stars_met")
"""The columns (CSV, XLSX) or keys (TOML ``[[sheet]]`` tables) of a sheet; the last optional."""

FORMATS = ("csv", "xlsx", "toml")

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass
class SheetReading:
    """What a file (or the options) held: the sheets, and the problems of every bad line."""

    sheets: list[dict[str, Any]] = field(default_factory=list)
    """One mapping per good sheet (member, a, b, c as exact decimal text, minimum_stars_met)."""
    problems: dict[int, list[str]] = field(default_factory=dict)
    """Line (or option) number → what is wrong on it; empty when every sheet is good."""

    def add(self, line: int, message: str) -> None:
        """Record a problem on ``line``."""
        self.problems.setdefault(line, []).append(message)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def sheet_format(path: Path) -> str | None:
    """``csv``, ``xlsx`` or ``toml`` from the file's name, or ``None``."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _number(text: object) -> Decimal | None:
    """A score as typed: ``32``, ``18.5`` or ``18,5`` (the Vietnamese decimal comma)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        text = repr(text)  # what was typed, not its binary neighbour
    if not isinstance(text, str):
        return None
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check(
    cells: Mapping[str, object], maxima: Mapping[str, int], t: Any
) -> tuple[dict[str, Any] | None, list[str]]:
    """The sheet as the step's input, or the problems found in it."""
    problems: list[str] = []
    raw_member = cells.get("member")
    member = unicodedata.normalize("NFC", str(raw_member)).strip() if raw_member else ""
    if not member:
        problems.append(t("member: thiếu tên thành viên"))
    elif _CONTROL.search(member) or len(member) > 300:
        problems.append(t("member: tên phải trên một dòng, tối đa 300 ký tự"))
    sheet: dict[str, Any] = {"member": member}
    for part, maximum in maxima.items():
        raw = cells.get(part)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            problems.append(t("{part}: ô trống", part=part))
            continue
        value = _number(raw)
        if value is None or not 0 <= value <= maximum:
            problems.append(
                t(
                    "{part}: '{raw}' không hợp lệ; điểm phần {part2} từ 0 đến {maximum}",
                    part=part,
                    raw=raw,
                    part2=part.upper(),
                    maximum=maximum,
                )
            )
            continue
        sheet[part] = format(value, "f")  # exact: "18.50", never "1.85E+1"
    raw_minimum = cells.get("minimum_stars_met")
    if raw_minimum is not None and str(raw_minimum).strip():
        value = _number(raw_minimum)
        if value is None or value != value.to_integral_value() or not 0 <= value <= 5:
            problems.append(
                t(
                    "minimum_stars_met: '{raw_minimum}' không hợp lệ; là hạng sao từ 0 đến "
                    "5 mà mọi tiêu chí bắt buộc đều đạt",
                    raw_minimum=raw_minimum,
                )
            )
        else:
            sheet["minimum_stars_met"] = int(value)
    return (None if problems else sheet), problems


def _collect(
    rows: Iterator[tuple[int, Mapping[str, object] | str]],
    maxima: Mapping[str, int],
    t: Any,
    reading: SheetReading,
    where: Any,
) -> None:
    seen: dict[str, int] = {}
    for line, cells in rows:
        if isinstance(cells, str):
            reading.add(line, cells)
            continue
        sheet, problems = _check(cells, maxima, t)
        member = str(cells.get("member") or "").strip()
        key = unicodedata.normalize("NFC", member).casefold()
        if key and key in seen:
            problems.append(
                t("thành viên {member} trùng với {other}", member=member, other=where(seen[key]))
            )
            sheet = None
        elif key:
            seen[key] = line
        for problem in problems:
            reading.add(line, problem)
        if sheet is not None:
            reading.sheets.append(sheet)


def _header(columns: Sequence[str], maxima: Mapping[str, int], t: Translate) -> list[str]:
    names = [str(c or "").strip().lower() for c in columns]
    known = ("member", *maxima, "minimum_stars_met")
    problems = header_problems(names, ("member", *maxima), known, t, blank_ok=True)
    if problems:
        raise _Refused(1, problems)
    return names


def _csv_rows(
    raw: bytes, maxima: Mapping[str, int], t: Any
) -> Iterator[tuple[int, Mapping[str, object] | str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(
            raw[: exc.start].count(b"\n") + 1,
            t("tệp không phải UTF-8; lưu lại dưới dạng “CSV UTF-8”"),
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        columns = _header(next(reader), maxima, t)
    except StopIteration:
        raise _Refused(1, t("tệp rỗng")) from None
    except csv.Error as exc:
        raise _Refused(1, str(exc)) from None
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
            if len(cells) > len(columns):
                yield (
                    line,
                    t(
                        "có {cells_count} ô nhưng tiêu đề có {columns_count} cột",
                        cells_count=len(cells),
                        columns_count=len(columns),
                    ),
                )
            else:
                yield line, dict(zip(columns, cells, strict=False))
        line = reader.line_num + 1


def _xlsx_rows(
    raw: bytes, maxima: Mapping[str, int], t: Any
) -> Iterator[tuple[int, Mapping[str, object] | str]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # loaded when used

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, ValueError … for a bad file
        raise _Refused(
            1,
            t("không đọc được tệp Excel (.xlsx); lưu lại bằng Excel hoặc LibreOffice"),
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _Refused(1, t("tệp rỗng"))
        columns = _header(list(header), maxima, t)
        for number, values in enumerate(rows, 2):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            extra = [v for v in values[len(columns) :] if v is not None and str(v).strip()]
            if extra:
                yield (
                    number,
                    t("có ô ngoài {columns_count} cột của tiêu đề", columns_count=len(columns)),
                )
                continue
            yield number, {c: v for c, v in zip(columns, values, strict=False) if c}
    finally:
        book.close()


def _toml_rows(
    raw: bytes, maxima: Mapping[str, int], t: Any
) -> Iterator[tuple[int, Mapping[str, object] | str]]:
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise _Refused(1, t("tệp không phải UTF-8")) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise _Refused(
            int(found.group(1)) if found else 1,
            t("tệp TOML sai cú pháp ({exc})", exc=exc),
        ) from None
    key = "sheet" if "sheet" in data else "sheets"
    tables = data.get(key)
    others = sorted(set(data) - {key})
    if not isinstance(tables, list) or others:
        raise _Refused(
            1,
            t(
                "tệp TOML cần các bảng [[sheet]] (member, a, b, c, minimum_stars_met); "
                "không biết: {others}",
                others=", ".join(others),
            )
            if others
            else t("tệp TOML cần các bảng [[sheet]] (member, a, b, c, minimum_stars_met)"),
        )
    # tomllib gives no line numbers: each table starts at its own [[sheet]] header.
    starts = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if re.match(rf"\s*\[\[\s*{key}\s*\]\]", line)
    ]
    known = ("member", *maxima, "minimum_stars_met")
    for index, table in enumerate(tables):
        line = starts[index] if index < len(starts) else 1
        if not isinstance(table, dict):
            yield line, t("mỗi phiếu là một bảng [[sheet]]")
            continue
        unknown = sorted(set(table) - set(known))
        if unknown:
            yield (
                line,
                t(
                    "khóa không biết: {unknown} (các khóa: {known})",
                    unknown=", ".join(unknown),
                    known=", ".join(known),
                ),
            )
            continue
        yield line, table


_READERS = {"csv": _csv_rows, "xlsx": _xlsx_rows, "toml": _toml_rows}


def read_sheets(
    raw: bytes, fmt: str, *, part_maxima: Mapping[str, int], lang: str = "vi"
) -> SheetReading:
    """The sheets of a CSV, XLSX or TOML file; never raises for what the file holds.

    ``part_maxima`` are the dossier's rule set's (``RuleSet.part_maxima``); lines are the
    file's (CSV, TOML) or the spreadsheet's rows (XLSX), the header being line 1.
    """
    t = translator(lang)
    reading = SheetReading()
    if fmt not in _READERS:
        reading.add(1, t("chỉ đọc tệp .csv, .xlsx, .toml"))
        return reading
    try:
        _collect(
            _READERS[fmt](raw, part_maxima, t),
            part_maxima,
            t,
            reading,
            lambda line: t("dòng {line}", line=line),
        )
    except _Refused as exc:
        reading.add(exc.line, exc.message)
    if not reading.problems and not reading.sheets:
        reading.add(2, t("tệp không có phiếu nào"))
    return reading


def sheet_options(
    specs: Sequence[str], *, part_maxima: Mapping[str, int], lang: str = "vi"
) -> SheetReading:
    """The sheets of ``--sheet "Name:A:B:C[:minimum]"`` options, numbered by position."""
    t = translator(lang)
    parts = list(part_maxima)
    reading = SheetReading()

    def rows() -> Iterator[tuple[int, Mapping[str, object] | str]]:
        for number, spec in enumerate(specs, 1):
            fields = spec.split(":")
            if len(fields) not in (len(parts) + 1, len(parts) + 2):
                shape = ":".join([t("TÊN"), *(p.upper() for p in parts)]) + t("[:SAO]")
                yield (
                    number,
                    t("'{spec}' không đúng dạng {shape}", spec=spec, shape=shape),
                )
                continue
            cells: dict[str, object] = dict(zip(["member", *parts], fields, strict=False))
            if len(fields) == len(parts) + 2:
                cells["minimum_stars_met"] = fields[-1]
            yield number, cells

    _collect(
        rows(),
        part_maxima,
        t,
        reading,
        lambda n: t("--sheet thứ {n}", n=n),
    )
    return reading
