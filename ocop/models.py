"""The records a caller reads and writes: dossiers, their parts, history rows, users.

Pydantic models validate what comes in (Mẫu 01 fields, scores, dates) and normalise Vietnamese
text to NFC, so that "Lưu Vệ" typed in decomposed form is the same string as the stored one.
Records the library returns are frozen.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import SchemaValidator, core_schema

from ocop.errors import InvalidInput
from ocop.states import Kind, Role, State
from ocop.text import LANGUAGES, N_, translator

__all__ = [
    "STORED",
    "Actor",
    "Certificate",
    "CertifiedProduct",
    "CommuneEvaluation",
    "CouncilSheet",
    "Dossier",
    "Email",
    "HistoryEntry",
    "Kind",
    "Message",
    "Producer",
    "Rating",
    "Registration",
    "Submission",
    "User",
    "clean_text",
    "fold",
    "nfc",
    "parse",
    "parse_date",
    "to_date",
]

# In free text (a reason, a note): C0 but tab and line breaks, DEL, and C1 (U+0085 among them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a single line, also every line break: CR, LF, VT, FF, NEL (U+0085) and the Unicode line
# and paragraph separators, any of which splits an e-mail header, a CSV row or a printed form.
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

STORED: Mapping[str, bool] = {"stored": True}
"""The validation context of a record read back from the database
(``Dossier.model_validate(row, context=STORED)``): written under the rules of its day, it is
not refused for a check that became stricter since (a name with U+2028, an address the e-mail
validator now refuses). Input is always checked in full."""


def nfc(text: str) -> str:
    """``text`` in Unicode NFC with surrounding white space removed."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """``text`` without diacritics, in lower case, for searching: "Miến gạo" → "mien gao"."""
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    return stripped.replace("đ", "d").replace("Đ", "d").casefold().strip()


class Problem(ValueError):
    """What a validator refuses, in the catalogue's words: ``text`` (Vietnamese, marked with
    ``N_``) and its ``values``; the exception's own text is the English, which is what
    pydantic shows. :func:`parse` turns it into :class:`InvalidInput` with the same words."""

    def __init__(self, text: str, /, **values: object) -> None:
        super().__init__(translator("en")(text, **values))
        self.text = text
        self.values = values


def _stored(info: ValidationInfo) -> bool:
    return isinstance(info.context, Mapping) and bool(info.context.get("stored"))


def _clean_line(value: object, info: ValidationInfo) -> object:
    """NFC, and one line: no control character (C0, DEL, C1) and no line or paragraph
    separator (U+2028, U+2029, U+0085 …), which would split an e-mail header or a CSV row."""
    if isinstance(value, str):
        value = nfc(value)
        found = _NOT_IN_LINE.search(value)
        if found and not _stored(info):
            raise Problem(
                N_(
                    "phải là một dòng, không có ký tự điều khiển hay ký tự xuống dòng (có U+{code})"
                ),
                code=f"{ord(found.group()):04X}",
            )
    return value


def _clean_text(value: object, info: ValidationInfo) -> object:
    """NFC; line breaks and tabs are kept, other control characters (NUL, C1 …) refused."""
    if isinstance(value, str):
        value = nfc(value)
        found = _CONTROL.search(value)
        if found and not _stored(info):
            raise Problem(
                N_("không được có ký tự điều khiển (có U+{code})"),
                code=f"{ord(found.group()):04X}",
            )
    return value


def _email(value: object, info: ValidationInfo) -> object:
    """One e-mail address, checked by ``email-validator`` (syntax only, no DNS look-up):
    ``a,evil@x.example``, ``<x>@y.example``, ``x@y.z;`` and ``a@b..c`` are refused, each
    with the validator's reason. The domain comes back lower-cased."""
    if not isinstance(value, str) or _stored(info):
        return value
    from email_validator import EmailNotValidError, validate_email

    text = nfc(value)
    if _NOT_IN_LINE.search(text):
        raise Problem(N_("địa chỉ e-mail phải là một dòng, không có ký tự điều khiển"))
    # As for the daemon's sender: a commune's own mail server (localhost, *.local) is a domain
    # too, though not one on the Internet.
    domain = text.rpartition("@")[2].lower()
    own = domain == "localhost" or domain.endswith((".localhost", ".local"))
    try:
        checked = validate_email(
            f"{text}.example" if own else text,
            check_deliverability=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        raise Problem(
            N_("'{address}' không phải địa chỉ e-mail (theo trình kiểm tra: {reason})"),
            address=text,
            reason=str(exc).rstrip("."),
        ) from None
    return checked.normalized.removesuffix(".example") if own else checked.normalized


Email = Annotated[str, BeforeValidator(_email), Field(max_length=254)]
"""One e-mail address (``name@domain``), checked by ``email-validator``."""


def _lang(value: object) -> object:
    """``vi`` or ``en`` in any case; empty means none chosen; anything else refused by name."""
    if isinstance(value, str):
        value = value.strip().lower() or None
        if value is not None and value not in LANGUAGES:
            raise Problem(
                N_("phải là vi hoặc en (ngôn ngữ của thư), không phải '{value}'"), value=value
            )
    return value


def clean_text(value: object, field: str, *, limit: int = 4000) -> str:
    """Free text from a caller (a reason, a note): NFC, no control characters, ``limit`` long."""
    if not isinstance(value, str):
        raise InvalidInput.said(N_("{name} phải là chữ."), field=field, name=field)
    text = nfc(value)
    if _CONTROL.search(text):
        raise InvalidInput.said(
            N_("{name} không được có ký tự điều khiển."), field=field, name=field
        )
    if len(text) > limit:
        raise InvalidInput.said(
            N_("{name} quá dài: tối đa {limit} ký tự."), field=field, name=field, limit=limit
        )
    return text


_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_date(value: object) -> object:
    """Accept ``YYYY-MM-DD`` and the Vietnamese ``DD/MM/YYYY``; leave other types to pydantic."""
    if isinstance(value, str):
        match = _DMY.match(value)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day)
            if not isinstance(value, datetime):
                return date.fromisoformat(value.strip())
        except ValueError:
            raise Problem(
                N_("'{value}' không phải ngày hợp lệ; viết YYYY-MM-DD hoặc DD/MM/YYYY"),
                value=value,
            ) from None
    return value


