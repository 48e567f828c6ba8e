"""What a plan itself will send, and when: its agenda, for ``ocop plan check``.

The plan's own reminders — the evaluation window, province round cut-offs, conferences and
monthly meetings — come from the reminder rules themselves (:mod:`ocop.notifications.rules`),
run day by day as the daemon's sweep would, so that the agenda cannot drift from what is sent.
Some of them go only when dossiers are in play (the window's closing while dossiers wait, a
cut-off while some are not yet submitted) or also to the producers of the commune's dossiers:
the rules are run a second time on two stand-in dossiers (one waiting, one returned) with a
stand-in producer's address, and the difference says which. No database is read.

The morning digest, sent every working day with something to say, is not listed here: see
:attr:`ocop.plan.ReminderSettings.digest_at`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ocop.models import Dossier, Producer
from ocop.notifications.reminder import Addressee, Reminder
from ocop.notifications.rules import Rule, evaluation_window, events, round_cutoffs
from ocop.plan import Plan
from ocop.states import RULE_SETS, Kind, RuleSet, State
from ocop.workdays import TZ, Calendar

__all__ = ["PLAN_RULES", "Upcoming", "upcoming"]

PLAN_RULES: tuple[Rule, ...] = (evaluation_window, round_cutoffs, events)
"""The rules whose reminders the plan itself schedules (the others follow each dossier)."""

# A producer that stands in for the real ones in a preview; .example is reserved for
# examples (RFC 2606), so no mail can ever reach it.
_STAND_IN = "chu-the@stand-in.example"


@dataclass(frozen=True)
class Upcoming:
    """One thing the plan will send: on ``day``, about ``anchor``, to ``recipients``.

    ``producers``: the producers concerned get it too (those of the commune's dossiers, known
    only once dossiers exist). ``conditional``: it goes only if dossiers are in play then (see
    the rule of its ``kind``). ``reminder`` is one of its messages, for rendering its subject.
    """

    kind: str
    day: date
    anchor: date
    lead: str
    recipients: tuple[Addressee, ...]
    producers: bool
    conditional: bool
    reminder: Reminder = field(compare=False)


def _stand_ins(plan: Plan) -> list[Dossier]:
    moment = datetime(plan.year, 1, 1, tzinfo=UTC)
    producer = Producer(name="Chủ thể", email=_STAND_IN)
    return [
        Dossier(
            id=-number,
            product_name=f"(stand-in {number})",  # matches no target
            product_set=1,
            kind=Kind.FIRST,
            producer=producer,
            commune=plan.commune,
            province=plan.province,
            owner=None,
            state=state,
            cycle=1,
            rule_set=plan.rule_set,
            version=1,
            registered_at=moment,
            created_at=moment,
            updated_at=moment,
        )
        for number, state in ((1, State.REGISTERED), (2, State.RETURNED))
    ]


def _due(
    dossiers: Sequence[Dossier],
    plan: Plan,
    calendar: Calendar,
    day: date,
    rule_sets: Mapping[str, RuleSet],
    rules: Sequence[Rule],
) -> list[Reminder]:
    now = datetime.combine(day, time(12), tzinfo=TZ)
    return [r for rule in rules for r in rule(dossiers, plan, calendar, now, rule_sets)]


def upcoming(
    plan: Plan,
    calendar: Calendar,
    start: date,
    count: int = 10,
    *,
    until: date | None = None,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
    rules: Sequence[Rule] = PLAN_RULES,
) -> list[Upcoming]:
    """The next ``count`` things the plan sends from ``start`` on, in date order.

    Each is one reminder of one series (``14d`` before the window opens …) with everyone it
    goes to that day. ``until`` defaults to the end of the year after the plan's (a year-end
    review may fall in January).
    """
    last = until or date(plan.year + 1, 12, 31)
    stand_ins = _stand_ins(plan)
    found: list[Upcoming] = []
    # Nothing is due before the longest lead (400 days) ahead of the plan's year.
    day = max(start, date(plan.year, 1, 1) - timedelta(days=400))
    while day <= last and len(found) < count:
        probed = [
            r for r in _due(stand_ins, plan, calendar, day, rule_sets, rules) if r.due_on == day
        ]
        if probed:
            always = {
                r.dedupe_key
                for r in _due((), plan, calendar, day, rule_sets, rules)
                if r.due_on == day
            }
            found += _grouped(plan, probed, always)
        day += timedelta(days=1)
    return found[:count]


def _grouped(plan: Plan, reminders: Sequence[Reminder], always: set[str]) -> list[Upcoming]:
    groups: dict[tuple[str, date, str, str], list[Reminder]] = {}
    for reminder in reminders:
        # A stand-in dossier's own copy (to its producer) joins the plan's message of the day.
        subject = f"plan:{plan.key}" if reminder.dossier_id is not None else reminder.subject
        groups.setdefault((reminder.kind, reminder.anchor, reminder.lead, subject), []).append(
            reminder
        )
    out: list[Upcoming] = []
    for (kind, anchor, lead, _), members in groups.items():
        people: dict[str, Addressee] = {}
        for member in members:
            if member.to.email != _STAND_IN:
                people.setdefault(member.to.email.lower(), member.to)
        officers = [m for m in members if m.to.email != _STAND_IN]
        out.append(
            Upcoming(
                kind=kind,
                day=members[0].due_on,
                anchor=anchor,
                lead=lead,
                recipients=tuple(people.values()),
                producers=any(m.to.email == _STAND_IN for m in members),
                conditional=not any(m.dedupe_key in always for m in officers),
                reminder=officers[0] if officers else members[0],
            )
        )
    return sorted(out, key=lambda u: (u.day, u.anchor, u.kind))
