"""The council members' sheets as ``rate`` and ``rate_central`` take them (``sheets=``),
pinned whole (issue 12): what each refusal names (``field``, ``text``, ``values``, ``str``,
``explain("vi")``/``("en")``) and what a good set of sheets gives.

From OCOP-RULES.md §3: the council's score is the members' average ("tổng điểm trung bình"),
banded unrounded; parts within 40/25/35; a product needs both the band and every starred
minimum of that level, so the lowest minimum a member noted caps the stars and a member who
noted none says nothing of it; each criteria set is the individual scoring sheet (Phụ lục II).
``tests/test_council.py`` checks the band edges and the reader of sheet files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from factories import CENTRAL_OFFICER, OFFICER, PROVINCE_OFFICER, Clock, registration, to_submitted

import ocop
from ocop.models import CouncilSheet


@pytest.fixture
def registry(db_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 3)))
    yield reg
    reg.close()


@pytest.fixture
def submitted(registry: ocop.Registry) -> int:
    d = registry.register(registration(), actor=OFFICER)
    return to_submitted(registry, d.id).id


def _sheet(member: str, a: object, b: object, c: object, **extra: Any) -> dict[str, Any]:
    return {"member": member, "a": a, "b": b, "c": c, **extra}


def _refused(reg: ocop.Registry, n: int, **data: Any) -> tuple[object, ...]:
    before = reg.get(n)
    with pytest.raises(ocop.InvalidInput) as caught:
        reg.fire(n, "rate", actor=PROVINCE_OFFICER, certificate_number="G-1", **data)
    assert reg.get(n) == before  # nothing written
    err = caught.value
    values = {k: v if isinstance(v, int | str) else str(v) for k, v in err.values.items()}
    return (err.field, err.text, values, str(err), err.explain("vi"), err.explain("en"))


# -- what good sheets give ---------------------------------------------------------------------


def test_the_parts_are_the_members_averages_and_every_sheet_is_kept(
    registry: ocop.Registry, submitted: int
) -> None:
    sheets = [
        _sheet("An", 30, 20, 25),
        _sheet("Bình", "31,5", "19", 24.5),
        _sheet("Chi", 29, 18, 26),
    ]
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         certificate_number="G-1")  # fmt: skip
    rating = done.rating
    assert rating is not None and done.state.value == "rated"
    assert (rating.a, rating.b, rating.c) == (30.166666666666668, 19.0, 25.166666666666668)
    assert rating.total == 74.33333333333333  # (75 + 75 + 73) / 3
    assert (rating.stars, rating.band_stars, rating.minimum_stars_met) == (4, 4, None)
    assert [(s.member, s.a, s.b, s.c, s.minimum_stars_met) for s in rating.sheets] == [
        ("An", 30.0, 20.0, 25.0, None),
        ("Bình", 31.5, 19.0, 24.5, None),
        ("Chi", 29.0, 18.0, 26.0, None),
    ]
    payload = registry.history(submitted)[-1].payload
    assert [s["member"] for s in payload["sheets"]] == ["An", "Bình", "Chi"]
    assert payload["total"] == rating.total


def test_one_sheet_is_a_council(registry: ocop.Registry, submitted: int) -> None:
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER,
                         sheets=(_sheet("An", 40, 25, 35),))  # fmt: skip
    assert done.state.value == "central_review" and done.rating is not None
    assert (done.rating.total, done.rating.stars) == (100, 5)


def test_sheets_as_models_are_taken_as_mappings_are(
    registry: ocop.Registry, submitted: int
) -> None:
    sheets = [CouncilSheet(member="An", a=30, b=15, c=20, minimum_stars_met=4),
              CouncilSheet(member="Bình", a=32, b=15, c=20)]  # fmt: skip
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         certificate_number="G-1")  # fmt: skip
    assert done.rating is not None
    assert (done.rating.total, done.rating.stars, done.rating.minimum_stars_met) == (66, 3, 4)


def test_the_lowest_minimum_noted_caps_the_stars_and_silence_says_nothing(
    registry: ocop.Registry, submitted: int
) -> None:
    sheets = [_sheet("An", 35, 20, 25, minimum_stars_met=4),  # 80: 4★ by the band
              _sheet("Bình", 35, 20, 25, minimum_stars_met=3),
              _sheet("Chi", 35, 20, 25)]  # fmt: skip
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         certificate_number="G-1")  # fmt: skip
    assert done.rating is not None and done.certificate is not None
    assert (done.rating.band_stars, done.rating.minimum_stars_met, done.rating.stars) == (4, 3, 3)
    assert [s.minimum_stars_met for s in done.rating.sheets] == [4, 3, None]
    assert done.certificate.stars == 3


@pytest.mark.parametrize(
    ("given", "noted", "kept"), [(2, 4, 2), (4, 2, 2), (3, 3, 3), (0, 5, 0), (5, 0, 0)]
)
def test_the_councils_minimum_and_the_sheets_lowest_the_lower_one_holds(
    registry: ocop.Registry, submitted: int, given: int, noted: int, kept: int
) -> None:
    sheets = [_sheet("An", 35, 20, 25, minimum_stars_met=noted), _sheet("Bình", 35, 20, 25)]
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         minimum_stars_met=given, certificate_number="G-1")  # fmt: skip
    assert done.rating is not None
    assert (done.rating.minimum_stars_met, done.rating.stars) == (kept, min(4, kept))


def test_the_central_council_takes_sheets_too(registry: ocop.Registry, submitted: int) -> None:
    registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, a=38, b=24, c=30)
    sheets = [_sheet("Tâm", 38, 24, 30), _sheet("Hải", 36, 23, 30, minimum_stars_met=4)]
    done = registry.fire(submitted, "rate_central", actor=CENTRAL_OFFICER, sheets=sheets,
                         certificate_number="TW-1")  # fmt: skip
    assert done.rating is not None and done.certificate is not None
    assert (done.rating.level, done.rating.total, done.rating.band_stars) == ("central", 90.5, 5)
    # 4★ by the minimums: the province recognises it on the central result (§1B step 11).
    assert (done.rating.stars, done.certificate.issued_by) == (4, "province")


def test_a_members_name_is_cleaned_and_300_characters_are_enough(
    registry: ocop.Registry, submitted: int
) -> None:
    long = "N" * 300
    sheets = [_sheet("  Bình  ", 30, 15, 20), _sheet(long, 30, 15, 20)]
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         certificate_number="G-1")  # fmt: skip
    assert done.rating is not None
    assert [s.member for s in done.rating.sheets] == ["Bình", long]


# -- what is refused ---------------------------------------------------------------------------

_LIST = (
    "sheets phải là danh sách phiếu của các thành viên (member, a, b, c và có thể "
    "minimum_stars_met), ít nhất một phiếu."
)
_LIST_EN = (
    "sheets must be a list of the members' sheets (member, a, b, c and optionally "
    "minimum_stars_met), at least one."
)


@pytest.mark.parametrize(
    "raw", [[], (), "An:30:15:20", b"An", {"member": "An", "a": 1, "b": 1, "c": 1}, 5],
    ids=["empty", "empty-tuple", "text", "bytes", "mapping", "number"],
)  # fmt: skip
def test_sheets_that_are_no_list_of_sheets_are_refused(
    registry: ocop.Registry, submitted: int, raw: object
) -> None:
    said = _refused(registry, submitted, sheets=raw)
    if raw == 5 or isinstance(raw, dict):  # refused by the input model first
        assert said[0] == "sheets"
        return
    assert said == (
        "sheets",
        _LIST,
        {},
        _LIST_EN,
        f"Dữ liệu không hợp lệ: {_LIST}",
        f"Invalid data: {_LIST_EN}",
    )


def test_sheets_and_the_part_averages_together_are_refused_naming_the_parts_given(
    registry: ocop.Registry, submitted: int
) -> None:
    said = _refused(registry, submitted, sheets=[_sheet("An", 30, 15, 20)], a=30, c=0)
    text = (
        "Chỉ đưa phiếu của các thành viên hoặc điểm trung bình từng phần của hội đồng "
        "({given}), không đưa cả hai."
    )
    assert said == (
        "sheets",
        text,
        {"given": "a, c"},
        "Give either the members' sheets or the council's part averages (a, c), not both.",
        "Dữ liệu không hợp lệ: Chỉ đưa phiếu của các thành viên hoặc điểm trung bình từng "
        "phần của hội đồng (a, c), không đưa cả hai.",
        "Invalid data: Give either the members' sheets or the council's part averages (a, c), "
        "not both.",
    )


def test_a_sheet_that_is_no_mapping_is_named_by_its_number(
    registry: ocop.Registry, submitted: int
) -> None:
    said = _refused(registry, submitted, sheets=[_sheet("An", 30, 15, 20), ["Bình", 1, 2, 3]])
    assert said == (
        "sheets",
        "{where}một phiếu gồm member, a, b và c.",
        {"where": "Sheet 2: "},
        "Sheet 2: a sheet maps member, a, b and c.",
        "Dữ liệu không hợp lệ: Phiếu 2: một phiếu gồm member, a, b và c.",
        "Invalid data: Sheet 2: a sheet maps member, a, b and c.",
    )


KEYS = "a, b, c, member, minimum_stars_met"


def test_a_key_a_sheet_does_not_have_is_named(registry: ocop.Registry, submitted: int) -> None:
    said = _refused(registry, submitted, sheets=[_sheet("An", 30, 15, 20, d=1, colour="đỏ")])
    assert said == (
        "sheets",
        "{where}không có {unknown}; một phiếu có {keys}.",
        {"where": "Sheet 1: ", "unknown": "colour, d", "keys": KEYS},
        "Sheet 1: unknown colour, d; a sheet has a, b, c, member, minimum_stars_met.",
        "Dữ liệu không hợp lệ: Phiếu 1: không có colour, d; một phiếu có a, b, c, member, "
        "minimum_stars_met.",
        "Invalid data: Sheet 1: unknown colour, d; a sheet has a, b, c, member, minimum_stars_met.",
    )


@pytest.mark.parametrize("member", [None, "", "   ", 7], ids=["none", "empty", "blank", "number"])
def test_a_sheet_without_its_members_name_is_refused(
    registry: ocop.Registry, submitted: int, member: object
) -> None:
    sheet = _sheet("x", 30, 15, 20) | {"member": member}
    if member is None:
        del sheet["member"]
    said = _refused(registry, submitted, sheets=[_sheet("An", 30, 15, 20), sheet])
    assert said == (
        "sheets",
        "{where}thiếu tên thành viên.",
        {"where": "Sheet 2: "},
        "Sheet 2: the member's name is missing.",
        "Dữ liệu không hợp lệ: Phiếu 2: thiếu tên thành viên.",
        "Invalid data: Sheet 2: the member's name is missing.",
    )


def test_a_members_name_over_300_characters_or_on_two_lines_is_refused(
    registry: ocop.Registry, submitted: int
) -> None:
    said = _refused(registry, submitted, sheets=[_sheet("N" * 301, 30, 15, 20)])
    assert said[:3] == (
        "member",
        "{name} quá dài: tối đa {limit} ký tự.",
        {"name": "member", "limit": 300},
    )
    said = _refused(registry, submitted, sheets=[_sheet("An\nBình", 30, 15, 20)])
    line = "must be a single line without control characters or line separators (U+000A found)"
    assert said[:3] == ("member", "{name}: {problem}", {"name": "member", "problem": line})


def test_the_same_member_twice_whatever_the_case_is_refused(
    registry: ocop.Registry, submitted: int
) -> None:
    sheets = [_sheet("An", 30, 15, 20), _sheet("Bình", 30, 15, 20), _sheet("BÌNH", 30, 15, 20)]
    said = _refused(registry, submitted, sheets=sheets)
    assert said == (
        "sheets",
        "{where}trùng thành viên với phiếu {other}.",
        {"where": "Sheet 3 (BÌNH): ", "other": 2},
        "Sheet 3 (BÌNH): the same member as sheet 2.",
        "Dữ liệu không hợp lệ: Phiếu 3 (BÌNH): trùng thành viên với phiếu 2.",
        "Invalid data: Sheet 3 (BÌNH): the same member as sheet 2.",
    )


@pytest.mark.parametrize("part", ["a", "b", "c"])
def test_a_sheet_without_a_part_is_refused_naming_the_part(
    registry: ocop.Registry, submitted: int, part: str
) -> None:
    sheet = _sheet("An", 30, 15, 20)
    sheet[part] = None
    said = _refused(registry, submitted, sheets=[sheet])
    big = part.upper()
    assert said == (
        "sheets",
        "{where}thiếu điểm phần {part}.",
        {"where": "Sheet 1 (An): ", "part": big},
        f"Sheet 1 (An): the part {big} score is missing.",
        f"Dữ liệu không hợp lệ: Phiếu 1 (An): thiếu điểm phần {big}.",
        f"Invalid data: Sheet 1 (An): the part {big} score is missing.",
    )


@pytest.mark.parametrize(
    ("part", "raw", "maximum", "shown"),
    [("a", 40.5, 40, "40.5"), ("b", "26", 25, "'26'"), ("c", -1, 35, "-1"),
     ("a", "x", 40, "'x'"), ("b", True, 25, "True")],
)  # fmt: skip
def test_a_part_outside_its_maximum_is_refused_naming_the_sheet_and_member(
    registry: ocop.Registry, submitted: int, part: str, raw: object, maximum: int, shown: str
) -> None:
    sheet = _sheet("Bình", 30, 15, 20) | {part: raw}
    said = _refused(registry, submitted, sheets=[_sheet("An", 30, 15, 20), sheet])
    big = part.upper()
    assert said == (
        "sheets",
        "{where}Điểm phần {part} phải là số từ 0 đến {maximum}, không phải {raw}.",
        {"where": "Sheet 2 (Bình): ", "part": big, "maximum": maximum, "raw": shown},
        f"Sheet 2 (Bình): Part {big} score must be a number from 0 to {maximum}, not {shown}.",
        f"Dữ liệu không hợp lệ: Phiếu 2 (Bình): Điểm phần {big} phải là số từ 0 đến {maximum}, "
        f"không phải {shown}.",
        f"Invalid data: Sheet 2 (Bình): Part {big} score must be a number from 0 to {maximum}, "
        f"not {shown}.",
    )


def test_full_and_zero_marks_on_a_sheet_are_taken(registry: ocop.Registry, submitted: int) -> None:
    sheets = [_sheet("An", 40, 25, 35), _sheet("Bình", 0, 0, 0)]
    done = registry.fire(submitted, "rate", actor=PROVINCE_OFFICER, sheets=sheets,
                         certificate_number="G-1")  # fmt: skip
    assert done.rating is not None and (done.rating.total, done.rating.stars) == (50, 3)


@pytest.mark.parametrize(("raw", "shown"), [(6, "6"), (-1, "-1"), (True, "True"), ("4", "'4'")])
def test_a_members_minimum_outside_0_to_5_is_refused(
    registry: ocop.Registry, submitted: int, raw: object, shown: str
) -> None:
    sheets = [_sheet("An", 30, 15, 20, minimum_stars_met=raw)]
    said = _refused(registry, submitted, sheets=sheets)
    assert said == (
        "sheets",
        "{where}minimum_stars_met phải là hạng sao từ 0 đến 5, không phải {raw}.",
        {"where": "Sheet 1 (An): ", "raw": shown},
        f"Sheet 1 (An): minimum_stars_met must be a star level from 0 to 5, not {shown}.",
        f"Dữ liệu không hợp lệ: Phiếu 1 (An): minimum_stars_met phải là hạng sao từ 0 đến 5, "
        f"không phải {shown}.",
        f"Invalid data: Sheet 1 (An): minimum_stars_met must be a star level from 0 to 5, "
        f"not {shown}.",
    )
