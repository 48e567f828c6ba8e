"""Progress and summaries of long work (issue 14): a bar on a terminal once the work outlasts
a second, nothing when piped; an import ends with its count and first rows, not every row; a
refused import lists the first bad lines on a terminal and every one when redirected."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_helpers import Cli
from test_cli_tables import ESCAPE, in_terminal, visible

from ocop.cli.progress import Bar, counted
from ocop.transfer import FIRST_KEPT

HEADER = "product_name,product_set,producer_name,certificate_number,stars,issued_on\n"


def rows(count: int, *, stars: int = 3) -> str:
    return HEADER + "".join(
        f"Sản phẩm số {n},6,Cơ sở {n},{n}/QĐ-UBND,{stars},14/07/2025\n" for n in range(1, count + 1)
    )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    return runner


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_appears_only_after_its_delay() -> None:
    quick = Terminal()
    with Bar(quick, "Đang xuất hồ sơ", delay=60) as bar:
        for done in range(1, 11):
            bar(done, 10)
        assert not bar.shown
    assert quick.getvalue() == ""  # quick work draws nothing
    slow = Terminal()
    with Bar(slow, "Đang xuất hồ sơ", delay=0) as bar:
        bar(3, 10)
        assert bar.shown
        drawn = slow.getvalue()
    assert "Đang xuất hồ sơ" in drawn and "3/10" in drawn
    assert not bar.shown  # taken away at the end of the block


def test_a_bar_without_a_total_counts() -> None:
    stream = Terminal()
    with Bar(stream, "Đang nhập (dòng)", delay=0) as bar:
        bar(1500)
    assert "1500" in stream.getvalue()


def test_counted_tells_the_bar_each_item() -> None:
    seen: list[tuple[int, int | None]] = []

    class Recorder(Bar):
        def __call__(self, done: int, total: int | None = None) -> None:
            seen.append((done, total))

    items = ["a", "b", "c"]
    assert list(counted(items, Recorder(Terminal(), "x"))) == items
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert list(counted(items, None)) == items


def test_piped_long_work_prints_no_bar(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(rows(300), encoding="utf-8")
    done = cli("--as", "lan", "import", str(source))
    assert done.code == 0, done.err
    assert done.err == "" and "\x1b" not in done.out
    exported = cli("--as", "lan", "export", "-o", str(tmp_path / "out.csv"))
    assert exported.code == 0 and "\x1b" not in exported.err
    assert exported.err.splitlines() == [f"Đã ghi 300 hồ sơ vào {tmp_path / 'out.csv'}."]


def test_an_import_ends_with_a_summary_not_every_row(cli: Cli, tmp_path: Path) -> None:
    count = FIRST_KEPT + 7
    source = tmp_path / "products.csv"
    source.write_text(rows(count), encoding="utf-8")
    out = cli.ok("--as", "lan", "import", str(source)).splitlines()
    table = [line for line in out if "\t" in line]
    assert len(table) == 1 + FIRST_KEPT  # the headers and the first rows
    assert f"Đã nhập {count} hồ sơ." in out
    assert any(f"Ở trên là {FIRST_KEPT} hồ sơ đầu" in line and "ocop list" in line for line in out)
    assert len(cli.json("--as", "lan", "list")) == count  # every row is in, shown or not


def test_a_small_import_lists_every_row_without_the_note(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "two.csv"
    source.write_text(rows(2), encoding="utf-8")
    out = cli.ok("--as", "lan", "import", str(source))
    assert "Đã nhập 2 hồ sơ." in out and "Ở trên là" not in out


def test_a_refused_import_on_a_terminal_lists_the_first_bad_lines(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(rows(25, stars=7), encoding="utf-8")
    said = visible(in_terminal(cli, "--as", "lan", "import", str(source), check=False))
    bad = [line for line in said if ": dòng " in line]
    assert len(bad) == 20 and bad[0].endswith(
        "dòng 2: stars: '7' không hợp lệ; giấy chứng nhận OCOP từ 3 đến 5"
    )
    assert "… và 5 dòng lỗi khác; để có đủ danh sách, chạy lại với 2> loi.txt" in said
    assert said[-1] == "Không nhập dòng nào: 25 dòng có lỗi. Sửa tệp rồi chạy lại."
    piped = cli("--as", "lan", "import", str(source))
    assert piped.code == 1
    assert len([line for line in piped.err.splitlines() if ": dòng " in line]) == 25
    assert not ESCAPE.search(piped.err)


def test_a_long_import_on_a_terminal_shows_a_bar_then_its_summary(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(rows(4000), encoding="utf-8")
    # The bar waits for a second of work; OCOP_PROGRESS_DELAY=0 makes every import "long",
    # so the test does not depend on how fast this machine imports.
    said = in_terminal(cli, "--as", "lan", "import", str(source), OCOP_PROGRESS_DELAY="0")
    assert "Đang nhập (dòng)" in said
    assert said.count("\x1b[?25l") == said.count("\x1b[?25h") >= 1  # the cursor given back
    lines = visible(said)
    assert "Đã nhập 4000 hồ sơ." in lines
    assert lines[-1].startswith(f"Ở trên là {FIRST_KEPT} hồ sơ đầu")


def test_a_bad_progress_delay_is_one_line_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "two.csv"
    source.write_text(rows(2), encoding="utf-8")
    said = in_terminal(
        cli, "--as", "lan", "import", str(source), check=False, OCOP_PROGRESS_DELAY="soon"
    )
    assert visible(said) == [
        "ocop import: lỗi: OCOP_PROGRESS_DELAY phải là số giây từ 0 (không phải 'soon')"
    ]
    assert cli.ok("--as", "lan", "list", "--json").strip() in ("[]", "")
