"""What each step takes, declared once: the input's name in the library, the type it is given
as, what officers call it, and the ``ocop`` options that give it (flag, help text, metavar, what
the option's text is read as).

``Registry.fire(id, trigger, **inputs)`` checks the inputs against :func:`input_model`, the
pydantic model built from these declarations (an unknown name, or a value of the wrong type,
is :class:`~ocop.errors.InvalidInput` naming the input); the step then checks what the law
asks of each value. The CLI builds each step command's options and their help from the
:class:`Option` declarations and gathers their values under the input's name; its refusals say
which option gives a missing value. CONTRIBUTING.md lists every step's inputs
(``tests/test_inputs.py`` holds the list to this table, and fails when a step command's options
and its trigger's inputs disagree).

Nothing here knows argparse: an option says what its text is (:class:`Parse`), and the CLI maps
each kind to its parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from ocop.states.lifecycle import Kind, Trigger
from ocop.states.rulesets import COMMUNE_CRITERIA, RULE_SETS, RuleSet
from ocop.text import N_, NC_, term

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["INPUTS", "Input", "Option", "Parse", "input_model", "input_named", "input_names"]

Score = int | float | Decimal | str
"""A part score as given: a number, or the text an officer typed (``18,5``)."""

Day = date | str
"""A date, or its ISO text (``2026-08-30``), which the step reads."""


class Parse(StrEnum):
    """What an option's text is read as, before the library sees it."""

    TEXT = "text"
    """As typed."""
    INTEGER = "integer"
    """A whole number."""
    SCORE = "score"
    """A part score, a decimal number."""
    DATE = "date"
    """A day, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; the library is given its ISO text."""
    DOCUMENTS = "documents"
    """Document names separated by commas (``mau_01,mau_02``); the library is given the list."""
    CHOICE = "choice"
    """One of the values :attr:`Option.choices` names."""
    SHEETS = "sheets"
    """A file of council members' sheets (.csv, .xlsx, .toml), read once the dossier is loaded,
    against its own rule set's part maxima."""
    SHEET = "sheet"
    """One council member's sheet, ``NAME:A:B:C[:STARS]``, read as :attr:`SHEETS` is."""


@dataclass(frozen=True)
class Option:
    """One ``ocop`` option that gives an input, or one entry of it."""

    flag: str
    """The option (``--samples``)."""
    help: str
    """Its help, in Vietnamese: the catalogue's id (``N_``), with the ``{placeholders}`` that
    :attr:`help_values` fills."""
    parse: Parse = Parse.TEXT
    """What its text is read as."""
    metavar: str | None = None
    """What the help calls its value; ``None``: the flag's name in capitals."""
    repeated: bool = False
    """Whether it may be given more than once (each value is kept)."""
    key: str | None = None
    """For an input that is a mapping: the entry this option gives."""
    choices: Callable[[], Sequence[str]] | None = None
    """For :attr:`Parse.CHOICE`: the values it takes, known when the command is built."""
    help_values: Callable[[], Mapping[str, object]] | None = None
    """What the help's placeholders read when the command is built (a rule set's maxima)."""

    def __post_init__(self) -> None:
        if (self.parse is Parse.CHOICE) != (self.choices is not None):
            raise ValueError(f"{self.flag}: a choice, and only a choice, names its choices")

    def help_text(self, translate: Callable[..., str]) -> str:
        """The help in the language ``translate`` looks texts up in."""
        values = self.help_values() if self.help_values else {}
        return translate(self.help, **values) if values else translate(self.help)


_SHEET_KINDS = frozenset({Parse.SHEETS, Parse.SHEET})


@dataclass(frozen=True)
class Input:
    """One value a step takes, and the options that give it."""

    name: str
    """The keyword ``Registry.fire`` takes it by."""
    called: str
    """What officers call it, in Vietnamese: the catalogue's id under the context ``input``."""
    accepts: Any
    """The type the library takes it as (checked strictly: ``"5"`` is not a number)."""
    options: tuple[Option, ...]
    """The options that give it: one; or one per entry of a mapping (each with its
    :attr:`Option.key`); or the ways of giving the council's sheets (:attr:`Parse.SHEETS`,
    :attr:`Parse.SHEET`), of which an officer uses one."""

    def __post_init__(self) -> None:
        keyed = {o.key is not None for o in self.options}
        sheets = {o.parse in _SHEET_KINDS for o in self.options}
        if not self.options or len(keyed) > 1 or len(sheets) > 1:
            raise ValueError(f"{self.name}: its options must all give entries, or all sheets")
        if len(self.options) > 1 and keyed == {False} and sheets == {False}:
            raise ValueError(f"{self.name}: several options must give entries or sheets")

    @property
    def flag(self) -> str:
        """Its options, as CONTRIBUTING.md lists them (``--sheets/--sheet``)."""
        return "/".join(o.flag for o in self.options)

    @property
    def entries(self) -> bool:
        """Whether each option gives one entry of a mapping."""
        return self.options[0].key is not None

    @property
    def sheets(self) -> bool:
        """Whether the options give council sheets, read once the dossier is loaded."""
        return self.options[0].parse in _SHEET_KINDS

    def label(self, lang: str = "vi") -> str:
        """What officers call it, in ``lang``."""
        return term(lang, "input", self.called)


