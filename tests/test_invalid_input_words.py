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
