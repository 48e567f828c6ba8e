"""Each reminder rule on fixed dates, with the Lưu Vệ plan and the Vietnamese calendar."""

from __future__ import annotations

from datetime import date

import pytest
from notifdata import at, dossier

from ocop.models import Kind
from ocop.notifications.reminder import Reminder, working_days_before
from ocop.notifications.rules import (
    certificates,
    digest,
    evaluation_window,
    events,
    reminders_due,
    round_cutoffs,
    step_deadlines,
)
from ocop.plan import Plan, luu_ve_2026
from ocop.states import State
from ocop.workdays import Calendar

PLAN = luu_ve_2026()
CAL = Calendar()
OFFICE = "phongkinhte@luuve.example"
LEADER = "pct.kinhte@luuve.example"
PROVINCE = "vpdp.ntm@thanhhoa.example"


def who(reminders: list[Reminder], kind: str | None = None) -> set[tuple[str, str]]:
    return {(r.kind, r.to.email) for r in reminders if kind is None or r.kind == kind}


def plan_2027() -> Plan:
    """The same commune a year later, under 26/2026 (which has province rounds)."""
    return PLAN.model_copy(update={"year": 2027, "rule_set": "qd26-2026", "evaluation": None})


# -- the evaluation window (August 2026) ---------------------------------------------------


def test_the_window_opening_reminder_is_due_on_18_july_not_before() -> None:
    assert evaluation_window([], PLAN, CAL, at("2026-07-17")) == []
    found = evaluation_window([], PLAN, CAL, at("2026-07-18"))
    assert [(r.kind, r.lead, r.to.email, r.anchor) for r in found] == [
        ("window_opening", "14d", OFFICE, date(2026, 8, 1))
    ]
    assert found[0].context["days_left"] == 14
    assert found[0].context["unfiled_targets"] == [t.product for t in PLAN.targets.rerecognise]


def test_of_a_series_only_the_latest_due_lead_is_kept() -> None:
    # A daemon down from 17/7 to 30/7 sends the 3-day reminder, not both.
    found = evaluation_window([], PLAN, CAL, at("2026-07-30"))
    assert [r.lead for r in found] == ["3d"]
    assert found[0].context["days_left"] == 2
    # Still sendable on the opening day itself, not after.
    assert [r.lead for r in evaluation_window([], PLAN, CAL, at("2026-08-01"))] == ["3d"]
    assert evaluation_window([], PLAN, CAL, at("2026-08-02")) == []


def test_producers_hear_of_the_opening_and_of_the_closing_when_their_dossier_was_returned() -> None:
    waiting = dossier(1, state=State.CHECKED, email="a@example.vn")
    returned = dossier(2, state=State.RETURNED, product="Bánh răng bừa Nga My", email="b@x.vn")
    due = dossier(
        3,
        state=State.RECERTIFICATION_DUE,
        product="Miến gạo Dung Tháp",
        issued="2023-09-15",
        email="c@x.vn",
    )
    evaluated = dossier(4, state=State.COMMUNE_EVALUATED, product="Chè", email="d@x.vn")
    ds = [waiting, returned, due, evaluated]
    opening = evaluation_window(ds, PLAN, CAL, at("2026-07-18"))
    assert who(opening) == {
        ("window_opening", OFFICE),
        ("window_opening", "a@example.vn"),
        ("window_opening", "b@x.vn"),
        ("window_opening", "c@x.vn"),
    }
    office = next(r for r in opening if r.to.email == OFFICE)
    assert [d["id"] for d in office.context["items"]] == [1, 2]
    assert [d["id"] for d in office.context["to_file"]] == [3]
    assert office.context["unfiled_targets"] == []  # Nem chua is waiting, Nga My returned
    closing = evaluation_window(ds, PLAN, CAL, at("2026-08-24"))
    assert who(closing) == {("window_closing", OFFICE), ("window_closing", "b@x.vn")}
    assert [r.lead for r in closing] == ["7d", "7d"]
    assert [r.lead for r in evaluation_window(ds, PLAN, CAL, at("2026-08-30"))] == ["1d", "1d"]


def test_on_1_september_the_closing_reminder_is_past() -> None:
    ds = [dossier(1, state=State.REGISTERED)]
    assert who(evaluation_window(ds, PLAN, CAL, at("2026-08-31")), "window_closing")
    assert evaluation_window(ds, PLAN, CAL, at("2026-09-01")) == []
    # Nothing left to evaluate: no closing reminder at all.
    assert evaluation_window([], PLAN, CAL, at("2026-08-24")) == []


