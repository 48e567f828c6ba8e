"""The first schema: dossiers, history, outbox, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ocop_dossiers",
        sa.Column("id", _KEY, primary_key=True, autoincrement=True),
        sa.Column("product_name", sa.String(300), nullable=False),
        sa.Column("product_set", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("rule_set", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("commune", sa.String(300), nullable=False),
        sa.Column("province", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(300)),
        _when("registered_at"),
        _when("created_at"),
        _when("updated_at"),
        sa.Column("next_due_on", sa.Date),
        sa.Column("next_due", sa.String(40)),
        sa.Column("cert_number", sa.String(300)),
        sa.Column("cert_stars", sa.Integer),
        sa.Column("cert_expires_on", sa.Date),
        sa.Column("body", _JSON, nullable=False),
    )
    op.create_index("ix_ocop_dossiers_next_due_on", "ocop_dossiers", ["next_due_on"])
    op.create_index("ix_ocop_dossiers_state", "ocop_dossiers", ["state"])
    op.create_index("ix_ocop_dossiers_commune_state", "ocop_dossiers", ["commune", "state"])
    op.create_table(
        "ocop_history",
        sa.Column("id", _KEY, primary_key=True, autoincrement=True),
        sa.Column("dossier_id", _KEY, sa.ForeignKey("ocop_dossiers.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(30)),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("payload", _JSON, nullable=False),
        sa.UniqueConstraint("dossier_id", "version", name="uq_ocop_history_dossier_version"),
    )
    op.create_table(
        "ocop_outbox",
        sa.Column("id", _KEY, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("dossier_id", _KEY, sa.ForeignKey("ocop_dossiers.id")),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("context", _JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _when("next_attempt_at"),
        sa.Column("last_error", sa.Text),
        _when("created_at"),
        _when("sent_at", nullable=True),
        sa.Column("claimed_by", sa.String(100)),
        _when("claimed_at", nullable=True),
    )
    op.create_index("ix_ocop_outbox_status_next", "ocop_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "ocop_users",
        sa.Column("id", _KEY, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("full_name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("commune", sa.String(300)),
        sa.Column("province", sa.String(300)),
        sa.Column("active", sa.Boolean, nullable=False),
        _when("created_at"),
    )


def downgrade() -> None:
    for table in ("ocop_users", "ocop_outbox", "ocop_history", "ocop_dossiers"):
        op.drop_table(table)
