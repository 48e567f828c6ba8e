"""QR codes of stamps, and printable A4 sheets of them: SVG, PNG (300 dpi) and PDF.

Each stamp's QR code holds its URL in two segments, the base URL in byte mode and the
payload in alphanumeric mode, at error-correction level M, version 10 at most (57 × 57
modules). A sheet holds 12 stamps (3 × 4 cells of 63 × 69 mm, the code 38 mm wide, 0.6 mm a
module) with five lines under each code: the product, the producer, the stars and certificate,
the expiry and the serial. The PNG and PDF are drawn with Pillow in the DejaVu Sans fonts shipped
beside this module (subset to Latin and Vietnamese), the SVG names the same font.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import segno
from segno import consts

from ocop.errors import StampError
from ocop.stamps.payload import IssuedStamp, Stamp
from ocop.text import translator

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageFont

__all__ = [
    "MAX_VERSION",
    "PER_PAGE",
    "fits",
    "pdf",
    "png_pages",
    "qr_code",
    "stamp_lines",
    "stamp_png",
    "svg_pages",
    "write_sheet",
]

MAX_VERSION = 10
ERROR_LEVEL = "m"
FONTS = Path(__file__).parent / "fonts"

PAGE_W, PAGE_H = 210.0, 297.0  # mm, A4
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN_X, MARGIN_Y = 10.5, 10.5
CELL_W = (PAGE_W - 2 * MARGIN_X) / COLUMNS
CELL_H = (PAGE_H - 2 * MARGIN_Y) / ROWS
QR_MM = 38.0  # the code with its 4-module quiet zone
TEXT_MM = 2.6  # the text's size (7.4 pt)
LINE_MM = 3.5
DPI = 300
_ALPHANUMERIC = re.compile(r"^[0-9A-Z]+$")


def _segments(url: str) -> list[tuple[str, int]]:
    head, sep, payload = url.rpartition("/v/")
    if not sep or not _ALPHANUMERIC.match(payload):
        return [(url, consts.MODE_BYTE)]
    return [(head + sep, consts.MODE_BYTE), (payload, consts.MODE_ALPHANUMERIC)]


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a stamp URL; :class:`StampError` (``too_long``) past version 10-M."""
    try:
        code = segno.make(
            _segments(url),  # type: ignore[arg-type]  # segments: segno's stub says str
            error=ERROR_LEVEL,
            boost_error=False,
            micro=False,
        )
    except segno.DataOverflowError:
        code = None
    if code is None or int(code.version) > MAX_VERSION:
        raise StampError(
            "too_long",
            f"The stamp URL ({len(url)} characters) does not fit a QR code of version "
            f"{MAX_VERSION} at level M; use a shorter base URL or shorter names.",
            length=len(url),
        )
    return code


def fits(url: str) -> bool:
    """Whether ``url`` fits a QR code of version 10 at level M."""
    try:
        segno.make(
            _segments(url),  # type: ignore[arg-type]  # segments: segno's stub says str
            error=ERROR_LEVEL,
            version=MAX_VERSION,
            boost_error=False,
            micro=False,
        )
    except (segno.DataOverflowError, ValueError):
        return False
    return True


def stamp_png(url: str, *, scale: int = 8) -> bytes:
    """One stamp's QR code as a PNG (``scale`` pixels a module, a 4-module quiet zone)."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def stamp_lines(stamp: Stamp, lang: str = "vi") -> list[tuple[str, bool]]:
    """The human-readable lines under a stamp's code, each with whether it is bold."""
    t = translator(lang)
    return [
        (stamp.product, True),
        (stamp.producer, False),
        (
            t(
                "OCOP {stars} · GCN {certificate}",
                stars="★" * stamp.stars,
                certificate=stamp.certificate,
            ),
            False,
        ),
        (t("hiệu lực đến {day:%d/%m/%Y}", day=stamp.expires_on), False),
        (t("số tem {serial}", serial=stamp.serial_text), False),
    ]


@cache
def _font(bold: bool, px: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), px)


def _fit(text: str, bold: bool, width_mm: float) -> str:
    """``text`` cut with '…' to fit ``width_mm`` at the sheet's text size."""
    px = 100  # measure at 100 px per text-size unit, then scale
    font = _font(bold, px)
    limit = width_mm / TEXT_MM * px
    if font.getlength(text) <= limit:
        return text
    while text and font.getlength(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _pages(stamps: Sequence[IssuedStamp]) -> list[Sequence[IssuedStamp]]:
    return [stamps[i : i + PER_PAGE] for i in range(0, len(stamps), PER_PAGE)] or [[]]


def _cell(index: int) -> tuple[float, float]:
    row, col = divmod(index, COLUMNS)
    return MARGIN_X + col * CELL_W, MARGIN_Y + row * CELL_H


def _qr_path(matrix: Sequence[Sequence[int]], x: float, y: float, module: float) -> str:
    parts = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                parts.append(
                    f"M{x + start * module:.3f} {y + r * module:.3f}"
                    f"h{(c - start) * module:.3f}v{module:.3f}h{-(c - start) * module:.3f}z"
                )
            else:
                c += 1
    return "".join(parts)


def svg_pages(stamps: Sequence[IssuedStamp], lang: str = "vi") -> list[str]:
    """The sheet as SVG documents, one an A4 page (in millimetres)."""
    pages = []
    for page in _pages(stamps):
        body = []
        for index, issued in enumerate(page):
            x, y = _cell(index)
            body.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{CELL_W:.2f}" height="{CELL_H:.2f}" '
                'fill="none" stroke="#bbb" stroke-width="0.2" stroke-dasharray="1.5 1.5"/>'
            )
            code = qr_code(issued.url)
            matrix = [list(row) for row in code.matrix_iter(scale=1, border=4)]
            module = QR_MM / len(matrix)
            qx, qy = x + (CELL_W - QR_MM) / 2, y + 4.0
            body.append(f'<path fill="#000" d="{_qr_path(matrix, qx, qy, module)}"/>')
            ty = qy + QR_MM + 3.6
            for text, bold in stamp_lines(issued.stamp, lang):
                weight = ' font-weight="bold"' if bold else ""
                fitted = escape(_fit(text, bold, CELL_W - 6))
                body.append(
                    f'<text x="{x + CELL_W / 2:.2f}" y="{ty:.2f}" text-anchor="middle"'
                    f"{weight}>{fitted}</text>"
                )
                ty += LINE_MM
        pages.append(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W:g}mm" '
            f'height="{PAGE_H:g}mm" viewBox="0 0 {PAGE_W:g} {PAGE_H:g}" '
            f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{TEXT_MM}">\n'
            '<rect width="100%" height="100%" fill="#fff"/>\n' + "\n".join(body) + "\n</svg>\n"
        )
    return pages


