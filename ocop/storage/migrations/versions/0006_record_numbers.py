"""The numbers of the record (QĐ 26/2026): the registration form number and the product code.

``ocop_dossiers.form_number`` (the "Phiếu số …/PĐK-(Mã tỉnh)-(Mã xã)-(Năm)" of Mẫu 01) moves
from the JSON body to a column of its own, so it can be searched; ``product_code`` holds the
"(T)-(X)-(STT)-(Năm)" of a product recognised 3★ or more, unique. ``ocop_counters`` keeps each
commune's running numbers, one row per (kind, province code, commune code, year): a rating
takes the next STT by updating that row in its own transaction, so numbers are gap-free and
never given twice, however many officers rate at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("ocop_dossiers") as batch:
        batch.add_column(sa.Column("form_number", sa.String(300), nullable=True))
        batch.add_column(sa.Column("product_code", sa.String(60), nullable=True))
    op.create_index("ix_ocop_dossiers_form_number", "ocop_dossiers", ["form_number"])
    op.create_index("ux_ocop_dossiers_product_code", "ocop_dossiers", ["product_code"], unique=True)
    op.create_table(
        "ocop_counters",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("province_code", sa.String(20), primary_key=True),
        sa.Column("commune_code", sa.String(20), primary_key=True),
        # 0 for a sequence that runs across years.
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    # A form number an officer typed before this revision lives in the body: copy it over.
    dossiers = sa.table(
        "ocop_dossiers",
        sa.column("id", sa.BigInteger),
        sa.column("body", _JSON),
        sa.column("form_number", sa.String(300)),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(dossiers.c.id, dossiers.c.body)).all()
    for dossier_id, body in rows:
        number = body.get("form_number") if isinstance(body, dict) else None
        if number:
            bind.execute(
                sa.update(dossiers)
                .where(dossiers.c.id == dossier_id)
                .values(form_number=str(number)[:300])
            )


def downgrade() -> None:
    # Back into the body, where revision 0005 reads it.
    dossiers = sa.table(
        "ocop_dossiers",
        sa.column("id", sa.BigInteger),
        sa.column("body", _JSON),
        sa.column("form_number", sa.String(300)),
    )
    bind = op.get_bind()
    query = sa.select(dossiers.c.id, dossiers.c.body, dossiers.c.form_number).where(
        dossiers.c.form_number.is_not(None)
    )
    for dossier_id, body, number in bind.execute(query).all():
        restored = dict(body) if isinstance(body, dict) else {}
        restored["form_number"] = number
        bind.execute(sa.update(dossiers).where(dossiers.c.id == dossier_id).values(body=restored))
    op.drop_table("ocop_counters")
    op.drop_index("ux_ocop_dossiers_product_code", table_name="ocop_dossiers")
    op.drop_index("ix_ocop_dossiers_form_number", table_name="ocop_dossiers")
    with op.batch_alter_table("ocop_dossiers") as batch:
        batch.drop_column("product_code")
        batch.drop_column("form_number")
