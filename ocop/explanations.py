"""A refusal said in one line an officer can act on, in Vietnamese or English: the words the
CLI, the mail and a host application show for an :class:`~ocop.errors.OcopError`.

The errors carry structured fields (the trigger, what is missing and its code, why a
permission was refused and the names and places involved); the words here are built from those
fields, from the catalogue (:mod:`ocop.text`). Where a detail comes only as the library's
English text, that text is used as it is. The explanations name no front end's commands: a
front end passes :class:`Hints` to say how its user gives a missing value or takes a step, and
what to run next (the CLI's are in ``ocop/cli/messages.py``)::

    try:
        registry.fire(7, "check", actor=officer)
    except ocop.OcopError as refused:
        print(refused.explain("vi"))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol, TypeGuard

from ocop.errors import (
    ConcurrentUpdate,
    ConfigurationError,
    DaemonAlreadyRunning,
    DatabaseDamaged,
    DiskFull,
    GuardFailed,
    InvalidInput,
    Missing,
    NotFound,
    NumberTooLarge,
    OcopError,
    PermissionDenied,
    SchemaNotCurrent,
    SchemaTooNew,
    StampError,
    StorageUnavailable,
    TransitionNotAllowed,
)
from ocop.states import Role, State, Trigger
from ocop.states.inputs import input_named
from ocop.text import N_, Translate, translator

if TYPE_CHECKING:
    from ocop.models import Actor, Dossier

__all__ = ["CRITERIA", "DOCUMENTS", "Hints", "explain", "problem"]


def _no_option(name: str) -> str | None:
    return None


def _no_next(error: OcopError, lang: str) -> str:
    return ""


@dataclass(frozen=True)
class Hints:
    """What a front end adds to an explanation, in its own terms.

    ``option(name)`` is how its user gives the input ``name`` (``"--documents"``), or ``None``;
    ``step(trigger, dossier_id)`` how they take a step (``"ocop check 7"``), or ``None`` for
    the step's name; ``then(error, lang)`` a sentence on what to run next, or ``""``.
    """

    option: Callable[[str], str | None] = _no_option
    step: Callable[[Trigger, int | None], str] | None = None
    then: Callable[[OcopError, str], str] = _no_next


NO_HINTS = Hints()
"""Explanations in the library's own terms: no options, no commands."""

DOCUMENTS: dict[str, str] = {
    "mau_01": N_("Phiếu đăng ký (Mẫu 01)"),
    "mau_02": N_("Báo cáo tự đánh giá (Mẫu 02)"),
}

CRITERIA: dict[str, str] = {
    "local_materials": N_("nguồn gốc sản phẩm/nguyên liệu địa phương"),
    "local_labour": N_("sử dụng lao động địa phương"),
    "idea_origin": N_("nguồn gốc ý tưởng sản phẩm"),
    "local_identity": N_("bản sắc/trí tuệ địa phương"),
}
"""The four commune criteria of the seed plan (§III.3), as its wording names them."""


def _missing(item: Missing, lang: str, hints: Hints) -> str:
    t = translator(lang)
    p = item.params
    if item.code == "document":
        doc = str(p["document"])
        named = DOCUMENTS.get(doc)
        label = t(named) if named else doc
        option = hints.option("documents")
        return (
            t("{label} ({option} {doc})", label=label, option=option, doc=doc) if option else label
        )
    if item.code == "samples":
        option = hints.option("samples")
        if option:
            return t(
                "{needed} mẫu sản phẩm (mới có {have}; {option})",
                needed=p["needed"],
                have=p["have"],
                option=option,
            )
        return t("{needed} mẫu sản phẩm (mới có {have})", needed=p["needed"], have=p["have"])
    if item.code == "criterion":
        name = str(p["criterion"])
        named = CRITERIA.get(name)
        label = t(named) if named else name
        option = hints.option(name)
        if option:
            return t("đánh giá tiêu chí “{label}” ({option})", label=label, option=option)
        return t("đánh giá tiêu chí “{label}”", label=label)
    if item.code == "value":
        name = str(p["field"])
        known = input_named(name)
        label = known.label(lang) if known else name
        option = hints.option(name)
        options = p.get("options")
        choice = f": {', '.join(map(str, options))}" if isinstance(options, tuple) else ""
        if option:
            return t("{label} ({option}{choice})", label=label, option=option, choice=choice)
        return f"{label}{choice}"
    if item.code == "valid_certificate":
        option = hints.option("kind")
        if option:
            return t(
                "giấy chứng nhận còn hiệu lực (nếu đã hết hạn, đăng ký lần đầu: {option} first)",
                option=option,
            )
        return t("giấy chứng nhận còn hiệu lực (nếu đã hết hạn, đăng ký lần đầu)")
    if item.code == "certificate":
        return t("giấy chứng nhận")
    return item.text


