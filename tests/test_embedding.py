"""A host application's engine and transaction: its rows and ocop's commit or roll back together."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from factories import OFFICER, Clock, registration

import ocop

pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")

HOST = sa.MetaData()
PORTAL_LOG = sa.Table(
    "portal_log",
    HOST,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("note", sa.String(200), nullable=False),
)


class Abandoned(Exception):
    """The host's own reason to roll its transaction back."""


@pytest.fixture
def host(db_url: str) -> sa.Engine:
    engine = sa.create_engine(db_url)
    HOST.create_all(engine)
    yield engine
    engine.dispose()


def _counts(engine: sa.Engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("portal_log", "ocop_dossiers", "ocop_history", "ocop_outbox")
        )


def test_the_hosts_rows_and_ocops_commit_together(host: sa.Engine, clock: Clock) -> None:
    registry = ocop.open(engine=host, clock=clock)
    with host.begin() as conn:
        conn.execute(PORTAL_LOG.insert().values(note="hồ sơ nhận qua cổng"))
        inside = registry.within(conn)
        dossier = inside.register(registration(), actor=OFFICER)
        inside.fire(dossier.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
        # Inside the transaction the registry reads its own writes.
        assert inside.get(dossier.id).state.value == "checked"
    logged, dossiers, history, outbox = _counts(host)
    assert (logged, dossiers) == (1, 1)
    assert history == 2  # registered, checked
    assert outbox >= 1  # the producer hears that the dossier was accepted
    assert registry.get(dossier.id).state.value == "checked"
    registry.close()
    # Closing the registry leaves the host's engine working.
    assert _counts(host)[0] == 1


def test_a_host_rollback_takes_ocops_writes_with_it(host: sa.Engine, clock: Clock) -> None:
    registry = ocop.open(engine=host, clock=clock)
    before = _counts(host)
    with pytest.raises(Abandoned), host.begin() as conn:
        conn.execute(PORTAL_LOG.insert().values(note="sẽ bị hủy"))
        inside = registry.within(conn)
        dossier = inside.register(registration(), actor=OFFICER)
        inside.fire(dossier.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
        raise Abandoned
    assert _counts(host) == before == (0, 0, 0, 0)
    assert registry.count() == 0
    registry.close()


def test_a_refused_step_inside_leaves_the_hosts_transaction_usable(
    host: sa.Engine, clock: Clock
) -> None:
    registry = ocop.open(engine=host, clock=clock)
    with host.begin() as conn:
        inside = registry.within(conn)
        dossier = inside.register(registration(), actor=OFFICER)
        with pytest.raises(ocop.OcopError):
            inside.fire(dossier.id, "evaluate", actor=OFFICER)  # not checked yet
        conn.execute(PORTAL_LOG.insert().values(note="vẫn ghi được"))
    assert _counts(host)[:3] == (1, 1, 1)
    registry.close()
