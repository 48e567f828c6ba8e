"""``ocop import``: certified products from a CSV file, all rows or none; ``ocop export``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from cli_helpers import Cli

HEADER = "product_name,product_set,producer_name,certificate_number,stars,issued_on\n"
GOOD = (
    "Bánh răng bừa Nga My,6,Cơ sở Nga My,123/QĐ-UBND,3,14/07/2023\n"
    "Miến gạo Dung Tháp,6,Cơ sở Dung Tháp,124/QĐ-UBND,3,2023-07-14\n"
)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    return runner


def _file(tmp_path: Path, text: str | bytes, name: str = "products.csv") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_file_imports_every_row_as_certified(cli: Cli, tmp_path: Path) -> None:
    imported = cli.json("--as", "lan", "import", _file(tmp_path, HEADER + GOOD))
    assert [d["state"] for d in imported] == ["rated", "rated"]
    assert imported[0]["certificate"]["number"] == "123/QĐ-UBND"
    assert imported[0]["certificate"]["expires_on"] == "2026-07-14"  # 36 months
    assert imported[0]["commune"] == "Lưu Vệ"  # the officer's commune by default
    history = cli.json("history", str(imported[0]["id"]))
    assert [h["trigger"] for h in history] == ["import_certified"]
    assert history[0]["actor"] == "lan"


def test_one_bad_row_imports_nothing_and_names_its_line(cli: Cli, tmp_path: Path) -> None:
    rows = HEADER + GOOD + "Nem chua Minh Anh,8,Cơ sở Minh Anh,125/QĐ-UBND,7,01/03/2023\n"
    result = cli("--as", "lan", "import", _file(tmp_path, rows))
    assert result.code == 1
    assert "dòng 4: stars: '7' không hợp lệ; giấy chứng nhận OCOP từ 3 đến 5" in result.err
    assert "dòng 2" not in result.err and "dòng 3" not in result.err
    assert "Không nhập dòng nào: 1 dòng có lỗi" in result.err
    assert "Traceback" not in result.err
    assert cli.json("list") == []


def test_every_bad_row_is_reported_with_its_line(cli: Cli, tmp_path: Path) -> None:
    rows = (
        HEADER
        + "Bánh răng bừa Nga My,6,Cơ sở Nga My,123/QĐ-UBND,3,31/02/2026\n"
        + "\n"  # a blank line is skipped but still counted
        + "Miến gạo,30,,124/QĐ-UBND,3,2023-07-14\n"
        + "Nem chua,8,Cơ sở Minh Anh,123/QĐ-UBND,3,2023-07-14\n"
        + "Chè,11,Cơ sở Chè,126/QĐ-UBND,3,2023-07-14,extra\n"
    )
    result = cli("--as", "lan", "import", _file(tmp_path, rows))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].endswith("dòng 2: issued_on: '31/02/2026' không phải ngày hợp lệ (DD/MM/YYYY "
                             "hoặc YYYY-MM-DD)")  # fmt: skip
    assert "dòng 4: producer_name: ô trống; product_set: '30' không hợp lệ" in lines[1]
    assert "dòng 5: số GCN 123/QĐ-UBND trùng với dòng 2" in lines[2]
    assert "dòng 6: có 7 ô nhưng tiêu đề có 6 cột" in lines[3]
    assert lines[4] == "Không nhập dòng nào: 4 dòng có lỗi. Sửa tệp rồi chạy lại."
    assert cli.json("list") == []


def test_the_library_checks_every_row_too(cli: Cli, tmp_path: Path) -> None:
    rows = (
        HEADER.rstrip("\n")
        + ",commune\n"
        + "Bánh răng bừa Nga My,6,Cơ sở Nga My,123/QĐ-UBND,3,2023-07-14,Quảng Yên\n"
        + "Miến gạo Dung Tháp,6,Cơ sở Dung Tháp,124/QĐ-UBND,3,2099-01-01,Lưu Vệ\n"
    )
    result = cli("--as", "lan", "import", _file(tmp_path, rows))
    assert result.code == 1
    assert "dòng 2: lan không được nhập hồ sơ của xã Quảng Yên" in result.err
    assert "dòng 3: issued_on: 01/01/2099 là ngày trong tương lai" in result.err
    assert cli.json("list") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"product_name,stars\nx,3\n", "dòng 1: thiếu cột product_set, producer_name"),
        # A legacy 8-bit encoding (as old spreadsheets save), not UTF-8.
        (HEADER.encode() + "Bánh,6,Co so,1,3,2023-01-01\n".encode("latin-1"), "dòng 2: tệp "
                                                                               "không phải UTF-8"),
        (HEADER.rstrip().encode() + b",colour\n", "dòng 1: cột không biết: colour"),
        (b"", "dòng 1: tệp rỗng"),
        (HEADER.encode(), "tệp không có dòng dữ liệu nào"),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_refused_with_a_line_number(
    cli: Cli, tmp_path: Path, content: bytes, message: str
) -> None:
    result = cli("--as", "lan", "import", _file(tmp_path, content))
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_excel_csv_with_bom_and_semicolons_reads(cli: Cli, tmp_path: Path) -> None:
    text = "\ufeff" + (HEADER + GOOD).replace(",", ";")
    imported = cli.json("--as", "lan", "import", _file(tmp_path, text))
    assert len(imported) == 2


def test_dry_run_writes_nothing_and_a_second_import_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = _file(tmp_path, HEADER + GOOD)
    assert "2 dòng" in cli.ok("--as", "lan", "import", path, "--dry-run")
    assert cli.json("list") == []
    cli.ok("--as", "lan", "import", path)
    again = cli("--as", "lan", "import", path)
    assert again.code == 1
    assert "dòng 2: số GCN 123/QĐ-UBND đã có ở hồ sơ 1" in again.err
    assert len(cli.json("list")) == 2


def test_import_needs_an_officer(cli: Cli, tmp_path: Path) -> None:
    result = cli("--as", "minhanh", "import", _file(tmp_path, HEADER + GOOD))
    assert result.code == 1
    assert cli.json("list") == []


def test_export_csv_and_json_read_back(cli: Cli, tmp_path: Path) -> None:
    cli.ok("--as", "lan", "import", _file(tmp_path, HEADER + GOOD))
    rows = list(csv.DictReader(io.StringIO(cli.ok("export"))))
    assert [r["product_name"] for r in rows] == ["Bánh răng bừa Nga My", "Miến gạo Dung Tháp"]
    assert rows[0]["state"] == "rated" and rows[0]["state_label"] == "Đã công nhận"
    assert rows[0]["expires_on"] == "2026-07-14" and rows[0]["stars"] == "3"
    data = cli("export", "--format", "json").json()
    assert data[1]["certificate"]["number"] == "124/QĐ-UBND"
    out = tmp_path / "out.csv"
    cli.ok("export", "--output", str(out), "--excel")
    assert out.read_bytes().startswith("\ufeff".encode())
    # An export reads back in: the same columns, so only the duplicates are refused.
    again = cli("--as", "lan", "import", str(out), "--dry-run")
    assert again.code == 1
    assert "số GCN 123/QĐ-UBND đã có ở hồ sơ 1" in again.err
    assert "cột" not in again.err


def test_export_xlsx_opens_back_with_every_dossier(cli: Cli, tmp_path: Path) -> None:
    import openpyxl

    cli.ok("--as", "lan", "import", _file(tmp_path, HEADER + GOOD))
    out = tmp_path / "hồ-sơ.xlsx"
    said = cli("export", "--format", "xlsx", "-o", str(out))
    assert said.code == 0 and f"Đã ghi 2 hồ sơ vào {out}." in said.err
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Bánh răng bừa Nga My" in cells and "Miến gạo Dung Tháp" in cells
    assert "124/QĐ-UBND" in cells
    # Never over an existing file without --force; never to the terminal.
    again = cli("export", "--format", "xlsx", "-o", str(out))
    assert again.code == 2 and "--force" in again.err
    nowhere = cli("export", "--format", "xlsx")
    assert nowhere.code == 2
    assert nowhere.err.strip().endswith("--format xlsx ghi ra một tệp: thêm --output TỆP.xlsx")


def test_a_refusal_at_write_time_still_writes_nothing(
    cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ocop.cli

    cli.ok("--as", "lan", "import", _file(tmp_path, HEADER + GOOD.splitlines()[0] + "\n"))
    # The stored certificates are looked up inside the import's one write transaction: one
    # already held refuses the whole file, its good rows included.
    rows = HEADER + "Nem chua,8,Cơ sở Minh Anh,125/QĐ-UBND,3,2023-03-01\n" + GOOD
    code = ocop.cli.main(["--as", "lan", "import", _file(tmp_path, rows, "again.csv")], cli.env)
    assert code == 1
    err = capsys.readouterr().err
    assert "dòng 3: số GCN 123/QĐ-UBND đã có ở hồ sơ 1" in err
    assert "Không nhập dòng nào: 1 dòng có lỗi" in err
    assert [d["certificate"]["number"] for d in cli.json("list")] == ["123/QĐ-UBND"]
