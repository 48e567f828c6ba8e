"""The tables, all prefixed ``ocop_`` so they can live in a host application's database.

The alembic migrations in ``storage/migrations`` create exactly this schema; a test compares
the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["counters", "daemons", "dossiers", "history", "metadata", "outbox", "users"]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no time zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general
        parse = datetime.fromisoformat

        # What SQLAlchemy writes to SQLite ("2026-12-02 02:00:00.000000", UTC) read in one C
        # call, not its regular expression and then replace(): three of them cost a stored
        # dossier about 2 µs (python -m bench --only due). Anything else as before.
        def process(value: Any) -> datetime | None:
            if value.__class__ is str and len(value) == 26 and value[10] == " ":
                return parse(value + "+00:00")
            return general(value)

        return process


# JSONB on PostgreSQL, JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements an INTEGER PRIMARY KEY.
Key = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

dossiers = Table(
    "ocop_dossiers",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("product_name", String(300), nullable=False),
    # The name without diacritics, lower case: officers search "mien gao" for "Miến gạo".
    Column("search_key", String(300), nullable=False),
    Column("product_set", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("state", String(30), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("rule_set", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("commune", String(300), nullable=False),
    Column("province", String(300), nullable=False),
    Column("owner", String(300)),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("next_due_on", Date),
    Column("next_due", String(40)),
    Column("cert_number", String(300)),
    Column("cert_stars", Integer),
    Column("cert_expires_on", Date),
    # The numbers of the record (QĐ 26/2026): Mẫu 01's "Phiếu số" and the product code.
    Column("form_number", String(300)),
    Column("product_code", String(60)),
    Column("body", Document, nullable=False),
    Index("ix_ocop_dossiers_next_due_on", "next_due_on"),
    Index("ix_ocop_dossiers_form_number", "form_number"),
    Index("ux_ocop_dossiers_product_code", "product_code", unique=True),
    Index("ix_ocop_dossiers_state", "state"),
    Index("ix_ocop_dossiers_commune_state", "commune", "state"),
)

history = Table(
    "ocop_history",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("dossier_id", Key, ForeignKey("ocop_dossiers.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(300), nullable=False),
    Column("role", String(30), nullable=False),
    Column("trigger", String(40), nullable=False),
    Column("from_state", String(30)),
    Column("to_state", String(30), nullable=False),
    Column("note", Text),
    Column("payload", Document, nullable=False),
    # The writing transaction's id on PostgreSQL (a server default), for the change feed.
    Column("txid", BigInteger),
    UniqueConstraint("dossier_id", "version", name="uq_ocop_history_dossier_version"),
    Index("ix_ocop_history_feed", "txid", "id"),
)

outbox = Table(
    "ocop_outbox",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("kind", String(60), nullable=False),
    Column("dossier_id", Key, ForeignKey("ocop_dossiers.id")),
    Column("recipient", String(300), nullable=False),
    Column("lang", String(5), nullable=False),
    Column("context", Document, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("claimed_by", String(100)),
    Column("claimed_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
    # The last `ocop outbox retry` of the message: who, in which role, when (revision 0007).
    Column("retried_by", String(300)),
    Column("retried_role", String(30)),
    Column("retried_at", UTCDateTime),
    Index("ix_ocop_outbox_status_next", "status", "next_attempt_at"),
)

daemons = Table(
    "ocop_daemons",
    metadata,
    Column("worker", String(100), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("mode", String(10), nullable=False),
    Column("plan", String(500)),
    Column("transport", String(500), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("beat_at", UTCDateTime, nullable=False),
    Column("swept_at", UTCDateTime),
    Column("drained_at", UTCDateTime),
    Column("stopped_at", UTCDateTime),
)

users = Table(
    "ocop_users",
    metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(300), nullable=False),
    Column("role", String(30), nullable=False),
    Column("email", String(254)),
    Column("commune", String(300)),
    Column("province", String(300)),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# The e-stamps issued (ocop.stamps): one row per printed stamp, by its serial. ``scans`` counts
# how often the public page was opened from the stamp (a copied stamp is scanned far more
# often than one on a single product); it is the only column the page writes.
stamps = Table(
    "ocop_stamps",
    metadata,
    Column("serial", String(20), primary_key=True),
    Column("dossier_id", Key, ForeignKey("ocop_dossiers.id"), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("certificate", String(300), nullable=False),
    Column("issued_by", String(300), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("scans", Integer, nullable=False),
    Column("first_scan_at", UTCDateTime),
    Column("last_scan_at", UTCDateTime),
    Index("ix_ocop_stamps_dossier_id", "dossier_id"),
)

# Each commune's running numbers (ocop.storage.numbers): the last one given per kind ("form",
# "product"), official province and commune code and year (0 for a sequence across years).
# A write transaction takes the next by updating the row, so two officers never get the same.
counters = Table(
    "ocop_counters",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("province_code", String(20), primary_key=True),
    Column("commune_code", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)
