"""``ocop import`` of certified products at province scale, against a raw ``executemany``.

The file is what a province hands over: 20 000 certified products (``--quick``: 2 000) spread
over its communes, each with its producer's e-mail, issued over the last three years, imported
by a province officer. The subject is the installed command, in a subprocess, into a fresh
SQLite file holding only the officer. Its floor is the same rows (read back from what the
command wrote: dossiers, history, outbox) inserted with the bare ``sqlite3`` driver, one
``executemany`` per table in one transaction, into another fresh copy of that file.

``import-memory`` imports 350 000 rows (about 50 MB of CSV; ``--quick``: 50 000) and reports
the command's peak resident memory, which must stay flat.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import ocop
from bench import data
from bench.b_cli import _cli_missing, _environment, _peak_rss, _wall, ocop_command
from bench.context import Run
from bench.harness import Result, Target, alternate, timed

__all__ = ["bench_import", "bench_import_memory", "write_csv"]

PROVINCE = data.PROVINCES[0]
OFFICER = "can_bo_tinh"
COLUMNS = (
    "product_name",
    "product_set",
    "producer_name",
    "certificate_number",
    "stars",
    "issued_on",
    "commune",
    "province",
    "legal_representative",
    "address",
    "phone",
    "email",
)


def write_csv(path: Path, count: int) -> Path:
    """``count`` certified products of one province, as a CSV file an officer would import."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for n in range(1, count + 1):
            issued = data.TODAY - timedelta(days=30 + (n * 37) % 1000)
            writer.writerow(
                (
                    f"Sản phẩm OCOP số {n}",
                    1 + n % 26,
                    f"Cơ sở sản xuất số {n}",
                    f"{n}/QĐ-UBND",
                    3 + n % 2,
                    issued.strftime("%d/%m/%Y"),
                    data.COMMUNES[n % len(data.COMMUNES)],
                    PROVINCE,
                    f"Nguyễn Văn {n}",
                    f"Thôn {n % 40}, xã {data.COMMUNES[n % len(data.COMMUNES)]}",
                    f"09{n:08d}",
                    f"coso{n}@example.vn",
                )
            )
    return path


def _empty_database(path: Path) -> Path:
    """A fresh SQLite file at the current schema, holding only the importing officer."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with ocop.open(data.sqlite_url(path), clock=data.clock()) as registry:
        registry.add_user(
            {
                "username": OFFICER,
                "full_name": "Cán bộ tỉnh",
                "role": "province_officer",
                "province": PROVINCE,
            }
        )
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _table(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return columns, conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def _written(path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """What the import wrote, table by table, to insert again with the bare driver."""
    with closing(sqlite3.connect(path)) as conn:
        return {t: _table(conn, t) for t in ("ocop_dossiers", "ocop_history", "ocop_outbox")}


def _raw_insert(target: Path, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    with data.raw_sqlite(target) as conn:
        conn.execute("BEGIN IMMEDIATE")
        for table, (columns, values) in rows.items():
            if values:
                marks = ", ".join("?" * len(columns))
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
                )
        conn.execute("COMMIT")


def bench_import(run: Run) -> list[Result]:
    """``ocop import`` and ``--dry-run`` of 20 000 rows vs a raw executemany of the rows."""
    missing = _cli_missing(run, ["import", "--help"])
    if missing:
        return [not_measured_row(missing)]
    count = run.scale(20_000, 2_000)
    reps = run.scale(3, 2) if run.reps >= 3 else run.reps
    source = write_csv(run.path(f"import-{count}.csv"), count)
    empty = _empty_database(run.path("import-empty.db"))
    command, env = str(ocop_command()), _environment(run)
    target = run.path("import.db")

    def fresh() -> Path:
        return data.copy_db(empty, target)

    def subject(*extra: str) -> float:
        fresh()
        argv = [command, "--db", data.sqlite_url(target), "--as", OFFICER, "import"]
        return _wall([*argv, str(source), *extra], env) / 1e3

    run.log(f"ocop import of {count:,} rows: {reps} runs")
    imports = [subject()]
    rows = _written(target)
    if len(rows["ocop_dossiers"][1]) != count:
        raise RuntimeError(f"the import wrote {len(rows['ocop_dossiers'][1])} of {count} rows")

    def floor() -> float:
        fresh()
        return timed(lambda: _raw_insert(target, rows))

    more, floors = alternate(reps, subject, floor)
    imports += more
    imports = imports[1:] if len(imports) > reps else imports
    run.log(f"ocop import --dry-run of {count:,} rows: {reps} runs")
    dry = [subject("--dry-run") for _ in range(reps)]
    size = source.stat().st_size / 1e6
    written = ", ".join(f"{len(v[1]):,} {t.removeprefix('ocop_')}" for t, v in rows.items())
    return [
        Result(
            name=f"ocop import {count:,} rows",
            unit="s",
            samples=imports,
            target=Target("value_max", 10),
            note=f"a {size:.1f} MB CSV into a fresh SQLite file; wrote {written}",
        ),
        Result(
            name=f"ocop import {count:,} rows vs raw",
            unit="s",
            samples=imports,
            floor="raw sqlite3: the rows the import wrote, one executemany per table, one "
            "transaction",
            floor_samples=floors,
            target=Target("ratio_max", 3),
        ),
        Result(
            name=f"ocop import --dry-run {count:,} rows",
            unit="s",
            samples=dry,
            floor="the import itself",
            floor_samples=imports,
            target=Target("ratio_max", 1),
            note="every check, nothing written",
        ),
    ]


def not_measured_row(reason: str) -> Result:
    """The row printed when the import cannot be measured."""
    from bench.harness import not_measured

    return not_measured("ocop import", reason)


def bench_import_memory(run: Run) -> list[Result]:
    """``ocop import`` of 350 000 rows (about 50 MB): its peak resident memory and time."""
    missing = _cli_missing(run, ["import", "--help"])
    if missing:
        return [not_measured_row(missing)]
    count = run.scale(350_000, 50_000)
    source = write_csv(run.path(f"import-{count}.csv"), count)
    target = data.copy_db(_empty_database(run.path("import-empty.db")), run.path("import.db"))
    argv = [
        str(ocop_command()),
        "--db",
        data.sqlite_url(target),
        "--as",
        OFFICER,
        "import",
        str(source),
    ]
    run.log(f"ocop import of {count:,} rows ({source.stat().st_size / 1e6:.0f} MB), once")
    log = run.path("import.log")
    start = time.perf_counter()
    peak_kb, status = _peak_rss(argv, _environment(run), log, run.path("import.rss"))
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"ocop import failed ({status}): {log.read_text()[-500:]}")
    with closing(sqlite3.connect(target)) as conn:
        stored = conn.execute("SELECT count(*) FROM ocop_dossiers").fetchone()[0]
    return [
        Result(
            name=f"ocop import {count:,} rows: peak RSS",
            unit="MB",
            samples=[peak_kb / 1024],
            target=Target("value_max", 200),
            note=f"a {source.stat().st_size / 1e6:.0f} MB CSV, {stored:,} dossiers written "
            f"in {seconds:.1f} s",
        )
    ]
