"""Word (.docx) files of the documents, written with python-docx.

The page follows Nghị định 30/2020/NĐ-CP (Phụ lục I): A4 portrait, margins of 2 cm top and
bottom, 3 cm left and 2 cm right, Times New Roman, the body in 14 pt; the letterhead in two
columns without borders; "Nơi nhận" on the left of the signature block in 12 and 11 pt.
python-docx is imported only here, so that the rest of the library and the CLI start without it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ocop.decimals import decimal
from ocop.documents.chart import WIDTH_CM, Chart, render_png
from ocop.documents.common import BLANK, Letterhead, Signature
from ocop.documents.letter import RequestLetter
from ocop.documents.mau03 import Mau03
from ocop.documents.progress import DueItem, ProductProgress, ProgressReport
from ocop.text import written_day

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

__all__ = ["write_docx"]

FONT = "Times New Roman"
BODY_PT = 14


def write_docx(content: object | Sequence[object], path: str | os.PathLike[str]) -> None:
    """Write ``content`` (a Mẫu 03, a request letter, a progress report, or several Mẫu 03
    one per page) to ``path``."""
    items = list(content) if isinstance(content, (list, tuple)) else [content]
    doc = _document()
    for index, item in enumerate(items):
        if index:
            _page_break(doc)
        if isinstance(item, Mau03):
            _mau03(doc, item)
        elif isinstance(item, RequestLetter):
            _letter(doc, item)
        elif isinstance(item, ProgressReport):
            _progress(doc, item)
        else:
            raise TypeError(f"no Word layout for {type(item).__name__}")
    first = items[0]
    props = doc.core_properties
    props.language = "en-GB" if getattr(first, "lang", "vi") == "en" else "vi-VN"
    if isinstance(first, Mau03):
        props.title = f"{first.form}: {first.subtitle}"
    elif isinstance(first, RequestLetter):
        props.title = first.letterhead.subject or first.letterhead.number
    elif isinstance(first, ProgressReport):
        props.title = first.subtitle
    doc.save(os.fspath(path))


def _page_break(doc: DocxDocument) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _document() -> DocxDocument:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    style: Any = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(4)
    return doc


def _para(
    where: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: str = "left",
    indent: bool = False,
    first: bool = False,
) -> Paragraph:
    """A paragraph of ``text``; ``first`` reuses a table cell's empty first paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    if first and not isinstance(where, _document_type()) and not where.paragraphs[0].text:
        paragraph = where.paragraphs[0]
    else:
        paragraph = where.add_paragraph()
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def _document_type() -> type:
    from docx.document import Document as DocxDocument

    return DocxDocument


def _unsplit(table: Table) -> None:
    """No row of ``table`` is split across two pages: a signature block stays whole, and
    LibreOffice leaves no row's bottom edge alone at the top of the next page."""
    from docx.oxml import OxmlElement

    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _bare_table(doc: DocxDocument, cols: int, widths: Sequence[float]) -> Table:
    from docx.shared import Cm

    table: Table = doc.add_table(rows=1, cols=cols)
    table.autofit = False
    _unsplit(table)
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = Cm(width)
        cell.width = Cm(width)
    return table


def _letterhead(doc: DocxDocument, head: Letterhead) -> None:
    table = _bare_table(doc, 2, (6.0, 10.0))
    left, right = table.rows[0].cells
    for n, line in enumerate(head.issuer):
        # The parent body in plain letters, the issuing one in bold (Nghị định 30).
        _para(left, line, bold=n > 0, size=13, align="center", first=n == 0)
    _para(left, "-------", size=13, align="center")
    _para(left, head.number, size=13, align="center")
    if head.subject:
        _para(left, head.subject, size=12, align="center")
    _para(right, head.motto, bold=True, size=13, align="center", first=True)
    _para(right, head.slogan, bold=True, size=14, align="center")
    _para(right, "---------------", size=13, align="center")
    _para(right, head.place_date, italic=True, size=14, align="center")


