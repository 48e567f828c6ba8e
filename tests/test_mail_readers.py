"""What people read in the mail, checked with the readers themselves.

The HTML part on a phone (headless Chromium at 400 px, as a mail app shows it), and display
names parsed back by Python's two policies, Perl's Encode and, when it is installed, Node's
mailparser.
"""

from __future__ import annotations

import base64
import email
import email.header
import email.utils
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from parts import require
from test_notif_render import MESSAGES, NOW, PLAN, row

from ocop.notifications.render import build_email, render

CHROMIUM = "/usr/bin/chromium"
PHONE = 400

NAMES = [
    "UBND xã Lưu Vệ, tỉnh Thanh Hóa — Phòng Kinh tế",
    "Cơ sở Nem chua Minh Anh",
    "Bánh gai Tứ Trụ",
    "Nguyễn Thị Bích Ngọc",
    # No ASCII word at all for 80 characters: two encoded words must meet.
    "Hợp tác xã Nông nghiệp Dịch vụ Tổng hợp Quảng Phú, huyện Thọ Xuân, tỉnh Thanh Hóa",
    "Công ty TNHH MTV Chế biến Nông sản Xuất khẩu Hương Việt (chi nhánh Thanh Hóa) — phòng kinh",
    "Ông Trần Văn Mười Một Hai Ba Bốn Năm Sáu Bảy Tám Chín Mười",
    'Đặng "Quang" Vinh, Phó Chủ tịch UBND xã',
    "Chủ thể sản xuất Nghiêngnghiêngnghiêngnghiêngnghiêngnghiêngnghiêng",
]


def mail_to(name: str, lang: str = "vi") -> bytes:
    message = MESSAGES["rated"]
    message = message.model_copy(
        update={"context": message.context | {"recipient_name": name}, "lang": lang}
    )
    out = render("rated", message.context, lang=lang, dossier_id=message.dossier_id)
    return bytes(build_email(row(message), out, sender="OCOP Lưu Vệ <ocop@luuve.vn>", now=NOW))


def head(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n")[0].split(b"\r\n")


def to_header(raw: bytes) -> bytes:
    """The To header as written, its folds joined."""
    lines = head(raw)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"To:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith(b" ")), len(lines)
    )
    return b"".join(lines[start:end])


def compat32_name(raw: bytes, header: str = "To") -> str:
    value = email.message_from_bytes(raw, policy=policy.compat32)[header]
    encoded, _ = email.utils.parseaddr(str(value))
    return str(email.header.make_header(email.header.decode_header(encoded)))


def default_name(raw: bytes, header: str = "To") -> str:
    parsed: Any = email.message_from_bytes(raw, policy=policy.default)
    (address,) = parsed[header].addresses
    return str(address.display_name)


@pytest.mark.parametrize("name", NAMES)
def test_a_display_name_is_read_back_whole_by_both_python_policies(name: str) -> None:
    raw = mail_to(name)
    assert raw.isascii()
    assert max(len(line) for line in head(raw)) <= 78
    assert compat32_name(raw) == name
    # Python's default parser keeps the space between two adjacent encoded words (CPython
    # gh-128110, fixed after 3.13): where a name has no ASCII word to stand between them, it
    # may show a second space there, but never a word cut in two ("UBND x ã").
    read = default_name(raw)
    words = name.split()
    if all(len(word.encode()) <= 45 for word in words):
        assert read.split() == words
    if to_header(raw).count(b"?= =?") == 0:
        assert read == name
    # Every encoded word holds whole words (only a word longer than one encoded word, 45
    # bytes, is cut, between characters).
    if all(len(word.encode()) <= 45 for word in words):
        for encoded in re.findall(rb"=\?utf-8\?b\?([^?]*)\?=", to_header(raw)):
            assert set(base64.b64decode(encoded).decode().split()) <= set(words)


def test_the_issue_s_names_no_longer_break_inside_a_word() -> None:
    raw = mail_to("UBND xã Lưu Vệ, tỉnh Thanh Hóa — Phòng Kinh tế")
    assert default_name(raw) == "UBND xã Lưu Vệ, tỉnh Thanh Hóa — Phòng Kinh tế"
    assert default_name(mail_to("Bánh gai Tứ Trụ")) == "Bánh gai Tứ Trụ"
    # The sender's name too.
    assert default_name(raw, "From") == compat32_name(raw, "From") == "OCOP Lưu Vệ"


