"""Tables for people and for pipes (issue 14): ``ocop list`` and ``ocop history`` in an
80-column pseudo-terminal fit it, piped they are plain tab-separated lines, ``NO_COLOR`` is
honoured, and ``table()`` measures Vietnamese and wide text by display cells."""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import struct
import subprocess
import termios
import unicodedata
from pathlib import Path

import pytest
from cli_helpers import Cli, ocop_command
from rich.cells import cell_len

from ocop.cli.output import fit_widths, plain_table, table

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

LONG = "Bánh gai lá gai Tứ Trụ truyền thống làng nghề Lưu Vệ, gói lá chuối khô, nhân đỗ xanh dừa"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    runner = Cli(tmp_path_factory.mktemp("tables"))
    runner.users()
    for product in (LONG, "Nem chua", "Mật ong hoa nhãn Thọ Xuân, chai thủy tinh 500 ml"):
        runner.ok(
            "--as", "lan", "register", "--product", product, "--set", "6",
            "--producer", "Hợp tác xã Nông nghiệp và Dịch vụ Tổng hợp Lưu Vệ",
        )  # fmt: skip
    runner.ok("--as", "lan", "check", "1", "--documents", "mau_01,mau_02", "--samples", "5")
    return runner


def in_terminal(cli: Cli, *args: str, columns: int = 80, check: bool = True, **env: str) -> str:
    """``ocop ARGS`` with a pseudo-terminal ``columns`` wide as its standard output and error
    (``check``: it must exit 0)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    environ = {k: v for k, v in cli.env.items() if k not in ("COLUMNS", "NO_COLOR")}
    environ.update({"TERM": "xterm-256color", **env})
    child = subprocess.Popen(
        [ocop_command(), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environ,
        cwd=cli.home,
    )
    os.close(follower)
    said = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        said += chunk
    os.close(leader)
    code = child.wait(timeout=120)
    assert code == 0 or not check, said.decode(errors="replace")
    return said.decode().replace("\r\n", "\n")


def visible(text: str) -> list[str]:
    return ESCAPE.sub("", text).splitlines()


@pytest.mark.parametrize("args", [["list"], ["history", "1"], ["user", "list"]])
def test_tables_fit_an_80_column_terminal(cli: Cli, args: list[str]) -> None:
    said = in_terminal(cli, "--as", "lan", *args)
    lines = visible(said)
    assert len(lines) >= 3, said
    assert max(cell_len(line) for line in lines) <= 80, lines
    assert all(line == line.rstrip() for line in lines)
    assert lines[1].startswith("────"), lines  # the rule under the headers
    # Cut, not wrapped: one line per row, the long text ending in "…".
    piped = cli.ok("--as", "lan", *args).splitlines()
    assert len(lines) == len(piped) + 1, (lines, piped)
    assert any("…" in line for line in lines)


def test_list_cuts_the_product_name_and_keeps_the_rest(cli: Cli) -> None:
    lines = visible(in_terminal(cli, "--as", "lan", "list"))
    row = next(line for line in lines if line.startswith("1 "))
    assert "Bánh gai" in row and LONG not in row and "…" in row
    assert lines[-1] == "3 hồ sơ."
    wide = visible(in_terminal(cli, "--as", "lan", "list", columns=250))
    assert any(LONG in line for line in wide)  # room enough: nothing cut
    assert max(cell_len(line) for line in wide) <= 250


def test_colour_on_a_terminal_unless_no_color(cli: Cli) -> None:
    assert ESCAPE.search(in_terminal(cli, "--as", "lan", "list"))
    for args in (["list"], ["history", "1"]):
        plain = in_terminal(cli, "--as", "lan", *args, NO_COLOR="1")
        assert "\x1b" not in plain, plain
        assert max(cell_len(line) for line in plain.splitlines()) <= 80
    assert "\x1b" not in in_terminal(cli, "--as", "lan", "list", TERM="dumb")


def test_piped_tables_are_tab_separated_without_padding_or_escapes(cli: Cli) -> None:
    for args in (["list"], ["history", "1"], ["user", "list"]):
        out = cli.ok("--as", "lan", *args, env={"COLUMNS": "40"})
        assert "\x1b" not in out and "…" not in out and "─" not in out
        lines = out.splitlines()
        table_lines = [line for line in lines if "\t" in line]
        fields = {len(line.split("\t")) for line in table_lines}
        assert len(fields) == 1, table_lines  # every row as many fields as the headers
        for line in table_lines:
            for cell in line.split("\t"):
                assert cell == cell.strip() and "  " not in cell, line
    listed = cli.ok("--as", "lan", "list").splitlines()
    assert listed[0].split("\t")[:2] == ["Số", "Sản phẩm"]
    assert listed[1].split("\t")[1] == LONG  # whole, never cut


def test_json_is_unchanged_on_a_terminal(cli: Cli) -> None:
    said = in_terminal(cli, "--as", "lan", "list", "--json", NO_COLOR="")
    assert json.loads(said)[0]["product_name"] == LONG
    assert json.loads(said) == cli.json("--as", "lan", "list")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_display_width_of_vietnamese_and_wide_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setenv("NO_COLOR", "1")
    decomposed = unicodedata.normalize("NFD", "Bánh gai Lưu Vệ Thanh Hóa")
    assert len(decomposed) > cell_len(decomposed) == 25
    rows = [["1", decomposed], ["2", "Vịt quay Bắc Kinh 北京烤鸭 ngon"], ["3", "a\x1b[31mb\tc\nd"]]
    lines = table(["Số", "Tên"], rows, stream=Terminal()).splitlines()
    assert [cell_len(line) for line in lines] == [7, 30, 29, 30, 15]
    assert lines[2] == "1   " + decomposed  # 25 cells fit whole, though 30 code points
    assert lines[3] == "2   Vịt quay Bắc Kinh 北京烤 …"  # a wide character is never halved
    assert lines[4] == "3   a [31mb c d"  # no escape reaches the terminal
    assert "\x1b" not in "".join(lines)


def test_plain_table_and_widths() -> None:
    assert plain_table(["a", "b"], [["x y", "1\t2"], ["", "z"]]) == "a\tb\nx y\t1 2\n\tz"
    assert table(["a", "b"], [["x", "y"]], stream=io.StringIO()) == "a\tb\nx\ty"
    assert fit_widths([3, 50, 10], 70) == [3, 50, 10]
    assert fit_widths([3, 50, 10], 30) == [3, 17, 10]  # the widest gives way first
    assert fit_widths([3, 50, 40], 30) == [3, 14, 13]
    assert sum(fit_widths([20] * 8, 66)) == 66
    assert fit_widths([5, 5], 1) == [1, 1]  # never below one cell


def test_help_and_version_do_not_load_rich(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    for flag in ("--help", "--version"):
        done = runner(flag, env={"PYTHONPROFILEIMPORTTIME": "1"})
        assert done.code == 0
        assert "| rich" not in done.err and "import time:" in done.err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    runner = Cli(tmp_path_factory.mktemp("demo"))
    runner.ok("demo", "--db", str(runner.db))
    return runner


PLAN = str(Path(__file__).resolve().parent.parent / "ocop" / "data" / "luu-ve-2026" / "plan.toml")


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--lang", "en", "list"],
        ["history", "1"],
        ["outbox", "list"],
        ["user", "list"],
        ["reminders", "--plan", PLAN, "--as-of", "2026-12-02"],  # a Wednesday: a digest
    ],
)
def test_every_table_of_the_demo_fits_80_columns_and_pipes_plainly(
    demo: Cli, args: list[str]
) -> None:
    lines = visible(in_terminal(demo, "--as", "quantri", *args))
    assert any(line.startswith("────") for line in lines), lines  # a table was drawn
    assert max(cell_len(line) for line in lines) <= 80, lines
    piped = demo.ok("--as", "quantri", *args)
    assert "\x1b" not in piped and "─" not in piped
    rows = [line.split("\t") for line in piped.splitlines() if "\t" in line]
    assert len(rows) >= 2 and len({len(row) for row in rows}) == 1