def _sign_block(
    doc: DocxDocument, signature: Signature, heading: str | None, recipients: Sequence[str]
) -> None:
    _para(doc)
    table = _bare_table(doc, 2, (7.5, 8.5))
    left, right = table.rows[0].cells
    if heading:
        _para(left, heading, bold=True, italic=True, size=12, first=True)
        for line in recipients:
            _para(left, line, size=11)
    for n, line in enumerate(signature.lines):
        _para(right, line, bold=True, size=14, align="center", first=n == 0)
    _para(right, signature.note, italic=True, size=13, align="center")
    for _ in range(3):
        _para(right)
    _para(right, signature.name or "", bold=True, size=14, align="center")


def _grid(
    doc: DocxDocument,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    size: float = 12,
    widths: Sequence[float] | None = None,
) -> Table:
    from docx.shared import Cm, Pt

    table: Table = doc.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = doc.styles["Table Grid"]
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        _para(cell, name, bold=True, size=size, align="center", first=True)
    for line, row in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(line.cells, row, strict=True):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(size)
    _unsplit(table)
    if widths:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)
    return table


def _mau03(doc: DocxDocument, m: Mau03) -> None:
    _letterhead(doc, m.letterhead)
    _para(doc)
    _para(doc, m.title, bold=True, align="center")
    _para(doc, m.subtitle, bold=True, align="center")
    _para(doc, m.general_heading, bold=True)
    for field in m.general:
        _para(doc, f"{field.label}: {field.value or BLANK}", indent=True, align="justify")
    _para(doc, m.assessments_heading, bold=True)
    for a in m.assessments:
        paragraph = _para(doc, indent=True, align="justify")
        paragraph.add_run(f"{a.heading}: ").bold = True
        if a.guidance:
            paragraph.add_run(f"({a.guidance}).").italic = True
        _para(doc, a.text, indent=True, align="justify")
    _para(doc, m.proposal, indent=True, align="justify")
    _sign_block(doc, m.signature, None, ())


def _letter(doc: DocxDocument, letter: RequestLetter) -> None:
    _letterhead(doc, letter.letterhead)
    _para(doc)
    _para(doc, letter.addressee, align="center")
    _para(doc, letter.intro, indent=True, align="justify")
    rows = [
        (
            str(i.number),
            i.product_name,
            i.producer_name,
            str(i.product_set),
            # A product already recognised is named by its OCOP code under its kind.
            f"{i.kind}\n{i.product_code}" if i.product_code else i.kind,
            i.form_number or BLANK,
            i.report,
            str(i.dossier_id),
        )
        for i in letter.items
    ]
    _grid(doc, letter.columns, rows, widths=(1.0, 3.2, 3.0, 1.3, 2.1, 2.4, 2.0, 1.0))
    _para(doc, letter.enclosures_heading, indent=True)
    for line in letter.enclosures:
        _para(doc, line, indent=True, align="justify")
    _para(doc, letter.closing, indent=True, align="justify")
    _sign_block(doc, letter.signature, letter.recipients_heading, letter.recipients)


def _due(items: Sequence[DueItem], lang: str) -> list[tuple[str, str, str]]:
    return [
        (
            written_day(i.on, lang),
            i.what,
            f"{i.product_name} ({i.dossier_id})" if i.dossier_id is not None else "",
        )
        for i in items
    ]


def _product_row(n: int, p: ProductProgress, r: ProgressReport) -> tuple[str, ...]:
    h, lang = r.headings, r.lang
    cert = "—"
    if p.certificate_number:
        score = "" if p.score is None else h["points"].format(score=decimal(p.score, lang)) + ", "
        cert = f"{p.certificate_number} ({p.stars}★, {score}{written_day(p.issued_on, lang)})"
    nxt = "—"
    if p.next_due_on:
        nxt = f"{written_day(p.next_due_on, lang)} — {p.next_due or ''}".rstrip(" —")
    return (
        str(n),
        p.product_name,
        str(p.dossier_id) if p.dossier_id is not None else "—",
        p.state_label,
        cert,
        written_day(p.expires_on, lang),
        nxt,
        h["yes"] if p.achieved else h["no"],
    )


