"""Each recipient's mail in their language (issue 14): a producer's own, else the plan's.

Producers choose the language of their mail on Mẫu 01 (``producer.lang``, ``ocop register
--producer-lang``); without a choice they get the plan's (Vietnamese without a plan), and the
plan's officers keep the plan's. The mails are the real outbox rows, sent through the folder
transport and read back as the .eml files a mail client would open.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration, to_rated
from notifdata import at, dossier

import ocop
from ocop.models import Dossier, Producer, parse
from ocop.notifications.delivery import Drainer, sweep
from ocop.notifications.notices import notices_for
from ocop.notifications.reminder import Reminder, producer
from ocop.notifications.render import render
from ocop.notifications.rules import reminders_due
from ocop.notifications.transports import FolderTransport
from ocop.plan import luu_ve_2026
from ocop.states import State
from ocop.storage.outbox import Outbox
from ocop.workdays import Calendar

PLAN = luu_ve_2026()  # in Vietnamese, its officers too
OFFICERS = {r.email for r in PLAN.recipients}
ENGLISH = "english@producer.example"
UNSET = "unset@producer.example"


def _producer(address: str, lang: str | None) -> dict[str, str]:
    chosen = {"lang": lang} if lang else {}
    return {"name": f"Cơ sở {address.split('@')[0]}", "email": address} | chosen


def _delivered(reg: ocop.Registry, clock: Clock, folder: Path) -> list[EmailMessage]:
    """Send every message due through the folder transport; the .eml files read back."""
    outbox = Outbox(reg.database)
    transport = FolderTransport(folder)
    Drainer(outbox, transport, sender="ocop@luuve.example", worker="t", clock=clock).drain()
    mails = []
    for path in sorted(folder.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        mails.append(parsed)
    return mails


def _by(mails: list[EmailMessage], recipient: str, kind_subject: str) -> EmailMessage:
    found = [
        m for m in mails if m["X-Envelope-To"] == recipient and kind_subject in str(m["Subject"])
    ]
    assert len(found) == 1, (recipient, kind_subject, [str(m["Subject"]) for m in mails])
    return found[0]


def _text(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def planned(db_url: str, clock: Clock) -> Iterator[ocop.Registry]:
    with ocop.open(db_url, clock=clock, notices=notices_for(PLAN)) as reg:
        yield reg


def test_producers_notices_in_their_language_officers_in_the_plans(
    planned: ocop.Registry, clock: Clock, tmp_path: Path
) -> None:
    english = planned.register(
        registration(product_name="Nem chua Minh Anh", producer=_producer(ENGLISH, "en")),
        actor=OFFICER,
    )
    unset = planned.register(
        registration(product_name="Miến gạo Dung Tháp", producer=_producer(UNSET, None)),
        actor=OFFICER,
    )
    assert (english.producer.lang, unset.producer.lang) == ("en", None)
    assert planned.get(english.id).producer.lang == "en"  # stored, read back
    for found in (english, unset):
        to_rated(planned, found.id, a=33.333, b=18, c=21)
    mails = _delivered(planned, clock, tmp_path / "mail")

    received = _by(mails, ENGLISH, "OCOP dossier received: Nem chua Minh Anh")
    rated = _by(mails, ENGLISH, "OCOP rating: Nem chua Minh Anh is rated 4 stars")
    for mail in (received, rated):
        assert mail["Content-Language"] == "en"
    assert "Average score: 72.33/100 (part A: 33.33, part B: 18, part C: 21)" in _text(rated)

    received = _by(mails, UNSET, "Đã tiếp nhận hồ sơ OCOP: Miến gạo Dung Tháp")
    rated = _by(mails, UNSET, "Kết quả phân hạng OCOP: Miến gạo Dung Tháp đạt 4 sao")
    for mail in (received, rated):
        assert mail["Content-Language"] == "vi"
    assert "72,33/100" in _text(rated) and "33,33" in _text(rated)
    assert len([m for m in mails if m["X-Envelope-To"] in (ENGLISH, UNSET)]) == 4

    to_officers = [m for m in mails if m["X-Envelope-To"] in OFFICERS]
    assert to_officers, "the commune's officers hear of the ratings"
    assert {m["Content-Language"] for m in to_officers} == {"vi"}
    # Both producers' ratings reach the officers, in Vietnamese, whatever the producer chose.
    assert {p for m in to_officers for p in ("Nem chua", "Miến gạo") if p in _text(m)} == {
        "Nem chua",
        "Miến gạo",
    }


def test_producers_reminders_in_their_language(
    planned: ocop.Registry, clock: Clock, tmp_path: Path
) -> None:
    for product, who, lang in (
        ("Nem chua Minh Anh", ENGLISH, "en"),
        ("Bánh răng bừa Nga My", UNSET, None),
    ):
        planned.import_certified(
            registration(product_name=product, producer=_producer(who, lang)),
            certificate_number=f"GCN-{who[:2]}",
            stars=3,
            issued_on="2023-07-14",  # expires 14/07/2026, under 148+1489
            actor=OFFICER,
        )
    outbox = Outbox(planned.database)
    clock.set(date(2026, 6, 14))  # 30 days before the expiry
    sweep(planned, PLAN, outbox, with_digest=False)
    mails = _delivered(planned, clock, tmp_path / "mail")

    english = _by(mails, ENGLISH, "The OCOP certificate of Nem chua Minh Anh expires on")
    assert english["Content-Language"] == "en"
    assert "OCOP certificate no. GCN-en (3 stars)" in _text(english)
    vietnamese = _by(mails, UNSET, "Giấy chứng nhận OCOP của Bánh răng bừa Nga My hết hạn")
    assert vietnamese["Content-Language"] == "vi"
    # The commune officer hears of both certificates, in the plan's Vietnamese.
    officers = [m for m in mails if m["X-Envelope-To"] in OFFICERS]
    about = [m for m in officers if "Giấy chứng nhận OCOP của" in str(m["Subject"])]
    assert len(about) == 2, [str(m["Subject"]) for m in officers]
    assert {m["Content-Language"] for m in officers} == {"vi"}
    # And each producer's other reminder of the day (the filing window), in their language.
    langs = {(m["X-Envelope-To"], m["Content-Language"]) for m in mails}
    assert langs - {(o, "vi") for o in OFFICERS} == {(ENGLISH, "en"), (UNSET, "vi")}
    assert _by(mails, ENGLISH, "Time to file the OCOP re-rating dossier: Nem chua Minh Anh")


def test_without_a_plan_a_producer_is_told_in_their_language_else_vietnamese(
    db_url: str, clock: Clock, tmp_path: Path
) -> None:
    with ocop.open(db_url, clock=clock) as reg:
        reg.register(registration(producer=_producer(ENGLISH, "en")), actor=OFFICER)
        reg.register(registration(producer=_producer(UNSET, None)), actor=OFFICER)
        mails = _delivered(reg, clock, tmp_path / "mail")
    assert {m["X-Envelope-To"]: m["Content-Language"] for m in mails} == {
        ENGLISH: "en",
        UNSET: "vi",
    }
    assert str(_by(mails, ENGLISH, "OCOP dossier received")["Subject"])


@pytest.mark.parametrize(
    ("plan_lang", "chosen", "expected"),
    [("vi", "en", "en"), ("vi", None, "vi"), ("en", "vi", "vi"), ("en", None, "en")],
)
def test_the_producers_choice_wins_over_the_plans(
    plan_lang: str, chosen: str | None, expected: str
) -> None:
    plan = PLAN.model_copy(update={"lang": plan_lang})
    held = dossier(3)
    held = held.model_copy(
        update={"producer": held.producer.model_copy(update={"lang": chosen, "email": UNSET})}
    )
    found = producer(held, plan)
    assert found is not None and found.lang == expected


@pytest.mark.parametrize("given", ["fr", "vietnamese", "e n"])
def test_a_language_other_than_vi_or_en_is_refused_by_name(given: str) -> None:
    with pytest.raises(ocop.InvalidInput) as caught:
        parse(Producer, {"name": "Cơ sở", "lang": given})
    assert caught.value.field == "lang"
    assert f"must be vi or en (the language of the mail), not '{given}'" in str(caught.value)


def test_a_language_is_taken_in_any_case_and_empty_means_the_plans() -> None:
    assert parse(Producer, {"name": "Cơ sở", "lang": " EN "}).lang == "en"
    assert parse(Producer, {"name": "Cơ sở", "lang": ""}).lang is None


def test_every_reminder_to_a_producer_is_in_their_language_through_the_year() -> None:
    # The plan's own reminders that reach producers too (the evaluation window, its closing
    # for a returned dossier, the conferences whose audience includes them), day by day.
    def own(number: int, state: State, address: str, lang: str | None) -> Dossier:
        held = dossier(number, state=state, email=address, product=f"Sản phẩm {number}")
        return held.model_copy(update={"producer": held.producer.model_copy(update={"lang": lang})})

    dossiers = [own(1, State.CHECKED, ENGLISH, "en"), own(2, State.RETURNED, UNSET, None)]
    seen: dict[str, Reminder] = {}
    day = date(2026, 1, 1)
    while day <= date(2026, 12, 31):
        for reminder in reminders_due(dossiers, PLAN, Calendar(), at(day.isoformat())):
            seen.setdefault(reminder.dedupe_key, reminder)
        day += timedelta(days=1)
    to_producers = [r for r in seen.values() if r.to.role == "producer"]
    kinds = {(r.kind, r.to.email) for r in to_producers}
    for address in (ENGLISH, UNSET):
        assert {("window_opening", address), ("event", address)} <= kinds, kinds
    assert ("window_closing", UNSET) in kinds  # its dossier was returned
    for reminder in to_producers:
        expected = "en" if reminder.to.email == ENGLISH else "vi"
        message = reminder.message()
        assert message.lang == expected, (reminder.kind, reminder.to)
        rendered = render(message.kind, message.context, lang=message.lang)
        greeting = "Kính gửi" if expected == "vi" else "Dear"
        assert rendered.text.startswith(greeting), rendered.text[:200]
    assert {r.to.lang for r in seen.values() if r.to.role != "producer"} == {"vi"}