def to_date(value: date | str, field: str) -> date:
    """``value`` as a date (``YYYY-MM-DD`` or ``DD/MM/YYYY``), else :class:`InvalidInput`."""
    try:
        result = parse_date(value)
    except ValueError as exc:
        problem: object = exc
        raise InvalidInput.said(_FIELD_PROBLEM, field=field, name=field, problem=problem) from None
    if isinstance(result, datetime):
        return result.date()
    if not isinstance(result, date):
        raise InvalidInput.said(
            N_("{name}: {value} không phải là ngày."), field=field, name=field, value=repr(value)
        )
    return result


Line = Annotated[str, BeforeValidator(_clean_line), StringConstraints(min_length=1, max_length=300)]
Text = Annotated[
    str, BeforeValidator(_clean_text), StringConstraints(min_length=1, max_length=4000)
]
Day = Annotated[date, BeforeValidator(parse_date)]
Score = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Producer(_Model):
    """The producing unit (chủ thể OCOP) as written on Mẫu 01."""

    name: Line
    legal_representative: Line | None = None
    title: Line | None = None
    address: Line | None = None
    phone: Annotated[str, BeforeValidator(_clean_line), Field(max_length=40)] | None = None
    email: Email | None = None
    lang: Annotated[Literal["vi", "en"] | None, BeforeValidator(_lang)] = None
    """The language of the producer's mail (notices, reminders); ``None``: the plan's
    language (Vietnamese without a plan)."""


class Registration(_Model):
    """What ``register`` takes: the Mẫu 01 fields and the documents handed in."""

    product_name: Line
    product_set: Annotated[int, Field(ge=1, le=26)]
    kind: Kind = Kind.FIRST
    producer: Producer
    commune: Line
    province: Line
    owner: Line | None = None
    documents: frozenset[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]] = frozenset()
    samples: Annotated[int, Field(ge=0, le=1000)] = 0
    form_number: Line | None = None


def _stars(value: object) -> object:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


class CertifiedProduct(_Model):
    """One certified product to import: its Mẫu 01 fields and its certificate."""

    registration: Registration
    certificate_number: Line
    stars: Annotated[int, BeforeValidator(_stars), Field(ge=3, le=5)]
    issued_on: Day
    rule_set: str | None = None
    note: Annotated[str, Field(max_length=4000)] | None = None


class CommuneEvaluation(_Model):
    """The commune's assessment of the four local criteria (Mẫu 03)."""

    criteria: Mapping[str, Text]
    report_number: Line | None = None
    report_date: Day | None = None


class Submission(_Model):
    """The commune's request letter to the province, and the round it goes to."""

    letter_number: Line
    letter_date: Day
    round: int | None = None
    round_year: int | None = None


