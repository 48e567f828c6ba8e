"""Each commune's running numbers (``ocop_counters``), taken inside a dossier's write transaction.

The next number is the counter row's ``last + 1``, written by an ``UPDATE … RETURNING`` in the
transaction that writes the dossier: on PostgreSQL the update locks the row, so a second officer
rating in the same commune waits for the first to commit (or roll back) and then gets the next
number; SQLite's write transaction (BEGIN IMMEDIATE) holds the whole database. A transaction that
fails gives its number back with its rollback, so the sequence has no gaps. (``MAX(...) + 1``
without a lock would hand two concurrent ratings the same STT.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ocop.storage.tables import counters

__all__ = ["NumberRequest", "take_number"]


@dataclass(frozen=True)
class NumberRequest:
    """A number to give a dossier field from a commune's counter, as the registry decided it.

    ``template`` is formatted with ``seq`` (the counter's next value) and the ``month`` and
    ``year`` of ``on``; ``counter_year`` picks the counter (0: one sequence across years).
    """

    field: str
    kind: str
    province_code: str
    commune_code: str
    counter_year: int
    template: str
    on: date

    def text(self, seq: int) -> str:
        """The number with ``seq`` filled in."""
        return self.template.format(seq=seq, month=self.on.month, year=self.on.year)


_c = counters.c
_NEXT = (
    update(counters)
    .where(
        _c.kind == bindparam("k_kind"),
        _c.province_code == bindparam("k_province"),
        _c.commune_code == bindparam("k_commune"),
        _c.year == bindparam("k_year"),
    )
    .values(last=_c.last + 1)
    .returning(_c.last)
)


def take_number(conn: Connection, request: NumberRequest) -> tuple[int, str]:
    """The next value of the request's counter and the number it makes, in ``conn``'s
    transaction (which must be a write transaction)."""
    key = {
        "k_kind": request.kind,
        "k_province": request.province_code,
        "k_commune": request.commune_code,
        "k_year": request.counter_year,
    }
    seq = conn.execute(_NEXT, key).scalar()
    if seq is None:
        # The commune's first number of this kind: create its row (a concurrent creator's row
        # wins; ours is then skipped) and take from it.
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert(counters)
            .values(
                kind=request.kind,
                province_code=request.province_code,
                commune_code=request.commune_code,
                year=request.counter_year,
                last=0,
            )
            .on_conflict_do_nothing()
        )
        seq = conn.execute(_NEXT, key).scalar_one()
    return int(seq), request.text(int(seq))
