"""The office's paperwork through the installed ``ocop`` command: Mẫu 03, the request letter,
the plan's progress report and the dossier list, each opened back with python-docx or
openpyxl (or parsed as JSON) and read for what it says.

The database is built through the library with an injected clock; every date the commands
use is passed explicitly, so no test depends on today.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from cli_helpers import LUU_VE_PLAN, Cli
from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, Clock, registration

import ocop
from ocop.documents import Signer, build_mau03
from ocop.documents.common import dated


def _walk_to_submitted(reg: ocop.Registry, clock: Clock, dossier_id: int, report: str) -> None:
    clock.set(date(2026, 8, 18))
    reg.fire(dossier_id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    reg.fire(
        dossier_id,
        "evaluate",
        actor=OFFICER,
        criteria=CRITERIA,
        report_number=report,
        report_date="2026-08-20",
    )
    clock.set(date(2026, 8, 25))
    reg.fire(
        dossier_id, "submit", actor=OFFICER, letter_number="45/UBND-KT", letter_date="25/08/2026"
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """Lưu Vệ in late 2026: Nem chua rated 3★ (re-recognised), Bánh răng bừa submitted under
    the same letter, a new Bánh gai registered only, Miến gạo submitted under another letter."""
    cli = Cli(tmp_path_factory.mktemp("office"))
    cli.users()
    clock = Clock(date(2026, 8, 3))
    with ocop.open(f"sqlite:///{cli.db}", clock=clock) as reg:
        nem = reg.register(registration(kind="rerating"), actor=OFFICER)
        banh = reg.register(
            registration(
                product_name="Bánh răng bừa Nga My",
                product_set=6,
                producer={"name": "Cơ sở Nga My", "address": "Thôn 3, xã Lưu Vệ"},
                owner=None,
                kind="rerating",
            ),
            actor=OFFICER,
        )
        gai = reg.register(
            registration(product_name="Bánh gai Lưu Vệ", producer={"name": "Cơ sở Bánh gai"}),
            actor=OFFICER,
        )
        mien = reg.register(
            registration(product_name="Miến gạo Dung Tháp", producer={"name": "HTX Dung Tháp"}),
            actor=OFFICER,
        )
        assert (nem.id, banh.id, gai.id, mien.id) == (1, 2, 3, 4)
        _walk_to_submitted(reg, clock, nem.id, "12/BC-UBND")
        _walk_to_submitted(reg, clock, banh.id, "13/BC-UBND")
        clock.set(date(2026, 8, 18))
        reg.fire(mien.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
        reg.fire(mien.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
        clock.set(date(2026, 8, 26))  # the letter is signed that day, not ahead of it
        reg.fire(
            mien.id, "submit", actor=OFFICER, letter_number="46/UBND-KT", letter_date="2026-08-26"
        )
        clock.set(date(2026, 11, 16))
        reg.fire(
            nem.id,
            "rate",
            actor=PROVINCE_OFFICER,
            a=31,
            b=16.5,
            c=21.25,
            certificate_number="GCN-2026-017",
            issued_on="2026-11-16",
        )
    return cli


def _text(path: Path) -> str:
    """Every paragraph of a .docx, its tables' cells included, one per line."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- Mẫu 03 ---------------------------------------------------------------------------------


