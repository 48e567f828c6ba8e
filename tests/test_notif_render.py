"""Rendering: every kind in Vietnamese and English, escaping, subjects, MIME, Message-ID."""

from __future__ import annotations

import email
import unicodedata
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from notifdata import at, dossier

from ocop.errors import InvalidInput
from ocop.models import HistoryDraft, Message, Rating
from ocop.notifications.notices import notices_for
from ocop.notifications.render import build_email, message_id, render, single_line
from ocop.notifications.rules import digest, reminders_due
from ocop.plan import luu_ve_2026
from ocop.states import State
from ocop.storage.outbox import OutboxMessage
from ocop.workdays import Calendar

PLAN = luu_ve_2026()
NOW = datetime(2026, 7, 18, 1, tzinfo=UTC)


def row(message: Message, *, lang: str | None = None, id: int = 7) -> OutboxMessage:
    return OutboxMessage(
        id=id,
        dedupe_key=message.dedupe_key,
        kind=message.kind,
        dossier_id=message.dossier_id,
        recipient=message.recipient,
        lang=lang or message.lang,
        context=message.context,
        status="claimed",
        attempts=0,
        next_attempt_at=NOW,
        last_error=None,
        created_at=NOW,
        sent_at=None,
        claimed_by="w",
        claimed_at=NOW,
    )


def year_of_messages() -> dict[str, Message]:
    """One message of every kind: the year's reminders plus each transition notice."""
    ds = [
        dossier(1, state=State.REGISTERED, rule_set="qd26-2026", registered="2026-07-20"),
        dossier(2, state=State.RETURNED, product="Bánh răng bừa Nga My", email="b@x.vn"),
        dossier(3, state=State.RATED, product="Miến gạo Dung Tháp", issued="2023-09-15"),
    ]
    found: dict[str, Message] = {}
    calendar = Calendar()
    for ordinal in range(date(2026, 1, 1).toordinal(), date(2027, 1, 1).toordinal()):
        now = at(date.fromordinal(ordinal).isoformat())
        for reminder in reminders_due(ds, PLAN, calendar, now) + digest(ds, PLAN, calendar, now):
            found.setdefault(reminder.kind, reminder.message())
    notices = notices_for(PLAN)
    rated = ds[2].model_copy(
        update={
            "rating": Rating(
                a=30, b=15, c=20, total=65, stars=3, level="province", rated_on=date(2026, 9, 1)
            ),
            "version": 5,
        }
    )
    for trigger, state, after, extra in (
        ("register", State.REGISTERED, ds[0].model_copy(update={"id": 0}), {}),
        ("return_dossier", State.RETURNED, ds[1], {"reason": "Thiếu Mẫu 02"}),
        ("rate", State.RATED, rated, {}),
        ("revoke", State.REVOKED, ds[2], {"ground": "mark_misuse", "text": "Sử dụng sai nhãn"}),
    ):
        entry = HistoryDraft(NOW, "lan", "province_officer", trigger, None, state, None, extra)
        (first, *_) = notices(None, after, entry)
        found.setdefault(first.kind, first)
    return found


MESSAGES = year_of_messages()


