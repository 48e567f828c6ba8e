"""``ocop rate --sheets FILE`` and ``--sheet``: the installed command, on a fixed Vietnamese
day (libfaketime), refuses bad sheets line by line and changes nothing, and shows the
average, the members' sheets and why the stars were capped."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Cli, at, vietnam

CRITERIA = [
    "--local-materials", "Thịt lợn của xã", "--local-labour", "12 lao động",
    "--idea-origin", "Gia truyền", "--local-identity", "Làng nghề",
]  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    runner.env = at(runner.env, vietnam("2026-07-20 10:00"))  # 26/2026 in force
    return runner


def _submitted(cli: Cli) -> str:
    out = cli.json(
        "--as", "lan", "register", "--product", "Nem chua Minh Anh", "--set", "8",
        "--producer", "Cơ sở Minh Anh",
    )  # fmt: skip
    number = str(out["id"])
    cli.ok("check", number, "--as", "lan", "--documents", "mau_01,mau_02", "--samples", "5")
    cli.ok("evaluate", number, "--as", "lan", *CRITERIA)
    cli.ok("submit", number, "--as", "lan", "--letter-number", "45", "--letter-date", "20/07/2026")
    return number


def test_a_bad_sheets_file_is_refused_line_by_line_and_nothing_changes(cli: Cli) -> None:
    number = _submitted(cli)
    sheets = cli.home / "hoi-dong.csv"
    sheets.write_text("member,a,b,c,minimum_stars_met\nAn,38,22,32,\nBình,39,23,41,5\nAn,x,1,1,\n")
    before = cli.ok("history", number, "--as", "hoa")
    result = cli("rate", number, "--as", "hoa", "--sheets", str(sheets))
    assert result.code == 1
    assert f"{sheets}: dòng 3: c: '41' không hợp lệ; điểm phần C từ 0 đến 35" in result.err
    assert f"{sheets}: dòng 4: a: 'x' không hợp lệ" in result.err
    assert "thành viên An trùng với dòng 2" in result.err
    assert cli.ok("history", number, "--as", "hoa") == before
    # Sheets and the decided averages together: a usage error.
    mixed = cli("rate", number, "--as", "hoa", "--sheet", "An:38:22:32", "--a", "30")
    assert mixed.code == 2 and "không dùng cả hai" in mixed.err
    unknown = cli("rate", number, "--as", "hoa", "--sheets", str(cli.home / "x.pdf"))
    assert unknown.code == 2 and ".csv, .xlsx hoặc .toml" in unknown.err


def test_the_average_of_the_sheets_is_shown_with_why_the_stars_were_capped(cli: Cli) -> None:
    number = _submitted(cli)
    sheets = cli.home / "hoi-dong.toml"
    sheets.write_text(
        '[[sheet]]\nmember = "Nguyễn Văn An"\na = 38\nb = 22\nc = 32\n\n'
        '[[sheet]]\nmember = "Trần Bình"\na = 37\nb = 23\nc = 30\nminimum_stars_met = 4\n',
        encoding="utf-8",
    )
    out = cli.ok("rate", number, "--as", "hoa", "--sheets", str(sheets), "--certificate", "GCN-1")
    assert "A 37,50 + B 22,50 + C 31,00 = 91,00 → 4★ (trung bình 2 phiếu" in out
    assert "Hạng theo điểm là 5★, nhưng tiêu chí bắt buộc chỉ đạt đến mức 4★" in out
    shown = cli.ok("show", number, "--as", "hoa", "--lang", "en")
    assert "Sheet Trần Bình: A 37 + B 23 + C 30 = 90; minimums met to 4★" in shown
    assert "The score's band is 5★, but the starred minimums are met only up to 4★" in shown


def test_sheet_options_at_90_propose_the_product_to_the_ministry(cli: Cli) -> None:
    number = _submitted(cli)
    out = cli.ok(
        "rate", number, "--as", "hoa", "--sheet", "An:38:22:32", "--sheet", "Bình:37:23:31",
        "--proposed-on", "2026-07-20",
    )  # fmt: skip
    assert "Chờ Trung ương đánh giá" in out
    assert "đợt 1/2026 của Trung ương" in out and "30/09/2026" in out
    other = _submitted(cli)
    future = cli(
        "rate", other, "--as", "hoa", "--sheet", "An:38:22:32", "--proposed-on", "2026-08-01"
    )  # fmt: skip
    assert future.code == 1 and "là ngày trong tương lai" in future.err
