"""Reminder rules: pure functions of (dossiers, plan, calendar, now) → the reminders due now.

Each rule lists its candidates — one per lead time, recipient and anchor date (the day the
reminder is about) — and keeps those whose sending period contains today. When the daemon was
down, a reminder still inside its period is sent late rather than lost; of a series (14 and 3
days before the same day) only the latest due one is kept, so a late start sends one message
instead of a burst. The dedupe key makes sending idempotent: the outbox keeps the first copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ocop.models import Dossier
from ocop.notifications.reminder import (
    Addressee,
    Reminder,
    audience,
    base_context,
    dossier_summary,
    officers,
    producer,
    select,
    series,
    working_days_before,
)
from ocop.plan import Plan
from ocop.states import (
    AT_COMMUNE,
    CERTIFIED,
    NOT_EVALUATED,
    RULE_SETS,
    TERMINAL,
    MessageKind,
    RuleSet,
    State,
    rule_set_for,
)
from ocop.states.rulesets import RoundCutoff
from ocop.workdays import Calendar, local_date, local_now
from ocop.workflow.deadlines import lapses_on, next_due, window_opens

__all__ = [
    "RULES",
    "Rule",
    "central_cutoffs",
    "certificates",
    "digest",
    "evaluation_window",
    "events",
    "in_plan",
    "reminders_due",
    "round_cutoffs",
    "step_deadlines",
]


Rule = Callable[
    [Sequence[Dossier], Plan, Calendar, datetime, Mapping[str, RuleSet]], list[Reminder]
]
"""A reminder rule: (dossiers, plan, calendar, now, rule sets) → the reminders due now."""


def evaluation_window(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """The commune's evaluation window opening and closing, with the dossiers not evaluated.

    Officers get the list; producers whose dossier waits (or whose re-rating is due) are told
    the window opens; producers whose dossier was returned are told it is closing.
    """
    window = plan.evaluation
    if window is None:
        return []
    today = local_date(now)
    waiting = [d for d in dossiers if d.state in NOT_EVALUATED]
    to_file = [d for d in dossiers if d.state is State.RECERTIFICATION_DUE]
    filed = {d.product_name.casefold() for d in dossiers if d.state in AT_COMMUNE}
    filed |= {d.product_name.casefold() for d in to_file}
    unfiled = [t.product for t in plan.targets.rerecognise if t.product.casefold() not in filed]
    context = base_context(plan) | {
        "opens": window.opens.isoformat(),
        "closes": window.closes.isoformat(),
        "note": window.note,
        "items": [dossier_summary(d) for d in waiting],
        "to_file": [dossier_summary(d) for d in to_file],
        "unfiled_targets": unfiled,
    }
    subject = f"plan:{plan.key}"
    staff = officers(plan, "commune_officer")
    candidates = list(
        series(
            MessageKind.WINDOW_OPENING,
            window.opens,
            window.remind_opening,
            staff,
            subject,
            context,
            today,
        )
    )

    def to_producers(kind: str, anchor: date, leads: Sequence[int], of: Iterable[Dossier]) -> None:
        # Each producer hears only of their own dossier.
        for dossier in of:
            person = producer(dossier, plan)
            if person is not None:
                own = context | {"items": [dossier_summary(dossier)], "to_file": []}
                candidates.extend(
                    series(
                        kind, anchor, leads, [person], f"d{dossier.id}", own, today, dossier=dossier
                    )
                )

    to_producers(
        MessageKind.WINDOW_OPENING, window.opens, window.remind_opening, [*waiting, *to_file]
    )
    if waiting:
        candidates += series(
            MessageKind.WINDOW_CLOSING,
            window.closes,
            window.remind_closing,
            staff,
            subject,
            context,
            today,
        )
    returned = [d for d in waiting if d.state is State.RETURNED]
    to_producers(MessageKind.WINDOW_CLOSING, window.closes, window.remind_closing, returned)
    return select(candidates, today, plan.reminders.stale_after)


def round_cutoffs(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """Province round cut-offs of the plan's year, with the dossiers not yet submitted.

    A cut-off counts when a rule set with rounds is in force on that day (26/2026: 30/4 and
    30/10), whatever rule set the plan names: the province runs its rounds for everyone.
    """
    pending = [d for d in dossiers if d.state in AT_COMMUNE]
    staff = officers(plan, "commune_officer", "commune_leader")
    return _cutoffs(
        MessageKind.ROUND_CUTOFF,
        lambda rules: rules.province_rounds,
        pending,
        staff,
        plan,
        now,
        rule_sets,
        {},
    )


def central_cutoffs(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """The Ministry's round cut-offs of the plan's year, while dossiers wait at the province.

    A product the provincial council scores at 90 or more is proposed to the Ministry; the
    proposal's date decides its central round (26/2026: by 30/7 rated by 30/9, by 30/1 by
    30/3). The province's officers, and the commune's, hear of each cut-off with the
    commune's dossiers the province has not rated yet. A cut-off counts when a rule set with
    central rounds is in force on that day.
    """
    pending = [d for d in dossiers if d.state is State.SUBMITTED]
    staff = officers(plan, "province_officer", "commune_officer")

    def threshold(rules: RuleSet) -> dict[str, object]:
        return {"threshold": min(b.low for b in rules.star_bands if b.stars == 5)}

    return _cutoffs(
        MessageKind.CENTRAL_CUTOFF,
        lambda rules: rules.central_rounds,
        pending,
        staff,
        plan,
        now,
        rule_sets,
        threshold,
    )


def _cutoffs(
    kind: MessageKind,
    rounds: Callable[[RuleSet], Sequence[RoundCutoff]],
    pending: Sequence[Dossier],
    staff: Sequence[Addressee],
    plan: Plan,
    now: datetime,
    rule_sets: Mapping[str, RuleSet],
    extra: Mapping[str, object] | Callable[[RuleSet], Mapping[str, object]],
) -> list[Reminder]:
    """The reminders before each cut-off of ``rounds`` in the plan's year, listing ``pending``:
    one series a day, whichever rule sets in force that day name it."""
    if not pending:
        return []
    candidates: list[Reminder] = []
    seen: set[date] = set()
    for rules in rule_sets.values():
        for cutoff in rounds(rules):
            day = cutoff.cutoff_on(plan.year)
            if day in seen or not rules.in_force_on(day):
                continue
            seen.add(day)
            context = base_context(plan) | {
                "round": cutoff.number,
                "cutoff": day.isoformat(),
                "rated_by": cutoff.rated_by_on(plan.year).isoformat(),
                "rule_set": rules.id,
                **(extra(rules) if callable(extra) else extra),
                "items": [dossier_summary(d) for d in pending],
            }
            candidates += series(
                kind,
                day,
                plan.reminders.round_cutoff,
                staff,
                f"plan:{plan.key}",
                context,
                local_date(now),
            )
    return select(candidates, local_date(now), plan.reminders.stale_after)


def _step_due(
    dossier: Dossier, rule_sets: Mapping[str, RuleSet], calendar: Calendar
) -> tuple[date, str] | None:
    rules = rule_sets.get(dossier.rule_set)
    if rules is None:
        return None
    # Without its certificate the dossier's next due date is its step deadline alone.
    day, what = next_due(dossier.model_copy(update={"certificate": None}), rules, calendar)
    return (day, what) if day is not None and what is not None else None


def step_deadlines(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """Step deadlines approaching (working days before) and overdue.

    The commune's deadline goes to its officers; the province's (its round, or a re-rating's
    45 days) to the province and the commune; the Ministry's to the central officers too.
    """
    today = local_date(now)
    candidates: list[Reminder] = []
    for dossier in dossiers:
        found = _step_due(dossier, rule_sets, calendar)
        if found is None:
            continue
        deadline, what = found
        roles: tuple[str, ...] = ("commune_officer",)
        if what in ("central_round", "central_deadline"):
            roles = ("central_officer", "province_officer", "commune_officer")
        elif what != "commune_deadline":
            roles = ("province_officer", "commune_officer")
        context = base_context(plan) | {
            "dossier": dossier_summary(dossier),
            "deadline": deadline.isoformat(),
            "step": what,
            "working_days_left": calendar.working_days_between(today, deadline),
        }
        subject = f"d{dossier.id}"
        for to in officers(plan, *roles):
            for lead in plan.reminders.step_deadline:
                candidates.append(
                    Reminder(
                        MessageKind.STEP_DEADLINE,
                        deadline,
                        f"{lead}wd",
                        working_days_before(calendar, deadline, lead),
                        deadline,
                        to,
                        subject,
                        dossier.id,
                        dossier.cycle,
                        context,
                    )
                )
            candidates.append(
                Reminder(
                    MessageKind.STEP_OVERDUE,
                    deadline,
                    "overdue",
                    deadline + timedelta(days=1),
                    deadline + timedelta(days=plan.reminders.stale_after),
                    to,
                    subject,
                    dossier.id,
                    dossier.cycle,
                    context | {"days_overdue": (today - deadline).days},
                )
            )
    return select(candidates, today, plan.reminders.stale_after)


def certificates(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """The re-rating filing window opening, certificate expiry approaching, and expiry passed.

    The window reminder goes while no re-rating cycle has started; expiry reminders go while
    the certificate is held, even during a running cycle, so a certificate never lapses
    unnoticed. A lead that falls on the window's opening day is left to the window reminder.
    They are about the certificate, so their dedupe keys leave the dossier's cycle out.
    """
    today = local_date(now)
    candidates: list[Reminder] = []
    for dossier in dossiers:
        cert = dossier.certificate
        rules = rule_sets.get(dossier.rule_set)
        if cert is None or cert.revoked_on is not None or dossier.state in TERMINAL or not rules:
            continue
        # The window and the grace are those of the law in force on their days, which for a
        # certificate issued under 148+1489 may be 26/2026's.
        opens, lapses = window_opens(cert, rule_sets), lapses_on(cert, rule_sets)
        if opens is None or lapses is None:
            continue
        window_law = rule_set_for(opens, rule_sets)
        closes = (
            cert.expires_on - timedelta(days=window_law.filing_closes_days)
            if window_law.filing_closes_days is not None
            else cert.expires_on
        )
        grace_until = lapses - timedelta(days=1)
        if closes < opens:
            # The new law's window had closed before it came into force (26/2026 Điều 12.3):
            # filing stays possible while the certificate is kept valid.
            closes = grace_until
        context = base_context(plan) | {
            "dossier": dossier_summary(dossier),
            "expires_on": cert.expires_on.isoformat(),
            "window_opens": opens.isoformat(),
            "window_closes": closes.isoformat(),
            "grace_until": grace_until.isoformat() if grace_until > cert.expires_on else None,
            "cycle_running": dossier.state not in CERTIFIED | {State.EXPIRED},
            "days_left": (cert.expires_on - today).days,
            "filing": "before" if today < opens else "open" if today <= closes else "closed",
        }
        people = [p for p in [producer(dossier, plan)] if p] + officers(plan, "commune_officer")
        subject = f"d{dossier.id}"
        if dossier.state in CERTIFIED:
            candidates += (
                Reminder(
                    MessageKind.FILING_WINDOW,
                    opens,
                    "open",
                    opens,
                    closes,
                    to,
                    subject,
                    dossier.id,
                    dossier.cycle,
                    context,
                    keyed_by_cycle=False,
                )
                for to in people
            )
        if dossier.state is not State.EXPIRED:
            # Certified on the window's opening day (now, or until a cycle registered since):
            # the window reminder went then and stands for the lead that falls on that day.
            window = dossier.state in CERTIFIED or local_date(dossier.registered_at) >= opens
            leads = [
                n
                for n in plan.reminders.certificate
                if not (window and cert.expires_on - timedelta(n) == opens)
            ]
            candidates += series(
                MessageKind.CERTIFICATE_EXPIRING,
                cert.expires_on,
                leads,
                people,
                subject,
                context,
                today,
                dossier=dossier,
                keyed_by_cycle=False,
            )
        candidates += (
            Reminder(
                MessageKind.CERTIFICATE_EXPIRED,
                cert.expires_on,
                "past",
                cert.expires_on + timedelta(days=1),
                cert.expires_on + timedelta(days=plan.reminders.stale_after),
                to,
                subject,
                dossier.id,
                dossier.cycle,
                context,
                keyed_by_cycle=False,
            )
            for to in people
        )
    return select(candidates, today, plan.reminders.stale_after)


def events(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> list[Reminder]:
    """The plan's conferences and its monthly meetings, to each one's audience."""
    today = local_date(now)
    candidates: list[Reminder] = []
    for event in plan.events:
        context = base_context(plan) | {
            "name": event.name,
            "date": event.date.isoformat(),
            "time": event.time.strftime("%H:%M") if event.time else None,
            "place": event.place,
            "illustrative": event.illustrative,
        }
        people = audience(plan, dossiers, event.audience)
        subject = f"plan:{plan.key}:{event.id}"
        candidates += series(
            MessageKind.EVENT, event.date, event.remind, people, subject, context, today
        )
    for meeting in plan.meetings:
        people = audience(plan, dossiers, meeting.audience)
        for day in meeting.occurrences(plan.year, calendar):
            context = base_context(plan) | {
                "name": meeting.name,
                "date": day.isoformat(),
                "time": meeting.time.strftime("%H:%M") if meeting.time else None,
                "place": meeting.place,
                "illustrative": meeting.illustrative,
            }
            subject = f"plan:{plan.key}:{meeting.id}"
            candidates += series(
                MessageKind.MEETING, day, meeting.remind, people, subject, context, today
            )
    return select(candidates, today, plan.reminders.stale_after)


RULES: tuple[Rule, ...] = (
    evaluation_window,
    round_cutoffs,
    central_cutoffs,
    step_deadlines,
    certificates,
    events,
)
"""Every reminder rule, in the order their reminders are listed."""


def in_plan(dossiers: Iterable[Dossier], plan: Plan) -> list[Dossier]:
    """The dossiers of the plan's commune."""
    return [d for d in dossiers if d.commune == plan.commune and d.province == plan.province]


