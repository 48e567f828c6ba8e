"""Dossiers and their history, in domain verbs: insert, get, apply a transition, find, due."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    Update,
    bindparam,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError

from ocop.errors import ConcurrentUpdate, InvalidInput, NotFound
from ocop.models import (
    Dossier,
    HistoryDraft,
    HistoryEntry,
    Message,
    assemble,
    fold,
    from_stored,
    nfc,
    stored_fields,
)
from ocop.states import PRODUCT_SETS, Kind, State
from ocop.storage.database import Database
from ocop.storage.numbers import NumberRequest, take_number
from ocop.storage.outbox import insert_messages
from ocop.storage.tables import dossiers, history
from ocop.text import N_

__all__ = ["Bulk", "DossierQuery", "DossierRepository", "DossierStore", "Held", "dossier_key"]

# Fields of Dossier kept in the JSON body rather than in columns of their own.
_BODY = (
    "producer",
    "documents",
    "samples",
    "evaluation",
    "submission",
    "rating",
    "certificate",
    "return_reason",
)
_COLUMNS = (
    "product_name",
    "product_set",
    "kind",
    "state",
    "cycle",
    "rule_set",
    "version",
    "commune",
    "province",
    "owner",
    "registered_at",
    "created_at",
    "updated_at",
    "next_due_on",
    "next_due",
    "form_number",
    "product_code",
)
# What a stored body may hold: _BODY, and form_number in bodies older than revision 0006.
_STORED_BODY = (*_BODY, "form_number")
# The statements of a transition, built once: building one per call (``values()`` turns every
# value into a bound parameter, then the whole tree is hashed for the compiled cache) cost more
# than executing it: fire() took 830 µs with them built per call, 450 µs reused (see bench/).
# What a read selects: the id, the columns of _COLUMNS, then the body as the driver gives it
# (JSON text on SQLite, left for pydantic-core to parse; psycopg decodes JSONB itself).
_READ = (
    dossiers.c.id,
    *(dossiers.c[name] for name in _COLUMNS),
    type_coerce(dossiers.c.body, Text).label("body"),
)
_GET = select(*_READ).where(dossiers.c.id == bindparam("dossier_id"))
# SQLite ignores FOR UPDATE: its write transactions (BEGIN IMMEDIATE) already serialise.
_GET_FOR_UPDATE = _GET.with_for_update()
_INSERT_HISTORY = insert(history)
# Many dossiers at once, their ids given (see _new_ids): one executemany. With RETURNING in
# parameter order instead, SQLAlchemy sends SQLite one INSERT per row, which cost an import
# 0.4 ms a row (python -m bench --only import).
_INSERT_MANY = insert(dossiers)


@functools.lru_cache(maxsize=4)
def _update(columns: tuple[str, ...]) -> Update:
    """The optimistic UPDATE of ``columns``, checked against the id and the old version."""
    return (
        update(dossiers)
        .where(
            dossiers.c.id == bindparam("where_id"),
            dossiers.c.version == bindparam("where_version"),
        )
        .values({name: bindparam(name) for name in columns})
    )


_SORTS = {
    "id": dossiers.c.id,
    "due": dossiers.c.next_due_on,
    "product": dossiers.c.product_name,
    "state": dossiers.c.state,
    "updated": dossiers.c.updated_at,
    "expiry": dossiers.c.cert_expires_on,
    "number": dossiers.c.form_number,
    "code": dossiers.c.product_code,
}


@dataclass(frozen=True)
class DossierQuery:
    """Filters for :meth:`DossierStore.find`; ``None`` means no filter."""

    states: tuple[State, ...] | None = None
    commune: str | None = None
    province: str | None = None
    owner: str | None = None
    product_set: int | None = None
    kind: str | None = None
    due_before: date | None = None
    expires_before: date | None = None
    search: str | None = None
    number: str | None = None
    """Part of the registration form number (``…/PĐK-…``), any case."""
    code: str | None = None
    """Part of the product code (``T-X-STT-Năm``)."""
    order_by: str = "id"
    descending: bool = False
    limit: int | None = None
    offset: int = 0

    @classmethod
    def build(
        cls, *, state: State | str | Iterable[State | str] | None = None, **filters: Any
    ) -> DossierQuery:
        """A query from a caller's filters, validated and NFC-normalised."""
        unknown = sorted(set(filters) - _FIELDS)
        if unknown:
            names = ", ".join(sorted(_FIELDS - {"states"} | {"state"}))
            raise InvalidInput.said(
                N_("Không có bộ lọc {unknown}; các bộ lọc là {names}."),
                field=unknown[0],
                unknown=", ".join(unknown),
                names=names,
            )
        if state is not None:
            raw = [state] if isinstance(state, str) else list(state)
            try:
                filters["states"] = tuple(State(s) for s in raw)
            except ValueError:
                names = ", ".join(s.value for s in State)
                raise InvalidInput.said(
                    N_("Có trạng thái không biết trong {raw}; các trạng thái là {names}."),
                    field="state",
                    raw=raw,
                    names=names,
                ) from None
        for key, value in filters.items():
            if isinstance(value, str):
                filters[key] = nfc(value)
        chosen = filters.get("product_set")
        if chosen is not None and chosen not in PRODUCT_SETS:
            raise InvalidInput.said(
                N_("Không có bộ sản phẩm {chosen}; các bộ được đánh số từ {low} đến {high}."),
                field="product_set",
                chosen=chosen,
                low=min(PRODUCT_SETS),
                high=max(PRODUCT_SETS),
            )
        if filters.get("order_by", "id") not in _SORTS:
            raise InvalidInput.said(
                N_("Không sắp xếp được theo '{order_by}'; dùng {sorts}."),
                field="order_by",
                order_by=filters["order_by"],
                sorts=", ".join(_SORTS),
            )
        for key in ("limit", "offset"):
            value = filters.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise InvalidInput.said(N_("{key} phải là số nguyên ≥ 0."), field=key, key=key)
        return cls(**filters)

    def unpaged(self) -> DossierQuery:
        """The same filters, without order or paging (what a count needs)."""
        return replace(self, order_by="id", descending=False, limit=None, offset=0)


