"""The Lưu Vệ 2026 plan, walked through the library: three re-ratings and one new product."""

from __future__ import annotations

from datetime import date

from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, Clock, registration, to_rated

import ocop
from ocop import Kind, State

# The seed names the products, not their certificates: numbers and dates here are illustrative.
CERTIFIED_2023 = [
    ("Nem chua Minh Anh", 8, "2023-06-20"),
    ("Bánh răng bừa Nga My", 6, "2023-09-12"),
    ("Miến gạo Dung Tháp", 6, "2023-11-30"),
]


def test_the_three_three_star_products_fall_due_and_are_re_rated(
    sqlite_registry: ocop.Registry, clock: Clock
) -> None:
    reg = sqlite_registry
    clock.set(date(2026, 1, 5))
    ids = [
        reg.import_certified(
            registration(product_name=name, product_set=product_set, owner=None),
            certificate_number=f"{n}/QĐ-UBND",
            stars=3,
            issued_on=issued,
            actor=OFFICER,
        ).id
        for n, (name, product_set, issued) in enumerate(CERTIFIED_2023, start=101)
    ]
    nem = reg.get(ids[0])
    assert nem.state is State.RATED and nem.certificate is not None
    assert nem.certificate.expires_on == date(2026, 6, 20)
    # Filed under 148+1489: the producer is told 30 days before expiry.
    assert (nem.next_due_on, nem.next_due) == (date(2026, 5, 21), "recertification_opens")

    clock.set(date(2026, 5, 20))
    assert reg.advance() == []
    clock.set(date(2026, 5, 21))
    assert [(e.after.id, e.after.state) for e in reg.advance()] == [
        (ids[0], State.RECERTIFICATION_DUE)
    ]
    assert reg.advance() == []  # a second sweep finds nothing more to do

    clock.set(date(2026, 6, 1))
    cycle = reg.fire(ids[0], "reapply", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    assert (cycle.state, cycle.cycle, cycle.kind) == (State.REGISTERED, 2, Kind.RERATING)
    assert cycle.rule_set == "qd26-2026"  # the new cycle runs under the law of its day
    assert cycle.certificate == nem.certificate  # kept until replaced or lapsed
    reg.fire(ids[0], "check", actor=OFFICER)
    clock.set(date(2026, 8, 12))  # the commune evaluation in August
    reg.fire(ids[0], "evaluate", actor=OFFICER, criteria=CRITERIA)
    clock.set(date(2026, 8, 14))  # the letter is signed that day, not ahead of it
    submitted = reg.fire(
        ids[0], "submit", actor=OFFICER, letter_number="88/UBND-KT", letter_date="2026-08-14"
    )
    # A re-rating has 45 days at the province under 26/2026.
    assert (submitted.next_due_on, submitted.next_due) == (date(2026, 9, 28), "province_deadline")
    clock.set(date(2026, 9, 20))
    rerated = reg.fire(
        ids[0], "rate", actor=PROVINCE_OFFICER, a=31, b=16, c=21, certificate_number="215/QĐ-UBND"
    )
    assert rerated.state is State.RATED and rerated.certificate is not None
    assert (rerated.certificate.number, rerated.certificate.stars) == ("215/QĐ-UBND", 3)
    assert rerated.certificate.expires_on == date(2029, 9, 20)

    # The other two fall due on their own dates.
    clock.set(date(2026, 10, 31))
    flagged = {e.after.id for e in reg.advance()}
    assert flagged == {ids[1], ids[2]}


def test_the_new_product_is_returned_once_and_rated_three_stars(
    sqlite_registry: ocop.Registry, clock: Clock
) -> None:
    reg = sqlite_registry
    clock.set(date(2026, 3, 16))
    d = reg.register(
        registration(product_name="Chè lam Lưu Vệ", product_set=6, owner=None),
        actor=OFFICER,
        rule_set="qd148-2023+qd1489-2025",  # the plan's legal basis
    )
    d = reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02 có chữ ký")
    assert d.return_reason == "Thiếu Mẫu 02 có chữ ký"
    clock.set(date(2026, 4, 2))
    d = reg.fire(d.id, "resubmit", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    assert d.return_reason is None
    reg.fire(d.id, "check", actor=OFFICER)
    clock.set(date(2026, 8, 12))
    reg.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    clock.set(date(2026, 8, 14))
    reg.fire(d.id, "submit", actor=OFFICER, letter_number="90/UBND-KT", letter_date="14/08/2026")
    clock.set(date(2026, 11, 20))
    d = reg.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=29, b=15, c=19, certificate_number="301")
    assert d.state is State.RATED and d.certificate is not None and d.certificate.stars == 3
    assert [h.trigger for h in reg.history(d.id)] == [
        "register",
        "return_dossier",
        "resubmit",
        "check",
        "evaluate",
        "submit",
        "rate",
    ]


def test_a_certificate_lapses_after_its_grace(sqlite_registry: ocop.Registry, clock: Clock) -> None:
    reg = sqlite_registry
    clock.set(date(2026, 7, 1))
    d = reg.import_certified(
        registration(owner=None),
        certificate_number="7",
        stars=4,
        issued_on="2023-07-10",
        actor=OFFICER,
    )
    assert d.rule_set == "qd26-2026" and d.state is State.RATED
    clock.set(date(2027, 1, 5))  # expiry 10/7/2026 + 180 days of grace = 6/1/2027
    assert [e.after.state for e in reg.advance()] == [State.RECERTIFICATION_DUE]
    clock.set(date(2027, 1, 6))
    assert reg.advance() == []
    clock.set(date(2027, 1, 7))
    [lapsed] = reg.advance()
    assert lapsed.after.state is State.EXPIRED and lapsed.trigger == "expire"
    again = reg.fire(d.id, "reapply", actor=OFFICER)
    assert again.kind is Kind.FIRST  # no valid certificate left to re-rate


def test_a_certificate_is_re_rated_under_the_law_of_its_day(
    sqlite_registry: ocop.Registry, clock: Clock
) -> None:
    """Rated under 148+1489 in March 2026; its 2029 window is the 180 days of 26/2026."""
    reg = sqlite_registry
    clock.set(date(2026, 3, 2))
    d = reg.register(registration(), actor=OFFICER)
    d = to_rated(reg, d.id)
    assert d.rule_set == "qd148-2023+qd1489-2025"
    assert d.certificate is not None and d.certificate.expires_on == date(2029, 3, 2)
    assert (d.next_due_on, d.next_due) == (date(2028, 9, 3), "recertification_opens")
    clock.set(date(2028, 9, 2))
    assert reg.advance() == []
    clock.set(date(2028, 9, 3))
    assert [e.after.state for e in reg.advance()] == [State.RECERTIFICATION_DUE]
