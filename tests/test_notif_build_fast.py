"""build_email's short cuts (one class per header, plain headers set raw) change no byte."""

from __future__ import annotations

import dataclasses
import random
import re
from email.policy import SMTP

import pytest
from test_notif_render import NOW, PLAN, row, year_of_messages

from ocop.notifications import render as render_module
from ocop.notifications.render import build_email, render


def _bytes(monkeypatch: pytest.MonkeyPatch, *, stock: bool) -> list[bytes]:
    with monkeypatch.context() as patch:
        if stock:
            # The standard library's own path: the stock policy, every header parsed.
            patch.setattr(render_module, "_POLICY", SMTP)
            patch.setattr(render_module, "_PLAIN", re.compile(r"(?!)"))
        random.seed(14)  # the MIME boundary is random
        out = []
        for message in year_of_messages().values():
            for lang in ("vi", "en"):
                outbox_row = row(message, lang=lang)
                rendered = render(outbox_row.kind, outbox_row.context, lang=lang, reference="7")
                mail = build_email(outbox_row, rendered, sender=PLAN.sender or "", now=NOW)
                out.append(mail.as_bytes(policy=SMTP))
        return out


def test_every_kind_is_written_byte_for_byte_as_the_stock_email_package_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, stock = _bytes(monkeypatch, stock=False), _bytes(monkeypatch, stock=True)
    assert len(fast) > 10
    assert fast == stock


def test_a_header_value_that_is_not_plain_ascii_still_goes_through_the_parser() -> None:
    message = next(iter(year_of_messages().values()))
    odd = dataclasses.replace(row(message), kind="a\nBcc: x@y.vn")
    rendered = render(message.kind, message.context, lang="vi", reference="7")
    with pytest.raises(ValueError, match="linefeed"):
        build_email(odd, rendered, sender=PLAN.sender or "", now=NOW)