def _images(stamps: Sequence[IssuedStamp], lang: str) -> list[PILImage.Image]:
    from PIL import Image, ImageDraw

    px_mm = DPI / 25.4
    images: list[PILImage.Image] = []
    for page in _pages(stamps):
        image = Image.new("L", (round(PAGE_W * px_mm), round(PAGE_H * px_mm)), 255)
        draw = ImageDraw.Draw(image)
        for index, issued in enumerate(page):
            x, y = _cell(index)
            left, top = round(x * px_mm), round(y * px_mm)
            right, bottom = round((x + CELL_W) * px_mm), round((y + CELL_H) * px_mm)
            for start in range(left, right, 36):
                draw.line([(start, top), (min(start + 18, right), top)], fill=190)
                draw.line([(start, bottom), (min(start + 18, right), bottom)], fill=190)
            for start in range(top, bottom, 36):
                draw.line([(left, start), (left, min(start + 18, bottom))], fill=190)
                draw.line([(right, start), (right, min(start + 18, bottom))], fill=190)
            code = qr_code(issued.url)
            matrix = [list(row) for row in code.matrix_iter(scale=1, border=4)]
            scale = max(1, round(QR_MM * px_mm / len(matrix)))
            small = Image.new("L", (len(matrix), len(matrix)), 255)
            small.putdata([0 if dark else 255 for row in matrix for dark in row])
            big = small.resize((len(matrix) * scale,) * 2, Image.Resampling.NEAREST)
            qx = round((x + CELL_W / 2) * px_mm - big.width / 2)
            qy = round((y + 4.0) * px_mm)
            image.paste(big, (qx, qy))
            ty = qy + big.height + round(1.2 * px_mm)
            for text, bold in stamp_lines(issued.stamp, lang):
                font = _font(bold, round(TEXT_MM * px_mm))
                fitted = _fit(text, bold, CELL_W - 6)
                draw.text(((x + CELL_W / 2) * px_mm, ty), fitted, font=font, fill=0, anchor="mt")
                ty += round(LINE_MM * px_mm)
        images.append(image)
    return images


def png_pages(stamps: Sequence[IssuedStamp], lang: str = "vi") -> list[bytes]:
    """The sheet as PNG images at 300 dpi, one an A4 page."""
    out = []
    for image in _images(stamps, lang):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", dpi=(DPI, DPI))
        out.append(buffer.getvalue())
    return out


def pdf(stamps: Sequence[IssuedStamp], lang: str = "vi") -> bytes:
    """The sheet as one PDF, a 300 dpi A4 page per 12 stamps."""
    # 1-bit pages: black QR modules and text stay sharp at 300 dpi, and the file stays small.
    images = [image.convert("1") for image in _images(stamps, lang)]
    buffer = io.BytesIO()
    first = images[0]
    first.save(
        buffer,
        format="PDF",
        resolution=DPI,
        save_all=True,
        append_images=images[1:],
        title="OCOP e-stamps",
    )
    return buffer.getvalue()


SUFFIXES = (".svg", ".png", ".pdf")
"""The sheet formats :func:`write_sheet` writes."""


def write_sheet(path: Path, stamps: Sequence[IssuedStamp], lang: str = "vi") -> list[Path]:
    """Write the sheet to ``path`` in the format its suffix names (``.svg``, ``.png``,
    ``.pdf``); returns the files written. SVG and PNG sheets of several pages are written as
    ``NAME-1.svg``, ``NAME-2.svg``, … beside ``path``."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(pdf(stamps, lang))
        return [path]
    if suffix == ".svg":
        pages: list[bytes] = [page.encode("utf-8") for page in svg_pages(stamps, lang)]
    elif suffix == ".png":
        pages = png_pages(stamps, lang)
    else:
        raise StampError(
            "format",
            f"A sheet is written as .svg, .png or .pdf, not '{path.name}'.",
            path=str(path),
        )
    if len(pages) == 1:
        path.write_bytes(pages[0])
        return [path]
    written = []
    for number, page in enumerate(pages, start=1):
        target = path.with_name(f"{path.stem}-{number}{path.suffix}")
        target.write_bytes(page)
        written.append(target)
    return written