class CouncilSheet(_Model):
    """One council member's scoring sheet: the criteria set "kiêm phiếu đánh giá" (Phụ lục II)."""

    member: Line
    a: Score
    b: Score
    c: Score
    minimum_stars_met: Annotated[int, Field(ge=0, le=5)] | None = None
    """The highest star level whose starred minimum criteria this member found all met."""


class Rating(_Model):
    """A council's result: the part averages, their total and the stars it earns.

    ``total`` is the council's average, unrounded (the band is taken on it); ``band_stars``
    the stars of its band before the starred minimums, so ``stars < band_stars`` says the
    minimums capped them. ``sheets`` are the members' own sheets when the council's were given
    (empty when only the decided averages were). A province rating sent on to the Ministry
    records the proposal's date and the central round it goes to.
    """

    a: Score
    b: Score
    c: Score
    total: float
    stars: int
    level: str  # "province" or "central"
    rated_on: date
    minimum_stars_met: int | None = None
    decision_number: str | None = None
    band_stars: int | None = None
    sheets: tuple[CouncilSheet, ...] = ()
    proposed_on: date | None = None
    central_round: int | None = None
    central_round_year: int | None = None


class Certificate(_Model):
    """An OCOP certificate: 3 to 5 stars, valid for the rule set's months from issue."""

    number: Line
    stars: Annotated[int, Field(ge=3, le=5)]
    issued_on: Day
    expires_on: Day
    issued_by: str = "province"
    revoked_on: date | None = None
    revocation_ground: str | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the certificate is in force on ``day``."""
        return self.revoked_on is None and self.issued_on <= day <= self.expires_on


class Dossier(_Model):
    """One product's file at the commune, as it stands now."""

    id: int
    product_name: str
    product_set: int
    kind: Kind
    producer: Producer
    commune: str
    province: str
    owner: str | None
    state: State
    cycle: int
    rule_set: str
    version: int
    documents: frozenset[str] = frozenset()
    samples: int = 0
    form_number: str | None = None
    """Mẫu 01's "Phiếu số …/PĐK-(Mã tỉnh)-(Mã xã)-(Năm)" of this cycle (ocop.workflow.numbers)."""
    product_code: str | None = None
    """The product code "(T)-(X)-(STT)-(Năm)" once recognised 3★ or more; kept on re-rating."""
    registered_at: datetime
    created_at: datetime
    updated_at: datetime
    evaluation: CommuneEvaluation | None = None
    submission: Submission | None = None
    rating: Rating | None = None
    certificate: Certificate | None = None
    return_reason: str | None = None
    next_due_on: date | None = None
    next_due: str | None = None  # what falls due on next_due_on, e.g. "commune_deadline"

    @classmethod
    def new(
        cls,
        registration: Registration,
        *,
        state: State,
        rule_set: str,
        now: datetime,
        **fields: Any,
    ) -> Dossier:
        """A dossier not yet stored (id 0) from its Mẫu 01: version 1 of its first cycle."""
        values: dict[str, Any] = registration.model_dump(exclude={"documents", "producer"})
        # The producer as validated already: a model instance is taken as it is, not checked
        # again (its e-mail check alone cost an import of 20 000 rows 2 s more).
        values.update(documents=registration.documents, producer=registration.producer, **fields)
        return cls(
            id=0,
            state=state,
            cycle=1,
            rule_set=rule_set,
            version=1,
            registered_at=now,
            created_at=now,
            updated_at=now,
            **values,
        )


class HistoryEntry(_Model):
    """One row of the append-only audit trail."""

    id: int
    dossier_id: int
    version: int
    at: datetime
    actor: str
    role: Role
    trigger: str
    from_state: State | None
    to_state: State
    note: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class HistoryDraft:
    """A history row before it is stored: who did what, when, with which data.

    The registry builds one for each transition and hands it to the notices and to storage,
    which gives it its id and version as a :class:`HistoryEntry`.
    """

    at: datetime
    actor: str
    role: str
    trigger: str
    from_state: State | None
    to_state: State
    note: str | None = None
    payload: dict[str, Any] = dataclass_field(default_factory=dict)


class User(_Model):
    """Someone known to the CLI: an officer or a producer."""

    username: Annotated[str, BeforeValidator(_clean_line), Field(pattern=r"^[\w.@-]{1,64}$")]
    full_name: Line
    role: Role
    email: Email | None = None
    commune: Line | None = None
    province: Line | None = None
    active: bool = True

    def actor(self) -> Actor:
        """The :class:`Actor` this user acts as."""
        return Actor(self.username, self.role, commune=self.commune, province=self.province)


