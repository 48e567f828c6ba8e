"""Transition notices: the messages a transition writes into the outbox in its own transaction.

The producer hears that their dossier was accepted, returned (with the reason), rated (with the
stars and the certificate, or the score when it was not recognised) or revoked; the commune's
officers hear of ratings, revocations and returns by the province. :func:`notices_for` builds
the ``notices`` callable a :class:`~ocop.Registry` takes. It only builds rows — rendering and
sending belong to the daemon — so it stays cheap to import and to call inside a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocop.models import Dossier, HistoryDraft, Message
from ocop.notifications.reminder import Addressee, dossier_summary, officers, producer
from ocop.plan import Plan
from ocop.states import MessageKind, State, Trigger
from ocop.storage.outbox import DOSSIER_PLACEHOLDER
from ocop.workdays import local_date
from ocop.workflow.registry import Notices

__all__ = ["default_notices", "notices_for"]

_ACCEPTED = frozenset({Trigger.REGISTER, Trigger.RESUBMIT, Trigger.REAPPLY})
_RATED = frozenset({Trigger.RATE, Trigger.RATE_CENTRAL})


def notices_for(plan: Plan | None = None) -> Notices:
    """A ``notices`` callable for :func:`ocop.open`.

    With a ``plan``, the commune's officers are told too, in the plan's language; without one,
    only producers who gave an e-mail address on Mẫu 01 are told. Each producer is told in
    their own language (Mẫu 01's ``producer.lang``), else the plan's, else Vietnamese.
    """

    def notices(before: Dossier | None, after: Dossier, entry: HistoryDraft) -> Sequence[Message]:
        return _notices(plan, after, entry)

    return notices


def _notices(plan: Plan | None, after: Dossier, entry: HistoryDraft) -> list[Message]:
    trigger = entry.trigger
    staff: list[Addressee] = []
    if plan is not None and (after.commune, after.province) == (plan.commune, plan.province):
        staff = officers(plan, "commune_officer")
    if trigger in _ACCEPTED:
        kind, people = MessageKind.ACCEPTED, []
    elif trigger == Trigger.RETURN_DOSSIER:
        # The commune returned it itself; a return by the province is news to the commune.
        kind, people = MessageKind.RETURNED, staff if entry.role == "province_officer" else []
    elif trigger in _RATED:
        kind, people = MessageKind.RATED, staff
    elif trigger == Trigger.REVOKE:
        kind, people = MessageKind.REVOKED, staff
    else:
        return []
    owner = producer(after, plan)
    recipients = ([owner] if owner else []) + people
    context = {
        "commune": after.commune,
        "province": after.province,
        "trigger": trigger,
        "outcome": after.state.value,
        "dossier": dossier_summary(after),
        "note": entry.note,
        "reason": after.return_reason or entry.payload.get("reason"),
        "rating": after.rating.model_dump(mode="json") if after.rating else None,
        "revocation": entry.payload if trigger == Trigger.REVOKE else None,
        "central_review": after.state is State.CENTRAL_REVIEW,
    }
    # A new dossier has no id until it is inserted; the outbox fills the placeholder in.
    dossier = str(after.id) if after.id else DOSSIER_PLACEHOLDER
    day = local_date(entry.at).isoformat()
    seen: set[str] = set()
    messages = []
    for to in recipients:
        if to.email.lower() in seen:
            continue
        seen.add(to.email.lower())
        key = f"{kind}:v{after.version}|d{dossier}|c{after.cycle}|{day}|{to.email.lower()}"
        messages.append(
            Message(
                dedupe_key=key[:300],
                kind=kind,
                recipient=to.email,
                lang=to.lang,
                context=context | {"recipient_name": to.name, "recipient_role": to.role},
            )
        )
    return messages


default_notices: Notices = notices_for(None)
"""Notices to producers only, each in their language (Vietnamese unless they chose English):
what :func:`ocop.open` uses by default."""
