"""The change feed: ocop_history.txid orders committed transitions for readers in any process.

On PostgreSQL each history row records the id of the transaction that wrote it
(``pg_current_xact_id()``), and a statement trigger sends ``NOTIFY ocop_changes`` when one
commits; readers follow ``(txid, id)`` and only past the oldest transaction still running, so
a transaction that commits late is never skipped. SQLite has one writer at a time, so its ids
already commit in order and the column stays empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KEY = sa.BigInteger()


def upgrade() -> None:
    with op.batch_alter_table("ocop_history") as batch:
        batch.add_column(sa.Column("txid", _KEY, nullable=True))
    op.create_index("ix_ocop_history_feed", "ocop_history", ["txid", "id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE ocop_history ALTER COLUMN txid "
        "SET DEFAULT (pg_current_xact_id()::text::bigint)"
    )
    op.execute(
        """
        CREATE FUNCTION ocop_history_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('ocop_changes', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER ocop_history_notify AFTER INSERT ON ocop_history "
        "FOR EACH STATEMENT EXECUTE FUNCTION ocop_history_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ocop_history_notify ON ocop_history")
        op.execute("DROP FUNCTION IF EXISTS ocop_history_notify()")
    op.drop_index("ix_ocop_history_feed", table_name="ocop_history")
    with op.batch_alter_table("ocop_history") as batch:
        batch.drop_column("txid")
