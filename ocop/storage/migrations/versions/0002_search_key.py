"""Search without diacritics: ocop_dossiers.search_key, filled from the product names.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_dossiers = sa.table(
    "ocop_dossiers",
    sa.column("id", sa.Integer),
    sa.column("product_name", sa.String),
    sa.column("search_key", sa.String),
)


def fold(text: str) -> str:
    """The search key as this revision defines it (a copy: a migration never imports live code,
    which may change after it)."""
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    return stripped.replace("đ", "d").replace("Đ", "d").casefold().strip()


def upgrade() -> None:
    with op.batch_alter_table("ocop_dossiers") as batch:
        batch.add_column(sa.Column("search_key", sa.String(300), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_dossiers.c.id, _dossiers.c.product_name)).all()
    if rows:
        conn.execute(
            _dossiers.update()
            .where(_dossiers.c.id == sa.bindparam("key"))
            .values(search_key=sa.bindparam("folded")),
            [{"key": row.id, "folded": fold(row.product_name)} for row in rows],
        )
    with op.batch_alter_table("ocop_dossiers") as batch:
        batch.alter_column("search_key", existing_type=sa.String(300), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("ocop_dossiers") as batch:
        batch.drop_column("search_key")
