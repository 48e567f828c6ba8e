"""The registry on both backends: the storage contract, guards, permissions, bad input."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from factories import (
    ADMIN,
    CENTRAL_OFFICER,
    COMMUNE,
    CRITERIA,
    OFFICER,
    OTHER_OFFICER,
    PRODUCER,
    PROVINCE_OFFICER,
    Clock,
    registration,
    to_rated,
    to_submitted,
)
from sqlalchemy import func, select

import ocop
from ocop import (
    ConcurrentUpdate,
    GuardFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    State,
    TransitionNotAllowed,
)
from ocop.models import Message
from ocop.storage.outbox import insert_messages
from ocop.storage.tables import history, outbox


def _snapshot(reg: ocop.Registry, dossier_id: int) -> tuple[Any, ...]:
    return reg.get(dossier_id), reg.history(dossier_id)


def test_register_stores_the_dossier_and_one_history_row(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    assert (d.state, d.version, d.cycle, d.kind) == (State.REGISTERED, 1, 1, "first")
    assert registry.get(d.id) == d
    [entry] = registry.history(d.id)
    assert (entry.trigger, entry.from_state, entry.to_state, entry.actor) == (
        "register",
        None,
        State.REGISTERED,
        "lan",
    )
    assert entry.role == "commune_officer" and entry.version == 1


def test_the_rule_set_is_picked_by_date_unless_named(registry: ocop.Registry, clock: Clock) -> None:
    clock.set(date(2026, 3, 2))
    assert registry.register(registration(), actor=OFFICER).rule_set == "qd148-2023+qd1489-2025"
    clock.set(date(2026, 6, 1))
    assert registry.register(registration(), actor=OFFICER).rule_set == "qd26-2026"
    named = registry.register(registration(), actor=OFFICER, rule_set="qd148-2023+qd1489-2025")
    assert named.rule_set == "qd148-2023+qd1489-2025"


def test_a_full_path_to_a_three_star_certificate(registry: ocop.Registry, clock: Clock) -> None:
    clock.set(date(2026, 8, 10))
    d = registry.register(registration(), actor=OFFICER)
    # 15 working days under qd26-2026; Saturday 22/8 is worked in exchange for Monday 31/8.
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 28), "commune_deadline")
    d = to_rated(registry, d.id, a=30, b=15, c=20)
    assert d.state is State.RATED and d.rating is not None
    assert (d.rating.total, d.rating.stars) == (65, 3)
    assert d.certificate is not None
    assert (d.certificate.stars, d.certificate.issued_on, d.certificate.expires_on) == (
        3,
        date(2026, 8, 10),
        date(2029, 8, 10),
    )
    # qd26-2026: the re-rating window opens 180 days before expiry.
    assert (d.next_due_on, d.next_due) == (date(2029, 2, 11), "recertification_opens")
    assert d.submission is not None and (d.submission.round, d.submission.round_year) == (2, 2026)
    assert [h.to_state for h in registry.history(d.id)] == [
        State.REGISTERED,
        State.CHECKED,
        State.COMMUNE_EVALUATED,
        State.SUBMITTED,
        State.RATED,
    ]
    assert registry.get(d.id) == d


@pytest.mark.parametrize(
    ("scores", "state", "stars"),
    [((20, 10, 10), State.NOT_RECOGNIZED, 2), ((38, 22, 31), State.CENTRAL_REVIEW, 5)],
)
def test_the_score_decides_the_outcome(
    registry: ocop.Registry, scores: tuple[int, int, int], state: State, stars: int
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_submitted(registry, d.id)
    a, b, c = scores
    d = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=a, b=b, c=c)
    assert d.state is state and d.rating is not None and d.rating.stars == stars
    assert d.certificate is None


def test_central_review_gives_five_stars_or_falls_back(registry: ocop.Registry) -> None:
    ids = []
    for _ in range(2):
        d = registry.register(registration(), actor=OFFICER)
        to_submitted(registry, d.id)
        registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=38, b=22, c=31)
        ids.append(d.id)
    five = registry.fire(
        ids[0], "rate_central", actor=CENTRAL_OFFICER, a=37, b=23, c=32, certificate_number="5S-1"
    )
    assert five.certificate is not None and five.certificate.stars == 5
    assert five.certificate.issued_by == "central"
    four = registry.fire(
        ids[1], "rate_central", actor=CENTRAL_OFFICER, a=35, b=20, c=30, certificate_number="4S-1"
    )
    assert four.certificate is not None and four.certificate.stars == 4
    assert four.certificate.issued_by == "province"


def test_a_starred_minimum_caps_the_stars(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_submitted(registry, d.id)
    d = registry.fire(
        d.id,
        "rate",
        actor=PROVINCE_OFFICER,
        a=35,
        b=20,
        c=20,
        minimum_stars_met=3,
        certificate_number="GCN-9",
    )
    assert d.rating is not None and d.rating.total == 75 and d.rating.stars == 3


@pytest.mark.parametrize(
    ("trigger", "data", "error", "text"),
    [
        ("check", {"documents": ["mau_01"], "samples": 5}, GuardFailed, "document mau_02"),
        (
            "check",
            {"documents": ["mau_01", "mau_02"], "samples": 2},
            GuardFailed,
            "5 product samples",
        ),
        ("return_dossier", {}, GuardFailed, "reason"),
        ("check", {"samples": -1}, InvalidInput, "samples"),
        ("check", {"colour": "red"}, InvalidInput, "does not take colour"),
        ("rate", {"a": 30, "b": 15, "c": 20}, TransitionNotAllowed, "registered"),
        ("frobnicate", {}, InvalidInput, "Unknown step"),
    ],
)
def test_refused_steps_change_nothing(
    registry: ocop.Registry, trigger: str, data: dict[str, Any], error: type[Exception], text: str
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    before = _snapshot(registry, d.id)
    with pytest.raises(error, match=text):
        registry.fire(d.id, trigger, actor=OFFICER, **data)
    assert _snapshot(registry, d.id) == before


def test_a_tourism_dossier_needs_no_samples(registry: ocop.Registry) -> None:
    d = registry.register(registration(product_set=26, product_name="Làng nghề"), actor=OFFICER)
    d = registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"])
    assert d.state is State.CHECKED


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"a": 41, "b": 15, "c": 20}, "Part A score must be a number from 0 to 40"),
        ({"a": 30, "b": "nhiều", "c": 20}, "Part B"),
        ({"a": 30, "b": 15, "c": float("nan")}, "Part C"),
        ({"a": 30, "b": 15}, "part C score"),
        ({"a": 30, "b": 15, "c": 20}, "certificate number"),
    ],
)
def test_bad_scores_are_refused_and_change_nothing(
    registry: ocop.Registry, data: dict[str, Any], text: str
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_submitted(registry, d.id)
    before = _snapshot(registry, d.id)
    with pytest.raises((InvalidInput, GuardFailed), match=text):
        registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, **data)
    assert _snapshot(registry, d.id) == before


def test_evaluation_needs_all_four_criteria(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    partial = {k: v for k, v in CRITERIA.items() if k != "local_identity"}
    with pytest.raises(GuardFailed) as refused:
        registry.fire(d.id, "evaluate", actor=OFFICER, criteria=partial)
    [missing] = refused.value.missing
    assert (missing.code, missing.params, str(missing)) == (
        "criterion",
        {"criterion": "local_identity"},
        "an assessment of local_identity",
    )
    with pytest.raises(InvalidInput, match="Unknown criterion"):
        registry.fire(d.id, "evaluate", actor=OFFICER, criteria={**CRITERIA, "taste": "ngon"})
    assert registry.get(d.id).state is State.CHECKED


@pytest.mark.parametrize(
    ("actor", "trigger", "reason", "text"),
    [
        (PRODUCER, "check", "role", "Only a commune officer"),
        (OTHER_OFFICER, "check", "commune", "Ask an officer of Lưu Vệ"),
        (PROVINCE_OFFICER, "return_dossier", "state", "cannot return the dossier while"),
        (ocop.Actor("ai", ocop.Role.PRODUCER), "withdraw", "owner", "not ai's"),
        (ADMIN, "check", "role", "Only a commune officer"),
    ],
)
def test_permissions_say_who_may(
    registry: ocop.Registry, actor: ocop.Actor, trigger: str, reason: str, text: str
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    before = _snapshot(registry, d.id)
    with pytest.raises(PermissionDenied, match=text) as refused:
        registry.fire(d.id, trigger, actor=actor, reason="x")
    assert refused.value.reason == reason and refused.value.details["actor"] == actor.name
    assert _snapshot(registry, d.id) == before


def test_the_producer_may_withdraw_their_own_dossier(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=PRODUCER)
    assert d.owner == "minhanh"
    assert registry.allowed_triggers(d.id, PRODUCER) == ["withdraw"]
    assert set(registry.allowed_triggers(d.id, OFFICER)) == {"return_dossier", "check"}
    assert registry.allowed_triggers(d.id, OTHER_OFFICER) == []
    d = registry.fire(d.id, "withdraw", actor=PRODUCER, reason="Ngừng sản xuất")
    assert d.state is State.WITHDRAWN
    with pytest.raises(TransitionNotAllowed, match="Nothing can be done now"):
        registry.fire(d.id, "check", actor=OFFICER)


def test_a_producer_cannot_register_for_someone_else(registry: ocop.Registry) -> None:
    with pytest.raises(PermissionDenied):
        registry.register(registration(owner="someone"), actor=PRODUCER)
    with pytest.raises(PermissionDenied):
        registry.register(registration(commune="Quảng Yên"), actor=OFFICER)
    assert registry.find() == []


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"product_name": ""}, "product_name: must not be empty"),
        ({"product_name": "x" * 10_000}, "at most 300 characters"),
        ({"product_name": "Nem\r\nBcc: a@b.c"}, "single line"),
        ({"product_set": 27}, "product_set"),
        ({"producer": {"name": "A", "email": "not-an-address"}}, "producer.email"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_registrations_are_refused(
    registry: ocop.Registry, overrides: dict[str, Any], text: str
) -> None:
    with pytest.raises(InvalidInput, match=text):
        registry.register(registration(**overrides), actor=OFFICER)
    assert registry.find() == []


def test_bad_dates_are_refused(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    for bad in ("31/02/2026", "2026-13-01", "hôm qua"):
        with pytest.raises(InvalidInput, match="letter_date"):
            registry.fire(d.id, "submit", actor=OFFICER, letter_number="1", letter_date=bad)
    ok = registry.fire(d.id, "submit", actor=OFFICER, letter_number="1", letter_date="28/02/2026")
    assert ok.submission is not None and ok.submission.letter_date == date(2026, 2, 28)


def test_vietnamese_text_is_stored_nfc_and_found_from_decomposed_input(
    registry: ocop.Registry,
) -> None:
    decomposed = unicodedata.normalize("NFD", "Bánh răng bừa Nga My")
    d = registry.register(
        registration(product_name=decomposed, commune=unicodedata.normalize("NFD", COMMUNE)),
        actor=OFFICER,
    )
    assert d.product_name == unicodedata.normalize("NFC", decomposed)
    assert [x.id for x in registry.find(commune=unicodedata.normalize("NFD", "Lưu Vệ"))] == [d.id]
    assert [x.id for x in registry.find(search=unicodedata.normalize("NFD", "bánh"))] == [d.id]


def test_find_filters_and_sorts(registry: ocop.Registry, clock: Clock) -> None:
    first = registry.register(registration(product_name="Miến gạo"), actor=OFFICER)
    clock.advance(days=3)
    second = registry.register(registration(product_set=6), actor=OFFICER)
    registry.fire(second.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    assert [d.id for d in registry.find(state="checked")] == [second.id]
    assert [d.id for d in registry.find(product_set=6)] == [second.id]
    assert [d.id for d in registry.find(order_by="id", descending=True)] == [second.id, first.id]
    assert [d.id for d in registry.find(due_before=date(2027, 1, 1))] == []  # 148: no deadline
    assert registry.find(commune="Quảng Yên") == []
    assert [d.id for d in registry.find(search="50%_")] == []
    with pytest.raises(InvalidInput, match="Unknown state"):
        registry.find(state="lost")
    with pytest.raises(InvalidInput, match="Cannot sort"):
        registry.find(order_by="colour")


def test_expected_version_detects_a_stale_form(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02", expected_version=1)
    with pytest.raises(ConcurrentUpdate, match="changed by someone else"):
        registry.fire(d.id, "resubmit", actor=OFFICER, expected_version=1)
    assert registry.get(d.id).version == 2


def test_a_lost_race_writes_nothing(registry: ocop.Registry) -> None:
    """Two writers read version 1; the store accepts the first and refuses the second."""
    d = registry.register(registration(), actor=OFFICER)
    store = registry._dossiers
    from ocop.models import HistoryDraft

    def move(to: State) -> None:
        after = d.model_copy(update={"state": to, "version": 2})
        entry = HistoryDraft(registry.now(), "lan", "commune_officer", "x", d.state, to)
        store.apply(d, after, entry)

    move(State.CHECKED)
    with pytest.raises(ConcurrentUpdate):
        move(State.RETURNED)
    assert registry.get(d.id).state is State.CHECKED
    assert len(registry.history(d.id)) == 2


def test_unknown_ids_are_not_found(registry: ocop.Registry) -> None:
    for call in (
        lambda: registry.get(999),
        lambda: registry.history(999),
        lambda: registry.fire(999, "check", actor=OFFICER),
        lambda: registry.user("nobody"),
    ):
        with pytest.raises(NotFound):
            call()


def test_outbox_rows_are_deduplicated_by_key(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    msg = Message(dedupe_key=f"reminder:{d.id}:1", kind="test", recipient="a@b.vn", dossier_id=d.id)
    db = registry.database
    with db.write() as conn:
        assert insert_messages(conn, [msg], registry.now()) == 1
    with db.write() as conn:
        assert (
            insert_messages(
                conn, [msg, msg.model_copy(update={"dedupe_key": "k2"})], registry.now()
            )
            == 1
        )
    with db.read() as conn:
        # The register above wrote its own notice to the producer too (ocop.open's default).
        count = select(func.count()).select_from(outbox).where(outbox.c.kind == "test")
        assert conn.execute(count).scalar_one() == 2


def test_notices_commit_with_the_transition_and_not_without_it(db_url: str, clock: Clock) -> None:
    def notices(before: Any, after: ocop.Dossier, entry: Any) -> list[Message]:
        key = f"notice:{after.id}:{after.version}"
        return [Message(dedupe_key=key, kind=entry.trigger, recipient="x@y.vn")]

    with ocop.open(db_url, clock=clock, notices=notices) as reg:
        d = reg.register(registration(), actor=OFFICER)
        reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
        with pytest.raises(TransitionNotAllowed):
            reg.fire(d.id, "check", actor=OFFICER)
        with reg.database.read() as conn:
            kinds = conn.execute(select(outbox.c.kind).order_by(outbox.c.id)).scalars().all()
            rows = conn.execute(select(func.count()).select_from(history)).scalar_one()
        assert kinds == ["register", "return_dossier"] and rows == 2


def test_subscribers_hear_committed_transitions_only(registry: ocop.Registry) -> None:
    heard: list[tuple[str, State]] = []
    unsubscribe = registry.subscribe(lambda e: heard.append((e.trigger, e.after.state)))
    registry.subscribe(lambda e: 1 / 0)  # a broken subscriber must not break the registry
    d = registry.register(registration(), actor=OFFICER)
    with pytest.raises(GuardFailed):
        registry.fire(d.id, "check", actor=OFFICER)
    registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
    unsubscribe()
    registry.fire(d.id, "resubmit", actor=OFFICER)
    assert heard == [("register", State.REGISTERED), ("return_dossier", State.RETURNED)]


def test_users_are_added_listed_and_disabled(registry: ocop.Registry) -> None:
    registry.add_user(
        {
            "username": "lan",
            "full_name": "Nguyễn Thị Lan",
            "role": "commune_officer",
            "commune": COMMUNE,
            "province": "Thanh Hóa",
            "email": "lan@luuve.gov.vn",
        }
    )
    assert registry.actor("lan") == OFFICER
    with pytest.raises(InvalidInput, match="exists already"):
        registry.add_user({"username": "lan", "full_name": "X", "role": "admin"})
    registry.set_user_active("lan", False)
    with pytest.raises(PermissionDenied, match="disabled"):
        registry.actor("lan")
    assert [u.username for u in registry.users()] == ["lan"]


def test_search_ignores_diacritics_and_case(registry: ocop.Registry) -> None:
    d = registry.register(registration(product_name="Miến gạo Dung Tháp"), actor=OFFICER)
    registry.register(registration(product_name="Bánh răng bừa Nga My"), actor=OFFICER)
    for query in ("mien gao", "MIẾN", "dung thap", "gạo"):
        assert [x.id for x in registry.find(search=query)] == [d.id], query
    assert registry.find(search="đường") == []


@pytest.mark.parametrize("key", ["abc", -1, 0, 2**70, True, 1.5, "1; DROP TABLE ocop_dossiers"])
def test_a_malformed_dossier_number_is_invalid_input(registry: ocop.Registry, key: Any) -> None:
    with pytest.raises(InvalidInput, match="not a dossier number"):
        registry.get(key)
    with pytest.raises(InvalidInput):
        registry.fire(key, "check", actor=OFFICER)


def test_an_unknown_role_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="Unknown role 'mayor'"):
        ocop.Actor("x", "mayor")  # type: ignore[arg-type]


def _certified(name: str, number: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "registration": registration(product_name=name, owner=None),
        "certificate_number": number,
        "stars": 3,
        "issued_on": "2023-06-20",
    }
    data.update(overrides)
    return data


def test_an_import_is_all_or_nothing_and_names_every_bad_row(registry: ocop.Registry) -> None:
    held = registry.import_certified(
        registration(owner=None),
        certificate_number="HELD-1",
        stars=4,
        issued_on="2024-01-02",
        actor=OFFICER,
    )
    rows = [
        _certified("Nem chua", "A-1"),
        _certified("Miến gạo", "A-2", stars=7),
        _certified("Bánh răng bừa", "A-1"),
        _certified("Chè lam", "B-1", issued_on="31/02/2023"),
        _certified("Bánh gai", "HELD-1"),
        _certified("Rượu", "C-1", registration=registration(commune="Quảng Yên")),
        _certified("Mật ong", "D-1"),
    ]
    with pytest.raises(ocop.RowsRejected) as refused:
        registry.import_certified_many(rows, actor=OFFICER)
    problems = refused.value.problems
    assert sorted(problems) == [2, 3, 4, 5, 6]
    assert "stars" in problems[2][0]
    assert problems[3] == ("certificate A-1 is also on row 1",)
    assert "issued_on" in problems[4][0]
    assert problems[5] == (f"certificate HELD-1 is already on dossier {held.id}",)
    assert "may not import" in problems[6][0]
    assert [d.id for d in registry.find()] == [held.id]

    good = registry.import_certified_many([rows[0], rows[6]], actor=OFFICER)
    assert [d.product_name for d in good] == ["Nem chua", "Mật ong"]
    assert all(d.state is State.RATED and d.version == 1 for d in good)
    assert [h.trigger for h in registry.history(good[1].id)] == ["import_certified"]


@pytest.mark.parametrize(
    ("trigger", "data"),
    [
        ("return_dossier", {"reason": "Thiếu\x00 Mẫu 02"}),
        ("check", {"documents": ["mau 01"]}),
        ("check", {"documents": ["MAU_01\x00"]}),
    ],
)
def test_control_characters_and_odd_document_names_are_refused(
    registry: ocop.Registry, trigger: str, data: dict[str, Any]
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    before = _snapshot(registry, d.id)
    with pytest.raises(InvalidInput):
        registry.fire(d.id, trigger, actor=OFFICER, **data)
    with pytest.raises(InvalidInput, match="control characters"):
        registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu", note="a\x00b")
    assert _snapshot(registry, d.id) == before
