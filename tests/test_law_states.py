"""The law as data (``ocop.states``), pinned from DESIGN.md and OCOP-RULES.md (issue 12): the
lifecycle's groups and rows, the names officers read, the 26 product sets, the rule sets'
periods, bands, rounds and refusals, and the outbox's words. No database: these are the tables
everything else reads.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from types import MappingProxyType

import pytest

import ocop
from ocop.states import (
    AT_COMMUNE,
    CERTIFIED,
    COMMUNE_CLOCK,
    HUMAN_ROLES,
    IMPORT_TRIGGER,
    IN_CYCLE,
    INITIAL,
    NOT_EVALUATED,
    PRODUCT_SETS,
    QD26_2026,
    QD148_1489,
    ROLE_SOURCES,
    RULE_SETS,
    TERMINAL,
    TOURISM_SET,
    TRANSITIONS,
    DueKind,
    Kind,
    MessageKind,
    OutboxStatus,
    Role,
    RoundCutoff,
    StarBand,
    State,
    Trigger,
    first_day,
    mermaid,
    periods,
    rule_set,
    rule_set_for,
    transition_for,
)
from ocop.states.rulesets import next_round
from ocop.states.vocabulary import label

S = State

# -- the lifecycle (DESIGN.md) --------------------------------------------------------------


def test_the_state_groups() -> None:
    assert INITIAL is S.REGISTERED
    assert {S.RATED, S.RECERTIFICATION_DUE} == CERTIFIED
    assert {S.REGISTERED, S.RETURNED, S.CHECKED} == NOT_EVALUATED
    assert {S.REGISTERED, S.RETURNED, S.CHECKED, S.COMMUNE_EVALUATED} == AT_COMMUNE
    # A returned dossier is the producer's to complete: the commune's clock stops.
    assert {S.REGISTERED, S.CHECKED, S.COMMUNE_EVALUATED} == COMMUNE_CLOCK
    assert AT_COMMUNE | {S.SUBMITTED, S.CENTRAL_REVIEW} == IN_CYCLE
    assert {S.REVOKED, S.WITHDRAWN} == TERMINAL
    assert set(Role) - {Role.SYSTEM} == HUMAN_ROLES and len(HUMAN_ROLES) == 5
    assert IMPORT_TRIGGER == "import_certified"


def test_the_rows_of_designs_table() -> None:
    P, CO, PO, CE, SY = (Role.PRODUCER, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER,
                         Role.CENTRAL_OFFICER, Role.SYSTEM)  # fmt: skip
    rows = {
        t.value: (set(r.sources), r.dests, set(r.roles), r.by_system)
        for t, r in TRANSITIONS.items()
    }
    assert rows == {
        "register": (set(), (S.REGISTERED,), {P, CO}, False),
        "return_dossier": ({S.REGISTERED, S.CHECKED, S.SUBMITTED}, (S.RETURNED,), {CO, PO}, False),
        "resubmit": ({S.RETURNED}, (S.REGISTERED,), {P, CO}, False),
        "check": ({S.REGISTERED}, (S.CHECKED,), {CO}, False),
        "evaluate": ({S.CHECKED}, (S.COMMUNE_EVALUATED,), {CO}, False),
        "submit": ({S.COMMUNE_EVALUATED}, (S.SUBMITTED,), {CO}, False),
        "rate": ({S.SUBMITTED}, (S.RATED, S.NOT_RECOGNIZED, S.CENTRAL_REVIEW), {PO}, False),
        "rate_central": ({S.CENTRAL_REVIEW}, (S.RATED, S.NOT_RECOGNIZED), {CE}, False),
        "flag_recertification": ({S.RATED}, (S.RECERTIFICATION_DUE,), {SY}, True),
        "reapply": (
            {S.RATED, S.RECERTIFICATION_DUE, S.NOT_RECOGNIZED, S.EXPIRED},
            (S.REGISTERED,),
            {P, CO},
            False,
        ),
        "expire": ({S.RATED, S.RECERTIFICATION_DUE}, (S.EXPIRED,), {SY}, True),
        "revoke": ({S.RATED, S.RECERTIFICATION_DUE}, (S.REVOKED,), {PO}, False),
        "withdraw": (
            {S.REGISTERED, S.RETURNED, S.CHECKED, S.COMMUNE_EVALUATED},
            (S.WITHDRAWN,),
            {P},
            False,
        ),
    }
    assert {
        (Trigger.RETURN_DOSSIER, CO): {S.REGISTERED, S.CHECKED},
        (Trigger.RETURN_DOSSIER, PO): {S.SUBMITTED},
    } == ROLE_SOURCES


def test_a_row_is_found_by_its_name_and_an_unknown_name_is_a_key_error() -> None:
    assert transition_for("check") is TRANSITIONS[Trigger.CHECK]
    with pytest.raises(KeyError) as unknown:
        transition_for("approve")
    assert unknown.value.args == ("approve",)


def test_the_diagram_draws_every_row_and_labels_states_in_the_language_asked() -> None:
    vi = mermaid("vi").splitlines()
    assert vi[:3] == [
        "stateDiagram-v2",
        "    registered: Đã đăng ký",
        "    returned: Trả lại để bổ sung",
    ]
    assert "    [*] --> registered: register" in vi
    assert "    submitted --> returned: return_dossier" in vi
    assert "    submitted --> central_review: rate" in vi
    assert "    expired --> registered: reapply" in vi
    assert vi[-2:] == ["    revoked --> [*]", "    withdrawn --> [*]"]
    arrows = [line for line in vi if " --> " in line and "[*]" not in line]
    assert len(arrows) == sum(len(t.sources) * len(t.dests) for t in TRANSITIONS.values())
    en = mermaid()
    assert "    rated: Rated and certified\n" in en and en.endswith("withdrawn --> [*]\n")


STATES = {
    "registered": ("Đã đăng ký", "Registered"),
    "returned": ("Trả lại để bổ sung", "Returned for completion"),
    "checked": ("Đã kiểm tra hồ sơ", "Checked"),
    "commune_evaluated": ("Xã đã đánh giá", "Evaluated by the commune"),
    "submitted": ("Đã gửi tỉnh", "Submitted to the province"),
    "central_review": ("Chờ Trung ương đánh giá", "Under central review"),
    "rated": ("Đã công nhận", "Rated and certified"),
    "not_recognized": ("Không được công nhận", "Not recognised"),
    "recertification_due": ("Đến hạn đánh giá lại", "Re-rating due"),
    "expired": ("Hết hiệu lực", "Certificate expired"),
    "revoked": ("Bị thu hồi", "Revoked"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn"),
}
ROLES = {
    "producer": ("chủ thể sản xuất", "producer"),
    "commune_officer": ("cán bộ xã", "commune officer"),
    "province_officer": ("cán bộ tỉnh", "province officer"),
    "central_officer": ("cán bộ Trung ương", "central officer"),
    "admin": ("quản trị", "administrator"),
    "system": ("hệ thống", "system"),
}
# Mẫu 01's boxes: Lần đầu / Nâng hạng / Đánh giá lại (OCOP-RULES.md §2B).
KINDS = {
    "first": ("Lần đầu", "First rating"),
    "upgrade": ("Nâng hạng", "Upgrade"),
    "rerating": ("Đánh giá lại", "Re-rating"),
}
TRIGGERS = {
    "register": ("Đăng ký", "Register"),
    "return_dossier": ("Trả lại hồ sơ", "Return the dossier"),
    "resubmit": ("Nộp lại", "Resubmit"),
    "check": ("Kiểm tra hồ sơ", "Check the documents"),
    "evaluate": ("Đánh giá cấp xã", "Commune evaluation"),
    "submit": ("Gửi tỉnh đánh giá", "Submit to the province"),
    "rate": ("Chấm điểm, phân hạng", "Rate"),
    "rate_central": ("Trung ương phân hạng", "Central rating"),
    "flag_recertification": ("Đến hạn đánh giá lại", "Re-rating falls due"),
    "reapply": ("Đăng ký chu kỳ mới", "Start a new cycle"),
    "expire": ("Hết hạn giấy chứng nhận", "Certificate expires"),
    "revoke": ("Thu hồi", "Revoke"),
    "withdraw": ("Rút hồ sơ", "Withdraw"),
}
MESSAGE_KINDS = {
    "accepted": ("Tiếp nhận hồ sơ", "Dossier received"),
    "returned": ("Trả lại hồ sơ", "Dossier returned"),
    "rated": ("Kết quả phân hạng", "Rating result"),
    "revoked": ("Thu hồi chứng nhận", "Certificate revoked"),
    "window_opening": ("Mở đợt đánh giá xã", "Commune evaluation opens"),
    "window_closing": ("Kết thúc đợt đánh giá xã", "Commune evaluation closes"),
    "round_cutoff": ("Hạn đề nghị tỉnh", "Province round cut-off"),
    "central_cutoff": ("Hạn đề nghị Trung ương", "Central round cut-off"),
    "step_deadline": ("Sắp đến hạn xử lý", "Deadline approaching"),
    "step_overdue": ("Quá hạn xử lý", "Deadline passed"),
    "filing_window": ("Đến hạn nộp đánh giá lại", "Re-rating filing opens"),
    "certificate_expiring": ("Chứng nhận sắp hết hạn", "Certificate expiring"),
    "certificate_expired": ("Chứng nhận đã hết hạn", "Certificate expired"),
    "event": ("Hội nghị", "Conference"),
    "meeting": ("Giao ban", "Monthly meeting"),
    "digest": ("Tóm tắt buổi sáng", "Morning digest"),
}
STATUSES = {
    "pending": ("chờ gửi", "waiting"),
    "retry": ("chờ gửi lại", "to retry"),
    "claimed": ("đang lấy", "claimed"),
    "sending": ("đang gửi", "sending"),
    "sent": ("đã gửi", "sent"),
    "failed": ("lỗi", "failed"),
    "uncertain": ("không rõ", "uncertain"),
    "expired": ("quá hạn", "expired"),
}
DUE = {
    "commune_deadline": ("hạn xã xử lý hồ sơ", "the commune's deadline"),
    "province_deadline": ("hạn tỉnh đánh giá lại", "the province's re-rating deadline"),
    "province_round": ("hạn đợt đánh giá của tỉnh", "the province round's deadline"),
    "central_deadline": ("hạn Trung ương đánh giá lại", "the Ministry's re-rating deadline"),
    "central_round": ("hạn đợt đánh giá của Trung ương", "the central round's deadline"),
    "recertification_opens": ("mở thời hạn đánh giá lại", "the re-rating window opens"),
    "certificate_lapses": ("giấy chứng nhận hết hiệu lực", "the certificate lapses"),
}


@pytest.mark.parametrize(
    ("words", "names"),
    [(State, STATES), (Role, ROLES), (Kind, KINDS), (Trigger, TRIGGERS),
     (MessageKind, MESSAGE_KINDS), (OutboxStatus, STATUSES), (DueKind, DUE)],
    ids=lambda x: getattr(x, "__name__", ""),
)  # fmt: skip
def test_every_name_an_officer_reads_in_vietnamese_by_default_and_in_english(
    words: type[State], names: dict[str, tuple[str, str]]
) -> None:
    assert {w.value: (w.label(), w.label("en")) for w in words} == names
    assert {w.value: w.label("vi") for w in words} == {k: v[0] for k, v in names.items()}


def test_the_notices_are_the_four_a_transition_writes() -> None:
    notices = {k.value for k in MessageKind if k.is_notice}
    assert notices == {"accepted", "returned", "rated", "revoked"}


def test_a_word_outside_the_vocabulary_reads_as_itself() -> None:
    assert label(MessageKind, "rated", "en") == "Rating result"
    assert label(MessageKind, "rated", "vi") == "Kết quả phân hạng"
    assert label(OutboxStatus, "sent", "vi") == "đã gửi"
    assert label(DueKind, "host_kind", "vi") == "host_kind"


# -- the product sets (Phụ lục I) -----------------------------------------------------------


def test_the_26_product_sets() -> None:
    assert sorted(PRODUCT_SETS) == list(range(1, 27))
    one, thirteen, last = PRODUCT_SETS[1], PRODUCT_SETS[13], PRODUCT_SETS[26]
    assert (one.number, one.sector, one.group, one.subgroup, one.name) == (
        1,
        "I. Thực phẩm",
        "1. Thực phẩm tươi sống",
        "a. Rau, củ, quả, hạt tươi",
        "a. Rau, củ, quả, hạt tươi",
    )
    assert (thirteen.subgroup, thirteen.name) == (None, "6. Cà phê, ca cao")
    assert PRODUCT_SETS[14].name == "a. Rượu trắng" and PRODUCT_SETS[14].sector == "II. Đồ uống"
    assert PRODUCT_SETS[18].sector == "III. Dược liệu và sản phẩm từ dược liệu"
    assert PRODUCT_SETS[21].sector == "IV. Hàng thủ công mỹ nghệ"
    assert PRODUCT_SETS[23].sector == "V. Sinh vật cảnh"
    assert TOURISM_SET == 26 == last.number
    assert last.sector == "VI. Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    # No samples for community / eco-tourism services (§2B), under both rule sets.
    assert QD26_2026.sample_exempt_sets == {TOURISM_SET} == QD148_1489.sample_exempt_sets


# -- the rule sets (OCOP-RULES.md §0, §3, §4, §7) ------------------------------------------


def test_the_two_regimes_and_their_periods() -> None:
    assert RULE_SETS == {"qd148-2023+qd1489-2025": QD148_1489, "qd26-2026": QD26_2026}
    assert QD148_1489.title == "QĐ 148/QĐ-TTg (24/02/2023), sửa đổi bởi QĐ 1489/QĐ-TTg (06/7/2025)"
    assert QD26_2026.title == "QĐ 26/2026/QĐ-TTg (22/5/2026)"
    assert QD148_1489.effective_from == date(2025, 7, 6)
    # 26/2026 governs from 22/5/2026, where the two overlap until 148's lapse on 21/7.
    assert periods() == [
        (date(2025, 7, 6), date(2026, 5, 21), QD148_1489),
        (date(2026, 5, 22), None, QD26_2026),
    ]
    assert periods() == periods()  # asked again, the same


def test_the_law_in_force_on_each_edge_day() -> None:
    assert rule_set_for(date(2025, 7, 6)) is QD148_1489
    assert rule_set_for(date(2026, 5, 21)) is QD148_1489
    assert rule_set_for(date(2026, 5, 22)) is QD26_2026  # both in force: the newer
    assert rule_set_for(date(2026, 7, 22)) is QD26_2026
    assert QD148_1489.in_force_on(date(2026, 7, 21))
    assert not QD148_1489.in_force_on(date(2026, 7, 22))
    assert not QD148_1489.in_force_on(date(2025, 7, 5))
    assert QD26_2026.in_force_on(date(2099, 1, 1)) and not QD26_2026.in_force_on(date(2026, 5, 21))


def test_no_law_before_148_1489_is_refused_asking_for_one() -> None:
    with pytest.raises(ocop.InvalidInput) as refused:
        rule_set_for(date(2025, 7, 5))
    err = refused.value
    assert (err.field, err.text, err.values) == (
        "rule_set",
        "Không có quy định OCOP nào có hiệu lực ngày {day:%d/%m/%Y}; hãy chỉ rõ quy định.",
        {"day": date(2025, 7, 5)},
    )
    assert err.explain("vi") == (
        "Dữ liệu không hợp lệ: Không có quy định OCOP nào có hiệu lực ngày 05/07/2025; "
        "hãy chỉ rõ quy định."
    )
    assert str(err).startswith("No OCOP rule set is in force on 05/07/2025")


def test_a_rule_set_is_found_by_its_id_and_an_unknown_one_names_the_known() -> None:
    assert rule_set("qd26-2026") is QD26_2026
    only = {"x": QD26_2026}
    assert rule_set("x", only) is QD26_2026
    with pytest.raises(ocop.InvalidInput) as refused:
        rule_set("qd26-2026", only)
    err = refused.value
    assert (err.field, err.values, str(err)) == (
        "rule_set",
        {"rule_set": "qd26-2026", "known": "x"},
        "Unknown rule set 'qd26-2026'. Known rule sets: x.",
    )


def test_the_periods_of_another_registry_follow_it() -> None:
    later = QD26_2026.replace(id="later", effective_from=date(2027, 1, 1))
    own = {"a": QD148_1489, "b": later}
    assert periods(own) == [
        (date(2025, 7, 6), date(2026, 7, 21), QD148_1489),
        (date(2027, 1, 1), None, later),
    ]
    assert rule_set_for(date(2026, 8, 1), {"a": QD148_1489, "c": QD26_2026}) is QD26_2026
    with pytest.raises(ocop.InvalidInput):
        rule_set_for(date(2026, 8, 1), own)  # the gap: no law in force
    # The first day a window may open, under the law of that day: none in the gap.
    assert first_day(lambda r: date(2026, 8, 1), own) == date(2027, 1, 1)
    assert first_day(lambda r: date(2026, 1, 1), own) == date(2026, 1, 1)
    assert first_day(lambda r: date(2025, 1, 1)) == date(2025, 7, 6)
    assert first_day(lambda r: date(2030, 1, 1) if r is QD148_1489 else date(2026, 6, 1)) == (
        date(2026, 6, 1)
    )
    ended = {"a": QD148_1489}
    assert first_day(lambda r: date(2026, 7, 22), ended) is None
    assert first_day(lambda r: date(2026, 7, 21), ended) == date(2026, 7, 21)


def test_periods_of_many_registries_are_each_their_own() -> None:
    sets = [QD26_2026.replace(id=f"s{n}", effective_from=date(2030, 1, n + 1)) for n in range(20)]
    for rules in sets:
        assert periods({rules.id: rules}) == [(rules.effective_from, None, rules)]
    two = {"p": QD148_1489, "q": QD26_2026.replace(effective_from=date(2026, 7, 22))}
    assert periods(two) == [
        (date(2025, 7, 6), date(2026, 7, 21), QD148_1489),
        (date(2026, 7, 22), None, two["q"]),
    ]


def test_the_bands_are_half_open_on_the_exact_score() -> None:
    band = StarBand(3, 50, 70)
    assert band.contains(50) and band.contains(Fraction(6999, 100))
    assert not band.contains(70) and not band.contains(Fraction(4999, 100))
    top = StarBand(5, 90, None)
    assert top.contains(100) and top.contains(90) and not top.contains(Fraction(8999, 100))
    assert [(b.stars, b.low, b.high) for b in QD26_2026.star_bands] == [
        (1, 0, 30), (2, 30, 50), (3, 50, 70), (4, 70, 90), (5, 90, None),
    ]  # fmt: skip


@pytest.mark.parametrize("score", [-0.01, Fraction(10001, 100), 101])
def test_a_score_outside_0_to_100_has_no_stars(score: float) -> None:
    with pytest.raises(ocop.InvalidInput) as refused:
        QD26_2026.stars_for(score)
    err = refused.value
    assert (err.field, err.text, err.values) == (
        "score",
        "Điểm {score:g} nằm ngoài khoảng 0–{max}.",
        {"score": float(score), "max": 100},
    )
    assert (
        err.explain("vi") == f"Dữ liệu không hợp lệ: Điểm {float(score):g} nằm ngoài khoảng 0–100."
    )


def test_the_raters_and_who_decides_5_stars() -> None:
    for rules in (QD26_2026, QD148_1489):
        assert dict(rules.raters) == {
            3: Role.PROVINCE_OFFICER,
            4: Role.PROVINCE_OFFICER,
            5: Role.CENTRAL_OFFICER,
        }
        assert isinstance(rules.part_maxima, MappingProxyType)
        assert rules.commune_criteria == (
            "local_materials", "local_labour", "idea_origin", "local_identity",
        )  # fmt: skip
        assert (rules.required_documents, rules.samples_required) == (("mau_01", "mau_02"), 5)


def test_148_1489s_notice_grounds_and_no_rounds() -> None:
    # The issuer notifies ≥ 30 days before expiry; no window, no grace, no rounds found.
    assert (QD148_1489.recertification_opens_days, QD148_1489.filing_closes_days) == (30, None)
    assert QD148_1489.grace_after_expiry_days == 0
    assert QD148_1489.province_rounds == () == QD148_1489.central_rounds
    assert set(QD148_1489.revocation_grounds) == {
        "process_not_followed", "food_safety", "production_stopped", "product_differs",
        "not_rerated",
    }  # fmt: skip
    assert QD148_1489.deadline("commune") is None
    assert QD26_2026.deadline("revocation") == ocop.states.Deadline(15, "days")


def test_26_2026s_revocation_grounds_are_dieu_8_1_a_to_e() -> None:
    grounds = QD26_2026.revocation_grounds
    assert list(grounds) == [
        "false_dossier", "criteria_not_met", "law_breach", "mark_misuse",
        "production_stopped", "other",
    ]  # fmt: skip
    assert [text.rsplit("(", 1)[1] for text in grounds.values()] == [
        "Điều 8.1.a)", "Điều 8.1.b)", "Điều 8.1.c)", "Điều 8.1.d)", "Điều 8.1.đ)", "Điều 8.1.e)",
    ]  # fmt: skip


def test_a_deployment_may_set_a_value_and_an_unknown_setting_is_refused() -> None:
    set_limit = QD26_2026.replace(
        step_deadlines={"province_first": ocop.states.Deadline(30, "days")}
    )
    assert set_limit.deadline("province_first") == ocop.states.Deadline(30, "days")
    assert set_limit.deadline("commune") is None  # the deployment's mapping, as given
    with pytest.raises(ocop.InvalidInput) as refused:
        QD26_2026.replace(colour="red")
    err = refused.value
    assert (err.field, err.text) == (
        "rule_set",
        "Thiết lập của quy định không được nhận: {problem}",
    )
    assert "colour" in str(err.values["problem"])


# -- the rounds (§7): proposed by the cut-off, rated by its date -------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), (1, 2026)),
        (date(2026, 4, 30), (1, 2026)),  # on the cut-off: still this round
        (date(2026, 5, 1), (2, 2026)),
        (date(2026, 10, 30), (2, 2026)),
        (date(2026, 10, 31), (1, 2027)),  # after the year's last cut-off: next year's first
        (date(2026, 12, 31), (1, 2027)),
    ],
)
def test_the_province_round_of_a_proposal(day: date, expected: tuple[int, int]) -> None:
    found = next_round(QD26_2026.province_rounds, day)
    assert found is not None and (found[0].number, found[1]) == expected


@pytest.mark.parametrize(
    ("day", "expected", "rated"),
    [
        (date(2026, 1, 30), (2, 2026), date(2026, 3, 30)),
        (date(2026, 1, 31), (1, 2026), date(2026, 9, 30)),
        (date(2026, 7, 30), (1, 2026), date(2026, 9, 30)),
        (date(2026, 7, 31), (2, 2027), date(2027, 3, 30)),
    ],
)
def test_the_central_round_of_a_proposal(day: date, expected: tuple[int, int], rated: date) -> None:
    found = next_round(QD26_2026.central_rounds, day)
    assert found is not None and (found[0].number, found[1]) == expected
    assert found[0].rated_by_on(found[1]) == rated
    assert found[0].cutoff_on(found[1]) >= day


def test_no_rounds_no_round() -> None:
    assert next_round((), date(2026, 8, 3)) is None


def test_a_round_rated_after_new_year_is_rated_in_the_next_year() -> None:
    winter = RoundCutoff(3, (11, 30), (2, 28))
    assert winter.cutoff_on(2026) == date(2026, 11, 30)
    assert winter.rated_by_on(2026) == date(2027, 2, 28)
    same = RoundCutoff(4, (11, 30), (11, 30))  # rated by its own cut-off day: that year
    assert same.rated_by_on(2026) == date(2026, 11, 30)


def test_a_law_that_governs_again_after_another_lapses_is_one_period() -> None:
    # 2024: C; 2025: B; from 2026 A is newer than B, and still governs once B lapses (30/6).
    c = QD26_2026.replace(
        id="c", effective_from=date(2024, 1, 1), effective_until=date(2024, 12, 31)
    )
    b = QD26_2026.replace(
        id="b", effective_from=date(2025, 1, 1), effective_until=date(2026, 6, 30)
    )
    a = QD26_2026.replace(id="a", effective_from=date(2026, 1, 1))
    assert periods({"c": c, "b": b, "a": a}) == [
        (date(2024, 1, 1), date(2024, 12, 31), c),
        (date(2025, 1, 1), date(2025, 12, 31), b),
        (date(2026, 1, 1), None, a),
    ]
    assert periods({"b": b, "a": a}) == [
        (date(2025, 1, 1), date(2025, 12, 31), b),
        (date(2026, 1, 1), None, a),
    ]
