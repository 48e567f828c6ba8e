"""The council's sheets (issue 13.2), the star band on the unrounded total (issue 12), the
star-level minimums, and the central round and the re-rating limit (issue 13.3), on both
backends; the sheets' reader on good and bad CSV, XLSX and TOML files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from factories import CENTRAL_OFFICER, OFFICER, PROVINCE_OFFICER, Clock, registration, to_submitted
from notifdata import at, dossier

import ocop
from ocop import InvalidInput, State
from ocop.council import read_sheets, sheet_options
from ocop.decimals import decimal
from ocop.models import Rating
from ocop.notifications.render import render
from ocop.notifications.rules import central_cutoffs, step_deadlines
from ocop.plan import luu_ve_2026
from ocop.states import QD26_2026
from ocop.workdays import Calendar

MAXIMA = QD26_2026.part_maxima  # read from the rule set, never written here


def split(total: str, member: str, **extra: Any) -> dict[str, Any]:
    """A sheet whose parts add up to ``total``, each within the rule set's maximum."""
    left = Decimal(total)
    sheet: dict[str, Any] = {"member": member, **extra}
    for part, maximum in MAXIMA.items():
        take = min(left, Decimal(maximum))
        sheet[part] = str(take)
        left -= take
    assert left == 0, "more than the maxima allow"
    for part, maximum in MAXIMA.items():
        assert 0 <= Decimal(sheet[part]) <= maximum
    return sheet


@pytest.fixture
def reg(registry: ocop.Registry, clock: Clock) -> ocop.Registry:
    clock.set(date(2026, 7, 1))  # 26/2026 is in force: central rounds, 45-day re-rating
    return registry


def _submitted(reg: ocop.Registry, **overrides: Any) -> int:
    d = reg.register(registration(**overrides), actor=OFFICER)
    to_submitted(reg, d.id)
    return d.id


def _rate(reg: ocop.Registry, dossier_id: int, **data: Any) -> ocop.Dossier:
    return reg.fire(dossier_id, "rate", actor=PROVINCE_OFFICER, **data)


# -- the band on the average of the members' totals, unrounded ----------------------------


@pytest.mark.parametrize(
    ("totals", "average", "stars", "state"),
    [
        (("49.99", "50.00"), "49.995", 2, State.NOT_RECOGNIZED),
        (("49.99", "50.01"), "50.00", 3, State.RATED),
        (("89.998", "90.000"), "89.999", 4, State.RATED),
        (("69.999", "69.999", "70.002"), "70", 4, State.RATED),  # 1/3 + 2/3 of a thousandth
    ],
)
def test_the_council_is_rated_on_the_unrounded_average_of_its_sheets(
    reg: ocop.Registry, totals: tuple[str, ...], average: str, stars: int, state: State
) -> None:
    sheets = [split(total, f"Thành viên {n}") for n, total in enumerate(totals, 1)]
    d = _rate(reg, _submitted(reg), sheets=sheets, certificate_number="GCN-1")
    assert d.state is state and d.rating is not None
    assert d.rating.stars == stars == d.rating.band_stars
    assert d.rating.total == float(Decimal(average))
    assert [s.member for s in d.rating.sheets] == [s["member"] for s in sheets]
    # Shown with two decimals, cut: 49.995 never shows as a 3★-looking 50.00.
    cut = format(Decimal(average).quantize(Decimal("0.01"), "ROUND_FLOOR"), "f")
    assert decimal(d.rating.total, "en", fixed=True) == cut
    # Every sheet is kept in the history row too.
    entry = reg.history(d.id)[-1]
    assert [s["member"] for s in entry.payload["sheets"]] == [s["member"] for s in sheets]


def test_the_single_total_form_bands_the_unrounded_sum_issue_12(reg: ocop.Registry) -> None:
    # Each part used to be rounded first: 19.996 → 20.00, 50 in all, 3★; 49.996 is 2★.
    d = _rate(reg, _submitted(reg), a=19.996, b=15, c=15)
    assert d.state is State.NOT_RECOGNIZED and d.rating is not None
    assert (d.rating.total, d.rating.stars, decimal(d.rating.total)) == (49.996, 2, "49,99")
    d = _rate(reg, _submitted(reg), a=20.1, b=14.9, c=15, certificate_number="GCN-2")
    assert d.rating is not None and d.rating.stars == 3  # 50 exactly, whatever floats say


# -- the star-level minimums --------------------------------------------------------------


