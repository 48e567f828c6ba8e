"""Storage beyond the contract: the schema the migrations build, SQLite settings, outages."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from factories import OFFICER, Clock, registration
from sqlalchemy import bindparam, text

import ocop
from ocop import InvalidInput, StorageUnavailable
from ocop.errors import SchemaNotCurrent
from ocop.storage import tables
from ocop.storage.database import VERSION_TABLE, Database
from ocop.storage.tables import metadata
from ocop.workflow.registry import Registry


def test_the_migrations_build_exactly_the_tables_of_the_code(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    assert db.schema_is_current()
    with db.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        diffs = compare_metadata(context, metadata)
    db.close()
    assert diffs == []


def test_upgrade_is_idempotent_and_keeps_data(db_url: str, clock: Clock) -> None:
    with ocop.open(db_url, clock=clock) as reg:
        d = reg.register(registration(), actor=OFFICER)
        reg.upgrade()
        assert reg.get(d.id) == d


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    with ocop.open(sqlite_url) as reg, reg.database.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://u@h/db", "oracle+cx://u@h/db", "postgresql+nodriver://u@h/db"]
)
def test_a_bad_database_url_is_invalid_input(url: str) -> None:
    with pytest.raises(InvalidInput):
        ocop.open(url)


def test_a_missing_folder_is_storage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable, match="folder does not exist"):
        ocop.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'ocop.db'}")


def test_a_read_only_database_refuses_writes_and_changes_nothing(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "ocop.db"
    with ocop.open(f"sqlite:///{path}", clock=clock) as reg:
        d = reg.register(registration(), actor=OFFICER)
    if os.geteuid() == 0:
        # root ignores file permissions; SQLite's own read-only mode shows the same path.
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        path.chmod(stat.S_IRUSR)
        url = f"sqlite:///{path}"
    with ocop.open(url, clock=clock, upgrade=False) as reg:
        with pytest.raises(StorageUnavailable, match=r"read-only|readonly"):
            reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
        assert reg.get(d.id).version == 1


def test_a_locked_database_is_storage_unavailable(sqlite_url: str, clock: Clock) -> None:
    with ocop.open(sqlite_url, clock=clock) as reg:
        d = reg.register(registration(), actor=OFFICER)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        reg = Registry(Database(sqlite_url, busy_timeout=0.2), clock=clock)
        with pytest.raises(StorageUnavailable, match="another program holds the database"):
            reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert reg.get(d.id).version == 1
    reg.close()


def test_a_schema_that_was_never_created_says_so(db_url: str) -> None:
    # The library names no command; the CLI adds `ocop db upgrade` (test_cli_workflow).
    with (
        ocop.open(db_url, upgrade=False) as reg,
        pytest.raises(SchemaNotCurrent, match="no up-to-date ocop schema; upgrade it first"),
    ):
        reg.get(1)


def test_tables_carry_the_ocop_prefix(sqlite_url: str) -> None:
    with ocop.open(sqlite_url) as reg, reg.database.read() as conn:
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
        assert all(name.startswith("ocop_") for name in names)


def test_a_database_of_the_first_schema_is_upgraded_with_its_data(db_url: str) -> None:
    """Dossiers written under revision 0001 keep every field and become searchable."""
    db = Database(db_url)
    db.upgrade("0001")
    assert not db.schema_is_current()
    now = datetime(2026, 3, 2, tzinfo=UTC)
    body = {"producer": {"name": "Cơ sở Nga My"}, "documents": [], "samples": 0}
    with db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO ocop_dossiers (product_name, product_set, kind, state, cycle,"
                " rule_set, version, commune, province, registered_at, created_at, updated_at,"
                " body) VALUES (:name, 6, 'first', 'registered', 1, 'qd26-2026', 1, :commune,"
                " 'Thanh Hóa', :now, :now, :now, :body)"
            ).bindparams(bindparam("body", type_=tables.dossiers.c.body.type)),
            {"name": "Bánh răng bừa Nga My", "commune": "Lưu Vệ", "now": now, "body": body},
        )
    db.upgrade()
    assert db.schema_is_current()
    reg = Registry(db)
    [dossier] = reg.find(search="banh rang")
    assert (dossier.product_name, dossier.commune, dossier.producer.name) == (
        "Bánh răng bừa Nga My",
        "Lưu Vệ",
        "Cơ sở Nga My",
    )
    db.close()
