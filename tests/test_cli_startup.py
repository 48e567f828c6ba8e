"""Light commands start light: ``--help``, ``--version``, ``show`` and ``list`` must not import
APScheduler or jinja2 (``PYTHONPROFILEIMPORTTIME`` is ``-X importtime`` for a console script)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Cli

HEAVY = ("apscheduler", "jinja2")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    runner.ok("--as", "lan", "register", "--product", "Nem chua", "--set", "8", "--producer", "X")
    return runner


def _imported(stderr: str) -> set[str]:
    """Top-level package names in an import-time profile."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            names.add(module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["show", "1"], ["list"], ["show", "1", "--json"], ["user", "list"]],
)
def test_light_commands_do_not_import_the_scheduler_or_templates(cli: Cli, args: list[str]) -> None:
    result = cli(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.code == 0, result.err
    imported = _imported(result.err)
    assert "ocop" in imported  # the profile was captured
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    # --help and --version need no database and no models: SQLAlchemy and pydantic stay out.
    needs_database = args[0] not in ("--help", "--version")
    assert ("sqlalchemy" in imported) is needs_database
    assert ("pydantic" in imported) is needs_database


def test_version_and_python_m(cli: Cli) -> None:
    assert cli.ok("--version").startswith("ocop ")
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ocop", "--version"],
        env=cli.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == cli.ok("--version")
