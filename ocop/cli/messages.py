"""A refusal said in one line, as :mod:`ocop.explanations` says it, with the CLI's own words
added: the option that gives a missing value, the command that takes a step, and what to run
next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocop.cli.render import COMMANDS, command_for
from ocop.errors import (
    ConcurrentUpdate,
    ConfigurationError,
    DatabaseDamaged,
    NotFound,
    OcopError,
    PermissionDenied,
    SchemaNotCurrent,
    StampError,
)
from ocop.explanations import CRITERIA, Hints
from ocop.explanations import explain as _explain
from ocop.states import Trigger
from ocop.states.inputs import input_named
from ocop.text import translator

if TYPE_CHECKING:
    from ocop.models import Actor, Dossier

__all__ = ["CLI_HINTS", "CRITERIA", "explain"]


def _option(name: str) -> str:
    known = input_named(name)
    if known is not None and "/" not in known.flag:
        return known.flag
    return "--" + name.replace("_", "-")


def _step(trigger: Trigger, dossier_id: int | None) -> str:
    return (
        command_for(trigger, dossier_id)
        if dossier_id is not None
        else COMMANDS.get(trigger, trigger.value)
    )


def _then(error: OcopError, lang: str) -> str:
    t = translator(lang)
    if isinstance(error, NotFound):
        if error.kind == "user":
            return t("Xem danh sách: `ocop user list`.")
        if error.kind == "message":
            return t("Xem: `ocop outbox list`.")
        if error.kind == "dossier":
            return t("Xem số hồ sơ: `ocop list`.")
    if isinstance(error, PermissionDenied) and error.reason == "disabled":
        return t("Mở lại bằng `ocop user enable`.")
    if isinstance(error, ConcurrentUpdate):
        return t("Xem: `ocop show {dossier_id}`.", dossier_id=error.dossier_id)
    if isinstance(error, SchemaNotCurrent):
        return t("Chạy `ocop db upgrade`.")
    if isinstance(error, StampError):
        return _stamp_then(error, lang)
    if isinstance(error, DatabaseDamaged) or (
        isinstance(error, ConfigurationError) and error.reason in ("scheme", "url")
    ):
        return t("Thiết lập: --db / OCOP_DATABASE.")
    return ""


def _stamp_then(error: StampError, lang: str) -> str:
    t = translator(lang)
    if error.code == "no_keys":
        return t("Tạo bằng `ocop keys init`.")
    if error.code == "keys_exist":
        return t("Muốn thay khóa thì dùng `ocop keys init --rotate` (khóa cũ vẫn được tin cậy).")
    if error.code == "passphrase" and error.params.get("needs"):
        return t("Cho biết bằng --passphrase-file hoặc OCOP_KEYS_PASSPHRASE.")
    return ""


CLI_HINTS = Hints(option=_option, step=_step, then=_then)
"""The CLI's options (``--documents``), commands (``ocop check 7``) and next commands."""


def explain(
    error: OcopError,
    lang: str,
    *,
    actor: Actor | None = None,
    dossier: Dossier | None = None,
) -> str:
    """One line for ``error``, in the officer's language and the CLI's terms."""
    return _explain(error, lang, actor=actor, dossier=dossier, hints=CLI_HINTS)
