"""What each step takes, declared once: the input's name in the library, the type it is given
as, the CLI option that gives it and what officers call it.

``Registry.fire(id, trigger, **inputs)`` checks the inputs against :func:`input_model`, the
pydantic model built from these declarations (an unknown name, or a value of the wrong type,
is :class:`~ocop.errors.InvalidInput` naming the input); the step then checks what the law
asks of each value. The CLI's refusals say which option gives a missing value, CONTRIBUTING.md
lists every step's inputs (``tests/test_inputs.py`` holds the list to this table), and the
same test fails when a step command's options and its trigger's inputs disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ocop.states.lifecycle import Trigger

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["INPUTS", "Input", "input_model", "input_named", "input_names"]

Score = int | float | Decimal | str
"""A part score as given: a number, or the text an officer typed (``18,5``)."""

Day = date | str
"""A date, or its ISO text (``2026-08-30``), which the step reads."""


@dataclass(frozen=True)
class Input:
    """One value a step takes."""

    name: str
    """The keyword ``Registry.fire`` takes it by."""
    flag: str
    """The ``ocop`` option that gives it."""
    vi: str
    en: str
    accepts: Any = str
    """The type the library takes it as (checked strictly: ``"5"`` is not a number)."""

    def label(self, lang: str = "vi") -> str:
        """What officers call it."""
        return self.en if lang == "en" else self.vi


_REASON = Input("reason", "--reason", "lý do", "a reason")
_DOCUMENTS = Input(
    "documents", "--documents", "tài liệu nộp kèm", "the documents handed in", Sequence[str]
)
_SAMPLES = Input("samples", "--samples", "số mẫu sản phẩm", "the number of product samples", int)
_CRITERIA = Input(
    "criteria",
    "--local-materials/--local-labour/--idea-origin/--local-identity",
    "đánh giá bốn tiêu chí của xã",
    "the commune's assessment of the four criteria",
    Mapping[str, str],
)
_LETTER_NUMBER = Input(
    "letter_number", "--letter-number", "số văn bản đề nghị tỉnh", "the request letter's number"
)
_LETTER_DATE = Input(
    "letter_date", "--letter-date", "ngày văn bản đề nghị tỉnh", "the request letter's date", Day
)
_RATING = (
    Input("a", "--a", "điểm phần A", "the part A score", Score),
    Input("b", "--b", "điểm phần B", "the part B score", Score),
    Input("c", "--c", "điểm phần C", "the part C score", Score),
    Input(
        "minimum_stars_met",
        "--minimum-stars",
        "hạng sao mà mọi tiêu chí bắt buộc đều đạt",
        "the star level whose starred minimum criteria are all met",
        int,
    ),
    Input("certificate_number", "--certificate", "số giấy chứng nhận", "a certificate number"),
    Input("decision_number", "--decision", "số quyết định công nhận", "the decision's number"),
    Input("issued_on", "--issued-on", "ngày cấp giấy chứng nhận", "the certificate's date", Day),
    # One input, two ways to give it: a file of sheets, or one option per member.
    Input(
        "sheets",
        "--sheets/--sheet",
        "phiếu chấm điểm của từng thành viên Hội đồng",
        "each council member's scoring sheet",
        Sequence[Any],  # mappings or CouncilSheet models; the step checks each
    ),
)
_PROPOSED_ON = Input(
    "proposed_on",
    "--proposed-on",
    "ngày tỉnh đề nghị Bộ đánh giá 5 sao",
    "the date the province proposes the product to the Ministry",
    Day,
)

INPUTS: dict[Trigger, tuple[Input, ...]] = {
    Trigger.RETURN_DOSSIER: (_REASON,),
    Trigger.RESUBMIT: (_DOCUMENTS, _SAMPLES),
    Trigger.CHECK: (_DOCUMENTS, _SAMPLES),
    Trigger.EVALUATE: (
        _CRITERIA,
        Input("report_number", "--report-number", "số báo cáo Mẫu 03", "the Mẫu 03 number"),
        Input("report_date", "--report-date", "ngày báo cáo Mẫu 03", "the Mẫu 03 date", Day),
    ),
    Trigger.SUBMIT: (
        _LETTER_NUMBER,
        _LETTER_DATE,
        Input("round", "--round", "đợt đánh giá của tỉnh", "the province's round", int),
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


@cache
def input_model(trigger: Trigger) -> type[BaseModel]:
    """The pydantic model of ``trigger``'s inputs: each optional, of its declared type, and
    nothing else (``extra="forbid"``). Whether a value is required, and within which bounds,
    is the step's to say, as a refusal that names what is missing.

    >>> input_model(Trigger.CHECK).model_validate({"samples": 5}).samples
    5
    """
    from pydantic import ConfigDict, Field, create_model

    fields: dict[str, Any] = {
        each.name: (
            each.accepts | None,
            Field(None, description=each.en, json_schema_extra={"flag": each.flag}),
        )
        for each in INPUTS[trigger]
    }
    config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True)
    model: type[BaseModel] = create_model(
        f"{trigger.name.title()}Inputs", __config__=config, **fields
    )
    return model