def test_the_lowest_minimum_of_the_sheets_caps_a_75_at_3_stars(reg: ocop.Registry) -> None:
    sheets = [
        split("75", "An", minimum_stars_met=5),
        split("75", "Bình", minimum_stars_met=3),
        split("75", "Chi"),  # says nothing of the minimums
    ]
    d = _rate(reg, _submitted(reg), sheets=sheets, certificate_number="GCN-3")
    assert d.rating is not None and d.certificate is not None
    assert (d.rating.band_stars, d.rating.minimum_stars_met, d.rating.stars) == (4, 3, 3)
    assert d.certificate.stars == 3


def test_a_92_whose_5_star_minimums_are_unmet_is_4_stars_not_sent_to_the_ministry(
    reg: ocop.Registry,
) -> None:
    sheets = [split("92", "An", minimum_stars_met=4), split("92", "Bình", minimum_stars_met=5)]
    d = _rate(reg, _submitted(reg), sheets=sheets, certificate_number="GCN-4")
    assert d.state is State.RATED and d.rating is not None and d.certificate is not None
    assert (d.rating.band_stars, d.rating.stars, d.certificate.stars) == (5, 4, 4)
    assert d.rating.proposed_on is None and d.next_due != "central_round"


def test_the_single_total_form_takes_the_councils_minimum_too(reg: ocop.Registry) -> None:
    d = _rate(reg, _submitted(reg), a=35, b=20, c=20, minimum_stars_met=2)
    assert d.state is State.NOT_RECOGNIZED and d.rating is not None
    assert (d.rating.band_stars, d.rating.stars) == (4, 2)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"sheets": [split("60", "An")], "a": 30}, "not both"),
        ({"sheets": []}, "at least one"),
        ({"sheets": [split("60", "An"), split("61", "an")]}, "same member as sheet 1"),
        ({"sheets": [{"member": "An", "a": 41, "b": 10, "c": 10}]}, "Part A score must be"),
        ({"sheets": [{"member": "An", "a": 30, "b": 10}]}, "part C score is missing"),
        ({"sheets": [{"member": " ", "a": 30, "b": 10, "c": 1}]}, "name is missing"),
        ({"sheets": [split("60", "An", minimum_stars_met=6)]}, "star level from 0 to 5"),
        ({"sheets": [split("60", "An", colour="red")]}, "unknown colour"),
    ],
)
def test_bad_sheets_are_refused_and_change_nothing(
    reg: ocop.Registry, data: dict[str, Any], text: str
) -> None:
    dossier_id = _submitted(reg)
    before = reg.get(dossier_id)
    with pytest.raises(InvalidInput, match=text):
        _rate(reg, dossier_id, certificate_number="GCN-9", **data)
    assert reg.get(dossier_id) == before and len(reg.history(dossier_id)) == 4


# -- central review: the round follows the proposal date -----------------------------------


@pytest.mark.parametrize(
    ("proposed", "round_", "due"),
    [
        ("2026-07-30", (1, 2026), date(2026, 9, 30)),  # by 30/7: rated by 30/9
        ("2026-07-31", (2, 2027), date(2027, 3, 30)),  # by 30/1/2027: rated by 30/3
    ],
)
def test_a_province_score_of_90_goes_to_the_central_round_of_its_proposal(
    reg: ocop.Registry, clock: Clock, proposed: str, round_: tuple[int, int], due: date
) -> None:
    dossier_id = _submitted(reg)
    clock.set(date(2026, 8, 3))
    sheets = [split("91", "An"), split("93", "Bình")]
    d = _rate(reg, dossier_id, sheets=sheets, proposed_on=proposed)
    assert d.state is State.CENTRAL_REVIEW and d.rating is not None
    assert d.rating.proposed_on == date.fromisoformat(proposed)
    assert (d.rating.central_round, d.rating.central_round_year) == round_
    assert (d.next_due_on, d.next_due) == (due, "central_round")
    # A central score below 90 lets the province recognise 4★ on the central result.
    d = reg.fire(
        dossier_id,
        "rate_central",
        actor=CENTRAL_OFFICER,
        sheets=[split("88", "Tâm"), split("89.5", "Hà")],
        certificate_number="GCN-5",
    )
    assert d.state is State.RATED and d.certificate is not None and d.rating is not None
    assert (d.certificate.stars, d.certificate.issued_by, d.rating.level) == (
        4,
        "province",
        "central",
    )


def test_a_proposal_date_in_the_future_is_refused(reg: ocop.Registry) -> None:
    dossier_id = _submitted(reg)
    with pytest.raises(InvalidInput, match="future"):
        _rate(reg, dossier_id, a=38, b=23, c=31, proposed_on="2026-07-02")


