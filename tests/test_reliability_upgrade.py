"""A database of the first schema (revision 0001), full of real data, upgraded by the installed
``ocop db upgrade``: every dossier, history row, message and user comes through unchanged, and
the upgraded database works for the next step.

The data is what the current library writes (a walk through registration, a return, a rating,
an import, notices, users), copied column by column into a database built at revision 0001 —
the columns 0001 has; ``tests/test_core_storage.py`` checks the library-level upgrade and that
migrations and models give one schema.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cli_helpers import Cli
from factories import OFFICER, Clock, registration, to_rated
from sqlalchemy import MetaData, select, text

import ocop
from ocop.storage import tables
from ocop.storage.database import Database
from ocop.storage.outbox import Outbox


def _walk(url: str) -> None:
    """A few dossiers, each somewhere else on its path, with their notices and the users."""
    with ocop.open(url, clock=Clock(date(2026, 3, 2))) as registry:
        for username, role, commune in (
            ("lan", "commune_officer", "Lưu Vệ"),
            ("hoa", "province_officer", None),
        ):
            registry.add_user(
                {
                    "username": username,
                    "full_name": username.title(),
                    "role": role,
                    "commune": commune,
                    "province": "Thanh Hóa",
                }
            )
        rated = registry.register(registration(product_name="Bánh răng bừa Nga My"), actor=OFFICER)
        to_rated(registry, rated.id)
        returned = registry.register(registration(product_name="Miến gạo Dung Tháp"), actor=OFFICER)
        registry.fire(returned.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02")
        registry.register(registration(product_name="Nem chua Minh Anh"), actor=OFFICER)
        registry.import_certified(
            registration(product_name="Chè xanh Lưu Vệ", product_set=11),
            certificate_number="123/QĐ-UBND",
            stars=4,
            issued_on="14/07/2023",
            actor=OFFICER,
        )


def _everything(url: str) -> dict[str, Any]:
    with ocop.open(url, upgrade=False) as registry:
        dossiers = registry.find()
        return {
            "dossiers": dossiers,
            "history": {d.id: registry.history(d.id) for d in dossiers},
            "outbox": Outbox(registry.database).find(limit=None, newest_first=False),
            "users": registry.users(),
        }


def _copy_into_0001(source: str, target: str) -> int:
    """Every row of ``source`` (newest schema) into ``target`` built at 0001; returns the count."""
    old = Database(target)
    old.upgrade("0001")
    assert not old.schema_is_current()
    new = Database(source)
    copied = 0
    with new.read() as src, old.write() as dst:
        reflected = MetaData()
        reflected.reflect(dst)
        for table in (tables.users, tables.dossiers, tables.history, tables.outbox):
            target_table = reflected.tables[table.name]
            keep = set(target_table.c.keys())
            rows = [
                {k: v for k, v in row._mapping.items() if k in keep}
                for row in src.execute(select(table).order_by(table.c.id))
            ]
            assert rows, table.name
            dst.execute(target_table.insert(), rows)
            copied += len(rows)
            if dst.dialect.name == "postgresql":
                # The rows came with their ids; the sequence goes on after them, as it would
                # had they been written here.
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                        f" (SELECT max(id) FROM {table.name}))"
                    )
                )
    old.close()
    new.close()
    return copied


def test_ocop_db_upgrade_brings_a_0001_database_to_the_newest_schema_with_every_row(
    db_url: str, tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    _walk(source)
    copied = _copy_into_0001(source, db_url)
    cli = Cli(tmp_path)
    env = {"OCOP_DATABASE": db_url, "OCOP_USER": "lan"}  # every read needs an active user
    if not db_url.startswith("sqlite"):
        # PostgreSQL is never upgraded behind its manager's back: commands say what to run.
        refused = cli("list", env=env)
        assert refused.code == 1 and "ocop db upgrade" in refused.err, refused.err
        assert len(refused.err.strip().splitlines()) == 1 and "Traceback" not in refused.err

    out = cli.ok("db", "upgrade", env=env)
    assert "đã cập nhật" in out
    assert Database(db_url).schema_is_current()
    assert cli.ok("db", "upgrade", env=env) == out  # again: nothing to do, nothing changed

    # Every row as the current code wrote it.
    assert _everything(db_url) == _everything(source)
    # What 0002 added works on the old rows: search without diacritics.
    found = cli.json("list", "--search", "banh rang", env=env)
    assert [d["product_name"] for d in found] == ["Bánh răng bừa Nga My"]
    assert cli.json("show", "1", env=env)["certificate"]["number"] == "GCN-01"
    # And the next step is taken on the upgraded database like on any other.
    cli.ok("--as", "lan", "resubmit", "2", env=env)
    history = cli.json("history", "2", env=env)
    assert [h["trigger"] for h in history] == ["register", "return_dossier", "resubmit"]
    print(f"upgrade: {copied} rows written under 0001, intact after `ocop db upgrade`")
