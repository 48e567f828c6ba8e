"""Shared fixtures: database URLs for SQLite and for a real PostgreSQL server.

The PostgreSQL server is started by the test run itself (see ``tests/pgserver.py``),
once per session. Without the server binaries, PostgreSQL tests are skipped locally
and fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import Clock
from pgserver import PostgresServer, PostgresUnavailable

import ocop


def pytest_report_header() -> str:
    """The clock the tests run on: ``.ci/run``'s second pass fakes it with libfaketime."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat(" ", "minutes")  # clock-ok: shown
    faked = (
        f" (libfaketime, FAKETIME={os.environ['FAKETIME']!r})" if "FAKETIME" in os.environ else ""
    )
    return f"clock: {now}{faked}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the server directly are ``postgres``-marked too (``-m 'not postgres'``)."""
    for item in items:
        if {"postgres_server", "postgres_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, stopped and deleted at the end."""
    try:
        server = PostgresServer()
    except PostgresUnavailable as err:
        missing = str(err)
    else:
        missing = ""
    if missing and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {missing}", pytrace=False)
    if missing:
        pytest.skip(f"PostgreSQL tests skipped: {missing}")
    with server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database for this test; returns its SQLAlchemy URL."""
    postgres_server.start()  # no-op unless an earlier test left it stopped
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]
    name = f"t_{slug}_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    yield url
    if postgres_server.is_running():
        postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file in this test's tmp_path; returns its SQLAlchemy URL."""
    return f"sqlite:///{tmp_path / 'ocop.db'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on both backends: the URL of a fresh SQLite or PostgreSQL database."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def clock() -> Clock:
    """A clock starting on 2 March 2026, moved by the test."""
    return Clock()


@pytest.fixture
def registry(db_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    """A registry on a fresh database of each backend, on the test's clock."""
    with ocop.open(db_url, clock=clock) as reg:
        yield reg


@pytest.fixture
def sqlite_registry(sqlite_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    """A registry on a fresh SQLite file, for tests where the backend does not matter."""
    with ocop.open(sqlite_url, clock=clock) as reg:
        yield reg
