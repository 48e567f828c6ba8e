"""The next date a dossier needs attention, kept in ``next_due_on`` for the daemon's sweep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from ocop.models import Certificate, Dossier
from ocop.states import COMMUNE_CLOCK, RULE_SETS, DueKind, RuleSet, State
from ocop.states.rulesets import first_day
from ocop.workdays import Calendar, local_date

__all__ = ["lapses_on", "next_due", "window_opens"]


def window_opens(cert: Certificate, rule_sets: Mapping[str, RuleSet]) -> date | None:
    """The day the re-rating window of ``cert`` opens, under the law in force that day."""
    return first_day(
        lambda r: cert.expires_on - timedelta(days=r.recertification_opens_days), rule_sets
    )


def lapses_on(cert: Certificate, rule_sets: Mapping[str, RuleSet]) -> date | None:
    """The first day ``cert`` is no longer valid, grace included, under the law of that day."""
    return first_day(
        lambda r: cert.expires_on + timedelta(days=r.grace_after_expiry_days + 1), rule_sets
    )


def next_due(
    dossier: Dossier,
    rules: RuleSet,
    calendar: Calendar,
    rule_sets: Mapping[str, RuleSet] = RULE_SETS,
) -> tuple[date | None, str | None]:
    """The earliest date something falls due for ``dossier``, and what it is.

    At the commune: the commune's step deadline. At the province: the re-rating deadline
    (45 days from the commune's complete dossier, its letter, under 26/2026) or the end of
    the assigned round. At the Ministry: the same, from the province's proposal. Certified:
    the day the re-rating window opens, then the day the certificate lapses, both under the
    law in force on those days. A certificate that
    would expire during a running cycle is due too.
    """
    due: list[tuple[date, str]] = []
    state = dossier.state
    if state in COMMUNE_CLOCK and (limit := rules.deadline("commune")):
        start = local_date(dossier.registered_at)
        due.append((calendar.add(start, limit.amount, limit.unit), DueKind.COMMUNE_DEADLINE))
    if state is State.SUBMITTED and (sub := dossier.submission):
        limit = rules.deadline(
            "province_rerating" if dossier.kind == "rerating" else "province_first"
        )
        if limit:
            due.append(
                (calendar.add(sub.letter_date, limit.amount, limit.unit), DueKind.PROVINCE_DEADLINE)
            )
        else:
            for cutoff in rules.province_rounds:
                if sub.round_year and cutoff.number == sub.round:
                    due.append((cutoff.rated_by_on(sub.round_year), DueKind.PROVINCE_ROUND))
    if state is State.CENTRAL_REVIEW and (rating := dossier.rating) and rating.proposed_on:
        # The Ministry: a re-rating within its days of the province's dossier (Điều 7.6.g),
        # a first rating or upgrade in the central round its proposal date falls in.
        limit = rules.deadline("central_rerating") if dossier.kind == "rerating" else None
        if limit:
            day = calendar.add(rating.proposed_on, limit.amount, limit.unit)
            due.append((day, DueKind.CENTRAL_DEADLINE))
        else:
            for cutoff in rules.central_rounds:
                if rating.central_round_year and cutoff.number == rating.central_round:
                    day = cutoff.rated_by_on(rating.central_round_year)
                    due.append((day, DueKind.CENTRAL_ROUND))
    cert = dossier.certificate
    if cert is not None and cert.revoked_on is None and state not in (State.EXPIRED, State.REVOKED):
        if state is State.RATED and (opens := window_opens(cert, rule_sets)):
            due.append((opens, DueKind.RECERTIFICATION_OPENS))
        if lapses := lapses_on(cert, rule_sets):
            due.append((lapses, DueKind.CERTIFICATE_LAPSES))
    if not due:
        return None, None
    return min(due)