def _chart(doc: DocxDocument, chart: Chart) -> None:
    """The chart as a picture the width of the text, its caption under it; the picture's
    alternative text says its numbers for a reader that cannot see it."""
    import io

    from docx.shared import Cm

    paragraph = _para(doc, align="center")
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run()
    shape = run.add_picture(io.BytesIO(render_png(chart)), width=Cm(WIDTH_CM))
    properties = shape._inline.docPr
    properties.set("name", chart.caption)
    properties.set("descr", chart.description)
    _para(doc, chart.caption, italic=True, size=12, align="center")


def _progress(doc: DocxDocument, r: ProgressReport) -> None:
    h, lang = r.headings, r.lang
    _letterhead(doc, r.letterhead)
    _para(doc)
    _para(doc, r.title, bold=True, align="center")
    _para(doc, r.subtitle, bold=True, align="center")
    if r.plan_title:
        _para(doc, r.plan_title, italic=True, align="center", size=13)
    _para(doc, h["targets"], bold=True)
    for line in r.summary:
        _para(doc, line, indent=True, align="justify")
    if r.evaluation_window:
        _para(doc, r.evaluation_window, indent=True, align="justify")
    _grid(
        doc,
        (h["col_target"], h["col_aim"], h["col_achieved"], h["col_in_progress"]),
        [(tp.label, str(tp.target), str(tp.achieved), str(tp.in_progress)) for tp in r.targets],
        widths=(7.0, 3.0, 3.0, 3.0),
    )
    product_columns = (
        h["col_no"],
        h["col_product"],
        h["col_dossier"],
        h["col_state"],
        h["col_certificate"],
        h["col_expires"],
        h["col_next"],
        h["col_achieved"],
    )
    for tp in r.targets:
        _para(doc, f"{h['products']} — {tp.label}", italic=True)
        if tp.products:
            rows = [_product_row(n, p, r) for n, p in enumerate(tp.products, start=1)]
            _grid(doc, product_columns, rows, 11, (0.9, 2.8, 1.1, 2.0, 3.0, 2.3, 3.0, 0.9))
        else:
            _para(doc, h["none"], indent=True)
    _para(doc, h["states"], bold=True)
    if r.by_state:
        counts = [(s.label, str(s.count)) for s in r.by_state]
        _grid(doc, (h["col_state"], h["col_count"]), counts, widths=(10.0, 6.0))
    else:
        _para(doc, h["none"], indent=True)
    _chart(doc, r.chart)
    _para(doc, h["dates"], bold=True)
    due_columns = (h["col_date"], h["col_what"], h["col_product"])
    for key, items in (("overdue", r.overdue), ("coming", r.coming), ("expiring", r.expiring)):
        _para(doc, h[key], italic=True)
        if items:
            _grid(doc, due_columns, _due(items, lang), 11, (2.5, 8.0, 5.5))
        else:
            _para(doc, h["none"], indent=True)
    _para(doc, h["events"], bold=True)
    if r.events:
        rows = [
            (
                e.name,
                written_day(e.on, lang) + (f" {h['illustrative']}" if e.illustrative else ""),
                e.place or "—",
                h["held"] if e.held else h["planned"],
            )
            for e in r.events
        ]
        columns = (h["col_event"], h["col_date"], h["col_place"], h["col_status"])
        _grid(doc, columns, rows, 11, (6.5, 3.0, 4.0, 2.5))
    if r.meetings_total:
        _para(doc, h["meetings"] + ".", indent=True)
    if r.next_meeting:
        m = r.next_meeting
        _para(doc, f"{h['next_meeting']}: {m.name}, {written_day(m.on, lang)}.", indent=True)
    _sign_block(doc, r.signature, r.recipients_heading, r.recipients)
