"""``fire()`` on PostgreSQL from 1 and 2 processes vs raw psycopg doing the same statements.

A throw-away server is started with the test suite's ``tests/pgserver.py`` (as an unprivileged
user when run as root). Each process fires on dossiers of its own, so the processes never
contend for a row: the question is whether the library's per-transition cost lets a second
process add throughput, and how far the library is from the bare driver.

The worker processes are started once (``spawn``) and take orders over a pipe; a run is timed
inside each worker between a "go" and the last commit, and the wall time of a run with two
workers is the slower worker's.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.context import Run
from bench.harness import Result, Target, not_measured

__all__ = ["bench_postgres"]

TESTS = Path(__file__).resolve().parent.parent / "tests"
DOSSIERS_PER_WORKER = 20


def _worker(pipe: Connection, url: str, dsn: str) -> None:
    """A worker process: fires with the library or with raw psycopg on command.

    Orders: ``("setup", officers, raw_ids)``, then ``("run", "lib" | "raw", ops)`` answered by
    "ready", then "go" answered by the seconds taken; ``("stop",)`` ends it. A failure is sent
    back as ``("error", traceback)`` so that the parent can show it.
    """
    import traceback

    import psycopg
    from psycopg.types.json import Jsonb

    import ocop
    from bench import data
    from bench.b_sqlite import LibraryFlips, RawFlips
    from bench.raw import RawFire
    from ocop.notifications.notices import default_notices

    registry = ocop.open(url, clock=data.clock(), notices=default_notices, upgrade=False)
    conn = psycopg.connect(dsn, autocommit=True)
    raw_fire = RawFire(
        conn, style="format", json_param=Jsonb, stamp=lambda moment: moment, begin_write="BEGIN"
    )
    flips: dict[str, LibraryFlips | RawFlips] = {}
    try:
        while True:
            order = pipe.recv()
            if order[0] == "stop":
                return
            if order[0] == "setup":
                flips["lib"] = LibraryFlips(registry, order[1])
                flips["raw"] = RawFlips(raw_fire, order[2], data.clock()())
                for flip in flips.values():
                    flip.run(20)  # warm up caches and prepared statements
                pipe.send("ready")
                continue
            _, which, ops = order
            pipe.send("ready")
            pipe.recv()  # "go"
            start = time.perf_counter()
            flips[which].run(ops)
            pipe.send(time.perf_counter() - start)
    except BaseException:
        pipe.send(("error", traceback.format_exc()))
    finally:
        registry.close()
        conn.close()


def _answer(pipe: Connection) -> Any:
    """A worker's answer; its traceback raised here if it failed."""
    answer = pipe.recv()
    if isinstance(answer, tuple) and answer[0] == "error":
        raise RuntimeError(f"a PostgreSQL worker failed:\n{answer[1]}")
    return answer


@contextmanager
def _server(run: Run) -> Iterator[Any]:
    sys.path.insert(0, str(TESTS))
    try:
        from pgserver import PostgresServer, PostgresUnavailable
    finally:
        sys.path.remove(str(TESTS))
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        raise _Unavailable(str(exc)) from None
    run.log("starting a PostgreSQL server…")
    with server:
        yield server


class _Unavailable(Exception):
    pass


def _registered(url: str, count: int, offset: int) -> dict[int, Any]:
    import ocop
    from bench import data
    from ocop import Role

    officers = {}
    with ocop.open(url, clock=data.clock(), upgrade=False) as registry:
        for n in range(offset, offset + count):
            reg = data.registration(n)
            officer = data.actor_for(reg, Role.COMMUNE_OFFICER)
            officers[registry.register(reg, actor=officer).id] = officer
    return officers


def bench_postgres(run: Run) -> list[Result]:
    """``fire()`` on PostgreSQL with 1 and 2 processes vs raw psycopg."""
    try:
        with _server(run) as server:
            return _measure(run, server)
    except _Unavailable as exc:
        return [not_measured("fire() PostgreSQL", str(exc))]


def _measure(run: Run, server: Any) -> list[Result]:
    import ocop

    url = server.create_database("bench")
    dsn = server.dsn("bench")
    ocop.open(url).close()  # the schema
    ops = run.scale(1000, 200)
    context = mp.get_context("spawn")
    workers: list[tuple[Any, Connection]] = []
    try:
        for _ in range(2):
            parent, child = context.Pipe()
            process = context.Process(target=_worker, args=(child, url, dsn), daemon=True)
            process.start()
            workers.append((process, parent))
        for w, (_, pipe) in enumerate(workers):
            officers = _registered(url, DOSSIERS_PER_WORKER, 1000 * w)
            raw_ids = list(_registered(url, DOSSIERS_PER_WORKER, 1000 * w + 500))
            pipe.send(("setup", officers, raw_ids))
        for _, pipe in workers:
            _answer(pipe)
        run.log(f"PostgreSQL: {run.reps} × {ops} transitions per process, 1 and 2 processes")

        def timed_run(which: str, processes: int) -> float:
            """Wall seconds for ``processes`` workers to fire ``ops`` transitions each."""
            chosen = [pipe for _, pipe in workers[:processes]]
            for pipe in chosen:
                pipe.send(("run", which, ops))
            for pipe in chosen:
                _answer(pipe)
            for pipe in chosen:
                pipe.send("go")
            return max(float(_answer(pipe)) for pipe in chosen)

        samples: dict[tuple[str, int], list[float]] = {}
        order = [("lib", 1), ("raw", 1), ("lib", 2), ("raw", 2)]
        for rep in range(run.reps):
            for which, processes in order if rep % 2 == 0 else reversed(order):
                seconds = timed_run(which, processes)
                samples.setdefault((which, processes), []).append(seconds)
    finally:
        for process, pipe in workers:
            with suppress(Exception):
                pipe.send(("stop",))
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def us_per_op(which: str, processes: int) -> list[float]:
        return [s / (ops * processes) * 1e6 for s in samples[(which, processes)]]

    def throughput(which: str, processes: int) -> list[float]:
        return [ops * processes / s for s in samples[(which, processes)]]

    floor_text = (
        "raw psycopg 3, same statements: SELECT the row; BEGIN; UPDATE … WHERE id AND version; "
        "INSERT history; INSERT outbox … RETURNING; COMMIT"
    )
    return [
        Result(
            name="fire() PostgreSQL, 1 process",
            unit="µs",
            samples=us_per_op("lib", 1),
            floor=floor_text,
            floor_samples=us_per_op("raw", 1),
            target=Target("ratio_max", 2),
            note=f"{ops} transitions per run, one outbox notice each",
        ),
        Result(
            name="fire() PostgreSQL, 2 processes",
            unit="µs",
            samples=us_per_op("lib", 2),
            floor="raw psycopg, 2 processes",
            floor_samples=us_per_op("raw", 2),
            target=Target("ratio_max", 2),
            note="wall time per transition (both processes together), dossiers disjoint",
        ),
        Result(
            name="fire() PostgreSQL, 2 vs 1 process",
            unit="tx/s",
            samples=throughput("lib", 2),
            floor="the library's throughput with 1 process",
            floor_samples=throughput("lib", 1),
            target=Target("ratio_min", 1.6),
            note="2 cores run both clients and the server",
        ),
        Result(
            name="raw psycopg, 2 vs 1 process",
            unit="tx/s",
            samples=throughput("raw", 2),
            floor="raw psycopg's throughput with 1 process",
            floor_samples=throughput("raw", 1),
            note="for reference: how the bare driver scales on this machine",
        ),
    ]