def test_a_copied_header_keeps_the_name() -> None:
    # A program that re-serialises the parsed message writes the name back out unharmed.
    name = NAMES[0]
    parsed = email.message_from_bytes(mail_to(name), policy=policy.default)
    again = parsed.as_bytes(policy=policy.SMTP)
    assert default_name(again) == compat32_name(again) == name


@pytest.mark.parametrize("name", NAMES)
def test_perl_decodes_the_name_whole(name: str) -> None:
    require(shutil.which("perl") is not None, "perl", "apt-get install perl")
    value = email.message_from_bytes(mail_to(name), policy=policy.compat32)["To"]
    encoded, _ = email.utils.parseaddr(str(value))
    done = subprocess.run(
        [
            "perl",
            "-MEncode",
            "-e",
            'binmode STDOUT, ":utf8"; local $/; print decode("MIME-Header", <STDIN>)',
        ],
        input=encoded.encode(),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode() == name


def mailparser() -> Path | None:
    """A node_modules folder holding mailparser (OCOP_NODE_MODULES, else node's own search)."""
    if shutil.which("node") is None:
        return None
    folder = os.environ.get("OCOP_NODE_MODULES", "")
    probe = subprocess.run(
        ["node", "-e", "require.resolve('mailparser')"],
        env=os.environ | {"NODE_PATH": folder},
        capture_output=True,
    )
    return Path(folder) if probe.returncode == 0 else None


def test_node_mailparser_decodes_every_name_whole(tmp_path: Path) -> None:
    folder = mailparser()
    require(
        folder is not None,
        "Node's mailparser",
        "npm install --prefix DIR mailparser@3, then OCOP_NODE_MODULES=DIR/node_modules",
    )
    assert folder is not None
    script = (
        "const {simpleParser} = require('mailparser');"
        "const fs = require('fs');"
        "(async () => { const out = [];"
        " for (const f of process.argv.slice(1)) {"
        "  const m = await simpleParser(fs.readFileSync(f));"
        "  out.push(m.to.value[0].name); }"
        " console.log(JSON.stringify(out)); })();"
    )
    files = []
    for number, name in enumerate(NAMES):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(mail_to(name))
        files.append(str(path))
    done = subprocess.run(
        ["node", "-e", script, *files],
        env=os.environ | {"NODE_PATH": str(folder or "")},
        capture_output=True,
        check=True,
    )
    assert json.loads(done.stdout) == NAMES


# -- the HTML part on a phone ----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is missing: apt-get install chromium", pytrace=False)
        pytest.skip("chromium is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


# The smallest text on the page as the reader sees it: CSS size times the page's zoom.
SMALLEST = """() => {
  const scale = window.visualViewport ? window.visualViewport.scale : 1;
  let smallest = Infinity;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    smallest = Math.min(smallest, size * scale);
  }
  return smallest;
}"""


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", ["rated", "digest", "certificate_expiring", "returned"])
def test_the_html_part_reads_on_a_phone(
    browser: object, kind: str, lang: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    message = MESSAGES[kind]
    out = render(kind, message.context, lang=lang, reference="7", dossier_id=message.dossier_id)
    mail = build_email(row(message, lang=lang), out, sender=PLAN.sender or "", now=NOW)
    parsed: Any = email.message_from_bytes(bytes(mail), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    context = browser.new_context(
        viewport={"width": PHONE, "height": 800}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.set_content(html)
        # Laid out at the phone's width (without the tag: 980 px at a zoom of 0.41).
        assert page.evaluate("document.documentElement.clientWidth") == PHONE
        assert page.evaluate("window.visualViewport.scale") == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        smallest = page.evaluate(SMALLEST)
        assert smallest >= 14, f"text shown at {smallest} px"
        folder = Path(os.environ.get("OCOP_ARTEFACTS") or tmp_path_factory.getbasetemp())
        (folder / "mail").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "mail" / f"{kind}-{lang}.png"), full_page=True)
    finally:
        context.close()


def test_without_the_viewport_tag_the_phone_shrinks_the_text(browser: object) -> None:
    """The check above can fail: the old layout, 15 px text, seen at about 6 px."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    message = MESSAGES["rated"]
    html = render("rated", message.context, dossier_id=message.dossier_id).html
    old = html.replace('<meta name="viewport" content="width=device-width, initial-scale=1">', "")
    context = browser.new_context(
        viewport={"width": PHONE, "height": 800}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.set_content(old)
        assert page.evaluate("document.documentElement.clientWidth") == 980
        assert page.evaluate(SMALLEST) < 10
    finally:
        context.close()
