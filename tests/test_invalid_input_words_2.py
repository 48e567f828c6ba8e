"""A database that cannot be used is said in the reader's language: the storage layer's
refusal carries the catalogue's sentence (``StorageUnavailable.text`` and ``values``), so
``explain("vi")`` has no English hint in it while the English ``message`` reads as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration

import ocop
from ocop.errors import StorageUnavailable


def test_a_locked_database_is_said_in_each_language(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    reg = ocop.open(f"sqlite:///{path}?timeout=0.05", clock=Clock())
    try:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageUnavailable) as refused:
                reg.register(registration(), actor=OFFICER)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        error = refused.value
        assert "is unavailable (" in error.message, error.message
        assert error.message.endswith(
            "another program holds the database; try again in a moment."
        ), error.message
        said_vi = error.explain("vi")
        assert said_vi.startswith("Cơ sở dữ liệu "), said_vi
        assert said_vi.endswith(
            "một chương trình khác đang giữ cơ sở dữ liệu; chờ một lát rồi làm lại."
        ), said_vi
        assert error.explain("en") == error.message
        assert reg.count() == 0  # nothing written
    finally:
        reg.close()
