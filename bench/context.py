"""What a benchmark receives: the run's options, its temp folder and the shared fixtures."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import data

__all__ = ["Run"]


@dataclass
class Run:
    """One invocation of the bench: options, a temp folder, fixtures built once and shared."""

    workdir: Path
    quick: bool = False
    million: bool = True
    reps: int = 5
    verbose: bool = True
    _fixtures: dict[tuple[str, int], data.Fixture] = field(default_factory=dict)

    def log(self, message: str) -> None:
        """A progress line on stderr (the table goes to stdout)."""
        if self.verbose:
            print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def scale(self, full: int, quick: int) -> int:
        """``full``, or ``quick`` under ``--quick``."""
        return quick if self.quick else full

    def fixture(
        self, count: int, *, history: bool = True, mix: dict[str, int] | None = None
    ) -> data.Fixture:
        """A pristine SQLite file of ``count`` dossiers (built on first use, then reused)."""
        name = "mixed" if mix is None else "-".join(f"{k}{v}" for k, v in mix.items())
        key = (f"{name}{'' if history else '-nohist'}", count)
        if key not in self._fixtures:
            path = self.workdir / f"fixture-{key[0]}-{count}.db"
            self.log(f"building {count:,} dossiers ({key[0]})…")
            fixture = data.build(path, count, mix, history=history)
            self.log(f"built {count:,} dossiers in {fixture.seconds:.1f} s, {fixture.due:,} due")
            self._fixtures[key] = fixture
        return self._fixtures[key]

    def path(self, name: str) -> Path:
        """A path in the run's temp folder."""
        return self.workdir / name
