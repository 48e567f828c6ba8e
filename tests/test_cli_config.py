"""Where the CLI's settings come from (flags, then ``OCOP_*``, then the config file), the
default database, and how the first administrator is made."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_help_lists_the_environment_variables(cli: Cli) -> None:
    out = cli.ok("--help")
    for name in ("OCOP_DATABASE", "OCOP_USER", "OCOP_LANG", "OCOP_CONFIG", "OCOP_CALENDAR"):
        assert name in out
    assert "ocop demo" in out
    assert "Environment variables:" in cli.ok("--help", "--lang", "en")


def test_the_default_database_is_a_file_in_the_users_data_folder(cli: Cli) -> None:
    env = dict(cli.env)
    del env["OCOP_DATABASE"]
    cli.env = env
    cli.ok("user", "add", "root", "--role", "admin", "--name", "Quản trị")
    assert (cli.home / ".local/share/ocop/ocop.db").exists()
    assert not cli.db.exists()
    assert [u["username"] for u in cli.json("user", "list", "--as", "root")] == ["root"]


def test_flags_win_over_variables_which_win_over_the_file(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / ".config" / "ocop" / "config.toml"
    config.parent.mkdir(parents=True)
    from_file = tmp_path / "from-file.db"
    config.write_text(
        f'database = "{from_file}"\nlang = "en"\nuser = "root"\n[mail]\nhost = "x"\n',
        encoding="utf-8",
    )
    env = dict(cli.env)
    del env["OCOP_DATABASE"]
    cli.env = env
    # The file alone: its database, its language, its user.
    cli.ok("user", "add", "root", "--role", "admin", "--name", "Root")
    assert from_file.exists()
    out = cli.ok("user", "add", "lan", "--role", "province_officer", "--name", "Lan",
                 "--province", "Thanh Hóa")  # fmt: skip
    assert out.startswith("Added user lan")  # English from the file, --as root from the file
    # A variable wins over the file; a flag wins over the variable.
    assert "Tên đăng nhập" in cli.ok("user", "list", env={"OCOP_LANG": "vi"})
    assert "Username" in cli.ok("user", "list", "--lang", "en", env={"OCOP_LANG": "vi"})
    other = tmp_path / "other.db"
    cli.ok("db", "upgrade", env={"OCOP_DATABASE": str(other)})  # a read creates no database
    # Every read needs an active user: the file's root is not one of the other database's.
    unknown = cli("user", "list", env={"OCOP_DATABASE": str(other)})
    assert unknown.code == 1 and "root" in unknown.err and not unknown.out
    assert len(cli.json("user", "list", "--db", str(from_file),
                        env={"OCOP_DATABASE": str(other)})) == 2  # fmt: skip
    # An explicit --config replaces the default file: its language, the default database.
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text('lang = "vi"\n', encoding="utf-8")
    cli.ok("--config", str(elsewhere), "db", "upgrade")
    nobody = cli("--config", str(elsewhere), "user", "list")
    assert nobody.code == 2 and "--as" in nobody.err  # no user configured there: nothing read


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('colour = "blue"\n', "unknown setting 'colour'"),
        ("lang = \n", "not a valid TOML file"),
        ("lang = 3\n", "'lang' must be text"),
        ('lang = "fr"\n', "language 'fr' is not supported"),
    ],
)
def test_a_bad_config_file_is_a_usage_error(
    cli: Cli, tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    result = cli("list", env={"OCOP_CONFIG": str(config)})
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_named_config_file_must_exist(cli: Cli, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "missing.toml"), "list")
    assert result.code == 2 and "config file not found" in result.err


def test_the_first_administrator_opens_the_door_and_it_closes(cli: Cli) -> None:
    officer = ["user", "add", "lan", "--role", "commune_officer", "--name", "Lan",
               "--commune", "Lưu Vệ", "--province", "Thanh Hóa"]  # fmt: skip
    refused = cli(*officer)
    assert refused.code == 1 and "Chưa có quản trị viên" in refused.err
    cli.ok("user", "add", "root", "--role", "admin", "--name", "Quản trị")
    closed = cli("user", "add", "mallory", "--role", "admin", "--name", "M")
    assert closed.code == 2 and "--as" in closed.err
    cli.ok("--as", "root", *officer)
    not_admin = cli("--as", "lan", "user", "add", "x", "--role", "admin", "--name", "X")
    assert not_admin.code == 1 and "Chỉ quản trị viên" in not_admin.err
    no_area = cli("--as", "root", "user", "add", "y", "--role", "commune_officer", "--name", "Y")
    assert no_area.code == 2 and "--commune" in no_area.err
    last = cli("--as", "root", "user", "disable", "root")
    assert last.code == 1 and "quản trị viên cuối cùng" in last.err
    cli.ok("--as", "root", "user", "disable", "lan")
    users = {u["username"]: u["active"] for u in cli.json("user", "list", "--as", "root")}
    assert users == {"root": True, "lan": False}


def test_a_command_module_adds_its_commands_and_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sys
    import types

    import ocop.cli
    from ocop.cli.core import Commands, Context

    def hello(ctx: Context) -> int:
        # A text the catalogue holds comes out in English; one it lacks, as written.
        ctx.print(ctx.t("Xin chào {name}. Biến môi trường:", name=ctx.args.name))
        return 0

    def register(commands: Commands) -> None:
        commands.add("hello", hello, commands.t("chào")).add_argument("name")

    module = types.ModuleType("cli_module_under_test")
    module.register = register  # type: ignore[attr-defined]
    module.ENVIRONMENT = {"OCOP_GREETING": "lời chào"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(ocop.cli, "COMMAND_MODULES", (*ocop.cli.COMMAND_MODULES, module.__name__))
    assert re.search(r"OCOP_GREETING +lời chào", ocop.cli.build_parser("vi").format_help())
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    # Global options may come after the command, as with the built-in ones.
    assert ocop.cli.main(["hello", "Lan", "--lang", "en"], environ=environ) == 0
    assert capsys.readouterr().out == "Xin chào Lan. Biến môi trường:\n"
    assert ocop.cli.main(["hello", "Lan"], environ=environ) == 0
    assert capsys.readouterr().out == "Xin chào Lan. Biến môi trường:\n"
