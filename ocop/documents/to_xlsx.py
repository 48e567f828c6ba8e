"""Excel (.xlsx) workbooks of the progress report and of a dossier list, written with openpyxl.

Dates are real date cells (shown ``DD/MM/YYYY``), numbers are numbers, so the office can sort
and filter. openpyxl is imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ocop.documents.chart import Chart, render_png
from ocop.documents.dossier_list import DossierList
from ocop.documents.progress import DueItem, ProgressReport
from ocop.text import term

__all__ = ["write_xlsx"]

DATE_FORMAT = "DD/MM/YYYY"
CHART_WIDTH_PX = 620
"""The chart's width on the sheet; its height follows."""


def write_xlsx(
    content: ProgressReport | DossierList,
    path: str | os.PathLike[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write ``content`` as a workbook at ``path``; ``progress`` is called after each row of a
    dossier list with the rows written so far and their number."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    if isinstance(content, ProgressReport):
        _progress(book, content)
    elif isinstance(content, DossierList):
        sheet = book.active
        sheet.title = term(content.lang, "workbook sheet", "Hồ sơ")
        _dossiers(sheet, content, progress)
    else:
        raise TypeError(f"no Excel layout for {type(content).__name__}")
    book.properties.language = "en-GB" if content.lang == "en" else "vi-VN"
    book.save(os.fspath(path))


def _sheet_rows(
    sheet: Any,
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """A title line (if any), a bold header row, then ``rows``; dates formatted."""
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    if title:
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        sheet.append([])
    sheet.append(list(columns))
    header = sheet.max_row
    for n in range(1, len(columns) + 1):
        sheet.cell(row=header, column=n).font = Font(bold=True)
    for done, row in enumerate(rows, start=1):
        sheet.append(list(row))
        for n, value in enumerate(row, start=1):
            if isinstance(value, date):
                sheet.cell(row=sheet.max_row, column=n).number_format = DATE_FORMAT
        if progress is not None:
            progress(done, len(rows))
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    for n, name in enumerate(columns, start=1):
        width = widths[n - 1] if widths else max(12, min(40, len(name) + 4))
        sheet.column_dimensions[get_column_letter(n)].width = width


def _progress(book: Any, r: ProgressReport) -> None:
    h, lang = r.headings, r.lang
    summary = book.active
    summary.title = term(lang, "workbook sheet", "Mục tiêu")
    _sheet_rows(
        summary,
        r.subtitle,
        (h["col_target"], h["col_aim"], h["col_achieved"], h["col_in_progress"]),
        [(tp.label, tp.target, tp.achieved, tp.in_progress) for tp in r.targets],
        widths=(45, 12, 12, 16),
    )
    summary.append([])
    for line in r.summary:
        summary.append([line])
    if r.evaluation_window:
        summary.append([r.evaluation_window])
    _chart(summary, r.chart, "F3")

    products = book.create_sheet(term(lang, "workbook sheet", "Sản phẩm"))
    _sheet_rows(
        products,
        h["products"],
        (
            h["col_target"],
            h["col_product"],
            h["col_dossier"],
            h["col_state"],
            h["col_certificate"],
            "★",
            h["col_expires"],
            h["col_next"],
            h["col_what"],
            h["col_achieved"],
            h["col_score"],
        ),
        [
            (
                tp.label,
                p.product_name,
                p.dossier_id,
                p.state_label,
                p.certificate_number,
                p.stars,
                p.expires_on,
                p.next_due_on,
                p.next_due,
                h["yes"] if p.achieved else h["no"],
                p.score,
            )
            for tp in r.targets
            for p in tp.products
        ],
        widths=(34, 28, 10, 24, 18, 5, 13, 13, 30, 9, 9),
    )

    states = book.create_sheet(term(lang, "workbook sheet", "Trạng thái"))
    _sheet_rows(
        states,
        h["states"],
        (h["col_state"], h["col_count"]),
        [(s.label, s.count) for s in r.by_state],
        widths=(32, 12),
    )

    dates = book.create_sheet(term(lang, "workbook sheet", "Hạn"))
    rows: list[tuple[object, ...]] = []
    for key, items in (("overdue", r.overdue), ("coming", r.coming), ("expiring", r.expiring)):
        rows += [_due_row(h[key], item) for item in items]
    _sheet_rows(
        dates,
        h["dates"],
        ("", h["col_date"], h["col_what"], h["col_product"], h["col_dossier"]),
        rows,
        widths=(26, 13, 40, 28, 10),
    )

    events = book.create_sheet(term(lang, "workbook sheet", "Hội nghị"))
    _sheet_rows(
        events,
        h["events"],
        (h["col_event"], h["col_date"], h["col_place"], h["col_status"], ""),
        [
            (
                e.name,
                e.on,
                e.place,
                h["held"] if e.held else h["planned"],
                h["illustrative"] if e.illustrative else None,
            )
            for e in r.events
        ],
        widths=(50, 13, 30, 14, 18),
    )
    if r.meetings_total:
        events.append([])
        events.append([h["meetings"]])
    if r.next_meeting:
        events.append([h["next_meeting"], r.next_meeting.on, r.next_meeting.name])
        events.cell(row=events.max_row, column=2).number_format = DATE_FORMAT


def _chart(sheet: Any, chart: Chart, anchor: str) -> None:
    """The chart as a picture at ``anchor``, right of the targets' table; its numbers are the
    targets here and the counts on the states' sheet. No cell is written beside the tables, so
    each of their rows reads back as the table's columns only."""
    import io

    from openpyxl.drawing.image import Image  # type: ignore[import-untyped]

    picture = Image(io.BytesIO(render_png(chart)))
    scale = CHART_WIDTH_PX / picture.width
    picture.width, picture.height = CHART_WIDTH_PX, round(picture.height * scale)
    sheet.add_image(picture, anchor)


def _due_row(group: str, item: DueItem) -> tuple[object, ...]:
    return (group, item.on, item.what, item.product_name, item.dossier_id)


def _dossiers(
    sheet: Any, listing: DossierList, progress: Callable[[int, int], None] | None = None
) -> None:
    _sheet_rows(
        sheet,
        listing.title,
        listing.columns,
        [
            (
                r.id,
                r.product_name,
                r.producer,
                r.commune,
                r.province,
                r.product_set,
                r.kind,
                r.state,
                r.state_label,
                r.cycle,
                r.rule_set,
                r.registered_on,
                r.form_number,
                r.report_number,
                r.report_date,
                r.letter_number,
                r.letter_date,
                r.round,
                r.score,
                r.stars,
                r.stars_note,
                r.certificate_number,
                r.product_code,
                r.issued_on,
                r.expires_on,
                r.next_due_on,
                r.next_due,
            )
            for r in listing.rows
        ],
        progress=progress,
    )