# -- province rounds (26/2026: proposals by 30/4 and 30/10) --------------------------------


def test_round_cutoffs_of_30_april_and_30_october_with_the_dossiers_not_submitted() -> None:
    plan = plan_2027()
    pending = [
        dossier(1, state=State.COMMUNE_EVALUATED, rule_set="qd26-2026"),
        dossier(2, state=State.SUBMITTED, rule_set="qd26-2026", submitted=("2027-03-01", 1, 2027)),
    ]
    first = round_cutoffs(pending, plan, CAL, at("2027-03-31"))
    assert who(first) == {("round_cutoff", OFFICE), ("round_cutoff", LEADER)}
    assert {(r.anchor, r.lead, r.context["round"]) for r in first} == {
        (date(2027, 4, 30), "30d", 1)
    }
    assert [d["id"] for d in first[0].context["items"]] == [1]
    assert first[0].context["rated_by"] == "2027-06-30"
    assert {r.lead for r in round_cutoffs(pending, plan, CAL, at("2027-04-23"))} == {"7d"}
    assert round_cutoffs(pending, plan, CAL, at("2027-05-01")) == []
    second = round_cutoffs(pending, plan, CAL, at("2027-09-30"))
    assert {(r.anchor, r.context["round"]) for r in second} == {(date(2027, 10, 30), 2)}
    assert round_cutoffs(pending[1:], plan, CAL, at("2027-09-30")) == []


def test_in_2026_only_the_october_cutoff_exists_because_26_2026_starts_on_22_may() -> None:
    pending = [dossier(1, state=State.CHECKED)]
    assert round_cutoffs(pending, PLAN, CAL, at("2026-03-31")) == []
    assert {r.anchor for r in round_cutoffs(pending, PLAN, CAL, at("2026-09-30"))} == {
        date(2026, 10, 30)
    }


# -- step deadlines in working days --------------------------------------------------------


def test_working_days_before_skips_tet() -> None:
    # 23/2/2026 is the Monday after Tết (16–20/2): one working day before it is 13/2.
    assert working_days_before(CAL, date(2026, 2, 23), 1) == date(2026, 2, 13)
    assert working_days_before(CAL, date(2026, 5, 4), 2) == date(2026, 4, 28)
    assert working_days_before(CAL, date(2026, 5, 4), 0) == date(2026, 5, 4)


def test_the_commune_deadline_counts_15_working_days_across_tet() -> None:
    # Received Tuesday 10/2/2026 under 26/2026: Tết takes 16–20/2, so day 15 is 10/3, not 3/3.
    d = dossier(7, rule_set="qd26-2026", registered="2026-02-10")
    assert step_deadlines([d], PLAN, CAL, at("2026-03-02")) == []
    five = step_deadlines([d], PLAN, CAL, at("2026-03-03"))
    assert [(r.kind, r.lead, r.anchor, r.to.email) for r in five] == [
        ("step_deadline", "5wd", date(2026, 3, 10), OFFICE)
    ]
    assert five[0].context["working_days_left"] == 5
    assert [r.lead for r in step_deadlines([d], PLAN, CAL, at("2026-03-09"))] == ["1wd"]
    late = step_deadlines([d], PLAN, CAL, at("2026-03-11"))
    assert [(r.kind, r.context["days_overdue"]) for r in late] == [("step_overdue", 1)]
    assert step_deadlines([d], PLAN, CAL, at("2026-04-10")) == []  # stale after 30 days


def test_the_commune_deadline_counts_across_30_april_and_1_may() -> None:
    # Friday 24/4/2026: 27/4 (Giỗ Tổ, moved), 30/4 and 1/5 are days off: day 15 is 20/5.
    d = dossier(8, rule_set="qd26-2026", registered="2026-04-24", state=State.CHECKED)
    one = step_deadlines([d], PLAN, CAL, at("2026-05-19"))
    assert [(r.lead, r.anchor) for r in one] == [("1wd", date(2026, 5, 20))]
    assert [r.lead for r in step_deadlines([d], PLAN, CAL, at("2026-05-13"))] == ["5wd"]


