"""Alembic environment: runs on the connection that ``Database.upgrade`` hands over."""

from alembic import context
from sqlalchemy import Connection, create_engine

from ocop.storage.database import VERSION_TABLE
from ocop.storage.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the plain `alembic` command, with sqlalchemy.url in its ini file
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