_TRIGGERS = {t.value: t for t in Trigger}
_STATES = {s.value: s for s in State}
_ROLES = {r.value: r for r in Role}


def _step(trigger: str, lang: str) -> str:
    known = _TRIGGERS.get(trigger)
    return known.label(lang) if known else trigger


def _roles(roles: tuple[str, ...], lang: str) -> str:
    t = translator(lang)
    word = t("hoặc")
    return f" {word} ".join(_ROLES[r].label(lang) for r in roles if r in _ROLES)


def _permission(error: PermissionDenied, lang: str) -> str:
    t = translator(lang)
    d = error.details
    trigger = _TRIGGERS.get(error.trigger or "")
    step = trigger.label(lang).lower() if trigger else t("làm bước này")
    actor, dossier = d.get("actor", ""), d.get("dossier", "")
    if error.reason == "disabled":
        return t("Người dùng này đã bị khóa; đề nghị quản trị viên mở lại.")
    if error.trigger == "retry" and error.reason == "role":
        role = _ROLES.get(str(d.get("role")))
        return t(
            "Chỉ cán bộ hoặc quản trị viên mới được gửi lại thư; {actor} là {role}.",
            actor=actor,
            role=role.label(lang) if role else d.get("role", ""),
        )
    if error.trigger == "preview" and error.reason == "role":
        role = _ROLES.get(str(d.get("role")))
        return t(
            "Chỉ {allowed} mới được xem trước việc của dịch vụ gửi thư (thư của mọi địa bàn); "
            "{actor} là {role}.",
            allowed=_roles(error.allowed_roles, lang),
            actor=actor,
            role=role.label(lang) if role else d.get("role", ""),
        )
    if error.reason == "role" and trigger is not None:
        allowed = _roles(error.allowed_roles, lang)
        role = _ROLES.get(str(d.get("role")))
        who = f"{actor} ({role.label(lang)})" if role else str(actor)
        return t(
            "Chỉ {allowed} mới được {step}; {who} không được làm bước này.",
            allowed=allowed,
            step=step,
            who=who,
        )
    if error.reason == "state":
        state = _STATES[str(d["state"])].label(lang)
        others = d.get("others")
        ask = _roles(tuple(others), lang) if isinstance(others, tuple) else ""
        if ask:
            return t(
                "Không thể {step} khi hồ sơ {dossier} đang “{state}”; đề nghị {ask} thực hiện.",
                step=step,
                dossier=dossier,
                state=state,
                ask=ask,
            )
        return t(
            "Không thể {step} khi hồ sơ {dossier} đang “{state}”.",
            step=step,
            dossier=dossier,
            state=state,
        )
    if error.reason == "commune":
        # The whole area: the commune's name alone may be another province's too.
        own = t(
            "xã {commune}, tỉnh {province}",
            commune=d.get("own") or t("(chưa gán)"),
            province=d.get("own_province") or t("(chưa gán)"),
        )
        place = t("xã {place}, tỉnh {province}", place=d.get("place"), province=d.get("province"))
        return t(
            "{actor} là cán bộ {own}; hồ sơ {dossier} thuộc {place}. Đề nghị cán bộ "
            "{place} thực hiện.",
            actor=actor,
            own=own,
            dossier=dossier,
            place=place,
        )
    if error.reason == "province":
        own_p, place_p = d.get("own") or t("(chưa gán tỉnh)"), d.get("place")
        return t(
            "{actor} là cán bộ tỉnh {own}; hồ sơ {dossier} thuộc tỉnh {place}.",
            actor=actor,
            own=own_p,
            dossier=dossier,
            place=place_p,
        )
    if error.reason == "last_admin":
        return t(
            "{actor} là quản trị viên cuối cùng còn hoạt động; thêm hoặc mở khóa "
            "quản trị viên khác trước.",
            actor=actor,
        )
    if error.reason == "scope" and "message" in d:
        return t(
            "Thư số {id} nằm ngoài phạm vi {actor} được xem (thư về hồ sơ hoặc kế hoạch của "
            "địa bàn khác).",
            id=d["message"],
            actor=actor,
        )
    if error.reason == "scope":
        return t(
            "Hồ sơ {dossier} nằm ngoài phạm vi {actor} được xem.", dossier=dossier, actor=actor
        )
    if error.reason == "owner":
        return t(
            "Hồ sơ {dossier} không phải của {actor}; chỉ chủ thể của hồ sơ mới được {step}.",
            dossier=dossier,
            actor=actor,
            step=step,
        )
    return error.message


