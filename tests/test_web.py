"""The public stamp page: a real ``ocop serve`` process on 127.0.0.1, fetched over HTTP and
opened in Debian's headless chromium at a phone's viewport.

The server runs under libfaketime at 5/12/2026 09:00 in Vietnam; the stamps were issued with
explicit moments through the library. The screenshots are kept in ``$OCOP_ARTEFACTS/web``,
by default in pytest's base temporary folder (``…/pytest-of-<user>/pytest-current/web``).
Chromium is skipped only outside CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_helpers import at, environment, ocop_command
from factories import ADMIN, COMMUNE, OFFICER, PROVINCE, Clock

import ocop
from ocop.stamps import payload
from ocop.stamps.issue import issue_stamps
from ocop.stamps.keys import KeyStore
from ocop.stamps.payload import IssuedStamp
from ocop.stamps.store import StampStore
from ocop.stamps.verify import sign

ISSUED = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
SERVED = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
BASE = "https://ocop.luuve.vn"
CHROMIUM = "/usr/bin/chromium"
PROVINCE_OFFICER = ocop.Actor("hoa", ocop.Role.PROVINCE_OFFICER, province=PROVINCE)
WARN_AFTER = 3


@dataclass
class Site:
    url: str
    db: str
    stamps: dict[str, str]
    """Case name → the stamp's path on the page, ``/v/<payload>``."""
    serials: dict[str, str]
    process: subprocess.Popen[str]