def test_a_re_rating_has_45_days_at_the_province_and_45_at_the_ministry(
    reg: ocop.Registry,
) -> None:
    d = reg.register(registration(kind="rerating"), actor=OFFICER)
    d = to_submitted(reg, d.id)
    # 45 calendar days from the commune's complete dossier (its letter of 1/7): 15/8.
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 15), "province_deadline")
    d = _rate(reg, d.id, a=38, b=23, c=31)
    assert d.state is State.CENTRAL_REVIEW
    # The Ministry's 45 days run from the province's proposal (Điều 7.6.g), not a round.
    assert (d.next_due_on, d.next_due) == (date(2026, 8, 15), "central_deadline")


# -- reminders ----------------------------------------------------------------------------

PLAN = luu_ve_2026()
CAL = Calendar()


def test_the_central_cut_offs_are_reminded_while_dossiers_wait_at_the_province() -> None:
    waiting = dossier(
        1, state=State.SUBMITTED, rule_set="qd26-2026", submitted=("2026-06-01", 2, 2026)
    )
    found = central_cutoffs([waiting], PLAN, CAL, at("2026-06-30"))
    assert {(r.kind, r.anchor, r.lead, r.context["round"]) for r in found} == {
        ("central_cutoff", date(2026, 7, 30), "30d", 1)
    }
    assert {r.to.role for r in found} == {"province_officer", "commune_officer"}
    assert found[0].context["rated_by"] == "2026-09-30" and found[0].context["threshold"] == 90
    # 30/1/2026 came before 26/2026: no round then; nothing without a dossier at the province.
    assert central_cutoffs([waiting], PLAN, CAL, at("2026-01-10")) == []
    assert central_cutoffs([dossier(2, state=State.CHECKED)], PLAN, CAL, at("2026-06-30")) == []
    for lang, words in (("vi", "Hạn tỉnh đề nghị Trung ương"), ("en", "Central 5-star round 1")):
        out = render("central_cutoff", found[0].message().context, lang=lang)
        assert words in out.subject and "Nem chua Minh Anh" in out.text and "<html" in out.html


def test_the_central_rounds_deadline_is_reminded_to_the_province_and_the_commune() -> None:
    rating = Rating(
        a=38, b=22, c=31, total=91, stars=5, band_stars=5, level="province",
        rated_on=date(2026, 7, 20), proposed_on=date(2026, 7, 20),
        central_round=1, central_round_year=2026,
    )  # fmt: skip
    d = dossier(3, state=State.CENTRAL_REVIEW, rule_set="qd26-2026", rating=rating)
    found = step_deadlines([d], PLAN, CAL, at("2026-09-23"))
    assert {(r.kind, r.anchor, r.context["step"]) for r in found} == {
        ("step_deadline", date(2026, 9, 30), "central_round")
    }
    assert {r.to.role for r in found} == {"province_officer", "commune_officer"}
    out = render("step_deadline", found[0].message().context, lang="vi")
    assert "hạn Hội đồng cấp Trung ương đánh giá trong đợt" in out.text


# -- the reader: CSV, XLSX, TOML, --sheet ---------------------------------------------------


def test_a_csv_with_a_decimal_comma_and_semicolons_reads_exactly() -> None:
    raw = (
        "\ufeffmember;a;b;c;minimum_stars_met\n"
        "Nguyễn Văn An;32,5;18;21;4\nTrần Bình;19.996;15;15;\n"
    )
    reading = read_sheets(raw.encode(), "csv", part_maxima=MAXIMA)
    assert reading.problems == {}
    assert reading.sheets == [
        {"member": "Nguyễn Văn An", "a": "32.5", "b": "18", "c": "21", "minimum_stars_met": 4},
        {"member": "Trần Bình", "a": "19.996", "b": "15", "c": "15"},
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            {
                3: ["c: '36' không hợp lệ; điểm phần C từ 0 đến 35"],
                4: ["member: thiếu tên thành viên", "b: ô trống"],
                5: ["thành viên an trùng với dòng 2"],
            },
        ),
        (
            "en",
            {
                3: ["c: '36' is not valid; part C is 0 to 35"],
                4: ["member: the member's name is missing", "b: empty"],
                5: ["member an repeats line 2"],
            },
        ),
    ],
)
def test_every_bad_csv_line_is_named_in_the_officers_language(
    lang: str, expected: dict[int, list[str]]
) -> None:
    raw = "member,a,b,c\nAn,30,20,30\nBình,30,20,36\n,30,,30\nan,1,1,1\n"
    reading = read_sheets(raw.encode(), "csv", part_maxima=MAXIMA, lang=lang)
    assert reading.problems == expected
    missing = read_sheets(b"member,a,b\nAn,1,2\n", "csv", part_maxima=MAXIMA, lang=lang)
    assert list(missing.problems) == [1] and "c" in missing.problems[1][0]