def explain(
    error: OcopError,
    lang: str = "vi",
    *,
    actor: Actor | None = None,
    dossier: Dossier | None = None,
    hints: Hints = NO_HINTS,
) -> str:
    """One line for ``error`` in ``lang`` (``"vi"`` or ``"en"``); ``actor`` and ``dossier`` (when
    known) sharpen refusals, ``hints`` add a front end's own options and commands."""
    said = _explain(error, lang, actor, dossier, hints)
    then = hints.then(error, lang)
    return f"{said} {then}" if then else said


def _explain(
    error: OcopError,
    lang: str,
    actor: Actor | None,
    dossier: Dossier | None,
    hints: Hints,
) -> str:
    t = translator(lang)
    ref = t("hồ sơ {id}", id=dossier.id) if dossier else t("hồ sơ")
    if isinstance(error, GuardFailed):
        items = "; ".join(_missing(item, lang, hints) for item in error.missing)
        step = _step(error.trigger, lang)
        return t("Chưa thể “{step}” cho {ref}: còn thiếu {items}.", step=step, ref=ref, items=items)
    if isinstance(error, TransitionNotAllowed):
        known = _STATES.get(error.state)
        state = known.label(lang) if known else error.state
        step = _step(error.trigger, lang)
        options = [_TRIGGERS[a] for a in error.allowed if a in _TRIGGERS]
        how = hints.step
        possible = (
            ", ".join(
                how(o, dossier.id if dossier else None) if how else o.label(lang) for o in options
            )
            if options
            else t("không có bước nào bạn làm được lúc này")
        )
        return t(
            "Không thể “{step}” khi {ref} đang “{state}”. Có thể: {possible}.",
            step=step,
            ref=ref,
            state=state,
            possible=possible,
        )
    if isinstance(error, PermissionDenied):
        return _permission(error, lang)
    if isinstance(error, NotFound):
        if error.kind == "user":
            return t("Không có người dùng '{key}'.", key=error.key)
        if error.kind == "message":
            return t("Không có thư số {key} trong hộp thư đi.", key=error.key)
        if error.kind == "dossier":
            return t("Không có hồ sơ số {key}.", key=error.key)
        return error.message
    if isinstance(error, ConcurrentUpdate):
        return t(
            "Hồ sơ {dossier_id} vừa được người khác cập nhật; xem lại rồi làm lại.",
            dossier_id=error.dossier_id,
        )
    if isinstance(error, StorageUnavailable):
        return _storage(error, lang)
    if isinstance(error, DaemonAlreadyRunning):
        return t(
            "Một tiến trình nền ocop khác ({holder}) đang chạy trên {database}. Dừng nó trước; "
            "nhiều tiến trình nền trên một cơ sở dữ liệu cần PostgreSQL.",
            holder=error.holder,
            database=error.database,
        )
    if isinstance(error, StampError):
        return _stamp(error, lang, hints)
    if isinstance(error, ConfigurationError):
        return _configuration(error, lang)
    if isinstance(error, InvalidInput):
        if isinstance(error, NumberTooLarge):
            return t(
                "Dữ liệu không hợp lệ: một số đã nhập quá lớn (tối đa {limit}).",
                limit=error.limit,
            )
        return t("Dữ liệu không hợp lệ: {message}", message=problem(error, lang))
    return error.message


def problem(error: InvalidInput, lang: str = "vi") -> str:
    """What is wrong with the value, in ``lang``, without the "Invalid data:" that
    :func:`explain` puts before it: for a front end that says which setting it was."""
    if error.text:
        return _said(translator(lang), error.text, error.values)
    return error.message


def _said(t: Translate, text: str, values: Mapping[str, object]) -> str:
    """A sentence of the catalogue in ``t``'s language, and so each of its values that is
    one in turn (a validator's problem inside "{name}: {problem}")."""
    filled = {
        key: _said(t, value.text, value.values) if _is_said(value) else value
        for key, value in values.items()
    }
    return t(text, **filled)


class _Said(Protocol):
    text: str
    values: Mapping[str, object]


def _is_said(value: object) -> TypeGuard[_Said]:
    return isinstance(getattr(value, "text", None), str) and isinstance(
        getattr(value, "values", None), Mapping
    )


