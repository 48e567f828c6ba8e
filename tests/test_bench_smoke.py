"""The benchmark command still runs and prints its table (timings are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_machine_prints_the_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "machine", "--silent"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for column in ("benchmark", "median", "min–max", "floor median", "vs floor", "target"):
        assert column in out
    assert "machine: Engine.fire, check" in out
    assert "machine: built per dossier" in out
    assert "not measured: the benchmark failed" not in out
    # Every measured row ends in a verdict or is informational; none is left half-printed.
    # A row with a target ends in its verdict: the engine against the bare transitions trigger.
    rows = [line for line in out.splitlines() if line.startswith("machine: Engine.fire vs bare")]
    assert rows and all(line.rstrip().endswith(("PASS", "MISS")) for line in rows)
