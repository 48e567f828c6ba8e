"""A value refused by the library is said in the reader's language: pydantic's kinds of
refusal, the models' own checks and the steps' checks carry the catalogue's sentence
(``InvalidInput.text`` and ``values``), so ``explain("vi")`` has no English left in it while the
English ``message`` reads as it always did."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration

import ocop
from ocop.errors import InvalidInput
from ocop.notifications.transports import SmtpTransport, parse_sender, transport_from_url

# Words of the English messages that must not reach a Vietnamese reader.
_ENGLISH = re.compile(
    r"\b(must|should|is not|too long|missing|Input|characters|found|score|sheet|"
    r"between|number from)\b"
)


def _refused(attempt: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        attempt()
    return refused.value


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[ocop.Registry]:
    reg = ocop.open(f"sqlite:///{tmp_path / 'o.db'}", clock=Clock())
    yield reg
    reg.close()


CASES = {
    "set above 26": (
        {"product_set": 99},
        "product_set: phải nhỏ hơn hoặc bằng 26",
        "product_set: must be at most 26",
    ),
    "set in words": (
        {"product_set": "mười một"},
        "product_set: phải là số nguyên",
        "product_set: must be a whole number",
    ),
    "line separator in a phone number": (
        {"producer": {"name": "Cơ sở A", "phone": "0912\u2028Bcc: x@y.vn"}},
        "producer.phone: phải là một dòng, không có ký tự điều khiển hay ký tự xuống dòng "
        "(có U+2028)",
        "producer.phone: must be a single line without control characters or line "
        "separators (U+2028 found)",
    ),
    "an address with a comma": (
        {"producer": {"name": "Cơ sở A", "email": "a,evil@x.example"}},
        "producer.email: 'a,evil@x.example' không phải địa chỉ e-mail (theo trình kiểm tra: ",
        "producer.email: 'a,evil@x.example' is not an e-mail address: ",
    ),
    "an empty name": (
        {"product_name": ""},
        "product_name: không được để trống",
        "product_name: must not be empty",
    ),
    "a name too long": (
        {"product_name": "x" * 301},
        "product_name: quá dài, tối đa 300 ký tự",
        "product_name: is too long: at most 300 characters",
    ),
    "a field the form does not have": (
        {"colour": "đỏ"},
        "colour: không có trường này",
        "colour: there is no such field",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_registration_is_said_in_each_language(
    registry: ocop.Registry, case: str
) -> None:
    change, vi, en = CASES[case]
    given = registration() | change
    error = _refused(lambda: registry.register(given, actor=OFFICER))
    said_vi, said_en = error.explain("vi"), error.explain("en")
    assert said_vi.startswith("Dữ liệu không hợp lệ: " + vi), said_vi
    assert not _ENGLISH.search(said_vi.split("theo trình kiểm tra:")[0]), said_vi
    assert error.message.startswith(en), error.message
    assert said_en == f"Invalid data: {error.message}"
    assert registry.count() == 0  # nothing written


def test_several_problems_say_how_many_more(registry: ocop.Registry) -> None:
    given = registration() | {"product_name": "", "product_set": 99}
    error = _refused(lambda: registry.register(given, actor=OFFICER))
    assert error.explain("vi").endswith("(và 1 lỗi khác)"), error.explain("vi")
    assert error.message.endswith("(and 1 more problems)"), error.message


def test_a_steps_refusal_is_said_in_each_language(registry: ocop.Registry) -> None:
    dossier = registry.register(registration(), actor=OFFICER)
    error = _refused(
        lambda: registry.fire(dossier.id, "check", actor=OFFICER, documents=["mau_99"], samples=5)
    )
    assert error.explain("vi") == (
        "Dữ liệu không hợp lệ: documents: mau_99 không phải mẫu của hồ sơ chủ thể theo "
        f"{dossier.rule_set}; các mẫu là mau_01, mau_02."
    )
    assert error.message == (
        f"documents: mau_99 is not a form of the producer's dossier under {dossier.rule_set}; "
        "its forms are mau_01, mau_02."
    )
    assert error.field == "documents"
    assert registry.get(dossier.id).state == dossier.state


def test_a_sheets_place_is_said_inside_the_sentence() -> None:
    from ocop.models import Problem

    where = Problem("Phiếu {number} ({member}): ", number=2, member="Lê Văn Nam")
    error = InvalidInput.said(
        "{where}thiếu điểm phần {part}.", field="sheets", where=where, part="B"
    )
    assert error.message == "Sheet 2 (Lê Văn Nam): the part B score is missing."
    assert error.explain("vi") == ("Dữ liệu không hợp lệ: Phiếu 2 (Lê Văn Nam): thiếu điểm phần B.")


@pytest.mark.parametrize(
    ("filters", "vi", "en"),
    [
        (
            {"product_set": 99},
            "Không có bộ sản phẩm 99; các bộ được đánh số từ 1 đến 26.",
            "There is no product set 99; the sets are numbered 1 to 26.",
        ),
        (
            {"order_by": "colour"},
            "Không sắp xếp được theo 'colour'; dùng ",
            "Cannot sort by 'colour'; use ",
        ),
        ({"limit": -1}, "limit phải là số nguyên ≥ 0.", "limit must be a whole number ≥ 0."),
    ],
)
def test_a_refused_filter_is_said_in_each_language(
    registry: ocop.Registry, filters: dict[str, object], vi: str, en: str
) -> None:
    error = _refused(lambda: registry.find(**filters))
    assert error.explain("vi").startswith("Dữ liệu không hợp lệ: " + vi), error.explain("vi")
    assert error.message.startswith(en), error.message


MAIL_SETTINGS = {
    "a port out of range": (
        lambda: SmtpTransport.from_url("smtp://mail.xa.vn:70000"),
        "smtp",
        "Địa chỉ SMTP smtp://mail.xa.vn sai: cổng phải từ 1 đến 65535.",
        "Bad SMTP URL smtp://mail.xa.vn: the port must be 1 to 65535.",
    ),
    "an unknown option": (
        lambda: SmtpTransport.from_url("smtp://mail.xa.vn?tls=1"),
        "smtp",
        "Địa chỉ SMTP smtp://mail.xa.vn sai: không có tuỳ chọn tls; các tuỳ chọn là timeout, "
        "helo, verify.",
        "Bad SMTP URL smtp://mail.xa.vn: unknown option(s) tls; the options are timeout, "
        "helo, verify.",
    ),
    "a mistyped scheme": (
        lambda: transport_from_url("stmp://mail.xa.vn"),
        "smtp",
        "'stmp://' không phải địa chỉ gửi thư; các giao thức dùng được là ",
        "'stmp://' is not a mail URL; the accepted schemes are ",
    ),
    "a server without its scheme": (
        lambda: transport_from_url("mail.xa.vn:587"),
        "smtp",
        "Nơi gửi thư trông như một máy chủ thiếu phần giao thức; ",
        "The mail target looks like a server without its scheme; ",
    ),
    "a sender in brackets not at the end": (
        lambda: parse_sender("<pkt@xa.vn> Phòng Kinh tế"),
        "from",
        "Không dùng được người gửi '<pkt@xa.vn> Phòng Kinh tế': dấu ngoặc nhọn bao quanh cả "
        "địa chỉ, ở cuối (Tên <địa chỉ>); ghi một địa chỉ, ví dụ ",
        "The sender '<pkt@xa.vn> Phòng Kinh tế' is not usable: angle brackets go around the "
        "whole address, at the end (Name <address>); give one address such as ",
    ),
    "no sender": (
        lambda: parse_sender("  "),
        "from",
        "Chưa có người gửi; ghi một địa chỉ, ví dụ ocop@xa.gov.vn",
        "The sender is empty; give one address such as ocop@xa.gov.vn",
    ),
}


@pytest.mark.parametrize("case", sorted(MAIL_SETTINGS))
def test_a_refused_mail_setting_is_said_in_each_language(case: str) -> None:
    attempt, field, vi, en = MAIL_SETTINGS[case]
    refused = _refused(attempt)
    assert refused.field == field
    assert refused.message.startswith(en)
    assert refused.problem("en").startswith(en)
    assert refused.problem("vi").startswith(vi)
    assert refused.explain("vi") == f"Dữ liệu không hợp lệ: {refused.problem('vi')}"
    assert not re.search(r"\b(must|is not|unknown|give one|empty)\b", refused.problem("vi"))


def test_the_daemon_names_a_bad_mail_setting_in_the_officers_language(tmp_path: Path) -> None:
    import subprocess

    db = tmp_path / "o.db"
    ocop.open(f"sqlite:///{db}", clock=Clock()).close()

    def said(*args: str) -> str:
        done = subprocess.run(
            ["ocop", *args, "--db", str(db), "daemon", "--once", "--smtp", "smtp://h:0"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2, done
        return done.stderr.strip().splitlines()[-1]

    assert "(Địa chỉ SMTP smtp://h sai: cổng phải từ 1 đến 65535.)" in said()
    assert "(Bad SMTP URL smtp://h: the port must be 1 to 65535.)" in said("--lang", "en")
