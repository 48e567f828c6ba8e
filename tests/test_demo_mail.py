"""The demo's mail: officers read it in the demo's language, and every name arrives whole."""

from __future__ import annotations

import email
import email.header
import email.utils
from email import policy
from pathlib import Path
from typing import Any

import pytest

from ocop.demo import Demo
from ocop.plan import luu_ve_2026


def run(tmp_path: Path, lang: str) -> list[bytes]:
    folder = tmp_path / f"mail-{lang}"
    with Demo(f"sqlite:///{tmp_path / f'{lang}.db'}", mail=folder, lang=lang) as demo:
        for _ in demo.steps():
            pass
    return [path.read_bytes() for path in sorted(folder.rglob("*.eml"))]


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    return run(tmp_path_factory.mktemp("demo"), "en")


def test_demo_in_english_writes_the_officers_mail_in_english(english: list[bytes]) -> None:
    officers = {r.email.lower() for r in luu_ve_2026().recipients}
    seen: dict[str, set[str]] = {"officer": set(), "producer": set()}
    for raw in english:
        parsed: Any = email.message_from_bytes(raw, policy=policy.default)
        (to,) = parsed["To"].addresses
        who = "officer" if to.addr_spec.lower() in officers else "producer"
        seen[who].add(str(parsed["Content-Language"]))
        if who == "officer":
            assert parsed.get_body(("plain",)).get_content().startswith("Dear ")
    assert seen["officer"] == {"en"}
    # Producers keep the plan's language (Vietnamese): they have no say in the demo's.
    assert seen["producer"] <= {"vi"}


def test_every_demo_name_arrives_whole(english: list[bytes]) -> None:
    assert len(english) > 50
    for raw in english:
        default: Any = email.message_from_bytes(raw, policy=policy.default)
        (to,) = default["To"].addresses
        old = email.message_from_bytes(raw, policy=policy.compat32)["To"]
        encoded, _ = email.utils.parseaddr(str(old))
        whole = str(email.header.make_header(email.header.decode_header(encoded)))
        assert to.display_name.split() == whole.split(), (to.display_name, whole)
