"""The sweep's due-row query over 100 000 and 1 000 000 dossiers, about 2 % due.

The subject is what ``advance()`` iterates: ``DossierStore.due(today, states=(rated,
recertification_due))``, keyset batches of 1000 rows turned into ``Dossier`` models. Its floor
is one raw ``sqlite3`` SELECT of the same rows through the ``next_due_on`` index. A second row
times the library's SQL alone (the same batched statements, rows fetched, no models) to show
where the time goes. Memory is the tracemalloc peak of one full iteration: it should not grow
with the number of dossiers.
"""

from __future__ import annotations

import sqlite3
import tracemalloc
from collections.abc import Callable
from contextlib import closing

from sqlalchemy import event

import ocop
from bench import data
from bench.context import Run
from bench.harness import Result, Target, alternate, per_op
from ocop import State
from ocop.storage.dossiers import DossierStore

__all__ = ["bench_due"]

STATES = (State.RATED, State.RECERTIFICATION_DUE)
# The index the schema keeps for sweeps, named so the plan cannot drift to another one.
FLOOR_SQL = (
    "SELECT * FROM ocop_dossiers INDEXED BY ix_ocop_dossiers_next_due_on "
    "WHERE next_due_on <= ? AND state IN ('rated', 'recertification_due')"
)


def _plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> str:
    """SQLite's query plan for ``sql``, on one line."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " / ".join(str(r[-1]) for r in rows)


def _library_sql(
    registry: ocop.Registry, store: DossierStore
) -> list[tuple[str, tuple[object, ...]]]:
    """The statements ``due()`` sends, with their parameters, captured from one full iteration."""
    sent: list[tuple[str, tuple[object, ...]]] = []

    def capture(conn: object, cursor: object, sql: str, params: object, *rest: object) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            sent.append((sql, tuple(params)))  # type: ignore[arg-type]

    event.listen(registry.database.engine, "before_cursor_execute", capture)
    try:
        for _ in store.due(data.TODAY, states=STATES):
            pass
    finally:
        event.remove(registry.database.engine, "before_cursor_execute", capture)
    return sent


def _case(run: Run, count: int) -> tuple[list[Result], float]:
    fixture = run.fixture(count, history=count <= 100_000)
    reps = run.reps if count <= 100_000 else max(2, run.reps - 2)
    registry = ocop.open(data.sqlite_url(fixture.path), clock=data.clock(), upgrade=False)
    store = DossierStore(registry.database)
    seen: list[int] = []

    def library() -> None:
        n = 0
        for _ in store.due(data.TODAY, states=STATES):
            n += 1
        seen.append(n)

    statements = _library_sql(registry, store)
    rows_sql, rows_params = next((q, p) for q, p in statements if "ocop_dossiers.body" in q)
    with closing(sqlite3.connect(fixture.path)) as conn:
        today = data.TODAY.isoformat()
        floor_rows: list[int] = []

        def floor() -> None:
            floor_rows.append(len(conn.execute(FLOOR_SQL, (today,)).fetchall()))

        def library_sql_only() -> None:
            for sql, params in statements:
                conn.execute(sql, params).fetchall()

        library()
        floor()
        run.log(f"due(): {reps} × each way over {count:,} dossiers")
        subject, floor_ms = alternate(
            reps, lambda: per_op(library, 1, 1e3), lambda: per_op(floor, 1, 1e3)
        )
        sql_only, _ = alternate(reps, lambda: per_op(library_sql_only, 1, 1e3), lambda: 0.0)
        plan = _plan(conn, rows_sql, rows_params)
        floor_plan = _plan(conn, FLOOR_SQL, (today,))
    if set(seen) != {fixture.due} or set(floor_rows) != {fixture.due}:
        raise RuntimeError(
            f"due() found {set(seen)}, the floor {set(floor_rows)}, {fixture.due} due"
        )
    peak = _peak(library)
    registry.close()
    label = f"{count:,}"
    results = [
        Result(
            name=f"due() {label} dossiers, {fixture.due:,} due",
            unit="ms",
            samples=subject,
            floor=f"raw sqlite3, one SELECT of the due rows through the index [{floor_plan}]",
            floor_samples=floor_ms,
            target=Target("ratio_max", 2),
            note=f"full iteration, Dossier models built; tracemalloc peak {peak:.1f} MB",
        ),
        Result(
            name=f"due() {label}: its SQL only",
            unit="ms",
            samples=sql_only,
            floor="the same raw indexed SELECT",
            floor_samples=floor_ms,
            note=f"the {len(statements)} statements due() sends, replayed with raw sqlite3, "
            f"rows fetched, no models [rows: {plan}]",
        ),
    ]
    return results, peak


def _peak(fn: Callable[[], None]) -> float:
    """The tracemalloc peak (MB) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def bench_due(run: Run) -> list[Result]:
    """The due-row query at 100 000 dossiers and (unless --quick) at 1 000 000."""
    small = run.scale(100_000, 20_000)
    results, small_peak = _case(run, small)
    if not run.million:
        results.append(
            Result(
                name="due() 1,000,000 dossiers",
                unit="",
                skipped="skipped under --quick / --no-million (builds ~0.9 GB in ~10 s)",
            )
        )
        return results
    big, big_peak = _case(run, 1_000_000)
    results.extend(big)
    results.append(
        Result(
            name="due() memory peak, 1M vs 100k",
            unit="MB",
            samples=[big_peak],
            floor=f"the tracemalloc peak over {small:,} dossiers",
            floor_samples=[small_peak],
            target=Target("ratio_max", 1.5),
            note="flat means the peak does not grow with the number of dossiers "
            "(10× the dossiers, 10× the due rows)",
        )
    )
    return results
