"""A refused step, said in one line an officer can act on, in Vietnamese or English.

The library's errors carry structured fields (the trigger, what is missing, the roles allowed);
the words here are built from those fields. Where a detail comes only as the library's English
text, that text is used as it is rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ocop.cli.core import translator
from ocop.cli.render import COMMANDS, command_for
from ocop.errors import (
    ConcurrentUpdate,
    GuardFailed,
    InvalidInput,
    NotFound,
    OcopError,
    PermissionDenied,
    StorageUnavailable,
    TransitionNotAllowed,
)
from ocop.models import Actor, Dossier
from ocop.states import ROLE_SOURCES, TRANSITIONS, Role, State, Trigger

__all__ = ["CRITERIA", "DOCUMENTS", "explain"]

DOCUMENTS: dict[str, tuple[str, str]] = {
    "mau_01": ("Phiếu đăng ký (Mẫu 01)", "the registration form (Mẫu 01)"),
    "mau_02": ("Báo cáo tự đánh giá (Mẫu 02)", "the self-assessment report (Mẫu 02)"),
}

CRITERIA: dict[str, tuple[str, str]] = {
    "local_materials": (
        "nguồn gốc sản phẩm/nguyên liệu địa phương",
        "origin of the product / local raw materials",
    ),
    "local_labour": ("sử dụng lao động địa phương", "use of local labour"),
    "idea_origin": ("nguồn gốc ý tưởng sản phẩm", "origin of the product idea"),
    "local_identity": ("bản sắc/trí tuệ địa phương", "local identity / knowledge"),
}
"""The four commune criteria of the seed plan (§III.3), as its wording names them."""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


# (pattern of one item of GuardFailed.missing, its Vietnamese and English rendering)
_Render = Callable[[re.Match[str]], tuple[str, str]]
_MISSING: tuple[tuple[re.Pattern[str], _Render], ...] = (
    (
        re.compile(r"document (\w+)"),
        lambda m: (
            f"{DOCUMENTS.get(m[1], (m[1], m[1]))[0]} (--documents {m[1]})",
            f"{DOCUMENTS.get(m[1], (m[1], m[1]))[1]} (--documents {m[1]})",
        ),
    ),
    (
        re.compile(r"(\d+) product samples \((\d+) handed in\)"),
        lambda m: (
            f"{m[1]} mẫu sản phẩm (mới có {m[2]}; --samples)",
            f"{m[1]} product samples ({m[2]} handed in; --samples)",
        ),
    ),
    (
        re.compile(r"an assessment of (\w+)"),
        lambda m: (
            f"đánh giá tiêu chí “{CRITERIA.get(m[1], (m[1], m[1]))[0]}” ({_flag(m[1])})",
            f"an assessment of “{CRITERIA.get(m[1], (m[1], m[1]))[1]}” ({_flag(m[1])})",
        ),
    ),
    (re.compile(r"a reason"), lambda m: ("lý do (--reason)", "a reason (--reason)")),
    (
        re.compile(r"the request letter's (number|date)"),
        lambda m: (
            f"{'số' if m[1] == 'number' else 'ngày'} văn bản đề nghị tỉnh (--letter-{m[1]})",
            f"the request letter's {m[1]} (--letter-{m[1]})",
        ),
    ),
    (
        re.compile(r"the part (\w) score"),
        lambda m: (
            f"điểm phần {m[1]} (--{m[1].lower()})",
            f"the part {m[1]} score (--{m[1].lower()})",
        ),
    ),
    (
        re.compile(r"a certificate number"),
        lambda m: ("số giấy chứng nhận (--certificate)", "a certificate number (--certificate)"),
    ),
    (
        re.compile(r"a revocation ground \((.*)\)"),
        lambda m: (f"căn cứ thu hồi (--ground: {m[1]})", f"a revocation ground (--ground: {m[1]})"),
    ),
    (
        re.compile(r"a valid certificate for a (\w+) cycle"),
        lambda m: (
            "giấy chứng nhận còn hiệu lực (nếu đã hết hạn, đăng ký lần đầu: --kind first)",
            f"a valid certificate for a {m[1]} cycle (once it has lapsed: --kind first)",
        ),
    ),
    (re.compile(r"a certificate"), lambda m: ("giấy chứng nhận", "a certificate")),
)


def _missing(item: str, lang: str) -> str:
    for pattern, render in _MISSING:
        match = pattern.fullmatch(item)
        if match:
            vi, en = render(match)
            return en if lang == "en" else vi
    return item


_TRIGGERS = {t.value: t for t in Trigger}
_STATES = {s.value: s for s in State}
_ROLES = {r.value: r for r in Role}


def _step(trigger: str, lang: str) -> str:
    known = _TRIGGERS.get(trigger)
    return known.label(lang) if known else trigger


def _roles(roles: tuple[str, ...], lang: str) -> str:
    names = [_ROLES[r].label(lang) for r in roles if r in _ROLES]
    return (" hoặc " if lang != "en" else " or ").join(names)


def _permission(error: PermissionDenied, lang: str, actor: Actor | None, d: Dossier | None) -> str:
    t = translator(lang)
    trigger = _TRIGGERS.get(error.trigger)
    if actor is None or d is None or trigger is None:
        return error.message
    step = trigger.label(lang).lower()
    who = f"{actor.name} ({actor.role.label(lang)})"
    if actor.role not in TRANSITIONS[trigger].roles:
        allowed = _roles(error.allowed_roles, lang)
        return t(
            f"Chỉ {allowed} mới được {step}; {who} không được làm bước này.",
            f"Only a {allowed} may {step}; {who} may not.",
        )
    sources = ROLE_SOURCES.get((trigger, actor.role))
    if sources is not None and d.state not in sources:
        others = tuple(
            r.value
            for (tr, r), states in ROLE_SOURCES.items()
            if tr == trigger and d.state in states
        )
        return t(
            f"{actor.role.label(lang).capitalize()} không thể {step} khi hồ sơ {d.id} đang "
            f"“{d.state.label(lang)}”; đề nghị {_roles(others, lang)} thực hiện.",
            f"A {actor.role.label(lang)} cannot {step} while dossier {d.id} is "
            f"“{d.state.label(lang)}”; ask a {_roles(others, lang)}.",
        )
    if actor.role is Role.COMMUNE_OFFICER and actor.commune != d.commune:
        return t(
            f"{actor.name} là cán bộ xã {actor.commune or '(chưa gán xã)'}; hồ sơ {d.id} thuộc "
            f"xã {d.commune}. Đề nghị cán bộ xã {d.commune} thực hiện.",
            f"{actor.name} is an officer of {actor.commune or 'no commune'}; dossier {d.id} "
            f"belongs to {d.commune}. Ask an officer of {d.commune}.",
        )
    if actor.role is Role.PROVINCE_OFFICER and actor.province != d.province:
        return t(
            f"{actor.name} là cán bộ tỉnh {actor.province or '(chưa gán tỉnh)'}; hồ sơ {d.id} "
            f"thuộc tỉnh {d.province}.",
            f"{actor.name} is an officer of {actor.province or 'no province'}; dossier {d.id} "
            f"is in {d.province}.",
        )
    if actor.role is Role.PRODUCER:
        return t(
            f"Hồ sơ {d.id} không phải của {actor.name}; chỉ chủ thể của hồ sơ mới được {step}.",
            f"Dossier {d.id} is not {actor.name}'s; only its producer may {step}.",
        )
    return error.message


def explain(
    error: OcopError,
    lang: str,
    *,
    actor: Actor | None = None,
    dossier: Dossier | None = None,
) -> str:
    """One line for ``error``; ``actor`` and ``dossier`` (when known) sharpen refusals."""
    t = translator(lang)
    ref = (
        t(f"hồ sơ {dossier.id}", f"dossier {dossier.id}") if dossier else t("hồ sơ", "the dossier")
    )
    if isinstance(error, GuardFailed):
        items = "; ".join(_missing(item, lang) for item in error.missing)
        step = _step(error.trigger, lang)
        return t(
            f"Chưa thể “{step}” cho {ref}: còn thiếu {items}.",
            f"Cannot “{step}” for {ref} yet: missing {items}.",
        )
    if isinstance(error, TransitionNotAllowed):
        known = _STATES.get(error.state)
        state = known.label(lang) if known else error.state
        step = _step(error.trigger, lang)
        options = [_TRIGGERS[a] for a in error.allowed if a in _TRIGGERS]
        possible = (
            ", ".join(
                command_for(o, dossier.id) if dossier else COMMANDS.get(o, o.value) for o in options
            )
            if options
            else t("không có bước nào bạn làm được lúc này", "nothing you can do now")
        )
        return t(
            f"Không thể “{step}” khi {ref} đang “{state}”. Có thể: {possible}.",
            f"Cannot “{step}” while {ref} is “{state}”. Possible now: {possible}.",
        )
    if isinstance(error, PermissionDenied):
        if error.trigger == "*":  # a disabled user
            return t(
                "Người dùng này đã bị khóa; đề nghị quản trị viên mở lại (`ocop user enable`).",
                error.message,
            )
        return _permission(error, lang, actor, dossier)
    if isinstance(error, NotFound):
        if error.kind == "user":
            return t(
                f"Không có người dùng '{error.key}'. Xem danh sách: `ocop user list`.",
                f"No user '{error.key}' exists. See `ocop user list`.",
            )
        if error.kind == "dossier":
            return t(
                f"Không có hồ sơ số {error.key}. Xem số hồ sơ: `ocop list`.",
                error.message,
            )
        return error.message
    if isinstance(error, ConcurrentUpdate):
        return t(
            f"Hồ sơ {error.dossier_id} vừa được người khác cập nhật; xem lại "
            f"(`ocop show {error.dossier_id}`) rồi làm lại.",
            error.message,
        )
    if isinstance(error, StorageUnavailable):
        return t(f"Lỗi cơ sở dữ liệu: {error.message}", error.message)
    if isinstance(error, InvalidInput):
        return t(f"Dữ liệu không hợp lệ: {error.message}", error.message)
    return error.message
