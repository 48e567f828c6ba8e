"""Who sent an outbox message again, in which role, and when (``ocop outbox retry``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ocop_outbox") as batch:
        batch.add_column(sa.Column("retried_by", sa.String(300)))
        batch.add_column(sa.Column("retried_role", sa.String(30)))
        batch.add_column(sa.Column("retried_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("ocop_outbox") as batch:
        batch.drop_column("retried_at")
        batch.drop_column("retried_role")
        batch.drop_column("retried_by")
