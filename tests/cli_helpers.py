"""Running the installed ``ocop`` command in a subprocess, against a SQLite file in tmp_path.

HOME, XDG folders and ``OCOP_*`` variables are replaced in the child's environment, so a test
never reads or writes the real user's configuration or database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMMUNE, PROVINCE = "Lưu Vệ", "Thanh Hóa"


def ocop_command() -> str:
    """The ``ocop`` console script installed next to this Python."""
    beside = Path(sys.executable).with_name("ocop")
    found = str(beside) if beside.exists() else shutil.which("ocop")
    if not found:
        raise RuntimeError("the ocop console script is not installed: pip install -e '.[test]'")
    return found


@dataclass(frozen=True)
class Result:
    """What a run of ``ocop`` gave back."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.out)


class Cli:
    """``cli("list", "--json")`` runs ``ocop list --json`` in a clean environment."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "ocop.db"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OCOP_", "XDG_"))}
        self.env.update(HOME=str(home), OCOP_DATABASE=str(self.db), PYTHONIOENCODING="utf-8")

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            [ocop_command(), *args],
            env=self.env | (env or {}),
            cwd=self.home,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run, require exit status 0, return standard output."""
        result = self(*args, env=env)
        assert result.code == 0, f"ocop {' '.join(args)} → {result.code}\n{result.err}"
        return result.out

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """Run with ``--json`` and parse the output."""
        return json.loads(self.ok(*args, "--json", env=env))

    def users(self) -> None:
        """An administrator, officers of Lưu Vệ, another commune, the province and the centre,
        and a producer.

        Added through the library: they are the tests' setting, and `ocop user add` has tests
        of its own.
        """
        import ocop

        people = [
            ("root", "Quản trị", "admin", None, None),
            ("lan", "Lê Thị Lan", "commune_officer", COMMUNE, PROVINCE),
            ("binh", "Trần Bình", "commune_officer", "Quảng Yên", PROVINCE),
            ("hoa", "Nguyễn Hòa", "province_officer", None, PROVINCE),
            ("minhanh", "Cơ sở Minh Anh", "producer", COMMUNE, PROVINCE),
            ("tam", "Phạm Tâm", "central_officer", None, None),
        ]
        with ocop.open(f"sqlite:///{self.db}") as registry:
            for username, name, role, commune, province in people:
                registry.add_user(
                    {
                        "username": username,
                        "full_name": name,
                        "role": role,
                        "commune": commune,
                        "province": province,
                    }
                )


def environment(home: Path, database: str, **extra: str) -> dict[str, str]:
    """The environment of an ``ocop`` subprocess: this one's, less any OCOP_ or XDG_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCOP_", "XDG_"))}
    env.update(HOME=str(home), OCOP_DATABASE=database, PYTHONIOENCODING="utf-8", **extra)
    return env
