"""What each trigger checks and changes: the guards and effects of the lifecycle table.

A step is a pure function of the loaded dossier, the caller's data and a :class:`Context`;
it returns an :class:`Outcome` (the destination when the table offers several, the changed
fields, the payload for the history row) or raises :class:`GuardFailed` / :class:`InvalidInput`.
The engine applies the outcome only if the machine accepts the move.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypedDict

from pydantic import ValidationError

from ocop.errors import GuardFailed, InvalidInput, Missing
from ocop.models import (
    Certificate,
    CommuneEvaluation,
    CouncilSheet,
    Dossier,
    Kind,
    Problem,
    Rating,
    Submission,
    clean_text,
    invalid_input,
    nfc,
    parse,
    to_date,
)
from ocop.states import RuleSet, State, Trigger, rule_set, rule_set_for
from ocop.states.inputs import input_model, input_names
from ocop.states.rulesets import next_round
from ocop.text import N_
from ocop.workdays import Calendar, add_months
from ocop.workflow.deadlines import lapses_on, window_opens

__all__ = [
    "STEPS",
    "Changes",
    "Context",
    "Outcome",
    "central_round_for",
    "check_forms",
    "round_for",
]


@dataclass(frozen=True)
class Context:
    """What a step may know besides the dossier: now, the day in Vietnam, the law, the calendar."""

    now: datetime
    today: date
    rule_set: RuleSet
    calendar: Calendar
    rule_sets: Mapping[str, RuleSet]


class Changes(TypedDict, total=False):
    """The dossier fields a step may change; the registry applies them to the dossier."""

    documents: frozenset[str]
    samples: int
    return_reason: str | None
    registered_at: datetime
    evaluation: CommuneEvaluation | None
    submission: Submission | None
    rating: Rating | None
    certificate: Certificate
    cycle: int
    kind: Kind
    rule_set: str


@dataclass
class Outcome:
    """A step's result; ``dest`` chooses among the table's destinations."""

    changes: Changes = field(default_factory=lambda: Changes())
    payload: dict[str, Any] = field(default_factory=dict)
    dest: State | None = None


Data = Mapping[str, Any]


def _take(data: Data, trigger: Trigger) -> dict[str, Any]:
    """``data``, once it fits ``trigger``'s input model (``ocop.states.inputs``): every key
    one of its inputs, every value given of that input's type."""
    allowed = input_names(trigger)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput.said(
            N_("“{trigger}” không nhận {unknown}; chỉ nhận {allowed}."),
            field=unknown[0],
            trigger=trigger,
            unknown=", ".join(unknown),
            allowed=", ".join(sorted(allowed)) or "—",
        )
    try:
        input_model(trigger).model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else trigger.value
        raise invalid_input(error, exc.error_count() - 1, field=name) from None
    return dict(data)


_DOCUMENT = re.compile(r"[a-z0-9_]{1,40}")


def _value(name: str, text: str) -> Missing:
    return Missing("value", text, {"field": name})


def _text(data: Data, name: str, trigger: Trigger, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not nfc(value)):
        if required:
            raise GuardFailed(trigger, [_value(name, f"a {name.replace('_', ' ')}")])
        return None
    return clean_text(value, name)


_FORM = re.compile(r"mau_\d+")


def check_forms(documents: Iterable[str], rules: RuleSet) -> None:
    """Refuse a form code (``mau_NN``) the rule set's producer's dossier does not have
    (``mau_99``); other document names (evidence such as a food-safety certificate) pass."""
    unknown = sorted(
        d for d in documents if _FORM.fullmatch(d) and d not in rules.required_documents
    )
    if unknown:
        raise InvalidInput.said(
            N_(
                "documents: {unknown} không phải mẫu của hồ sơ chủ thể theo {rule_set}; "
                "các mẫu là {forms}."
            ),
            field="documents",
            unknown=", ".join(unknown),
            rule_set=rules.id,
            forms=", ".join(rules.required_documents),
        )


def _documents(held: frozenset[str], data: dict[str, Any], rules: RuleSet) -> Changes:
    """Documents and samples handed in with this step, added to those already there."""
    changes = Changes()
    if data.get("documents") is not None:
        docs = data["documents"]
        if isinstance(docs, str) or not all(
            isinstance(d, str) and _DOCUMENT.fullmatch(d) for d in docs
        ):
            raise InvalidInput.said(
                N_("documents phải là danh sách tên như mau_01."), field="documents"
            )
        check_forms(docs, rules)
        changes["documents"] = held | set(docs)
    if data.get("samples") is not None:
        samples = data["samples"]
        if isinstance(samples, bool) or not isinstance(samples, int) or not 0 <= samples <= 1000:
            raise InvalidInput.said(N_("samples phải là số nguyên từ 0 đến 1000."), field="samples")
        changes["samples"] = samples
    return changes