def test_an_xlsx_workbook_reads_its_rows_and_names_bad_ones_by_row() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["member", "a", "b", "c", "minimum_stars_met"])
    sheet.append(["Nguyễn Văn An", 32.5, 18, 21, 4])
    sheet.append([None, None, None, None, None])  # an empty row is skipped
    sheet.append(["Trần Bình", 41, 18, 21, 3.5])
    buffer = io.BytesIO()
    book.save(buffer)
    reading = read_sheets(buffer.getvalue(), "xlsx", part_maxima=MAXIMA)
    assert reading.sheets == [
        {"member": "Nguyễn Văn An", "a": "32.5", "b": "18", "c": "21", "minimum_stars_met": 4}
    ]
    assert list(reading.problems) == [4]
    assert reading.problems[4][0].startswith("a: '41' không hợp lệ")
    assert reading.problems[4][1].startswith("minimum_stars_met: '3.5' không hợp lệ")
    broken = read_sheets(b"not a zip", "xlsx", part_maxima=MAXIMA, lang="en")
    assert broken.problems == {
        1: ["the file cannot be read as an Excel workbook (.xlsx); save it again"]
    }


def test_a_toml_file_names_each_bad_sheet_by_its_header_line() -> None:
    text = (
        "# Hội đồng cấp tỉnh, phiên 2/2026\n"
        '[[sheet]]\nmember = "An"\na = 32\nb = 18.5\nc = 21\nminimum_stars_met = 4\n\n'
        '[[sheet]]\nmember = "Bình"\na = 32\nb = 18\ncolour = "red"\n'
    )
    reading = read_sheets(text.encode(), "toml", part_maxima=MAXIMA, lang="en")
    assert reading.sheets == [
        {"member": "An", "a": "32", "b": "18.5", "c": "21", "minimum_stars_met": 4}
    ]
    assert list(reading.problems) == [9] and "unknown keys: colour" in reading.problems[9][0]
    bad = read_sheets(b'[[sheet]]\nmember = "An\n', "toml", part_maxima=MAXIMA)
    assert list(bad.problems) == [2] and "TOML" in bad.problems[2][0]


def test_sheet_options_are_numbered_by_position() -> None:
    reading = sheet_options(
        ["An:32:18,5:21:4", "Bình:32:18", "Chi:1:2:3:9"], part_maxima=MAXIMA, lang="vi"
    )
    assert reading.sheets == [
        {"member": "An", "a": "32", "b": "18.5", "c": "21", "minimum_stars_met": 4}
    ]
    assert reading.problems[2] == ["'Bình:32:18' không đúng dạng TÊN:A:B:C[:SAO]"]
    assert reading.problems[3][0].startswith("minimum_stars_met: '9' không hợp lệ")


# -- what the history column and the producer's notice say ---------------------------------


def test_the_history_and_the_notice_say_why_the_stars_were_capped(reg: ocop.Registry) -> None:
    from ocop.cli.render import step_payload_text

    sheets = [split("92", "An", minimum_stars_met=4), split("92", "Bình")]
    d = _rate(reg, _submitted(reg), sheets=sheets, certificate_number="GCN-6")
    entry = reg.history(d.id)[-1]
    vi = step_payload_text(entry, "vi")
    assert "trung bình 2 phiếu" in vi and "theo điểm 5★, tiêu chí bắt buộc chỉ đạt 4★" in vi
    assert "5★ by score, minimums met only to 4★" in step_payload_text(entry, "en")
    rating = d.rating.model_dump(mode="json") if d.rating else {}
    cert = d.certificate.model_dump(mode="json") if d.certificate else None
    context = {
        "commune": "Lưu Vệ", "province": "Thanh Hóa", "year": 2026, "recipient_name": "Chị Lan",
        "outcome": "rated", "rating": rating,
        "dossier": {"id": d.id, "product": d.product_name, "producer": "Cơ sở Minh Anh",
                    "certificate": cert},
    }  # fmt: skip
    vi_text = render("rated", context, lang="vi", dossier_id=d.id).text
    assert "Hạng theo điểm: 5 sao" in vi_text
    assert "chỉ đạt đến mức 4 sao, nên sản phẩm được xếp hạng 4 sao" in vi_text
    assert "trung bình 2 phiếu đánh giá" in vi_text
    en_text = render("rated", context, lang="en", dossier_id=d.id).text
    assert "met only up to 4 stars, so the product is rated 4 stars" in en_text