def test_mau03_docx_is_the_form_with_the_communes_assessment(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.docx"
    signer = unicodedata.normalize("NFD", "Đoàn Đình Tùng")
    said = office.ok(
        "document", "mau-03", "1", "-o", str(out), "--signer", signer, "--signer-title", "Chủ tịch"
    )
    assert str(out) in said
    text = _text(out)
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "XÃ LƯU VỆ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/BC-UBND",
        "Lưu Vệ, ngày 20 tháng 8 năm 2026",
        "BÁO CÁO",
        "Đánh giá một số nội dung của hồ sơ đăng ký tham gia đánh giá, phân hạng sản phẩm OCOP",
        "I. THÔNG TIN CHUNG VỀ HỒ SƠ SẢN PHẨM",
        "1. Tên chủ thể: Cơ sở Minh Anh",
        "5. Sản phẩm đăng ký đánh giá: Nem chua Minh Anh",
        "II. ĐÁNH GIÁ MỘT SỐ NỘI DUNG CỦA HỒ SƠ SẢN PHẨM",
        "1. Về sử dụng nguyên liệu địa phương",
        "4. Bản sắc/trí tuệ địa phương",
        "Ủy ban nhân dân xã Lưu Vệ đề nghị Ủy ban nhân dân tỉnh Thanh Hóa đánh giá, phân hạng",
        "T.M. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "(Ký tên và đóng dấu)",
        "Đoàn Đình Tùng",
    ):
        assert expected in text, expected
    for assessment in CRITERIA.values():
        assert assessment in text
    assert unicodedata.is_normalized("NFC", text)
    document = docx.Document(str(out))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_mau03_of_several_dossiers_one_per_page_and_in_english(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "both.docx"
    office.ok("document", "mau-03", "1", "2", "-o", str(out))
    text = _text(out)
    assert text.count("BÁO CÁO") == 2
    assert "Nem chua Minh Anh" in text and "Bánh răng bừa Nga My" in text
    assert "Số: 13/BC-UBND" in text and "3. Địa chỉ: Thôn 3, xã Lưu Vệ" in text
    english = tmp_path / "en.docx"
    office.ok("--lang", "en", "document", "mau-03", "1", "-o", str(english))
    text = _text(english)
    assert "REPORT" in text and "SOCIALIST REPUBLIC OF VIET NAM" in text
    assert "Lưu Vệ, 20 August 2026" in text and "Use of local raw materials" in text


def test_mau03_as_json(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.json"
    office.ok("document", "mau-03", "1", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"] == "mau_03"
    assert data["product_name"] == "Nem chua Minh Anh"
    assert data["report_number"] == "12/BC-UBND" and data["report_date"] == "2026-08-20"
    assert [a["criterion"] for a in data["assessments"]] == list(CRITERIA)
    assert data["assessments"][0]["text"] == CRITERIA["local_materials"]


def test_mau03_refuses_a_dossier_the_commune_has_not_evaluated(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.docx"
    result = office("document", "mau-03", "1", "3", "-o", str(out))
    assert result.code == 1
    line = _one_line(result.err)
    assert "hồ sơ 3" in line and "ocop evaluate 3" in line
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left either


def test_an_existing_file_is_kept_unless_forced(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.docx"
    out.write_bytes(b"the officer's own file")
    result = office("document", "mau-03", "1", "-o", str(out))
    assert result.code == 1
    assert "--force" in _one_line(result.err)
    assert out.read_bytes() == b"the officer's own file"
    assert result.out == ""
    office.ok("document", "mau-03", "1", "-o", str(out), "--force")
    assert "Nem chua Minh Anh" in _text(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mau-03.docx"]


def test_an_unknown_extension_is_a_usage_error(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.pdf"
    result = office("document", "mau-03", "1", "-o", str(out))
    assert result.code == 2
    assert ".docx" in _one_line(result.err)
    assert not out.exists()


# -- the request letter ---------------------------------------------------------------------


def test_request_letter_lists_the_dossiers_under_its_number_and_date(
    office: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "letter.docx"
    office.ok("document", "letter", "1", "2", "-o", str(out), "--signer", "Đoàn Đình Tùng")
    text = _text(out)
    for expected in (
        "Số: 45/UBND-KT",
        "Lưu Vệ, ngày 25 tháng 8 năm 2026",
        "V/v đề nghị đánh giá, phân hạng sản phẩm OCOP năm 2026",
        "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa.",
        "đánh giá, phân hạng 02 sản phẩm",
        "Hồ sơ gửi kèm gồm:",
        "Nơi nhận:",
        "- Lưu: VT.",
        "Đoàn Đình Tùng",
    ):
        assert expected in text, expected
    table = next(t for t in docx.Document(str(out)).tables if t.rows[0].cells[0].text == "STT")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[1] for r in rows] == ["Nem chua Minh Anh", "Bánh răng bừa Nga My"]
    assert rows[0][4] == "Đánh giá lại"
    assert rows[0][6] == "12/BC-UBND ngày 20/08/2026"  # after the registration form number
    assert [r[7] for r in rows] == ["1", "2"]


def test_request_letter_as_json(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "letter.json"
    office.ok("document", "letter", "4", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"] == "request_letter"
    assert (data["letter_number"], data["letter_date"]) == ("46/UBND-KT", "2026-08-26")
    assert [i["product_name"] for i in data["items"]] == ["Miến gạo Dung Tháp"]


@pytest.mark.parametrize(
    ("ids", "words"),
    [(("1", "3"), ("hồ sơ 3", "ocop submit 3")), (("1", "4"), ("45/UBND-KT", "46/UBND-KT"))],
)
def test_request_letter_refusals(
    office: Cli, tmp_path: Path, ids: tuple[str, ...], words: tuple[str, ...]
) -> None:
    out = tmp_path / "letter.docx"
    result = office("document", "letter", *ids, "-o", str(out))
    assert result.code == 1
    line = _one_line(result.err)
    for word in words:
        assert word in line
    assert not out.exists()


# -- the plan's progress report ---------------------------------------------------------------


def _sheet(book: openpyxl.Workbook, name: str) -> list[tuple[object, ...]]:
    return [row for row in book[name].iter_rows(values_only=True) if any(row)]


def test_progress_report_xlsx(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "progress.xlsx"
    office.ok("report", "progress", "--plan", LUU_VE_PLAN, "--as-of", "2026-12-31", "-o", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Mục tiêu", "Sản phẩm", "Trạng thái", "Hạn", "Hội nghị"]
    targets = _sheet(book, "Mục tiêu")
    assert "đến ngày 31/12/2026" in str(targets[0][0])
    assert targets[1] == ("Mục tiêu", "Chỉ tiêu", "Đạt", "Đang thực hiện")
    assert targets[2] == ("Công nhận lại sản phẩm OCOP 3 sao", 3, 1, 2)
    assert targets[3] == ("Công nhận mới sản phẩm OCOP 3 sao", 1, 0, 1)
    products = {row[1]: row for row in _sheet(book, "Sản phẩm")[2:]}
    assert set(products) == {
        "Nem chua Minh Anh",
        "Bánh răng bừa Nga My",
        "Miến gạo Dung Tháp",
        "Bánh gai Lưu Vệ",
    }
    nem = products["Nem chua Minh Anh"]
    assert nem[2:6] == (1, "Đã công nhận", "GCN-2026-017", 3)
    assert nem[6].date() == date(2029, 11, 16)  # type: ignore[union-attr]
    assert nem[9] == "có"
    assert products["Bánh răng bừa Nga My"][3] == "Đã gửi tỉnh"
    assert products["Bánh gai Lưu Vệ"][0] == "Công nhận mới sản phẩm OCOP 3 sao"
    states = dict(_sheet(book, "Trạng thái")[2:])
    assert states == {"Đã đăng ký": 1, "Đã gửi tỉnh": 2, "Đã công nhận": 1}
    events = _sheet(book, "Hội nghị")
    held = {row[0]: row[3] for row in events[2:5]}
    assert held == {
        "Hội nghị triển khai Chương trình OCOP năm 2026": "đã tổ chức",
        "Hội nghị đánh giá sản phẩm OCOP năm 2026": "đã tổ chức",
        "Hội nghị tổng kết Chương trình OCOP năm 2026": "đã tổ chức",
    }
    assert any(str(row[0]).startswith("Giao ban hằng tháng: đã họp 12/12 kỳ") for row in events)


def test_progress_report_before_the_evaluation_counts_what_is_coming(
    office: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "progress.json"
    office.ok("report", "progress", "--plan", LUU_VE_PLAN, "--as-of", "2026-08-01", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"] == "progress_report" and data["as_of"] == "2026-08-01"
    rer, new = data["targets"]
    assert (rer["key"], rer["target"], rer["achieved"]) == ("rerecognise", 3, 0)
    assert (new["key"], new["target"], new["achieved"]) == ("new", 1, 0)
    # Nem chua's certificate of 16/11/2026 does not count on 1 August.
    assert rer["products"][0]["achieved"] is False
    events = {e["id"]: e["held"] for e in data["events"]}
    assert events == {"launch": True, "evaluation": False, "review": False}
    coming = {(c["on"], c["what"]) for c in data["coming"]}
    assert ("2026-08-01", "mở đợt đánh giá của xã") in coming
    assert ("2026-08-25", "Hội nghị đánh giá sản phẩm OCOP năm 2026") in coming
    assert "đang diễn ra" in data["evaluation_window"]


def test_progress_report_docx(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "progress.docx"
    office.ok(
        "report",
        "progress",
        "--plan",
        LUU_VE_PLAN,
        "--as-of",
        "2026-12-31",
        "--number",
        "15/BC-UBND",
        "-o",
        str(out),
    )
    text = _text(out)
    for expected in (
        "Số: 15/BC-UBND",
        "Lưu Vệ, ngày 31 tháng 12 năm 2026",
        "BÁO CÁO",
        "Tình hình thực hiện Kế hoạch Chương trình mỗi xã một sản phẩm (OCOP) năm 2026",
        "I. KẾT QUẢ THỰC HIỆN MỤC TIÊU",
        "Công nhận lại sản phẩm OCOP 3 sao: đạt 1/3; đang thực hiện 2.",
        "Công nhận mới sản phẩm OCOP 3 sao: đạt 0/1; đang thực hiện 1.",
        "Miến gạo Dung Tháp",
        "GCN-2026-017",
        "IV. HỘI NGHỊ VÀ GIAO BAN",
        "Hội nghị tổng kết Chương trình OCOP năm 2026",
        "Văn phòng Điều phối Chương trình xây dựng NTM tỉnh (báo cáo);",
        # The plan's signer: a deputy chairman signs for the chairman.
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Đoàn Đình Tùng",
    ):
        assert expected in text, expected
    assert unicodedata.is_normalized("NFC", text)


def test_progress_report_without_a_plan_is_refused(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "progress.xlsx"
    result = office("report", "progress", "--as-of", "2026-12-31", "-o", str(out))
    assert result.code == 1
    assert "--plan" in _one_line(result.err)
    assert not out.exists()


# -- the dossier list -----------------------------------------------------------------------


def test_dossier_list_xlsx(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dossiers.xlsx"
    office.ok("report", "dossiers", "-o", str(out), "--as-of", "2026-12-31")
    rows = _sheet(openpyxl.load_workbook(out), "Hồ sơ")
    assert rows[0][0] == "DANH SÁCH HỒ SƠ SẢN PHẨM OCOP"
    header, body = rows[1], rows[2:]
    assert header[:3] == ("Số hồ sơ", "Sản phẩm", "Chủ thể")
    assert [r[1] for r in body] == [
        "Nem chua Minh Anh",
        "Bánh răng bừa Nga My",
        "Bánh gai Lưu Vệ",
        "Miến gạo Dung Tháp",
    ]
    nem = dict(zip(header, body[0], strict=True))
    assert nem["Điểm"] == 68.75 and nem["Hạng sao"] == 3
    assert nem["Số GCN"] == "GCN-2026-017"
    assert nem["Số văn bản đề nghị"] == "45/UBND-KT"
    assert nem["Ngày văn bản"].date() == date(2026, 8, 25)  # type: ignore[union-attr]
    submitted = tmp_path / "submitted.json"
    office.ok("report", "dossiers", "--state", "submitted", "-o", str(submitted))
    data = json.loads(submitted.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["rows"]] == [2, 4]


# -- the content, without files ---------------------------------------------------------------


def test_dates_are_written_the_administrative_way() -> None:
    assert dated("Lưu Vệ", date(2026, 2, 5), "vi") == "Lưu Vệ, ngày 05 tháng 02 năm 2026"
    assert dated("Lưu Vệ", date(2026, 11, 16), "vi") == "Lưu Vệ, ngày 16 tháng 11 năm 2026"
    assert dated("Lưu Vệ", None, "vi") == "Lưu Vệ, ngày …… tháng …… năm ……"


def test_content_is_nfc_and_a_plan_signer_is_read(office: Cli) -> None:
    with ocop.open(f"sqlite:///{office.db}") as reg:
        dossier = reg.get(1)
    report = build_mau03(dossier, signer=Signer(unicodedata.normalize("NFD", "Lê Thị Lan")))
    assert report.signature.name == "Lê Thị Lan"
    assert unicodedata.is_normalized("NFC", report.signature.name)
    deputy = Signer.from_text("Đoàn Đình Tùng, Phó Chủ tịch UBND xã")
    assert (deputy.name, deputy.title) == ("Đoàn Đình Tùng", "Phó Chủ tịch")
    with pytest.raises(ocop.InvalidInput), ocop.open(f"sqlite:///{office.db}") as reg:
        build_mau03(reg.get(3))


def test_reads_are_scoped_to_the_acting_officer(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau-03.docx"
    result = office("--as", "binh", "document", "mau-03", "1", "-o", str(out))
    assert result.code == 1
    assert "binh" in _one_line(result.err)
    assert not out.exists()
    office.ok("--as", "lan", "document", "mau-03", "1", "-o", str(out))
    listing = tmp_path / "theirs.json"
    office.ok("--as", "binh", "report", "dossiers", "-o", str(listing))
    assert json.loads(listing.read_text(encoding="utf-8"))["rows"] == []


@pytest.mark.parametrize(
    ("lang", "told"),
    [
        ("vi", "45/UBND-KT ngày 25/08/2026 (1); 46/UBND-KT ngày 26/08/2026 (4)"),
        ("en", "45/UBND-KT of 2026-08-25 (1); 46/UBND-KT of 2026-08-26 (4)"),
    ],
)
def test_request_letter_refusal_names_each_letter_in_the_readers_language(
    office: Cli, tmp_path: Path, lang: str, told: str
) -> None:
    # Issue 10.4: 'ngày' was looked up inside an f-string, so English runs read it in Vietnamese.
    result = office("document", "letter", "1", "4", "-o", str(tmp_path / "l.docx"), "--lang", lang)
    assert result.code == 1
    assert told in _one_line(result.err)


def test_a_dossier_shows_its_evaluation_report_in_the_readers_language(office: Cli) -> None:
    # Issue 10.4: 'báo cáo' was looked up inside an f-string.
    assert "; báo cáo 12/BC-UBND 20/08/2026" in office.ok("show", "1")
    english = office.ok("show", "1", "--lang", "en")
    assert "; report 12/BC-UBND 2026-08-20" in english
    assert "báo cáo" not in english


def test_the_librarys_letter_refusal_says_each_letter_in_the_readers_language(office: Cli) -> None:
    from ocop.documents import build_request_letter
    from ocop.errors import InvalidInput

    with ocop.open(f"sqlite:///{office.db}") as reg:
        dossiers = [reg.get(1), reg.get(4)]
    with pytest.raises(InvalidInput) as refused:
        build_request_letter(dossiers)
    assert refused.value.message == (
        "These dossiers were submitted under different letters: 45/UBND-KT of 2026-08-25 "
        "(dossier 1); 46/UBND-KT of 2026-08-26 (dossier 4); make one letter for each."
    )
    assert "45/UBND-KT ngày 25/08/2026 (hồ sơ 1); 46/UBND-KT ngày 26/08/2026 (hồ sơ 4)" in (
        refused.value.explain("vi")
    )
