"""``python -m bench``: every hot path measured against its floor, in one run.

Builds its own data in a temp folder, runs each benchmark several times and prints one table:
median, min–max, the floor measured in the same run, the ratio (or difference) to it, the
target and PASS or MISS. What cannot be measured in this checkout (no PostgreSQL binaries, no
CLI or daemon yet…) is printed as "not measured: <reason>".

    python -m bench                  # everything (a few minutes on 2 cores)
    python -m bench --quick          # smaller sizes and fewer repetitions (under a minute)
    python -m bench --only machine   # one benchmark (repeat --only for several)
    python -m bench --list           # the benchmarks' names
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.context import Run
from bench.harness import Result, format_table, not_measured

__all__ = ["BENCHMARKS", "main"]


@dataclass(frozen=True)
class Benchmark:
    """A named benchmark: the function that measures it, and what it measures."""

    name: str
    module: str
    function: str
    about: str

    def load(self) -> Callable[[Run], list[Result]]:
        """Import the benchmark's module (so one broken benchmark does not stop the others)."""
        import importlib

        fn: Callable[[Run], list[Result]] = getattr(
            importlib.import_module(self.module), self.function
        )
        return fn


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("fire", "bench.b_sqlite", "bench_fire", "fire() on SQLite vs raw sqlite3"),
    Benchmark("advance", "bench.b_sqlite", "bench_advance", "a sweep of 10 000 system transitions"),
    Benchmark(
        "postgres", "bench.b_postgres", "bench_postgres", "fire() on PostgreSQL, 1 and 2 processes"
    ),
    Benchmark("machine", "bench.b_machine", "bench_machine", "the state machine alone vs a dict"),
    Benchmark(
        "due",
        "bench.b_due",
        "bench_due",
        "the sweep's due-row query, 100 000 and 1 000 000 dossiers",
    ),
    Benchmark(
        "cli-start", "bench.b_cli", "bench_startup", "ocop --version / --help vs python -c pass"
    ),
    Benchmark("cli-read", "bench.b_cli", "bench_read", "ocop show / list on 100 000 dossiers"),
    Benchmark(
        "daemon", "bench.b_cli", "bench_daemon", "the daemon's memory after a sweep of 100 000"
    ),
    Benchmark("mail", "bench.b_mail", "bench_mail", "1 000 reminders to a loopback SMTP server"),
    Benchmark("web", "bench.b_web", "bench_web", "the public stamp page vs a bare Starlette page"),
    Benchmark(
        "import", "bench.b_import", "bench_import", "ocop import of 20 000 rows vs raw executemany"
    ),
    Benchmark(
        "import-memory",
        "bench.b_import",
        "bench_import_memory",
        "ocop import of 350 000 rows: peak memory",
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        choices=[b.name for b in BENCHMARKS],
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--no-million",
        action="store_true",
        help="skip the 1 000 000-dossier case of 'due' (always skipped under --quick)",
    )
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 5, quick 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and print it")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("-q", "--silent", action="store_true", help="no progress lines on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks chosen on the command line and print the table; returns 0."""
    args = _parser().parse_args(argv)
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:10}  {b.about}")
        return 0
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    run = Run(
        workdir=workdir,
        quick=args.quick,
        million=not (args.quick or args.no_million),
        reps=args.reps or (3 if args.quick else 5),
        verbose=not args.silent,
    )
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    try:
        for bench in chosen:
            run.log(f"== {bench.name}: {bench.about}")
            try:
                results.extend(bench.load()(run))
            except Exception as exc:  # one failure must not hide the other figures
                traceback.print_exc(file=sys.stderr)
                results.append(not_measured(bench.name, f"the benchmark failed: {exc!r}"))
    finally:
        if args.keep:
            print(f"temp folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(_header(run, elapsed, load_before, os.getloadavg()[0]))
    print(format_table(results))
    return 0


def _header(run: Run, elapsed: float, load_before: float, load_after: float) -> str:
    mode = "quick" if run.quick else "full"
    return (
        f"ocop bench ({mode}, {run.reps} repetitions): Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"run took {elapsed:.0f} s, load average {load_before:.1f} → {load_after:.1f} "
        "(other work on the machine skews the figures, the 2-process ones most)\n"
    )
