"""The test PostgreSQL server and the database URL fixtures work as promised."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from pgserver import PostgresServer


def _scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar()
    finally:
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_server_answers_through_sqlalchemy_and_psycopg(postgres_url: str) -> None:
    url = sa.make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    assert _scalar(postgres_url, "select 1") == 1
    assert str(_scalar(postgres_url, "show server_version")).split(".")[0].isdigit()
    assert _scalar(postgres_url, "select current_database()") == url.database
    assert _tables(postgres_url) == []


def test_fresh_databases_are_isolated(postgres_url: str, postgres_server: PostgresServer) -> None:
    other_url = postgres_server.create_database(f"t_other_{uuid.uuid4().hex[:8]}")
    assert other_url != postgres_url
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("create table dossier (id int primary key)"))
        conn.execute(sa.text("insert into dossier values (1)"))
    engine.dispose()
    assert _tables(postgres_url) == ["dossier"]
    assert _tables(other_url) == []
    postgres_server.drop_database(sa.make_url(other_url).database or "")


def test_stop_then_start_keeps_data_and_port(postgres_server: PostgresServer) -> None:
    # A server of its own, so the shared one stays up for the other tests.
    with PostgresServer(bindir=postgres_server.bindir) as server:
        url = server.create_database("persist")
        port = server.port
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (v text)"))
            conn.execute(sa.text("insert into t values ('kept')"))
        engine.dispose()

        server.stop()
        assert not server.is_running()
        with pytest.raises(sa.exc.OperationalError):
            _scalar(url, "select 1")

        server.start()
        assert server.is_running()
        assert server.port == port
        assert server.url("persist") == url
        assert _scalar(url, "select v from t") == "kept"

        # A crash right after a commit: the server must recover the commit from its WAL.
        with engine.begin() as conn:
            conn.execute(sa.text("insert into t values ('committed before crash')"))
        engine.dispose()
        server.stop(mode="immediate")
        server.start()
        assert _scalar(url, "select count(*) from t") == 2
        data_dir = server.data_dir
    assert not data_dir.exists()


def test_sqlite_url_is_a_file_in_tmp_path(sqlite_url: str, tmp_path: object) -> None:
    assert sqlite_url.startswith("sqlite:///")
    assert str(tmp_path) in sqlite_url
    assert _scalar(sqlite_url, "select 1") == 1


def test_db_url_runs_on_both_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    assert (
        sa.make_url(db_url).get_backend_name()
        == {"sqlite": "sqlite", "postgres": "postgresql"}[backend]
    )
    assert _tables(db_url) == []
    assert _scalar(db_url, "select 1") == 1
