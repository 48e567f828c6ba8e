"""The progress report's chart (issue 13.4): dossiers by state and targets against achieved,
drawn with matplotlib and embedded as a PNG in the .docx and the .xlsx the installed ``ocop``
writes; each file is opened back, the picture found, and the numbers behind it checked.

The database is built through the library with an injected clock; the report's day is given.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from cli_helpers import LUU_VE_PLAN, Cli
from docx.shared import Cm
from factories import OFFICER, PROVINCE_OFFICER, Clock, registration, to_submitted
from PIL import Image
from test_cli_startup import _imported

import ocop
from ocop.documents import build_progress_report
from ocop.documents.chart import WIDTH_CM, Chart, ChartBar, ChartPanel, render_png
from ocop.plan import luu_ve_2026

PNG = b"\x89PNG\r\n\x1a\n"
DOCX_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """Lưu Vệ at year end: of the three products to re-recognise, Nem chua rated 3★ and the
    other two submitted; two new products registered only."""
    cli = Cli(tmp_path_factory.mktemp("chart"))
    cli.users()
    clock = Clock(date(2026, 8, 3))
    with ocop.open(f"sqlite:///{cli.db}", clock=clock) as reg:
        names = ("Nem chua Minh Anh", "Bánh răng bừa Nga My", "Miến gạo Dung Tháp")
        rerated = [
            reg.register(
                registration(product_name=name, producer={"name": f"Cơ sở {name}"}, owner=None)
                | {"kind": "rerating"},
                actor=OFFICER,
            )
            for name in names
        ]
        for name in ("Bánh gai Lưu Vệ", "Chè lam Lưu Vệ"):
            reg.register(
                registration(product_name=name, producer={"name": f"Cơ sở {name}"}, owner=None),
                actor=OFFICER,
            )
        clock.set(date(2026, 8, 20))
        for dossier in rerated:
            to_submitted(reg, dossier.id)
        clock.set(date(2026, 11, 16))
        reg.fire(
            rerated[0].id,
            "rate",
            actor=PROVINCE_OFFICER,
            a=31,
            b=16.5,
            c=21.25,
            certificate_number="GCN-2026-017",
            issued_on="2026-11-16",
        )
    return cli


def _report(cli: Cli, out: Path, *options: str) -> None:
    cli.ok(
        *options,
        "report",
        "progress",
        "--plan",
        LUU_VE_PLAN,
        "--as-of",
        "2026-12-31",
        "-o",
        str(out),
    )


def _chart_of(data: dict[str, Any]) -> Chart:
    """The chart of a report's JSON, as the library's record."""
    return Chart(
        caption=data["caption"],
        description=data["description"],
        panels=tuple(
            ChartPanel(
                title=p["title"],
                series=tuple(p["series"]),
                bars=tuple(ChartBar(b["label"], tuple(b["values"])) for b in p["bars"]),
                empty=p["empty"],
            )
            for p in data["panels"]
        ),
    )


def _json_chart(cli: Cli, tmp_path: Path, *options: str) -> Chart:
    out = tmp_path / f"progress{len(options)}.json"
    _report(cli, out, *options)
    return _chart_of(json.loads(out.read_text(encoding="utf-8"))["chart"])


def test_the_reports_data_holds_the_charts_numbers(office: Cli, tmp_path: Path) -> None:
    chart = _json_chart(office, tmp_path)
    states, aims = chart.panels
    assert states.title == "Hồ sơ theo trạng thái"
    assert states.series == ("Số lượng hồ sơ",)
    assert [(b.label, b.values) for b in states.bars] == [
        ("Đã đăng ký", (2,)),
        ("Đã gửi tỉnh", (2,)),
        ("Đã công nhận", (1,)),
    ]
    assert aims.title == "Mục tiêu và kết quả"
    assert aims.series == ("Chỉ tiêu", "Đạt", "Đang thực hiện")
    assert [(b.label, b.values) for b in aims.bars] == [
        ("Công nhận lại sản phẩm OCOP 3 sao", (3, 1, 2)),
        ("Công nhận mới sản phẩm OCOP 3 sao", (1, 0, 2)),
    ]
    assert chart.caption == "Biểu đồ: hồ sơ theo trạng thái; mục tiêu và kết quả thực hiện"


def test_the_docx_embeds_the_chart_as_a_picture_of_those_numbers(
    office: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "progress.docx"
    _report(office, out)
    document = docx.Document(str(out))
    assert len(document.inline_shapes) == 1
    shape = document.inline_shapes[0]
    assert shape.width == Cm(WIDTH_CM)  # the text's width on A4 with 3 + 2 cm margins
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    picture = blob.blob
    assert picture.startswith(PNG)
    with Image.open(io.BytesIO(picture)) as image:
        assert image.format == "PNG" and image.width > 1000 and image.height > 500
    # The picture is the one the library draws from the report's data: the same bytes.
    assert picture == render_png(_json_chart(office, tmp_path))
    described = shape._inline.find(DOCX_DRAWING).get("descr")
    for expected in (
        "Hồ sơ theo trạng thái: Đã đăng ký 2; Đã gửi tỉnh 2; Đã công nhận 1.",
        "Công nhận lại sản phẩm OCOP 3 sao: chỉ tiêu 3, đạt 1, đang thực hiện 2",
        "Công nhận mới sản phẩm OCOP 3 sao: chỉ tiêu 1, đạt 0, đang thực hiện 2",
    ):
        assert expected in described, described
    texts = [p.text for p in document.paragraphs]
    caption = texts.index("Biểu đồ: hồ sơ theo trạng thái; mục tiêu và kết quả thực hiện")
    # The picture sits just above its caption, after section II's table of counts.
    assert document.paragraphs[caption - 1]._p.xpath(".//pic:pic")
    assert (
        texts.index("II. HỒ SƠ THEO TRẠNG THÁI")
        < caption
        < texts.index("III. VIỆC QUÁ HẠN VÀ SẮP ĐẾN")
    )


def test_the_xlsx_shows_the_chart_beside_the_targets(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "progress.xlsx"
    _report(office, out)
    book = openpyxl.load_workbook(out)
    sheet = book["Mục tiêu"]
    images = sheet._images
    assert len(images) == 1
    anchor = images[0].anchor._from
    assert (anchor.col, anchor.row) == (5, 2)  # F3, right of the targets' four columns
    chart = _json_chart(office, tmp_path)
    assert images[0]._data() == render_png(chart)
    # The data behind it: the targets on this sheet, the counts on the states' sheet.
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert rows[2] == ("Công nhận lại sản phẩm OCOP 3 sao", 3, 1, 2)
    assert rows[3] == ("Công nhận mới sản phẩm OCOP 3 sao", 1, 0, 2)
    states = [row for row in book["Trạng thái"].iter_rows(values_only=True) if any(row)]
    assert dict(states[2:]) == {"Đã đăng ký": 2, "Đã gửi tỉnh": 2, "Đã công nhận": 1}  # type: ignore[arg-type]
    assert sum(bar.values[0] for bar in chart.panels[0].bars) == 5  # every dossier, once


def test_the_chart_in_english(office: Cli, tmp_path: Path) -> None:
    chart = _json_chart(office, tmp_path, "--lang", "en")
    states, aims = chart.panels
    assert (states.title, aims.title) == ("Dossiers by state", "Targets against achieved")
    assert aims.series == ("Aim", "Achieved", "In progress")
    assert [b.values for b in states.bars] == [(2,), (2,), (1,)]
    assert "Đ" not in "".join(b.label for b in states.bars)
    out = tmp_path / "progress-en.docx"
    _report(office, out, "--lang", "en")
    document = docx.Document(str(out))
    assert len(document.inline_shapes) == 1
    assert "Chart: dossiers by state; targets against achieved" in [
        p.text for p in document.paragraphs
    ]
    described = document.inline_shapes[0]._inline.find(DOCX_DRAWING).get("descr")
    assert described.startswith("Dossiers by state: ")
    assert "aim 3, achieved 1, in progress 2" in described
    vietnamese = tmp_path / "progress-vi.xlsx"
    english = tmp_path / "progress-en.xlsx"
    _report(office, vietnamese)
    _report(office, english, "--lang", "en")
    pictures = [
        openpyxl.load_workbook(p).worksheets[0]._images[0]._data() for p in (vietnamese, english)
    ]
    assert pictures[0] != pictures[1]  # the words differ, so do the pictures


def test_a_plan_without_dossiers_draws_the_empty_panel() -> None:
    report = build_progress_report(luu_ve_2026(), [], as_of=date(2026, 3, 1))
    states, aims = report.chart.panels
    assert states.bars == () and states.empty == "Chưa có hồ sơ."
    assert [b.values for b in aims.bars] == [(3, 0, 0), (1, 0, 0)]
    assert "Chưa có hồ sơ." in report.chart.description
    picture = render_png(report.chart)
    assert picture.startswith(PNG)
    # Dossiers change the picture: a chart with no bars is not a chart with some.
    filled = dataclasses.replace(
        report.chart,
        panels=(dataclasses.replace(states, bars=(ChartBar("Đã đăng ký", (1,)),)), aims),
    )
    assert render_png(filled) != picture


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["list"]])
def test_matplotlib_is_imported_only_to_draw(tmp_path: Path, args: list[str]) -> None:
    cli = Cli(tmp_path)
    cli.users()
    result = cli(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.code == 0, result.err
    imported = _imported(result.err)
    assert "ocop" in imported
    assert "matplotlib" not in imported and "PIL" not in imported