def _input(name: str, called: str, accepts: Any, flag: str, help: str, **option: Any) -> Input:
    """An input one option gives."""
    return Input(name, called, accepts, (Option(flag, help, **option),))


def _newest() -> RuleSet:
    # The help shows the newest rule set's maxima (all in the table agree today; the step checks
    # each dossier's own).
    return max(RULE_SETS.values(), key=lambda r: r.effective_from)


def _part(part: str, called: str) -> Input:
    return _input(
        part,
        called,
        Score,
        f"--{part}",
        N_("điểm trung bình phần {part} (0–{maximum})"),
        parse=Parse.SCORE,
        metavar="SCORE",
        help_values=lambda: {"part": part.upper(), "maximum": _newest().part_maxima[part]},
    )


def _grounds() -> Mapping[str, object]:
    grounds = sorted({g for rules in RULE_SETS.values() for g in rules.revocation_grounds})
    return {"grounds": ", ".join(grounds)}


_CRITERIA_HELP = {
    # The seed plan's wording (§III.3), as the refusals name them (ocop.explanations.CRITERIA).
    "local_materials": N_("nguồn gốc sản phẩm/nguyên liệu địa phương"),
    "local_labour": N_("sử dụng lao động địa phương"),
    "idea_origin": N_("nguồn gốc ý tưởng sản phẩm"),
    "local_identity": N_("bản sắc/trí tuệ địa phương"),
}

_DOCUMENTS = _input(
    "documents",
    NC_("input", "tài liệu nộp kèm"),
    Sequence[str],
    "--documents",
    N_(
        "tài liệu nộp kèm, cách nhau bởi dấu phẩy: mau_01 (Phiếu đăng ký), "
        "mau_02 (Báo cáo tự đánh giá), …"
    ),
    parse=Parse.DOCUMENTS,
    metavar="NAMES",
    repeated=True,
)
_SAMPLES = _input(
    "samples",
    NC_("input", "số mẫu sản phẩm"),
    int,
    "--samples",
    N_("số mẫu sản phẩm"),
    parse=Parse.INTEGER,
    metavar="N",
)
_CRITERIA = Input(
    "criteria",
    NC_("input", "đánh giá bốn tiêu chí của xã"),
    Mapping[str, str],
    tuple(
        Option("--" + name.replace("_", "-"), _CRITERIA_HELP[name], metavar="TEXT", key=name)
        for name in COMMUNE_CRITERIA
    ),
)
_RATING = (
    _part("a", NC_("input", "điểm phần A")),
    _part("b", NC_("input", "điểm phần B")),
    _part("c", NC_("input", "điểm phần C")),
    _input(
        "minimum_stars_met",
        NC_("input", "hạng sao mà mọi tiêu chí bắt buộc đều đạt"),
        int,
        "--minimum-stars",
        N_("hạng sao cao nhất mà mọi tiêu chí bắt buộc (***) đều đạt"),
        parse=Parse.INTEGER,
        metavar="STARS",
    ),
    # One input, two ways to give it: a file of sheets, or one option per member.
    Input(
        "sheets",
        NC_("input", "phiếu chấm điểm của từng thành viên Hội đồng"),
        Sequence[Any],  # mappings or CouncilSheet models; the step checks each
        (
            Option(
                "--sheets",
                N_(
                    "phiếu chấm của từng thành viên Hội đồng: tệp .csv, .xlsx hoặc .toml "
                    "(cột member, a, b, c, minimum_stars_met); xếp hạng theo điểm trung "
                    "bình các phiếu"
                ),
                parse=Parse.SHEETS,
                metavar="FILE",
            ),
            Option(
                "--sheet",
                N_(
                    "một phiếu thành viên (lặp lại cho từng người), "
                    'ví dụ "Nguyễn Văn An:32:18,5:21:4"'
                ),
                parse=Parse.SHEET,
                metavar="NAME:A:B:C[:STARS]",
                repeated=True,
            ),
        ),
    ),
    _input(
        "certificate_number",
        NC_("input", "số giấy chứng nhận"),
        str,
        "--certificate",
        N_("số giấy chứng nhận"),
    ),
    _input(
        "decision_number",
        NC_("input", "số quyết định công nhận"),
        str,
        "--decision",
        N_("số quyết định công nhận"),
    ),
    _input(
        "issued_on",
        NC_("input", "ngày cấp giấy chứng nhận"),
        Day,
        "--issued-on",
        N_("ngày cấp (mặc định hôm nay)"),
        parse=Parse.DATE,
        metavar="DATE",
    ),
)
_PROPOSED_ON = _input(
    "proposed_on",
    NC_("input", "ngày tỉnh đề nghị Bộ đánh giá 5 sao"),
    Day,
    "--proposed-on",
    N_(
        "từ 90 điểm: ngày tỉnh đề nghị Bộ đánh giá 5 sao, quyết định đợt của "
        "Trung ương (mặc định hôm nay)"
    ),
    parse=Parse.DATE,
    metavar="DATE",
)
_REASON = NC_("input", "lý do")

