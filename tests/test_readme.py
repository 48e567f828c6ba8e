"""The README's library snippet runs as written, on a fresh database, and prints what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_library_snippet_runs_as_written_on_a_fresh_database(tmp_path: Path) -> None:
    section = README.read_text("utf-8").split("## The library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    snippet = code.group(1)
    expected = re.search(r"^\s*# (.+)$", snippet.strip().splitlines()[-1])
    assert expected is not None
    done = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected.group(1)
    assert (tmp_path / "luuve.db").is_file()