def test_every_kind_of_message_occurs() -> None:
    assert set(MESSAGES) == {
        "accepted",
        "returned",
        "rated",
        "revoked",
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
        "digest",
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_kind_renders_in_both_languages(kind: str, lang: str) -> None:
    message = MESSAGES[kind]
    out = render(kind, message.context, lang=lang, reference="7", dossier_id=message.dossier_id)
    assert out.subject and "\n" not in out.subject and len(out.subject) <= 200
    assert out.text.startswith("Kính gửi " if lang == "vi" else "Dear ")
    assert "Mã thư: 7" in out.text if lang == "vi" else "Reference: 7" in out.text
    assert f'<html lang="{lang}">' in out.html
    for part in (out.subject, out.text, out.html):
        assert unicodedata.is_normalized("NFC", part)
        assert "{{" not in part and "{%" not in part and "@@ocop-body@@" not in part
    assert "\n\n\n" not in out.text


def test_vietnamese_and_english_say_the_same_thing_differently() -> None:
    context = MESSAGES["window_opening"].context
    vi = render("window_opening", context, lang="vi")
    en = render("window_opening", context, lang="en")
    assert vi.subject == "Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày)"
    assert en.subject == "The commune's OCOP evaluation opens on 1 August 2026 (in 14 days)"
    # An unknown language falls back to Vietnamese, the default.
    assert render("window_opening", context, lang="fr").subject == vi.subject


def test_html_is_escaped_and_text_is_not_and_the_subject_stays_one_line() -> None:
    nasty = dossier(
        4,
        product="<script>alert(1)</script>\r\nBcc: victim@x.vn",
        issued="2024-02-12",
        state=State.RATED,
        producer="Cơ sở Hà",
    )
    (reminder, *_) = [
        r
        for r in reminders_due([nasty], PLAN, Calendar(), at("2026-08-16"))
        if r.kind == "filing_window"
    ]
    out = render(reminder.kind, reminder.message().context, dossier_id=4)
    assert "<script>" not in out.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in out.html
    assert "<script>alert(1)</script>" in out.text
    assert out.subject.endswith("<script>alert(1)</script> Bcc: victim@x.vn")
    mail = build_email(row(reminder.message()), out, sender=PLAN.sender or "", now=NOW)
    parsed = email.message_from_bytes(bytes(mail), policy=default)
    assert parsed["Bcc"] is None and len(parsed.get_all("To") or []) == 1


def test_single_line_folds_control_characters() -> None:
    assert single_line("a\r\nb\tc\x00d  e") == "a b c d e"
    assert single_line("x" * 300, 10) == "xxxxxxxxx…"


def test_the_email_has_utf8_headers_both_parts_and_an_id_from_its_dedupe_key() -> None:
    message = MESSAGES["accepted"]
    out = render("accepted", message.context, dossier_id=12)
    mail = build_email(row(message), out, sender=PLAN.sender or "", now=NOW)
    raw = bytes(mail)
    assert raw.isascii()  # every header encoded (RFC 2047), bodies transfer-encoded
    parsed: Any = email.message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == out.subject == "Đã tiếp nhận hồ sơ OCOP: Nem chua Minh Anh"
    assert parsed["To"].addresses[0].display_name == "Cơ sở Nem chua Minh Anh"
    assert parsed["From"].addresses[0].addr_spec == "ocop@luuve.example"
    assert parsed["Message-ID"] == message_id(message.dedupe_key, "luuve.example")
    assert parsed["Content-Language"] == "vi"
    assert parsed["Date"].datetime == datetime(
        2026, 7, 18, 8, tzinfo=parsed["Date"].datetime.tzinfo
    )
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "hồ sơ số 12" in text and "Hồ sơ" not in html.split("<body")[0]
    assert "UBND xã Lưu Vệ đã tiếp nhận" in html


def test_message_ids_are_stable_per_key_and_distinct_between_keys() -> None:
    one = message_id("event:7d|plan:luu-ve-2026:launch|-|2026-03-10|a@x.vn", "luuve.example")
    assert one == message_id(
        "event:7d|plan:luu-ve-2026:launch|-|2026-03-10|a@x.vn", "luuve.example"
    )
    assert one != message_id(
        "event:1d|plan:luu-ve-2026:launch|-|2026-03-10|a@x.vn", "luuve.example"
    )
    assert one.startswith("<ocop.") and one.endswith("@luuve.example>")


def test_a_kind_without_template_or_a_context_lacking_a_value_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Cannot render a 'nope' message"):
        render("nope", {})
    with pytest.raises(InvalidInput, match="undefined"):
        render("window_opening", {"commune": "Lưu Vệ"})


def test_an_address_that_cannot_be_written_is_refused() -> None:
    message = MESSAGES["accepted"].model_copy(update={"recipient": "not an address"})
    out = render("accepted", message.context, dossier_id=1)
    with pytest.raises(InvalidInput, match="Bad address"):
        build_email(row(message), out, sender="x@y.vn", now=NOW)


def test_an_english_reader_gets_english_headers_too() -> None:
    message = MESSAGES["digest"]
    out = render("digest", message.context, lang="en")
    mail: EmailMessage = build_email(row(message, lang="en"), out, sender="a@b.vn", now=NOW)
    assert mail["Content-Language"] == "en"
    assert mail["Subject"] == "OCOP digest for Lưu Vệ commune, " + out.subject.split(", ")[-1]


def test_a_long_vietnamese_subject_keeps_every_space_across_folds() -> None:
    message = MESSAGES["window_opening"]
    out = render(message.kind, message.context)
    # Where Python's own folding put a fold between "cấp" and "xã", and lost the space.
    assert out.subject == "Đợt đánh giá sản phẩm OCOP cấp xã bắt đầu ngày 01/08/2026 (còn 14 ngày)"
    raw = bytes(build_email(row(message), out, sender="a@b.vn", now=NOW))
    assert max(len(line) for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")) <= 78
    parsed: Any = email.message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == out.subject
