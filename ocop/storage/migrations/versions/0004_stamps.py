"""The e-stamps issued (ocop_stamps): serial, dossier, key, certificate, who and when, scans.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ocop_stamps",
        sa.Column("serial", sa.String(20), primary_key=True),
        sa.Column("dossier_id", _KEY, sa.ForeignKey("ocop_dossiers.id"), nullable=False),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("certificate", sa.String(300), nullable=False),
        sa.Column("issued_by", sa.String(300), nullable=False),
        _when("issued_at", nullable=False),
        sa.Column("scans", sa.Integer, nullable=False),
        _when("first_scan_at"),
        _when("last_scan_at"),
    )
    op.create_index("ix_ocop_stamps_dossier_id", "ocop_stamps", ["dossier_id"])


def downgrade() -> None:
    op.drop_index("ix_ocop_stamps_dossier_id", table_name="ocop_stamps")
    op.drop_table("ocop_stamps")
