"""A commune's yearly OCOP plan, kept as a TOML file and validated on load.

The plan says who the commune is, which rule set its dossiers follow, what it aims for, when its
evaluation window, conferences and monthly meetings fall, and who hears about what. The daemon's
sweep reads it to decide which reminders are due; :func:`load_plan` turns every mistake into an
:class:`~ocop.errors.InvalidInput` that names the key and the line, so an officer can fix the
file without reading a traceback.

The Lưu Vệ 2026 plan ships with the package (:func:`luu_ve_2026`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, cast, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ocop.errors import InvalidInput
from ocop.models import Email, Line, Problem, parse_date
from ocop.states import RULE_SETS, RuleSet
from ocop.text import N_
from ocop.workdays import Calendar

__all__ = [
    "AUDIENCES",
    "LUU_VE_2026",
    "PLAN_TEMPLATES",
    "EvaluationWindow",
    "Event",
    "Meeting",
    "NewTarget",
    "Numbers",
    "Placeholder",
    "Plan",
    "Recipient",
    "ReminderSettings",
    "Target",
    "Targets",
    "load_plan",
    "luu_ve_2026",
    "parse_plan",
    "placeholders",
    "plan_template",
    "read_plan_text",
]

LUU_VE_2026 = Path(__file__).parent / "data" / "luu-ve-2026" / "plan.toml"
"""The shipped plan of Lưu Vệ commune (Thanh Hóa) for 2026."""

PLAN_TEMPLATES: Mapping[str, Path] = {
    "vi": Path(__file__).parent / "data" / "plan-template.toml",
    "en": Path(__file__).parent / "data" / "plan-template.en.toml",
}
"""The commented template of a commune's plan (``ocop plan init``), by comment language."""

Lang = Literal["vi", "en"]
Role = Literal["commune_officer", "commune_leader", "province_officer", "association"]
Audience = Literal[
    "commune_officer", "commune_leader", "province_officer", "association", "producer"
]
AUDIENCES: tuple[str, ...] = get_args(Audience)
"""Who an event can be for; ``producer`` means the producers of the commune's dossiers."""

