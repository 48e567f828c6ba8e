"""Certificate reminders' dedupe keys without the dossier's cycle, for the rows already sent.

Since issue 14 a reminder about a certificate (the filing window opening, expiry approaching,
expiry passed) is keyed without the dossier's cycle: ``certificate_expiring:30d|d3|-|…``
instead of ``…|d3|c1|…``, so that registering a re-rating does not send it again. Rows the
outbox already holds carry the old form; left so, the first sweep after an upgrade would not
find them under the new key and would send each reminder still inside its sending window once
more. Their keys are rewritten to the new form here. Where two old rows become one new key
(the same reminder sent once per cycle, the very repeat issue 14 saw), the oldest takes it and
the others keep their old keys: every row stays, and the reminder is not sent a third time.

The producer's language (``Producer.lang``, issue 14) needs no schema change: the producer
lives in the dossier's JSON body, where rows written before it have no ``lang`` and so follow
the plan's language.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Copied, not imported (a migration never imports live code): the certificate reminders'
# message kinds, and the shape of a reminder's dedupe key, "kind:lead|subject|cycle|anchor|…".
_KINDS = ("filing_window", "certificate_expiring", "certificate_expired")
_CYCLE = re.compile(r"^c\d+$")
_BATCH = 1000


def _rekeyed(key: str) -> str | None:
    """``key`` with its cycle field as ``-``; ``None`` when it has none to replace."""
    parts = key.split("|", 3)
    if len(parts) < 4 or not _CYCLE.match(parts[2]):
        return None
    parts[2] = "-"
    return "|".join(parts)


def upgrade() -> None:
    outbox = sa.table(
        "ocop_outbox",
        sa.column("id", sa.BigInteger),
        sa.column("dedupe_key", sa.String),
        sa.column("kind", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(outbox.c.id, outbox.c.dedupe_key)
        .where(outbox.c.kind.in_(_KINDS))
        .order_by(outbox.c.id)
    ).all()
    taken = {key for _, key in rows}
    changes: list[dict[str, object]] = []
    for row_id, key in rows:
        new = _rekeyed(key)
        if new is None or new in taken:
            continue
        taken.add(new)
        changes.append({"row_id": row_id, "new_key": new})
    statement = (
        sa.update(outbox)
        .where(outbox.c.id == sa.bindparam("row_id"))
        .values(dedupe_key=sa.bindparam("new_key"))
    )
    for start in range(0, len(changes), _BATCH):
        conn.execute(statement, changes[start : start + _BATCH])


def downgrade() -> None:
    # The keys stay in the new form: revision 0007's schema is the same, and the older code
    # then keys new reminders with the cycle again (at worst one reminder sent once more).
    pass