def reminders_due(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    *,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
    rules: Sequence[Rule] = RULES,
) -> list[Reminder]:
    """Every reminder of every rule that should exist on ``now``'s day, for the plan's commune."""
    mine = in_plan(dossiers, plan)
    found: list[Reminder] = []
    for rule in rules:
        found += rule(mine, plan, calendar, now, rule_sets)
    return found


def digest(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    now: datetime,
    *,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
    outbox: Mapping[str, int] | None = None,
) -> list[Reminder]:
    """The commune officers' morning digest: what falls due soon, what is late, what is coming.

    Sent on working days from the plan's ``digest_at`` hour, once a day, and only when there is
    something to say. ``outbox`` counts messages by status, so failures show up in it too.
    """
    local = local_now(now)
    today = local.date()
    settings = plan.reminders
    if not calendar.is_working_day(today) or local.time() < settings.digest_at:
        return []
    horizon = today + timedelta(days=settings.digest_horizon)
    mine = in_plan(dossiers, plan)
    deadlines: list[dict[str, Any]] = []
    for dossier in mine:
        found = _step_due(dossier, rule_sets, calendar)
        if found is not None and found[0] <= horizon:
            deadlines.append(
                {
                    "dossier": dossier_summary(dossier),
                    "deadline": found[0].isoformat(),
                    "step": found[1],
                    "overdue": found[0] < today,
                }
            )
    expiring = [
        dossier_summary(d)
        for d in mine
        if d.certificate is not None
        and d.certificate.revoked_on is None
        and d.state not in TERMINAL | {State.EXPIRED}
        and d.certificate.expires_on <= horizon
    ]
    to_file = [dossier_summary(d) for d in mine if d.state is State.RECERTIFICATION_DUE]
    upcoming = [
        {"name": e.name, "date": e.date.isoformat()}
        for e in plan.events
        if today <= e.date <= horizon
    ] + [
        {"name": m.name, "date": day.isoformat()}
        for m in plan.meetings
        for day in m.occurrences(plan.year, calendar)
        if today <= day <= horizon
    ]
    problems = {k: v for k, v in (outbox or {}).items() if k in ("failed", "uncertain") and v}
    if not (deadlines or expiring or to_file or upcoming or problems):
        return []
    states: dict[str, int] = {}
    for dossier in mine:
        states[dossier.state.value] = states.get(dossier.state.value, 0) + 1
    context = base_context(plan) | {
        "today": today.isoformat(),
        "deadlines": sorted(deadlines, key=lambda item: item["deadline"]),
        "expiring": expiring,
        "to_file": to_file,
        "upcoming": sorted(upcoming, key=lambda item: item["date"]),
        "problems": problems,
        "states": states,
    }
    return [
        Reminder(
            MessageKind.DIGEST, today, "day", today, today, to, f"plan:{plan.key}", context=context
        )
        for to in officers(plan, "commune_officer")
    ]
