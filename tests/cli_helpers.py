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
from datetime import UTC, datetime
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
        self.reader: str | None = None
        """Who reads when a call names no one (as OCOP_USER): every read needs an active user.
        ``--as`` in the arguments, or ``env={"OCOP_USER": …}``, overrides it."""

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        reader = {"OCOP_USER": self.reader} if self.reader else {}
        done = subprocess.run(
            [ocop_command(), *args],
            env=self.env | reader | (env or {}),
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

    def users(self, reader: str | None = "root") -> None:
        """An administrator, officers of Lưu Vệ, another commune, the province and the centre,
        and a producer; calls that name no user then read as ``reader`` (the administrator,
        who sees everything, unless told otherwise; ``None``: no one).

        Added through the library: they are the tests' setting, and `ocop user add` has tests
        of its own.
        """
        self.reader = reader
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


LUU_VE_PLAN = str(
    Path(__file__).resolve().parent.parent / "ocop" / "data" / "luu-ve-2026" / "plan.toml"
)
"""The shipped Lưu Vệ 2026 plan: named explicitly, as a commune names its own."""


def libfaketime() -> str:
    """The libfaketime library (Debian's ``faketime`` package), which ``.ci/run`` installs."""
    import glob

    import pytest

    for pattern in (
        "/usr/lib/*/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but libfaketime is missing: apt-get install faketime", pytrace=False)
    pytest.skip("libfaketime is missing: apt-get install faketime")


def at(env: dict[str, str], moment: datetime) -> dict[str, str]:
    """``env`` for children whose clock reads ``moment`` (aware) now, and then runs on.

    The machine's clock as the children see it, through libfaketime: the daemon has no option
    to move its clock, by design. The offset is fixed when this is called, so children run one
    after the other with the same ``env`` see time go forward, as on a real machine. An outer
    faketime (the CI's second pass) is overridden.
    """
    offset = (moment - _real_now()).total_seconds()
    return env | {
        # Ours alone: an inherited libfaketime would read the same variables anyway.
        "LD_PRELOAD": libfaketime(),
        "FAKETIME": f"{offset:+.3f}",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }


def _real_now() -> datetime:
    """The machine's clock, also under an outer libfaketime (whose offsets children ignore)."""
    if "libfaketime" not in os.environ.get("LD_PRELOAD", ""):
        return datetime.now(UTC)  # clock-ok: only an offset from it is used
    clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    seconds = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],  # clock-ok
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return datetime.fromtimestamp(float(seconds), UTC)


def vietnam(text: str) -> datetime:
    """``2026-07-18 08:30`` in Vietnam, as an aware datetime."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
