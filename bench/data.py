"""The benchmarks' data: SQLite files of any size, built fast and built by the library.

A handful of *template* dossiers are made through the public API (``register``, ``fire``,
``import_certified``), one per situation a real registry holds: rated with years left on the
certificate, rated with the re-rating window open (due), at the commune, at the province,
returned, withdrawn, expired… Then plain SQL copies them, with their history, into as many
dossiers as asked for (``INSERT … SELECT`` from a recursive counter, inside SQLite, so a million
rows take seconds). The rows are therefore exactly what the library writes, whatever columns the
schema has today, and about 2 % of the dossiers are due for the sweep.

Dates are relative to today in Vietnam, so the CLI and the daemon, which read the real clock,
see the same dossiers due as the benchmarks that pass a clock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ocop
from ocop import Actor, Role
from ocop.workdays import add_months

__all__ = [
    "MIX",
    "TODAY",
    "Fixture",
    "actor_for",
    "build",
    "clock",
    "copy_db",
    "registration",
    "sqlite_url",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY: date = datetime.now(VIETNAM).date()
PROVINCES = ("Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Lâm Đồng")
COMMUNES = ("Lưu Vệ", "Quảng Yên", "Hoằng Hóa", "Nga Sơn", "Tĩnh Gia", "Hậu Lộc")

# How many of every 100 dossiers are in each situation: 2 % are due for the sweep.
MIX: dict[str, int] = {
    "rated_due": 2,
    "rated": 38,
    "recertification_due": 5,
    "expired": 5,
    "revoked": 2,
    "registered": 15,
    "checked": 8,
    "commune_evaluated": 5,
    "submitted": 8,
    "not_recognized": 6,
    "returned": 3,
    "withdrawn": 3,
}


def clock() -> Callable[[], datetime]:
    """A clock stopped at 09:00 today in Vietnam, for registries the benchmarks open."""
    moment = datetime.combine(TODAY, clock_time(9), VIETNAM).astimezone(UTC)
    return lambda: moment


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def registration(n: int, *, email: bool = True) -> dict[str, Any]:
    """A valid Mẫu 01 for the ``n``-th product, spread over communes and provinces."""
    producer: dict[str, Any] = {"name": f"Cơ sở sản xuất số {n}"}
    if email:
        producer["email"] = f"coso{n}@example.vn"
    return {
        "product_name": f"Sản phẩm OCOP số {n}",
        "product_set": 1 + n % 26,
        "producer": producer,
        "commune": COMMUNES[n % len(COMMUNES)],
        "province": PROVINCES[n % len(PROVINCES)],
        "owner": f"coso{n}",
    }


def actor_for(reg: dict[str, Any], role: Role) -> Actor:
    """An officer (or the producer) entitled to act on the dossier registered with ``reg``."""
    if role is Role.PRODUCER:
        return Actor(reg["owner"], role)
    if role is Role.COMMUNE_OFFICER:
        return Actor("can_bo_xa", role, commune=reg["commune"], province=reg["province"])
    return Actor("can_bo_tinh", role, province=reg["province"])


def _template(registry: ocop.Registry, kind: str, n: int) -> int:
    """Make one dossier in situation ``kind`` through the public API; returns its id."""
    data = registration(n)
    officer = actor_for(data, Role.COMMUNE_OFFICER)
    province = actor_for(data, Role.PROVINCE_OFFICER)
    rules = registry.rule_set()
    system = Actor.system()

    def certified(expires: date) -> int:
        issued = add_months(expires, -rules.certificate_months)
        dossier = registry.import_certified(
            data,
            certificate_number=f"GCN-{n}",
            stars=3 + n % 2,
            issued_on=issued,
            actor=officer,
        )
        return dossier.id

    opens = rules.recertification_opens_days
    if kind == "rated_due":  # the re-rating window opened a few days ago
        return certified(TODAY + timedelta(days=opens - 3 - n % 20))
    if kind == "rated":
        return certified(TODAY + timedelta(days=opens + 30 + (n * 37) % 700))
    if kind == "recertification_due":
        dossier_id = certified(TODAY + timedelta(days=opens // 2))
        registry.fire(dossier_id, "flag_recertification", actor=system)
        return dossier_id
    if kind == "expired":
        dossier_id = certified(TODAY - timedelta(days=rules.grace_after_expiry_days + 10))
        registry.fire(dossier_id, "expire", actor=system)
        return dossier_id
    if kind == "revoked":
        dossier_id = certified(TODAY + timedelta(days=400))
        ground = next(iter(rules.revocation_grounds))
        registry.fire(dossier_id, "revoke", actor=province, ground=ground)
        return dossier_id
    dossier_id = registry.register(data, actor=officer).id
    path = ["checked", "commune_evaluated", "submitted", "not_recognized"]
    if kind == "returned":
        registry.fire(dossier_id, "return_dossier", actor=officer, reason="Thiếu Mẫu 02")
    elif kind == "withdrawn":
        registry.fire(dossier_id, "withdraw", actor=actor_for(data, Role.PRODUCER))
    elif kind in path:
        steps: list[tuple[str, Actor, dict[str, Any]]] = [
            ("check", officer, {"documents": list(rules.required_documents), "samples": 5}),
            ("evaluate", officer, {"criteria": dict.fromkeys(rules.commune_criteria, "Đạt")}),
            ("submit", officer, {"letter_number": f"{n}/UBND", "letter_date": TODAY.isoformat()}),
            ("rate", province, {"a": 10, "b": 10, "c": 10, "certificate_number": f"GCN-{n}"}),
        ]
        for trigger, actor, fields in steps[: path.index(kind) + 1]:
            registry.fire(dossier_id, trigger, actor=actor, **fields)
    elif kind != "registered":
        raise ValueError(f"unknown situation {kind!r}")
    return dossier_id


@dataclass(frozen=True)
class Fixture:
    """A pristine SQLite file of ``count`` dossiers; copy it before writing to it."""

    path: Path
    count: int
    due: int
    """How many dossiers the sweep will find due today."""
    seconds: float
    """How long the build took."""


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def build(
    path: Path, count: int, mix: dict[str, int] | None = None, *, history: bool = True
) -> Fixture:
    """Build ``count`` dossiers in a new SQLite file at ``path`` (``mix`` as in :data:`MIX`).

    ``history`` copies each template's history rows too (about three per dossier).
    """
    start = time.perf_counter()
    mix = mix or MIX
    slots: list[int] = []  # template id for each of the 100 (or sum(mix)) slots
    with ocop.open(sqlite_url(path), clock=clock()) as registry:
        n = 0
        for kind, weight in mix.items():
            for _ in range(weight):
                n += 1
                slots.append(_template(registry, kind, n))
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        _replicate(conn, slots, count, history)
        due = conn.execute(
            "SELECT count(*) FROM ocop_dossiers WHERE next_due_on <= ? AND state IN (?, ?)",
            (TODAY.isoformat(), "rated", "recertification_due"),
        ).fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Fixture(path, count, due, time.perf_counter() - start)


def _replicate(conn: sqlite3.Connection, slots: Sequence[int], count: int, history: bool) -> None:
    """Copy the template dossiers (ids in ``slots``) round-robin up to ``count`` dossiers."""
    templates = len(slots)
    extra = count - templates
    if extra < 0:
        raise ValueError(f"need at least {templates} dossiers, got {count}")
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE slot (n INTEGER PRIMARY KEY, template INTEGER NOT NULL)")
    conn.executemany("INSERT INTO slot VALUES (?, ?)", enumerate(slots))
    conn.execute("CREATE TEMP TABLE tpl AS SELECT * FROM ocop_dossiers")
    base = conn.execute("SELECT max(id) FROM ocop_dossiers").fetchone()[0]
    columns = [c for c in _columns(conn, "ocop_dossiers") if c != "id"]
    # Copies get a name of their own (and its search form, if the schema keeps one).
    named = {"product_name": "t.product_name || ' #' || q.n"}
    if "search_key" in columns:
        named["search_key"] = "t.search_key || ' #' || q.n"
    picked = ", ".join(named.get(c, f"t.{c}") for c in columns)
    counter = "WITH RECURSIVE q(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM q WHERE n < :extra) "
    conn.execute(
        counter
        + f"INSERT INTO ocop_dossiers (id, {', '.join(columns)}) "
        + f"SELECT :base + q.n, {picked} FROM q "
        + f"JOIN slot s ON s.n = q.n % {templates} JOIN tpl t ON t.id = s.template",
        {"extra": extra, "base": base},
    )
    if history:
        hcols = [c for c in _columns(conn, "ocop_history") if c not in ("id", "dossier_id")]
        conn.execute(
            counter
            + f"INSERT INTO ocop_history (dossier_id, {', '.join(hcols)}) "
            + f"SELECT :base + q.n, {', '.join('h.' + c for c in hcols)} FROM q "
            + f"JOIN slot s ON s.n = q.n % {templates} "
            + "JOIN ocop_history h ON h.dossier_id = s.template",
            {"extra": extra, "base": base},
        )
    conn.execute("DROP TABLE tpl")
    conn.execute("DROP TABLE slot")
    conn.execute("COMMIT")


def copy_db(source: Path, target: Path) -> Path:
    """Copy a SQLite database to ``target`` (a consistent snapshot, WAL included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@contextmanager
def raw_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A bare ``sqlite3`` connection set up as the library sets up its own (WAL, NORMAL sync)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        yield conn
    finally:
        conn.close()