def test_148_sets_no_commune_deadline_and_the_province_deadline_goes_to_the_province() -> None:
    assert step_deadlines([dossier(1)], PLAN, CAL, at("2026-03-20")) == []
    rerating = dossier(
        2,
        state=State.SUBMITTED,
        rule_set="qd26-2026",
        kind=Kind.RERATING,
        submitted=("2026-07-01", 2, 2026),
    )
    # 45 calendar days from the letter: 15/8/2026.
    found = step_deadlines([rerating], PLAN, CAL, at("2026-08-13"))
    assert who(found) == {("step_deadline", PROVINCE), ("step_deadline", OFFICE)}
    assert {r.context["step"] for r in found} == {"province_deadline"}


# -- certificates --------------------------------------------------------------------------


def test_under_26_2026_the_filing_window_opens_180_days_before_expiry() -> None:
    d = dossier(3, state=State.RECERTIFICATION_DUE, rule_set="qd26-2026", issued="2024-02-01")
    people = {OFFICE, "minhanh@example.vn"}  # expires 1/2/2027
    assert certificates([d], PLAN, CAL, at("2026-08-04")) == []
    opening = certificates([d], PLAN, CAL, at("2026-08-05"))
    # The 180-day expiry lead falls on the same day and is left to the window reminder.
    assert who(opening) == {("filing_window", p) for p in people}
    assert opening[0].context["window_closes"] == "2026-10-04"
    assert {r.kind for r in certificates([d], PLAN, CAL, at("2026-09-04"))} == {"filing_window"}
    # Sent on 5/8, the window reminder is stale after 30 days; the last filing day has its own.
    assert certificates([d], PLAN, CAL, at("2026-09-05")) == []
    last_day = certificates([d], PLAN, CAL, at("2026-10-04"))
    assert {(r.kind, r.lead) for r in last_day} == {("certificate_expiring", "120d")}
    assert last_day[0].context["filing"] == "open"
    assert {(r.kind, r.lead) for r in certificates([d], PLAN, CAL, at("2027-01-02"))} == {
        ("certificate_expiring", "30d")
    }
    expired = certificates([d], PLAN, CAL, at("2027-02-02"))
    assert who(expired) == {("certificate_expired", p) for p in people}
    assert expired[0].context["grace_until"] == "2027-07-31"
    assert certificates([d], PLAN, CAL, at("2027-03-04")) == []


def test_under_148_the_window_opens_30_days_before_and_expiry_is_reminded_at_180_and_120() -> None:
    d = dossier(4, state=State.RATED, issued="2023-04-30")  # expires 30/4/2026, under 148
    leads = {
        day: {(r.kind, r.lead) for r in certificates([d], PLAN, CAL, at(day))}
        for day in ("2025-11-01", "2025-12-31", "2026-03-31")
    }
    assert leads == {
        "2025-11-01": {("certificate_expiring", "180d")},
        "2025-12-31": {("certificate_expiring", "120d")},
        "2026-03-31": {("filing_window", "open")},
    }
    assert certificates([d], PLAN, CAL, at("2026-05-01"))[0].context["grace_until"] is None


def test_a_148_certificate_expiring_under_26_2026_follows_the_new_window() -> None:
    """Issued under 148 but expiring on 20/12/2026: the window is the one of 26/2026."""
    d = dossier(4, state=State.RATED, issued="2023-12-20")
    leads = {
        day: {(r.kind, r.lead) for r in certificates([d], PLAN, CAL, at(day))}
        for day in ("2026-06-23", "2026-08-22", "2026-11-20")
    }
    assert leads == {
        "2026-06-23": {("filing_window", "open")},
        "2026-08-22": {("certificate_expiring", "120d")},
        "2026-11-20": {("certificate_expiring", "30d")},
    }


def test_a_certificate_expiring_during_a_running_cycle_is_still_reminded() -> None:
    d = dossier(5, state=State.CHECKED, issued="2023-09-15", kind=Kind.RERATING, cycle=2)
    found = certificates([d], PLAN, CAL, at("2026-08-20"))
    assert {(r.kind, r.cycle) for r in found} == {("certificate_expiring", 2)}
    assert found[0].context["cycle_running"] is True
    gone = dossier(6, state=State.WITHDRAWN, issued="2023-09-15")
    revoked = dossier(7, state=State.REVOKED, issued="2023-09-15")
    assert certificates([gone, revoked], PLAN, CAL, at("2026-08-20")) == []


# -- plan events and meetings ---------------------------------------------------------------