INPUTS: dict[Trigger, tuple[Input, ...]] = {
    # The same input, helped as each step needs it: a return must say why, a withdrawal may.
    Trigger.RETURN_DOSSIER: (
        _input("reason", _REASON, str, "--reason", N_("lý do trả lại (bắt buộc)")),
    ),
    Trigger.RESUBMIT: (_DOCUMENTS, _SAMPLES),
    Trigger.CHECK: (_DOCUMENTS, _SAMPLES),
    Trigger.EVALUATE: (
        _CRITERIA,
        _input(
            "report_number",
            NC_("input", "số báo cáo Mẫu 03"),
            str,
            "--report-number",
            N_("số báo cáo Mẫu 03"),
        ),
        _input(
            "report_date",
            NC_("input", "ngày báo cáo Mẫu 03"),
            Day,
            "--report-date",
            N_("ngày báo cáo"),
            parse=Parse.DATE,
            metavar="DATE",
        ),
    ),
    Trigger.SUBMIT: (
        _input(
            "letter_number",
            NC_("input", "số văn bản đề nghị tỉnh"),
            str,
            "--letter-number",
            N_("số văn bản"),
        ),
        _input(
            "letter_date",
            NC_("input", "ngày văn bản đề nghị tỉnh"),
            Day,
            "--letter-date",
            N_("ngày văn bản"),
            parse=Parse.DATE,
            metavar="DATE",
        ),
        _input(
            "round",
            NC_("input", "đợt đánh giá của tỉnh"),
            int,
            "--round",
            N_("đợt của tỉnh (mặc định theo ngày)"),
            parse=Parse.INTEGER,
        ),
    ),
    Trigger.RATE: (*_RATING, _PROPOSED_ON),
    Trigger.RATE_CENTRAL: _RATING,
    Trigger.FLAG_RECERTIFICATION: (),
    Trigger.REAPPLY: (
        _input(
            "kind",
            NC_("input", "loại chu kỳ"),
            str,
            "--kind",
            N_("mặc định: đánh giá lại khi GCN còn hiệu lực"),
            parse=Parse.CHOICE,
            choices=lambda: [k.value for k in Kind],
        ),
        _input(
            "rule_set",
            NC_("input", "quy định áp dụng"),
            str,
            "--rule-set",
            N_("quy định áp dụng (mặc định theo ngày)"),
            parse=Parse.CHOICE,
            choices=lambda: sorted(RULE_SETS),
        ),
        _DOCUMENTS,
        _SAMPLES,
    ),
    Trigger.EXPIRE: (),
    Trigger.REVOKE: (
        # The grounds are listed, not enforced: each dossier's rule set has its own, which the
        # step checks.
        _input(
            "ground",
            NC_("input", "căn cứ thu hồi"),
            str,
            "--ground",
            N_("căn cứ thu hồi, theo quy định của hồ sơ: {grounds}"),
            metavar="GROUND",
            help_values=_grounds,
        ),
    ),
    Trigger.WITHDRAW: (_input("reason", _REASON, str, "--reason", N_("lý do")),),
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
