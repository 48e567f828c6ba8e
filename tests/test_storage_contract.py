"""The dossier store's contract (``ocop.storage.dossiers.DossierRepository``), on SQLite and on
the real PostgreSQL server: what the registry relies on from storage, checked against storage
alone, with dossiers and history rows built by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from ocop.errors import ConcurrentUpdate, NotFound
from ocop.models import Dossier, HistoryDraft, Message, Registration
from ocop.states import State
from ocop.storage.database import Database
from ocop.storage.dossiers import DossierQuery, DossierRepository, DossierStore

NOW = datetime(2026, 7, 1, 3, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[DossierRepository]:
    database = Database(db_url)
    database.upgrade()
    yield DossierStore(database)
    database.close()


def draft(name: str = "Nem chua Minh Anh", **changes: object) -> Dossier:
    registration = Registration.model_validate(
        {
            "product_name": name,
            "product_set": 8,
            "producer": {"name": "Cơ sở Minh Anh"},
            "commune": "Lưu Vệ",
            "province": "Thanh Hóa",
        }
    )
    dossier = Dossier.new(registration, state=State.REGISTERED, rule_set="qd26-2026", now=NOW)
    return dossier.model_copy(update=changes)


def entry(to: State, before: State | None = State.REGISTERED, **kw: object) -> HistoryDraft:
    return HistoryDraft(NOW, "lan", "commune_officer", "check", before, to, **kw)  # type: ignore[arg-type]


def first(name: str = "Nem chua Minh Anh") -> tuple[Dossier, HistoryDraft, list[Message]]:
    return (draft(name), entry(State.REGISTERED, None), [])


def test_insert_assigns_ids_and_writes_the_first_history_row(store: DossierRepository) -> None:
    a, b = store.insert([first(), first("Miến gạo Dung Tháp")])
    assert a.id and b.id and a.id != b.id
    assert store.get(a.id) == a
    (row,) = store.history(a.id)
    assert (row.version, row.from_state, row.to_state, row.actor) == (1, None, "registered", "lan")


def test_a_batch_is_all_or_none(store: DossierRepository) -> None:
    # The second row fails inside the transaction, after the first was inserted.
    unwritable = entry(State.REGISTERED, None, payload={"not json": {1, 2}})
    with pytest.raises(Exception, match="not JSON serializable"):
        store.insert([first(), (draft("Miến gạo Dung Tháp"), unwritable, [])])
    assert store.find(DossierQuery()) == []


def test_get_and_history_of_a_missing_dossier_are_not_found(store: DossierRepository) -> None:
    with pytest.raises(NotFound):
        store.get(999)
    with pytest.raises(NotFound):
        store.history(999)
    with pytest.raises(NotFound), store.held(999):
        pass


def test_held_writes_once_with_history_and_messages_in_one_transaction(
    store: DossierRepository,
) -> None:
    (stored,) = store.insert([first()])
    after = stored.model_copy(update={"state": State.CHECKED, "version": 2})
    message = Message(dedupe_key="k1", kind="accepted", recipient="a@x.vn")
    with store.held(stored.id) as held:
        assert held.dossier == stored
        held.write(after, entry(State.CHECKED), [message])
        with pytest.raises(RuntimeError):
            held.write(after, entry(State.CHECKED))
    assert store.get(stored.id).state is State.CHECKED
    assert [h.version for h in store.history(stored.id)] == [1, 2]


def test_a_refusal_inside_held_writes_nothing(store: DossierRepository) -> None:
    (stored,) = store.insert([first()])
    after = stored.model_copy(update={"state": State.CHECKED, "version": 2})
    with pytest.raises(ValueError, match="refused"), store.held(stored.id) as held:
        held.write(after, entry(State.CHECKED))
        raise ValueError("refused")
    assert store.get(stored.id) == stored
    assert len(store.history(stored.id)) == 1


def test_apply_over_a_stale_version_is_a_concurrent_update(store: DossierRepository) -> None:
    (stored,) = store.insert([first()])
    checked = stored.model_copy(update={"state": State.CHECKED, "version": 2})
    store.apply(stored, checked, entry(State.CHECKED))
    returned = stored.model_copy(update={"state": State.RETURNED, "version": 2})
    with pytest.raises(ConcurrentUpdate):
        store.apply(stored, returned, entry(State.RETURNED))
    assert store.get(stored.id).state is State.CHECKED
    assert len(store.history(stored.id)) == 2


def test_find_and_count_filter_sort_and_page(store: DossierRepository) -> None:
    names = ["Nem chua Minh Anh", "Miến gạo Dung Tháp", "Bánh răng bừa Nga My"]
    stored = store.insert([first(n) for n in names])
    rated = stored[1].model_copy(update={"state": State.RATED, "version": 2})
    store.apply(stored[1], rated, entry(State.RATED))
    assert [d.id for d in store.find(DossierQuery.build(state="rated"))] == [stored[1].id]
    assert [d.product_name for d in store.find(DossierQuery.build(search="mien gao"))] == [
        "Miến gạo Dung Tháp"
    ]
    by_name = store.find(DossierQuery.build(order_by="product", limit=2))
    assert [d.product_name for d in by_name] == sorted(names)[:2]
    page = DossierQuery.build(commune="Lưu Vệ", limit=1, offset=1)
    assert len(store.find(page)) == 1 and store.count(page) == 3
    assert store.count(DossierQuery.build(province="Hà Nội")) == 0


def test_due_walks_the_dates_in_order_and_only_the_states_asked(
    store: DossierRepository,
) -> None:
    days = [date(2026, 7, 3), date(2026, 7, 1), date(2026, 7, 9)]
    stored = store.insert([first(f"Sản phẩm {i}") for i in range(3)])
    for dossier, day in zip(stored, days, strict=True):
        moved = dossier.model_copy(update={"state": State.RATED, "version": 2, "next_due_on": day})
        store.apply(dossier, moved, entry(State.RATED))
    due = list(store.due(date(2026, 7, 5), states=[State.RATED]))
    assert [d.next_due_on for d in due] == [date(2026, 7, 1), date(2026, 7, 3)]
    assert list(store.due(date(2026, 7, 5), states=[State.EXPIRED])) == []
    assert list(store.due(date(2026, 7, 1) - timedelta(days=1))) == []


def test_certificate_holders_finds_numbers_held(store: DossierRepository) -> None:
    (stored,) = store.insert([first()])
    from ocop.models import Certificate

    cert = Certificate(
        number="12/QĐ-UBND",
        stars=3,
        issued_on=date(2025, 7, 1),
        expires_on=date(2028, 7, 1),
        issued_by="province",
    )
    rated = stored.model_copy(update={"state": State.RATED, "version": 2, "certificate": cert})
    store.apply(stored, rated, entry(State.RATED))
    assert store.certificate_holders(["12/QĐ-UBND", "99/QĐ"]) == {"12/QĐ-UBND": stored.id}


# -- bulk: one transaction for a whole import ------------------------------------------------


def _certified(n: int) -> tuple[Dossier, HistoryDraft, list[Message]]:
    from ocop.models import Certificate

    cert = Certificate(
        number=f"{n}/QĐ-UBND",
        stars=3,
        issued_on=date(2025, 7, 1),
        expires_on=date(2028, 7, 1),
        issued_by="province",
    )
    dossier = draft(f"Sản phẩm {n}", state=State.RATED, certificate=cert)
    note = Message(dedupe_key=f"imported:{n}|{{dossier}}", kind="accepted", recipient="a@x.vn")
    return dossier, entry(State.RATED, None), [note]


def test_bulk_writes_batches_in_one_transaction_with_history_and_messages(
    store: DossierRepository,
) -> None:
    (before,) = store.insert([first()])
    batches = [[_certified(n) for n in range(1, 4)], [_certified(n) for n in range(4, 6)]]
    with store.bulk() as bulk:
        one = bulk.insert(batches[0])
        # Its checks read the dossiers stored before it, not the rows it wrote itself.
        assert bulk.holders(["2/QĐ-UBND"]) == {}
        two = bulk.insert(batches[1])
    ids = one + two
    assert len(set(ids)) == 5 and before.id not in ids and ids == sorted(ids)
    for (dossier, _, _), dossier_id in zip(batches[0] + batches[1], ids, strict=True):
        assert store.get(dossier_id) == dossier.model_copy(update={"id": dossier_id})
        (row,) = store.history(dossier_id)
        assert (row.version, row.from_state, row.to_state) == (1, None, State.RATED)
    assert store.count(DossierQuery()) == 6
    (after,) = store.insert([first("Miến gạo")])  # the database numbers on after the bulk ids
    assert after.id > max(ids)


def test_bulk_messages_name_their_dossier(store: DossierRepository, db_url: str) -> None:
    from ocop.storage.outbox import Outbox

    with store.bulk() as bulk:
        (stored,) = bulk.insert([_certified(1)])
    database = Database(db_url)
    try:
        (message,) = Outbox(database).find()
    finally:
        database.close()
    assert (message.dossier_id, message.dedupe_key) == (stored, f"imported:1|{stored}")


def test_bulk_discarded_or_raising_writes_nothing(store: DossierRepository) -> None:
    with store.bulk() as bulk:
        bulk.insert([_certified(1)])
        bulk.discard()
    with pytest.raises(ValueError, match="refused"), store.bulk() as bulk:
        bulk.insert([_certified(2)])
        raise ValueError("refused")
    assert store.find(DossierQuery()) == []
    assert store.certificate_holders(["1/QĐ-UBND", "2/QĐ-UBND"]) == {}


def test_bulk_read_only_checks_and_cannot_write(store: DossierRepository) -> None:
    with store.bulk() as bulk:
        (held,) = bulk.insert([_certified(7)])
    with store.bulk() as bulk:
        assert bulk.holders(["7/QĐ-UBND"]) == {"7/QĐ-UBND": held}
        bulk.insert([_certified(9)])
        assert bulk.holders(["7/QĐ-UBND"]) == {"7/QĐ-UBND": held}  # stored before: still seen
        bulk.discard()
    with store.bulk(write=False) as bulk:
        assert bulk.holders(["7/QĐ-UBND"]) == {"7/QĐ-UBND": held}
        with pytest.raises(RuntimeError):
            bulk.insert([_certified(8)])
    assert store.count(DossierQuery()) == 1


def test_stream_reads_what_find_reads_in_batches(store: DossierRepository) -> None:
    with store.bulk() as bulk:
        bulk.insert([_certified(n) for n in range(1, 26)])
    for query in (
        DossierQuery(),
        DossierQuery.build(order_by="product", descending=True),
        DossierQuery.build(state="rated", limit=7, offset=3),
    ):
        assert list(store.stream(query, batch=4)) == store.find(query)
    rows = store.stream(DossierQuery(), batch=4)
    first = next(rows)
    rows.close()  # given up after one row: the read transaction ends, nothing is left open
    assert first == store.find(DossierQuery())[0]
    with store.bulk() as bulk:  # and a writer is not kept waiting by it
        bulk.insert([_certified(99)])
    assert store.count(DossierQuery()) == 26