def test_a_proposal_is_said_in_the_history_and_the_notice(reg: ocop.Registry) -> None:
    from ocop.cli.render import step_payload_text

    d = _rate(reg, _submitted(reg), a=38, b=23, c=31)
    entry = reg.history(d.id)[-1]
    assert "đề nghị Trung ương, đợt 1/2026" in step_payload_text(entry, "vi")
    context = {
        "commune": "Lưu Vệ", "province": "Thanh Hóa", "year": 2026, "recipient_name": "Chị Lan",
        "outcome": "central_review", "rating": entry.payload,
        "dossier": {"id": d.id, "product": d.product_name, "producer": "Cơ sở Minh Anh",
                    "certificate": None},
    }  # fmt: skip
    text = render("rated", context, lang="vi", dossier_id=d.id).text
    assert "Tỉnh đề nghị ngày 01/07/2026" in text and "đợt 1/2026" in text


def test_the_dossier_list_says_why_in_its_stars_note(reg: ocop.Registry, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    from ocop.documents import build_dossier_list, write_xlsx

    sheets = [split("75", "An", minimum_stars_met=3), split("75", "Bình")]
    capped = _rate(reg, _submitted(reg), sheets=sheets, certificate_number="GCN-7")
    proposed = _rate(reg, _submitted(reg), a=38, b=23, c=31)
    listing = build_dossier_list([capped, proposed], as_of=date(2026, 7, 1))
    notes = [row.stars_note for row in listing.rows]
    assert notes == [
        "trung bình 2 phiếu; theo điểm 4★, tiêu chí bắt buộc chỉ đạt 3★",
        "đề nghị Trung ương ngày 01/07/2026, đợt 1/2026",
    ]
    english = build_dossier_list([capped], as_of=date(2026, 7, 1), lang="en")
    assert english.rows[0].stars_note == (
        "average of 2 sheets; 4★ by score, starred minimums met only to 3★"
    )
    out = tmp_path / "dossiers.xlsx"
    write_xlsx(listing, out)
    rows = [r for r in load_workbook(out).worksheets[0].iter_rows(values_only=True) if any(r)]
    header = rows[1]
    row = dict(zip(header, rows[2], strict=True))
    assert row["Hạng sao"] == 3 and row["Ghi chú hạng sao"] == notes[0]


# -- the rounds and the guards' edges -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 22), (1, 2026)),
        (date(2026, 7, 30), (1, 2026)),
        (date(2026, 7, 31), (2, 2027)),
        (date(2027, 1, 30), (2, 2027)),
        (date(2027, 1, 31), (1, 2027)),
    ],
)
def test_the_central_round_follows_the_proposal_date(day: date, expected: tuple[int, int]) -> None:
    from ocop.states import QD148_1489
    from ocop.workflow.steps import central_round_for

    assert central_round_for(QD26_2026, day) == expected
    assert central_round_for(QD148_1489, day) is None  # 148/1489 sets no central calendar


def test_a_round_rated_after_new_year_is_rated_in_the_next_year() -> None:
    from ocop.states import RoundCutoff

    assert RoundCutoff(9, (11, 30), (2, 28)).rated_by_on(2026) == date(2027, 2, 28)
    for cutoff in QD26_2026.central_rounds:
        assert cutoff.rated_by_on(2026).year == 2026


def test_full_and_zero_marks_are_accepted_and_one_thousandth_over_is_refused(
    reg: ocop.Registry,
) -> None:
    full = {"member": "An", **{part: top for part, top in MAXIMA.items()}}
    zero = {"member": "Bình", **dict.fromkeys(MAXIMA, 0)}
    d = _rate(reg, _submitted(reg), sheets=[full, zero], certificate_number="GCN-8")
    assert d.rating is not None and d.rating.total == QD26_2026.max_score / 2
    over = {
        "member": "Chi",
        **{part: top for part, top in MAXIMA.items()},
        "a": MAXIMA["a"] + 0.001,
    }
    with pytest.raises(InvalidInput, match="Part A score must be a number from 0 to"):
        _rate(reg, _submitted(reg), sheets=[over])
    top = _rate(reg, _submitted(reg), sheets=[full])
    assert top.state is State.CENTRAL_REVIEW and top.rating is not None
    assert top.rating.total == QD26_2026.max_score