def test_conferences_reach_their_audience_seven_days_and_one_day_before() -> None:
    producers = [dossier(1, email="a@x.vn"), dossier(2, email=None), dossier(3, email="a@x.vn")]
    week = events(producers, PLAN, CAL, at("2026-03-03"))
    assert {r.anchor for r in week} == {date(2026, 3, 10)}
    assert {r.to.email for r in week} == {
        OFFICE,
        LEADER,
        "hoinongdan@luuve.example",
        "hoiphunu@luuve.example",
        "a@x.vn",
    }
    assert {r.lead for r in events(producers, PLAN, CAL, at("2026-03-09"))} == {"1d"}
    review = events([], PLAN, CAL, at("2026-12-11"))
    assert PROVINCE in {r.to.email for r in review}
    assert all(r.context["illustrative"] for r in review)


def test_the_monthly_meeting_is_reminded_the_day_before_its_working_day() -> None:
    # 5/9/2026 is a Saturday: the meeting moves to Monday 7/9, reminded on Sunday 6/9.
    found = [r for r in events([], PLAN, CAL, at("2026-09-06")) if r.kind == "meeting"]
    assert {(r.anchor, r.to.email) for r in found} == {
        (date(2026, 9, 7), OFFICE),
        (date(2026, 9, 7), LEADER),
    }
    assert not [r for r in events([], PLAN, CAL, at("2026-09-05")) if r.kind == "meeting"]


# -- the officers' morning digest --------------------------------------------------------------


def test_the_digest_goes_on_working_days_from_seven_when_there_is_something_to_say() -> None:
    d = dossier(1, rule_set="qd26-2026", registered="2026-07-20")  # due 10/8/2026
    assert digest([d], PLAN, CAL, at("2026-07-27", 6)) == []
    found = digest([d], PLAN, CAL, at("2026-07-27", 7))
    assert [(r.kind, r.to.email, r.anchor) for r in found] == [
        ("digest", OFFICE, date(2026, 7, 27))
    ]
    assert found[0].context["deadlines"][0]["deadline"] == "2026-08-10"
    assert found[0].context["states"] == {"registered": 1}
    assert digest([d], PLAN, CAL, at("2026-07-25", 9)) == []  # a Saturday
    quiet = PLAN.model_copy(update={"events": (), "meetings": ()})
    assert digest([], quiet, CAL, at("2026-07-27", 9)) == []
    problems = digest([], quiet, CAL, at("2026-07-27", 9), outbox={"failed": 2, "sent": 9})
    assert problems[0].context["problems"] == {"failed": 2}


# -- all rules together --------------------------------------------------------------------


def test_dedupe_keys_are_stable_and_unique_over_a_year() -> None:
    ds = [
        dossier(1, state=State.REGISTERED, rule_set="qd26-2026", registered="2026-07-20"),
        dossier(2, state=State.RETURNED, product="Bánh răng bừa Nga My", email="b@x.vn"),
        dossier(3, state=State.RATED, product="Miến gạo Dung Tháp", issued="2023-09-15"),
        dossier(9, state=State.REGISTERED, commune="Quảng Yên", registered="2026-07-20"),
    ]
    seen: dict[str, Reminder] = {}
    day = date(2026, 1, 1)
    while day.year == 2026:
        now = at(day.isoformat())
        first = reminders_due(ds, PLAN, CAL, now)
        assert [r.dedupe_key for r in first] == [
            r.dedupe_key for r in reminders_due(ds, PLAN, CAL, now)
        ]
        for reminder in first:
            assert reminder.dossier_id != 9  # another commune's dossier
            key = reminder.dedupe_key
            assert len(key) <= 300 and reminder.to.email in key and reminder.kind in key
            assert seen.setdefault(key, reminder) == reminder
        day = date.fromordinal(day.toordinal() + 1)
    kinds = {r.kind for r in seen.values()}
    assert kinds == {
        "window_opening",
        "window_closing",
        "round_cutoff",
        "step_deadline",
        "step_overdue",
        "filing_window",
        "certificate_expiring",
        "certificate_expired",
        "event",
        "meeting",
    }
    message = next(r for r in seen.values() if r.kind == "step_deadline").message()
    assert message.dossier_id == 1 and message.context["recipient_name"]
    assert message.dedupe_key.startswith("step_deadline:5wd|d1|c1|2026-08-10|")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_recipient_language_travels_with_the_message(lang: str) -> None:
    office = PLAN.recipients[0].model_copy(update={"lang": lang})
    plan = PLAN.model_copy(update={"recipients": (office,)})
    (reminder,) = evaluation_window([], plan, CAL, at("2026-07-18"))
    assert reminder.message().lang == lang
