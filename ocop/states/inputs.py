"""What each step takes, declared once: the input's name in the library, the CLI option that
gives it and what officers call it.

The steps accept exactly these names (``Registry.fire(id, trigger, **inputs)``; anything else
is :class:`~ocop.errors.InvalidInput` naming them), the CLI's refusals say which option gives
a missing value, and ``tests/test_inputs.py`` fails when a step command's options and its
trigger's inputs disagree. How each value is checked stays with its step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocop.states.lifecycle import Trigger

__all__ = ["INPUTS", "Input", "input_named", "input_names"]


@dataclass(frozen=True)
class Input:
    """One value a step takes."""

    name: str
    """The keyword ``Registry.fire`` takes it by."""
    flag: str
    """The ``ocop`` option that gives it."""
    vi: str
    en: str

    def label(self, lang: str = "vi") -> str:
        """What officers call it."""
        return self.en if lang == "en" else self.vi


_REASON = Input("reason", "--reason", "lý do", "a reason")
_DOCUMENTS = Input("documents", "--documents", "tài liệu nộp kèm", "the documents handed in")
_SAMPLES = Input("samples", "--samples", "số mẫu sản phẩm", "the number of product samples")
_CRITERIA = Input(
    "criteria",
    "--local-materials/--local-labour/--idea-origin/--local-identity",
    "đánh giá bốn tiêu chí của xã",
    "the commune's assessment of the four criteria",
)
_LETTER_NUMBER = Input(
    "letter_number", "--letter-number", "số văn bản đề nghị tỉnh", "the request letter's number"
)
_LETTER_DATE = Input(
    "letter_date", "--letter-date", "ngày văn bản đề nghị tỉnh", "the request letter's date"
)
_RATING = (
    Input("a", "--a", "điểm phần A", "the part A score"),
    Input("b", "--b", "điểm phần B", "the part B score"),
    Input("c", "--c", "điểm phần C", "the part C score"),
    Input(
        "minimum_stars_met",
        "--minimum-stars",
        "hạng sao mà mọi tiêu chí bắt buộc đều đạt",
        "the star level whose starred minimum criteria are all met",
    ),
    Input("certificate_number", "--certificate", "số giấy chứng nhận", "a certificate number"),
    Input("decision_number", "--decision", "số quyết định công nhận", "the decision's number"),
    Input("issued_on", "--issued-on", "ngày cấp giấy chứng nhận", "the certificate's date"),
    # One input, two ways to give it: a file of sheets, or one option per member.
    Input(
        "sheets",
        "--sheets/--sheet",
        "phiếu chấm điểm của từng thành viên Hội đồng",
        "each council member's scoring sheet",
    ),
)
_PROPOSED_ON = Input(
    "proposed_on",
    "--proposed-on",
    "ngày tỉnh đề nghị Bộ đánh giá 5 sao",
    "the date the province proposes the product to the Ministry",
)

INPUTS: dict[Trigger, tuple[Input, ...]] = {
    Trigger.RETURN_DOSSIER: (_REASON,),
    Trigger.RESUBMIT: (_DOCUMENTS, _SAMPLES),
    Trigger.CHECK: (_DOCUMENTS, _SAMPLES),
    Trigger.EVALUATE: (
        _CRITERIA,
        Input("report_number", "--report-number", "số báo cáo Mẫu 03", "the Mẫu 03 number"),
        Input("report_date", "--report-date", "ngày báo cáo Mẫu 03", "the Mẫu 03 date"),
    ),
    Trigger.SUBMIT: (
        _LETTER_NUMBER,
        _LETTER_DATE,
        Input("round", "--round", "đợt đánh giá của tỉnh", "the province's round"),
    ),
    Trigger.RATE: (*_RATING, _PROPOSED_ON),
    Trigger.RATE_CENTRAL: _RATING,
    Trigger.FLAG_RECERTIFICATION: (),
    Trigger.REAPPLY: (
        Input("kind", "--kind", "loại chu kỳ", "the kind of cycle"),
        _DOCUMENTS,
        _SAMPLES,
        Input("rule_set", "--rule-set", "quy định áp dụng", "the rule set"),
    ),
    Trigger.EXPIRE: (),
    Trigger.REVOKE: (Input("ground", "--ground", "căn cứ thu hồi", "a revocation ground"),),
    Trigger.WITHDRAW: (_REASON,),
}
"""The inputs of every trigger fired on an existing dossier (``register`` takes Mẫu 01)."""


def input_names(trigger: Trigger) -> frozenset[str]:
    """The keywords ``trigger`` takes."""
    return frozenset(i.name for i in INPUTS[trigger])


def input_named(name: str) -> Input | None:
    """The input called ``name`` by any step (the same name means the same thing)."""
    for inputs in INPUTS.values():
        for found in inputs:
            if found.name == name:
                return found
    return None
