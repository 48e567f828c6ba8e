"""What a reminder is, who it goes to, and the helpers the reminder rules share."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ocop.models import Dossier, Message
from ocop.plan import Plan
from ocop.states import TERMINAL
from ocop.workdays import TZ, Calendar

__all__ = [
    "Addressee",
    "Reminder",
    "audience",
    "base_context",
    "dossier_summary",
    "officers",
    "producer",
    "select",
    "series",
    "working_days_before",
]

_KEY_LIMIT = 300


@dataclass(frozen=True)
class Addressee:
    """Who a reminder goes to."""

    email: str
    name: str
    role: str
    lang: str = "vi"


@dataclass(frozen=True)
class Reminder:
    """One message that should exist: what, about which day, for whom, sendable when.

    ``due_on`` is the first day it may be sent and ``until`` the last day it is still worth
    sending; ``lead`` tells reminders of one series apart (``14d``, ``5wd``, ``overdue``).
    ``keyed_by_cycle`` false leaves the cycle out of the dedupe key: a reminder about a
    certificate is the same message whichever cycle the dossier is in when it is due (a
    re-rating registered after the 30-day reminder must not bring it back).
    """

    kind: str
    anchor: date
    lead: str
    due_on: date
    until: date
    to: Addressee
    subject: str
    dossier_id: int | None = None
    cycle: int | None = None
    context: Mapping[str, Any] = field(default_factory=dict, compare=False)
    keyed_by_cycle: bool = True

    @property
    def series(self) -> tuple[str, str, int | None, date, str]:
        """What the reminders of one series share: the lead times are its members."""
        return (self.kind, self.subject, self.cycle, self.anchor, self.to.email)

    @property
    def dedupe_key(self) -> str:
        """(kind, dossier, cycle, anchor date, recipient), unique per message ever sent."""
        cycle = f"c{self.cycle}" if self.cycle is not None and self.keyed_by_cycle else "-"
        head = f"{self.kind}:{self.lead}|{self.subject}|{cycle}|{self.anchor.isoformat()}|"
        key = head + self.to.email.lower()
        if len(key) > _KEY_LIMIT:
            digest = hashlib.sha256(self.to.email.lower().encode()).hexdigest()[:32]
            key = (head[: _KEY_LIMIT - 36] + "|#" + digest)[:_KEY_LIMIT]
        return key

    def message(self) -> Message:
        """The outbox row for this reminder."""
        context = dict(self.context)
        context.update(
            anchor=self.anchor.isoformat(),
            lead=self.lead,
            recipient_name=self.to.name,
            recipient_role=self.to.role,
        )
        return Message(
            dedupe_key=self.dedupe_key,
            kind=self.kind,
            recipient=self.to.email,
            lang=self.to.lang,
            dossier_id=self.dossier_id,
            context=context,
            # Worth sending to the end of its last day in Vietnam, then `expired`.
            expires_at=datetime.combine(self.until + timedelta(days=1), time(), tzinfo=TZ),
        )


def working_days_before(calendar: Calendar, day: date, count: int) -> date:
    """The working day ``count`` working days before ``day`` (``day`` itself not counted)."""
    current = day
    while count > 0:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            count -= 1
    return current


def select(candidates: Iterable[Reminder], today: date, stale_after: int) -> list[Reminder]:
    """Those sendable today; of each series only the latest due.

    A reminder stays sendable until its ``until`` day but at most ``stale_after`` days after it
    fell due: a daemon that was down sends what it missed, not news months old.
    """
    best: dict[tuple[str, str, int | None, date, str], Reminder] = {}
    for reminder in candidates:
        last = min(reminder.until, reminder.due_on + timedelta(days=stale_after))
        if not reminder.due_on <= today <= last:
            continue
        current = best.get(reminder.series)
        if current is None or reminder.due_on > current.due_on:
            best[reminder.series] = reminder
    return sorted(best.values(), key=lambda r: (r.due_on, r.kind, r.subject, r.to.email))


def dossier_summary(dossier: Dossier) -> dict[str, Any]:
    """What a template needs to name a dossier; JSON-ready."""
    cert = dossier.certificate
    return {
        "id": dossier.id,
        "product": dossier.product_name,
        "producer": dossier.producer.name,
        "state": dossier.state.value,
        "kind": dossier.kind.value,
        "cycle": dossier.cycle,
        "rule_set": dossier.rule_set,
        "certificate": None
        if cert is None
        else {
            "number": cert.number,
            "stars": cert.stars,
            "issued_on": cert.issued_on.isoformat(),
            "expires_on": cert.expires_on.isoformat(),
        },
    }


def base_context(plan: Plan) -> dict[str, Any]:
    """What every reminder's template may use: the commune, the province, the year."""
    return {"commune": plan.commune, "province": plan.province, "year": plan.year}


def officers(plan: Plan, *roles: str) -> list[Addressee]:
    """The plan's recipients with those roles, as addressees."""
    return [
        Addressee(r.email, r.name, r.role, r.lang)
        for role in roles
        for r in plan.recipients_for(role)
    ]


def producer(dossier: Dossier, plan: Plan | None) -> Addressee | None:
    """The producer of ``dossier``, if an address is known (Mẫu 01, else the plan's target),
    in their own language, else the plan's (Vietnamese without a plan)."""
    email = dossier.producer.email
    if email is None and plan is not None:
        # A plan's target may carry the address of a product's producer.
        for target in plan.targets.rerecognise:
            if target.product.casefold() == dossier.product_name.casefold() and target.email:
                email = target.email
    if email is None:
        return None
    lang = dossier.producer.lang or (plan.lang if plan is not None else "vi")
    return Addressee(email, dossier.producer.name, "producer", lang)


def producers(dossiers: Iterable[Dossier], plan: Plan) -> list[Addressee]:
    """The producers of the dossiers still in play, one per address."""
    seen: dict[str, Addressee] = {}
    for dossier in dossiers:
        if dossier.state in TERMINAL:
            continue
        addressee = producer(dossier, plan)
        if addressee is not None:
            seen.setdefault(addressee.email.lower(), addressee)
    return list(seen.values())


def series(
    kind: str,
    anchor: date,
    leads: Iterable[int],
    recipients: Iterable[Addressee],
    subject: str,
    context: Mapping[str, Any],
    today: date,
    *,
    dossier: Dossier | None = None,
    keyed_by_cycle: bool = True,
) -> Iterator[Reminder]:
    """A series: one candidate per lead (days before ``anchor``) and recipient."""
    context = {**context, "days_left": (anchor - today).days}
    for to in recipients:
        for lead in leads:
            yield Reminder(
                kind,
                anchor,
                f"{lead}d",
                anchor - timedelta(days=lead),
                anchor,
                to,
                subject,
                dossier.id if dossier else None,
                dossier.cycle if dossier else None,
                context,
                keyed_by_cycle,
            )


def audience(plan: Plan, dossiers: Sequence[Dossier], roles: Iterable[str]) -> list[Addressee]:
    """Everyone with one of ``roles``; ``producer`` means the dossiers' producers."""
    people: dict[str, Addressee] = {}
    for role in roles:
        found = producers(dossiers, plan) if role == "producer" else officers(plan, role)
        for person in found:
            people.setdefault(person.email.lower(), person)
    return list(people.values())