@dataclass(frozen=True)
class Actor:
    """Who fires a trigger: a name, a role and the commune or province they act in."""

    name: str
    role: Role
    commune: str | None = None
    province: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "role", Role(self.role))
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise InvalidInput.said(
                N_("Không có vai trò '{role}'; các vai trò là {roles}."),
                field="role",
                role=self.role,
                roles=roles,
            ) from None
        for attr in ("name", "commune", "province"):
            value = getattr(self, attr)
            if isinstance(value, str):
                object.__setattr__(self, attr, nfc(value))

    @classmethod
    def system(cls) -> Actor:
        """The daemon's sweep."""
        return cls("system", Role.SYSTEM)


class Message(_Model):
    """A message to put in the outbox, deduplicated by ``dedupe_key``."""

    dedupe_key: Annotated[str, Field(min_length=1, max_length=300)]
    kind: str
    recipient: str
    lang: str = "vi"
    dossier_id: int | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    not_before: datetime | None = None
    expires_at: datetime | None = None
    """No longer worth sending from then on (a reminder's last day); ``None``: never."""


M = TypeVar("M", bound=BaseModel)


def _unchecked(schema: Any) -> Any:
    """``schema`` (a pydantic core schema) without its Python validators and constraints: the
    types alone, which pydantic-core checks and converts in Rust (an ISO date string to a date,
    a state's value to the State, a list to a frozenset, a dict to the nested model)."""
    if isinstance(schema, dict):
        while isinstance(schema, dict) and str(schema.get("type", "")).startswith("function-"):
            schema = schema["schema"]
        return {key: _unchecked(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_unchecked(value) for value in schema]
    return schema


_STORED_LOCK = threading.Lock()
_STORED_VALIDATORS: dict[tuple[type[BaseModel], tuple[str, ...] | None], SchemaValidator] = {}


def _stored_validator(
    model: type[BaseModel], fields: tuple[str, ...] | None = None
) -> SchemaValidator:
    """The types-only validator of ``model`` (``fields=None``), or of a document holding some
    of its ``fields`` (a dict of them comes back), compiled once."""
    key = (model, fields)
    validator = _STORED_VALIDATORS.get(key)
    if validator is not None:
        return validator
    with _STORED_LOCK:
        if key not in _STORED_VALIDATORS:
            # pydantic-core reuses a complete model's own validator for a model schema it
            # meets, which would bring the Python checks back: marked incomplete while the
            # schema is compiled, each model (nested ones too) gets the types-only one.
            ours = [
                cls
                for cls in _Model.__subclasses__()
                if cls.__dict__.get("__pydantic_complete__", False)
            ]
            for cls in ours:
                cls.__pydantic_complete__ = False
            try:
                schema = _unchecked(model.__pydantic_core_schema__)
                if fields is not None:
                    schema = _document(schema, fields)
                compiled = SchemaValidator(schema)
            finally:
                for cls in ours:
                    cls.__pydantic_complete__ = True
            _STORED_VALIDATORS[key] = compiled
        return _STORED_VALIDATORS[key]


def _document(schema: Any, fields: tuple[str, ...]) -> Any:
    """A typed-dict schema of some fields of a model schema, each optional, others refused."""
    if schema["type"] == "definitions":
        return {**schema, "schema": _document(schema["schema"], fields)}
    model_fields = schema["schema"]["fields"]
    return core_schema.typed_dict_schema(
        {
            name: core_schema.typed_dict_field(model_fields[name]["schema"], required=False)
            for name in fields
        },
        extra_behavior="forbid",
        config=schema.get("config"),
    )


def stored_fields(
    model: type[BaseModel], fields: tuple[str, ...], document: str | bytes | Mapping[str, Any]
) -> dict[str, Any]:
    """Some of ``model``'s fields from a stored JSON document (text, or as the driver decoded
    it), typed as :func:`from_stored` types them: the nested models built, the text parsed by
    pydantic-core without a Python ``dict`` in between. A key not among ``fields`` is refused.
    """
    validator = _stored_validator(model, fields)
    parts: dict[str, Any]
    if isinstance(document, str | bytes):
        parts = validator.validate_json(document)
    else:
        parts = validator.validate_python(document)
    return parts


def assemble(model: type[M], values: dict[str, Any]) -> M:
    """``model`` from ``values`` already of its fields' types, every field given in the
    model's order: the record :func:`from_stored` gives for them, without its pass over the
    fields (a third of the time of a stored dossier). Nothing is converted or checked: for
    values typed by the caller from our own typed columns and :func:`stored_fields`."""
    built = model.__new__(model)
    object.__setattr__(built, "__dict__", values)
    object.__setattr__(built, "__pydantic_fields_set__", set(values))
    object.__setattr__(built, "__pydantic_extra__", None)
    object.__setattr__(built, "__pydantic_private__", None)
    return built


def from_stored(model: type[M], values: Mapping[str, Any]) -> M:
    """A record read back from our own tables, built without checking it again.

    What the library wrote went through the full checks (NFC, one line, e-mail, lengths), and
    a row is not refused later for a check that became stricter since (see :data:`STORED`);
    so a stored row needs only its types: ISO dates to dates, values to their enums, nested
    dicts to their models, converted by pydantic-core without the Python validators (about a
    third of the time of ``model_validate(row, context=STORED)``). Never for input.
    """
    built: M = _stored_validator(model).validate_python(values)
    return built


def parse(model: type[M], data: Mapping[str, Any] | Any) -> M:
    """Validate ``data`` as ``model``, turning pydantic's error into :class:`InvalidInput`."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc.errors()[0], exc.error_count() - 1) from exc


# pydantic's own kinds of refusal, in the catalogue's words: the error's ``type`` and the
# ``ctx`` keys its sentence reads (the English keeps pydantic's wording where it was shown).
_PYDANTIC: dict[str, str] = {
    "missing": N_("{name}: còn thiếu"),
    "extra_forbidden": N_("{name}: không có trường này"),
    "string_too_long": N_("{name}: quá dài, tối đa {max_length} ký tự"),
    "too_long": N_("{name}: quá dài, tối đa {max_length} ký tự"),
    "string_too_short": N_("{name}: không được để trống"),
    "too_short": N_("{name}: không được để trống"),
    "less_than_equal": N_("{name}: phải nhỏ hơn hoặc bằng {le}"),
    "less_than": N_("{name}: phải nhỏ hơn {lt}"),
    "greater_than_equal": N_("{name}: phải lớn hơn hoặc bằng {ge}"),
    "greater_than": N_("{name}: phải lớn hơn {gt}"),
    "int_parsing": N_("{name}: phải là số nguyên"),
    "int_type": N_("{name}: phải là số nguyên"),
    "int_from_float": N_("{name}: phải là số nguyên"),
    "float_parsing": N_("{name}: phải là một số"),
    "float_type": N_("{name}: phải là một số"),
    "finite_number": N_("{name}: phải là một số hữu hạn"),
    "bool_parsing": N_("{name}: phải là true hoặc false"),
    "bool_type": N_("{name}: phải là true hoặc false"),
    "string_type": N_("{name}: phải là chữ"),
    "list_type": N_("{name}: phải là một danh sách"),
    "dict_type": N_("{name}: phải là một bảng khóa–giá trị"),
    "model_type": N_("{name}: phải là một bảng khóa–giá trị"),
    "date_type": N_("{name}: không phải ngày hợp lệ; viết YYYY-MM-DD hoặc DD/MM/YYYY"),
    "date_parsing": N_("{name}: không phải ngày hợp lệ; viết YYYY-MM-DD hoặc DD/MM/YYYY"),
    "date_from_datetime_parsing": N_(
        "{name}: không phải ngày hợp lệ; viết YYYY-MM-DD hoặc DD/MM/YYYY"
    ),
    "literal_error": N_("{name}: phải là một trong {expected}"),
    "enum": N_("{name}: phải là một trong {expected}"),
}
_FIELD_PROBLEM = N_("{name}: {problem}")
_AND_MORE = N_("{problem} (và {more} lỗi khác)")


def invalid_input(error: Any, more: int = 0, *, field: str | None = None) -> InvalidInput:
    """The :class:`InvalidInput` for one of pydantic's errors (an item of
    ``ValidationError.errors()``), ``more`` others left unsaid: our validators' words
    (:class:`Problem`), pydantic's known kinds in the catalogue's, else pydantic's English
    after the field. ``field`` overrides the error's location."""
    where = field or ".".join(str(part) for part in error["loc"]) or "value"
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    text = _PYDANTIC.get(error["type"])
    if isinstance(cause, Problem):
        refused = InvalidInput.said(_FIELD_PROBLEM, field=where, name=where, problem=cause)
    elif text is not None:
        values = {k: v for k, v in ctx.items() if k != "error"}
        refused = InvalidInput.said(text, field=where, name=where, **values)
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        refused = InvalidInput.said(_FIELD_PROBLEM, field=where, name=where, problem=message)
    if more:
        return InvalidInput.said(_AND_MORE, field=where, problem=refused, more=more)
    return refused
