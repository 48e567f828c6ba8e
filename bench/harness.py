"""What every benchmark shares: targets, results, repeated timing and the printed table.

A benchmark measures its subject and its floor in the same run, several times, alternating the
two so that a noisy neighbour or a warming disk cache hurts both alike. Each measurement is one
number in the result's unit (µs per operation, ms per run, MB, operations per second); the
table shows the median, the min–max and the median's ratio (or difference) to the floor's.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Result",
    "Target",
    "alternate",
    "format_table",
    "not_measured",
    "per_op",
    "timed",
]

Comparison = Literal["ratio_max", "ratio_min", "delta_max", "value_max"]


@dataclass(frozen=True)
class Target:
    """A target: at most (or at least) ``limit`` times the floor, ``limit`` above it, or a cap.

    ``ratio_max``: subject ≤ limit × floor (times, lower is better); ``ratio_min``: subject ≥
    limit × floor (throughputs, higher is better); ``delta_max``: subject − floor ≤ limit (in
    the result's unit); ``value_max``: subject ≤ limit, no floor.
    """

    comparison: Comparison
    limit: float

    def text(self, unit: str) -> str:
        """The target as the table prints it."""
        if self.comparison == "ratio_max":
            return f"≤ {self.limit:g}×"
        if self.comparison == "ratio_min":
            return f"≥ {self.limit:g}×"
        if self.comparison == "delta_max":
            return f"≤ +{self.limit:g} {unit}"
        return f"≤ {self.limit:g} {unit}"

    def met(self, value: float, floor: float | None) -> bool:
        """Whether ``value`` (the subject's median) meets the target against ``floor``'s."""
        if self.comparison == "value_max":
            return value <= self.limit
        if floor is None:
            raise ValueError("this target needs a floor")
        if self.comparison == "ratio_max":
            return value <= self.limit * floor
        if self.comparison == "ratio_min":
            return value >= self.limit * floor
        return value - floor <= self.limit


@dataclass
class Result:
    """One row of the table: a subject's measurements, its floor's, and the target."""

    name: str
    unit: str
    samples: list[float] = field(default_factory=list)
    floor: str | None = None
    floor_samples: list[float] = field(default_factory=list)
    target: Target | None = None
    note: str = ""
    skipped: str | None = None
    """Why this was not measured (then nothing else is printed for it)."""
    passed_override: bool | None = None
    """A verdict that is not a timing (e.g. "no machine built per dossier")."""

    @property
    def median(self) -> float:
        """The subject's median."""
        return statistics.median(self.samples)

    @property
    def floor_median(self) -> float | None:
        """The floor's median, if there is a floor."""
        return statistics.median(self.floor_samples) if self.floor_samples else None

    def comparison(self) -> str:
        """The median against the floor's: a ratio, or a difference for ``delta_max``."""
        floor = self.floor_median
        if floor is None or not self.samples:
            return ""
        if self.target is not None and self.target.comparison == "delta_max":
            return f"{self.median - floor:+.1f} {self.unit}"
        return f"{self.median / floor:.2f}×" if floor else "∞"

    def verdict(self) -> str:
        """PASS, MISS, or "" when there is no target."""
        if self.skipped is not None:
            return "not measured"
        if self.passed_override is not None:
            return "PASS" if self.passed_override else "MISS"
        if self.target is None or not self.samples:
            return ""
        return "PASS" if self.target.met(self.median, self.floor_median) else "MISS"


def not_measured(name: str, reason: str) -> Result:
    """A row for something that could not be measured in this run, with the reason."""
    return Result(name=name, unit="", skipped=reason)


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` takes, with the garbage collector held off during the call."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def per_op(fn: Callable[[], object], ops: int, scale: float = 1e6) -> float:
    """Time ``fn()`` (which performs ``ops`` operations) and return the cost of one, in µs."""
    return timed(fn) / ops * scale


def alternate(
    reps: int, subject: Callable[[], float], floor: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Measure ``subject`` and ``floor`` ``reps`` times each, alternating which goes first."""
    a: list[float] = []
    b: list[float] = []
    for i in range(reps):
        if i % 2:
            b.append(floor())
            a.append(subject())
        else:
            a.append(subject())
            b.append(floor())
    return a, b


def _num(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _row(result: Result) -> list[str]:
    if result.skipped is not None:
        return [result.name, f"not measured: {result.skipped}", "", "", "", "", ""]
    unit = result.unit
    median = f"{_num(result.median)} {unit}" if result.samples else ""
    spread = (
        f"{_num(min(result.samples))}–{_num(max(result.samples))}"
        if len(result.samples) > 1
        else ""
    )
    floor = result.floor_median
    floor_text = f"{_num(floor)} {unit}" if floor is not None else ""
    target = result.target.text(unit) if result.target is not None else ""
    return [result.name, median, spread, floor_text, result.comparison(), target, result.verdict()]


HEADERS = ["benchmark", "median", "min–max", "floor median", "vs floor", "target", "result"]


def format_table(results: Sequence[Result]) -> str:
    """The results as an aligned plain-text table, with floors and notes listed below it."""
    rows = [HEADERS, *(_row(r) for r in results)]
    # A skipped row's reason spans the columns after the name: keep it out of the widths.
    measured = [r for r, res in zip(rows[1:], results, strict=True) if res.skipped is None]
    widths = [max(len(row[i]) for row in [HEADERS, *measured]) for i in range(len(HEADERS))]
    lines = []
    for row in rows:
        if row[1].startswith("not measured"):
            lines.append(f"{row[0].ljust(widths[0])}  {row[1]}")
            continue
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if row is HEADERS:
            lines.append("  ".join("-" * w for w in widths))
    explained = [r for r in results if r.skipped is None and (r.floor or r.note)]
    if explained:
        lines.append("")
        lines.extend(_notes(explained))
    return "\n".join(lines)


def _notes(results: Iterable[Result]) -> list[str]:
    lines = []
    for r in results:
        parts = []
        if r.floor:
            parts.append(f"floor: {r.floor}")
        if r.note:
            parts.append(r.note)
        lines.append(f"  {r.name}: " + "; ".join(parts))
    return lines
