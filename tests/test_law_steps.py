"""The law's numbers and the steps' boundaries, each pinned from ../shared/OCOP-RULES.md, not
from the code (issue 12): part maxima, bands, validity, windows, grace, time limits, rounds;
the revoke step; 0 and full marks accepted and one over refused; the deadlines after the
commune's stage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from fractions import Fraction

import pytest
from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, Clock, registration

import ocop
from ocop.states import RULE_SETS

QD26 = RULE_SETS["qd26-2026"]
QD148 = RULE_SETS["qd148-2023+qd1489-2025"]


# -- the constants (OCOP-RULES.md §1B, §3, §4, §7) ----------------------------------------


@pytest.mark.parametrize("rules", [QD26, QD148], ids=lambda r: r.id)
def test_parts_bands_and_validity_are_the_laws(rules: ocop.RuleSet) -> None:
    assert dict(rules.part_maxima) == {"a": 40, "b": 25, "c": 35}  # §3, not 1048's 35/25/40
    assert rules.max_score == 100
    assert rules.certificate_months == 36  # §4, Điều 4.3
    assert rules.recognised_stars == {3, 4, 5}  # 1★/2★: no certificate (Điều 4.1.a)
    edges = {
        0: 1, Fraction(2999, 100): 1, 30: 2, Fraction(4999, 100): 2, 50: 3,
        Fraction(6999, 100): 3, 70: 4, Fraction(8999, 100): 4, 90: 5, 100: 5,
    }  # fmt: skip
    assert {score: rules.stars_for(score) for score in edges} == edges


def test_26_2026s_windows_limits_and_rounds() -> None:
    assert (QD26.effective_from, QD26.effective_until) == (date(2026, 5, 22), None)
    assert (QD26.recertification_opens_days, QD26.filing_closes_days) == (180, 120)  # 7.6.a
    assert QD26.grace_after_expiry_days == 180  # Điều 12.3
    limits = {k: (v.amount, v.unit) if v else None for k, v in QD26.step_deadlines.items()}
    assert limits == {
        "commune": (15, "working_days"),  # Điều 7.2
        "province_first": None,  # NOT FOUND: the round's cut-off applies
        "province_rerating": (45, "days"),  # Điều 7.6.g
        "central_rerating": (45, "days"),
        "revocation": (15, "days"),  # Điều 8.4
    }
    rounds = [(r.number, r.propose_by, r.rated_by) for r in QD26.province_rounds]
    assert rounds == [(1, (4, 30), (6, 30)), (2, (10, 30), (12, 30))]  # Điều 5
    central = [(r.number, r.propose_by, r.rated_by) for r in QD26.central_rounds]
    assert central == [(1, (7, 30), (9, 30)), (2, (1, 30), (3, 30))]
    assert QD26.samples_required == 5 and QD26.required_documents == ("mau_01", "mau_02")


def test_148_1489_lapses_60_days_after_26_2026_and_sets_no_step_limits() -> None:
    assert QD148.effective_until == date(2026, 7, 21)  # 26/2026 Điều 11.2
    assert all(v is None for v in QD148.step_deadlines.values())  # OCOP-RULES §8.2
    assert QD148.grace_after_expiry_days == 0


# -- the steps ----------------------------------------------------------------------------


@pytest.fixture
def registry(db_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 3)))
    yield reg
    reg.close()


def _submitted(reg: ocop.Registry, clock: Clock) -> ocop.Dossier:
    d = reg.register(registration(), actor=OFFICER)
    reg.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    reg.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    clock.set(date(2026, 8, 14))
    return reg.fire(d.id, "submit", actor=OFFICER, letter_number="88", letter_date="2026-08-14")


def test_an_august_submission_feeds_province_round_2_due_30_december(
    registry: ocop.Registry,
) -> None:
    d = _submitted(registry, registry.clock)  # type: ignore[arg-type]
    assert d.submission is not None and (d.submission.round, d.submission.round_year) == (2, 2026)
    assert (d.next_due_on, d.next_due) == (date(2026, 12, 30), "province_round")


@pytest.mark.parametrize(
    ("a", "b", "c", "state"),
    [(0, 0, 0, "not_recognized"), (40, 25, 35, "central_review"), (27.5, 14, 19, "rated")],
)
def test_zero_and_full_marks_are_accepted(
    registry: ocop.Registry, a: float, b: float, c: float, state: str
) -> None:
    d = _submitted(registry, registry.clock)  # type: ignore[arg-type]
    extra = {"certificate_number": "1/QĐ"} if state == "rated" else {}
    rated = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=a, b=b, c=c, **extra)
    assert rated.state.value == state


@pytest.mark.parametrize(
    "scores", [{"a": 41, "b": 0, "c": 0}, {"a": 0, "b": 26, "c": 0}, {"a": 0, "b": 0, "c": 36},
               {"a": 40.01, "b": 25, "c": 35}, {"a": -1, "b": 0, "c": 0}],
    ids=["a41", "b26", "c36", "a40.01", "a-1"],
)  # fmt: skip
def test_one_over_a_parts_maximum_or_below_zero_is_refused(
    registry: ocop.Registry, scores: dict[str, float]
) -> None:
    d = _submitted(registry, registry.clock)  # type: ignore[arg-type]
    with pytest.raises(ocop.InvalidInput):
        registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, certificate_number="1", **scores)
    assert registry.get(d.id) == d


def test_the_revoke_step(registry: ocop.Registry) -> None:
    clock = registry.clock
    d = _submitted(registry, clock)  # type: ignore[arg-type]
    clock.set(date(2026, 11, 20))  # type: ignore[attr-defined]
    rated = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=29, b=15, c=19,
                          certificate_number="301/QĐ")  # fmt: skip
    assert rated.state.value == "rated"
    with pytest.raises(ocop.PermissionDenied):  # the province revokes, not the commune
        registry.fire(d.id, "revoke", actor=OFFICER, ground="production_stopped")
    with pytest.raises(ocop.GuardFailed):  # a ground is required
        registry.fire(d.id, "revoke", actor=PROVINCE_OFFICER)
    with pytest.raises(ocop.InvalidInput, match="Unknown revocation ground"):
        registry.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="dislike")
    assert registry.get(d.id) == rated
    clock.set(date(2027, 1, 5))  # type: ignore[attr-defined]
    revoked = registry.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="production_stopped")
    cert = revoked.certificate
    assert revoked.state.value == "revoked" and cert is not None
    assert (cert.revoked_on, cert.revocation_ground) == (date(2027, 1, 5), "production_stopped")
    assert not cert.valid_on(date(2027, 1, 5))  # a revoked certificate is in force no more
    last = registry.history(d.id)[-1]
    assert (last.trigger, last.actor, last.payload["ground"]) == (
        "revoke",
        "hoa",
        "production_stopped",
    )
    with pytest.raises(ocop.TransitionNotAllowed):
        registry.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="other")


# -- the next dates after each stage (OCOP-RULES.md §1B, §7; counted by hand) ------------


def test_the_commune_clock_runs_until_the_letter_goes(registry: ocop.Registry) -> None:
    # Registered Monday 3/8/2026: 15 working days, the day itself not counted, Saturday 22/8
    # worked in exchange for 31/8 -> Saturday 22/8/2026 (Điều 7.2).
    d = registry.register(registration(), actor=OFFICER)
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 22), "commune_deadline")
    d = registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 22), "commune_deadline")
    d = registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 22), "commune_deadline")


def test_a_rerating_is_due_45_days_after_the_letter(registry: ocop.Registry) -> None:
    d = registry.register(registration(kind="rerating"), actor=OFFICER)
    registry.fire(d.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    registry.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    registry.clock.set(date(2026, 8, 14))  # type: ignore[attr-defined]
    d = registry.fire(d.id, "submit", actor=OFFICER, letter_number="9", letter_date="2026-08-14")
    assert (d.next_due_on, d.next_due) == (date(2026, 9, 28), "province_deadline")  # 7.6.g


def test_a_proposal_in_november_waits_for_central_round_2_and_a_certificate_for_its_window(
    registry: ocop.Registry,
) -> None:
    clock = registry.clock
    d = _submitted(registry, clock)  # type: ignore[arg-type]
    clock.set(date(2026, 11, 20))  # type: ignore[attr-defined]
    proposed = registry.fire(d.id, "rate", actor=PROVINCE_OFFICER, a=38, b=24, c=30)
    # Proposed before 30/1 -> the Ministry's round 2, rated before 30/3/2027.
    assert proposed.state.value == "central_review"
    assert (proposed.next_due_on, proposed.next_due) == (date(2027, 3, 30), "central_round")
    other = registry.register(registration(product_name="Bánh gai"), actor=OFFICER)
    registry.fire(other.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=5)
    registry.fire(other.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
    registry.fire(other.id, "submit", actor=OFFICER, letter_number="2", letter_date="2026-11-20")
    rated = registry.fire(other.id, "rate", actor=PROVINCE_OFFICER, a=29, b=15, c=19,
                          certificate_number="302/QĐ")  # fmt: skip
    cert = rated.certificate
    assert cert is not None and cert.expires_on == date(2029, 11, 20)  # 36 months
    # The re-rating window opens 180 days before expiry (26/2026 Điều 7.6.a).
    assert (rated.next_due_on, rated.next_due) == (date(2029, 5, 24), "recertification_opens")
