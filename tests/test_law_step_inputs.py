"""What each step says it still needs, and how it refuses a bad value, pinned whole (issue 12).

A front end reads a :class:`~ocop.GuardFailed`'s ``missing`` (each item's ``code``, ``text``
and ``params``) to say which value or paper to add, and an :class:`~ocop.InvalidInput`'s
``field``, ``text`` and ``values`` to put the refusal beside the right box; officers read
``explain("vi")`` (or ``"en"``). So every case here checks all of them. What a guard needs is
DESIGN.md's lifecycle table and OCOP-RULES.md: Mẫu 01 and Mẫu 02 and 5 samples, none for the
tourism set (26/2026 Điều 6.2.d, §2B); the four commune criteria of Mẫu 03; the request
letter's number and date; a reason to return a dossier; the parts A, B and C within 40/25/35
(§3); a certificate number for 3★–5★ and none below (Điều 4.1.a); a new cycle re-rates while
a certificate is valid and is a first rating otherwise (§4); a revocation ground of Điều 8.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from factories import (
    CRITERIA,
    OFFICER,
    PRODUCER,
    PROVINCE_OFFICER,
    Clock,
    registration,
    to_rated,
    to_submitted,
)

import ocop
from ocop import Actor, Role
from ocop.states import RULE_SETS

DOCS: dict[str, Any] = {"documents": ["mau_01", "mau_02"], "samples": 5}
SYSTEM = Actor("system", Role.SYSTEM)


@pytest.fixture
def registry(db_url: str) -> Iterator[ocop.Registry]:
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 3)))
    yield reg
    reg.close()


@pytest.fixture
def registered(registry: ocop.Registry) -> ocop.Dossier:
    return registry.register(registration(), actor=OFFICER)


def _needs(err: ocop.GuardFailed) -> tuple[object, ...]:
    """Everything a guard's refusal carries."""
    items = [(m.code, m.text, dict(m.params)) for m in err.missing]
    return (str(err.trigger), items, str(err), err.explain("vi"), err.explain("en"))


def _refused(err: ocop.InvalidInput) -> tuple[object, ...]:
    """Everything an input's refusal carries (values that are themselves texts, as read)."""
    values = {k: v if isinstance(v, int | str) else str(v) for k, v in err.values.items()}
    return (err.field, err.text, values, str(err), err.explain("vi"), err.explain("en"))


def _guard(
    reg: ocop.Registry, n: int, trigger: str, actor: Actor, **data: Any
) -> tuple[object, ...]:
    before = reg.get(n)
    with pytest.raises(ocop.GuardFailed) as refused:
        reg.fire(n, trigger, actor=actor, **data)
    assert reg.get(n) == before  # a refusal changes nothing
    return _needs(refused.value)


def _invalid(
    reg: ocop.Registry, n: int, trigger: str, actor: Actor, **data: Any
) -> tuple[object, ...]:
    before = reg.get(n)
    with pytest.raises(ocop.InvalidInput) as refused:
        reg.fire(n, trigger, actor=actor, **data)
    assert reg.get(n) == before
    return _refused(refused.value)


def _value(name: str, text: str) -> tuple[str, str, dict[str, object]]:
    return ("value", text, {"field": name})


def _last(reg: ocop.Registry, n: int) -> dict[str, Any]:
    return reg.history(n)[-1].payload


# -- any step: a name it does not take, a value of the wrong type ---------------------------