Day = Annotated[date, BeforeValidator(parse_date)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
Leads = Annotated[tuple[Annotated[int, Field(ge=0, le=400)], ...], Field(max_length=10)]
Stars = Annotated[int, Field(ge=3, le=5)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Recipient(_Model):
    """Someone who receives the plan's reminders, by role."""

    role: Role
    name: Line
    email: Email
    lang: Lang = "vi"
    illustrative: bool = False


class Target(_Model):
    """A recognised product the commune aims to have re-recognised this year."""

    product: Line
    producer: Line | None = None
    stars: Stars = 3
    email: Email | None = None


class NewTarget(_Model):
    """How many products the commune aims to have recognised for the first time."""

    count: Annotated[int, Field(ge=0, le=1000)]
    stars: Stars = 3


class Targets(_Model):
    """The plan's quantified aims (Mục II.2 of a commune plan)."""

    rerecognise: tuple[Target, ...] = ()
    new: NewTarget | None = None


class EvaluationWindow(_Model):
    """The weeks when the commune's team evaluates dossiers; reminders lead up to both ends."""

    opens: Day
    closes: Day
    remind_opening: Leads = (14, 3)
    remind_closing: Leads = (7, 1)
    illustrative: bool = False
    note: str | None = None


class Event(_Model):
    """A one-off event of the plan, such as a conference."""

    id: Slug
    name: Line
    date: Day
    time: dt.time | None = None
    place: Line | None = None
    audience: tuple[Audience, ...] = ("commune_officer",)
    remind: Leads = (7, 1)
    illustrative: bool = False


class Meeting(_Model):
    """A meeting held every month on ``day`` (or the next working day when that is a day off)."""

    id: Slug
    name: Line
    day: Annotated[int, Field(ge=1, le=31)]
    months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = tuple(range(1, 13))
    time: dt.time | None = None
    place: Line | None = None
    audience: tuple[Audience, ...] = ("commune_officer",)
    remind: Leads = (1,)
    illustrative: bool = False

    def occurrences(self, year: int, calendar: Calendar) -> list[date]:
        """The meeting's dates in ``year``, moved forward to working days."""
        days = []
        for month in sorted(set(self.months)):
            # A day the month lacks (31 in April) means the month's last day.
            day = date(year, month, 1) + timedelta(days=self.day - 1)
            while day.month != month:
                day -= timedelta(days=1)
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            days.append(day)
        return days


class ReminderSettings(_Model):
    """Lead times of the dossier reminders and the officers' morning digest."""

    step_deadline: Leads = (5, 1)
    """Working days before a step deadline."""
    certificate: Leads = (180, 120, 30)
    """Days before a certificate expires."""
    round_cutoff: Leads = (30, 7)
    """Days before a province round's cut-off."""
    stale_after: Annotated[int, Field(ge=1, le=366)] = 30
    """Days an overdue or past-expiry reminder is still worth sending."""
    digest_at: dt.time = dt.time(7, 0)
    digest_horizon: Annotated[int, Field(ge=1, le=90)] = 14
    """Days ahead the morning digest looks."""


Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,20}$")]
_SERIAL_FIELDS = {"seq": 1, "month": 1, "year": 2026}


def _serial(value: object) -> object:
    """A form-serial template must format with seq (required), month and year, and nothing else."""
    if not isinstance(value, str):
        return value
    if "{seq" not in value:
        raise Problem(N_("phải có {seq}, số thứ tự"), seq="{seq}")
    try:
        text = value.format(**_SERIAL_FIELDS)
    except (KeyError, IndexError, ValueError) as exc:
        raise Problem(
            N_("không phải mẫu chỉ gồm {fields} ({detail})"),
            fields="{seq}, {month}, {year}",
            detail=exc,
        ) from None
    if "/" in text or "\n" in text or len(text) > 60:
        raise Problem(N_("phải là số hiệu ngắn không có '/' (mẫu tự thêm /PĐK-…)"))
    return value


class Numbers(_Model):
    """The codes of the numbers of the record (QĐ 26/2026: Mẫu 01's number, the product code).

    ``province_code`` and ``commune_code`` are the official codes of QĐ 19/2025/QĐ-TTg (T and
    X of a product code, and the "(Mã tỉnh)-(Mã xã)" of a registration form's number). The
    engine never guesses them: without them the numbers stay pending and say which key to set.
    ``form_serial`` fills the "…-…" blank before "/PĐK" on the form, whose content no source
    gives (OCOP-RULES.md §2B): by default the commune's running number of receptions in the
    year; ``{month}`` and ``{year}`` may be added, e.g. ``"{seq:03d}-{month:02d}"``.
    """

    province_code: Code | None = None
    commune_code: Code | None = None
    form_serial: Annotated[str, BeforeValidator(_serial)] = "{seq}"
    illustrative: bool = False


class Plan(_Model):
    """A commune's OCOP plan for one year."""

    commune: Line
    province: Line
    year: Annotated[int, Field(ge=2019, le=2100)]
    rule_set: Line
    title: Line | None = None
    number: str | None = None
    signed_by: Line | None = None
    lang: Lang = "vi"
    sender: Line | None = None
    targets: Targets = Targets()
    evaluation: EvaluationWindow | None = None
    events: tuple[Event, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    reminders: ReminderSettings = ReminderSettings()
    numbers: Numbers = Numbers()

    def recipients_for(self, role: str) -> list[Recipient]:
        """The plan's recipients with that role, in file order."""
        return [r for r in self.recipients if r.role == role]

    @property
    def key(self) -> str:
        """A short id for the plan, used in dedupe keys of reminders that have no dossier."""
        return f"{_slug(self.commune)}-{self.year}"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = plain.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "plan"


def load_plan(
    path: str | os.PathLike[str], *, rule_sets: Mapping[str, RuleSet] = RULE_SETS
) -> Plan:
    """Read and validate the plan at ``path``; errors name the file, the line and the key."""
    source = os.fspath(path)
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise _unreadable(source, exc) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(source) from exc
    return parse_plan(text, source=source, rule_sets=rule_sets)


def luu_ve_2026() -> Plan:
    """The shipped plan of Lưu Vệ commune for 2026."""
    return load_plan(LUU_VE_2026)


def parse_plan(
    text: str, *, source: str = "<plan>", rule_sets: Mapping[str, RuleSet] = RULE_SETS
) -> Plan:
    """Validate plan TOML; ``source`` names it in error messages."""
    text = unicodedata.normalize("NFC", text)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line N, column M)".
        raise InvalidInput.said(
            N_("{source}: không phải TOML hợp lệ: {detail}."),
            field="plan",
            source=source,
            detail=str(exc),
        ) from exc
    lines = _key_lines(text)
    try:
        plan = Plan.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise _located(source, lines, loc, _message(first)) from exc
    problems = _problems(plan, rule_sets)
    if problems:
        loc, message = problems[0]
        raise _located(source, lines, loc, message)
    return plan


def _message(error: Mapping[str, Any]) -> Problem | str:
    """What is wrong with one key, in the catalogue's words where ocop has them (a str is
    pydantic's own English)."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "missing":
        return Problem(N_("là bắt buộc"))
    if kind == "extra_forbidden":
        return Problem(N_("không phải khoá của kế hoạch (kiểm tra chính tả)"))
    if kind == "literal_error":
        return Problem(N_("phải là một trong {expected}"), expected=ctx.get("expected"))
    if kind == "string_pattern_mismatch":
        return Problem(N_("{value} không đúng dạng"), value=repr(error.get("input")))
    if isinstance(ctx.get("error"), Problem):
        return cast(Problem, ctx["error"])
    return str(error["msg"]).removeprefix("Value error, ")


def _problems(
    plan: Plan, rule_sets: Mapping[str, RuleSet]
) -> list[tuple[tuple[Any, ...], Problem]]:
    """Checks across keys, each with the key path it points at."""
    found: list[tuple[tuple[Any, ...], Problem]] = []
    if plan.rule_set not in rule_sets:
        known = ", ".join(sorted(rule_sets))
        found.append(
            (("rule_set",), Problem(N_("không có quy định này; có: {known}"), known=known))
        )
    window = plan.evaluation
    if window is not None:
        if window.closes < window.opens:
            found.append((("evaluation", "closes"), Problem(N_("trước ngày 'opens'"))))
        for key in ("opens", "closes"):
            if getattr(window, key).year != plan.year:
                wrong = Problem(N_("không thuộc năm {year} của kế hoạch"), year=plan.year)
                found.append((("evaluation", key), wrong))
    ids: tuple[tuple[str, Sequence[str]], ...] = (
        ("events", [e.id for e in plan.events]),
        ("meetings", [m.id for m in plan.meetings]),
    )
    for kind, names in ids:
        for index, name in enumerate(names):
            if name in names[:index]:
                found.append(
                    ((kind, index, "id"), Problem(N_("'{name}' bị dùng hai lần"), name=name))
                )
    for index, event in enumerate(plan.events):
        # A year-end review may fall in January of the next year.
        if event.date.year not in (plan.year, plan.year + 1):
            outside = Problem(
                N_("không thuộc năm {year} hay {next_year}"),
                year=plan.year,
                next_year=plan.year + 1,
            )
            found.append((("events", index, "date"), outside))
    return found


def _located(
    source: str, lines: Mapping[tuple[Any, ...], int], loc: Sequence[Any], problem: Problem | str
) -> InvalidInput:
    key = _dotted(loc)
    line = None
    for n in range(len(loc), 0, -1):
        line = lines.get(tuple(loc[:n]))
        if line is not None:
            break
    key = key or "plan"
    if line is None:
        return InvalidInput.said(
            N_("{source}: {key}: {problem}."), field=key, source=source, key=key, problem=problem
        )
    return InvalidInput.said(
        N_("{source}: dòng {line}: {key}: {problem}."),
        field=key,
        source=source,
        line=line,
        key=key,
        problem=problem,
    )


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Where each key path is written, for error messages (tomllib does not keep positions).

    Covers what plan files use: tables, arrays of tables, dotted and bare keys; values that span
    lines (multi-line arrays and strings) are skipped over.
    """
    lines: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: tuple[Any, ...] = ()
    depth = 0
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string or depth:
            depth, in_string = _scan(line, depth, in_string)
            continue
        header = _HEADER.match(line)
        if header:
            path = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                lines.setdefault(path, number)
                current = (*path, index)
            else:
                current = path
            lines.setdefault(current, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            path = (*current, *_split_key(assign.group(1)))
            lines.setdefault(path, number)
            depth, in_string = _scan(line[assign.end() :], 0, None)
    return lines


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _scan(text: str, depth: int, in_string: str | None) -> tuple[int, str | None]:
    """Bracket depth and open multi-line string after ``text``; comments end a line."""
    i = 0
    while i < len(text):
        if in_string:
            if text.startswith(in_string, i):
                i += len(in_string)
                in_string = None
                continue
            if text[i] == "\\" and in_string.startswith('"'):
                i += 1
            i += 1
            continue
        for quote in ('"""', "'''", '"', "'"):
            if text.startswith(quote, i):
                in_string = quote
                i += len(quote)
                break
        else:
            char = text[i]
            if char == "#":
                break
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
            i += 1
    # Single-line strings cannot span lines; a stray quote should not swallow the file.
    if in_string in ('"', "'"):
        in_string = None
    return max(depth, 0), in_string


_PLACEHOLDER = re.compile(r"<\s*(?:ĐIỀN|FILL IN)\s*:[^>]*>", re.IGNORECASE)


class Placeholder(NamedTuple):
    """A value of the template still waiting to be filled in: where, and what it asks for."""

    key: str
    """The dotted key path, e.g. ``recipients[0].email``."""
    line: int | None
    text: str
    """The placeholder as written, e.g. ``<ĐIỀN: địa chỉ e-mail>``."""


def plan_template(lang: str = "vi") -> str:
    """The commented plan template, comments in ``lang`` (Vietnamese unless ``en``).

    Every value to be filled in reads ``"<ĐIỀN: …>"`` (``"<FILL IN: …>"``):
    :func:`placeholders` finds those left.
    """
    path = PLAN_TEMPLATES.get(lang, PLAN_TEMPLATES["vi"])
    return path.read_text(encoding="utf-8")


def placeholders(text: str) -> list[Placeholder]:
    """The template's placeholders still among the values of plan TOML ``text``, in file order.

    Comments are not looked at. Text that is not valid TOML has none: :func:`parse_plan`
    reports what is wrong with it.
    """
    text = unicodedata.normalize("NFC", text)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    lines = _key_lines(text)
    found: list[Placeholder] = []

    def walk(value: object, loc: tuple[Any, ...]) -> None:
        if isinstance(value, str):
            match = _PLACEHOLDER.search(value)
            if match:
                line = next(
                    (lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None
                )
                found.append(Placeholder(_dotted(loc), line, match.group(0)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    walk(document, ())
    return sorted(found, key=lambda p: (p.line is None, p.line or 0))


def read_plan_text(path: str | os.PathLike[str]) -> str:
    """The text of the plan file at ``path``; errors as :func:`load_plan` words them."""
    source = os.fspath(path)
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise _unreadable(source, exc) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(source) from exc


def _unreadable(source: str, exc: OSError) -> InvalidInput:
    return InvalidInput.said(
        N_("{source}: không đọc được kế hoạch: {reason}."),
        field="plan",
        source=source,
        reason=exc.strerror,
    )


def _not_utf8(source: str) -> InvalidInput:
    return InvalidInput.said(
        N_("{source}: tệp kế hoạch không phải văn bản UTF-8."), field="plan", source=source
    )