def _product(reg: ocop.Registry, name: str, number: str, issued_on: str) -> ocop.Dossier:
    return reg.import_certified(
        {
            "product_name": name,
            "product_set": 8,
            "producer": {"name": "Cơ sở Minh Anh"},
            "commune": COMMUNE,
            "province": PROVINCE,
        },
        certificate_number=number,
        stars=4,
        issued_on=issued_on,
        actor=ADMIN,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("web")
    db = f"sqlite:///{home / 'ocop.db'}"
    keys, forger = KeyStore(home / "keys"), KeyStore(home / "forger")
    keys.init()
    forger.init()
    clock = Clock(SERVED.date())
    paths: dict[str, str] = {}
    serials: dict[str, str] = {}

    def keep(name: str, issued: IssuedStamp) -> None:
        paths[name] = f"/v/{issued.text}"
        serials[name] = issued.stamp.serial_text

    with ocop.open(db, clock=clock) as reg:
        valid = _product(reg, "Nem chua Minh Anh", "GCN-01", "2025-05-14")
        revoked = _product(reg, "Bánh răng bừa Nga My", "GCN-02", "2025-05-14")
        expired = _product(reg, "Miến gạo Dung Tháp", "GCN-03", "2023-06-01")
        due = _product(reg, "Giò lụa Lưu Vệ", "GCN-04", "2024-03-01")

        def stamps(dossier: ocop.Dossier, count: int, now: datetime = ISSUED) -> list[IssuedStamp]:
            return issue_stamps(
                reg, keys.issuer(), dossier.id, count=count, actor=OFFICER, base_url=BASE, now=now
            )

        genuine, counted, copied, browsed = stamps(valid, 4)
        keep("genuine", genuine)
        keep("counted", counted)
        keep("copied", copied)
        keep("browsed", browsed)
        keep("revoked", stamps(revoked, 1)[0])
        keep("expired", stamps(expired, 1, datetime(2025, 6, 1, tzinfo=UTC))[0])
        keep("due", stamps(due, 1)[0])
        reg.fire(revoked.id, "revoke", actor=PROVINCE_OFFICER, ground="production_stopped")
        reg.advance()  # 5/12/2026: GCN-04's re-rating window is open, GCN-03 has lapsed
        assert reg.get(due.id).state is ocop.State.RECERTIFICATION_DUE
    forger_key = forger.issuer()
    claims = replace(genuine.stamp, serial=b"\x01" * 6, key_id=forger_key.public.id)
    forged = sign(claims, forger_key.sign)
    paths["forged"] = "/v/" + payload.to_text(payload.encode(forged))
    text = genuine.text
    paths["altered"] = "/v/" + text[:-1] + ("1" if text[-1] != "1" else "2")
    paths["truncated"] = "/v/" + text[:-40]

    port = _free_port()
    env = at(environment(home, db, OCOP_KEYS=str(home / "keys")), SERVED)
    process = subprocess.Popen(
        [ocop_command(), "serve", "--port", str(port), "--warn-after", str(WARN_AFTER)],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                assert answer.read() == b"ok"
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                out, err = process.communicate(timeout=5)
                pytest.fail(f"ocop serve did not start: {process.returncode}\n{out}\n{err}")
            time.sleep(0.2)
    yield Site(url, db, paths, serials, process)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]


def fetch(site: Site, path: str, method: str = "GET") -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(site.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8"), _lower(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), _lower(error.headers)


def _lower(headers: object) -> dict[str, str]:
    return {k.lower(): v for k, v in dict(headers).items()}  # type: ignore[call-overload]


def scans(site: Site, case: str) -> int:
    with ocop.open(site.db, upgrade=False) as reg:
        record = StampStore(reg.database).get(site.serials[case])
    assert record is not None
    return record.scans


# -- over HTTP ------------------------------------------------------------------------------


def test_a_genuine_stamp_in_vietnamese_and_english(site: Site) -> None:
    status, page, headers = fetch(site, site.stamps["genuine"])
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert 'data-outcome="genuine"' in page and 'data-live="valid"' in page
    for text in ("Tem chính hãng", "Nem chua Minh Anh", "Cơ sở Minh Anh", "4 sao", "GCN-01"):
        assert text in page
    assert "14/05/2028" in page and site.serials["genuine"] in page
    assert 'name="viewport"' in page and 'lang="vi"' in page
    status, page, _ = fetch(site, site.stamps["genuine"] + "?lang=en")
    assert status == 200 and 'lang="en"' in page
    for text in ("Genuine OCOP stamp", "Producer", "4 stars", "Valid until", "2028-05-14"):
        assert text in page


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("forged", "Tem không do cơ quan được tin cậy phát hành"),
        ("altered", "Chữ ký số không khớp"),
        ("truncated", "Mã trên tem không đọc được"),
    ],
)
def test_a_stamp_that_is_not_genuine_shows_nothing_it_states(
    site: Site, case: str, words: str
) -> None:
    status, page, _ = fetch(site, site.stamps[case])
    assert status == 200
    assert 'data-outcome="not_genuine"' in page and "Tem không chính hãng" in page
    assert words in page
    assert "Nem chua Minh Anh" not in page and "GCN-01" not in page
    assert "Traceback" not in page


def test_revoked_expired_and_re_rating_due_come_from_the_registry(site: Site) -> None:
    _, page, _ = fetch(site, site.stamps["revoked"])
    assert 'data-live="revoked"' in page and "Giấy chứng nhận đã bị thu hồi" in page
    assert 'class="verdict bad"' in page and "Ngày thu hồi" in page
    _, page, _ = fetch(site, site.stamps["revoked"] + "?lang=en")
    assert "Certificate revoked" in page and "Revoked on" in page
    _, page, _ = fetch(site, site.stamps["expired"])
    assert 'data-outcome="expired"' in page and "Giấy chứng nhận đã hết hiệu lực" in page
    _, page, _ = fetch(site, site.stamps["due"])
    assert 'data-live="recertification_due"' in page and "đã đến kỳ đánh giá" in page
    assert "Tem chính hãng" in page


@pytest.mark.parametrize(
    "path",
    ["/v/", "/v/%00%FF", "/v/<script>alert(1)</script>", "/v/" + "Z" * 3000, "/v/ABC/DEF"],
)
def test_bad_payloads_get_a_clear_page(site: Site, path: str) -> None:
    status, page, _ = fetch(site, path.replace("<", "%3C").replace(">", "%3E"))
    assert status in (200, 404)
    assert "Traceback" not in page and "<script>alert" not in page
    assert "Tem không chính hãng" in page or "Không có trang này" in page


