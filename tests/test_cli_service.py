"""``ocop service install / show``: the shipped systemd units, written with the installed ``ocop``.

The units are checked by ``systemd-analyze verify`` where it exists, and always parsed as INI
files with their required sections and keys; nothing here runs ``systemctl``.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import Cli

from ocop.cli.service import UNITS, command_line, unit_text

DAEMON, ONCE, TIMER = "ocop-daemon.service", "ocop-once.service", "ocop-once.timer"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def parse_unit(path: Path) -> configparser.ConfigParser:
    """A unit file as INI: keys keep their case, a key given twice or a stray line fails."""
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(path.read_text("utf-8"), source=str(path))
    return parser


REQUIRED = {
    DAEMON: {
        "Unit": {"Description", "After"},
        "Service": {
            "Type",
            "ExecStart",
            "EnvironmentFile",
            "User",
            "Restart",
            "NoNewPrivileges",
            "ProtectSystem",
            "PrivateTmp",
            "ReadWritePaths",
            "StateDirectory",
        },
        "Install": {"WantedBy"},
    },
    ONCE: {
        "Unit": {"Description"},
        "Service": {"Type", "ExecStart", "EnvironmentFile", "User", "NoNewPrivileges"},
    },
    TIMER: {"Unit": {"Description"}, "Timer": {"OnUnitActiveSec", "Unit"}, "Install": {"WantedBy"}},
}


SYSTEM_ONLY = {"After", "User", "ProtectSystem", "PrivateTmp", "ReadWritePaths", "StateDirectory"}


def check_structure(path: Path, *, user: bool = False) -> configparser.ConfigParser:
    unit = parse_unit(path)
    for section, keys in REQUIRED[path.name].items():
        assert unit.has_section(section), f"{path.name}: no [{section}]"
        wanted = keys - SYSTEM_ONLY if user else keys
        missing = wanted - set(unit[section])
        assert not missing, f"{path.name} [{section}] lacks {sorted(missing)}"
    return unit


def verify(paths: list[Path], tmp_path: Path, *, user: bool = False) -> None:
    """``systemd-analyze verify`` when the machine has it: exit 0 and no word about our files."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the configparser checks (always run) stand alone
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True, mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_LEVEL="warning")
    args = [analyze, *(["--user"] if user else []), "verify", *map(str, paths)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    ours = [line for line in done.stderr.splitlines() if "ocop" in line]
    assert not ours, "\n".join(ours)


def exec_start(unit: configparser.ConfigParser) -> list[str]:
    return shlex.split(unit["Service"]["ExecStart"])


def test_install_writes_the_daemon_unit_pointing_at_the_installed_ocop(
    cli: Cli, tmp_path: Path
) -> None:
    units = tmp_path / "units"
    out = cli.ok("service", "install", "--dir", str(units))
    path = units / DAEMON
    assert f"Đã ghi {path}" in out
    assert "systemctl daemon-reload" in out
    assert "systemctl enable --now ocop-daemon.service" in out
    assert f"systemctl link {path}" in out  # a folder systemd does not read
    assert "useradd --system" in out
    assert sorted(p.name for p in units.iterdir()) == [DAEMON]
    unit = check_structure(path)
    service = unit["Service"]
    assert service["Type"] == "simple" and service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/ocop/ocop.env"
    assert service["User"] == "ocop" and service["NoNewPrivileges"] == "yes"
    assert "/var/lib/ocop" in service["ReadWritePaths"]
    command = exec_start(unit)
    assert command[-1] == "daemon"
    program = Path(command[0])
    assert program.is_absolute() and program.is_file() and os.access(program, os.X_OK)
    helped = subprocess.run(
        [*command[:-1], "daemon", "--help"], env=cli.env, capture_output=True, timeout=120
    )
    assert helped.returncode == 0, helped.stderr
    verify([path], tmp_path)
    # Written again unchanged: nothing to do, and said so.
    assert "đã đúng, không đổi" in cli.ok("service", "install", "--dir", str(units))


def test_a_changed_unit_is_not_overwritten_without_force(cli: Cli, tmp_path: Path) -> None:
    units = tmp_path / "units"
    cli.ok("service", "install", "--dir", str(units))
    path = units / DAEMON
    edited = path.read_bytes().replace(b"RestartSec=30", b"RestartSec=5")
    path.write_bytes(edited)
    refused = cli("service", "install", "--dir", str(units))
    assert refused.code == 1 and refused.out == ""
    assert len(refused.err.strip().splitlines()) == 1, refused.err
    assert str(path) in refused.err and "--force" in refused.err
    assert path.read_bytes() == edited
    assert sorted(p.name for p in units.iterdir()) == [DAEMON]  # no temporary file left
    english = cli("service", "install", "--dir", str(units), "--lang", "en")
    assert english.code == 1 and "already exists and differs; nothing written" in english.err
    forced = cli.ok("service", "install", "--dir", str(units), "--force")
    assert f"Đã ghi {path}" in forced
    assert path.read_text("utf-8") == cli.ok("service", "show")
    assert b"RestartSec=30" in path.read_bytes()


def test_the_timer_runs_daemon_once_and_both_verify(cli: Cli, tmp_path: Path) -> None:
    units = tmp_path / "units"
    out = cli.ok("service", "install", "--dir", str(units), "--timer")
    assert "systemctl enable --now ocop-once.timer" in out
    cli.ok("service", "install", "--dir", str(units))
    once, timer = units / ONCE, units / TIMER
    unit = check_structure(once)
    assert unit["Service"]["Type"] == "oneshot"
    assert exec_start(unit)[-2:] == ["daemon", "--once"]
    assert "exits with status 3" in once.read_text("utf-8")  # said in a comment
    assert "SuccessExitStatus" not in unit["Service"]
    ticks = check_structure(timer)
    assert ticks["Timer"]["OnUnitActiveSec"] == "10min"
    assert ticks["Timer"]["Unit"] == ONCE
    assert ticks["Install"]["WantedBy"] == "timers.target"
    # With the timer and the daemon in one folder, the steps say to use one or the other.
    again = cli.ok("service", "install", "--dir", str(units), "--timer")
    assert "systemctl disable --now ocop-daemon.service" in again
    verify([units / DAEMON, once, timer], tmp_path)
    # The unit's command, run as systemd would (with the settings of the environment file),
    # sweeps and drains an empty database and exits 0.
    home = tmp_path / "service-home"
    home.mkdir()
    env = cli.env | {"HOME": str(home), "OCOP_DATABASE": str(home / "ocop.db")}
    ran = subprocess.run(exec_start(unit), env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert (home / "ocop.db").exists()


def test_user_units_go_under_the_users_config_without_system_only_keys(
    cli: Cli, tmp_path: Path
) -> None:
    settings = tmp_path / "my settings.env"
    out = cli.ok("service", "install", "--user", "--env-file", str(settings))
    folder = tmp_path / ".config" / "systemd" / "user"
    path = folder / DAEMON
    assert f"Đã ghi {path}" in out
    assert "systemctl --user daemon-reload" in out
    assert "systemctl --user enable --now ocop-daemon.service" in out
    assert "loginctl enable-linger" in out
    assert f"ocop service show ocop.env > {settings}" in out
    unit = check_structure(path, user=True)
    service = unit["Service"]
    assert service["EnvironmentFile"] == str(settings)
    for key in ("User", "Group", "ProtectSystem", "PrivateTmp", "StateDirectory", "Environment"):
        assert key not in service, key
    assert "useradd" not in path.read_text("utf-8")  # the comment went with its line
    assert unit["Install"]["WantedBy"] == "default.target"
    cli.ok("service", "install", "--user", "--timer")
    once = check_structure(folder / ONCE, user=True)
    assert once["Service"]["EnvironmentFile"] == "%h/.config/ocop/ocop.env"
    verify([path, folder / ONCE, folder / TIMER], tmp_path, user=True)
    shown = cli.ok("service", "show", ONCE, "--user")
    assert shown == (folder / ONCE).read_text("utf-8")


def test_show_prints_the_units_and_the_example_settings(cli: Cli) -> None:
    daemon = cli.ok("service", "show")
    assert "[Service]" in daemon and "ExecStart=/" in daemon
    settings = cli.ok("service", "show", "ocop.env")
    names = {"OCOP_DATABASE", "OCOP_PLAN", "OCOP_SMTP_URL", "OCOP_MAIL_FROM"}
    assert all(f"#{name}=" in settings for name in names)
    unknown = cli("service", "show", "ocop.socket")
    assert unknown.code == 2


def test_an_unwritable_folder_is_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", "utf-8")
    result = cli("service", "install", "--dir", str(blocked / "units"))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    assert "không ghi được" in result.err


def test_the_command_falls_back_to_python_m_ocop_and_quotes_what_needs_it(
    tmp_path: Path,
) -> None:
    python = tmp_path / "my tools" / "python"
    assert command_line(str(tmp_path / "__main__.py"), str(python)) == [str(python), "-m", "ocop"]
    text = unit_text(DAEMON, command=[str(python), "-m", "ocop"])
    assert f'ExecStart="{python}" -m ocop daemon\n' in text
    percent = unit_text(ONCE, command=["/opt/50%/ocop"])
    assert "ExecStart=/opt/50%%/ocop daemon --once\n" in percent
    package_in_a_home = str(UNITS).startswith(("/home/", "/root/"))  # a checkout, editable
    assert ("ProtectHome=read-only\n" in percent) is package_in_a_home
    home = unit_text(DAEMON, command=["/home/lan/.venv/bin/ocop"])
    assert "ProtectHome=read-only\n" in home  # the program stays visible to the service