_FIELDS = frozenset(f.name for f in fields(DossierQuery))

# Each filter of DossierQuery, as the condition it puts on the dossiers table.
_CONDITIONS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "states": lambda states: dossiers.c.state.in_([s.value for s in states]),
    "commune": lambda commune: dossiers.c.commune == commune,
    "province": lambda province: dossiers.c.province == province,
    "owner": lambda owner: dossiers.c.owner == owner,
    "product_set": lambda product_set: dossiers.c.product_set == product_set,
    "kind": lambda kind: dossiers.c.kind == kind,
    "due_before": lambda day: dossiers.c.next_due_on < day,
    "expires_before": lambda day: dossiers.c.cert_expires_on < day,
    "search": lambda text: dossiers.c.search_key.like(f"%{_like(fold(text))}%", escape="\\"),
    # Any case: ILIKE on PostgreSQL; SQLite lowers both sides but only ASCII letters, so the
    # text is upper-cased here first ("pđk" → "PĐK", lowered alike on both sides).
    "number": lambda text: dossiers.c.form_number.ilike(f"%{_like(text.upper())}%", escape="\\"),
    "code": lambda text: dossiers.c.product_code.ilike(f"%{_like(text.upper())}%", escape="\\"),
}


def _like(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def dossier_key(value: object) -> int:
    """A dossier number from a caller: a whole number in the database's key range."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidInput.said(
            N_("'{value}' không phải số hồ sơ."), field="dossier_id", value=value
        )
    return value


def _row(dossier: Dossier) -> dict[str, Any]:
    data = dossier.model_dump(mode="json", include=set(_BODY))
    row: dict[str, Any] = {name: getattr(dossier, name) for name in _COLUMNS}
    row["search_key"] = fold(dossier.product_name)
    row["state"] = dossier.state.value
    row["kind"] = dossier.kind.value
    cert = dossier.certificate
    row["cert_number"] = cert.number if cert else None
    row["cert_stars"] = cert.stars if cert else None
    row["cert_expires_on"] = cert.expires_on if cert else None
    row["body"] = data
    return row


# A row's kind and state to their enums, and the order of the fields, for assemble().
_KINDS = {kind.value: kind for kind in Kind}
_STATES = {state.value: state for state in State}
_FIELD_ORDER = tuple(Dossier.model_fields)


def _dossier(row: Any) -> Dossier:
    """A dossier from a row of :data:`_READ`, its types converted but not checked again:
    the library wrote it, under the checks of its day (:func:`~ocop.models.from_stored`)."""
    values = stored_fields(Dossier, _STORED_BODY, row[-1])
    # A body written before revision 0006 may still hold form_number: the column wins.
    values.update(zip(_COLUMNS, row[1:-1], strict=True))
    values["id"] = row[0]
    try:
        values["kind"] = _KINDS[values["kind"]]
        values["state"] = _STATES[values["state"]]
        ordered = {name: values[name] for name in _FIELD_ORDER}
    except KeyError:  # not a row the library wrote: the types' checks say what is wrong
        return from_stored(Dossier, values)
    # The columns are typed by their SQL types, the body by stored_fields(): no pass needed.
    return assemble(Dossier, ordered)


def _entry(row: Any) -> HistoryEntry:
    # txid orders the change feed (ocop.storage.changes); it is no part of the entry.
    return from_stored(HistoryEntry, {k: v for k, v in row._mapping.items() if k != "txid"})


class DossierRepository(Protocol):
    """What the registry needs of dossier storage, in domain verbs.

    :class:`DossierStore` is the one implementation (SQLAlchemy, on SQLite and PostgreSQL);
    ``tests/test_storage_contract.py`` holds it to this contract on both. Every write is one
    transaction: the dossier row, its history row and its outbox messages commit together.
    """

    def insert(
        self,
        batch: Sequence[tuple[Dossier, HistoryDraft, Sequence[Message]]],
        numbers: Sequence[Sequence[NumberRequest]] = (),
    ) -> list[Dossier]:
        """New dossiers with their first history rows, all or none; their ids assigned, and
        the numbers ``numbers[i]`` asks for dossier ``i`` taken in the same transaction."""
        ...

    def get(self, dossier_id: int) -> Dossier:
        """The dossier, or :class:`~ocop.errors.NotFound`."""
        ...

    def held(self, dossier_id: int) -> AbstractContextManager[Held]:
        """The dossier read locked in a write transaction, to :meth:`Held.write` once."""
        ...

    def apply(
        self,
        before: Dossier,
        after: Dossier,
        entry: HistoryDraft,
        messages: Sequence[Message] = (),
    ) -> None:
        """Write ``after`` unless the row changed since ``before``
        (:class:`~ocop.errors.ConcurrentUpdate`)."""
        ...

    def history(self, dossier_id: int) -> list[HistoryEntry]:
        """The audit trail, oldest first; :class:`~ocop.errors.NotFound` for no dossier."""
        ...

    def find(self, query: DossierQuery) -> list[Dossier]:
        """Dossiers matching ``query``, in its order."""
        ...

    def stream(self, query: DossierQuery, *, batch: int = 1000) -> Iterator[Dossier]:
        """The dossiers :meth:`find` returns, one at a time, ``batch`` rows held at once."""
        ...

    def count(self, query: DossierQuery) -> int:
        """How many dossiers match ``query``, paging aside."""
        ...

    def due(
        self, on_or_before: date, *, states: Sequence[State] | None = None, batch: int = 1000
    ) -> Iterator[Dossier]:
        """Every dossier (in ``states``) with something due by ``on_or_before``."""
        ...

    def certificate_holders(self, numbers: Iterable[str]) -> dict[str, int]:
        """Which of these certificate numbers dossiers hold already, and which dossier."""
        ...

    def bulk(self, *, write: bool = True) -> AbstractContextManager[Bulk]:
        """One transaction for many new dossiers, written batch by batch (:class:`Bulk`):
        committed when the block ends, nothing written if it raises or calls
        :meth:`Bulk.discard`. ``write=False``: a read transaction, for checks only."""
        ...


@dataclass
class Held:
    """A dossier read locked in an open write transaction (:meth:`DossierStore.held`)."""

    store: DossierStore
    conn: Connection
    dossier: Dossier
    written: Dossier | None = None

    def write(
        self,
        after: Dossier,
        entry: HistoryDraft,
        messages: Sequence[Message] = (),
        numbers: Sequence[NumberRequest] = (),
    ) -> Dossier:
        """Write ``after`` over the dossier held, with its history row and outbox messages;
        the ``numbers`` asked for are taken from their counters first. Returns what was
        written (``after`` with its numbers)."""
        if self.written is not None:
            raise RuntimeError("a held dossier is written once")
        after, entry = _numbered(self.conn, after, entry, numbers)
        self.store._write(self.conn, self.dossier, after, entry, messages)
        self.written = after
        return after


def _free_number(conn: Connection, request: NumberRequest) -> str:
    """The next number of the request's counter that no dossier holds yet.

    A number typed at registration (a paper form numbered before the system) or written by
    hand may already hold the counter's next value: that one is skipped, as it is taken.
    """
    column = dossiers.c[request.field]
    while True:
        _, text = take_number(conn, request)
        if conn.execute(select(dossiers.c.id).where(column == text).limit(1)).first() is None:
            return text


def _numbered(
    conn: Connection, dossier: Dossier, entry: HistoryDraft, numbers: Sequence[NumberRequest]
) -> tuple[Dossier, HistoryDraft]:
    """``dossier`` with the numbers asked for, and its history row recording them."""
    if not numbers:
        return dossier, entry
    given = {request.field: _free_number(conn, request) for request in numbers}
    return (
        dossier.model_copy(update=given),
        replace(entry, payload=entry.payload | given),
    )


@dataclass
class Bulk:
    """An open transaction for many new dossiers (:meth:`DossierStore.bulk`)."""

    conn: Connection
    writable: bool
    discarded: bool = False
    first_id: int | None = None
    """The first id this transaction gave: :meth:`holders` looks only at the rows before it."""

    def insert(self, batch: Sequence[tuple[Dossier, HistoryDraft, Sequence[Message]]]) -> list[int]:
        """Insert new dossiers (their ``id`` ignored) with their first history rows and
        messages; returns the ids given to them, in order.

        Three statements for the whole batch (dossiers, history, outbox), not three per row;
        no model is copied (a caller that wants the stored dossiers sets their ids).
        """
        if not self.writable:
            raise RuntimeError("a read-only bulk transaction writes nothing")
        if not batch:
            return []
        conn = self.conn
        ids = _new_ids(conn, len(batch))
        if self.first_id is None:
            self.first_id = ids[0]
        pairs = list(zip(batch, ids, strict=True))
        conn.execute(
            _INSERT_MANY, [_row(draft) | {"id": new_id} for (draft, _, _), new_id in pairs]
        )
        conn.execute(
            _INSERT_HISTORY,
            [_history_row(new_id, draft.version, entry) for (draft, entry, _), new_id in pairs],
        )
        # insert_messages stamps a batch with one time: group the messages by their entry's.
        by_time: dict[Any, list[Message]] = {}
        for (_, entry, messages), new_id in pairs:
            for m in messages:
                by_time.setdefault(entry.at, []).append(m.model_copy(update={"dossier_id": new_id}))
        for at, group in by_time.items():
            insert_messages(conn, group, at)
        return ids

    def holders(self, numbers: Iterable[str]) -> dict[str, int]:
        """Which of these certificate numbers dossiers stored before this transaction's own
        hold, read in it. The rows it wrote itself are left out: the caller knows them, and
        (with no index on the number) reading them again made each batch's check cost more
        than the last, an import of 350 000 rows 3 times the time of a linear one."""
        return _holders(self.conn, numbers, before=self.first_id)

    def discard(self) -> None:
        """Roll the transaction back when the block ends: nothing it wrote is kept."""
        self.discarded = True


def _new_ids(conn: Connection, count: int) -> list[int]:
    """``count`` dossier ids no one else can take, inside the caller's write transaction.

    PostgreSQL: from the id's own sequence, as an INSERT would take them. SQLite: after the
    largest id, as SQLite itself numbers a new row; the write transaction (BEGIN IMMEDIATE)
    holds the database, so no other writer can take them meanwhile.
    """
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('ocop_dossiers', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
        return [int(new_id) for (new_id,) in rows]
    last = int(conn.execute(select(func.coalesce(func.max(dossiers.c.id), 0))).scalar_one())
    return list(range(last + 1, last + 1 + count))


class _Discarded(Exception):
    """Raised inside a bulk transaction to roll it back."""


def _holders(
    conn: Connection, numbers: Iterable[str], *, before: int | None = None
) -> dict[str, int]:
    wanted = sorted(set(numbers))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        statement = select(dossiers.c.cert_number, dossiers.c.id).where(
            dossiers.c.cert_number.in_(chunk)
        )
        if before is not None:
            statement = statement.where(dossiers.c.id < before)
        found.update({number: dossier_id for number, dossier_id in conn.execute(statement)})
    return found


def _history_row(dossier_id: int, version: int, entry: HistoryDraft) -> dict[str, Any]:
    return {
        "dossier_id": dossier_id,
        "version": version,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "trigger": entry.trigger,
        "from_state": entry.from_state.value if entry.from_state else None,
        "to_state": entry.to_state.value,
        "note": entry.note,
        "payload": entry.payload,
    }


class DossierStore:
    """The dossier and history tables of one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(
        self,
        batch: Sequence[tuple[Dossier, HistoryDraft, Sequence[Message]]],
        numbers: Sequence[Sequence[NumberRequest]] = (),
    ) -> list[Dossier]:
        """Insert new dossiers (their ``id`` is ignored) with their first history rows.

        One transaction: all of them or none. ``numbers[i]`` are the numbers dossier ``i``
        takes from its commune's counters (its form number), in the same transaction.
        """
        stored = []
        with self.db.write() as conn:
            for index, (draft, entry, messages) in enumerate(batch):
                if index < len(numbers):
                    draft, entry = _numbered(conn, draft, entry, numbers[index])
                new_id = conn.execute(
                    insert(dossiers).values(_row(draft)).returning(dossiers.c.id)
                ).scalar_one()
                dossier = draft.model_copy(update={"id": new_id})
                self._append(conn, dossier, entry, messages)
                stored.append(dossier)
        return stored

    def certificate_holders(self, numbers: Iterable[str]) -> dict[str, int]:
        """Which of these certificate numbers dossiers already hold, and which dossier."""
        with self.db.read() as conn:
            return _holders(conn, numbers)

    @contextmanager
    def bulk(self, *, write: bool = True) -> Iterator[Bulk]:
        """One transaction for many new dossiers (an import of a whole file).

        The caller inserts batch after batch through :meth:`Bulk.insert`; the whole lot commits
        when the block ends, or none of it if the block raises or calls :meth:`Bulk.discard`.
        ``write=False`` opens a read transaction instead (a dry run: checks, no lock held).
        """
        try:
            with self.db.write() if write else self.db.read() as conn:
                bulk = Bulk(conn, write)
                yield bulk
                if bulk.discarded:
                    raise _Discarded
        except _Discarded:
            pass

    def get(self, dossier_id: int) -> Dossier:
        """The dossier with that id, or :class:`NotFound`."""
        dossier_id = dossier_key(dossier_id)
        with self.db.read() as conn:
            row = conn.execute(_GET, {"dossier_id": dossier_id}).first()
        if row is None:
            raise NotFound("dossier", dossier_id)
        return _dossier(row)

    @contextmanager
    def held(self, dossier_id: int) -> Iterator[Held]:
        """A dossier read locked inside a write transaction, for the caller to write once.

        The row is read ``FOR UPDATE`` on PostgreSQL (SQLite's write transaction holds the
        database), so the read costs no transaction of its own and a second writer waits and
        then sees the first one's result. The caller decides the next version and calls
        :meth:`Held.write`; raising instead writes nothing. Storage never calls back into the
        engine: the decision is the caller's, the transaction is storage's.
        """
        dossier_id = dossier_key(dossier_id)
        with self.db.write() as conn:
            row = conn.execute(_GET_FOR_UPDATE, {"dossier_id": dossier_id}).first()
            if row is None:
                raise NotFound("dossier", dossier_id)
            yield Held(self, conn, _dossier(row))

    def apply(
        self,
        before: Dossier,
        after: Dossier,
        entry: HistoryDraft,
        messages: Sequence[Message] = (),
    ) -> None:
        """Write ``after`` over ``before`` if nobody changed it since, with its history row.

        One transaction: the row update (checked against ``before.version``), the history row
        and the outbox rows commit together or not at all.
        """
        with self.db.write() as conn:
            self._write(conn, before, after, entry, messages)

    def _write(
        self,
        conn: Connection,
        before: Dossier,
        after: Dossier,
        entry: HistoryDraft,
        messages: Sequence[Message],
    ) -> None:
        row = _row(after)
        result = conn.execute(
            _update(tuple(row)), row | {"where_id": before.id, "where_version": before.version}
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(before.id, before.version)
        self._append(conn, after, entry, messages)

    def _append(
        self, conn: Connection, dossier: Dossier, entry: HistoryDraft, messages: Sequence[Message]
    ) -> None:
        try:
            conn.execute(_INSERT_HISTORY, _history_row(dossier.id, dossier.version, entry))
        except IntegrityError as exc:
            # Two writers got past the version check at once: only possible without row locks.
            raise ConcurrentUpdate(dossier.id, dossier.version - 1) from exc
        insert_messages(
            conn, [m.model_copy(update={"dossier_id": dossier.id}) for m in messages], entry.at
        )

    def history(self, dossier_id: int) -> list[HistoryEntry]:
        """The dossier's history, oldest first."""
        dossier_id = dossier_key(dossier_id)
        with self.db.read() as conn:
            rows = conn.execute(
                select(history)
                .where(history.c.dossier_id == dossier_id)
                .order_by(history.c.version)
            ).all()
            if (
                not rows
                and conn.execute(select(dossiers.c.id).where(dossiers.c.id == dossier_id)).first()
                is None
            ):
                raise NotFound("dossier", dossier_id)
        return [_entry(r) for r in rows]

    def find(self, query: DossierQuery) -> list[Dossier]:
        """Dossiers matching ``query``, in its order."""
        with self.db.read() as conn:
            return [_dossier(r) for r in conn.execute(self._ordered(query))]

    def stream(self, query: DossierQuery, *, batch: int = 1000) -> Iterator[Dossier]:
        """The dossiers :meth:`find` returns, in the same order, read ``batch`` rows at a time
        from one statement in one read transaction: memory stays flat however many match,
        and the first ones can be printed before the last are read (``ocop list --limit 0``
        of a province). Close the iterator (or read it to the end) to end the transaction."""
        with self.db.read() as conn:
            rows = conn.execution_options(yield_per=batch).execute(self._ordered(query))
            for row in rows:
                yield _dossier(row)

    def _ordered(self, query: DossierQuery) -> Select[Any]:
        statement = self._filtered(select(*_READ), query)
        column = _SORTS[query.order_by]
        ordering = column.desc() if query.descending else column.asc()
        statement = statement.order_by(ordering.nulls_last(), dossiers.c.id)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        if query.offset:
            statement = statement.offset(query.offset)
        return statement

    def count(self, query: DossierQuery) -> int:
        """How many dossiers match ``query``."""
        statement = self._filtered(select(func.count()).select_from(dossiers), query.unpaged())
        with self.db.read() as conn:
            return int(conn.execute(statement).scalar_one())

    def due(
        self, on_or_before: date, *, states: Sequence[State] | None = None, batch: int = 1000
    ) -> Iterator[Dossier]:
        """Every dossier (in ``states``) with something due by ``on_or_before``, oldest date first.

        Walks the ``next_due_on`` index one date at a time, in id batches within a date, so each
        statement reads only due rows however big the table is, and memory stays flat. (Keyset
        batches over all due dates let SQLite, which has no statistics, walk the state index
        instead and re-read every rated dossier for each batch.) A dossier the caller moves to a
        later date that is still due is met again on that date.
        """
        c = dossiers.c
        wanted = [s.value for s in states] if states else None
        day = self._next_due_day(None, on_or_before)
        while day is not None:
            last = 0
            while True:
                statement = select(*_READ).where(c.next_due_on == day, c.id > last)
                if wanted is not None:
                    statement = statement.where(c.state.in_(wanted))
                with self.db.read() as conn:
                    rows = conn.execute(statement.order_by(c.id).limit(batch)).all()
                for row in rows:
                    yield _dossier(row)
                full, last = len(rows) == batch, rows[-1][0] if rows else last
                del rows  # one batch in memory at a time, not two
                if not full:
                    break
            day = self._next_due_day(day, on_or_before)

    def _next_due_day(self, after: date | None, on_or_before: date) -> date | None:
        """The first ``next_due_on`` after ``after`` (if given) and not after ``on_or_before``."""
        c = dossiers.c
        statement = select(func.min(c.next_due_on)).where(c.next_due_on <= on_or_before)
        if after is not None:
            statement = statement.where(c.next_due_on > after)
        with self.db.read() as conn:
            day: date | None = conn.execute(statement).scalar()
        return day

    @staticmethod
    def _filtered(statement: Select[Any], q: DossierQuery) -> Select[Any]:
        for name, condition in _CONDITIONS.items():
            value = getattr(q, name)
            if value is not None and value != "":
                statement = statement.where(condition(value))
        return statement