def test_scans_are_counted_and_a_copied_stamp_is_warned_of(site: Site) -> None:
    before = scans(site, "counted")
    fetch(site, site.stamps["counted"])
    fetch(site, site.stamps["counted"])
    assert scans(site, "counted") == before + 2
    fetch(site, site.stamps["counted"] + "?lang=en")  # the language switch is no new scan
    fetch(site, site.stamps["counted"], method="HEAD")
    _, page, _ = fetch(site, site.stamps["counted"])
    assert scans(site, "counted") == before + 3
    assert f"<strong>{before + 3}</strong>" in page
    for n in range(1, WARN_AFTER + 2):
        _, page, _ = fetch(site, site.stamps["copied"])
        assert ('id="copied"' in page) is (n > WARN_AFTER), n
    assert "quét nhiều bất thường" in page and 'class="verdict warn"' in page
    _, page, _ = fetch(site, site.stamps["copied"] + "?lang=en")
    assert "scanned unusually often" in page
    fetch(site, site.stamps["forged"])  # a stamp not issued here writes nothing
    with ocop.open(site.db, upgrade=False) as reg:
        assert StampStore(reg.database).get(site.serials["genuine"]) is not None


def test_no_endpoint_writes_a_dossier(site: Site) -> None:
    with ocop.open(site.db, upgrade=False) as reg:
        before = [(d, len(reg.history(d.id))) for d in reg.find()]
    for path in ("/", site.stamps["genuine"], site.stamps["revoked"], "/healthz", "/v/x"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, page, headers = fetch(site, path, method=method)
            assert status == 405, (method, path)
            assert "GET" in headers.get("allow", "") and "Traceback" not in page
    for path in site.stamps.values():
        assert fetch(site, path)[0] == 200
    assert fetch(site, "/nothing")[0] == 404
    with ocop.open(site.db, upgrade=False) as reg:
        after = [(d, len(reg.history(d.id))) for d in reg.find()]
    assert after == before


# -- in a headless browser, at a phone's viewport -------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
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


COLOURS = {"ok": (0x1B, 0x7F, 0x3B), "bad": (0xB3, 0x26, 0x1E), "warn": (0xA1, 0x5C, 0x00)}
CASES = {
    "browsed": ("ok", "Tem chính hãng", "Genuine OCOP stamp", "Nem chua Minh Anh"),
    "forged": ("bad", "Tem không chính hãng", "Not a genuine stamp", None),
    "truncated": ("bad", "Tem không chính hãng", "Not a genuine stamp", None),
    "revoked": ("bad", "Giấy chứng nhận đã bị thu hồi", "Certificate revoked", "GCN-02"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_page_on_a_phone(
    site: Site, browser: object, case: str, lang: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from PIL import Image
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    level, vi, en, detail = CASES[case]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    query = "?lang=en" if lang == "en" else ""
    page.goto(site.url + site.stamps[case] + query)
    heading = page.inner_text("#verdict h1")
    assert heading == (en if lang == "en" else vi)
    assert page.get_attribute("html", "lang") == lang
    body = page.inner_text("body")
    if detail:
        assert detail in body
    else:
        assert "Nem chua" not in body and "GCN-0" not in body
    # Laid out for the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    folder = Path(os.environ.get("OCOP_ARTEFACTS") or tmp_path_factory.getbasetemp()) / "web"
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{case}-{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    box = page.locator("#verdict").bounding_box()
    assert box is not None
    with Image.open(shot) as image:
        assert image.width == 390 * 2
        pixel = image.convert("RGB").getpixel((int(box["x"] + 8) * 2, int(box["y"] + 8) * 2))
    assert pixel == COLOURS[level], (case, pixel)
    if case == "browsed" and lang == "vi":
        page.click("#lang-switch")
        page.wait_for_url("**?lang=en")
        assert page.inner_text("#verdict h1") == "Genuine OCOP stamp"
    context.close()
