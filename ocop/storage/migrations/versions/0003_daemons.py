"""Daemon heartbeats (ocop_daemons) and a last day to send for outbox messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ocop_daemons",
        sa.Column("worker", sa.String(100), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("plan", sa.String(500)),
        sa.Column("transport", sa.String(500), nullable=False),
        _when("started_at", nullable=False),
        _when("beat_at", nullable=False),
        _when("swept_at"),
        _when("drained_at"),
        _when("stopped_at"),
    )
    with op.batch_alter_table("ocop_outbox") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ocop_outbox") as batch:
        batch.drop_column("expires_at")
    op.drop_table("ocop_daemons")