def return_dossier(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """Back to the producer, with the reason (required)."""
    _take(data, Trigger.RETURN_DOSSIER)
    reason = _text(data, "reason", Trigger.RETURN_DOSSIER, required=True)
    return Outcome({"return_reason": reason}, {"reason": reason})


def resubmit(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The completed dossier comes back; the commune's clock starts again."""
    taken = _take(data, Trigger.RESUBMIT)
    changes = _documents(d.documents, taken, ctx.rule_set)
    changes.update(Changes(return_reason=None, registered_at=ctx.now))
    return Outcome(changes, {k: sorted(v) if k == "documents" else v for k, v in taken.items()})


def check(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """Required documents present: Mẫu 01, Mẫu 02 and the samples (none for tourism)."""
    taken = _take(data, Trigger.CHECK)
    changes = _documents(d.documents, taken, ctx.rule_set)
    documents = changes.get("documents", d.documents)
    samples = changes.get("samples", d.samples)
    rules = ctx.rule_set
    missing = [
        Missing("document", f"document {doc}", {"document": doc})
        for doc in rules.required_documents
        if doc not in documents
    ]
    needed = 0 if d.product_set in rules.sample_exempt_sets else rules.samples_required
    if samples < needed:
        text = f"{needed} product samples ({samples} handed in)"
        missing.append(Missing("samples", text, {"needed": needed, "have": samples}))
    if missing:
        raise GuardFailed(Trigger.CHECK, missing)
    return Outcome(changes, {"documents": sorted(documents), "samples": samples})


def evaluate(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The commune assesses all four local criteria (Mẫu 03)."""
    taken = _take(data, Trigger.EVALUATE)
    # A mapping of text to text: the input model (ocop.states.inputs) has checked it.
    criteria: Mapping[str, str] = taken.get("criteria") or {}
    known = ctx.rule_set.commune_criteria
    unknown = sorted(set(criteria) - set(known))
    if unknown:
        raise InvalidInput.said(
            N_("Không có tiêu chí {unknown}; các tiêu chí là {known}."),
            field="criteria",
            unknown=", ".join(unknown),
            known=", ".join(known),
        )
    missing = [
        Missing("criterion", f"an assessment of {name}", {"criterion": name})
        for name in known
        if not isinstance(criteria.get(name), str) or not nfc(criteria[name])
    ]
    if missing:
        raise GuardFailed(Trigger.EVALUATE, missing)
    evaluation = parse(CommuneEvaluation, taken | {"criteria": dict(criteria)})
    return Outcome({"evaluation": evaluation}, evaluation.model_dump(mode="json"))


def round_for(rules: RuleSet, day: date) -> tuple[int, int] | None:
    """The province round (number, year) a dossier proposed on ``day`` goes to, if any."""
    found = next_round(rules.province_rounds, day)
    return (found[0].number, found[1]) if found else None


def central_round_for(rules: RuleSet, day: date) -> tuple[int, int] | None:
    """The central round (number, year of its cut-off) a province proposal of ``day`` goes to.

    26/2026: proposals by 30/7 are rated by 30/9, those by 30/1 by 30/3.
    """
    found = next_round(rules.central_rounds, day)
    return (found[0].number, found[1]) if found else None


def submit(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The request letter to the province; assigns the province round from its date."""
    taken = _take(data, Trigger.SUBMIT)
    missing = [
        _value(k, f"the request letter's {k.split('_')[1]}")
        for k in ("letter_number", "letter_date")
        if not taken.get(k)
    ]
    if missing:
        raise GuardFailed(Trigger.SUBMIT, missing)
    submission = parse(Submission, taken)
    if submission.letter_date > ctx.today:
        # A letter is dated when it is signed; one dated ahead would also pick a later round.
        raise InvalidInput.said(
            N_(
                "letter_date: công văn đề nghị ghi ngày {letter_date}, sau hôm nay ({today} "
                "giờ Việt Nam); hãy ghi ngày ký."
            ),
            field="letter_date",
            letter_date=f"{submission.letter_date:%d/%m/%Y}",
            today=f"{ctx.today:%d/%m/%Y}",
        )
    if submission.round is None:
        assigned = round_for(ctx.rule_set, submission.letter_date)
        if assigned:
            submission = submission.model_copy(
                update={"round": assigned[0], "round_year": assigned[1]}
            )
    elif submission.round_year is None:
        submission = submission.model_copy(update={"round_year": submission.letter_date.year})
    return Outcome({"submission": submission}, submission.model_dump(mode="json"))


def _exact(raw: object) -> Fraction | None:
    """``raw`` as an exact number: a float as the decimal it was typed as (19.996, not its
    binary neighbour), text as a decimal with a point or a comma; ``None`` if it is none."""
    if isinstance(raw, bool):
        return None
    try:
        if isinstance(raw, Fraction | int):
            return Fraction(raw)
        if isinstance(raw, Decimal):
            value = Fraction(raw) if raw.is_finite() else None
        elif isinstance(raw, float):
            value = Fraction(Decimal(repr(raw))) if math.isfinite(raw) else None
        elif isinstance(raw, str):
            text = raw.strip()
            if "," in text and "." not in text:
                text = text.replace(",", ".")
            number = Decimal(text)
            value = Fraction(number) if number.is_finite() else None
        else:
            return None
    except (ArithmeticError, ValueError):
        return None
    return value


def _part(raw: object, part: str, maximum: int, where: object = "") -> Fraction:
    value = _exact(raw)
    if value is None or not 0 <= value <= maximum:
        raise InvalidInput.said(
            N_("{where}Điểm phần {part} phải là số từ 0 đến {maximum}, không phải {raw}."),
            field=part if not where else "sheets",
            where=where,
            part=part.upper(),
            maximum=maximum,
            raw=repr(raw),
        )
    return value


def _scores(data: Data, rules: RuleSet, trigger: Trigger) -> dict[str, Fraction]:
    """The council's part averages as given, exact (nothing is rounded before the band)."""
    missing = [
        _value(p, f"the part {p.upper()} score") for p in rules.part_maxima if data.get(p) is None
    ]
    if missing:
        raise GuardFailed(trigger, missing)
    return {part: _part(data[part], part, top) for part, top in rules.part_maxima.items()}


def _minimum(raw: object, where: object = "") -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 5:
        raise InvalidInput.said(
            N_("{where}minimum_stars_met phải là hạng sao từ 0 đến 5, không phải {raw}."),
            field="minimum_stars_met" if not where else "sheets",
            where=where,
            raw=repr(raw),
        )
    return raw


def _sheets(
    raw: object, rules: RuleSet
) -> tuple[tuple[CouncilSheet, ...], dict[str, Fraction], int | None]:
    """Each member's sheet checked; the council's exact part averages; the lowest minimum.

    The council's score is the average of the members' totals (OCOP-RULES.md §3), which is
    the sum of the part averages; a member's minimum left out says nothing about it.
    """
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence) or not raw:
        raise InvalidInput.said(
            N_(
                "sheets phải là danh sách phiếu của các thành viên (member, a, b, c và có thể "
                "minimum_stars_met), ít nhất một phiếu."
            ),
            field="sheets",
        )
    keys = {"member", *rules.part_maxima, "minimum_stars_met"}
    sheets: list[CouncilSheet] = []
    sums = dict.fromkeys(rules.part_maxima, Fraction(0))
    minimums: list[int] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw, 1):
        if isinstance(item, CouncilSheet):
            item = item.model_dump()
        where = Problem(N_("Phiếu {number}: "), number=number)
        if not isinstance(item, Mapping):
            raise InvalidInput.said(
                N_("{where}một phiếu gồm member, a, b và c."), field="sheets", where=where
            )
        unknown = sorted(set(item) - keys)
        if unknown:
            raise InvalidInput.said(
                N_("{where}không có {unknown}; một phiếu có {keys}."),
                field="sheets",
                where=where,
                unknown=", ".join(map(str, unknown)),
                keys=", ".join(sorted(keys)),
            )
        member = item.get("member")
        if not isinstance(member, str) or not nfc(member):
            raise InvalidInput.said(N_("{where}thiếu tên thành viên."), field="sheets", where=where)
        member = clean_text(member, "member", limit=300)
        where = Problem(N_("Phiếu {number} ({member}): "), number=number, member=member)
        folded = member.casefold()
        if folded in seen:
            raise InvalidInput.said(
                N_("{where}trùng thành viên với phiếu {other}."),
                field="sheets",
                where=where,
                other=seen[folded],
            )
        seen[folded] = number
        parts = {}
        for part, top in rules.part_maxima.items():
            if item.get(part) is None:
                raise InvalidInput.said(
                    N_("{where}thiếu điểm phần {part}."),
                    field="sheets",
                    where=where,
                    part=part.upper(),
                )
            parts[part] = _part(item[part], part, top, where)
            sums[part] += parts[part]
        minimum = item.get("minimum_stars_met")
        if minimum is not None:
            minimums.append(_minimum(minimum, where))
        sheets.append(
            parse(
                CouncilSheet,
                {"member": member, "minimum_stars_met": minimum}
                | {k: float(v) for k, v in parts.items()},
            )
        )
    averages = {part: total / len(sheets) for part, total in sums.items()}
    return tuple(sheets), averages, min(minimums) if minimums else None


def _rating(d: Dossier, data: Data, ctx: Context, trigger: Trigger, level: str) -> Outcome:
    taken = _take(data, trigger)
    rules = ctx.rule_set
    sheets: tuple[CouncilSheet, ...] = ()
    minimum = taken.get("minimum_stars_met")
    if minimum is not None:
        minimum = _minimum(minimum)
    if taken.get("sheets") is not None:
        given = [p for p in rules.part_maxima if taken.get(p) is not None]
        if given:
            raise InvalidInput.said(
                N_(
                    "Chỉ đưa phiếu của các thành viên hoặc điểm trung bình từng phần của hội "
                    "đồng ({given}), không đưa cả hai."
                ),
                field="sheets",
                given=", ".join(given),
            )
        sheets, scores, lowest = _sheets(taken["sheets"], rules)
        if lowest is not None:
            minimum = lowest if minimum is None else min(minimum, lowest)
    else:
        scores = _scores(taken, rules, trigger)
    total = sum(scores.values(), Fraction(0))
    band = rules.stars_for(total)  # on the exact, unrounded total
    # Both the band and every starred minimum of that level are needed (Phụ lục II).
    stars = band if minimum is None else min(band, minimum)
    proposal: dict[str, Any] = {}
    central = stars >= 5 and level == "province" and rules.raters.get(5) != rules.raters.get(4)
    if central:
        proposed = to_date(taken.get("proposed_on") or ctx.today, "proposed_on")
        if proposed > ctx.today:
            raise InvalidInput.said(
                N_("proposed_on {proposed} là ngày trong tương lai."),
                field="proposed_on",
                proposed=f"{proposed:%d/%m/%Y}",
            )
        assigned = central_round_for(rules, proposed)
        proposal = {"proposed_on": proposed}
        if assigned:
            proposal |= {"central_round": assigned[0], "central_round_year": assigned[1]}
    averages = {part: float(value) for part, value in scores.items()}
    rating = Rating(
        a=averages["a"],
        b=averages["b"],
        c=averages["c"],
        total=float(total),
        stars=stars,
        band_stars=band,
        level=level,
        rated_on=ctx.today,
        minimum_stars_met=minimum,
        decision_number=_text(taken, "decision_number", trigger, required=False),
        sheets=sheets,
        **proposal,
    )
    changes = Changes(rating=rating)
    payload = rating.model_dump(mode="json")
    if central:
        return Outcome(changes, payload, State.CENTRAL_REVIEW)
    if stars not in rules.recognised_stars:
        return Outcome(changes, payload, State.NOT_RECOGNIZED)
    number = _text(taken, "certificate_number", trigger, required=True)
    issued = to_date(taken.get("issued_on") or ctx.today, "issued_on")
    certificate = parse(
        Certificate,
        {
            "number": number,
            "stars": stars,
            "issued_on": issued,
            "expires_on": add_months(issued, rules.certificate_months),
            # Below 5★ at the central level the province recognises 3★/4★ on the central
            # result (26/2026 §1B step 11).
            "issued_by": "central" if stars == 5 else "province",
        },
    )
    changes["certificate"] = certificate
    payload["certificate"] = certificate.model_dump(mode="json")
    return Outcome(changes, payload, State.RATED)


def rate(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The province council's average scores decide the stars and the outcome."""
    return _rating(d, data, ctx, Trigger.RATE, "province")


def rate_central(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The central council: 5★ at ≥ 90, else 3★/4★ by the central score, else not recognised."""
    return _rating(d, data, ctx, Trigger.RATE_CENTRAL, "central")


def _certificate(d: Dossier, trigger: Trigger) -> Certificate:
    if d.certificate is None:
        raise GuardFailed(trigger, [Missing("certificate", "a certificate")])
    return d.certificate


def flag_recertification(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The re-rating window opens, days before expiry, as the law in force that day says."""
    _take(data, Trigger.FLAG_RECERTIFICATION)
    cert = _certificate(d, Trigger.FLAG_RECERTIFICATION)
    opens = window_opens(cert, ctx.rule_sets)
    if opens is None or ctx.today < opens:
        wait = Missing("window", f"the window to open on {opens}", {"opens": opens})
        raise GuardFailed(Trigger.FLAG_RECERTIFICATION, [wait])
    return Outcome(payload={"window_opened": opens.isoformat()})


def expire(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The certificate is past its expiry and any grace the law in force allows."""
    _take(data, Trigger.EXPIRE)
    cert = _certificate(d, Trigger.EXPIRE)
    lapses = lapses_on(cert, ctx.rule_sets)
    if lapses is None or ctx.today < lapses:
        wait = Missing("lapse", f"the certificate to lapse on {lapses}", {"on": lapses})
        raise GuardFailed(Trigger.EXPIRE, [wait])
    return Outcome(payload={"expired_on": cert.expires_on.isoformat()})


def reapply(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """A new cycle: re-rating while a certificate is valid, else first-time; or an upgrade."""
    taken = _take(data, Trigger.REAPPLY)
    valid = d.certificate is not None and d.certificate.valid_on(ctx.today)
    try:
        kind = Kind(taken.get("kind") or (Kind.RERATING if valid else Kind.FIRST))
    except ValueError:
        raise InvalidInput.said(
            N_("kind phải là first, upgrade hoặc rerating."), field="kind"
        ) from None
    if kind is not Kind.FIRST and not valid:
        text = f"a valid certificate for a {kind.value} cycle"
        raise GuardFailed(Trigger.REAPPLY, [Missing("valid_certificate", text, {"kind": kind})])
    if taken.get("rule_set"):
        rules = rule_set(str(taken["rule_set"]), ctx.rule_sets).id
    else:
        rules = rule_set_for(ctx.today, ctx.rule_sets).id
    changes = Changes(documents=frozenset(), samples=0)
    changes.update(_documents(frozenset(), taken, rule_set(rules, ctx.rule_sets)))
    changes.update(
        Changes(
            cycle=d.cycle + 1,
            kind=kind,
            rule_set=rules,
            registered_at=ctx.now,
            evaluation=None,
            submission=None,
            rating=None,
            return_reason=None,
        )
    )
    return Outcome(changes, {"kind": kind.value, "cycle": d.cycle + 1, "rule_set": rules})


def revoke(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """One of the rule set's revocation grounds; the certificate is revoked today."""
    taken = _take(data, Trigger.REVOKE)
    grounds = ctx.rule_set.revocation_grounds
    ground = taken.get("ground")
    if not ground:
        text = f"a revocation ground ({', '.join(grounds)})"
        need = Missing("value", text, {"field": "ground", "options": tuple(grounds)})
        raise GuardFailed(Trigger.REVOKE, [need])
    if ground not in grounds:
        raise InvalidInput.said(
            N_("Không có căn cứ thu hồi '{ground}'; các căn cứ là {grounds}."),
            field="ground",
            ground=ground,
            grounds=", ".join(grounds),
        )
    cert = _certificate(d, Trigger.REVOKE)
    revoked = cert.model_copy(update={"revoked_on": ctx.today, "revocation_ground": ground})
    return Outcome({"certificate": revoked}, {"ground": ground, "text": grounds[ground]})


def withdraw(d: Dossier, data: Data, ctx: Context) -> Outcome:
    """The producer withdraws the dossier."""
    _take(data, Trigger.WITHDRAW)
    reason = _text(data, "reason", Trigger.WITHDRAW, required=False)
    return Outcome(payload={"reason": reason} if reason else {})


STEPS: dict[Trigger, Callable[[Dossier, Data, Context], Outcome]] = {
    Trigger.RETURN_DOSSIER: return_dossier,
    Trigger.RESUBMIT: resubmit,
    Trigger.CHECK: check,
    Trigger.EVALUATE: evaluate,
    Trigger.SUBMIT: submit,
    Trigger.RATE: rate,
    Trigger.RATE_CENTRAL: rate_central,
    Trigger.FLAG_RECERTIFICATION: flag_recertification,
    Trigger.REAPPLY: reapply,
    Trigger.EXPIRE: expire,
    Trigger.REVOKE: revoke,
    Trigger.WITHDRAW: withdraw,
}
