"""``ocop demo`` writes its papers (issue 13.4): the August Mẫu 03, the request letter to the
province and the year-end progress report (.docx, and .xlsx for the report), beside its
database and mail folder. The installed command runs the story; each file is opened back
and read for the commune, the products, the numbers, the scores and the dates.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from cli_helpers import LUU_VE_PLAN, Cli

from ocop.decimals import decimal
from ocop.demo import load_seed

SEED = load_seed()
PRODUCTS = SEED.certified + SEED.new
"""In the order the story registers them: dossiers 1 to 4."""
NAMES = [p.product_name for p in PRODUCTS]


TOTALS = [sum(p.scores.values()) for p in PRODUCTS]
"""The council's totals the story rates them with (A + B + C)."""


def _lines(path: Path) -> list[str]:
    """Every paragraph of a .docx, then each table row as its cells joined by " | "."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return lines


class Run:
    """One ``ocop demo --db`` run: its output and where its papers went."""

    def __init__(self, cli: Cli, folder: Path, *options: str) -> None:
        self.db = folder / "demo.db"
        self.out = cli.ok("demo", "--db", str(self.db), *options)
        self.papers = folder / "demo-papers"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("demo-vi")
    return Run(Cli(folder), folder)


def test_the_demo_says_where_it_wrote_its_papers(run: Run) -> None:
    assert f"Giấy tờ của xã, trong {run.papers}:" in run.out
    written = {
        "Mẫu 03 của đợt đánh giá tháng 8": "mau-03-2026-08.docx",
        "Văn bản đề nghị gửi tỉnh": "van-ban-de-nghi-2026-08-25.docx",
    }
    for what, name in written.items():
        assert f"   {what}: {run.papers / name}" in run.out
    for suffix in ("docx", "xlsx"):
        line = f"   Báo cáo tiến độ cuối năm: {run.papers / f'bao-cao-tien-do-2026-12-31.{suffix}'}"
        assert line in run.out
    assert sorted(p.name for p in run.papers.iterdir()) == [
        "bao-cao-tien-do-2026-12-31.docx",
        "bao-cao-tien-do-2026-12-31.xlsx",
        "mau-03-2026-08.docx",
        "van-ban-de-nghi-2026-08-25.docx",
    ]
    # Beside the database and the mail folder.
    assert run.papers.parent == run.db.parent and (run.db.parent / "demo-mail").is_dir()


def test_the_august_mau_03_reports_each_product_on_its_own_page(run: Run) -> None:
    path = run.papers / "mau-03-2026-08.docx"
    lines = _lines(path)
    text = "\n".join(lines)
    assert text.count("Đánh giá một số nội dung của hồ sơ đăng ký tham gia đánh giá") == 4
    assert text.count("XÃ LƯU VỆ") == 4
    # The evaluation's number and day, as the story gave them on 20 August.
    assert text.count("Số: DEMO-01/BC-UBND") == 4
    assert text.count("Lưu Vệ, ngày 20 tháng 8 năm 2026") == 4
    for product in PRODUCTS:
        assert f"5. Sản phẩm đăng ký đánh giá: {product.product_name}" in lines
        assert f"1. Tên chủ thể: {product.producer}" in lines
        for finding in product.criteria.values():
            assert finding in lines
        assert (
            f"Ủy ban nhân dân xã Lưu Vệ đề nghị Ủy ban nhân dân tỉnh Thanh Hóa đánh giá, phân "
            f"hạng sản phẩm OCOP cho sản phẩm {product.product_name} của {product.producer}."
        ) in lines
    # The plan's signer signs for the chairman; the demo invents no one.
    assert text.count("Đoàn Đình Tùng") == 4 and text.count("KT. CHỦ TỊCH") == 4
    breaks = docx.Document(str(path)).element.body.xpath(".//w:br[@w:type='page']")
    assert len(breaks) == 3


def test_the_letter_lists_the_four_dossiers_with_their_numbers(run: Run) -> None:
    lines = _lines(run.papers / "van-ban-de-nghi-2026-08-25.docx")
    text = "\n".join(lines)
    for expected in (
        "Số: DEMO-45/UBND-KT",
        "Lưu Vệ, ngày 25 tháng 8 năm 2026",
        "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa.",
        "đánh giá, phân hạng 04 sản phẩm",
        "Đoàn Đình Tùng",
    ):
        assert expected in text, expected
    rows = [line for line in lines if line[:2] in ("1 ", "2 ", "3 ", "4 ")]
    kinds = ["Đánh giá lại"] * 3 + ["Lần đầu"]
    # On 25 August no product had its OCOP code yet: the letter shows none.
    assert rows == [
        f"{n} | {p.product_name} | {p.producer} | {p.product_set} | {kind} | "
        f"{n}/PĐK-38-00000-2026 | DEMO-01/BC-UBND ngày 20/08/2026 | {n}"
        for n, (p, kind) in enumerate(zip(PRODUCTS, kinds, strict=True), start=1)
    ]


def test_the_year_end_report_docx(run: Run) -> None:
    path = run.papers / "bao-cao-tien-do-2026-12-31.docx"
    lines = _lines(path)
    text = "\n".join(lines)
    for expected in (
        "Số: DEMO-60/BC-UBND",
        "Lưu Vệ, ngày 31 tháng 12 năm 2026",
        "trên địa bàn xã Lưu Vệ (đến ngày 31/12/2026)",
        "Công nhận lại sản phẩm OCOP 3 sao: đạt 3/3; đang thực hiện 0.",
        "Công nhận mới sản phẩm OCOP 3 sao: đạt 1/1; đang thực hiện 0.",
        "Đã công nhận | 4",
        "Giao ban hằng tháng: đã họp 12/12 kỳ.",
        "Đoàn Đình Tùng",
    ):
        assert expected in text, expected
    for n, (name, total) in enumerate(zip(NAMES, TOTALS, strict=True), start=1):
        row = next(line for line in lines if f" | {name} | {n} | " in line)
        assert f"DEMO-2026-00{n} (3★, {decimal(total)} điểm, 16/11/2026)" in row, row
        assert "16/11/2029" in row and row.endswith("| có")
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 1  # the chart
    assert "Biểu đồ: hồ sơ theo trạng thái; mục tiêu và kết quả thực hiện" in lines


def test_the_year_end_report_xlsx(run: Run) -> None:
    book = openpyxl.load_workbook(run.papers / "bao-cao-tien-do-2026-12-31.xlsx")
    targets = [row for row in book["Mục tiêu"].iter_rows(values_only=True) if any(row)]
    assert "đến ngày 31/12/2026" in str(targets[0][0])
    assert targets[2] == ("Công nhận lại sản phẩm OCOP 3 sao", 3, 3, 0)
    assert targets[3] == ("Công nhận mới sản phẩm OCOP 3 sao", 1, 1, 0)
    assert len(book["Mục tiêu"]._images) == 1  # the chart beside them
    products = [row for row in book["Sản phẩm"].iter_rows(values_only=True) if any(row)][2:]
    assert [row[1] for row in products] == NAMES
    for n, (row, total) in enumerate(zip(products, TOTALS, strict=True), start=1):
        assert row[2:6] == (n, "Đã công nhận", f"DEMO-2026-00{n}", 3)
        expires = row[6]
        assert isinstance(expires, datetime) and expires.date() == date(2029, 11, 16)
        assert row[9] == "có"
        assert row[10] == pytest.approx(total)
    states = [row for row in book["Trạng thái"].iter_rows(values_only=True) if any(row)]
    assert states[2:] == [("Đã công nhận", 4)]


def test_the_papers_in_english(tmp_path: Path) -> None:
    run = Run(Cli(tmp_path), tmp_path, "--lang", "en")
    assert f"The commune's papers, in {run.papers}:" in run.out
    assert f"   The year-end progress report: {run.papers / 'bao-cao-tien-do-2026-12-31.xlsx'}" in (
        run.out
    )
    lines = _lines(run.papers / "bao-cao-tien-do-2026-12-31.docx")
    text = "\n".join(lines)
    assert "Re-recognise 3-star OCOP products: 3 of 3 achieved; 0 in progress." in text
    assert "Chart: dossiers by state; targets against achieved" in lines
    assert f"DEMO-2026-004 (3★, {decimal(TOTALS[3], 'en')} points, 2026-11-16)" in text
    letter = "\n".join(_lines(run.papers / "van-ban-de-nghi-2026-08-25.docx"))
    assert "DEMO-45/UBND-KT" in letter and all(name in letter for name in NAMES)


def test_without_a_database_the_papers_go_with_the_temporary_folder(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    out = cli.ok("demo")
    assert "Giấy tờ của xã (trong thư mục tạm):" in out
    assert "   Mẫu 03 của đợt đánh giá tháng 8: mau-03-2026-08.docx" in out
    assert not list(tmp_path.rglob("*.docx"))  # nothing left behind


def test_the_configured_plan_signs_mau_03_and_the_letter_unless_told(run: Run) -> None:
    cli = Cli(run.db.parent)
    plan = {"OCOP_PLAN": LUU_VE_PLAN}
    base = ("--db", str(run.db), "--as", "pkt.luuve", "document")
    for name, command in (("mau-03", "mau-03"), ("letter", "letter")):
        signed = run.db.parent / f"{name}-plan.docx"
        cli.ok(*base, command, "1", "2", "-o", str(signed), env=plan)
        text = "\n".join(_lines(signed))
        assert "KT. CHỦ TỊCH" in text and "Đoàn Đình Tùng" in text
        # The options win over the plan; without either nobody is named.
        told = run.db.parent / f"{name}-told.docx"
        options = ("--signer", "Lê Văn Hải", "--signer-title", "Chủ tịch")
        cli.ok(*base, command, "1", "2", *options, "-o", str(told), env=plan)
        text = "\n".join(_lines(told))
        assert "T.M. ỦY BAN NHÂN DÂN" in text and "Lê Văn Hải" in text
        assert "Đoàn Đình Tùng" not in text
        unsigned = run.db.parent / f"{name}-unsigned.docx"
        cli.ok(*base, command, "1", "2", "-o", str(unsigned))
        assert "Đoàn Đình Tùng" not in "\n".join(_lines(unsigned))


def test_doc_is_document_under_the_issues_names(run: Run) -> None:
    cli = Cli(run.db.parent)
    base = ("--db", str(run.db), "--as", "pkt.luuve")
    for short, full in (("mau03", "mau-03"), ("letter", "letter")):
        by_short = run.db.parent / f"doc-{short}.docx"
        by_full = run.db.parent / f"document-{full}.docx"
        said = cli.ok(*base, "doc", short, "1", "2", "3", "4", "-o", str(by_short))
        cli.ok(*base, "document", full, "1", "2", "3", "4", "-o", str(by_full))
        assert said.startswith(f"Đã ghi {by_short} (")
        assert _lines(by_short) == _lines(by_full)
        again = cli(*base, "doc", short, "1", "-o", str(by_short))
        assert again.code == 1  # refused as typed, the file kept
        assert again.err == (
            f"ocop doc {short}: tệp {by_short} đã có; không ghi đè (thêm --force để ghi đè)\n"
        )
    # Like `ocop document`, it only reads: a database that is not there is not made.
    missing = run.db.parent / "not-there.db"
    result = cli("--db", str(missing), "--as", "pkt.luuve", "doc", "mau03", "1", "-o", "x.docx")
    assert result.code == 2 and result.err.startswith("ocop doc mau03: lỗi: không có cơ sở dữ liệu")
    assert not missing.exists()
    assert "viết tắt của `ocop document`" in cli.ok("--help")