def test_a_name_a_step_does_not_take_is_refused_naming_what_it_takes(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    said = _invalid(registry, registered.id, "check", OFFICER, colour="red", beauty=1)
    assert said == (
        "beauty",
        "“{trigger}” không nhận {unknown}; chỉ nhận {allowed}.",
        {"trigger": "check", "unknown": "beauty, colour", "allowed": "documents, samples"},
        "'check' does not take beauty, colour; it takes documents, samples.",
        "Dữ liệu không hợp lệ: “check” không nhận beauty, colour; chỉ nhận documents, samples.",
        "Invalid data: 'check' does not take beauty, colour; it takes documents, samples.",
    )


def test_a_step_that_takes_nothing_says_so(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_rated(registry, d.id)
    said = _invalid(registry, d.id, "expire", SYSTEM, reason="x")
    assert said[:3] == (
        "reason",
        "“{trigger}” không nhận {unknown}; chỉ nhận {allowed}.",
        {"trigger": "expire", "unknown": "reason", "allowed": "—"},
    )
    assert said[3] == "'expire' does not take reason; it takes —."


def test_a_value_of_the_wrong_type_names_its_input(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    said = _invalid(registry, registered.id, "check", OFFICER, documents=["mau_01"], samples="5")
    assert said == (
        "samples",
        "{name}: phải là số nguyên",
        {"name": "samples"},
        "samples: must be a whole number",
        "Dữ liệu không hợp lệ: samples: phải là số nguyên",
        "Invalid data: samples: must be a whole number",
    )
    # Two wrong: the first is said, named by its input (not its item), and the rest counted.
    two = _invalid(registry, registered.id, "check", OFFICER, documents=[1], samples="5")
    assert two == (
        "documents",
        "{problem} (và {more} lỗi khác)",
        {"problem": "documents: must be text", "more": 1},
        "documents: must be text (and 1 more problems)",
        "Dữ liệu không hợp lệ: documents: phải là chữ (và 1 lỗi khác)",
        "Invalid data: documents: must be text (and 1 more problems)",
    )


# -- check: Mẫu 01, Mẫu 02, 5 samples (none for tourism) ---------------------------------


def test_check_with_nothing_needs_both_forms_and_five_samples(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    assert _guard(registry, registered.id, "check", OFFICER) == (
        "check",
        [
            ("document", "document mau_01", {"document": "mau_01"}),
            ("document", "document mau_02", {"document": "mau_02"}),
            ("samples", "5 product samples (0 handed in)", {"needed": 5, "have": 0}),
        ],
        "'check' needs: document mau_01; document mau_02; 5 product samples (0 handed in).",
        "Chưa thể “Kiểm tra hồ sơ” cho hồ sơ: còn thiếu Phiếu đăng ký (Mẫu 01); Báo cáo tự "
        "đánh giá (Mẫu 02); 5 mẫu sản phẩm (mới có 0).",
        "Cannot “Check the documents” for the dossier yet: missing the registration form "
        "(Mẫu 01); the self-assessment report (Mẫu 02); 5 product samples (0 handed in).",
    )


def test_check_with_four_samples_and_one_form_needs_the_other_and_one_more_sample(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    said = _guard(registry, registered.id, "check", OFFICER, documents=["mau_01"], samples=4)
    assert said[:2] == (
        "check",
        [
            ("document", "document mau_02", {"document": "mau_02"}),
            ("samples", "5 product samples (4 handed in)", {"needed": 5, "have": 4}),
        ],
    )
    assert said[3] == (
        "Chưa thể “Kiểm tra hồ sơ” cho hồ sơ: còn thiếu Báo cáo tự đánh giá (Mẫu 02); "
        "5 mẫu sản phẩm (mới có 4)."
    )


def test_check_counts_what_was_handed_in_before_with_what_comes_now(
    registry: ocop.Registry,
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02")
    registry.fire(d.id, "resubmit", actor=PRODUCER, documents=["mau_01"], samples=5)
    said = _guard(registry, d.id, "check", OFFICER)
    assert said[1] == [("document", "document mau_02", {"document": "mau_02"})]
    checked = registry.fire(d.id, "check", actor=OFFICER, documents=["mau_02"])
    assert (checked.state.value, checked.documents, checked.samples) == (
        "checked",
        frozenset({"mau_01", "mau_02"}),
        5,
    )
    assert _last(registry, d.id) == {"documents": ["mau_01", "mau_02"], "samples": 5}


def test_five_samples_are_enough_and_evidence_is_kept(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    docs = ["mau_02", "mau_01", "atvstp"]
    checked = registry.fire(registered.id, "check", actor=OFFICER, documents=docs, samples=5)
    assert (checked.state.value, checked.documents, checked.samples) == (
        "checked",
        frozenset({"mau_01", "mau_02", "atvstp"}),
        5,
    )
    assert _last(registry, registered.id) == {
        "documents": ["atvstp", "mau_01", "mau_02"],
        "samples": 5,
    }


def test_the_tourism_set_needs_no_samples_and_the_set_before_it_does(
    registry: ocop.Registry,
) -> None:
    tour = registry.register(registration(product_set=26), actor=OFFICER)
    checked = registry.fire(tour.id, "check", actor=OFFICER, documents=["mau_01", "mau_02"])
    assert (checked.state.value, checked.samples) == ("checked", 0)
    other = registry.register(registration(product_set=25, product_name="X"), actor=OFFICER)
    said = _guard(registry, other.id, "check", OFFICER, documents=["mau_01", "mau_02"])
    assert said[1] == [("samples", "5 product samples (0 handed in)", {"needed": 5, "have": 0})]


@pytest.mark.parametrize("samples", [0, 1000])
def test_samples_from_0_to_1000_are_taken(
    registry: ocop.Registry, registered: ocop.Dossier, samples: int
) -> None:
    n = registered.id
    if samples < 5:
        said = _guard(registry, n, "check", OFFICER, documents=["mau_01", "mau_02"], samples=0)
        assert said[1] == [("samples", "5 product samples (0 handed in)", {"needed": 5, "have": 0})]
    else:
        done = registry.fire(
            n, "check", actor=OFFICER, documents=["mau_01", "mau_02"], samples=1000
        )
        assert done.samples == 1000


@pytest.mark.parametrize("samples", [-1, 1001])
def test_samples_outside_0_to_1000_are_refused(
    registry: ocop.Registry, registered: ocop.Dossier, samples: int
) -> None:
    said = _invalid(registry, registered.id, "check", OFFICER, samples=samples)
    assert said == (
        "samples",
        "samples phải là số nguyên từ 0 đến 1000.",
        {},
        "samples must be a whole number from 0 to 1000.",
        "Dữ liệu không hợp lệ: samples phải là số nguyên từ 0 đến 1000.",
        "Invalid data: samples must be a whole number from 0 to 1000.",
    )


@pytest.mark.parametrize(
    "documents", [["Mau 01"], ["mau-01"], [""], ["a" * 41], ["MAU_01"]], ids=str
)
def test_a_document_name_not_like_mau_01_is_refused(
    registry: ocop.Registry, registered: ocop.Dossier, documents: list[str]
) -> None:
    said = _invalid(registry, registered.id, "check", OFFICER, documents=documents)
    assert said == (
        "documents",
        "documents phải là danh sách tên như mau_01.",
        {},
        "documents must be a list of names like mau_01.",
        "Dữ liệu không hợp lệ: documents phải là danh sách tên như mau_01.",
        "Invalid data: documents must be a list of names like mau_01.",
    )


def test_a_name_of_40_letters_is_a_document(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    name = "a" * 40
    done = registry.fire(
        registered.id, "check", actor=OFFICER, documents=["mau_01", "mau_02", name], samples=5
    )
    assert name in done.documents


def test_a_form_the_rule_set_does_not_have_is_refused_naming_its_forms(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    said = _invalid(
        registry, registered.id, "check", OFFICER, documents=["mau_99", "mau_01", "mau_03"]
    )
    assert said == (
        "documents",
        "documents: {unknown} không phải mẫu của hồ sơ chủ thể theo {rule_set}; "
        "các mẫu là {forms}.",
        {"unknown": "mau_03, mau_99", "rule_set": "qd26-2026", "forms": "mau_01, mau_02"},
        "documents: mau_03, mau_99 is not a form of the producer's dossier under qd26-2026; "
        "its forms are mau_01, mau_02.",
        "Dữ liệu không hợp lệ: documents: mau_03, mau_99 không phải mẫu của hồ sơ chủ thể "
        "theo qd26-2026; các mẫu là mau_01, mau_02.",
        "Invalid data: documents: mau_03, mau_99 is not a form of the producer's dossier "
        "under qd26-2026; its forms are mau_01, mau_02.",
    )


# -- return_dossier and resubmit -----------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_a_dossier_is_returned_only_with_a_reason(
    registry: ocop.Registry, registered: ocop.Dossier, reason: str | None
) -> None:
    data = {} if reason is None else {"reason": reason}
    assert _guard(registry, registered.id, "return_dossier", OFFICER, **data) == (
        "return_dossier",
        [_value("reason", "a reason")],
        "'return_dossier' needs: a reason.",
        "Chưa thể “Trả lại hồ sơ” cho hồ sơ: còn thiếu lý do.",
        "Cannot “Return the dossier” for the dossier yet: missing a reason.",
    )


def test_a_returned_dossier_keeps_its_reason(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    returned = registry.fire(d.id, "return_dossier", actor=OFFICER, reason=" Thiếu Mẫu 02 ")
    assert (returned.state.value, returned.return_reason) == ("returned", "Thiếu Mẫu 02")
    assert _last(registry, d.id) == {"reason": "Thiếu Mẫu 02"}


def test_a_reason_with_a_control_character_is_refused(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    said = _invalid(registry, registered.id, "return_dossier", OFFICER, reason="a\x01b")
    assert said == (
        "reason",
        "{name} không được có ký tự điều khiển.",
        {"name": "reason"},
        "reason must not contain control characters.",
        "Dữ liệu không hợp lệ: reason không được có ký tự điều khiển.",
        "Invalid data: reason must not contain control characters.",
    )


def test_resubmitting_restarts_the_commune_clock_and_clears_the_reason(db_url: str) -> None:
    clock = Clock(date(2026, 8, 3))
    reg = ocop.open(db_url, clock=clock)
    try:
        d = reg.register(registration(documents=["mau_01"]), actor=OFFICER)
        reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu Mẫu 02")
        clock.set(date(2026, 8, 10))
        back = reg.fire(d.id, "resubmit", actor=PRODUCER, documents=["mau_02"], samples=6)
        assert back.state.value == "registered"
        assert (back.documents, back.samples) == (frozenset({"mau_01", "mau_02"}), 6)
        assert back.return_reason is None
        assert back.registered_at == datetime(2026, 8, 10, 2, tzinfo=UTC)
        # 15 working days from Monday 10/8, the day not counted, Saturday 22/8 worked.
        assert (back.next_due_on, back.next_due) == (date(2026, 8, 28), "commune_deadline")
        assert _last(reg, d.id) == {"documents": ["mau_02"], "samples": 6}
        again = reg.fire(d.id, "return_dossier", actor=OFFICER, reason="Lại thiếu")
        clock.set(date(2026, 8, 11))
        bare = reg.fire(d.id, "resubmit", actor=OFFICER)
        assert (bare.documents, bare.samples) == (again.documents, again.samples)
        assert _last(reg, d.id) == {}
    finally:
        reg.close()


def test_resubmit_refuses_a_form_the_rule_set_lacks(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
    said = _invalid(registry, d.id, "resubmit", PRODUCER, documents=["mau_07"])
    assert said[:3] == (
        "documents",
        "documents: {unknown} không phải mẫu của hồ sơ chủ thể theo {rule_set}; "
        "các mẫu là {forms}.",
        {"unknown": "mau_07", "rule_set": "qd26-2026", "forms": "mau_01, mau_02"},
    )
    said = _invalid(registry, d.id, "resubmit", PRODUCER, samples=1001)
    assert said[:2] == ("samples", "samples phải là số nguyên từ 0 đến 1000.")


# -- evaluate: the four criteria of Mẫu 03 ---------------------------------------------------


@pytest.fixture
def checked(registry: ocop.Registry, registered: ocop.Dossier) -> ocop.Dossier:
    return registry.fire(registered.id, "check", actor=OFFICER, **DOCS)


def _criterion(name: str) -> tuple[str, str, dict[str, object]]:
    return ("criterion", f"an assessment of {name}", {"criterion": name})


def test_an_evaluation_with_nothing_needs_all_four_criteria(
    registry: ocop.Registry, checked: ocop.Dossier
) -> None:
    assert _guard(registry, checked.id, "evaluate", OFFICER) == (
        "evaluate",
        [
            _criterion(c)
            for c in ("local_materials", "local_labour", "idea_origin", "local_identity")
        ],
        "'evaluate' needs: an assessment of local_materials; an assessment of local_labour; "
        "an assessment of idea_origin; an assessment of local_identity.",
        "Chưa thể “Đánh giá cấp xã” cho hồ sơ: còn thiếu đánh giá tiêu chí “nguồn gốc sản "
        "phẩm/nguyên liệu địa phương”; đánh giá tiêu chí “sử dụng lao động địa phương”; "
        "đánh giá tiêu chí “nguồn gốc ý tưởng sản phẩm”; đánh giá tiêu chí “bản sắc/trí tuệ "
        "địa phương”.",
        "Cannot “Commune evaluation” for the dossier yet: missing an assessment of “origin of "
        "the product / local raw materials”; an assessment of “use of local labour”; an "
        "assessment of “origin of the product idea”; an assessment of “local identity / "
        "knowledge”.",
    )


def test_a_blank_or_empty_assessment_is_no_assessment(
    registry: ocop.Registry, checked: ocop.Dossier
) -> None:
    criteria = dict(CRITERIA, local_labour="  ", idea_origin="")
    said = _guard(registry, checked.id, "evaluate", OFFICER, criteria=criteria)
    assert said[1] == [_criterion("local_labour"), _criterion("idea_origin")]
    said = _guard(registry, checked.id, "evaluate", OFFICER, criteria={"local_identity": "x"})
    assert said[1] == [_criterion(c) for c in ("local_materials", "local_labour", "idea_origin")]


def test_an_unknown_criterion_is_refused_naming_the_four(
    registry: ocop.Registry, checked: ocop.Dossier
) -> None:
    criteria = dict(CRITERIA, colour="đỏ", beauty="đẹp")
    said = _invalid(registry, checked.id, "evaluate", OFFICER, criteria=criteria)
    assert said == (
        "criteria",
        "Không có tiêu chí {unknown}; các tiêu chí là {known}.",
        {
            "unknown": "beauty, colour",
            "known": "local_materials, local_labour, idea_origin, local_identity",
        },
        "Unknown criterion beauty, colour; the criteria are local_materials, local_labour, "
        "idea_origin, local_identity.",
        "Dữ liệu không hợp lệ: Không có tiêu chí beauty, colour; các tiêu chí là "
        "local_materials, local_labour, idea_origin, local_identity.",
        "Invalid data: Unknown criterion beauty, colour; the criteria are local_materials, "
        "local_labour, idea_origin, local_identity.",
    )  # fmt: skip


def test_the_evaluation_is_kept_with_its_report(
    registry: ocop.Registry, checked: ocop.Dossier
) -> None:
    done = registry.fire(checked.id, "evaluate", actor=OFFICER, criteria=CRITERIA,
                         report_number="3/BC-UBND", report_date="03/08/2026")  # fmt: skip
    assert done.state.value == "commune_evaluated" and done.evaluation is not None
    assert dict(done.evaluation.criteria) == CRITERIA
    assert (done.evaluation.report_number, done.evaluation.report_date) == (
        "3/BC-UBND",
        date(2026, 8, 3),
    )
    assert _last(registry, checked.id) == {
        "criteria": CRITERIA,
        "report_number": "3/BC-UBND",
        "report_date": "2026-08-03",
    }


# -- submit: the request letter's number and date -------------------------------------------


@pytest.fixture
def evaluated(registry: ocop.Registry, checked: ocop.Dossier) -> ocop.Dossier:
    return registry.fire(checked.id, "evaluate", actor=OFFICER, criteria=CRITERIA)


def test_a_submission_needs_the_letters_number_and_date(
    registry: ocop.Registry, evaluated: ocop.Dossier
) -> None:
    n = evaluated.id
    number = _value("letter_number", "the request letter's number")
    day = _value("letter_date", "the request letter's date")
    assert _guard(registry, n, "submit", OFFICER) == (
        "submit",
        [number, day],
        "'submit' needs: the request letter's number; the request letter's date.",
        "Chưa thể “Gửi tỉnh đánh giá” cho hồ sơ: còn thiếu số văn bản đề nghị tỉnh; ngày văn "
        "bản đề nghị tỉnh.",
        "Cannot “Submit to the province” for the dossier yet: missing the request letter's "
        "number; the request letter's date.",
    )
    assert _guard(registry, n, "submit", OFFICER, letter_number="1")[1] == [day]
    assert _guard(registry, n, "submit", OFFICER, letter_date="2026-08-03")[1] == [number]
    assert _guard(registry, n, "submit", OFFICER, letter_number="", letter_date="2026-08-03")[
        1
    ] == [number]


def test_a_letter_dated_tomorrow_is_refused_and_today_is_taken(
    registry: ocop.Registry, evaluated: ocop.Dossier
) -> None:
    n = evaluated.id
    said = _invalid(registry, n, "submit", OFFICER, letter_number="1", letter_date="2026-08-04")
    assert said == (
        "letter_date",
        "letter_date: công văn đề nghị ghi ngày {letter_date}, sau hôm nay ({today} giờ Việt "
        "Nam); hãy ghi ngày ký.",
        {"letter_date": "04/08/2026", "today": "03/08/2026"},
        "letter_date: the request letter is dated 04/08/2026, after today (03/08/2026 in "
        "Vietnam); give the date it was signed.",
        "Dữ liệu không hợp lệ: letter_date: công văn đề nghị ghi ngày 04/08/2026, sau hôm nay "
        "(03/08/2026 giờ Việt Nam); hãy ghi ngày ký.",
        "Invalid data: letter_date: the request letter is dated 04/08/2026, after today "
        "(03/08/2026 in Vietnam); give the date it was signed.",
    )
    done = registry.fire(n, "submit", actor=OFFICER, letter_number="1", letter_date="2026-08-03")
    assert done.submission is not None
    assert (done.submission.round, done.submission.round_year) == (2, 2026)  # by 30/10
    assert _last(registry, n) == {
        "letter_number": "1",
        "letter_date": "2026-08-03",
        "round": 2,
        "round_year": 2026,
    }


def test_a_round_given_keeps_it_in_the_letters_year(
    registry: ocop.Registry, evaluated: ocop.Dossier
) -> None:
    done = registry.fire(evaluated.id, "submit", actor=OFFICER, letter_number="1",
                         letter_date="2026-08-03", round=1)  # fmt: skip
    assert done.submission is not None
    assert (done.submission.round, done.submission.round_year) == (1, 2026)


# -- rate: the parts and the certificate ------------------------------------------------------


@pytest.fixture
def submitted(registry: ocop.Registry, registered: ocop.Dossier) -> ocop.Dossier:
    return to_submitted(registry, registered.id)


def test_a_rating_needs_each_part(registry: ocop.Registry, submitted: ocop.Dossier) -> None:
    n = submitted.id
    parts = [_value(p, f"the part {p.upper()} score") for p in "abc"]
    assert _guard(registry, n, "rate", PROVINCE_OFFICER) == (
        "rate",
        parts,
        "'rate' needs: the part A score; the part B score; the part C score.",
        "Chưa thể “Chấm điểm, phân hạng” cho hồ sơ: còn thiếu điểm phần A; điểm phần B; "
        "điểm phần C.",
        "Cannot “Rate” for the dossier yet: missing the part A score; the part B score; the "
        "part C score.",
    )
    assert _guard(registry, n, "rate", PROVINCE_OFFICER, a=10)[1] == parts[1:]
    assert _guard(registry, n, "rate", PROVINCE_OFFICER, a=0, c=0)[1] == [parts[1]]


@pytest.mark.parametrize(
    ("part", "raw", "maximum", "shown"),
    [("a", 41, 40, "41"), ("b", 25.5, 25, "25.5"), ("c", "35,01", 35, "'35,01'"),
     ("a", -0.5, 40, "-0.5"), ("b", "abc", 25, "'abc'"), ("c", "nan", 35, "'nan'"),
     ("a", "inf", 40, "'inf'")],
)  # fmt: skip
def test_a_part_outside_its_maximum_is_refused_naming_the_part(
    registry: ocop.Registry, submitted: ocop.Dossier, part: str, raw: object, maximum: int,
    shown: str,
) -> None:  # fmt: skip
    scores: dict[str, object] = {"a": 20, "b": 10, "c": 10, part: raw}
    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER, **scores)
    big = part.upper()
    assert said == (
        part,
        "{where}Điểm phần {part} phải là số từ 0 đến {maximum}, không phải {raw}.",
        {"where": "", "part": big, "maximum": maximum, "raw": shown},
        f"Part {big} score must be a number from 0 to {maximum}, not {shown}.",
        f"Dữ liệu không hợp lệ: Điểm phần {big} phải là số từ 0 đến {maximum}, không phải {shown}.",
        f"Invalid data: Part {big} score must be a number from 0 to {maximum}, not {shown}.",
    )


@pytest.mark.parametrize(
    ("scores", "stars", "total"),
    [({"a": "29,5", "b": "10", "c": 10.5}, 3, 50), ({"a": "40", "b": "25", "c": "4.99"}, 3, 69.99)],
)
def test_text_scores_with_a_decimal_point_or_comma_are_read_exactly(
    registry: ocop.Registry, submitted: ocop.Dossier, scores: dict[str, object], stars: int,
    total: float,
) -> None:  # fmt: skip
    done = registry.fire(
        submitted.id, "rate", actor=PROVINCE_OFFICER, certificate_number="1", **scores
    )
    assert done.rating is not None and (done.rating.stars, done.rating.total) == (stars, total)


def test_3_to_5_stars_need_a_certificate_number_and_1_or_2_stars_none(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    n = submitted.id
    assert _guard(registry, n, "rate", PROVINCE_OFFICER, a=20, b=15, c=15) == (
        "rate",
        [_value("certificate_number", "a certificate number")],
        "'rate' needs: a certificate number.",
        "Chưa thể “Chấm điểm, phân hạng” cho hồ sơ: còn thiếu số giấy chứng nhận.",
        "Cannot “Rate” for the dossier yet: missing a certificate number.",
    )
    two = registry.fire(n, "rate", actor=PROVINCE_OFFICER, a=20, b=15, c=14.99)
    assert two.state.value == "not_recognized" and two.certificate is None
    assert two.rating is not None and (two.rating.stars, two.rating.band_stars) == (2, 2)


def test_a_certificate_is_issued_on_the_day_given_for_36_months(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    done = registry.fire(submitted.id, "rate", actor=PROVINCE_OFFICER, a=30, b=20, c=25,
                         certificate_number="GCN-7", decision_number="12/QĐ-UBND",
                         issued_on="31/07/2026")  # fmt: skip
    cert, rating = done.certificate, done.rating
    assert cert is not None and rating is not None
    assert (cert.number, cert.stars, cert.issued_on, cert.expires_on, cert.issued_by) == (
        "GCN-7",
        4,
        date(2026, 7, 31),
        date(2029, 7, 31),
        "province",
    )
    assert (rating.decision_number, rating.level, rating.rated_on) == (
        "12/QĐ-UBND",
        "province",
        date(2026, 8, 3),
    )
    assert _last(registry, submitted.id)["certificate"]["number"] == "GCN-7"


@pytest.mark.parametrize("issued_on", ["x", "2026-13-01", "31/02/2026"])
def test_a_certificate_day_that_is_no_date_is_refused_not_a_traceback(
    registry: ocop.Registry, submitted: ocop.Dossier, issued_on: str
) -> None:
    # Before: parse_date's ValueError left the step (a traceback for a library caller).
    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER, a=30, b=20, c=25,
                    certificate_number="GCN-7", issued_on=issued_on)  # fmt: skip
    problem = f"'{issued_on}' is not a valid date; write it as YYYY-MM-DD or DD/MM/YYYY"
    assert said == (
        "issued_on",
        "{name}: {problem}",
        {"name": "issued_on", "problem": problem},
        f"issued_on: {problem}",
        f"Dữ liệu không hợp lệ: issued_on: '{issued_on}' không phải ngày hợp lệ; viết "
        "YYYY-MM-DD hoặc DD/MM/YYYY",
        f"Invalid data: issued_on: {problem}",
    )


@pytest.mark.parametrize(("raw", "shown"), [(6, "6"), (-1, "-1"), (True, "True")])
def test_a_minimum_outside_0_to_5_stars_is_refused(
    registry: ocop.Registry, submitted: ocop.Dossier, raw: object, shown: str
) -> None:
    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER, a=30, b=15, c=20,
                    minimum_stars_met=raw)  # fmt: skip
    if raw is True:  # the input model refuses a bool as a whole number first
        assert said[:3] == (
            "minimum_stars_met",
            "{name}: phải là số nguyên",
            {"name": "minimum_stars_met"},
        )
        return
    assert said == (
        "minimum_stars_met",
        "{where}minimum_stars_met phải là hạng sao từ 0 đến 5, không phải {raw}.",
        {"where": "", "raw": shown},
        f"minimum_stars_met must be a star level from 0 to 5, not {shown}.",
        f"Dữ liệu không hợp lệ: minimum_stars_met phải là hạng sao từ 0 đến 5, không phải {shown}.",
        f"Invalid data: minimum_stars_met must be a star level from 0 to 5, not {shown}.",
    )


@pytest.mark.parametrize(("minimum", "stars"), [(0, 0), (5, 4), (3, 3)])
def test_minimum_stars_from_0_to_5_cap_the_band(
    registry: ocop.Registry, submitted: ocop.Dossier, minimum: int, stars: int
) -> None:
    # 80 is 4★ by its band; the starred minimums met cap it (Phụ lục II).
    extra = {"certificate_number": "1"} if stars >= 3 else {}
    done = registry.fire(submitted.id, "rate", actor=PROVINCE_OFFICER, a=35, b=20, c=25,
                         minimum_stars_met=minimum, **extra)  # fmt: skip
    assert done.rating is not None
    assert (done.rating.stars, done.rating.band_stars, done.rating.minimum_stars_met) == (
        stars,
        4,
        minimum,
    )
    assert done.state.value == ("rated" if stars >= 3 else "not_recognized")


def test_a_proposal_dated_tomorrow_is_refused(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER, a=40, b=25, c=35,
                    proposed_on="2026-08-04")  # fmt: skip
    assert said == (
        "proposed_on",
        "proposed_on {proposed} là ngày trong tương lai.",
        {"proposed": "04/08/2026"},
        "proposed_on 04/08/2026 is in the future.",
        "Dữ liệu không hợp lệ: proposed_on 04/08/2026 là ngày trong tương lai.",
        "Invalid data: proposed_on 04/08/2026 is in the future.",
    )


def test_a_proposal_that_is_no_date_is_refused_on_its_field(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER, a=40, b=25, c=35,
                    proposed_on="31/02/2026")  # fmt: skip
    assert said[0] == "proposed_on"
    assert said[3].startswith("proposed_on: "), said
    assert said[4].startswith("Dữ liệu không hợp lệ: proposed_on: "), said
    assert registry.get(submitted.id).state.value == "submitted"  # nothing changed


def test_a_5_star_score_is_proposed_to_the_ministry_on_the_day_given(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    done = registry.fire(submitted.id, "rate", actor=PROVINCE_OFFICER, a=36, b=24, c=30,
                         proposed_on="2026-07-30")  # fmt: skip
    rating = done.rating
    assert done.state.value == "central_review" and rating is not None
    assert done.certificate is None  # the Minister decides 5★
    # Proposed by 30/7: the Ministry's round 1, rated by 30/9 (§7).
    assert (rating.proposed_on, rating.central_round, rating.central_round_year) == (
        date(2026, 7, 30),
        1,
        2026,
    )
    assert (rating.stars, rating.band_stars, rating.total) == (5, 5, 90)


def test_the_central_council_issues_5_stars_and_the_province_below(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    from factories import CENTRAL_OFFICER

    n = submitted.id
    registry.fire(n, "rate", actor=PROVINCE_OFFICER, a=38, b=24, c=30)
    said = _guard(registry, n, "rate_central", CENTRAL_OFFICER, a=38, b=24, c=30)
    assert said[:3] == (
        "rate_central",
        [_value("certificate_number", "a certificate number")],
        "'rate_central' needs: a certificate number.",
    )
    done = registry.fire(n, "rate_central", actor=CENTRAL_OFFICER, a=38, b=24, c=30,
                         certificate_number="TW-1")  # fmt: skip
    assert done.certificate is not None and done.rating is not None
    assert (done.certificate.stars, done.certificate.issued_by, done.rating.level) == (
        5,
        "central",
        "central",
    )
    assert done.rating.proposed_on is None  # no further proposal from the central level


def test_below_90_at_the_central_level_the_province_recognises_4_stars(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    from factories import CENTRAL_OFFICER

    n = submitted.id
    registry.fire(n, "rate", actor=PROVINCE_OFFICER, a=38, b=24, c=30)
    done = registry.fire(n, "rate_central", actor=CENTRAL_OFFICER, a=36, b=24, c=29.99,
                         certificate_number="T-4")  # fmt: skip
    assert done.state.value == "rated" and done.certificate is not None
    assert (done.certificate.stars, done.certificate.issued_by) == (4, "province")  # step 11


# -- flag_recertification and expire: what they wait for ---------------------------------------


def test_the_system_steps_say_the_day_they_wait_for(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_rated(registry, d.id)  # issued 3/8/2026, expires 3/8/2029
    flag = _guard(registry, d.id, "flag_recertification", SYSTEM)
    # 180 days before expiry (Điều 7.6.a); the grace ends 180 days after it (Điều 12.3).
    assert flag[:3] == (
        "flag_recertification",
        [("window", "the window to open on 2029-02-04", {"opens": date(2029, 2, 4)})],
        "'flag_recertification' needs: the window to open on 2029-02-04.",
    )
    lapse = _guard(registry, d.id, "expire", SYSTEM)
    assert lapse[:3] == (
        "expire",
        [("lapse", "the certificate to lapse on 2030-01-31", {"on": date(2030, 1, 31)})],
        "'expire' needs: the certificate to lapse on 2030-01-31.",
    )


# -- reapply: the kinds, the rule set, the documents ------------------------------------------


def test_a_new_cycle_while_the_certificate_is_valid_is_a_rerating_under_todays_law(
    registry: ocop.Registry,
) -> None:
    d = registry.register(registration(), actor=OFFICER)
    rated = to_rated(registry, d.id)
    new = registry.fire(d.id, "reapply", actor=PRODUCER, documents=["mau_01"], samples=3)
    assert (new.state.value, new.kind.value, new.cycle, new.rule_set) == (
        "registered",
        "rerating",
        rated.cycle + 1,
        "qd26-2026",
    )
    assert (new.documents, new.samples) == (frozenset({"mau_01"}), 3)  # not the last cycle's
    assert (new.evaluation, new.submission, new.rating, new.return_reason) == (None,) * 4
    assert new.certificate == rated.certificate  # kept while the cycle runs
    assert new.registered_at == datetime(2026, 8, 3, 2, tzinfo=UTC)
    assert _last(registry, d.id) == {"kind": "rerating", "cycle": 2, "rule_set": "qd26-2026"}
    bare = registry.register(registration(product_name="B"), actor=OFFICER)
    to_rated(registry, bare.id)
    empty = registry.fire(bare.id, "reapply", actor=OFFICER, kind="upgrade")
    assert (empty.kind.value, empty.documents, empty.samples) == ("upgrade", frozenset(), 0)


def test_without_a_valid_certificate_only_a_first_rating_may_start(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    n = submitted.id
    registry.fire(n, "rate", actor=PROVINCE_OFFICER, a=20, b=10, c=10)  # 40: 2★, none
    for kind in ("rerating", "upgrade"):
        assert _guard(registry, n, "reapply", OFFICER, kind=kind) == (
            "reapply",
            [
                (
                    "valid_certificate",
                    f"a valid certificate for a {kind} cycle",
                    {"kind": ocop.Kind(kind)},
                )
            ],
            f"'reapply' needs: a valid certificate for a {kind} cycle.",
            "Chưa thể “Đăng ký chu kỳ mới” cho hồ sơ: còn thiếu giấy chứng nhận còn hiệu lực "
            "(nếu đã hết hạn, đăng ký lần đầu).",
            "Cannot “Start a new cycle” for the dossier yet: missing a certificate still valid "
            "(once it has lapsed, register a first rating).",
        )
    first = registry.fire(n, "reapply", actor=OFFICER)
    assert (first.kind.value, first.cycle) == ("first", 2)


def test_a_new_cycle_may_name_its_rule_set_and_an_unknown_one_is_refused(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    n = submitted.id
    registry.fire(n, "rate", actor=PROVINCE_OFFICER, a=20, b=10, c=10)
    said = _invalid(registry, n, "reapply", OFFICER, rule_set="qd99")
    assert said == (
        "rule_set",
        "Không có quy định '{rule_set}'. Các quy định đã biết: {known}.",
        {"rule_set": "qd99", "known": "qd148-2023+qd1489-2025, qd26-2026"},
        "Unknown rule set 'qd99'. Known rule sets: qd148-2023+qd1489-2025, qd26-2026.",
        "Dữ liệu không hợp lệ: Không có quy định 'qd99'. Các quy định đã biết: "
        "qd148-2023+qd1489-2025, qd26-2026.",
        "Invalid data: Unknown rule set 'qd99'. Known rule sets: qd148-2023+qd1489-2025, "
        "qd26-2026.",
    )
    said = _invalid(registry, n, "reapply", OFFICER, kind="renewal")
    assert said == (
        "kind",
        "kind phải là first, upgrade hoặc rerating.",
        {},
        "kind must be first, upgrade or rerating.",
        "Dữ liệu không hợp lệ: kind phải là first, upgrade hoặc rerating.",
        "Invalid data: kind must be first, upgrade or rerating.",
    )
    said = _invalid(registry, n, "reapply", OFFICER, documents=["mau_03"])
    assert said[:3] == (
        "documents",
        "documents: {unknown} không phải mẫu của hồ sơ chủ thể theo {rule_set}; "
        "các mẫu là {forms}.",
        {"unknown": "mau_03", "rule_set": "qd26-2026", "forms": "mau_01, mau_02"},
    )
    old = registry.fire(n, "reapply", actor=OFFICER, rule_set="qd148-2023+qd1489-2025",
                        documents=["mau_01", "mau_02"])  # fmt: skip
    assert (old.kind.value, old.rule_set, old.documents) == (
        "first",
        "qd148-2023+qd1489-2025",
        frozenset({"mau_01", "mau_02"}),
    )
    assert _last(registry, n) == {"kind": "first", "cycle": 2, "rule_set": "qd148-2023+qd1489-2025"}


def test_a_new_cycle_after_the_certificate_lapsed_is_a_first_rating(db_url: str) -> None:
    clock = Clock(date(2026, 8, 3))
    reg = ocop.open(db_url, clock=clock)
    try:
        d = reg.register(registration(), actor=OFFICER)
        to_rated(reg, d.id)  # expires 3/8/2029
        clock.set(date(2029, 8, 4))  # the day after expiry: no longer in force
        assert _guard(reg, d.id, "reapply", OFFICER, kind="rerating")[1][0][0] == (
            "valid_certificate"
        )
        new = reg.fire(d.id, "reapply", actor=OFFICER)
        assert new.kind.value == "first"
    finally:
        reg.close()


def test_a_new_cycle_on_the_expiry_day_is_a_rerating(db_url: str) -> None:
    clock = Clock(date(2026, 8, 3))
    reg = ocop.open(db_url, clock=clock)
    try:
        d = reg.register(registration(), actor=OFFICER)
        to_rated(reg, d.id)
        clock.set(date(2029, 8, 3))  # in force to its expiry day, that day included
        assert reg.fire(d.id, "reapply", actor=OFFICER).kind.value == "rerating"
    finally:
        reg.close()


# -- revoke and withdraw ----------------------------------------------------------------------


def test_a_revocation_needs_one_of_the_grounds_of_dieu_8_1(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    to_rated(registry, d.id)
    grounds = RULE_SETS["qd26-2026"].revocation_grounds
    said = _guard(registry, d.id, "revoke", PROVINCE_OFFICER)
    assert said[:2] == (
        "revoke",
        [
            (
                "value",
                f"a revocation ground ({', '.join(grounds)})",
                {"field": "ground", "options": tuple(grounds)},
            )
        ],
    )
    assert said[3] == (
        "Chưa thể “Thu hồi” cho hồ sơ: còn thiếu căn cứ thu hồi: " + ", ".join(grounds) + "."
    )
    refused = _invalid(registry, d.id, "revoke", PROVINCE_OFFICER, ground="dislike")
    assert refused[:3] == (
        "ground",
        "Không có căn cứ thu hồi '{ground}'; các căn cứ là {grounds}.",
        {"ground": "dislike", "grounds": ", ".join(grounds)},
    )
    done = registry.fire(d.id, "revoke", actor=PROVINCE_OFFICER, ground="false_dossier")
    assert _last(registry, d.id) == {"ground": "false_dossier", "text": grounds["false_dossier"]}
    assert done.certificate is not None and done.certificate.revoked_on == date(2026, 8, 3)


def test_a_withdrawal_keeps_its_reason_if_one_is_given(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    said = _invalid(registry, d.id, "withdraw", PRODUCER, reason="a\nb\x07")
    assert said[:2] == ("reason", "{name} không được có ký tự điều khiển.")
    registry.fire(d.id, "withdraw", actor=PRODUCER, reason="  ")
    assert _last(registry, d.id) == {}
    e = registry.register(registration(product_name="B"), actor=OFFICER)
    registry.fire(e.id, "withdraw", actor=PRODUCER, reason="Ngừng sản xuất")
    assert _last(registry, e.id) == {"reason": "Ngừng sản xuất"}


# -- what the first mutation run of steps.py left unpinned ----------------------------------


def test_the_resubmitted_documents_are_recorded_sorted(registry: ocop.Registry) -> None:
    d = registry.register(registration(), actor=OFFICER)
    registry.fire(d.id, "return_dossier", actor=OFFICER, reason="Thiếu")
    registry.fire(d.id, "resubmit", actor=PRODUCER, documents=["mau_02", "atvstp", "mau_01"])
    assert _last(registry, d.id) == {"documents": ["atvstp", "mau_01", "mau_02"]}


def test_decimal_scores_are_taken_exactly_and_a_decimal_nan_is_refused(
    registry: ocop.Registry, submitted: ocop.Dossier
) -> None:
    from decimal import Decimal

    said = _invalid(registry, submitted.id, "rate", PROVINCE_OFFICER,
                    a=Decimal("NaN"), b=10, c=10)  # fmt: skip
    assert said[:3] == (
        "a",
        "{where}Điểm phần {part} phải là số từ 0 đến {maximum}, không phải {raw}.",
        {"where": "", "part": "A", "maximum": 40, "raw": "Decimal('NaN')"},
    )
    done = registry.fire(submitted.id, "rate", actor=PROVINCE_OFFICER, a=Decimal("29.995"),
                         b=Decimal("10"), c=Decimal("10.005"), certificate_number="1")  # fmt: skip
    assert done.rating is not None and (done.rating.total, done.rating.stars) == (50, 3)


def test_the_window_opens_on_its_day_and_the_certificate_lapses_on_its_day(db_url: str) -> None:
    clock = Clock(date(2026, 8, 3))
    reg = ocop.open(db_url, clock=clock)
    try:
        d = reg.register(registration(), actor=OFFICER)
        to_rated(reg, d.id)  # issued 3/8/2026, expires 3/8/2029
        clock.set(date(2029, 2, 3))
        assert _guard(reg, d.id, "flag_recertification", SYSTEM)[1][0][2] == {
            "opens": date(2029, 2, 4)
        }
        clock.set(date(2029, 2, 4))  # 180 days before expiry (Điều 7.6.a)
        due = reg.fire(d.id, "flag_recertification", actor=SYSTEM)
        assert due.state.value == "recertification_due"
        assert _last(reg, d.id) == {"window_opened": "2029-02-04"}
        clock.set(date(2030, 1, 30))  # the 180th day of grace (Điều 12.3): still in force
        assert _guard(reg, d.id, "expire", SYSTEM)[1] == [
            ("lapse", "the certificate to lapse on 2030-01-31", {"on": date(2030, 1, 31)})
        ]
        clock.set(date(2030, 1, 31))
        gone = reg.fire(d.id, "expire", actor=SYSTEM)
        assert gone.state.value == "expired"
        assert _last(reg, d.id) == {"expired_on": "2029-08-03"}
    finally:
        reg.close()


def test_a_new_cycle_restarts_the_commune_clock(db_url: str) -> None:
    clock = Clock(date(2026, 8, 3))
    reg = ocop.open(db_url, clock=clock)
    try:
        d = reg.register(registration(), actor=OFFICER)
        to_rated(reg, d.id)
        clock.set(date(2027, 3, 1))
        new = reg.fire(d.id, "reapply", actor=OFFICER)
        assert new.registered_at == datetime(2027, 3, 1, 2, tzinfo=UTC)
        assert new.next_due == "commune_deadline"
    finally:
        reg.close()


def test_a_new_cycle_reads_the_registrys_own_rule_sets(db_url: str) -> None:
    # A deployment's rule set, newer than 26/2026, that asks a third form (mau_05).
    local = RULE_SETS["qd26-2026"].replace(
        id="qd26-local",
        effective_from=date(2026, 6, 1),
        required_documents=("mau_01", "mau_02", "mau_05"),
    )
    own = {**RULE_SETS, "qd26-local": local}
    reg = ocop.open(db_url, clock=Clock(date(2026, 8, 3)), rule_sets=own)
    try:
        for name, named in (("A", {}), ("B", {"rule_set": "qd26-local"})):
            d = reg.register(registration(product_name=name), actor=OFFICER)
            assert d.rule_set == "qd26-local"
            docs = ["mau_01", "mau_02", "mau_05"]
            reg.fire(d.id, "check", actor=OFFICER, documents=docs, samples=5)
            reg.fire(d.id, "evaluate", actor=OFFICER, criteria=CRITERIA)
            reg.fire(d.id, "submit", actor=OFFICER, letter_number="1", letter_date="2026-08-03")
            reg.fire(
                d.id, "rate", actor=PROVINCE_OFFICER, a=30, b=15, c=20, certificate_number=name
            )
            new = reg.fire(d.id, "reapply", actor=OFFICER, documents=["mau_05"], **named)
            assert (new.rule_set, new.documents) == ("qd26-local", frozenset({"mau_05"}))
    finally:
        reg.close()


def test_a_certified_step_on_a_dossier_without_its_certificate_says_it_is_missing(
    registry: ocop.Registry, registered: ocop.Dossier
) -> None:
    # Called as a host may call the steps, on a dossier that holds no certificate.
    from ocop.states import Trigger
    from ocop.workflow.steps import STEPS, Context

    now = datetime(2026, 8, 3, 2, tzinfo=UTC)
    rules = RULE_SETS["qd26-2026"]
    ctx = Context(now, date(2026, 8, 3), rules, registry.calendar, RULE_SETS)
    for trigger, data in (
        (Trigger.FLAG_RECERTIFICATION, {}),
        (Trigger.EXPIRE, {}),
        (Trigger.REVOKE, {"ground": "other"}),
    ):
        with pytest.raises(ocop.GuardFailed) as refused:
            STEPS[trigger](registered, data, ctx)
        assert _needs(refused.value)[:3] == (
            trigger.value,
            [("certificate", "a certificate", {})],
            f"'{trigger.value}' needs: a certificate.",
        )