def _storage(error: StorageUnavailable, lang: str) -> str:
    t = translator(lang)
    if isinstance(error, DatabaseDamaged):
        return t(
            "{database} không phải cơ sở dữ liệu ocop hoặc đã bị hỏng ({detail}); kiểm tra "
            "thiết lập cơ sở dữ liệu, hoặc khôi phục tệp từ bản sao lưu. Chưa có gì thay đổi.",
            database=error.database,
            detail=error.detail,
        )
    if isinstance(error, SchemaTooNew):
        return t(
            "{database} do một phiên bản ocop mới hơn tạo (bản lược đồ {revision}); "
            "hãy nâng cấp ocop để dùng. Chưa có gì thay đổi.",
            database=error.database,
            revision=error.revision,
        )
    if isinstance(error, SchemaNotCurrent):
        return t(
            "Cơ sở dữ liệu {database} chưa có lược đồ ocop mới nhất; hãy nâng cấp lược đồ trước.",
            database=error.database,
        )
    if isinstance(error, DiskFull):
        return t(
            "Ổ đĩa chứa {database} đã đầy; chưa lưu gì. Giải phóng dung lượng ổ đĩa rồi làm lại.",
            database=error.database,
        )
    if error.text:
        return _said(t, error.text, error.values)
    return t("Lỗi cơ sở dữ liệu: {message}", message=error.message)


def _configuration(error: ConfigurationError, lang: str) -> str:
    t = translator(lang)
    if error.reason == "scheme":
        return t(
            "Không hỗ trợ cơ sở dữ liệu {value}; dùng SQLite (một đường dẫn tệp, "
            "sqlite:///…) hoặc PostgreSQL (postgresql+psycopg://…).",
            value=error.value,
        )
    if error.reason == "driver":
        return t(
            "Chưa cài trình kết nối cho '{value}': với PostgreSQL cài `pip install "
            "'ocop[postgres]'` (psycopg) và dùng postgresql+psycopg://…",
            value=error.value,
        )
    if error.reason == "url":
        return t(
            "'{value}' không phải địa chỉ cơ sở dữ liệu; dùng ví dụ "
            "sqlite:///ocop.db hoặc postgresql+psycopg://user@host/dbname.",
            value=error.value,
        )
    return t("Cấu hình không dùng được: {message}", message=error.message)


def _day(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def _stamp(error: StampError, lang: str, hints: Hints) -> str:
    """Keys and e-stamps refused (:class:`~ocop.errors.StampError`, by its ``code``)."""
    t, p, code = translator(lang), error.params, error.code
    if code == "no_keys":
        return t("Chưa có khóa phát hành trong {path}.", path=p.get("path"))
    if code == "keys_exist":
        return t("Đã có khóa phát hành trong {path}.", path=p.get("path"))
    if code == "passphrase" and p.get("needs"):
        return t("Khóa bí mật có mật khẩu: chưa cho biết mật khẩu, hoặc mật khẩu sai.")
    if code == "passphrase":
        option = hints.option("passphrase_file")
        if option:
            return t("Khóa bí mật không có mật khẩu; bỏ {option}.", option=option)
        return t("Khóa bí mật không có mật khẩu.")
    if code == "key_mode":
        return t("Tệp khóa bí mật để người khác đọc được: {message}", message=error.message)
    if code == "no_certificate":
        return t(
            "Hồ sơ {dossier} chưa có giấy chứng nhận OCOP; chỉ sản phẩm đã được "
            "công nhận mới có tem.",
            dossier=p.get("dossier"),
        )
    if code == "certificate_revoked":
        return t(
            "Giấy chứng nhận {certificate} của hồ sơ {dossier} đã bị thu hồi; không phát hành tem.",
            certificate=p.get("certificate"),
            dossier=p.get("dossier"),
        )
    if code == "certificate_expired":
        return t(
            "Giấy chứng nhận {certificate} của hồ sơ {dossier} đã hết hiệu lực ngày "
            "{vi_date}; không phát hành tem.",
            certificate=p.get("certificate"),
            dossier=p.get("dossier"),
            vi_date=_day(p.get("on")),
        )
    if code == "certificate_not_yet":
        return t(
            "Giấy chứng nhận {certificate} chỉ có hiệu lực từ {vi_date}.",
            certificate=p.get("certificate"),
            vi_date=_day(p.get("on")),
        )
    if code == "count":
        return t("Số tem mỗi lần từ 1 đến 1000, không phải {count}.", count=p.get("count"))
    if code == "too_long":
        option = hints.option("base_url")
        if option:
            return t(
                "Tem không vừa mã QR phiên bản 10 mức M; dùng địa chỉ {option} ngắn hơn.",
                option=option,
            )
        return t("Tem không vừa mã QR phiên bản 10 mức M; dùng địa chỉ trang kiểm tra ngắn hơn.")
    if code == "base_url":
        return t(
            "'{base_url}' không phải địa chỉ trang kiểm tra; ví dụ https://ocop.example.vn",
            base_url=p.get("base_url"),
        )
    if code == "image":
        return t("Không đọc được mã QR: {message}", message=error.message)
    if code == "format":
        return t("Tờ tem ghi ra tệp .svg, .png hoặc .pdf.")
    return error.message
