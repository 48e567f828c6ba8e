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
from ocop.text import NC_, term

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
    called: str
    """What officers call it, in Vietnamese: the catalogue's id under the context ``input``."""
    accepts: Any = str
    """The type the library takes it as (checked strictly: ``"5"`` is not a number)."""

    def label(self, lang: str = "vi") -> str:
        """What officers call it, in ``lang``."""
        return term(lang, "input", self.called)


_REASON = Input("reason", "--reason", NC_("input", "lý do"))
_DOCUMENTS = Input("documents", "--documents", NC_("input", "tài liệu nộp kèm"), Sequence[str])
_SAMPLES = Input("samples", "--samples", NC_("input", "số mẫu sản phẩm"), int)
_CRITERIA = Input(
    "criteria",
    "--local-materials/--local-labour/--idea-origin/--local-identity",
    NC_("input", "đánh giá bốn tiêu chí của xã"),
    Mapping[str, str],
)
_LETTER_NUMBER = Input("letter_number", "--letter-number", NC_("input", "số văn bản đề nghị tỉnh"))
_LETTER_DATE = Input("letter_date", "--letter-date", NC_("input", "ngày văn bản đề nghị tỉnh"), Day)
_RATING = (
    Input("a", "--a", NC_("input", "điểm phần A"), Score),
    Input("b", "--b", NC_("input", "điểm phần B"), Score),
    Input("c", "--c", NC_("input", "điểm phần C"), Score),
    Input(
        "minimum_stars_met",
        "--minimum-stars",
        NC_("input", "hạng sao mà mọi tiêu chí bắt buộc đều đạt"),
        int,
    ),
    Input("certificate_number", "--certificate", NC_("input", "số giấy chứng nhận")),
    Input("decision_number", "--decision", NC_("input", "số quyết định công nhận")),
    Input("issued_on", "--issued-on", NC_("input", "ngày cấp giấy chứng nhận"), Day),
    # One input, two ways to give it: a file of sheets, or one option per member.
    Input(
        "sheets",
        "--sheets/--sheet",
        NC_("input", "phiếu chấm điểm của từng thành viên Hội đồng"),
        Sequence[Any],  # mappings or CouncilSheet models; the step checks each
    ),
)
_PROPOSED_ON = Input(
    "proposed_on",
    "--proposed-on",
    NC_("input", "ngày tỉnh đề nghị Bộ đánh giá 5 sao"),
    Day,
)

INPUTS: dict[Trigger, tuple[Input, ...]] = {
    Trigger.RETURN_DOSSIER: (_REASON,),
    Trigger.RESUBMIT: (_DOCUMENTS, _SAMPLES),
    Trigger.CHECK: (_DOCUMENTS, _SAMPLES),
    Trigger.EVALUATE: (
        _CRITERIA,
        Input("report_number", "--report-number", NC_("input", "số báo cáo Mẫu 03")),
        Input("report_date", "--report-date", NC_("input", "ngày báo cáo Mẫu 03"), Day),
    ),
    Trigger.SUBMIT: (
        _LETTER_NUMBER,
        _LETTER_DATE,
        Input("round", "--round", NC_("input", "đợt đánh giá của tỉnh"), int),
    ),
    Trigger.RATE: (*_RATING, _PROPOSED_ON),
    Trigger.RATE_CENTRAL: _RATING,
    Trigger.FLAG_RECERTIFICATION: (),
    Trigger.REAPPLY: (
        Input("kind", "--kind", NC_("input", "loại chu kỳ")),
        _DOCUMENTS,
        _SAMPLES,
        Input("rule_set", "--rule-set", NC_("input", "quy định áp dụng")),
    ),
    Trigger.EXPIRE: (),
    Trigger.REVOKE: (Input("ground", "--ground", NC_("input", "căn cứ thu hồi")),),
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
            Field(None, description=each.label("en"), json_schema_extra={"flag": each.flag}),
        )
        for each in INPUTS[trigger]
    }
    config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True)
    model: type[BaseModel] = create_model(
        f"{trigger.name.title()}Inputs", __config__=config, **fields
    )
    return model
