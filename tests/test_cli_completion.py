"""Shell completion and "did you mean" (issue 14): ``ocop completion bash|zsh|fish`` prints a
script each shell loads and completes with (bash and fish asked for completions, zsh's
compinit finding it), and a mistyped command, subcommand, option or choice is one line in the
officer's language naming what was meant, exit 2, nothing created."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import Cli
from parts import require

from ocop.cli import build_parser
from ocop.cli.suggestions import closest, mistake


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("completion"))


@pytest.fixture(scope="module")
def scripts(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scripts")
    found = {}
    for shell in ("bash", "zsh", "fish"):
        path = folder / ("_ocop" if shell == "zsh" else f"ocop.{shell}")
        path.write_text(cli.ok("completion", shell), encoding="utf-8")
        found[shell] = path
    return found


BASH = """
source "$1"
line="$2"
read -ra COMP_WORDS <<< "$line"
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$line"
COMP_POINT=${#line}
COMPREPLY=()
_shtab_ocop
printf '%s\\n' "${COMPREPLY[@]}"
"""


def bash_completes(script: Path, line: str) -> list[str]:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH, "bash", str(script), line],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ocop li", ["list"]),
        ("ocop user ", ["add", "disable", "enable", "list"]),
        ("ocop list --so", ["--sort"]),
        ("ocop list --sort ex", ["expiry"]),
        ("ocop --lang ", ["en", "vi"]),
        ("ocop completion ", ["bash", "fish", "zsh"]),
    ],
)
def test_bash_completes_commands_options_and_choices(
    scripts: dict[str, Path], line: str, expected: list[str]
) -> None:
    assert sorted(bash_completes(scripts["bash"], line)) == expected


def test_every_command_completes_in_bash(scripts: dict[str, Path]) -> None:
    offered = set(bash_completes(scripts["bash"], "ocop "))
    commands = {"list", "show", "history", "import", "export", "outbox", "daemon", "completion"}
    assert commands <= offered


def test_fish_completes_with_the_help_texts(scripts: dict[str, Path]) -> None:
    require(shutil.which("fish") is not None, "fish", "apt-get install fish")
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {scripts['fish']}; complete -C 'ocop hist'"],
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = done.stdout.splitlines()
    name, description = line.split("\t")
    assert name == "history" and "hồ sơ" in description  # the help text, in Vietnamese


def test_zsh_loads_the_script_through_compinit(scripts: dict[str, Path], tmp_path: Path) -> None:
    require(shutil.which("zsh") is not None, "zsh", "apt-get install zsh")
    check = subprocess.run(["zsh", "-n", str(scripts["zsh"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    program = (
        f"fpath=({scripts['zsh'].parent} $fpath); autoload -U compinit; "
        f"compinit -u -d {tmp_path}/dump; print -r -- ${{_comps[ocop]}}"
    )
    done = subprocess.run(
        ["zsh", "-f", "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "_ocop"


def test_completion_needs_no_database(cli: Cli) -> None:
    script = cli.ok("completion", "bash")
    assert script.endswith("complete -o bashdefault -F _shtab_ocop ocop\n")
    assert not cli.db.exists()
    wrong = cli("completion", "tcsh")
    assert wrong.code == 2 and "tcsh" in wrong.err and len(wrong.err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["lsit"],
            "ocop: lỗi: không có lệnh 'lsit'; có phải ý bạn là `ocop list`",
        ),
        (
            ["user", "ad", "x"],
            "ocop user: lỗi: không có lệnh 'ad'; có phải ý bạn là `ocop user add`? "
            "(xem `ocop user --help`)",
        ),
        (
            ["list", "--limt", "5"],
            "ocop list: lỗi: không có tùy chọn --limt; có phải ý bạn là --limit? "
            "(xem `ocop list --help`)",
        ),
        (
            ["--as", "lan", "list", "--sort", "dte"],
            "ocop list: lỗi: --sort: không có 'dte'; có phải ý bạn là 'due'",
        ),
        (
            ["list", "--sort=prodcut"],
            "ocop list: lỗi: --sort: không có 'prodcut'; có phải ý bạn là 'product'",
        ),
        (
            ["--lang", "en", "histroy", "3"],
            "ocop: error: there is no command 'histroy'; did you mean `ocop history`? "
            "(see `ocop --help`)",
        ),
        (
            ["--lang", "en", "export", "--exel"],
            "ocop export: error: there is no option --exel; did you mean --excel? "
            "(see `ocop export --help`)",
        ),
        (
            ["xyzzy"],
            "ocop: lỗi: không có lệnh 'xyzzy'; các lệnh: user, register, list,",
        ),
    ],
)
def test_a_mistyped_name_is_one_line_with_what_was_meant(
    cli: Cli, args: list[str], said: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.err.startswith(said), result.err
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    assert result.out == ""
    assert not cli.db.exists()  # nothing was created


def test_other_refusals_keep_their_own_words(cli: Cli) -> None:
    missing = cli("show")
    assert missing.code == 2
    assert "có phải ý bạn là" not in missing.err and "ID" in missing.err
    wrong_type = cli("list", "--limit", "abc")
    assert wrong_type.code == 2 and "abc" in wrong_type.err


def test_mistake_reads_the_parser_not_the_message() -> None:
    parser = build_parser("vi")
    assert mistake(parser, ["list", "--limit", "5"]) is None
    assert mistake(parser, ["--as", "lan", "show", "-3"]) is None  # a value, not an option
    assert mistake(parser, ["list", "--lim", "5"]) is None  # argparse takes a unique start
    found = mistake(parser, ["--db", "x.db", "outbox", "lst"])
    assert found is not None and (found.kind, found.prog, found.near) == (
        "command",
        "ocop outbox",
        ["list"],
    )
    assert closest("reminder", ["reminders", "register", "revoke"])[0] == "reminders"
